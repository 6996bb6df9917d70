import type { SafetensorsHeader } from "../../formats/safetensors/read-safetensors-header.js";
import type { MlxQuantization } from "../../mlx/mlx-config.js";
import type { ModelFormat } from "../model-types.js";
import { countParameters, type CountedTensor } from "./count-params.js";
import { inferMlxBits, type ShapedTensor } from "./mlx-tensor-bits.js";
import { dtypeQuantization, mlxQuantization, type QuantVerdict } from "./quantization.js";

export interface TensorTally {
  tensors: (CountedTensor & ShapedTensor)[];
  /** Bytes of tensor data. */
  bytes: number;
  /** Bytes of ≥2-D tensors per dtype (what decides an unquantized checkpoint's dtype). */
  dtypeBytes: Map<string, number>;
  metadata: Record<string, string>;
}

/** Every tensor of some safetensors headers, with byte totals. */
export function tensorsOf(headers: readonly SafetensorsHeader[]): TensorTally {
  const tensors: (CountedTensor & ShapedTensor)[] = [];
  const dtypeBytes = new Map<string, number>();
  let bytes = 0;
  let metadata: Record<string, string> = {};
  for (const h of headers) {
    if (Object.keys(h.metadata).length) metadata = { ...h.metadata, ...metadata };
    for (const t of h.tensors) {
      tensors.push({ name: t.name, dtype: t.dtype, numel: t.numel, shape: t.shape });
      bytes += t.byteSize;
      if (t.shape.length >= 2) dtypeBytes.set(t.dtype, (dtypeBytes.get(t.dtype) ?? 0) + t.byteSize);
    }
  }
  return { tensors, bytes, dtypeBytes, metadata };
}

/** The tensors whose names start with `prefix` (a sub-model inside one file). */
export function tallyPrefix(all: TensorTally, prefix: string): TensorTally {
  const tensors = all.tensors.filter((t) => t.name.startsWith(prefix));
  const dtypeBytes = new Map<string, number>();
  let bytes = 0;
  for (const t of tensors) {
    const b = byteSizeOf(t);
    bytes += b;
    if (t.shape.length >= 2) dtypeBytes.set(t.dtype, (dtypeBytes.get(t.dtype) ?? 0) + b);
  }
  return { tensors, bytes, dtypeBytes, metadata: all.metadata };
}

const DTYPE_BYTES: Record<string, number> = { F64: 8, I64: 8, U64: 8, F32: 4, I32: 4, U32: 4, F16: 2, BF16: 2, I16: 2, U16: 2, F8_E4M3: 1, F8_E5M2: 1, I8: 1, U8: 1, BOOL: 1 };
function byteSizeOf(t: { dtype: string; numel: number }): number {
  return t.numel * (DTYPE_BYTES[t.dtype] ?? 1);
}

/**
 * MLX quantization of tensors that carry `.scales` but no config says how (flux.swift, a config-less folder):
 * bits and group size read from the shapes. Undefined when nothing is quantized.
 */
export function mlxFromTensors(tensors: readonly ShapedTensor[]): MlxQuantization | undefined {
  const found = inferMlxBits(tensors);
  return found ? { bits: found.bits, groupSize: found.groupSize, mode: "affine", perLayer: new Map() } : undefined;
}

export interface WeightsSummary {
  format: ModelFormat;
  verdict: QuantVerdict;
  mlx?: MlxQuantization;
  parameterCount: number;
  bytes: number;
}

/** A component's weights: MLX-quantized (bits from the tensors) or plain safetensors (the dominant dtype). */
export function summarizeWeights(t: TensorTally): WeightsSummary {
  const mlx = mlxFromTensors(t.tensors);
  const isMlx = mlx !== undefined || t.metadata["format"] === "mlx";
  const verdict = mlx ? mlxQuantization(mlx) : dtypeQuantization(t.dtypeBytes);
  return {
    format: isMlx ? "MLX" : "SAFETENSORS",
    verdict,
    ...(mlx ? { mlx } : {}),
    parameterCount: countParameters(t.tensors, { mlx, mlxScales: mlx !== undefined }),
    bytes: t.bytes,
  };
}
