import fs from "node:fs";
import net from "node:net";
import { CortexError } from "../errors/cortex-error.js";

/** Resolves true when something accepts connections on the unix socket. */
export function socketAnswers(socketPath: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const conn = net.connect({ path: socketPath });
    const done = (alive: boolean) => {
      conn.destroy();
      resolve(alive);
    };
    conn.setTimeout(timeoutMs, () => done(false));
    conn.once("connect", () => done(true));
    conn.once("error", () => done(false));
  });
}

/**
 * A socket left by a crash (grpc-js unlinks only on clean shutdown) blocks the next bind with EADDRINUSE.
 * Remove it only after checking that no live process answers on it.
 */
export async function removeStaleSocket(socketPath: string, what: string): Promise<void> {
  if (!fs.existsSync(socketPath)) return;
  if (await socketAnswers(socketPath)) {
    throw new CortexError("DAEMON_ALREADY_RUNNING", `a live ${what} answers on ${socketPath}; stop it first`);
  }
  fs.rmSync(socketPath, { force: true });
}
