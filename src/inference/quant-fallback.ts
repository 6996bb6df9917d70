import { GGML_TYPE_SIZES, type GgmlTypeName } from "../formats/gguf/ggml-types.js";
import { formatBytes as human } from "./format-bytes.js";

/** Variants the pool may load instead of a model that does not fit. */
export type FallbackType = "Q8_0" | "Q4_K_M";
/**
 * What a quantizer makes: a fallback, or (from a SafeTensors checkpoint, which llama.cpp cannot load) its F16 GGUF,
 * or (from an MLX-quantized model) its GGUF in the bit-exact mapping ("MLX": Q4_1 for 4-bit, Q5_1 for 5-bit…).
 */
export type VariantType = FallbackType | "F16" | "MLX";

/** Average bits per weight of a GGUF weight type; Q4_K_M mixes q4_K and q6_K (4.91 BPW measured by llama-quantize). */
export function bitsPerWeight(type: string): number | undefined {
  if (type === "Q4_K_M") return 4.91;
  if (type === "Q4_K_S") return 4.58;
  if (type === "Q5_K_M") return 5.69;
  const sizes = GGML_TYPE_SIZES[type as GgmlTypeName];
  if (!sizes) return undefined;
  const [block, bytes] = sizes;
  return (bytes * 8) / block;
}

export interface FallbackInput {
  /** Dominant weight type of the original file ("F16", "BF16", "F32", "Q8_0"…). */
  originalType: string;
  weightsBytes: number;
  /** KV cache and buffers: the same whatever the weights' type. */
  contextBytes: number;
  /** What the model may use: free memory plus what eviction could free. */
  availableBytes: number;
}

export type FallbackChoice =
  | { variant: "original"; estimatedBytes: number; reason: string }
  | { variant: FallbackType; estimatedBytes: number; reason: string }
  | { variant: undefined; reason: string };

/**
 * Chooses what to load (pure): the original when it fits; else Q8_0 (near-lossless, preferred); Q4_K_M only when
 * Q8_0 does not fit; never a variant that is no smaller than the original (a Q4 file is not "re-quantized" up).
 */
export function chooseFallback(input: FallbackInput): FallbackChoice {
  const original = input.weightsBytes + input.contextBytes;
  if (original <= input.availableBytes) return { variant: "original", estimatedBytes: original, reason: `fits as ${input.originalType} (${human(original)})` };
  const bpw = bitsPerWeight(input.originalType);
  if (bpw === undefined) return { variant: undefined, reason: `${human(original)} does not fit in ${human(input.availableBytes)}, and ${input.originalType} weights cannot be re-quantized` };
  const tried: string[] = [];
  for (const variant of ["Q8_0", "Q4_K_M"] as const) {
    const vbpw = bitsPerWeight(variant)!;
    if (vbpw >= bpw) continue;
    const estimated = Math.ceil((input.weightsBytes * vbpw) / bpw) + input.contextBytes;
    if (estimated <= input.availableBytes) {
      return { variant, estimatedBytes: estimated, reason: `${input.originalType} needs ${human(original)}, ${human(input.availableBytes)} available; ${variant} needs ${human(estimated)}${tried.length ? ` (${tried.join(", ")})` : ""}` };
    }
    tried.push(`${variant} would need ${human(estimated)}`);
  }
  return { variant: undefined, reason: `${input.originalType} needs ${human(original)}, ${human(input.availableBytes)} available${tried.length ? `; ${tried.join(", ")}` : "; no smaller variant exists"}` };
}

/**
 * Produces variants (the conversion and quantization jobs). The pool asks for one only when chooseFallback picked
 * it, or for a checkpoint's GGUF; `existing` lets a variant made earlier be reused without a job. `source` is a
 * GGUF file or a SafeTensors checkpoint folder.
 */
export interface Quantizer {
  /** Path of an existing, up-to-date variant of `source`, if one was made before. */
  existing(source: string, type: VariantType): Promise<string | undefined>;
  /** Makes `type` from `source` (typically by submitting a job and waiting for it); resolves the new file. */
  quantize(source: string, type: VariantType, signal: AbortSignal): Promise<string>;
}
