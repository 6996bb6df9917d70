import type { Command } from "commander";
import type { CleanCandidate__Output } from "../../grpc/generated/cortex/v1/CleanCandidate.js";
import type { CleanRequest } from "../../grpc/generated/cortex/v1/CleanRequest.js";
import type { CleanResponse__Output } from "../../grpc/generated/cortex/v1/CleanResponse.js";
import { CliContext } from "../context.js";
import { formatBytes, table } from "../format.js";
import { bitsValue, formatEnum, parseDurationSeconds, parseSize, quantizationFilter, shortFormat, shortQuant } from "../model-format.js";

const MS = "cortex.v1.ModelService";

type CleanResponse = CleanResponse__Output;
type Candidate = CleanCandidate__Output;

interface CleanOpts {
  tags?: string[];
  quantization?: string[];
  bits?: string[];
  format?: string[];
  olderThan?: string;
  largerThan?: string;
  hfCache?: boolean;
  modelDirs?: boolean;
}

/** Every filter value is checked here, before anything is sent (the daemon checks again). */
function request(o: CleanOpts): CleanRequest {
  const q = quantizationFilter(o.quantization);
  return {
    tags: o.tags ?? [],
    quantizations: q.quantizations,
    bits: [...q.bits, ...(o.bits ?? []).map((b) => bitsValue(b))],
    formats: (o.format ?? []).map(formatEnum),
    older_than_seconds: o.olderThan ? parseDurationSeconds(o.olderThan) : 0,
    larger_than_bytes: o.largerThan ? parseSize(o.largerThan) : 0,
    include_hf_cache: Boolean(o.hfCache),
    include_model_dirs: Boolean(o.modelDirs),
  };
}

function render(r: CleanResponse): string {
  const rows = (cs: readonly Candidate[]) =>
    table(
      cs.map((c) => ({ id: c.model?.id ?? "", name: c.model?.name ?? "", format: shortFormat(c.model?.format ?? ""), quant: c.model ? shortQuant(c.model) : "", size: formatBytes(c.reclaimable_bytes), where: c.model?.root ?? "", why: c.reason })),
      [
        { key: "id", title: "ID" },
        { key: "name", title: "NAME" },
        { key: "format", title: "FORMAT" },
        { key: "quant", title: "QUANT" },
        { key: "size", title: "RECLAIMABLE", align: "right" },
        { key: "where", title: "WHERE" },
        { key: "why", title: "WHY" },
      ],
    );
  const out: string[] = [];
  out.push(r.candidates.length ? rows(r.candidates) : "nothing matches");
  if (r.skipped.length) out.push("", "in use, not deleted:", rows(r.skipped));
  out.push("", r.applied ? `deleted ${r.candidates.length - r.failed.length} model(s), ${formatBytes(r.freed_bytes)} freed` : `${r.candidates.length} model(s), ${formatBytes(r.reclaimable_bytes)} reclaimable — nothing deleted; \`cortex clean apply\` with the same filters deletes exactly these`);
  for (const f of r.failed) out.push(`failed: ${f}`);
  return out.join("\n");
}

function withFilters(cmd: Command): Command {
  return cmd
    .option("--tags <tag...>", "models carrying any of these tags")
    .option("--quantization <quant...>", "q4_k_m, f16, mlx, gptq, … or a bit width: 4bit, 8bit (every format)")
    .option("--bits <n...>", "weight bit width, whatever the format: 4 selects GGUF Q4_*, MLX 4-bit, GPTQ/AWQ 4-bit, bitsandbytes INT4")
    .option("--format <format...>", "gguf, mlx, safetensors, …")
    .option("--older-than <duration>", "last used (or created, never used) longer ago than this: 30d, 12h, 90m")
    .option("--larger-than <size>", "larger on disk than this: 4GB, 500MiB")
    .option("--hf-cache", "include models in the shared HF cache")
    .option("--model-dirs", "include models in the extra model folders");
}

/** `cortex clean [preview]` lists what would go; `cortex clean apply` deletes exactly that. */
export function registerClean(program: Command): void {
  const clean = program.command("clean").description("Free disk space: `clean preview` (the default; deletes nothing) or `clean apply`");
  withFilters(clean.command("preview", { isDefault: true }).description("List the models a cleanup would delete and the bytes it would free")).action(async (opts: CleanOpts, cmd: Command) => preview(cmd, opts));
  withFilters(clean.command("apply").description("Delete what `cortex clean preview` lists with the same filters, and report bytes freed")).action(async (opts: CleanOpts, cmd: Command) => {
    const ctx = CliContext.from(cmd);
    const req = request(opts);
    // Preview first and apply with its token: the daemon deletes nothing if the selection changed in between.
    const plan = await ctx.client.unary(MS, "PreviewClean", req, 120_000);
    const r = await ctx.client.unary(MS, "ApplyClean", { ...req, expect_plan_token: plan.plan_token }, 3_600_000);
    ctx.print(r, () => render(r));
  });
}

async function preview(cmd: Command, opts: CleanOpts): Promise<void> {
  const ctx = CliContext.from(cmd);
  const r = await ctx.client.unary(MS, "PreviewClean", request(opts), 120_000);
  ctx.print(r, () => render(r));
}
