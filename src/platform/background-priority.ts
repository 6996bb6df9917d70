import fs from "node:fs";
import os from "node:os";
import koffi from "koffi";

const SCHED_IDLE = 5;
const NICE_LOWEST = 19;

/** How this process was lowered (for logs and tests). */
export interface BackgroundPriority {
  /** Threads that run under SCHED_IDLE (Linux). */
  schedIdleThreads: number;
  /** Threads whose nice value is now 19. */
  nicedThreads: number;
}

/**
 * Makes this process background work for the kernel: SCHED_IDLE (Linux: runs only when a core would otherwise be
 * idle) and nice 19 (macOS and where SCHED_IDLE is refused). Job workers call it at start, so a conversion or a
 * quantization never takes a core from a decode: ggml's decode threads meet at spinning barriers after every op,
 * and one preempted thread stalls them all (a conversion on the other core made decoding ~18× slower). Every
 * existing thread is set (on Linux both settings are per thread); threads and processes started later inherit.
 */
export function lowerToBackground(): BackgroundPriority {
  const tids = threadIds();
  let schedIdleThreads = 0;
  let nicedThreads = 0;
  const setIdle = schedSetscheduler();
  for (const tid of tids) {
    try {
      os.setPriority(tid, NICE_LOWEST);
      nicedThreads++;
    } catch {
      // A thread that has exited meanwhile.
    }
    if (setIdle && setIdle(tid) === 0) schedIdleThreads++;
  }
  return { schedIdleThreads, nicedThreads };
}

/** This process's thread ids (Linux), else just the process. */
function threadIds(): number[] {
  if (process.platform === "linux") {
    try {
      return fs.readdirSync("/proc/self/task").map(Number).filter(Number.isInteger);
    } catch {
      // No /proc: the process only.
    }
  }
  return [0];
}

function schedSetscheduler(): ((tid: number) => number) | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    const libc = koffi.load("libc.so.6");
    const fn = libc.func("int sched_setscheduler(int pid, int policy, const int *param)");
    const param = new Int32Array([0]);
    return (tid: number) => fn(tid, SCHED_IDLE, param) as number;
  } catch {
    return undefined; // another libc (musl): nice alone
  }
}
