import fs from "node:fs/promises";
import path from "node:path";
import { CortexError } from "../errors/cortex-error.js";
import { mlxGgufAuto } from "../convert/convert-mlx-to-gguf.js";
import { readSafetensorsHeader } from "../formats/safetensors/read-safetensors-header.js";
import { openSafetensorsCheckpoint } from "../formats/safetensors/read-safetensors-index.js";
import { configFacts } from "../store/inspect/inspect-folder.js";
import { readJsonObject } from "../store/inspect/read-json-file.js";
import type { MemoryEstimate } from "./engine/estimate-memory.js";

/** What the pool needs to know about a SafeTensors checkpoint folder before converting it (headers only). */
export interface CheckpointInfo {
  path: string;
  /** Newest of config.json and the weight files: a variant older than this is stale. */
  mtimeMs: number;
  architecture: string;
  trainContextSize: number;
  /** Weights as an F16 GGUF: matrices at 2 bytes, 1-D tensors (norms, biases) kept at F32 by the converter. */
  f16WeightsBytes: number;
  /** KV-cache shape (store's ModelFacts.kv). */
  kv?: { layers: number; kvHeads: number; headDim: number };
}

/**
 * Reads config.json and the safetensors headers (never the weights). A folder without them cannot be the
 * "original" of anything llama.cpp loads.
 * @throws CortexError REG_NOT_FOUND (no such folder), FMT_UNSUPPORTED (no config.json or no safetensors), FMT_INVALID.
 */
export async function inspectCheckpoint(dir: string): Promise<CheckpointInfo> {
  const configPath = path.join(dir, "config.json");
  const cst = await fs.stat(configPath).catch(() => undefined);
  if (!cst) throw new CortexError("FMT_UNSUPPORTED", `${dir} has no config.json: not a Hugging Face checkpoint the pool can convert`);
  const names = await fs.readdir(dir).catch(() => {
    throw new CortexError("REG_NOT_FOUND", `model folder ${dir} does not exist`);
  });
  if (!names.some((n) => n.endsWith(".safetensors"))) throw new CortexError("FMT_UNSUPPORTED", `${dir} has no .safetensors weights: only SafeTensors checkpoints are converted for inference`);
  const ckpt = await openSafetensorsCheckpoint(dir);
  let mtimeMs = cst.mtimeMs;
  for (const s of ckpt.shards) mtimeMs = Math.max(mtimeMs, (await fs.stat(s.path)).mtimeMs);
  let f16WeightsBytes = 0;
  for (const { info } of ckpt.tensors.values()) f16WeightsBytes += info.numel * (info.shape.length >= 2 ? 2 : 4);
  const facts = configFacts(await readJsonObject(configPath, cst.size));
  return { path: dir, mtimeMs, architecture: facts.architecture, trainContextSize: facts.contextLength, f16WeightsBytes, ...(facts.kv ? { kv: facts.kv } : {}) };
}

/**
 * The store's estimateLoadBytes at the pool's context and parallelism, split as the fallback policy needs it:
 * weights, and an f16 KV cache (K and V for every layer × KV head × head dim × token of every sequence), each
 * with a tenth for compute buffers and runtime overhead. Replaced by the real estimate once the GGUF exists.
 */
export function estimateCheckpoint(info: CheckpointInfo, contextSize: number, parallel: number): MemoryEstimate {
  const kv = info.kv ? 2 * 2 * info.kv.layers * info.kv.kvHeads * info.kv.headDim * contextSize * parallel : 0;
  const weightsBytes = Math.round(info.f16WeightsBytes * 1.1);
  const contextBytes = Math.round(kv * 1.1);
  return { totalBytes: weightsBytes + contextBytes, weightsBytes, contextBytes, vramBytes: 0 };
}

/** An MLX model folder: quantized (with the GGUF type its bit-exact bridge gives) or float. */
export interface MlxFolder {
  readonly quantized?: { readonly bits: number; readonly groupSize: number; readonly label: string };
}

/**
 * Whether a checkpoint folder is an MLX model (mlx-lm's rules): config.json `quantization`, else safetensors
 * metadata `{"format": "mlx"}` on its first shard. Undefined for an HF checkpoint.
 */
export async function inspectMlxFolder(dir: string): Promise<MlxFolder | undefined> {
  const quantized = await mlxGgufAuto(dir);
  if (quantized) return { quantized };
  const first = (await fs.readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith(".safetensors")).sort()[0];
  if (!first) return undefined;
  const h = await readSafetensorsHeader(path.join(dir, first));
  return h.metadata?.["format"] === "mlx" ? {} : undefined;
}
