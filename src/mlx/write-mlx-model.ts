/**
 * Writes an MLX model folder as mlx-lm's `save` does (formats.md §2.4–2.8): tensors streamed one parameter at a
 * time from an opened source (read → dtype cast → optional transform → affine quantization on the worker
 * pool → shard), shards of at most 5 GiB with {"format": "mlx"} and an always-present index, config.json with
 * `quantization`/`quantization_config`, tokenizer and the other files mlx-lm keeps. A weight quantized as
 * stored is read by the workers themselves, a few tensors ahead of the writer (see Lookahead); this thread
 * only writes, and the shards are hashed on another thread. Peak memory is bounded by the lookahead.
 */
import crypto from "node:crypto";
import { readdir, writeFile } from "node:fs/promises";
import { readSmallFile } from "../formats/quiet-read.js";
import path from "node:path";
import { CortexError } from "../errors/cortex-error.js";
import { SAFETENSORS_INDEX_NAME } from "../formats/safetensors/read-safetensors-index.js";
import { readTensorBytes as readStoredBytes } from "../formats/safetensors/read-tensor-data.js";
import type { SafetensorsDtype } from "../formats/safetensors/safetensors-dtypes.js";
import { buildSafetensorsHeader, type SafetensorsTensorDecl } from "../formats/safetensors/safetensors-writer.js";
import { formatSafetensorsIndex, planSafetensorsShards, writeShardPlan, type TensorSource } from "../formats/safetensors/write-sharded-safetensors.js";
import { encodeDtype, safetensorsDtypeOf, type ModelDtype } from "./float-convert.js";
import type { MixedRecipe } from "./mixed-recipes.js";
import { buildMlxConfig, serializeMlxConfig } from "./mlx-config.js";
import { Lookahead, type LookaheadJob } from "../platform/lookahead.js";
import { readParamBytes, readParamFloat32, type MlxSourceModel, type SourceParam } from "./mlx-source.js";
import type { AffineQuantized } from "./affine-quantize.js";
import type { QuantizePool } from "./quantize-pool.js";
import { OffThreadSha256 } from "./sha256-off-thread.js";
import { inferModulesFromTensors, planQuantization, type QuantizationPlan, type QuantParams } from "./quantize-rules.js";

/**
 * Quantization jobs in flight ahead of the writer and their source bytes (the next one always starts). The
 * workers read sources in chunks, so what a job holds is its output: about a quarter of its source at 4 bits.
 */
const LOOKAHEAD_JOBS = 8;
const LOOKAHEAD_BYTES = 256 << 20;

/** mlx-lm `make_shards` default: 5 GiB. */
export const MLX_MAX_SHARD_BYTES = 5 << 30;

export interface MlxWriteOptions {
  /** Cast every floating parameter to this dtype (mlx-lm `--dtype`); default: config torch_dtype, else as stored. */
  dtype?: ModelDtype;
  /** Quantize (mlx-lm `-q`): top-level bits/group size and an optional mixed recipe. */
  quantize?: { bits: number; groupSize: number; recipe?: MixedRecipe };
  /** Re-quantize every weight the source stores quantized with its own parameters (fusing into a quantized base). */
  keepQuantization?: boolean;
  /** Changes a parameter's f32 values (LoRA fusion); called only for names in `transformNames`. */
  transform?: (param: SourceParam, values: Float32Array) => Float32Array;
  transformNames?: ReadonlySet<string>;
  pool: QuantizePool;
  signal?: AbortSignal;
  onProgress?: (p: { doneBytes: number; totalBytes: number; tensor: string }) => void;
  /** @default MLX_MAX_SHARD_BYTES */
  maxShardBytes?: number;
  /** Extra small files to write (name → text), e.g. fine_tuned.marker. */
  extraFiles?: Record<string, string>;
}

export interface MlxWriteResult {
  /** Files written, folder-relative. */
  files: string[];
  sha256: Record<string, string>;
  /** Bytes of all files written. */
  bytes: number;
  plan?: QuantizationPlan;
  /** The dtype floating parameters were written in (undefined: as stored). */
  dtype?: ModelDtype;
  parameters: number;
  tensors: number;
}

/** Files mlx-lm's save keeps besides weights and config: tokenizer files, generation config, model code. */
const KEEP_FILE = /^(tokenizer.*|special_tokens_map\.json|added_tokens\.json|vocab\.(json|txt)|merges\.txt|.*\.tiktoken|tiktoken\.model|.*\.jinja|generation_config\.json|.*\.py)$/;
const TOKENIZER_FILE = /^(tokenizer\.json|tokenizer\.model|vocab\.json|.*\.tiktoken|tiktoken\.model)$/;

/**
 * Write `src` into the (empty, existing) folder `outDir`.
 * @throws CortexError CONV_MISSING_TOKENIZER, JOB_CANCELLED, plan/quantizer errors; `outDir` is then partial,
 *   so callers write into a temporary folder (see publishFolder).
 */
export async function writeMlxModel(src: MlxSourceModel, outDir: string, options: MlxWriteOptions): Promise<MlxWriteResult> {
  const entries = await readdir(src.dir);
  const keep = entries.filter((f) => KEEP_FILE.test(f)).sort();
  if (!keep.some((f) => TOKENIZER_FILE.test(f))) throw new CortexError("CONV_MISSING_TOKENIZER", `${src.dir}: no tokenizer (tokenizer.json, tokenizer.model, vocab.json or *.tiktoken); mlx-lm cannot load the model without one`);

  const dtype = options.dtype ?? src.configDtype;
  if (options.quantize || options.keepQuantization) options.pool.warmUp();
  const plan = options.quantize ? planFor(src, options.quantize) : undefined;
  const quantOf = new Map<string, QuantParams>();
  for (const l of plan?.layers ?? []) quantOf.set(`${l.path}.weight`, l.params);
  if (options.keepQuantization) for (const p of src.params) if (p.quant) quantOf.set(p.name, p.quant);

  const decls: SafetensorsTensorDecl[] = [];
  const sources: TensorSource[] = [];
  const stash = new Map<string, Uint8Array>();
  const totalBytes = src.totalBytes;
  let doneBytes = 0;
  const step = (p: SourceParam) => {
    doneBytes += p.sourceBytes;
    options.onProgress?.({ doneBytes, totalBytes, tensor: p.name });
  };
  const load = async (p: SourceParam): Promise<{ values: Float32Array; exact: boolean }> => {
    options.signal?.throwIfAborted();
    let values = await readParamFloat32(src, p);
    const transformed = options.transform && options.transformNames?.has(p.name);
    if (transformed) values = options.transform!(p, values);
    return { values, exact: !transformed && !p.quant && p.floatDtype === (dtype ?? p.floatDtype) };
  };

  // Quantization jobs, started ahead of the writer (see Lookahead) once the shard order is known.
  const quantJobs = new Map<string, LookaheadJob<AffineQuantized>>();
  const quantizeParam = async (p: SourceParam, q: QuantParams, outDtype: ModelDtype): Promise<AffineQuantized> => {
    options.signal?.throwIfAborted();
    const cols = p.shape[p.shape.length - 1]!;
    const opts = { bits: q.bits, groupSize: q.group_size, dtype: outDtype, name: p.name };
    if (!p.quant && !options.transformNames?.has(p.name) && (p.dtype === "BF16" || p.dtype === "F16" || p.dtype === "F32")) {
      // The workers read the stored bytes themselves: reading, conversion and quantization all off this thread.
      const { shard, info } = src.checkpoint.tensors.get(p.name)!;
      return options.pool.quantizeFile({ file: shard.path, offset: info.start, dtype: p.dtype }, p.numel / cols, cols, opts, options.signal);
    }
    const { values, exact } = await load(p);
    return options.pool.quantize(values, p.numel / cols, cols, { ...opts, inputInDtype: exact }, options.signal);
  };

  for (const p of src.params) {
    const outDtype = p.floatDtype ? (dtype ?? p.floatDtype) : undefined;
    const q = quantOf.get(p.name);
    if (q && outDtype) {
      const module = p.name.slice(0, -".weight".length);
      const cols = p.shape[p.shape.length - 1]!;
      const groupsShape = [...p.shape.slice(0, -1), cols / q.group_size];
      const st = safetensorsDtypeOf(outDtype);
      const passThrough = p.quant !== undefined && sameParams(p.quant, q) && outDtype === p.floatDtype && !options.transformNames?.has(p.name);
      decls.push({ name: p.name, dtype: "U32", shape: [...p.shape.slice(0, -1), (cols * q.bits) / 32] });
      if (!passThrough) quantJobs.set(p.name, { key: p.name, bytes: p.sourceBytes, start: () => quantizeParam(p, q, outDtype) });
      decls.push({ name: `${module}.scales`, dtype: st, shape: groupsShape });
      decls.push({ name: `${module}.biases`, dtype: st, shape: groupsShape });
      sources.push({
        ...decls.at(-3)!,
        data: async () => {
          if (passThrough) {
            // Already quantized with these parameters and not changed: copied as stored (no re-quantization drift).
            options.signal?.throwIfAborted();
            for (const leaf of ["scales", "biases"]) stash.set(`${module}.${leaf}`, await readTensorBytes(src, `${module}.${leaf}`));
            const w = await readTensorBytes(src, p.name);
            step(p);
            return w;
          }
          const r = await ahead.take(p.name);
          stash.set(`${module}.scales`, r.encoded?.scales ?? encodeDtype(r.scales, outDtype));
          stash.set(`${module}.biases`, r.encoded?.biases ?? encodeDtype(r.biases, outDtype));
          step(p);
          return r.weight;
        },
      });
      for (const leaf of ["scales", "biases"]) sources.push({ ...decls.find((d) => d.name === `${module}.${leaf}`)!, data: async () => take(stash, `${module}.${leaf}`) });
      continue;
    }
    const st: SafetensorsDtype = outDtype ? safetensorsDtypeOf(outDtype) : p.dtype;
    decls.push({ name: p.name, dtype: st, shape: p.shape });
    sources.push({
      ...decls.at(-1)!,
      data: async () => {
        options.signal?.throwIfAborted();
        const untouched = !outDtype || (!p.quant && st === p.dtype && !options.transformNames?.has(p.name));
        const bytes = untouched ? await readParamBytes(src, p) : encodeDtype((await load(p)).values, outDtype!);
        step(p);
        return bytes;
      },
    });
  }

  const shardPlan = planSafetensorsShards(decls, options.maxShardBytes ?? MLX_MAX_SHARD_BYTES, "mlx");
  const writeOrder = shardPlan.shards.flatMap((s) => s.tensors.map((t) => quantJobs.get(t.name))).filter((j) => j !== undefined);
  const ahead = new Lookahead(writeOrder, LOOKAHEAD_JOBS, LOOKAHEAD_BYTES);
  // Hash each shard (on a worker thread) as it is written: the header is what the writer will write, then the tensors in order.
  const metadata = { format: "mlx" };
  const hasher = new OffThreadSha256();
  for (const s of shardPlan.shards) hasher.update(s.file, buildSafetensorsHeader(s.tensors, { metadata, pad: false }).bytes);
  const hashed: TensorSource[] = sources.map((s) => ({
    ...s,
    data: async () => {
      const bytes = await (s.data as () => Promise<ArrayBufferView>)();
      hasher.update(shardPlan.weightMap.get(s.name)!, bytes);
      return bytes;
    },
  }));
  const parameters = src.params.reduce((s, p) => s + p.numel, 0);
  const writeShards = async () => {
    try {
      await writeShardPlan(outDir, shardPlan, hashed, { style: "mlx", metadata, indexMetadata: { total_parameters: parameters }, fsync: true });
      return await hasher.digests();
    } finally {
      await hasher.close();
    }
  };
  // The kept files (tokenizer, …) are copied while the shards are written: independent work, and the writer mostly waits.
  const kept = new Map<string, { sha256: string; bytes: number }>();
  const copyKept = async () => {
    for (const f of keep) {
      options.signal?.throwIfAborted();
      const buf = await readSmallFile(path.join(src.dir, f));
      await writeFile(path.join(outDir, f), buf);
      kept.set(f, { sha256: crypto.createHash("sha256").update(buf).digest("hex"), bytes: buf.length });
    }
  };
  // Both settle before any error is thrown, so nothing still writes into outDir when the caller removes it.
  const [shards, copied] = await Promise.allSettled([writeShards(), copyKept()]);
  if (shards.status === "rejected") throw shards.reason;
  if (copied.status === "rejected") throw copied.reason;
  const shardHashes = shards.value;

  const sha256: Record<string, string> = {};
  let bytes = 0;
  for (const s of shardPlan.shards) {
    sha256[s.file] = shardHashes[s.file]!;
    bytes += buildSafetensorsHeader(s.tensors, { metadata, pad: false }).bytes.length + s.bytes;
  }
  const small: Record<string, string> = {
    [SAFETENSORS_INDEX_NAME]: formatSafetensorsIndex(shardPlan, "mlx", { total_parameters: parameters }),
    "config.json": serializeMlxConfig(buildMlxConfig(src.config, { ...(plan ? { plan } : {}), ...(src.generationConfig ? { generationConfig: src.generationConfig } : {}) })),
    ...options.extraFiles,
  };
  for (const [name, text] of Object.entries(small)) {
    if (name !== SAFETENSORS_INDEX_NAME) await writeFile(path.join(outDir, name), text);
    sha256[name] = crypto.createHash("sha256").update(text).digest("hex");
    bytes += Buffer.byteLength(text);
  }
  for (const f of keep) {
    sha256[f] = kept.get(f)!.sha256;
    bytes += kept.get(f)!.bytes;
  }
  return {
    files: [...shardPlan.shards.map((s) => s.file), ...Object.keys(small), ...keep],
    sha256,
    bytes,
    ...(plan ? { plan } : {}),
    ...(dtype ? { dtype } : {}),
    parameters,
    tensors: decls.length,
  };
}

function planFor(src: MlxSourceModel, q: { bits: number; groupSize: number; recipe?: MixedRecipe }): QuantizationPlan {
  const modules = inferModulesFromTensors(src.params.map((p) => ({ name: p.name, shape: p.shape })));
  const layers = src.config["num_hidden_layers"];
  return planQuantization(modules, {
    bits: q.bits,
    groupSize: q.groupSize,
    ...(q.recipe ? { recipe: q.recipe } : {}),
    ...(typeof layers === "number" ? { numLayers: layers } : {}),
  });
}

function sameParams(a: QuantParams, b: QuantParams): boolean {
  return a.bits === b.bits && a.group_size === b.group_size && a.mode === b.mode;
}

async function readTensorBytes(src: MlxSourceModel, name: string): Promise<Buffer> {
  const t = src.checkpoint.tensors.get(name)!;
  return readStoredBytes(t.shard.path, t.info);
}

function take(stash: Map<string, Uint8Array>, name: string): Uint8Array {
  const v = stash.get(name);
  if (!v) throw new CortexError("INTERNAL", `MLX writer: ${name} requested before its weight was quantized`);
  stash.delete(name);
  return v;
}
