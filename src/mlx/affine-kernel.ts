/**
 * The WebAssembly SIMD kernel (affine-kernel.c) behind affineQuantize: the same arithmetic as the JS loop,
 * several times faster. Input is fed through the module's memory in chunks of whole groups, so its memory stays
 * a few MiB whatever the tensor size. Returns undefined when WebAssembly SIMD is unavailable or the kernel
 * declines a chunk (non-finite input): the caller then runs the JS path, which also words the error.
 */
import { AFFINE_KERNEL_WASM_BASE64 } from "./affine-kernel-wasm.js";

// The tsconfig libs carry no WebAssembly types; this is the little used here.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
};

interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  __heap_base: { value: number };
  affine_quantize(src: number, kind: number, groups: number, gs: number, bits: number, tMax: number, w: number, s: number, b: number, bf16Out: number): number;
}

/** Elements per chunk copied into the module (a multiple of every group size). */
const CHUNK = 1 << 18;

let kernel: KernelExports | null | undefined;

function load(): KernelExports | null {
  if (kernel !== undefined) return kernel;
  try {
    const mod = new WebAssembly.Module(Buffer.from(AFFINE_KERNEL_WASM_BASE64, "base64"));
    kernel = new WebAssembly.Instance(mod, {}).exports as unknown as KernelExports;
    const base = (kernel.__heap_base.value + 15) & ~15;
    const need = base + CHUNK * 4 + CHUNK + CHUNK / 4; // input (f32), codes (≤ 1 byte each), scales + biases (≤ CHUNK/32 each)
    const have = kernel.memory.buffer.byteLength;
    if (need > have) kernel.memory.grow(Math.ceil((need - have) / 65536));
  } catch {
    kernel = null; // no WebAssembly SIMD here: JS only
  }
  return kernel;
}

/** Whether the WebAssembly kernel is in use (tests run both paths). */
export function affineKernelAvailable(): boolean {
  return load() !== null;
}

/** Kernel input: `length` elements (f32, or bf16 bit patterns) that `fill` copies into the module on demand. */
export interface KernelInput {
  bf16: boolean;
  length: number;
  /** Write elements `start…start+count` as little-endian bytes into `dst` (exactly `count` elements long). */
  fill(dst: Uint8Array, start: number, count: number): void;
}

/** A KernelInput over values in memory. */
export function arrayInput(values: Float32Array | Uint16Array): KernelInput {
  const size = values.BYTES_PER_ELEMENT;
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return { bf16: size === 2, length: values.length, fill: (dst, start, count) => dst.set(bytes.subarray(start * size, (start + count) * size)) };
}

/**
 * Quantize `input` — values already in the model dtype, shape checked by the caller — into `weight`, `scales`,
 * `biases` (rounded to bfloat16 when `roundBf16`, else left f32). Returns false (outputs partly written) when the kernel is unavailable or met a group it leaves to
 * the JS path.
 */
export function affineQuantizeKernel(
  input: KernelInput,
  groupSize: number,
  bits: number,
  tMax: number,
  weight: Uint32Array,
  scales: Float32Array,
  biases: Float32Array,
  roundBf16: boolean,
): boolean {
  const k = load();
  if (!k) return false;
  const size = input.bf16 ? 2 : 4;
  const base = (k.__heap_base.value + 15) & ~15;
  const inPtr = base;
  const wPtr = inPtr + CHUNK * 4;
  const sPtr = wPtr + CHUNK;
  const bPtr = sPtr + CHUNK / 8;
  const mem = k.memory.buffer;
  const wordsPerGroup = (groupSize * bits) / 32;
  for (let start = 0; start < input.length; start += CHUNK) {
    const n = Math.min(CHUNK, input.length - start);
    const groups = n / groupSize;
    const g0 = start / groupSize;
    input.fill(new Uint8Array(mem, inPtr, n * size), start, n);
    if (k.affine_quantize(inPtr, input.bf16 ? 1 : 0, groups, groupSize, bits, tMax, wPtr, sPtr, bPtr, roundBf16 ? 1 : 0) !== -1) return false;
    weight.set(new Uint32Array(mem, wPtr, groups * wordsPerGroup), g0 * wordsPerGroup);
    scales.set(new Float32Array(mem, sPtr, groups), g0);
    biases.set(new Float32Array(mem, bPtr, groups), g0);
  }
  return true;
}
