import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CLI_MAIN, ROOT, startDaemon, type RunningDaemon } from "../test/helpers/daemon.js";
import type { Benchmark } from "./harness.js";

/**
 * CPU time (user + system) of one command and everything it started, as bash's `times` reports for its children:
 * the cost a client pays per call, which wall time on a shared machine hides.
 */
export function cpuMsOf(argv: string[], env: NodeJS.ProcessEnv = process.env): number {
  const quoted = argv.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const r = spawnSync("bash", ["-c", `${quoted} >/dev/null 2>&1 || echo "exit $?" >&2; times`], { encoding: "utf8", env, cwd: ROOT });
  if (r.stderr.includes("exit ")) throw new Error(`${argv.join(" ")} failed: ${r.stderr}`);
  // times: the shell's own user/system, then its children's ("0m0.240s 0m0.080s").
  const children = r.stdout.trim().split("\n").at(-1)!;
  const secs = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return (secs[0]! + secs[1]!) * 1000;
}

const REFERENCE = [process.execPath, "-e", "require('@grpc/grpc-js')"];

function cliBenchmark(name: string, command: string[]): Benchmark {
  return {
    name,
    description: `CPU time of \`cortex ${command.join(" ")}\` against a running cortexd vs a bare require('@grpc/grpc-js') (node start included in both; goal ≤ 1.75×)`,
    async setup() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cxb-"));
      const d: RunningDaemon = await startDaemon(path.join(dir, "h"), { env: { CORTEX_LOG_LEVEL: "warn" } });
      return {
        cortexd: { label: `cortex ${command.join(" ")} (CPU ms)`, run: async () => cpuMsOf([process.execPath, CLI_MAIN, "--home", d.home, ...command]) },
        reference: { label: "node -e \"require('@grpc/grpc-js')\" (CPU ms)", run: async () => cpuMsOf(REFERENCE) },
        rounds: 21,
        warmup: 2,
        async teardown() {
          await d.stop();
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

/** What a thin client costs to start: `cortex status` and `cortex ls`, each paired with the bare grpc-js load in every round. */
export const cliStartup = cliBenchmark("cli-startup", ["status"]);
export const cliStartupLs = cliBenchmark("cli-startup-ls", ["ls"]);
