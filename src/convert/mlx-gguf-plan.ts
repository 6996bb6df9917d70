/**
 * Which GGUF tensor each tensor of an mlx-lm folder becomes, and how (mlx_lm/utils.py's layout: a quantized
 * module is `<path>.weight` U32 + `<path>.scales` + `<path>.biases`, parameters from config.json
 * `quantization` and its per-module overrides; everything else is float). Decided from the headers and the
 * scales/biases alone, before a byte is written, so bad input fails naming its tensor and leaves nothing.
 */
import { CortexError } from "../errors/cortex-error.js";
import { GGML_TYPE as G, LLAMA_FTYPE as F, ggmlTypeName, tensorByteSize } from "../formats/gguf/ggml-types.js";
import type { CheckpointTensor, SafetensorsCheckpoint } from "../formats/safetensors/read-safetensors-index.js";
import { parseMlxQuantization, quantizationForModule, type MlxQuantization } from "../mlx/mlx-config.js";
import type { ArchConverter, GeneratedTensor } from "./arch.js";
import { convertTensorType } from "./convert-plan.js";
import type { JsonObject } from "./hf-config.js";

/** A quantized module's three tensors and what they hold. */
export interface MlxQuantSource {
  readonly weight: CheckpointTensor;
  readonly scales: CheckpointTensor;
  readonly biases: CheckpointTensor;
  readonly bits: number;
  readonly groupSize: number;
  readonly rows: number;
  readonly cols: number;
}

/** How a quantized tensor is written: repacked code for code, or dequantized and encoded again. */
export type MlxEncoding = "repack" | "dequantize";

export interface MlxPlannedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dims: readonly number[];
  readonly type: number;
  readonly byteSize: number;
  readonly source:
    | { readonly hfName: string; readonly tensor: CheckpointTensor }
    | { readonly generated: GeneratedTensor }
    | { readonly hfName: string; readonly quant: MlxQuantSource; readonly encoding: MlxEncoding };
  /** Float tensors: the architecture's rewrite of the f32 data. */
  readonly transform?: (data: Float32Array) => Float32Array;
  /** Quantized tensors the architecture permutes (llama's q/k): output row i is source row rowOrder[i]. */
  readonly rowOrder?: Uint32Array;
  /** Why a quantized tensor that has an exact mapping was not written exactly. */
  readonly fallback?: string;
}

/** `--outtype` for an MLX source. */
export const MLX_OUTTYPES = ["auto", "f32", "f16", "bf16", "q8_0", "q4_1", "q5_1"] as const;

const EXPLICIT: Record<string, { ftype: number; type: number }> = {
  f32: { ftype: F.ALL_F32, type: G.F32 },
  f16: { ftype: F.MOSTLY_F16, type: G.F16 },
  bf16: { ftype: F.MOSTLY_BF16, type: G.BF16 },
  q8_0: { ftype: F.MOSTLY_Q8_0, type: G.Q8_0 },
  q4_1: { ftype: F.MOSTLY_Q4_1, type: G.Q4_1 },
  q5_1: { ftype: F.MOSTLY_Q5_1, type: G.Q5_1 },
};

/** The `auto` mapping: the GGUF type and file type for each MLX bit width (4 and 5 bit-exact). */
export const AUTO_MAPPING: Readonly<Record<number, { type: number; ftype: number; exact: boolean }>> = {
  2: { type: G.Q2_K, ftype: F.MOSTLY_Q2_K, exact: false },
  3: { type: G.Q3_K, ftype: F.MOSTLY_Q3_K_M, exact: false },
  4: { type: G.Q4_1, ftype: F.MOSTLY_Q4_1, exact: true },
  5: { type: G.Q5_1, ftype: F.MOSTLY_Q5_1, exact: true },
  6: { type: G.Q6_K, ftype: F.MOSTLY_Q6_K, exact: false },
  8: { type: G.Q8_0, ftype: F.MOSTLY_Q8_0, exact: false },
};

const FLOAT_FTYPE: Record<string, number> = { BF16: F.MOSTLY_BF16, F16: F.MOSTLY_F16, F32: F.MOSTLY_F16 };

/** config.json's quantization (mlx-lm writes both keys; older folders only `quantization_config`). */
export function mlxQuantizationOf(config: JsonObject, configPath: string): MlxQuantization | undefined {
  const q = config.quantization ?? config.quantization_config;
  if (q === undefined || q === null) return undefined;
  return parseMlxQuantization(q, `${configPath} quantization`);
}

export interface MlxPlanInput {
  readonly checkpoint: SafetensorsCheckpoint;
  readonly arch: ArchConverter;
  readonly generated: readonly GeneratedTensor[];
  readonly quantization: MlxQuantization | undefined;
  readonly configPath: string;
  /** One of {@link MLX_OUTTYPES}. */
  readonly outtype: string;
}

export interface MlxPlan {
  readonly tensors: MlxPlannedTensor[];
  /** `general.file_type`. */
  readonly ftype: number;
  /** The ftype float 2-D tensors follow (auto: the model's float dtype). */
  readonly floatFtype: number;
}

const invalid = (msg: string): CortexError => new CortexError("FMT_INVALID", msg);

/**
 * Plan every output tensor: generated ones first, then the folder's in header order (convert_hf_to_gguf's
 * order). Types are final except that a repack may still fall back once its scales are read
 * ({@link applyRepackCheck}).
 * @throws CortexError FMT_INVALID (packed weight without scales/biases, bit width or group size that
 * contradicts config.json), FMT_UNSUPPORTED (non-affine modes, non-2-D quantized tensors), CONV_SHAPE_MISMATCH,
 * CONV_FAILED (a rewrite that is not a row permutation), QUANT_UNSUPPORTED_TYPE (unknown outtype).
 */
export function planMlxConversion(p: MlxPlanInput): MlxPlan {
  const outtype = p.outtype.toLowerCase();
  if (!(MLX_OUTTYPES as readonly string[]).includes(outtype)) {
    throw new CortexError("QUANT_UNSUPPORTED_TYPE", `outtype "${p.outtype}" is not supported for an MLX model; use ${MLX_OUTTYPES.join(", ")}`);
  }
  const tensors = p.checkpoint.tensors;
  const consumed = new Set<string>();
  const quantized = new Map<string, MlxQuantSource>();
  for (const [name, t] of tensors) {
    if (!name.endsWith(".weight")) continue;
    const module = name.slice(0, -".weight".length);
    const scales = tensors.get(`${module}.scales`);
    if (t.info.dtype !== "U32" && !scales) continue;
    if (!scales) throw invalid(`${t.shard.path}: tensor "${name}" is packed (U32) but "${module}.scales" is missing`);
    const biases = tensors.get(`${module}.biases`);
    if (!biases) throw invalid(`${t.shard.path}: tensor "${name}" has "${module}.scales" but "${module}.biases" is missing (only MLX's affine mode is supported)`);
    if (!p.quantization) throw invalid(`${p.configPath}: tensor "${name}" is quantized (it has .scales) but config.json has no quantization`);
    quantized.set(name, quantSource(name, module, t, scales, biases, p.quantization, p.configPath));
    consumed.add(`${module}.scales`).add(`${module}.biases`);
  }

  const floatDtype = [...tensors.values()].find((t) => t.info.shape.length >= 2 && t.info.dtype in FLOAT_FTYPE && !consumed.has(t.info.name))?.info.dtype
    ?? [...quantized.values()][0]?.scales.info.dtype ?? "F16";
  const explicit = EXPLICIT[outtype];
  // Float matrices follow an explicit f32/f16/bf16/q8_0 as convert_hf_to_gguf would; otherwise they keep the model's dtype.
  const floatFtype = explicit && explicit.type !== G.Q4_1 && explicit.type !== G.Q5_1 ? explicit.ftype : FLOAT_FTYPE[floatDtype] ?? F.MOSTLY_F16;
  const ftype = explicit?.ftype ?? (p.quantization ? AUTO_MAPPING[p.quantization.bits]?.ftype : undefined) ?? floatFtype;

  const out: MlxPlannedTensor[] = [];
  const seen = new Set<string>();
  const push = (t: MlxPlannedTensor): void => {
    if (seen.has(t.name)) throw new CortexError("CONV_FAILED", `two tensors map to GGUF tensor "${t.name}"`);
    seen.add(t.name);
    out.push(t);
  };
  const planned = (name: string, shape: readonly number[], type: number) => {
    const dims = [...shape].reverse();
    return { name, shape, dims, type, byteSize: tensorByteSize(type, dims) };
  };
  for (const g of p.generated) push({ ...planned(g.name, g.shape, G.F32), source: { generated: g } });
  for (const [hfName, tensor] of tensors) {
    if (consumed.has(hfName)) continue;
    const name = p.arch.tensorName(hfName);
    if (name === null) continue;
    const q = quantized.get(hfName);
    const shape = q ? [q.rows, q.cols] : tensor.info.shape;
    const want = p.arch.expectedShape(name);
    if (want && (want.length !== shape.length || want.some((d, i) => d !== shape[i]))) {
      throw new CortexError("CONV_SHAPE_MISMATCH", `tensor "${hfName}" (${tensor.shard.name}) has shape [${shape.join(", ")}]${q ? ` (${q.bits}-bit, unpacked)` : ""} but ${p.configPath} implies [${want.join(", ")}]`, {
        details: { tensor: hfName, shape: [...shape], expected: [...want] },
      });
    }
    if (!q) {
      const { dtype } = tensor.info;
      if (dtype !== "F32" && dtype !== "F16" && dtype !== "BF16" && dtype !== "F64") {
        throw new CortexError("CONV_FAILED", `${tensor.shard.path}: tensor "${hfName}" has dtype ${dtype} and is not an MLX-quantized weight`);
      }
      const transform = p.arch.transform(hfName, shape, dtype);
      push({ ...planned(name, shape, convertTensorType(name, shape, floatFtype)), source: { hfName, tensor }, ...(transform ? { transform } : {}) });
      continue;
    }
    const rowOrder = rowPermutation(p.arch, hfName, q);
    const { type, encoding, fallback } = quantTarget(name, shape, q, outtype);
    push({ ...planned(name, shape, type), source: { hfName, quant: q, encoding }, ...(rowOrder ? { rowOrder } : {}), ...(fallback ? { fallback } : {}) });
  }
  return { tensors: out, ftype, floatFtype };
}

function quantSource(name: string, module: string, w: CheckpointTensor, scales: CheckpointTensor, biases: CheckpointTensor, quant: MlxQuantization, configPath: string): MlxQuantSource {
  const q = quantizationForModule(quant, module, true);
  if (!q) throw invalid(`${configPath}: quantization says "${module}" is not quantized, but tensor "${name}" has .scales`);
  const where = `tensor "${name}" (${w.shard.name})`;
  if (q.mode !== "affine") throw new CortexError("FMT_UNSUPPORTED", `${where}: quantization mode "${q.mode}" is not supported (only affine)`);
  if (w.info.dtype !== "U32") throw invalid(`${where} has .scales but dtype ${w.info.dtype}; MLX packs quantized codes as U32`);
  const shape = w.info.shape;
  if (shape.length !== 2) throw new CortexError("FMT_UNSUPPORTED", `${where}: quantized tensors of ${shape.length} dimensions are not supported (only matrices)`);
  const { bits, group_size: groupSize } = q;
  if (!AUTO_MAPPING[bits]) throw invalid(`${where}: ${bits}-bit affine quantization is not an MLX bit width (2, 3, 4, 5, 6, 8)`);
  const [rows, words] = shape as [number, number];
  const cols = (words * 32) / bits;
  if (!Number.isInteger(cols)) throw invalid(`${where}: ${words} packed words per row cannot hold whole ${bits}-bit codes`);
  for (const t of [scales, biases]) {
    if (t.info.dtype !== "F16" && t.info.dtype !== "BF16" && t.info.dtype !== "F32") throw new CortexError("FMT_UNSUPPORTED", `tensor "${t.info.name}" has dtype ${t.info.dtype}; MLX scales and biases are F16, BF16 or F32`);
    if (t.info.shape.length !== 2 || t.info.shape[0] !== rows) throw new CortexError("CONV_SHAPE_MISMATCH", `tensor "${t.info.name}" has shape [${t.info.shape.join(", ")}], expected ${rows} rows like "${name}"`);
  }
  const groups = scales.info.shape[1]!;
  if (biases.info.shape[1] !== groups) throw new CortexError("CONV_SHAPE_MISMATCH", `tensors "${scales.info.name}" and "${biases.info.name}" disagree: ${groups} and ${biases.info.shape[1]} groups per row`);
  if (cols % groupSize !== 0) throw invalid(`${where}: group size ${groupSize} (${configPath}) does not divide the row length ${cols}`);
  if (groups * groupSize !== cols) {
    // Shapes alone cannot tell 4-bit g32 from 2-bit g64: name every reading that fits, config's group size first.
    const fits: string[] = [];
    for (const g of [groupSize, ...[32, 64, 128].filter((x) => x !== groupSize)]) {
      for (const b of Object.keys(AUTO_MAPPING).map(Number)) if ((words * 32) / b === groups * g) fits.push(`${b}-bit at group size ${g}`);
    }
    if (fits.length > 0) throw invalid(`${where}: ${configPath} says ${bits}-bit with group size ${groupSize}, but its ${words} words and ${groups} scales per row are ${fits.join(" or ")}`);
    throw new CortexError("CONV_SHAPE_MISMATCH", `${where}: ${groups} groups per row, but ${cols} ${bits}-bit weights in groups of ${groupSize} make ${cols / groupSize}`);
  }
  if (cols % 32 !== 0) throw invalid(`${where}: row length ${cols} is not a multiple of 32`);
  return { weight: w, scales, biases, bits, groupSize, rows, cols };
}

/**
 * The architecture's rewrite of a quantized tensor, as a row order: run on the row indices, it must return a
 * permutation of them (llama's q/k rotary permutation moves whole rows); a rewrite of values cannot apply to
 * quantized codes.
 */
function rowPermutation(arch: ArchConverter, hfName: string, q: MlxQuantSource): Uint32Array | undefined {
  const f = arch.transform(hfName, [q.rows, 1], q.scales.info.dtype);
  if (!f) return undefined;
  const idx = new Float32Array(q.rows);
  for (let i = 0; i < q.rows; i++) idx[i] = i;
  const moved = f(idx.slice());
  const order = new Uint32Array(q.rows);
  const hit = new Uint8Array(q.rows);
  for (let i = 0; i < q.rows; i++) {
    const r = moved[i]!;
    if (moved.length !== q.rows || !Number.isInteger(r) || r < 0 || r >= q.rows || hit[r]) {
      throw new CortexError("CONV_FAILED", `tensor "${hfName}": ${arch.ggufArch} rewrites its values, which cannot be done to quantized codes; dequantize the MLX model first`);
    }
    hit[r] = 1;
    order[i] = r;
  }
  return order;
}

function quantTarget(name: string, shape: readonly number[], q: MlxQuantSource, outtype: string): { type: number; encoding: MlxEncoding; fallback?: string } {
  // Tensors llama.cpp wants in F32 (routers, 1-D) stay F32 whatever they were.
  if (convertTensorType(name, shape, F.MOSTLY_F16) === G.F32) return { type: G.F32, encoding: "dequantize" };
  const auto = AUTO_MAPPING[q.bits]!;
  const type = outtype === "auto" ? auto.type : EXPLICIT[outtype]!.type;
  if (type === auto.type && auto.exact) return { type, encoding: "repack" };
  const blck = type === G.Q2_K || type === G.Q3_K || type === G.Q6_K ? 256 : type === G.Q8_0 || type === G.Q4_1 || type === G.Q5_1 ? 32 : 1;
  if (q.cols % blck !== 0) return { type: G.Q8_0, encoding: "dequantize", fallback: `row length ${q.cols} is not a multiple of ${ggmlTypeName(type)}'s ${blck}` };
  return { type, encoding: "dequantize" };
}

/** A repack whose scales or biases f16 cannot hold becomes Q8_0 from the dequantized weights. */
export function withRepackFallback(t: MlxPlannedTensor, reason: string): MlxPlannedTensor {
  if (!("quant" in t.source)) return t;
  return { ...t, type: G.Q8_0, byteSize: tensorByteSize(G.Q8_0, t.dims), source: { ...t.source, encoding: "dequantize" }, fallback: reason };
}
