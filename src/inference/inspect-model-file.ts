import fs from "node:fs/promises";
import { CortexError } from "../errors/cortex-error.js";
import { readGgufHeader, type GgufHeader } from "../formats/gguf/read-gguf-header.js";
import type { GgufKv } from "../formats/gguf/gguf-values.js";

/** What the pool needs to know about a model file before loading it. */
export interface ModelFileInfo {
  path: string;
  sizeBytes: number;
  mtimeMs: number;
  architecture: string;
  /** `<arch>.context_length`: the context the model was trained with. */
  trainContextSize: number;
  blockCount: number;
  /** Dominant weight type, e.g. "Q8_0", "F16" (by bytes). */
  weightType: string;
}

/** Keys llama.cpp needs for every architecture: without them it fails, or (feed_forward_length, head_count) aborts. */
const REQUIRED_ARCH_KEYS = ["context_length", "embedding_length", "block_count"] as const;
const REQUIRED_LLAMA_KEYS = ["feed_forward_length", "attention.head_count"] as const;

/**
 * Validates a GGUF before any runner sees it: the whole header (magic, version, KV, tensor infos, offsets within
 * the file — formats/gguf), one model rather than a vocabulary-only file, the first shard of a split model, and
 * the hyperparameters llama.cpp cannot load without. What only llama.cpp can judge (values it asserts on) is left
 * to the runner process, where an abort costs only that runner.
 */
export async function inspectModelFile(file: string): Promise<ModelFileInfo> {
  let stat;
  try {
    stat = await fs.stat(file);
  } catch {
    throw new CortexError("REG_NOT_FOUND", `model file ${file} does not exist`);
  }
  if (!stat.isFile()) throw new CortexError("REG_NOT_FOUND", `${file} is not a file`);
  const header = await readGgufHeader(file);
  const arch = header.architecture;
  if (!arch) throw new CortexError("FMT_INVALID", `${file}: general.architecture is missing`);
  if (header.split && header.split.no !== 0) {
    throw new CortexError("FMT_UNSUPPORTED", `${file}: shard ${header.split.no + 1} of ${header.split.count}; load the first shard (…-00001-of-…)`);
  }
  if (header.tensors.length === 0) throw new CortexError("FMT_INVALID", `${file}: has no tensors (a vocabulary-only GGUF cannot be loaded as a model)`);
  for (const key of REQUIRED_ARCH_KEYS) requirePositive(header, `${arch}.${key}`);
  if (arch === "llama") for (const key of REQUIRED_LLAMA_KEYS) requirePositive(header, `${arch}.${key}`);
  if (!header.kv.has("tokenizer.ggml.model")) throw new CortexError("FMT_INVALID", `${file}: tokenizer.ggml.model is missing (no vocabulary)`);
  return {
    path: file,
    sizeBytes: stat.size,
    mtimeMs: stat.mtimeMs,
    architecture: arch,
    trainContextSize: numberOf(header.kv.get(`${arch}.context_length`)) ?? 0,
    blockCount: numberOf(header.kv.get(`${arch}.block_count`)) ?? 0,
    weightType: dominantType(header),
  };
}

function requirePositive(header: GgufHeader, key: string): void {
  const v = numberOf(header.kv.get(key));
  if (v === undefined) throw new CortexError("FMT_INVALID", `${header.file}: ${key} is missing (llama.cpp cannot load the model without it)`);
  if (!(v > 0)) throw new CortexError("FMT_INVALID", `${header.file}: ${key} is ${v}, must be positive`);
}

function numberOf(kv: GgufKv | undefined): number | undefined {
  if (!kv) return undefined;
  if (typeof kv.value === "number") return kv.value;
  if (typeof kv.value === "bigint") return Number(kv.value);
  return undefined;
}

function dominantType(header: GgufHeader): string {
  const bytes = new Map<string, number>();
  for (const t of header.tensors) if (t.dims.length >= 2) bytes.set(t.typeName, (bytes.get(t.typeName) ?? 0) + t.byteSize);
  let best = "";
  let max = -1;
  for (const [name, b] of bytes) if (b > max) [best, max] = [name, b];
  return best;
}
