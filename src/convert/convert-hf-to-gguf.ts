import { checkGgufSource } from "./gguf-source-check.js";
import { rename, rm, type FileHandle } from "node:fs/promises";
import { CortexError } from "../errors/cortex-error.js";
import { GGML_TYPE as G, llamaFtypeLabel } from "../formats/gguf/ggml-types.js";
import { openSafetensorsCheckpoint } from "../formats/safetensors/read-safetensors-index.js";
import { planConversion, resolveMode, type PlannedTensor } from "./convert-plan.js";
import { openShards, readAhead, tensorChunks } from "./tensor-chunks.js";
import { writeGgufFile } from "./write-gguf-file.js";
import { encodeTensor, isBuiltinType, roundThrough, type QuantizeTensorFn } from "./encode-tensor.js";
import { startConversion, stagingPathOf } from "./conversion-start.js";
import { finishModelKv, openModelHeader, verifyGguf } from "./gguf-model-header.js";
import { GgufKvList } from "./gguf-kv-list.js";
import type { QuantMixOptions } from "./quant-mix-rules.js";
import type { TokenizerSummary } from "./tokenizer-to-gguf.js";

/** Progress after each tensor (and each chunk of a large one). */
export interface ConvertProgress {
  /** GGUF name of the tensor being written. */
  readonly tensor: string;
  /** Tensors completed. */
  readonly done: number;
  readonly total: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

export interface ConvertHfToGgufOptions {
  /** Folder with config.json, tokenizer files and model.safetensors (or shards + index). */
  readonly sourceDir: string;
  /** Output .gguf path; written as `<outPath>.tmp-<pid>-c` (swept when its writer is dead) and renamed once verified. */
  readonly outPath: string;
  /**
   * Moves the verified staging file onto outPath (a job's no-overwrite publish); may answer another path where the
   * same bytes already are (a job's own earlier output), which becomes the result's outPath. @default rename
   */
  readonly publish?: (staging: string, outPath: string) => Promise<string | void>;
  /**
   * convert_hf_to_gguf's `f32`, `f16`, `bf16`, `q8_0` or `auto` (case-insensitive); or a llama-quantize type
   * (`Q4_K_M`, `Q5_K_M`, `Q6_K`, `Q4_0`…): the same bytes as converting to `intermediate` and running
   * llama-quantize, in one pass. Non-built-in types need `quantizeTensor`.
   * @default "auto"
   */
  readonly outtype?: string;
  /** One-pass quantization: the outtype of the implied intermediate file. @default "auto" */
  readonly intermediate?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: ConvertProgress) => void;
  /** Quantization kernels for types other than F32/F16/BF16/Q8_0 (and Q8_0 when given). */
  readonly quantizeTensor?: QuantizeTensorFn;
  /** llama-quantize flags for the one-pass path. */
  readonly quantOptions?: QuantMixOptions;
  /** `--model-name`. */
  readonly modelName?: string;
  /** `--metadata` override object (GGUF keys: "general.name", "general.license"…). */
  readonly metadataOverride?: Readonly<Record<string, unknown>>;
  /** Force `tokenizer.ggml.pre` for byte-level BPE tokenizers instead of detecting it. */
  readonly preTokenizer?: string;
  /** Non-fatal notes (unknown rope type, out-of-range special tokens…). */
  readonly onWarning?: (message: string) => void;
  /** Rows per chunk are chosen so a chunk's f32 data stays under this. @default 64 MiB */
  readonly chunkBytes?: number;
}

export interface ConvertHfToGgufResult {
  readonly outPath: string;
  readonly architecture: string;
  readonly hfArchitecture: string;
  /** `general.file_type`. */
  readonly ftype: number;
  /** "F16", "BF16", "Q8_0", "Q4_K_M"… */
  readonly ftypeLabel: string;
  readonly tensors: readonly { readonly name: string; readonly type: number; readonly dims: readonly number[] }[];
  readonly fileBytes: number;
  readonly tokenizer: TokenizerSummary;
  readonly parameterCount: number;
}


/**
 * Convert a Hugging Face safetensors checkpoint to GGUF as llama.cpp's convert_hf_to_gguf.py does (same
 * metadata keys in the same order, tensor names, q/k permutation, per-tensor types), streaming one tensor
 * (or one chunk of rows) at a time. With a llama-quantize outtype the result equals convert + llama-quantize.
 * The file appears at `outPath` only when complete and re-read: on any error or abort nothing is left.
 * @throws CortexError CONV_UNSUPPORTED_ARCH, CONV_MISSING_TOKENIZER, CONV_SHAPE_MISMATCH, CONV_FAILED,
 * QUANT_UNSUPPORTED_TYPE, FMT_INVALID, JOB_CANCELLED, IO_*.
 */
export async function convertHfToGguf(o: ConvertHfToGgufOptions): Promise<ConvertHfToGgufResult> {
  const dir = o.sourceDir;
  const warn = o.onWarning ?? (() => undefined);
  // Pipelines, non-LLM architectures and pickle-only checkpoints fail first, naming what they are.
  await checkGgufSource(dir);
  const { checkAbort, config: raw } = await startConversion(dir, o.signal, "a Hugging Face checkpoint");
  const header = openModelHeader(dir, raw);
  const { arch, kv, params, configPath } = header;
  const qc = params.quantization_config;
  if (qc !== undefined && qc !== null) {
    const method = typeof qc === "object" ? (qc as Record<string, unknown>).quant_method : qc;
    throw new CortexError("CONV_FAILED", `${configPath}: pre-quantized checkpoints (quant_method ${JSON.stringify(method)}) are not supported`);
  }
  const checkpoint = await openSafetensorsCheckpoint(dir);
  const mode = resolveMode(o.outtype ?? "auto", checkpoint, o.intermediate);
  const plan = planConversion({
    checkpoint, arch, generated: header.generated, mode, configPath, blockCount: header.blockCount, nGqa: header.nGqa, nExpert: header.nExpert,
    ...(o.quantOptions ? { quantOptions: o.quantOptions } : {}),
  });
  if (!o.quantizeTensor) {
    const need = plan.find((t) => !isBuiltinType(t.type));
    if (need) throw new CortexError("QUANT_UNSUPPORTED_TYPE", `${o.outtype} needs ggml quantization kernels for "${need.name}" (none were given)`);
  }
  const parameterCount = plan.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
  const tokenizer = await finishModelKv(header, {
    ftype: mode.kind === "convert" ? mode.ftype : mode.intermediateFtype, parameterCount, warn,
    ...(o.modelName !== undefined ? { modelName: o.modelName } : {}), ...(o.metadataOverride ? { metadataOverride: o.metadataOverride } : {}), ...(o.preTokenizer !== undefined ? { preTokenizer: o.preTokenizer } : {}),
  });
  if (mode.kind === "quantize") {
    // llama-quantize's gguf_set_val_u32 removes and re-appends both keys.
    kv.setLast("general.quantization_version", 4, 2).setLast("general.file_type", 4, mode.ftype);
  }
  checkAbort();

  const staging = stagingPathOf(o.outPath);
  await writeGguf(o, dir, kv, plan, staging, checkAbort);
  try {
    const fileBytes = await verifyGguf(staging, kv.size, plan);
    checkAbort();
    const outPath = (await (o.publish ?? rename)(staging, o.outPath)) ?? o.outPath;
    return {
      outPath, architecture: arch.ggufArch, hfArchitecture: header.hparams.architecture, ftype: mode.ftype, ftypeLabel: llamaFtypeLabel(mode.ftype) ?? String(mode.ftype),
      tensors: plan.map((t) => ({ name: t.name, type: t.type, dims: t.dims })), fileBytes, tokenizer, parameterCount,
    };
  } catch (err) {
    await rm(staging, { force: true });
    throw err;
  }
}

async function writeGguf(o: ConvertHfToGgufOptions, dir: string, kv: GgufKvList, plan: readonly PlannedTensor[], path: string, checkAbort: () => void): Promise<void> {
  const handles = new Map<string, FileHandle>();
  const chunkLimit = o.chunkBytes ?? 64 << 20;
  async function* encode(t: PlannedTensor): AsyncGenerator<Uint8Array> {
    for await (const { data, dims } of tensorChunks(t, handles, chunkLimit)) {
      if (t.roundVia !== undefined) roundThrough(data, t.roundVia);
      yield encodeTensor(t.name, data, dims, t.type, t.type === G.F32 || t.type === G.F16 || t.type === G.BF16 ? undefined : o.quantizeTensor);
    }
  }
  // Tensors of one chunk are read, converted and handed to the quantizer a few ahead: this thread reads the next
  // ones while the pool's threads quantize the current one. Larger tensors stream chunk by chunk, so memory stays
  // bounded by the chunk size.
  const f32Bytes = (t: PlannedTensor) => t.dims.reduce((a, b) => a * b, 1) * 4;
  const chunks = readAhead(plan, { single: (t) => "generated" in t.source || f32Bytes(t) <= chunkLimit, bytes: f32Bytes, encode, limit: chunkLimit });
  try {
    await openShards(plan.flatMap((t) => ("tensor" in t.source ? [t.source.tensor] : [])), handles);
    await writeGgufFile({ path, sourceDir: dir, kv, plan, chunks, checkAbort, ...(o.onProgress ? { onProgress: o.onProgress } : {}) });
  } finally {
    for (const fh of handles.values()) await fh.close().catch(() => undefined);
  }
}
