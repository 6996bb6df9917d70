import type { GgufFileInfo, GgufInsights } from "node-llama-cpp";
import { readGgufHeader, type GgufHeader } from "../../formats/gguf/read-gguf-header.js";
import type { GgufValue } from "../../formats/gguf/gguf-values.js";
import { CortexError, errorMessage } from "../../errors/cortex-error.js";

/**
 * What a load will cost before it happens. The one estimate of cortexd: `cortex ls` (ModelInfo
 * estimated_memory_bytes, at the default load settings) and the inference pool (admission, LoadModel's
 * estimated_memory_bytes, at the request's settings) both call estimateLoad, so the same model at the same
 * settings gets the same number.
 */
export interface MemoryEstimate {
  totalBytes: number;
  /** Model weights. */
  weightsBytes: number;
  /** KV cache for every sequence at the context size, plus compute and output buffers. */
  contextBytes: number;
}

/** How a model is loaded, as far as its memory goes. */
export interface LoadSettings {
  /** Tokens per sequence. */
  contextSize: number;
  /** Sequences served at once, each with `contextSize` tokens. */
  parallel: number;
}

/**
 * A load's settings when it sets none: config `contextSize` (4096; less when the model was trained on less) ×
 * `parallel` (4). The daemon hands the configured ones to the pool and to the store at boot, so `ls` estimates the
 * context a plain LoadModel uses; these are the same defaults, for a store or pool built without a config.
 */
export const DEFAULT_LOAD_SETTINGS: LoadSettings = Object.freeze({ contextSize: 4096, parallel: 4 });

/** The default context of a model trained on `trainContext` tokens (0 = unknown): the default, or less. */
export function defaultContextSize(trainContext: number, defaults: LoadSettings): number {
  return Math.min(defaults.contextSize, trainContext > 0 ? trainContext : Infinity);
}

/** A model as the estimate sees it: a GGUF file (its header), or weights of a known size with a KV-cache shape. */
export type LoadSubject =
  | { readonly gguf: string }
  | { readonly weightsBytes: number; readonly kv?: { readonly layers: number; readonly kvHeads: number; readonly headDim: number } | undefined };

/**
 * Memory (RAM and VRAM together: the budget counts both) to load `subject` with `settings`.
 *
 * A GGUF: node-llama-cpp's GgufInsights from the header and tensor table — weights per tensor, KV cache for
 * `parallel` sequences of `contextSize` tokens, compute graph and output buffers. Only the metadata-only
 * estimators (JavaScript math on a backend-less binding), never the simulating ones that load the model
 * natively: this runs in the daemon, on models nobody validated with llama.cpp yet. Computed as if every layer sat
 * on one device, so the number does not depend on whether the runners found a GPU (unknown to `ls`).
 *
 * Weights of a known size (a SafeTensors checkpoint or MLX model, before its GGUF exists): those bytes and an f16
 * KV cache (K and V, 2 bytes each, per layer × KV head × head dim × token × sequence), each plus a tenth for
 * compute buffers and runtime overhead.
 * @throws CortexError FMT_INVALID when a GGUF's metadata cannot be read.
 */
export async function estimateLoad(subject: LoadSubject, settings: LoadSettings): Promise<MemoryEstimate> {
  if ("gguf" in subject) return estimateGguf(subject.gguf, settings);
  const kv = subject.kv ? 2 * 2 * subject.kv.layers * subject.kv.kvHeads * subject.kv.headDim * settings.contextSize * settings.parallel : 0;
  const weightsBytes = Math.round(subject.weightsBytes * 1.1);
  const contextBytes = Math.round(kv * 1.1);
  return { totalBytes: weightsBytes + contextBytes, weightsBytes, contextBytes };
}

async function estimateGguf(file: string, settings: LoadSettings): Promise<MemoryEstimate> {
  // Loaded on first use: workers that inspect models (manifests of what a job made) never need node-llama-cpp.
  const { GgufInsights } = await import("node-llama-cpp");
  const headers = await readGgufParts(file);
  let insights: GgufInsights;
  try {
    insights = await GgufInsights.from(ggufFileInfo(headers));
  } catch (err) {
    throw new CortexError("FMT_INVALID", `${file}: cannot estimate its memory from the GGUF metadata: ${errorMessage(err)}`, { cause: err });
  }
  const weights = insights.estimateModelResourceRequirements({ gpuLayers: 0, useMmap: false });
  const context = insights.estimateContextResourceRequirements({ contextSize: settings.contextSize, modelGpuLayers: 0, sequences: settings.parallel });
  // Whole bytes (the graph-overhead heuristics give fractions): a uint64 on the wire.
  const weightsBytes = Math.ceil(weights.cpuRam + weights.gpuVram);
  const contextBytes = Math.ceil(context.cpuRam + context.gpuVram);
  return { totalBytes: weightsBytes + contextBytes, weightsBytes, contextBytes };
}

/**
 * Every part's header, read by cortexd's own reader (quiet: no atime change, confined to the model roots; bounded
 * counts) rather than node-llama-cpp's, which would open the files itself. Parts follow llama.cpp's naming.
 */
async function readGgufParts(file: string): Promise<GgufHeader[]> {
  const first = await readGgufHeader(file, HEADER_LIMITS);
  const count = first.split?.count ?? 1;
  if (count <= 1) return [first];
  const m = /^(.*)-0*1-of-(\d+)\.gguf$/i.exec(file);
  if (!m) throw new CortexError("FMT_INVALID", `${file}: part 1 of a ${count}-part GGUF, but not named <name>-00001-of-${String(count).padStart(5, "0")}.gguf`);
  const parts = [first];
  for (let i = 2; i <= count; i++) parts.push(await readGgufHeader(`${m[1]}-${String(i).padStart(5, "0")}-of-${m[2]}.gguf`, HEADER_LIMITS));
  return parts;
}

const HEADER_LIMITS = { maxTensors: 200_000, maxKv: 10_000 } as const;

type Nested = { [key: string]: unknown };

/** node-llama-cpp's GgufFileInfo from our headers: dotted keys nested, 64-bit numbers as numbers, arrays as arrays. */
function ggufFileInfo(parts: readonly GgufHeader[]): GgufFileInfo {
  const first = parts[0]!;
  const metadata: Nested = {};
  for (const [key, kv] of first.kv) {
    const path = key.split(".");
    let at = metadata;
    for (const p of path.slice(0, -1)) {
      const next = at[p];
      if (typeof next !== "object" || next === null || Array.isArray(next)) at[p] = {};
      at = at[p] as Nested;
    }
    at[path[path.length - 1]!] = plain(kv.value);
  }
  const tensors = parts.flatMap((h, part) => h.tensors.map((t) => ({ name: t.name, dimensions: [...t.dims], ggmlType: t.type, offset: t.offset, fileOffset: t.absoluteOffset, filePart: part + 1 })));
  const arch = first.architecture ?? "";
  return {
    version: first.version,
    tensorCount: first.tensors.length,
    metadata,
    metadataSize: 0,
    architectureMetadata: (metadata[arch] ?? {}) as GgufFileInfo["architectureMetadata"],
    tensorInfo: tensors,
    splicedParts: parts.length,
    totalTensorCount: tensors.length,
    totalMetadataSize: 0,
    fullTensorInfo: tensors,
  } as unknown as GgufFileInfo;
}

function plain(v: GgufValue): unknown {
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "object") return Array.from(v.items as ArrayLike<unknown>, (x) => (typeof x === "object" && x !== null && "items" in x ? plain(x as GgufValue) : typeof x === "bigint" ? Number(x) : x));
  return v;
}
