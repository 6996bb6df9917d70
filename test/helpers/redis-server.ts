import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { socketAnswers } from "../../src/platform/unix-socket.js";

/** A private redis-server on a temp unix socket (never a fixed port), stopped after the test. */
export async function startTestRedis(dir: string): Promise<{ socket: string; proc: ChildProcess; stop: () => Promise<void> }> {
  fs.mkdirSync(dir, { recursive: true });
  const socket = path.join(dir, "r.sock");
  const proc = spawn("redis-server", ["--port", "0", "--unixsocket", socket, "--unixsocketperm", "700", "--dir", dir, "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  for (let i = 0; i < 200 && !(await socketAnswers(socket)); i++) await sleep(25);
  return {
    socket,
    proc,
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await exited;
    },
  };
}
