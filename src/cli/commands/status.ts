import type { Command } from "commander";
import { CliContext } from "../context.js";
import { formatBytes, formatDuration, keyValues, table } from "../format.js";

interface Status {
  version: string;
  uptime_seconds: number;
  home: string;
  pid: number;
  redis: { mode: string; healthy: boolean; address: string; version: string; restarts: number };
  queues: { queue: string; waiting: number; active: number; completed: number; failed: number; delayed: number; paused: boolean }[];
  memory: { total_bytes: number; reserve_bytes: number; budget_bytes: number; used_bytes: number; unified: boolean };
  platform: { os: string; arch: string; node_version: string; cpu_cores: number; apple_silicon: boolean };
  listeners: string[];
}

export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("Show the daemon's version, uptime, Redis, queues and memory budget")
    .action(async (_opts, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const s = await ctx.client.unary<Status>("cortex.v1.ModelService", "GetStatus", {}, 10_000);
      ctx.print(s, () => {
        const head = keyValues([
          ["cortexd", `${s.version} (pid ${s.pid}, up ${formatDuration(s.uptime_seconds)})`],
          ["home", s.home],
          ["listening", s.listeners.join(", ")],
          ["redis", `${s.redis.mode} ${s.redis.healthy ? "healthy" : "UNHEALTHY"} ${s.redis.version ? `v${s.redis.version} ` : ""}at ${s.redis.address}${s.redis.restarts ? ` (${s.redis.restarts} restarts)` : ""}`],
          ["memory", `budget ${formatBytes(s.memory.budget_bytes)} of ${formatBytes(s.memory.total_bytes)}${s.memory.unified ? " unified" : ""} (reserve ${formatBytes(s.memory.reserve_bytes)}), in use ${formatBytes(s.memory.used_bytes)}`],
          ["platform", `${s.platform.os} ${s.platform.arch}, ${s.platform.cpu_cores} cores, node ${s.platform.node_version}`],
        ]);
        const queues = table(
          s.queues.map((q) => ({ ...q, paused: q.paused ? "yes" : "" })),
          [
            { key: "queue", title: "QUEUE" },
            { key: "waiting", title: "WAITING", align: "right" },
            { key: "active", title: "ACTIVE", align: "right" },
            { key: "delayed", title: "DELAYED", align: "right" },
            { key: "completed", title: "DONE", align: "right" },
            { key: "failed", title: "FAILED", align: "right" },
            { key: "paused", title: "PAUSED" },
          ],
        );
        return `${head}\n\n${queues}`;
      });
    });
}
