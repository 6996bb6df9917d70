import { parseByteSize } from "../config/text-values.js";
import { QUANTIZATIONS, quantizationName } from "../formats/quantization-names.js";
import type { ModelFormat } from "../grpc/generated/cortex/v1/ModelFormat.js";
import type { ModelInfo__Output } from "../grpc/generated/cortex/v1/ModelInfo.js";
import type { Quantization } from "../grpc/generated/cortex/v1/Quantization.js";
import { CliError, EXIT_USAGE } from "./client.js";
import { formatBytes, keyValues, table } from "./format.js";

/** ModelInfo as the CLI receives it (the generated output type: proto field names, defaults filled). */
export type ModelInfoView = ModelInfo__Output;

const FORMATS: Record<string, string> = { gguf: "GGUF", mlx: "MLX", safetensors: "SAFETENSORS", pytorch: "PYTORCH", gptq: "GPTQ", awq: "AWQ", bitsandbytes: "BITSANDBYTES", bnb: "BITSANDBYTES", "compressed-tensors": "COMPRESSED_TENSORS", lora: "LORA_ADAPTER", "lora-adapter": "LORA_ADAPTER" };

/** A value the CLI does not understand: a usage error (exit 64) naming it and what is accepted; nothing is sent. */
function refuse(what: string, value: string, accepted: readonly string[]): never {
  throw new CliError(`unknown ${what} "${value}"; accepted: ${accepted.join(", ")}`, EXIT_USAGE);
}

/** `gguf`, `mlx`, `lora` … (or the proto name) → MODEL_FORMAT_* */
export function formatEnum(v: string): ModelFormat {
  const f = FORMATS[v.toLowerCase()] ?? v.toUpperCase().replace(/^MODEL_FORMAT_/, "");
  if (!Object.values(FORMATS).includes(f)) refuse("format", v, Object.keys(FORMATS));
  return `MODEL_FORMAT_${f}` as ModelFormat;
}

/** Weight widths users type: `4bit`, `4-bit`, `8bit` … (ModelInfo.bits). */
const WIDTH = /^(\d+)-?bits?$/i;
const WIDTHS = [1, 2, 3, 4, 5, 6, 8, 16, 32];

/** What `--quantization` accepts: the bit widths, then every store name (lower case) and the aliases. */
function acceptedQuantizations(): string[] {
  return [...WIDTHS.map((b) => `${b}bit`), ...QUANTIZATIONS.map((n) => n.toLowerCase()), "f16", "f32", "mlx", "q4_k", "q5_k", "q3_k"];
}

/** `q4_k_m`, `f16`, `mlx` (affine), `int4` … → QUANTIZATION_*; a word outside the vocabulary is a usage error, never a default. */
export function quantEnum(v: string): Quantization {
  const name = quantizationName(v);
  if (!name || name === "UNSPECIFIED") refuse("quantization", v, acceptedQuantizations());
  return `QUANTIZATION_${name}`;
}

/**
 * `--quantization` values → the request's two any-of lists: enum names (`q4_k_m`, `f16`, `mlx`, `int4` →
 * QUANTIZATION_*, through the one vocabulary in formats/quantization-names.ts) and weight widths (`4bit` → bits 4,
 * every 4-bit model whatever its format).
 * @throws CliError (exit 64) naming a value that is neither, with the accepted ones.
 */
export function quantizationFilter(values: readonly string[] = []): { quantizations: Quantization[]; bits: number[] } {
  const quantizations: Quantization[] = [];
  const bits: number[] = [];
  for (const v of values) {
    const width = WIDTH.exec(v.trim());
    if (width) bits.push(bitsValue(width[1]!, v));
    else quantizations.push(quantEnum(v));
  }
  return { quantizations, bits };
}

/** `--bits 4` → 4; anything but a width some format has is refused. */
export function bitsValue(text: string, shown = text): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!WIDTHS.includes(n)) refuse("bit width", shown, WIDTHS.map(String));
  return n;
}

export const SORT_KEYS = ["name", "size", "last_used", "created", "parameters"];

/** `--sort` key (optionally "-" for descending), checked before sending. */
export function sortKey(v: string): string {
  if (!SORT_KEYS.includes(v.replace(/^-/, ""))) refuse("sort key", v, [...SORT_KEYS, ...SORT_KEYS.map((k) => `-${k}`)]);
  return v;
}

/** "30d", "12h", "90m", "45s" or seconds → seconds. */
export function parseDurationSeconds(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)?\s*$/i.exec(v);
  if (!m) throw new CliError(`not a duration: "${v}" (e.g. 30d, 12h, 90m)`, EXIT_USAGE);
  const mult: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  return Math.round(Number(m[1]) * mult[(m[2] ?? "s").toLowerCase()]!);
}

export function parseSize(v: string): number {
  const n = parseByteSize(v);
  if (n === undefined) throw new CliError(`not a size: "${v}" (e.g. 4GB, 500MiB)`, EXIT_USAGE);
  return n;
}

/** 8030261248 → "8.03B" */
export function formatParams(n: number): string {
  if (!n) return "-";
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}K`;
  return String(n);
}

export const shortFormat = (f: string) => f.replace(/^MODEL_FORMAT_/, "").toLowerCase().replace("lora_adapter", "lora").replace(/_/g, "-");
export const shortQuant = (m: Pick<ModelInfoView, "quantization" | "quantization_label">) => m.quantization_label || m.quantization.replace(/^QUANTIZATION_/, "").replace("UNSPECIFIED", "-");
const day = (iso: string) => (iso ? iso.slice(0, 10) : "-");

/** `cortex ls` table. */
export function modelTable(models: readonly ModelInfoView[]): string {
  return table(
    models.map((m) => ({
      id: m.id,
      name: m.name + (m.source_revision && m.root === "hf-cache" ? `@${m.hf_refs[0] ?? m.source_revision.slice(0, 8)}` : ""),
      format: shortFormat(m.format),
      quant: shortQuant(m),
      params: formatParams(m.parameter_count),
      size: formatBytes(m.size_bytes),
      memory: m.broken ? "-" : formatBytes(m.estimated_memory_bytes),
      root: m.root,
      tags: m.tags.join(","),
      used: day(m.last_used_at),
      status: m.broken ? "BROKEN" : m.lora ? (m.lora.fused ? "fused" : "adapter") : m.notes.some((n) => n.startsWith("config.json only")) ? "no weights" : m.components.length ? `${m.components.length} parts` : "",
    })),
    [
      { key: "id", title: "ID" },
      { key: "name", title: "NAME" },
      { key: "format", title: "FORMAT" },
      { key: "quant", title: "QUANT" },
      { key: "params", title: "PARAMS", align: "right" },
      { key: "size", title: "SIZE", align: "right" },
      { key: "memory", title: "MEMORY", align: "right" },
      { key: "root", title: "WHERE" },
      { key: "tags", title: "TAGS" },
      { key: "used", title: "LAST USED" },
      { key: "status", title: "STATUS" },
    ],
  );
}

/** `cortex show` */
export function modelDetails(m: ModelInfoView): string {
  const rows: [string, unknown][] = [
    ["id", m.id],
    ["name", m.name],
    ["format", `${shortFormat(m.format)} (${m.kind})`],
    ["quantization", `${shortQuant(m)}${m.quantization_detail ? ` (${m.quantization_detail})` : m.mlx_quantization ? ` (${m.mlx_quantization.mode}, ${m.mlx_quantization.bits} bits, group ${m.mlx_quantization.group_size})` : ""}`],
    ["bits", !m.bits ? "-" : m.bits_low !== m.bits_high ? `${m.bits_low}/${m.bits_high} (mixed)` : String(m.bits)],
    ["architecture", m.architecture || "-"],
    ["parameters", m.parameter_count ? `${formatParams(m.parameter_count)} (${m.parameter_count})` : "-"],
    ["context", m.context_length || "-"],
    ["vocabulary", m.vocab_size || "-"],
    ["size on disk", `${formatBytes(m.size_bytes)} (${m.size_bytes} bytes)`],
    ["memory to load", m.broken ? "-" : `${formatBytes(m.estimated_memory_bytes)} with the daemon's default context × parallel (LoadModel without options)`],
    ["where", `${m.root}: ${m.paths.join(", ")}`],
  ];
  if (m.source_repo) rows.push(["source", `${m.source_repo}${m.source_revision ? `@${m.source_revision}` : ""}${m.hf_refs.length ? ` (${m.hf_refs.join(", ")})` : ""}`]);
  if (m.lora) rows.push(["lora", `${m.lora.fused ? "fused into this model" : "adapter, not fused"}; base ${m.lora.base_model || "?"}; rank ${m.lora.rank}, scale ${m.lora.scale}${m.lora.target_modules.length ? `; ${m.lora.target_modules.join(", ")}` : ""}`]);
  rows.push(["tags", m.tags.join(", ") || "-"], ["created", m.created_at || "-"], ["last used", m.last_used_at || "never"]);
  if (m.broken) rows.push(["BROKEN", m.broken_reason]);
  for (const n of m.notes) rows.push(["note", n]);
  const parts = m.components.length
    ? `\n\n${table(
        m.components.map((c) => ({ name: c.name, class: c.class_name || "-", format: c.format === "MODEL_FORMAT_UNSPECIFIED" ? "-" : shortFormat(c.format), quant: c.format === "MODEL_FORMAT_UNSPECIFIED" ? "-" : shortQuant(c), params: c.parameter_count ? formatParams(c.parameter_count) : "-", size: formatBytes(c.size_bytes) })),
        [
          { key: "name", title: "COMPONENT" },
          { key: "class", title: "CLASS" },
          { key: "format", title: "FORMAT" },
          { key: "quant", title: "QUANT" },
          { key: "params", title: "PARAMS", align: "right" },
          { key: "size", title: "SIZE", align: "right" },
        ],
      )}`
    : "";
  const alternates = m.alternates.length
    ? `\n\n${table(
        m.alternates.map((a) => ({ path: a.path, size: formatBytes(a.size_bytes), what: a.description })),
        [
          { key: "path", title: "ALTERNATE FILE" },
          { key: "size", title: "SIZE", align: "right" },
          { key: "what", title: "WHAT" },
        ],
      )}`
    : "";
  const files = table(
    m.files.map((f) => ({ path: f.path, size: formatBytes(f.size_bytes), sha256: f.sha256 ? f.sha256.slice(0, 16) : "" })),
    [
      { key: "size", title: "SIZE", align: "right" },
      { key: "sha256", title: "SHA256" },
      { key: "path", title: "FILE" },
    ],
  );
  return `${keyValues(rows)}${parts}${alternates}\n\n${files}`;
}

/** Python huggingface_hub `_format_size`: 1000-based, one decimal ("42.2K"). */
export function hfSize(num: number): string {
  let n = num;
  for (const unit of ["", "K", "M", "G", "T", "P", "E", "Z"]) {
    if (Math.abs(n) < 1000) return `${n.toFixed(1)}${unit}`;
    n /= 1000;
  }
  return `${n.toFixed(1)}Y`;
}

/** Python huggingface_hub `_format_timesince` ("a few seconds ago", "2 weeks ago"). */
export function hfTimeSince(iso: string, now = Date.now()): string {
  if (!iso) return "-";
  const delta = (now - Date.parse(iso)) / 1000;
  if (delta < 20) return "a few seconds ago";
  const chunks: [string, number, number | null][] = [["second", 1, 60], ["minute", 60, 60], ["hour", 3600, 24], ["day", 86400, 6], ["week", 604800, 6], ["month", 2592000, 11], ["year", 31536000, null]];
  let value = 0;
  let label = "second";
  for (const [l, div, max] of chunks) {
    value = Math.round(delta / div);
    label = l;
    if (max !== null && value <= max) break;
  }
  return `${value} ${label}${value > 1 ? "s" : ""} ago`;
}
