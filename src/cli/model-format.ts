import { parseByteSize } from "../config/schema.js";
import { enumMembers } from "../grpc/strict-enum.js";
import { CliError } from "./client.js";
import { formatBytes, keyValues, table } from "./format.js";

/** ModelInfo as the CLI receives it (proto field names). */
export interface ModelInfoView {
  id: string;
  name: string;
  paths: string[];
  format: string;
  quantization: string;
  quantization_label: string;
  mlx_quantization: { bits: number; group_size: number; mode: string } | null;
  architecture: string;
  parameter_count: number;
  context_length: number;
  vocab_size: number;
  size_bytes: number;
  estimated_memory_bytes: number;
  source_repo: string;
  source_revision: string;
  tags: string[];
  last_used_at: string;
  created_at: string;
  root: string;
  broken: boolean;
  broken_reason: string;
  lora: { base_model: string; fused: boolean; rank: number; scale: number; target_modules: string[] } | null;
  files: { path: string; size_bytes: number; sha256: string }[];
  hf_refs: string[];
  kind: string;
  bits: number;
  bits_low: number;
  bits_high: number;
}

const FORMATS: Record<string, string> = { gguf: "GGUF", mlx: "MLX", safetensors: "SAFETENSORS", pytorch: "PYTORCH", gptq: "GPTQ", awq: "AWQ", bitsandbytes: "BITSANDBYTES", bnb: "BITSANDBYTES", "compressed-tensors": "COMPRESSED_TENSORS", lora: "LORA_ADAPTER", "lora-adapter": "LORA_ADAPTER" };

/** A value the CLI does not understand: a usage error (exit 64) naming it and what is accepted; nothing is sent. */
function refuse(what: string, value: string, accepted: readonly string[]): never {
  throw new CliError(`unknown ${what} "${value}"; accepted: ${accepted.join(", ")}`, 64);
}

/** `gguf`, `mlx`, `lora` … (or the proto name) → MODEL_FORMAT_* */
export function formatEnum(v: string): string {
  const f = FORMATS[v.toLowerCase()] ?? v.toUpperCase().replace(/^MODEL_FORMAT_/, "");
  if (!enumMembers("cortex.v1.ModelFormat").includes(`MODEL_FORMAT_${f}`)) refuse("format", v, Object.keys(FORMATS));
  return `MODEL_FORMAT_${f}`;
}

const QUANT_ALIASES: Record<string, string> = { F16: "FP16", F32: "FP32", MLX: "MLX_AFFINE", Q4_K: "Q4_K_M", Q5_K: "Q5_K_M", Q3_K: "Q3_K_M" };
/** Weight widths users type: `4bit`, `4-bit`, `8bit` … (ModelInfo.bits). */
const WIDTH = /^(\d+)-?bits?$/i;
const WIDTHS = [1, 2, 3, 4, 5, 6, 8, 16, 32];

/** What `--quantization` accepts: every enum member (lower case), the aliases, and the bit widths. */
function acceptedQuantizations(): string[] {
  const names = enumMembers("cortex.v1.Quantization").map((n) => n.replace(/^QUANTIZATION_/, "").toLowerCase());
  return [...WIDTHS.map((b) => `${b}bit`), ...names, ...Object.keys(QUANT_ALIASES).map((a) => a.toLowerCase())];
}

/**
 * `--quantization` values → the request's two any-of lists: enum names (`q4_k_m`, `f16`, `mlx`, `int4` →
 * QUANTIZATION_*) and weight widths (`4bit` → bits 4, every 4-bit model whatever its format).
 * @throws CliError (exit 64) naming a value that is neither, with the accepted ones.
 */
export function quantizationFilter(values: readonly string[] = []): { quantizations: string[]; bits: number[] } {
  const quantizations: string[] = [];
  const bits: number[] = [];
  const members = enumMembers("cortex.v1.Quantization");
  for (const v of values) {
    const width = WIDTH.exec(v.trim());
    if (width) {
      bits.push(bitsValue(width[1]!, v));
      continue;
    }
    const up = v.trim().toUpperCase().replace(/^QUANTIZATION_/, "");
    const name = `QUANTIZATION_${QUANT_ALIASES[up] ?? up}`;
    if (!members.includes(name)) refuse("quantization", v, acceptedQuantizations());
    quantizations.push(name);
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
  if (!m) throw new CliError(`not a duration: "${v}" (e.g. 30d, 12h, 90m)`, 64);
  const mult: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  return Math.round(Number(m[1]) * mult[(m[2] ?? "s").toLowerCase()]!);
}

export function parseSize(v: string): number {
  const n = parseByteSize(v);
  if (n === undefined) throw new CliError(`not a size: "${v}" (e.g. 4GB, 500MiB)`, 64);
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
      status: m.broken ? "BROKEN" : m.lora ? (m.lora.fused ? "fused" : "adapter") : "",
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
    ["quantization", `${shortQuant(m)}${m.mlx_quantization ? ` (${m.mlx_quantization.mode}, ${m.mlx_quantization.bits} bits, group ${m.mlx_quantization.group_size})` : ""}`],
    ["bits", !m.bits ? "-" : m.bits_low !== m.bits_high ? `${m.bits_low}/${m.bits_high} (mixed)` : String(m.bits)],
    ["architecture", m.architecture || "-"],
    ["parameters", m.parameter_count ? `${formatParams(m.parameter_count)} (${m.parameter_count})` : "-"],
    ["context", m.context_length || "-"],
    ["vocabulary", m.vocab_size || "-"],
    ["size on disk", `${formatBytes(m.size_bytes)} (${m.size_bytes} bytes)`],
    ["memory to load", m.broken ? "-" : `${formatBytes(m.estimated_memory_bytes)} at the default context`],
    ["where", `${m.root}: ${m.paths.join(", ")}`],
  ];
  if (m.source_repo) rows.push(["source", `${m.source_repo}${m.source_revision ? `@${m.source_revision}` : ""}${m.hf_refs.length ? ` (${m.hf_refs.join(", ")})` : ""}`]);
  if (m.lora) rows.push(["lora", `${m.lora.fused ? "fused into this model" : "adapter, not fused"}; base ${m.lora.base_model || "?"}; rank ${m.lora.rank}, scale ${m.lora.scale}${m.lora.target_modules.length ? `; ${m.lora.target_modules.join(", ")}` : ""}`]);
  rows.push(["tags", m.tags.join(", ") || "-"], ["created", m.created_at || "-"], ["last used", m.last_used_at || "never"]);
  if (m.broken) rows.push(["BROKEN", m.broken_reason]);
  const files = table(
    m.files.map((f) => ({ path: f.path, size: formatBytes(f.size_bytes), sha256: f.sha256 ? f.sha256.slice(0, 16) : "" })),
    [
      { key: "size", title: "SIZE", align: "right" },
      { key: "sha256", title: "SHA256" },
      { key: "path", title: "FILE" },
    ],
  );
  return `${keyValues(rows)}\n\n${files}`;
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
