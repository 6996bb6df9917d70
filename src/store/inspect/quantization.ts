import { llamaFtypeLabel } from "../../formats/gguf/ggml-types.js";
import type { MlxQuantization } from "../../mlx/mlx-config.js";
import type { ModelFormat, QuantizationName, WeightBits } from "../model-types.js";

/** A quantization verdict: the enum, a human label, and the format it implies for HF checkpoints. */
export interface QuantVerdict {
  quantization: QuantizationName;
  label: string;
  format?: ModelFormat;
  /** Bits per packed weight element (GPTQ/AWQ/compressed-tensors/bitsandbytes), for parameter counting. */
  bits?: number;
  /** The weights' bit width as users mean it (the bit-width filter); absent when the format does not say. */
  width?: WeightBits;
  /** The quantization in words ("MLX affine, 4-bit, group size 64"). */
  detail?: string;
}

/** One width for the whole model. */
export function uniformBits(bits: number): WeightBits {
  return { main: bits, low: bits, high: bits };
}

/**
 * llama.cpp's file-type label → its bit width: Q4_K_M, Q4_0, IQ4_XS → 4; Q8_0 → 8; IQ1_S, TQ1_0 → 1; F16/BF16 →
 * 16; F32 → 32; MXFP4 → 4. The K-quant mixes keep a few tensors wider (Q4_K_M's Q6_K output), as llama.cpp's
 * own name says "4-bit". Undefined for labels that name no width.
 */
export function ggufLabelBits(label: string): WeightBits | undefined {
  const up = label.toUpperCase();
  if (up === "F32") return uniformBits(32);
  if (up === "F16" || up === "BF16") return uniformBits(16);
  if (up.startsWith("MXFP4")) return uniformBits(4);
  const m = /^(?:I?Q|TQ)([1-8])(?:_|$)/.exec(up);
  return m ? uniformBits(Number(m[1])) : undefined;
}

const GGUF_ENUM = new Set<string>(["Q8_0", "Q6_K", "Q5_K_M", "Q5_K_S", "Q5_0", "Q5_1", "Q4_K_M", "Q4_K_S", "Q4_0", "Q4_1", "Q3_K_M", "Q3_K_S", "Q3_K_L", "Q2_K"]);

/** GGUF `general.file_type` → enum + llama.cpp's label ("Q4_K_M"); unknown ids and IQ/TQ types are GGUF_OTHER. */
export function ggufQuantization(fileType: number | undefined, dominantTensorType: string | undefined): QuantVerdict {
  const label = fileType === undefined ? dominantTensorType : llamaFtypeLabel(fileType);
  if (label === undefined) return { quantization: "GGUF_OTHER", label: fileType === undefined ? "unknown" : `file_type ${fileType}` };
  const width = ggufLabelBits(label);
  const w = width ? { width } : {};
  if (label === "F32") return { quantization: "FP32", label, ...w };
  if (label === "F16") return { quantization: "FP16", label, ...w };
  if (label === "BF16") return { quantization: "BF16", label, ...w };
  if (GGUF_ENUM.has(label)) return { quantization: label as QuantizationName, label, ...w };
  return { quantization: "GGUF_OTHER", label, ...w };
}

/**
 * MLX `quantization` → INT4/INT8 for affine 4-/8-bit recipes (what users filter on: an INT4 filter finds MLX
 * 4-bit models too), MLX_AFFINE for other widths, or the mx/nv FP modes; the affine detail (bits, group size,
 * mixed recipes) is in the label and `detail`.
 */
export function mlxQuantization(q: MlxQuantization): QuantVerdict {
  const mode = q.mode.toLowerCase();
  const bits = new Set<number>([q.bits]);
  for (const v of q.perLayer.values()) if (typeof v === "object") bits.add(v.bits);
  const sorted = [...bits].sort((a, b) => a - b);
  const mixed = sorted.length > 1;
  const bitsText = mixed ? `mixed-${sorted.join("/")}bit` : `${q.bits}bit`;
  const fp: QuantizationName | undefined = mode === "mxfp4" ? "MLX_MXFP4" : mode === "nvfp4" ? "MLX_NVFP4" : mode === "mxfp8" ? "MLX_MXFP8" : undefined;
  if (fp) return { quantization: fp, label: `mlx-${mode}`, width: uniformBits(mode === "mxfp8" ? 8 : 4), detail: `MLX ${mode}, group size ${q.groupSize}` };
  const quantization: QuantizationName = q.bits === 4 ? "INT4" : q.bits === 8 ? "INT8" : "MLX_AFFINE";
  // Affine recipes default to q.bits; per-layer entries may widen or narrow some.
  const width = { main: q.bits, low: sorted[0]!, high: sorted.at(-1)! };
  const detail = `MLX affine, ${q.bits}-bit, group size ${q.groupSize}${mixed ? ` (per-layer ${sorted.join("/")}-bit)` : ""}`;
  return { quantization, label: `mlx-${bitsText}-g${q.groupSize}`, width, detail };
}

/** Unquantized checkpoints: the dtype holding most weight bytes. */
export function dtypeQuantization(dtypeBytes: ReadonlyMap<string, number>): QuantVerdict {
  let best = "";
  let bestBytes = -1;
  for (const [d, b] of dtypeBytes) {
    if (b > bestBytes) {
      best = d;
      bestBytes = b;
    }
  }
  const map: Record<string, QuantizationName> = { F32: "FP32", F16: "FP16", BF16: "BF16", F8_E4M3: "FP8", F8_E5M2: "FP8", F64: "FP32" };
  const widths: Record<string, number> = { F32: 32, F16: 16, BF16: 16, F8_E4M3: 8, F8_E5M2: 8 };
  const q = map[best];
  const w = widths[best] ? { width: uniformBits(widths[best]) } : {};
  return q ? { quantization: q, label: best.toLowerCase(), ...w } : { quantization: "NONE", label: best ? best.toLowerCase() : "none" };
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/**
 * Pre-quantized HF checkpoints from `quantization_config.quant_method` (GPTQ, AWQ, bitsandbytes,
 * compressed-tensors, fp8), else from tensor names (qweight/qzeros/g_idx, weight_packed, SCB, absmax).
 */
export function hfQuantization(config: Record<string, unknown>, tensorNames: ReadonlySet<string> | readonly string[]): QuantVerdict | undefined {
  const qc = config["quantization_config"];
  if (qc && typeof qc === "object" && !Array.isArray(qc)) {
    const q = qc as Record<string, unknown>;
    const method = typeof q["quant_method"] === "string" ? q["quant_method"].toLowerCase() : undefined;
    if (method === "gptq") {
      const bits = num(q["bits"]) ?? 4;
      const group = num(q["group_size"]);
      return { quantization: "GPTQ", format: "GPTQ", bits, width: uniformBits(bits), label: `gptq-${bits}bit${group && group > 0 ? `-g${group}` : ""}` };
    }
    if (method === "awq") {
      const bits = num(q["bits"]) ?? num(q["w_bit"]) ?? 4;
      const group = num(q["group_size"]) ?? num(q["q_group_size"]);
      return { quantization: "AWQ", format: "AWQ", bits, width: uniformBits(bits), label: `awq-${bits}bit${group ? `-g${group}` : ""}` };
    }
    if (method === "bitsandbytes" || q["load_in_4bit"] === true || q["load_in_8bit"] === true || q["_load_in_4bit"] === true || q["_load_in_8bit"] === true) {
      const four = q["load_in_4bit"] === true || q["_load_in_4bit"] === true;
      const kind = typeof q["bnb_4bit_quant_type"] === "string" ? q["bnb_4bit_quant_type"] : "fp4";
      return four ? { quantization: "INT4", format: "BITSANDBYTES", bits: 4, width: uniformBits(4), label: `bnb-${kind}` } : { quantization: "INT8", format: "BITSANDBYTES", bits: 8, width: uniformBits(8), label: "bnb-int8" };
    }
    if (method === "compressed-tensors") return compressedTensors(q);
    if (method === "fp8") return { quantization: "FP8", label: "fp8", width: uniformBits(8) };
    if (method !== undefined) return { quantization: "UNSPECIFIED", label: method };
  }
  const names = tensorNames instanceof Set ? tensorNames : new Set(tensorNames);
  let qweight = false;
  let gIdx = false;
  let qzeros = false;
  for (const n of names) {
    if (n.endsWith(".qweight")) qweight = true;
    else if (n.endsWith(".g_idx")) gIdx = true;
    else if (n.endsWith(".qzeros")) qzeros = true;
    else if (n.endsWith(".weight_packed")) return { quantization: "INT4", format: "COMPRESSED_TENSORS", bits: 4, width: uniformBits(4), label: "compressed-tensors" };
    else if (n.endsWith(".SCB")) return { quantization: "INT8", format: "BITSANDBYTES", bits: 8, width: uniformBits(8), label: "bnb-int8" };
    else if (n.endsWith(".absmax") || n.includes(".quant_state.")) return { quantization: "INT4", format: "BITSANDBYTES", bits: 4, width: uniformBits(4), label: "bnb-4bit" };
  }
  if (qweight && gIdx) return { quantization: "GPTQ", format: "GPTQ", bits: 4, width: uniformBits(4), label: "gptq-4bit" };
  if (qweight && qzeros) return { quantization: "AWQ", format: "AWQ", bits: 4, width: uniformBits(4), label: "awq-4bit" };
  return undefined;
}

function compressedTensors(q: Record<string, unknown>): QuantVerdict {
  const groups = q["config_groups"];
  let wBits: number | undefined;
  let wType = "int";
  let aBits: number | undefined;
  if (groups && typeof groups === "object") {
    for (const g of Object.values(groups as Record<string, unknown>)) {
      const w = (g as Record<string, unknown> | null)?.["weights"] as Record<string, unknown> | undefined;
      const a = (g as Record<string, unknown> | null)?.["input_activations"] as Record<string, unknown> | undefined;
      wBits ??= num(w?.["num_bits"]);
      if (typeof w?.["type"] === "string") wType = w["type"] as string;
      aBits ??= num(a?.["num_bits"]);
    }
  }
  const bits = wBits ?? 4;
  const quantization: QuantizationName = wType === "float" ? "FP8" : bits <= 4 ? "INT4" : "INT8";
  return { quantization, format: "COMPRESSED_TENSORS", bits, width: uniformBits(bits), label: `compressed-tensors-w${bits}a${aBits ?? 16}${wType === "float" ? "-fp" : ""}` };
}
