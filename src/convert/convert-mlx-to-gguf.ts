import { rename, rm, type FileHandle } from "node:fs/promises";
import { CortexError } from "../errors/cortex-error.js";
import { GGML_TYPE as G, ggmlTypeName, llamaFtypeLabel } from "../formats/gguf/ggml-types.js";
import type { GgufWriter } from "../formats/gguf/gguf-writer.js";
import { openSafetensorsCheckpoint } from "../formats/safetensors/read-safetensors-index.js";
import { tensorBytesToFloat32 } from "../formats/safetensors/read-tensor-data.js";
import { affineDequantize } from "../mlx/affine-quantize.js";
import type { ConvertHfToGgufResult, ConvertProgress } from "./convert-hf-to-gguf.js";
import { decodeBuiltin, encodeTensor, isBuiltinType, type DequantizeTensorFn, type QuantizeTensorFn } from "./encode-tensor.js";
import { finishModelKv, openModelHeader, verifyGguf } from "./gguf-model-header.js";
import { readJsonObject } from "./hf-config.js";
import { startConversion, stagingPathOf } from "./conversion-start.js";
import { firstNonF16, QK, Q4_1_BYTES, Q5_1_BYTES, repackQ4_1, repackQ5_1 } from "./mlx-affine-blocks.js";
import { AUTO_MAPPING, mlxQuantizationOf, planMlxConversion, withRepackFallback, type MlxEncoding, type MlxPlannedTensor, type MlxQuantSource } from "./mlx-gguf-plan.js";
import { openShards, readAhead, readTensorRange, tensorChunks } from "./tensor-chunks.js";
import { writeGgufFile } from "./write-gguf-file.js";

export interface ConvertMlxToGgufOptions {
  /** An mlx-lm folder: config.json (with `quantization` when quantized), tokenizer files, safetensors (or shards). */
  readonly sourceDir: string;
  /** Written as `<outPath>.tmp-<pid>-c` and renamed once verified. */
  readonly outPath: string;
  /** `auto` (the bit-exact mapping), f32, f16, bf16, q8_0, q4_1 or q5_1. @default "auto" */
  readonly outtype?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: ConvertProgress) => void;
  /** ggml's quantizers, for Q2_K/Q3_K/Q6_K and re-quantized Q4_1/Q5_1. */
  readonly quantizeTensor?: QuantizeTensorFn;
  /** ggml's dequantizers, to measure the types the converter cannot decode itself (K-quants). */
  readonly dequantizeTensor?: DequantizeTensorFn;
  readonly modelName?: string;
  readonly onWarning?: (message: string) => void;
  /** Rows per chunk keep a chunk's f32 data under this. @default 64 MiB */
  readonly chunkBytes?: number;
  /**
   * Moves the verified staging file onto outPath (a job's no-overwrite publish); may answer another path where the
   * same bytes already are (a job's own earlier output), which becomes the result's outPath. @default rename
   */
  readonly publish?: (staging: string, outPath: string) => Promise<string | void>;
}

/** How far a re-quantized tensor kind is from the MLX weights (f32 `scale·q + bias`). */
export interface MlxDifference {
  /** GGUF name without `blk.N.` (`ffn_down.weight`). */
  readonly kind: string;
  readonly type: string;
  readonly maxAbs: number;
  readonly rms: number;
  /** False when no decoder for `type` was given: the numbers are absent. */
  readonly measured: boolean;
}

export interface MlxConversionReport {
  /** config.json's default quantization, when quantized. */
  readonly quantization?: { readonly bits: number; readonly groupSize: number };
  /** Per tensor kind: "4-bit g64 → Q4_1 (bit-exact)", "BF16 → BF16"… */
  readonly mapping: Readonly<Record<string, string>>;
  /** Quantized tensors written code for code, out of all quantized tensors. */
  readonly bitExact: { readonly exact: number; readonly quantized: number };
  /** Quantized tensors that had an exact mapping but were re-quantized, and why. */
  readonly fallbacks: readonly { readonly tensor: string; readonly type: string; readonly reason: string }[];
  readonly differences: readonly MlxDifference[];
}

/** The same result as a checkpoint conversion (less `hfArchitecture`), plus how the MLX tensors were mapped. */
export interface ConvertMlxToGgufResult extends Omit<ConvertHfToGgufResult, "hfArchitecture"> {
  readonly mlx: MlxConversionReport;
}

/** The variant name the pool and job results give a GGUF made from an MLX model. */
export const GGUF_FROM_MLX = "gguf-from-mlx";

const kindOf = (name: string): string => name.replace(/^blk\.\d+\./, "");

/**
 * An mlx-lm model folder → GGUF (issue #17). Float models convert as their HF checkpoint would; affine 4-bit
 * and 5-bit weights become Q4_1 / Q5_1 blocks carrying the very codes, scales and biases (bit-exact), 8-bit
 * Q8_0 and 2/3/6-bit Q2_K/Q3_K/Q6_K from the dequantized weights, with the difference reported. Architecture,
 * metadata and tokenizer come from the HF converter. The file appears only complete and re-read.
 * @throws CortexError FMT_INVALID / FMT_UNSUPPORTED / CONV_* naming the tensor, QUANT_UNSUPPORTED_TYPE, JOB_CANCELLED.
 */
export async function convertMlxToGguf(o: ConvertMlxToGgufOptions): Promise<ConvertMlxToGgufResult> {
  const dir = o.sourceDir;
  const { checkAbort, config: raw } = await startConversion(dir, o.signal, "an MLX model");
  const configPath = `${dir}/config.json`;
  const quantization = mlxQuantizationOf(raw, configPath);
  // The HF config is what remains: the converter refuses a quantization_config it does not know.
  const { quantization: _q, quantization_config: _qc, ...hfConfig } = raw;
  const header = openModelHeader(dir, hfConfig);
  const checkpoint = await openSafetensorsCheckpoint(dir);
  const planned = planMlxConversion({ checkpoint, arch: header.arch, generated: header.generated, quantization, configPath, outtype: o.outtype ?? "auto" });
  const handles = new Map<string, FileHandle>();
  try {
    const plan = await checkRepacks(planned.tensors, handles);
    if (!o.quantizeTensor) {
      const need = plan.find((t) => !isBuiltinType(t.type) && !("quant" in t.source && t.source.encoding === "repack"));
      if (need) throw new CortexError("QUANT_UNSUPPORTED_TYPE", `tensor "${need.name}" needs ${ggmlTypeName(need.type)}, which needs ggml's quantization kernels (none were given)`);
    }
    const parameterCount = plan.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
    const tokenizer = await finishModelKv(header, { ftype: planned.ftype, parameterCount, warn: o.onWarning ?? (() => undefined), ...(o.modelName !== undefined ? { modelName: o.modelName } : {}) });
    checkAbort();
    const staging = stagingPathOf(o.outPath);
    const stats = await writeMlxGguf(o, header.kv, plan, staging, handles, checkAbort);
    try {
      const fileBytes = await verifyGguf(staging, header.kv.size, plan);
      checkAbort();
      const outPath = (await (o.publish ?? rename)(staging, o.outPath)) ?? o.outPath;
      return {
        outPath, architecture: header.arch.ggufArch, ftype: planned.ftype, ftypeLabel: llamaFtypeLabel(planned.ftype) ?? String(planned.ftype),
        tensors: plan.map((t) => ({ name: t.name, type: t.type, dims: t.dims })), fileBytes, tokenizer, parameterCount,
        mlx: report(plan, stats, quantization ? { bits: quantization.bits, groupSize: quantization.groupSize } : undefined),
      };
    } catch (err) {
      await rm(staging, { force: true });
      throw err;
    }
  } finally {
    for (const fh of handles.values()) await fh.close().catch(() => undefined);
  }
}

/** Read each repack's scales and biases: one that f16 cannot hold exactly makes the tensor fall back to Q8_0. */
async function checkRepacks(plan: readonly MlxPlannedTensor[], handles: Map<string, FileHandle>): Promise<MlxPlannedTensor[]> {
  const out: MlxPlannedTensor[] = [];
  for (const t of plan) {
    if (!("quant" in t.source) || t.source.encoding !== "repack") {
      out.push(t);
      continue;
    }
    const q = t.source.quant;
    let reason: string | undefined;
    for (const part of [q.scales, q.biases]) {
      const values = tensorBytesToFloat32(await readTensorRange(handles, part, 0, part.info.byteSize), part.info.dtype);
      const bad = firstNonF16(values);
      if (bad >= 0) {
        const groups = q.cols / q.groupSize;
        reason = `${part.info.name}[${Math.floor(bad / groups)}, ${bad % groups}] = ${values[bad]} (${part.info.dtype}) is not exactly representable in f16`;
        break;
      }
    }
    out.push(reason ? withRepackFallback(t, reason) : t);
  }
  return out;
}

interface KindStats {
  type: number;
  max: number;
  sumSq: number;
  n: number;
  measured: boolean;
}

async function writeMlxGguf(o: ConvertMlxToGgufOptions, kv: { writeTo(w: GgufWriter): void }, plan: readonly MlxPlannedTensor[], path: string, handles: Map<string, FileHandle>, checkAbort: () => void): Promise<Map<string, KindStats>> {
  const stats = new Map<string, KindStats>();
  const limit = o.chunkBytes ?? 64 << 20;
  const encode = (t: MlxPlannedTensor) => ("quant" in t.source ? quantChunks(o, t, t.source.quant, t.source.encoding, handles, limit, stats) : floatChunks(o, t, handles, limit));
  // As in the checkpoint converter: the next single-chunk tensors are read and encoded while one is written.
  const chunks = readAhead(plan, { single: (t) => single(t, limit), bytes: heldBytes, encode, limit });
  await openShards(plan.flatMap(sourceTensors), handles);
  await writeGgufFile({ path, sourceDir: o.sourceDir, kv, plan, chunks, checkAbort, ...(o.onProgress ? { onProgress: o.onProgress } : {}) });
  return stats;
}

const sourceTensors = (t: MlxPlannedTensor) => ("quant" in t.source ? [t.source.quant.weight, t.source.quant.scales, t.source.quant.biases] : "tensor" in t.source ? [t.source.tensor] : []);

/**
 * Bytes a quantized tensor's row holds while it is encoded: a repack holds the packed words, the f32 scales and
 * biases and the blocks it writes (about 1.25 bytes a weight at 4 bits), a re-quantization the row's f32 values.
 */
function quantRowBytes(q: MlxQuantSource, encoding: MlxEncoding): number {
  if (encoding === "dequantize") return q.cols * 4;
  return (q.cols * q.bits) / 8 + (q.cols / q.groupSize) * 8 + (q.cols / QK) * (q.bits === 4 ? Q4_1_BYTES : Q5_1_BYTES);
}

/** Rows per chunk: a chunk's working data stays under `limit`; permuted tensors come whole. */
function rowsPerChunk(t: MlxPlannedTensor, q: MlxQuantSource, encoding: MlxEncoding, limit: number): number {
  return t.rowOrder ? q.rows : Math.max(1, Math.floor(limit / quantRowBytes(q, encoding)));
}

/** Whether the tensor is encoded in one chunk (a float tensor's f32 values within the limit, as tensorChunks reads). */
function single(t: MlxPlannedTensor, limit: number): boolean {
  if ("quant" in t.source) return rowsPerChunk(t, t.source.quant, t.source.encoding, limit) >= t.source.quant.rows;
  return "generated" in t.source || heldBytes(t) <= limit;
}

function heldBytes(t: MlxPlannedTensor): number {
  if ("quant" in t.source) return t.source.quant.rows * quantRowBytes(t.source.quant, t.source.encoding);
  return t.dims.reduce((a, b) => a * b, 1) * 4;
}

async function* floatChunks(o: ConvertMlxToGgufOptions, t: MlxPlannedTensor, handles: Map<string, FileHandle>, limit: number): AsyncGenerator<Uint8Array> {
  if ("quant" in t.source) return;
  for await (const { data, dims } of tensorChunks({ source: t.source, dims: t.dims, ...(t.transform ? { transform: t.transform } : {}) }, handles, limit)) {
    yield encodeTensor(t.name, data, dims, t.type, t.type === G.F32 || t.type === G.F16 || t.type === G.BF16 ? undefined : o.quantizeTensor);
  }
}

/** Rows `[r, r+n)` of a quantized tensor (or, with a row order, all rows reordered): packed words, scales, biases. */
async function readQuantRows(q: MlxQuantSource, handles: Map<string, FileHandle>, r: number, n: number, order?: Uint32Array) {
  const part = async (t: MlxQuantSource["weight"]): Promise<Buffer> => {
    const rowBytes = t.info.byteSize / q.rows;
    const buf = await readTensorRange(handles, t, r * rowBytes, n * rowBytes);
    if (!order) return buf;
    const moved = Buffer.from(new ArrayBuffer(buf.length));
    for (let i = 0; i < n; i++) buf.copy(moved, i * rowBytes, order[i]! * rowBytes, (order[i]! + 1) * rowBytes);
    return moved;
  };
  const w = await part(q.weight);
  return {
    weight: new Uint32Array(w.buffer, w.byteOffset, w.byteLength / 4),
    scales: tensorBytesToFloat32(await part(q.scales), q.scales.info.dtype),
    biases: tensorBytesToFloat32(await part(q.biases), q.biases.info.dtype),
  };
}

async function* quantChunks(o: ConvertMlxToGgufOptions, t: MlxPlannedTensor, q: MlxQuantSource, encoding: "repack" | "dequantize", handles: Map<string, FileHandle>, limit: number, stats: Map<string, KindStats>): AsyncGenerator<Uint8Array> {
  const perChunk = rowsPerChunk(t, q, encoding, limit);
  for (let r = 0; r < q.rows; r += perChunk) {
    const n = Math.min(perChunk, q.rows - r);
    const rows = await readQuantRows(q, handles, r, n, t.rowOrder);
    if (encoding === "repack") {
      const a = { ...rows, rows: n, cols: q.cols, groupSize: q.groupSize };
      yield q.bits === 4 ? repackQ4_1(a) : repackQ5_1(a);
      continue;
    }
    const data = affineDequantize({ ...rows, rows: n, cols: q.cols, bits: q.bits, groupSize: q.groupSize });
    const mlx = data.slice();
    const bytes = await encodeTensor(t.name, data, [q.cols, n], t.type, t.type === G.F32 || t.type === G.F16 || t.type === G.BF16 || (t.type === G.Q8_0 && !o.quantizeTensor) ? undefined : o.quantizeTensor);
    await measure(o, t, mlx, bytes, stats);
    yield bytes;
  }
}

async function measure(o: ConvertMlxToGgufOptions, t: MlxPlannedTensor, mlx: Float32Array, bytes: Uint8Array, stats: Map<string, KindStats>): Promise<void> {
  const kind = kindOf(t.name);
  let s = stats.get(kind);
  if (!s) stats.set(kind, (s = { type: t.type, max: 0, sumSq: 0, n: 0, measured: true }));
  const got = decodeBuiltin(t.type, bytes, mlx.length) ?? (o.dequantizeTensor ? await o.dequantizeTensor(t.type, bytes, mlx.length) : undefined);
  if (!got) {
    s.measured = false;
    return;
  }
  for (let i = 0; i < mlx.length; i++) {
    const d = Math.abs(got[i]! - mlx[i]!);
    if (d > s.max) s.max = d;
    s.sumSq += d * d;
  }
  s.n += mlx.length;
}

function report(plan: readonly MlxPlannedTensor[], stats: Map<string, KindStats>, quantization: MlxConversionReport["quantization"]): MlxConversionReport {
  const mapping: Record<string, string> = {};
  let exact = 0;
  let quantized = 0;
  const fallbacks: { tensor: string; type: string; reason: string }[] = [];
  for (const t of plan) {
    const to = ggmlTypeName(t.type) ?? String(t.type);
    let from: string;
    if ("quant" in t.source) {
      const q = t.source.quant;
      quantized++;
      const isExact = t.source.encoding === "repack";
      if (isExact) exact++;
      if (t.fallback) fallbacks.push({ tensor: t.name, type: to, reason: t.fallback });
      from = `${q.bits}-bit g${q.groupSize} → ${to}${isExact ? " (bit-exact)" : " (re-quantized)"}`;
    } else if ("generated" in t.source) {
      from = `generated → ${to}`;
    } else {
      from = `${t.source.tensor.info.dtype} → ${to}`;
    }
    const kind = kindOf(t.name);
    const prev = mapping[kind];
    mapping[kind] = prev === undefined || prev === from ? from : prev.split("; ").includes(from) ? prev : `${prev}; ${from}`;
  }
  const differences = [...stats].map(([kind, s]) => ({
    kind, type: ggmlTypeName(s.type) ?? String(s.type), measured: s.measured,
    maxAbs: s.measured ? s.max : NaN, rms: s.measured && s.n > 0 ? Math.sqrt(s.sumSq / s.n) : NaN,
  }));
  return { ...(quantization ? { quantization } : {}), mapping, bitExact: { exact, quantized }, fallbacks, differences };
}

/** Bit widths `auto` repacks without loss (Q4_1, Q5_1). */
export const AUTO_MAPPING_EXACT_BITS: readonly number[] = Object.entries(AUTO_MAPPING).filter(([, m]) => m.exact).map(([b]) => Number(b));

/**
 * An MLX-quantized folder's default quantization and the file type `auto` gives it ("Q4_1" for 4-bit…), read
 * from config.json alone; undefined for a folder that is not MLX-quantized (a float MLX model converts as its
 * HF checkpoint would).
 * @throws CortexError FMT_INVALID for a malformed quantization object.
 */
export async function mlxGgufAuto(dir: string): Promise<{ readonly bits: number; readonly groupSize: number; readonly label: string } | undefined> {
  const raw = await readJsonObject(dir, "config.json");
  const q = raw ? mlxQuantizationOf(raw, `${dir}/config.json`) : undefined;
  if (!q) return undefined;
  const auto = AUTO_MAPPING[q.bits];
  if (!auto) throw new CortexError("FMT_INVALID", `${dir}/config.json: ${q.bits}-bit affine quantization is not an MLX bit width (2, 3, 4, 5, 6, 8)`);
  return { bits: q.bits, groupSize: q.groupSize, label: llamaFtypeLabel(auto.ftype) ?? String(auto.ftype) };
}
