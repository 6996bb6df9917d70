import path from "node:path";
import { CortexError } from "../../errors/cortex-error.js";
import { readGgufHeader, type GgufHeader } from "../../formats/gguf/read-gguf-header.js";
import type { GgufKv } from "../../formats/gguf/gguf-values.js";
import type { LoraFacts, ModelCandidate, ModelFacts } from "../model-types.js";
import { ggufQuantization } from "./quantization.js";
import { readFineTunedMarker } from "./read-marker.js";

/** Header limits for listing: generous for real models, small enough that absurd counts fail before allocating. */
const LIMITS = { maxTensors: 200_000, maxKv: 10_000 } as const;

function scalar(kv: ReadonlyMap<string, GgufKv>, key: string): number | undefined {
  const e = kv.get(key);
  if (!e) return undefined;
  const v = e.value;
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  // Per-layer arrays (e.g. head_count_kv of hybrid models): the largest entry bounds the KV cache.
  if (typeof v === "object" && "items" in v && ArrayBuffer.isView(v.items)) {
    let max: number | undefined;
    for (const x of v.items as unknown as Iterable<number | bigint>) max = Math.max(max ?? 0, Number(x));
    return max;
  }
  return undefined;
}

function text(kv: ReadonlyMap<string, GgufKv>, key: string): string | undefined {
  const v = kv.get(key)?.value;
  return typeof v === "string" ? v : undefined;
}

function arrayLength(kv: ReadonlyMap<string, GgufKv>, key: string): number | undefined {
  const v = kv.get(key)?.value;
  return typeof v === "object" && v !== null && "items" in v ? v.items.length : undefined;
}

/**
 * Facts of a GGUF model (every split part's header read; no tensor data): architecture, file type, parameters
 * summed over all parts, context length, vocabulary, KV shape. Split parts must agree on split.count and number
 * themselves 0…N−1 in order.
 * @throws CortexError FMT_INVALID naming the file (truncation, absurd counts, offsets …) or the missing parts.
 */
export async function inspectGguf(c: ModelCandidate): Promise<ModelFacts> {
  if (c.missingParts?.length) throw new CortexError("FMT_INVALID", `${c.primaryPath}: split GGUF is missing part(s) ${c.missingParts.join(", ")}`);
  const headers: GgufHeader[] = [];
  for (const p of c.paths) headers.push(await readGgufHeader(p, LIMITS));
  const first = headers[0]!;
  if (headers.length > 1) {
    headers.forEach((h, i) => {
      if (!h.split) throw new CortexError("FMT_INVALID", `${h.file}: part ${i + 1} of a split GGUF has no split.no/split.count keys`);
      if (h.split.count !== headers.length || h.split.no !== i) {
        throw new CortexError("FMT_INVALID", `${h.file}: split.no ${h.split.no} / split.count ${h.split.count} disagree with part ${i + 1} of ${headers.length}`);
      }
    });
  }
  const kv = first.kv;
  const arch = first.architecture ?? "";
  let params = 0;
  let bytes = 0;
  const byType = new Map<string, number>();
  for (const h of headers) {
    for (const t of h.tensors) {
      params += t.numel;
      bytes += t.byteSize;
      if (t.dims.length >= 2) byType.set(t.typeName, (byType.get(t.typeName) ?? 0) + t.byteSize);
    }
  }
  const dominant = [...byType].sort((a, b) => b[1] - a[1])[0]?.[0];
  const q = ggufQuantization(scalar(kv, "general.file_type"), dominant);
  const layers = scalar(kv, `${arch}.block_count`) ?? 0;
  const heads = scalar(kv, `${arch}.attention.head_count`) ?? 0;
  const embd = scalar(kv, `${arch}.embedding_length`) ?? 0;
  const kvHeads = scalar(kv, `${arch}.attention.head_count_kv`) ?? heads;
  const headDim = scalar(kv, `${arch}.attention.key_length`) ?? (heads ? embd / heads : 0);
  const marker = c.fineTunedMarker ? await readFineTunedMarker(c.fineTunedMarker) : undefined;
  const lora: LoraFacts | undefined =
    text(kv, "general.type") === "adapter"
      ? ggufLora(kv, first)
      : marker
        ? { baseModel: marker.baseModel, fused: true, rank: marker.rank, scale: marker.scale, targetModules: marker.targetModules, ...(marker.adapter ? { adapter: marker.adapter } : {}) }
        : undefined;
  return {
    format: "GGUF",
    quantization: q.quantization,
    quantizationLabel: q.label,
    ...(q.width ? { bits: q.width } : {}),
    architecture: arch,
    parameterCount: params,
    contextLength: scalar(kv, `${arch}.context_length`) ?? 0,
    vocabSize: scalar(kv, `${arch}.vocab_size`) ?? arrayLength(kv, "tokenizer.ggml.tokens") ?? 0,
    weightsBytes: bytes,
    ...(layers && kvHeads && headDim ? { kv: { layers, kvHeads, headDim } } : {}),
    ...(lora ? { lora } : {}),
  };
}

/** A GGUF LoRA adapter (convert_lora_to_gguf): alpha, rank from the lora_a shapes, base model when recorded. */
function ggufLora(kv: ReadonlyMap<string, GgufKv>, h: GgufHeader): LoraFacts {
  const loraA = h.tensors.filter((t) => t.name.endsWith(".lora_a"));
  const rank = loraA[0]?.dims[1] ?? 0;
  const alpha = scalar(kv, "adapter.lora.alpha") ?? 0;
  const targets = [...new Set(loraA.map((t) => t.name.replace(/^blk\.\d+\./, "").replace(/\.weight\.lora_a$|\.lora_a$/, "")))].sort();
  const base = text(kv, "general.base_model.0.repo_url") ?? text(kv, "general.base_model.0.name") ?? "";
  return { baseModel: base, fused: false, rank, scale: rank ? alpha / rank : 0, targetModules: targets };
}

/** Format guess for a GGUF that could not be parsed. */
export function ggufBrokenFacts(c: ModelCandidate, reason: string): ModelFacts {
  const weightsBytes = c.files.reduce((s, f) => s + f.size, 0);
  return { format: "GGUF", quantization: "UNSPECIFIED", quantizationLabel: "", architecture: "", parameterCount: 0, contextLength: 0, vocabSize: 0, weightsBytes, brokenReason: reason || `${path.basename(c.primaryPath)}: unreadable` };
}
