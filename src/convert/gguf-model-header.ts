import { join } from "node:path";
import { CortexError } from "../errors/cortex-error.js";
import { readGgufHeader } from "../formats/gguf/read-gguf-header.js";
import type { ArchConverter, ArchSetup, GeneratedTensor } from "./arch.js";
import { createArchConverter } from "./arch-registry.js";
import { buildHparams, jsonReaderOnce, optNumber, requireInt, type HfHparams, type JsonObject } from "./hf-config.js";
import { GgufKvList } from "./gguf-kv-list.js";
import { loadModelMetadata, writeModelMetadata } from "./model-metadata.js";
import { ropeParameters } from "./text-model-params.js";
import { tokenizerToGguf, type TokenizerSummary } from "./tokenizer-to-gguf.js";

/**
 * The part of a GGUF conversion that does not depend on where the weights come from (an HF checkpoint or an
 * MLX model): the architecture, its generated tensors and the metadata keys, in convert_hf_to_gguf's order.
 */
export interface ModelHeader {
  readonly dir: string;
  readonly configPath: string;
  readonly hparams: HfHparams;
  readonly params: JsonObject;
  readonly setup: ArchSetup;
  readonly arch: ArchConverter;
  readonly blockCount: number;
  /** Starts with general.architecture and the generated tensors' keys; {@link finishModelKv} appends the rest. */
  readonly kv: GgufKvList;
  readonly generated: readonly GeneratedTensor[];
  /** n_head / n_head_kv (quantization rules). */
  readonly nGqa: number;
  readonly nExpert: number;
}

/** Phase one: config.json (already read as `raw`) → architecture, generated tensors and their keys. */
export function openModelHeader(dir: string, raw: JsonObject): ModelHeader {
  const configPath = join(dir, "config.json");
  const hparams = buildHparams(raw, configPath);
  const params = hparams.params;
  const blockCount = requireInt(params, ["n_layers", "num_hidden_layers", "n_layer", "num_layers"], configPath);
  const setup: ArchSetup = { dir, configPath, hparams, params, rope: ropeParameters(params), blockCount };
  const arch = createArchConverter(setup);
  // Python adds generate_extra_tensors' KVs while preparing tensors, i.e. right after general.architecture.
  const kv = new GgufKvList().string("general.architecture", arch.ggufArch);
  const generated = arch.extraTensors(kv);
  const nHead = optNumber(params, ["num_attention_heads", "n_head", "n_heads"]) ?? 1;
  const nHeadKv = optNumber(params, ["num_key_value_heads", "n_kv_heads", "n_head_kv"]) ?? nHead;
  return {
    dir, configPath, hparams, params, setup, arch, blockCount, kv, generated,
    nGqa: Math.max(1, Math.floor(nHead / nHeadKv)),
    nExpert: optNumber(params, ["num_local_experts", "num_experts", "n_routed_experts"]) ?? 0,
  };
}

export interface FinishKvOptions {
  /** `general.file_type` the architecture writes. */
  readonly ftype: number;
  readonly parameterCount: number;
  readonly modelName?: string;
  readonly metadataOverride?: Readonly<Record<string, unknown>>;
  readonly preTokenizer?: string;
  readonly warn: (message: string) => void;
}

/** Phase two, once the tensors are planned: general.*, the architecture's parameters and the tokenizer. */
export async function finishModelKv(h: ModelHeader, o: FinishKvOptions): Promise<TokenizerSummary> {
  const { kv, arch, params, dir } = h;
  kv.string("general.type", "model");
  const meta = await loadModelMetadata(dir, { totalParams: o.parameterCount, ...(o.modelName !== undefined ? { modelName: o.modelName } : {}), ...(o.metadataOverride ? { override: o.metadataOverride } : {}) });
  writeModelMetadata(meta, kv);
  arch.kv({ params, rope: h.setup.rope, kv, arch: arch.ggufArch, blockCount: h.blockCount, ftype: o.ftype, warn: o.warn });
  kv.uint32("general.quantization_version", 2);
  return tokenizerToGguf({ dir, json: jsonReaderOnce(dir), params, kv, warn: o.warn, ...(o.preTokenizer !== undefined ? { preTokenizer: o.preTokenizer } : {}) }, arch.vocab);
}

/** A tensor as planned, for {@link verifyGguf}. */
export interface PlannedLayout {
  readonly name: string;
  readonly dims: readonly number[];
  readonly type: number;
  readonly byteSize: number;
}

/** Re-read the header: tensor count, names, dims, types, sizes and the file length must be as planned. */
export async function verifyGguf(path: string, kvCount: number, plan: readonly PlannedLayout[]): Promise<number> {
  const h = await readGgufHeader(path);
  const bad = (msg: string): CortexError => new CortexError("CONV_FAILED", `${path}: written file failed verification: ${msg}`);
  if (h.tensors.length !== plan.length) throw bad(`${h.tensors.length} tensors, expected ${plan.length}`);
  if (h.kv.size !== kvCount) throw bad(`${h.kv.size} metadata keys, expected ${kvCount}`);
  plan.forEach((t, i) => {
    const r = h.tensors[i]!;
    if (r.name !== t.name || r.type !== t.type || r.byteSize !== t.byteSize || r.dims.join(",") !== t.dims.join(",")) {
      throw bad(`tensor #${i} is "${r.name}" ${r.typeName} [${r.dims.join(", ")}], expected "${t.name}" [${t.dims.join(", ")}]`);
    }
  });
  const last = h.tensors[h.tensors.length - 1];
  const end = last ? h.dataStart + last.offset + Math.ceil(last.byteSize / h.alignment) * h.alignment : h.dataStart;
  if (h.fileSize !== end) throw bad(`file is ${h.fileSize} bytes, expected ${end}`);
  return h.fileSize;
}
