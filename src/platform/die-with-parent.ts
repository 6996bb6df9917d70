import koffi from "koffi";

const PR_SET_PDEATHSIG = 1;
const SIGKILL = 9;
export const PARENT_PID_ENV = "CORTEX_PARENT_PID";

/**
 * Makes the kernel SIGKILL this process when its parent dies (Linux prctl PR_SET_PDEATHSIG). For children that
 * spend seconds inside one synchronous native call (llama_model_quantize), where no JS 'disconnect' handler can
 * run: without it a kill -9 of the daemon or of a worker leaves the child writing on, and a restarted daemon runs
 * the same job a second time beside it. `expectedParent` closes the race of a parent that died before the call.
 * Returns false where the platform has no such call (macOS: the child still exits after its native call returns,
 * when it finds its IPC channel closed).
 */
export function dieWithParent(expectedParent: number | undefined): boolean {
  if (process.platform !== "linux") return false;
  try {
    const libc = koffi.load("libc.so.6");
    const prctl = libc.func("int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)");
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) !== 0) return false;
  } catch {
    return false; // another libc (musl): no guarantee, but no reason to fail the job
  }
  if (expectedParent !== undefined && process.ppid !== expectedParent) process.kill(process.pid, "SIGKILL");
  return true;
}
