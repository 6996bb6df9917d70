import type { Command } from "commander";
import { CliContext } from "../context.js";
import { formatBytes, formatDuration, keyValues, table } from "../format.js";

export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("Show the daemon's version, uptime, Redis, queues and memory budget")
    .action(async (_opts, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const s = await ctx.client.unary("cortex.v1.ModelService", "GetStatus", {}, 10_000);
      ctx.print(s, () => {
        const redis = s.redis ?? { mode: "", healthy: false, address: "", version: "", restarts: 0 };
        const memory = s.memory ?? { budget_bytes: 0, total_bytes: 0, unified: false, reserve_bytes: 0, used_bytes: 0 };
        const platform = s.platform ?? { os: "", arch: "", cpu_cores: 0, node_version: "" };
        const head = keyValues([
          ["cortexd", `${s.version} (pid ${s.pid}, up ${formatDuration(s.uptime_seconds)})`],
          ["home", s.home],
          ["listening", s.listeners.join(", ")],
          ["redis", `${redis.mode} ${redis.healthy ? "healthy" : "UNHEALTHY"} ${redis.version ? `v${redis.version} ` : ""}at ${redis.address}${redis.restarts ? ` (${redis.restarts} restarts)` : ""}`],
          ["memory", `budget ${formatBytes(memory.budget_bytes)} of ${formatBytes(memory.total_bytes)}${memory.unified ? " unified" : ""} (reserve ${formatBytes(memory.reserve_bytes)}), in use ${formatBytes(memory.used_bytes)}`],
          ["platform", `${platform.os} ${platform.arch}, ${platform.cpu_cores} cores, node ${platform.node_version}`],
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
