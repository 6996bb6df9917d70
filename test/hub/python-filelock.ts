import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import readline from "node:readline";

/** The interpreter with Debian's python3-filelock: the library huggingface_hub takes its cache locks with. */
export const PYTHON = "/usr/bin/python3";

/** Why huggingface_hub's lock library cannot be used here; CI installs it and sets CORTEX_REQUIRE_PYTHON=1. */
export function filelockMissing(t: { skip: (why: string) => void }): boolean {
  const r = spawnSync(PYTHON, ["-c", "import filelock"], { encoding: "utf8" });
  if (!r.error && r.status === 0) return false;
  const why = `${PYTHON} cannot import filelock (apt-get install python3-filelock)`;
  if (process.env.CORTEX_REQUIRE_PYTHON === "1") assert.fail(why);
  t.skip(why);
  return true;
}

// huggingface_hub's WeakFileLock: filelock.FileLock(lock_file, mode=0o664); acquire, work, release. Commands on
// stdin: "hold" takes the lock, "write <src> <dest>" does what a download does under it (copy to
// <dest>.incomplete, rename), "try" reports whether another holder could take the lock within 0.3 s, "release" lets it go.
const SCRIPT = String.raw`
import filelock, os, shutil, sys
lock = filelock.FileLock(sys.argv[1], mode=0o664) if "mode" in filelock.FileLock.__init__.__code__.co_varnames else filelock.FileLock(sys.argv[1])
for line in sys.stdin:
    cmd = line.split()
    if cmd[0] == "hold":
        lock.acquire(); print("held", flush=True)
    elif cmd[0] == "write":
        shutil.copyfile(cmd[1], cmd[2] + ".incomplete"); os.replace(cmd[2] + ".incomplete", cmd[2]); print("written", flush=True)
    elif cmd[0] == "try":
        other = filelock.FileLock(sys.argv[1])  # a second holder: its own open file, as another process has
        try:
            other.acquire(timeout=0.3); other.release(); print("free", flush=True)
        except filelock.Timeout:
            print("busy", flush=True)
    elif cmd[0] == "release":
        lock.release(); print("released", flush=True)
`;

/** A Python process taking a blob's lock the way huggingface_hub does. */
export class PythonLockHolder {
  private readonly lines: AsyncIterator<string>;
  private constructor(private readonly proc: ChildProcess) {
    this.lines = readline.createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  }

  static start(lockFile: string): PythonLockHolder {
    const proc = spawn(PYTHON, ["-c", SCRIPT, lockFile], { stdio: ["pipe", "pipe", "inherit"] });
    return new PythonLockHolder(proc);
  }

  async send(cmd: string): Promise<string> {
    this.proc.stdin!.write(`${cmd}\n`);
    const r = await this.lines.next();
    assert.ok(!r.done, `python exited before answering ${cmd}`);
    return r.value;
  }

  close(): void {
    this.proc.stdin!.end();
    this.proc.kill();
  }
}
