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
            ...(s.workers.length ? [{ key: "workers" as const, title: "WORKERS", align: "right" as const }] : []),
          ],
        );
        const fleet = s.workers.length
          ? `\n\n${table(
              s.workers.map((w) => ({
                ...w,
                running: w.running_job_ids.length ? w.running_job_ids.join(" ") : "-",
                queues: w.role === "daemon" ? "(local queues)" : w.queues.join(","),
                heartbeat: `${Math.max(0, Math.round((Date.now() - Date.parse(w.last_heartbeat)) / 1000))} s ago`,
              })),
              [
                { key: "role", title: "WORKER" },
                { key: "host", title: "HOST" },
                { key: "pid", title: "PID", align: "right" },
                { key: "queues", title: "QUEUES" },
                { key: "running", title: "RUNNING" },
                { key: "heartbeat", title: "HEARTBEAT" },
              ],
            )}`
          : "";
        const notes = s.queues.filter((q) => q.note).map((q) => `\n${q.queue}: ${q.waiting} waiting: ${q.note}`).join("");
        return `${head}\n\n${queues}${fleet}${notes}`;
      });
    });
}
