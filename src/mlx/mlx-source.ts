/**
 * The input side of MLX conversion and fusion: a checkpoint folder (HF safetensors, or MLX float/quantized)
 * read as mlx-lm's loader sees it — config.json, `sanitize` applied (rotary `inv_freq` dropped, `lm_head`
 * dropped when embeddings are tied), and each module weight as one logical parameter even when the folder
 * stores it quantized (`.weight` U32 + `.scales` + `.biases`). Only headers are read here; values are read
 * one parameter at a time by {@link readParamFloat32}.
 */
import { readTextQuietly } from "../formats/quiet-read.js";
import path from "node:path";
import { CortexError } from "../errors/cortex-error.js";
import { openSafetensorsCheckpoint, type CheckpointTensor, type SafetensorsCheckpoint } from "../formats/safetensors/read-safetensors-index.js";
import { readTensorBytes, tensorBytesToFloat32 } from "../formats/safetensors/read-tensor-data.js";
import type { SafetensorsDtype } from "../formats/safetensors/safetensors-dtypes.js";
import { affineDequantize } from "./affine-quantize.js";
import type { ModelDtype } from "./float-convert.js";
import { detectMlxCheckpoint, quantizationForModule, type MlxDetection } from "./mlx-config.js";
import type { QuantParams } from "./quantize-rules.js";

/** model_types whose MLX module paths equal the HF tensor names (mlx-lm's llama-style `sanitize`). */
export const MLX_SUPPORTED_MODEL_TYPES = ["llama", "mistral", "qwen2", "qwen3"] as const;

const FLOAT_DTYPES: Record<string, ModelDtype> = { F16: "float16", BF16: "bfloat16", F32: "float32" };

/** One parameter as mlx-lm's model holds it (a quantized module's weight counts once, at its float shape). */
export interface SourceParam {
  /** `<module path>.<leaf>`, e.g. `model.layers.0.mlp.down_proj.weight`. */
  name: string;
  /** Logical shape (a quantized weight's unpacked `[…, out, in]`). */
  shape: number[];
  numel: number;
  /** Stored dtype; for a quantized weight, the dtype of its scales (the model dtype). */
  dtype: SafetensorsDtype;
  /** The model dtype this parameter is in, when floating. */
  floatDtype?: ModelDtype;
  /** Set when the source stores this weight affine-quantized. */
  quant?: QuantParams;
  /** Bytes the parameter occupies in the source (weight + scales + biases when quantized). */
  sourceBytes: number;
}

export interface MlxSourceModel {
  dir: string;
  config: Record<string, unknown>;
  generationConfig?: Record<string, unknown>;
  checkpoint: SafetensorsCheckpoint;
  detection: MlxDetection;
  params: SourceParam[];
  /** Sum of the source bytes of `params`. */
  totalBytes: number;
  /** The dtype mlx-lm would cast to when none is asked for (config `torch_dtype`), if it is one of the three. */
  configDtype?: ModelDtype;
}

async function readJson(file: string, required: boolean): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readTextQuietly(file);
  } catch (err) {
    if ((err as { name?: string }).name === "CortexError") throw err;
    if (!required && (err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CortexError("FMT_INVALID", `${file}: cannot read (${(err as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CortexError("FMT_INVALID", `${file}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new CortexError("FMT_INVALID", `${file}: expected a JSON object`);
  return parsed as Record<string, unknown>;
}

/**
 * Open a checkpoint folder for conversion: config, shard headers (all validated), detection, parameters.
 * @throws CortexError FMT_INVALID (missing/corrupt config or shards), CONV_UNSUPPORTED_ARCH, FMT_UNSUPPORTED
 *   (a dtype MLX cannot hold, an HF pre-quantized checkpoint)
 */
export async function openMlxSource(dir: string): Promise<MlxSourceModel> {
  const config = (await readJson(path.join(dir, "config.json"), true))!;
  const generationConfig = await readJson(path.join(dir, "generation_config.json"), false);
  const modelType = typeof config["model_type"] === "string" ? config["model_type"] : "";
  if (!(MLX_SUPPORTED_MODEL_TYPES as readonly string[]).includes(modelType)) {
    throw new CortexError("CONV_UNSUPPORTED_ARCH", `${dir}: model_type "${modelType}" is not supported for MLX conversion (supported: ${MLX_SUPPORTED_MODEL_TYPES.join(", ")})`);
  }
  const checkpoint = await openSafetensorsCheckpoint(dir);
  const metadata = checkpoint.shards[0]?.header.metadata ?? {};
  const detection = detectMlxCheckpoint({ config, tensorNames: checkpoint.tensors.keys(), safetensorsMetadata: metadata });
  if (detection.kind === "hf-prequantized") {
    throw new CortexError("FMT_UNSUPPORTED", `${dir}: already quantized with ${detection.quantMethod}; convert its float checkpoint instead`);
  }
  const params = collectParams(dir, config, checkpoint, detection);
  const torchDtype = typeof config["torch_dtype"] === "string" ? config["torch_dtype"] : undefined;
  const configDtype = torchDtype && ["float16", "bfloat16", "float32"].includes(torchDtype) ? (torchDtype as ModelDtype) : undefined;
  return {
    dir,
    config,
    ...(generationConfig ? { generationConfig } : {}),
    checkpoint,
    detection,
    params,
    totalBytes: params.reduce((s, p) => s + p.sourceBytes, 0),
    ...(configDtype ? { configDtype } : {}),
  };
}

function collectParams(dir: string, config: Record<string, unknown>, checkpoint: SafetensorsCheckpoint, detection: MlxDetection): SourceParam[] {
  // llama/qwen2 ModelArgs default tie_word_embeddings to True; sanitize then drops lm_head.
  const tied = config["tie_word_embeddings"] !== false;
  const names = checkpoint.tensors;
  const params: SourceParam[] = [];
  for (const [name, t] of names) {
    if (name.includes("rotary_emb.inv_freq")) continue;
    if (tied && name === "lm_head.weight") continue;
    const dot = name.lastIndexOf(".");
    const module = name.slice(0, dot);
    const leaf = name.slice(dot + 1);
    if ((leaf === "scales" || leaf === "biases") && names.has(`${module}.weight`) && names.has(`${module}.scales`)) continue;
    const { info } = t;
    const scales = leaf === "weight" ? names.get(`${module}.scales`) : undefined;
    if (scales) {
      const q = detection.quantization ? quantizationForModule(detection.quantization, module, true) : null;
      if (!q) throw new CortexError("FMT_INVALID", `${dir}: ${module} has .scales but config.json has no quantization for it`);
      const biases = names.get(`${module}.biases`);
      if (!biases) throw new CortexError("FMT_INVALID", `${dir}: ${module} has .scales but no .biases (only affine mode is supported)`);
      const floatDtype = FLOAT_DTYPES[scales.info.dtype];
      if (info.dtype !== "U32" || !floatDtype) throw new CortexError("FMT_UNSUPPORTED", `${dir}: ${module} is quantized with ${info.dtype} weight / ${scales.info.dtype} scales; expected U32 and F16/BF16/F32`);
      const shape = [...info.shape];
      shape[shape.length - 1] = (shape[shape.length - 1]! * 32) / q.bits;
      checkQuantShapes(dir, module, shape, scales, biases, q);
      params.push({ name, shape, numel: shape.reduce((a, b) => a * b, 1), dtype: scales.info.dtype, floatDtype, quant: q, sourceBytes: info.byteSize + scales.info.byteSize + biases.info.byteSize });
      continue;
    }
    const floatDtype = FLOAT_DTYPES[info.dtype];
    if (!floatDtype && !["I64", "I32", "U32", "I16", "U16", "I8", "U8", "BOOL"].includes(info.dtype)) {
      throw new CortexError("FMT_UNSUPPORTED", `${dir}: tensor "${name}" has dtype ${info.dtype}, which MLX models do not hold (F16, BF16, F32 or integers)`);
    }
    params.push({ name, shape: [...info.shape], numel: info.numel, dtype: info.dtype, ...(floatDtype ? { floatDtype } : {}), sourceBytes: info.byteSize });
  }
  return params;
}

function checkQuantShapes(dir: string, module: string, shape: number[], scales: CheckpointTensor, biases: CheckpointTensor, q: QuantParams): void {
  const groups = [...shape.slice(0, -1), shape[shape.length - 1]! / q.group_size];
  for (const t of [scales, biases]) {
    if (t.info.shape.length !== groups.length || t.info.shape.some((d, i) => d !== groups[i])) {
      throw new CortexError("CONV_SHAPE_MISMATCH", `${dir}: ${t.info.name} has shape [${t.info.shape.join(", ")}], expected [${groups.join(", ")}] for ${q.bits}-bit, group ${q.group_size}`);
    }
  }
}

/** A parameter's values as f32 (dequantized when stored quantized). */
export async function readParamFloat32(src: MlxSourceModel, p: SourceParam): Promise<Float32Array> {
  const t = src.checkpoint.tensors.get(p.name)!;
  if (!p.quant) return tensorBytesToFloat32(await readTensorBytes(t.shard.path, t.info), t.info.dtype);
  const module = p.name.slice(0, -".weight".length);
  const scales = src.checkpoint.tensors.get(`${module}.scales`)!;
  const biases = src.checkpoint.tensors.get(`${module}.biases`)!;
  const raw = await readTensorBytes(t.shard.path, t.info);
  const cols = p.shape[p.shape.length - 1]!;
  return affineDequantize({
    weight: new Uint32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4),
    scales: tensorBytesToFloat32(await readTensorBytes(scales.shard.path, scales.info), scales.info.dtype),
    biases: tensorBytesToFloat32(await readTensorBytes(biases.shard.path, biases.info), biases.info.dtype),
    rows: p.numel / cols,
    cols,
    bits: p.quant.bits,
    groupSize: p.quant.group_size,
  });
}

/** A parameter's stored bytes, unconverted (non-quantized parameters only). */
export async function readParamBytes(src: MlxSourceModel, p: SourceParam): Promise<Buffer> {
  const t = src.checkpoint.tensors.get(p.name)!;
  return readTensorBytes(t.shard.path, t.info);
}

