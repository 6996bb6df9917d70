import path from "node:path";
import type { Command } from "commander";
import type { LoadedModel__Output } from "../../grpc/generated/cortex/v1/LoadedModel.js";
import { CliContext } from "../context.js";
import { formatBytes, formatDuration, table } from "../format.js";

type LoadedModelMsg = LoadedModel__Output;

/** UNTIL: when an idle model will be unloaded (Ollama's column), or why it won't. */
function until(m: LoadedModelMsg): string {
  if (m.pinned) return "pinned";
  if (m.state !== "ready") return m.state;
  if (m.active_requests > 0) return "in use";
  if (m.ttl_seconds < 0) return "forever";
  if (!m.expires_at) return m.ttl_seconds === 0 ? "after next request" : "-";
  return `in ${formatDuration((Date.parse(m.expires_at) - Date.now()) / 1000)}`;
}

function processor(m: LoadedModelMsg, total: number): string {
  if (!m.vram_bytes) return "CPU";
  const gpu = Math.round((100 * Number(m.vram_bytes)) / Math.max(1, total));
  return gpu >= 100 ? "100% GPU" : `${100 - gpu}%/${gpu}% CPU/GPU`;
}

/** `cortex ps`: resident models with measured vs estimated memory, expiry, load and speed. */
export function registerPs(program: Command): void {
  program
    .command("ps")
    .description("List loaded models: memory (measured / estimated), context, expiry, requests, tokens/s")
    .action(async (_opts, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const res = await ctx.client.unary("cortex.v1.InferenceService", "ListLoadedModels", {});
      ctx.print(res, () => {
        const head = `memory: ${formatBytes(Number(res.used_bytes))} of ${formatBytes(Number(res.budget_bytes))} budget (${formatBytes(Number(res.total_bytes))} ${res.unified_memory ? "unified" : res.gpu ? `RAM+VRAM, ${res.gpu}` : "RAM"})`;
        if (res.models.length === 0) return `${head}\nno models loaded`;
        const rows = res.models.map((m) => ({
          name: m.model.length > 48 ? `…${path.basename(m.model)}` : m.model,
          size: formatBytes(Number(m.memory_bytes)),
          est: formatBytes(Number(m.estimated_memory_bytes)),
          proc: processor(m, Number(m.memory_bytes)),
          ctx: `${m.context_size}×${m.parallel}`,
          reqs: `${m.active_requests}/${m.queued_requests}`,
          tps: m.tokens_per_second ? m.tokens_per_second.toFixed(1) : "-",
          until: until(m),
          pid: m.runner_pid || "",
        }));
        return `${head}\n${table(rows, [
          { key: "name", title: "NAME" },
          { key: "size", title: "SIZE", align: "right" },
          { key: "est", title: "ESTIMATE", align: "right" },
          { key: "proc", title: "PROCESSOR" },
          { key: "ctx", title: "CONTEXT" },
          { key: "reqs", title: "ACTIVE/QUEUED", align: "right" },
          { key: "tps", title: "TOKENS/S", align: "right" },
          { key: "until", title: "UNTIL" },
          { key: "pid", title: "PID", align: "right" },
        ])}`;
      });
    });
}
