import fs from "node:fs";
import { CortexError } from "../errors/cortex-error.js";

/**
 * One daemon per CORTEX_HOME. The lock holds the owner's pid; a lock whose pid is gone (or a zombie, which
 * kill -9 leaves when nobody reaps it) is stale and taken over without a manual step.
 */
export class LockFile {
  private constructor(readonly path: string) {}

  static acquire(lockPath: string): LockFile {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = fs.openSync(lockPath, "wx", 0o600);
        fs.writeSync(fd, `${process.pid}\n`);
        fs.closeSync(fd);
        return new LockFile(lockPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      const owner = readPid(lockPath);
      if (owner !== undefined && owner !== process.pid && isProcessAlive(owner)) {
        throw new CortexError("DAEMON_ALREADY_RUNNING", `another cortexd (pid ${owner}) is running with this home; lock file ${lockPath}`);
      }
      fs.rmSync(lockPath, { force: true }); // stale: the owner is gone
    }
    throw new CortexError("DAEMON_ALREADY_RUNNING", `could not take the lock ${lockPath}: another cortexd is starting`);
  }

  release(): void {
    if (readPid(this.path) === process.pid) fs.rmSync(this.path, { force: true });
  }
}

function readPid(file: string): number | undefined {
  try {
    const n = Number.parseInt(fs.readFileSync(file, "utf8").trim(), 10);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** True when pid is a live (non-zombie) process. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    // Linux only: a zombie still answers kill(0). On macOS /proc is absent and kill(0) is the answer.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}
