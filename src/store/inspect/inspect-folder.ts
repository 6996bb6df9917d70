import path from "node:path";
import { readSafetensorsHeader, type SafetensorsHeader } from "../../formats/safetensors/read-safetensors-header.js";
import { openSafetensorsCheckpoint, SAFETENSORS_INDEX_NAME } from "../../formats/safetensors/read-safetensors-index.js";
import { detectMlxCheckpoint, parseMlxQuantization, type MlxQuantization } from "../../mlx/mlx-config.js";
import { ADAPTER_WEIGHTS, hasPipelineEvidence, isTopLevel, pickleAlternates } from "../discover/classify-files.js";
import type { ComponentFacts, LoraFacts, ModelCandidate, ModelFacts, ModelFormat } from "../model-types.js";
import { countParameters } from "./count-params.js";
import { servedWeightsBytes } from "./served-weights.js";
import { inspectPipeline } from "./inspect-pipeline.js";
import { mlxFromTensors, summarizeWeights, tallyPrefix, tensorsOf, type TensorTally } from "./tensor-summary.js";
import { dtypeQuantization, hfQuantization, mlxQuantization, uniformBits, type QuantVerdict } from "./quantization.js";
import { readJsonObject } from "./read-json-file.js";
import { readNpzHeaders, type NpyArrayInfo } from "../../formats/npz-headers.js";
import { readFineTunedMarker } from "./read-marker.js";

type Json = Record<string, unknown>;

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const first = (objs: (Json | undefined)[], keys: string[]): number | undefined => {
  for (const o of objs) for (const k of keys) if (o && num(o[k]) !== undefined) return num(o[k]);
  return undefined;
};

/** Safetensors headers of a folder: the checkpoint (index or model*.safetensors) when there is one, else every top-level .safetensors. */
async function readHeaders(dir: string, top: readonly string[]): Promise<SafetensorsHeader[]> {
  const st = top.filter((n) => n.endsWith(".safetensors"));
  if (st.length === 0) return [];
  if (top.includes(SAFETENSORS_INDEX_NAME) || st.some((n) => n.startsWith("model"))) {
    const ckpt = await openSafetensorsCheckpoint(dir);
    return ckpt.shards.map((s) => s.header);
  }
  const out: SafetensorsHeader[] = [];
  for (const n of st.sort()) out.push(await readSafetensorsHeader(path.join(dir, n)));
  return out;
}

/** Architecture and shape from an HF config.json (text_config for multimodal wrappers). */
export function configFacts(config: Json): Pick<ModelFacts, "architecture" | "contextLength" | "vocabSize" | "kv"> {
  const decoder = subConfig(config, "decoder");
  if (decoder && (subConfig(config, "text_encoder") || subConfig(config, "audio_encoder") || subConfig(config, "encoder"))) {
    // Composite configs (MusicGen: text_encoder/audio_encoder/decoder): the decoder generates, so its context and
    // vocabulary are the model's; the architecture stays the composite's model_type.
    const d = configFacts(decoder);
    return { ...d, architecture: typeof config["model_type"] === "string" ? config["model_type"] : d.architecture };
  }
  const text = subConfig(config, "text_config");
  const archs = Array.isArray(config["architectures"]) ? (config["architectures"] as unknown[]) : [];
  const architecture = (typeof config["model_type"] === "string" ? config["model_type"] : undefined) ?? (typeof text?.["model_type"] === "string" ? (text["model_type"] as string) : undefined) ?? (typeof archs[0] === "string" ? archs[0] : "");
  const layers = first([config, text], ["num_hidden_layers", "n_layer", "num_layers", "n_layers"]) ?? 0;
  const heads = first([config, text], ["num_attention_heads", "n_head", "n_heads"]) ?? 0;
  const hidden = first([config, text], ["hidden_size", "n_embd", "dim", "d_model"]) ?? 0;
  const kvHeads = first([config, text], ["num_key_value_heads", "n_kv_heads"]) ?? heads;
  const headDim = first([config, text], ["head_dim"]) ?? (heads ? hidden / heads : 0);
  return {
    architecture,
    contextLength: first([config, text], ["max_position_embeddings", "n_positions", "n_ctx", "max_sequence_length", "seq_length"]) ?? 0,
    vocabSize: first([config, text], ["vocab_size"]) ?? 0,
    ...(layers && kvHeads && headDim ? { kv: { layers, kvHeads, headDim } } : {}),
  };
}

function subConfig(config: Json, key: string): Json | undefined {
  const v = config[key];
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

/** Sub-models of a composite config whose tensors share one file under `<key>.` prefixes (MusicGen). */
const SUB_MODEL_KEYS = ["text_encoder", "audio_encoder", "encoder", "decoder", "vision_config", "audio_config"];

function subModelComponents(config: Json, all: TensorTally): ComponentFacts[] {
  const out: ComponentFacts[] = [];
  for (const key of SUB_MODEL_KEYS) {
    const sub = subConfig(config, key);
    if (!sub || typeof sub["model_type"] !== "string") continue;
    const part = tallyPrefix(all, `${key}.`);
    if (part.tensors.length === 0) continue;
    const s = summarizeWeights(part);
    const archs = Array.isArray(sub["architectures"]) ? (sub["architectures"] as unknown[]) : [];
    out.push({ name: key, className: typeof archs[0] === "string" ? archs[0] : sub["model_type"], format: s.format, quantization: s.verdict.quantization, quantizationLabel: s.verdict.label, ...(s.verdict.width ? { bits: s.verdict.width } : {}), parameterCount: s.parameterCount, sizeBytes: s.bytes, path: `${key}.` });
  }
  return out.length > 1 ? out : [];
}

/**
 * Facts of a folder model from config.json and safetensors headers (never the weights): LoRA adapter, MLX
 * (`quantization` key, `.scales` tensors, weights.npz, `{"format": "mlx"}`), pre-quantized HF (GPTQ, AWQ,
 * bitsandbytes, compressed-tensors), plain safetensors, or PyTorch .bin.
 * @throws CortexError FMT_INVALID / FMT_UNSUPPORTED naming the file when a header or config.json is malformed.
 */
export async function inspectFolder(c: ModelCandidate): Promise<ModelFacts> {
  const dir = c.primaryPath;
  const rels = new Set(c.files.map((f) => f.rel));
  const top = [...rels].filter(isTopLevel);
  const sizeOf = (pred: (rel: string) => boolean) => c.files.filter((f) => pred(f.rel)).reduce((s, f) => s + f.size, 0);
  const json = (rel: string) => readJsonObject(path.join(dir, rel), c.files.find((f) => f.rel === rel)?.size);
  const marker = c.fineTunedMarker ? await readFineTunedMarker(c.fineTunedMarker) : undefined;

  if (hasPipelineEvidence(top, [...new Set([...rels].filter((r) => r.includes("/")).map((r) => r.slice(0, r.indexOf("/"))))])) return inspectPipeline(c);
  const adapterFile = ADAPTER_WEIGHTS.find((a) => rels.has(a));
  if (rels.has("adapter_config.json") && adapterFile) return inspectAdapter(dir, await json("adapter_config.json"), adapterFile, sizeOf((r) => r === adapterFile));

  const config = rels.has("config.json") ? await json("config.json") : {};
  const headers = await readHeaders(dir, top);
  // weights.npz (older MLX): the arrays from the zip directory and .npy headers, never the data.
  const npz = headers.length === 0 && rels.has("weights.npz") ? await readNpzHeaders(path.join(dir, "weights.npz")) : undefined;
  const { tensors, bytes, dtypeBytes, metadata } = npz ? npzTally(npz) : tensorsOf(headers);
  const names = new Set(tensors.map((t) => t.name));
  const base = configFacts(config);

  let format: ModelFormat;
  let q: QuantVerdict;
  let mlx: MlxQuantization | undefined;
  let mlxScales = false;
  const hfq = "quantization" in config && config["quantization"] !== null ? undefined : hfQuantization(config, names);
  if (hfq?.format) {
    format = hfq.format;
    q = hfq;
  } else {
    const det = detectMlxCheckpoint({ config, tensorNames: names, safetensorsMetadata: metadata });
    if (det.alreadyMlx || rels.has("weights.npz")) {
      format = "MLX";
      mlx = det.quantization ?? ("quantization" in config && config["quantization"] ? parseMlxQuantization(config["quantization"]) : undefined);
      mlxScales = det.kind === "mlx-quantized";
      // No config says the recipe (flux.swift, a config-less folder): bits and group size from the tensor shapes.
      if (!mlx && mlxScales) mlx = mlxFromTensors(tensors);
      q = mlx ? mlxQuantization(mlx) : mlxScales ? { quantization: "MLX_AFFINE", label: "mlx-affine" } : hfq ?? dtypeQuantization(dtypeBytes);
    } else if (headers.length > 0) {
      format = "SAFETENSORS";
      q = hfq ?? dtypeQuantization(dtypeBytes);
    } else {
      format = "PYTORCH";
      q = hfq ?? torchDtypeQuantization(config);
    }
  }

  let parameterCount = countParameters(tensors, { mlx, mlxScales, packedBits: q.bits, bnb4: format === "BITSANDBYTES" && q.quantization === "INT4" });
  let weightsBytes = bytes;
  const notes: string[] = [];
  const weightFiles = [...rels].some((r) => r === "weights.npz" || /^pytorch_model.*\.bin$/.test(r) || /\.(bin|pt|pth|ckpt)$/.test(r));
  if (headers.length === 0 && !weightFiles) notes.push("config.json only: no weights yet (pull the weights, or convert from safetensors)");
  if (tensors.length === 0) {
    // No headers to read (pytorch_model*.bin): the weight files' size stands in.
    weightsBytes = sizeOf((r) => r === "weights.npz" || /^pytorch_model.*\.bin$/.test(r));
    if (format === "PYTORCH") parameterCount = await pytorchParams(dir, rels, config, weightsBytes);
  }
  const served = headers.length > 0 && (format === "SAFETENSORS" || format === "MLX") ? servedWeightsBytes(tensors, mlxScales ? { dataBytes: bytes } : undefined) : undefined;
  const components = tensors.length ? subModelComponents(config, { tensors, bytes, dtypeBytes, metadata }) : [];
  const alternates = pickleAlternates(c.files.filter((f) => isTopLevel(f.rel)));
  if (alternates.length) notes.push(`also holds ${alternates.map((a) => a.rel).join(", ")} (legacy pickles of the same weights, ${(alternates.reduce((s, a) => s + a.size, 0) / 1e9).toFixed(2)} GB): pull with --exclude "*.bin" to skip them`);
  const lora: LoraFacts | undefined = marker ? { baseModel: marker.baseModel, fused: true, rank: marker.rank, scale: marker.scale, targetModules: marker.targetModules, ...(marker.adapter ? { adapter: marker.adapter } : {}) } : undefined;
  return {
    format,
    quantization: q.quantization,
    quantizationLabel: q.label,
    ...(mlx ? { mlx: { bits: mlx.bits, groupSize: mlx.groupSize, mode: mlx.mode } } : {}),
    ...(q.width ? { bits: q.width } : {}),
    ...base,
    parameterCount,
    weightsBytes,
    ...(served !== undefined ? { servedWeightsBytes: served } : {}),
    ...(lora ? { lora } : {}),
    ...(components.length ? { components } : {}),
    ...(alternates.length ? { alternates } : {}),
    ...(q.detail ? { quantizationDetail: q.detail } : {}),
    ...(notes.length ? { notes } : {}),
  };
}

function npzTally(arrays: readonly NpyArrayInfo[]): TensorTally {
  const dtypeBytes = new Map<string, number>();
  for (const a of arrays) if (a.shape.length >= 2) dtypeBytes.set(a.dtype, (dtypeBytes.get(a.dtype) ?? 0) + a.byteSize);
  return { tensors: arrays.map((a) => ({ name: a.name, dtype: a.dtype, numel: a.numel, shape: a.shape })), bytes: arrays.reduce((s, a) => s + a.byteSize, 0), dtypeBytes, metadata: {} };
}

function torchDtypeQuantization(config: Json): QuantVerdict {
  const d = typeof config["torch_dtype"] === "string" ? config["torch_dtype"] : typeof config["dtype"] === "string" ? config["dtype"] : "";
  if (d === "float16") return { quantization: "FP16", label: "f16", width: uniformBits(16) };
  if (d === "bfloat16") return { quantization: "BF16", label: "bf16", width: uniformBits(16) };
  if (d === "float32") return { quantization: "FP32", label: "f32", width: uniformBits(32) };
  return { quantization: "NONE", label: d || "none" };
}

/** Pickled weights cannot be read safely: the index's total_size (or the files' size) over the dtype size. */
async function pytorchParams(dir: string, rels: ReadonlySet<string>, config: Json, filesBytes: number): Promise<number> {
  const d = torchDtypeQuantization(config).quantization;
  const per = d === "FP32" ? 4 : 2;
  if (rels.has("pytorch_model.bin.index.json")) {
    const index = await readJsonObject(path.join(dir, "pytorch_model.bin.index.json"));
    const total = num((index["metadata"] as Json | undefined)?.["total_size"]);
    if (total) return Math.round(total / per);
  }
  return Math.round(filesBytes / per);
}

/** PEFT (`adapter_model.safetensors`, `r`, `lora_alpha`) or mlx-lm (`adapters.safetensors`, `lora_parameters`). */
async function inspectAdapter(dir: string, cfg: Json, weightsFile: string, fileBytes: number): Promise<ModelFacts> {
  const lp = (typeof cfg["lora_parameters"] === "object" && cfg["lora_parameters"] !== null ? cfg["lora_parameters"] : {}) as Json;
  const rank = num(cfg["r"]) ?? num(lp["rank"]) ?? 0;
  const scale = num(lp["scale"]) ?? (rank && num(cfg["lora_alpha"]) !== undefined ? num(cfg["lora_alpha"])! / rank : 0);
  const targets = Array.isArray(cfg["target_modules"]) ? cfg["target_modules"] : Array.isArray(lp["keys"]) ? lp["keys"] : [];
  const baseModel = [cfg["base_model_name_or_path"], cfg["model"], cfg["base_model"]].find((v): v is string => typeof v === "string") ?? "";
  let params = 0;
  let bytes = fileBytes;
  let q: QuantVerdict = { quantization: "NONE", label: "lora" };
  if (weightsFile.endsWith(".safetensors")) {
    const h = await readSafetensorsHeader(path.join(dir, weightsFile));
    const t = tensorsOf([h]);
    params = countParameters(t.tensors);
    bytes = t.bytes;
    q = dtypeQuantization(t.dtypeBytes);
  }
  return {
    format: "LORA_ADAPTER",
    quantization: q.quantization,
    quantizationLabel: q.label,
    ...(q.width ? { bits: q.width } : {}),
    architecture: typeof cfg["model_type"] === "string" ? cfg["model_type"] : "",
    parameterCount: params,
    contextLength: 0,
    vocabSize: 0,
    weightsBytes: bytes,
    lora: { baseModel, fused: false, rank, scale, targetModules: (targets as unknown[]).filter((x): x is string => typeof x === "string") },
  };
}

/** Format guess for a folder that could not be parsed, from names alone. */
export function folderBrokenFacts(c: ModelCandidate, reason: string): ModelFacts {
  const rels = new Set(c.files.map((f) => f.rel));
  const format: ModelFormat = rels.has("adapter_config.json") ? "LORA_ADAPTER" : rels.has("weights.npz") ? "MLX" : [...rels].some((r) => r.endsWith(".safetensors")) ? "SAFETENSORS" : "PYTORCH";
  return { format, quantization: "UNSPECIFIED", quantizationLabel: "", architecture: "", parameterCount: 0, contextLength: 0, vocabSize: 0, weightsBytes: c.files.reduce((s, f) => s + f.size, 0), brokenReason: reason };
}
