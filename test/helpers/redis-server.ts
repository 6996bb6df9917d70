import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { socketAnswers } from "../../src/platform/unix-socket.js";

/**
 * The one way tests launch redis-server: a unix socket in a temp dir (never a fixed port), answering before this
 * resolves. `appendonly` keeps the data across a restart on the same dir and socket (fault tests).
 */
export async function launchRedis(dir: string, socket: string, opts: { appendonly?: boolean } = {}): Promise<ChildProcess> {
  fs.mkdirSync(dir, { recursive: true });
  const persistence = opts.appendonly ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
  const proc = spawn("redis-server", ["--port", "0", "--unixsocket", socket, "--unixsocketperm", "700", "--dir", dir, "--save", "", ...persistence], { stdio: "ignore" });
  for (let i = 0; i < 200 && !(await socketAnswers(socket)); i++) await sleep(25);
  return proc;
}

/** Stops a launched redis-server with `signal` and waits for it to exit. */
export async function stopRedis(proc: ChildProcess | undefined, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once("exit", r));
  proc.kill(signal);
  await exited;
}

/** A private redis-server on a temp unix socket, stopped by `stop()`. */
export async function startTestRedis(dir: string): Promise<{ socket: string; proc: ChildProcess; stop: () => Promise<void> }> {
  const socket = path.join(dir, "r.sock");
  const proc = await launchRedis(dir, socket);
  return { socket, proc, stop: () => stopRedis(proc) };
}
