/** A tensor as the F16 conversion sizes it. */
export interface SizedTensor {
  readonly numel: number;
  readonly shape: readonly number[];
}

/**
 * The weights a checkpoint folder is served with, from its safetensors headers: an MLX-quantized model as its
 * packed bytes (its GGUF keeps the bits: Q4_1 for 4-bit…), anything else as the F16 GGUF the pool converts it
 * to (matrices at 2 bytes, 1-D tensors — norms, biases — kept at F32 by the converter).
 */
export function servedWeightsBytes(tensors: readonly SizedTensor[], mlxQuantized: { dataBytes: number } | undefined): number {
  if (mlxQuantized) return mlxQuantized.dataBytes;
  let bytes = 0;
  for (const t of tensors) bytes += t.numel * (t.shape.length >= 2 ? 2 : 4);
  return bytes;
}
