import { quantizationForModule, type MlxQuantization } from "../../mlx/mlx-config.js";

/** What counting needs to know about a tensor (from a safetensors header). */
export interface CountedTensor {
  readonly name: string;
  readonly dtype: string;
  readonly numel: number;
}

/** Side tensors of quantized layers: scales, zero points, index maps, quant states — not parameters. */
const SIDE_SUFFIXES = [".qzeros", ".g_idx", ".weight_scale", ".weight_zero_point", ".weight_shape", ".weight_g_idx", ".SCB", ".weight_format", ".absmax", ".quant_map", ".nested_absmax", ".nested_quant_map"];

/**
 * Parameters summed from tensor shapes, with packed quantized weights unpacked to their logical element count:
 * MLX (`weight` U32 beside `scales`: × 32/bits per layer), GPTQ/AWQ (`qweight`: × 32/bits), compressed-tensors
 * (`weight_packed`: × 32/bits), bitsandbytes 4-bit (U8 `weight`: × 2). Scales, biases of quantized layers, zero
 * points and quant states are not counted.
 */
export function countParameters(tensors: readonly CountedTensor[], opts: { mlx?: MlxQuantization | undefined; mlxScales?: boolean; packedBits?: number | undefined; bnb4?: boolean } = {}): number {
  const names = new Set(tensors.map((t) => t.name));
  const mlxAware = opts.mlx !== undefined || opts.mlxScales === true;
  let total = 0;
  for (const t of tensors) {
    const n = t.name;
    if (SIDE_SUFFIXES.some((s) => n.endsWith(s)) || n.includes(".quant_state.")) continue;
    if (n.endsWith(".scales") && (names.has(`${n.slice(0, -7)}.weight`) || names.has(`${n.slice(0, -7)}.qweight`))) continue;
    if (mlxAware && n.endsWith(".biases") && names.has(`${n.slice(0, -7)}.scales`)) continue;
    if (n.endsWith(".qweight") || n.endsWith(".weight_packed")) {
      total += (t.numel * 32) / (opts.packedBits ?? 4);
      continue;
    }
    if (mlxAware && n.endsWith(".weight") && t.dtype === "U32" && names.has(`${n.slice(0, -7)}.scales`)) {
      const layer = n.slice(0, -7);
      const bits = opts.mlx ? (quantizationForModule(opts.mlx, layer, true)?.bits ?? opts.mlx.bits) : undefined;
      // Without a config the bits are unknown: 4 is mlx-lm's default.
      total += (t.numel * 32) / (bits ?? 4);
      continue;
    }
    if (opts.bnb4 && n.endsWith(".weight") && t.dtype === "U8" && (names.has(`${n}.absmax`) || names.has(`${n.slice(0, -7)}.weight.absmax`))) {
      total += t.numel * 2;
      continue;
    }
    total += t.numel;
  }
  return Math.round(total);
}
