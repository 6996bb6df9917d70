import fs from "node:fs";
import path from "node:path";
import type { HomePaths } from "../config/paths.js";
import { CortexError } from "../errors/cortex-error.js";

/** Creates CORTEX_HOME (0700; an existing one loses group and other access) and its folders, and proves it is writable before anything else starts. */
export function prepareHome(paths: HomePaths): void {
  try {
    fs.mkdirSync(paths.home, { recursive: true, mode: 0o700 });
    // mkdir leaves an existing folder's mode alone: a home made 0755 by hand (or an older cortexd) would let other
    // users read models, manifests and job data. Only the owner's bits stay.
    const mode = fs.statSync(paths.home).mode & 0o777;
    if (mode & 0o077) fs.chmodSync(paths.home, mode & 0o700);
    // Before the sub-folders: Node's recursive mkdir reports a read-only file system as ENOENT.
    fs.accessSync(paths.home, fs.constants.W_OK);
    for (const dir of [paths.models, paths.mlxModels, paths.quantizedModels, paths.manifests, paths.tmp, paths.redisDir]) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    }
    const probe = path.join(paths.home, `.write-test-${process.pid}`);
    fs.writeFileSync(probe, "");
    fs.rmSync(probe);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason = e.code && !e.message.startsWith(e.code) ? `${e.code}: ${e.message}` : e.message; // Node's own messages start with the code
    throw new CortexError("DAEMON_HOME_UNWRITABLE", `CORTEX_HOME ${paths.home} is not writable (${reason}); choose another with --home or CORTEX_HOME`);
  }
}
