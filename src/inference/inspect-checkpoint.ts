import fs from "node:fs/promises";
import path from "node:path";
import { CortexError } from "../errors/cortex-error.js";
import { mlxGgufAuto } from "../convert/convert-mlx-to-gguf.js";
import { readSafetensorsHeader } from "../formats/safetensors/read-safetensors-header.js";
import { openSafetensorsCheckpoint } from "../formats/safetensors/read-safetensors-index.js";
import { configFacts } from "../store/inspect/inspect-folder.js";
import { readJsonObject } from "../store/inspect/read-json-file.js";
import { servedWeightsBytes as servedBytes } from "../store/inspect/served-weights.js";

/** What the pool needs to know about a SafeTensors checkpoint folder before converting it (headers only). */
export interface CheckpointInfo {
  path: string;
  /** Newest of config.json and the weight files: a variant older than this is stale. */
  mtimeMs: number;
  architecture: string;
  trainContextSize: number;
  /** The weights it is served with (the store's servedWeightsBytes: its F16 GGUF, or an MLX-quantized model's packed bytes). */
  servedWeightsBytes: number;
  /** KV-cache shape (store's ModelFacts.kv). */
  kv?: { layers: number; kvHeads: number; headDim: number };
}

/**
 * Reads config.json and the safetensors headers (never the weights). A folder without them cannot be the
 * "original" of anything llama.cpp loads.
 * @throws CortexError REG_NOT_FOUND (no such folder), FMT_UNSUPPORTED (no config.json or no safetensors), FMT_INVALID.
 */
export async function inspectCheckpoint(dir: string, mlx: MlxFolder | undefined): Promise<CheckpointInfo> {
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
  const tensors = [...ckpt.tensors.values()].map((t) => t.info);
  const dataBytes = tensors.reduce((s, t) => s + t.byteSize, 0);
  const servedWeightsBytes = servedBytes(tensors, mlx?.quantized ? { dataBytes } : undefined);
  const facts = configFacts(await readJsonObject(configPath, cst.size));
  return { path: dir, mtimeMs, architecture: facts.architecture, trainContextSize: facts.contextLength, servedWeightsBytes, ...(facts.kv ? { kv: facts.kv } : {}) };
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
