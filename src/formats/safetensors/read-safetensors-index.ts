import { readdir, stat } from "node:fs/promises";
import { readTextQuietly } from "../quiet-read.js";
import { basename, dirname, join } from "node:path";
import { CortexError } from "../../errors/cortex-error.js";
import { readSafetensorsHeader, type SafetensorsHeader, type SafetensorsHeaderOptions, type SafetensorsTensorInfo } from "./read-safetensors-header.js";

/** Name of the index of a sharded checkpoint. */
export const SAFETENSORS_INDEX_NAME = "model.safetensors.index.json";

/** A parsed model.safetensors.index.json. */
export interface SafetensorsIndex {
  readonly file: string;
  /** The `metadata` object as written (`total_size`, mlx-lm's `total_parameters`, …). */
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly totalSize: number | undefined;
  /** tensor name → shard file name (JSON.parse order: integer-like names first, then file order). */
  readonly weightMap: ReadonlyMap<string, string>;
  /** Distinct shard file names, sorted (convert_hf_to_gguf's order). */
  readonly shards: readonly string[];
}

/** One shard of a checkpoint with its validated header. */
export interface SafetensorsShard {
  /** File name inside the checkpoint folder. */
  readonly name: string;
  readonly path: string;
  readonly header: SafetensorsHeader;
}

/** A tensor located in its shard. */
export interface CheckpointTensor {
  readonly shard: SafetensorsShard;
  readonly info: SafetensorsTensorInfo;
}

/** A single-file or sharded safetensors checkpoint, headers read and cross-checked. */
export interface SafetensorsCheckpoint {
  readonly dir: string;
  readonly index: SafetensorsIndex | undefined;
  /** Shards in sorted file-name order. */
  readonly shards: readonly SafetensorsShard[];
  /** All tensors: shards in order, header order within a shard. */
  readonly tensors: ReadonlyMap<string, CheckpointTensor>;
  /** Sum of all tensors' data bytes. */
  readonly totalBytes: number;
}

function invalid(file: string, msg: string): CortexError {
  return new CortexError("FMT_INVALID", `${file}: ${msg}`);
}

/**
 * Parse and validate model.safetensors.index.json: a JSON object whose `weight_map` maps tensor names to
 * plain shard file names (no directories), with an optional `metadata` object (`total_size` a byte count).
 */
export async function readSafetensorsIndex(indexPath: string): Promise<SafetensorsIndex> {
  const text = await readTextQuietly(indexPath);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalid(indexPath, `not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw invalid(indexPath, "must be a JSON object");
  const { metadata = {}, weight_map: weightMapRaw } = parsed as Record<string, unknown>;
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) throw invalid(indexPath, `"metadata" must be an object`);
  const totalSize = (metadata as Record<string, unknown>).total_size;
  if (totalSize !== undefined && !(typeof totalSize === "number" && Number.isSafeInteger(totalSize) && totalSize >= 0)) {
    throw invalid(indexPath, `"metadata.total_size" must be a non-negative integer, got ${JSON.stringify(totalSize)}`);
  }
  if (typeof weightMapRaw !== "object" || weightMapRaw === null || Array.isArray(weightMapRaw)) throw invalid(indexPath, `"weight_map" must be an object`);
  const weightMap = new Map<string, string>();
  const raw = weightMapRaw as Record<string, unknown>;
  for (const tensor of Object.keys(raw)) {
    const shard = raw[tensor];
    if (typeof shard !== "string" || shard === "") throw invalid(indexPath, `"weight_map"."${tensor}" must be a shard file name, got ${JSON.stringify(shard)}`);
    if (shard.includes("/") || shard.includes("\\") || shard === "." || shard === "..") {
      throw invalid(indexPath, `"weight_map"."${tensor}" names "${shard}", which is not a plain file name`);
    }
    weightMap.set(tensor, shard);
  }
  const shards = [...new Set(weightMap.values())].sort();
  return { file: indexPath, metadata: metadata as Record<string, unknown>, totalSize: totalSize as number | undefined, weightMap, shards };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Open a checkpoint: a folder (with model.safetensors.index.json, else every `model*.safetensors`, sorted)
 * or a single .safetensors file. Reads every shard header. With an index, every mapped shard must exist,
 * every mapped tensor must be in its shard, and the shards may hold no unmapped tensors
 * (convert_hf_to_gguf's rule). Without one, a tensor name may occur in only one shard.
 * @throws CortexError FMT_INVALID naming the index, shard or tensor.
 */
export async function openSafetensorsCheckpoint(path: string, options: SafetensorsHeaderOptions = {}): Promise<SafetensorsCheckpoint> {
  if (await isFile(path)) {
    const header = await readSafetensorsHeader(path, options);
    const shard: SafetensorsShard = { name: basename(path), path, header };
    return build(dirname(path), undefined, [shard]);
  }
  const indexPath = join(path, SAFETENSORS_INDEX_NAME);
  if (await isFile(indexPath)) {
    const index = await readSafetensorsIndex(indexPath);
    const shards: SafetensorsShard[] = [];
    for (const name of index.shards) {
      const shardPath = join(path, name);
      if (!(await isFile(shardPath))) {
        const count = [...index.weightMap.values()].filter((s) => s === name).length;
        throw invalid(indexPath, `maps ${count} tensor(s) to shard "${name}", which does not exist`);
      }
      shards.push({ name, path: shardPath, header: await readSafetensorsHeader(shardPath, options) });
    }
    const byName = new Map(shards.map((s) => [s.name, s]));
    for (const [tensor, shardName] of index.weightMap) {
      if (!byName.get(shardName)!.header.byName.has(tensor)) throw invalid(indexPath, `tensor "${tensor}" is mapped to "${shardName}" but that shard has no such tensor`);
    }
    for (const s of shards) {
      for (const t of s.header.tensors) {
        const mapped = index.weightMap.get(t.name);
        if (mapped !== s.name) {
          throw invalid(indexPath, mapped === undefined
            ? `shard "${s.name}" holds tensor "${t.name}", which the weight_map does not list`
            : `shard "${s.name}" holds tensor "${t.name}", which the weight_map assigns to "${mapped}"`);
        }
      }
    }
    return build(path, index, shards);
  }
  const names = (await readdir(path)).filter((n) => n.startsWith("model") && n.endsWith(".safetensors")).sort();
  if (names.length === 0) throw invalid(path, `no ${SAFETENSORS_INDEX_NAME} and no model*.safetensors files`);
  const shards: SafetensorsShard[] = [];
  for (const name of names) shards.push({ name, path: join(path, name), header: await readSafetensorsHeader(join(path, name), options) });
  return build(path, undefined, shards);
}

function build(dir: string, index: SafetensorsIndex | undefined, shards: SafetensorsShard[]): SafetensorsCheckpoint {
  const tensors = new Map<string, CheckpointTensor>();
  let totalBytes = 0;
  for (const shard of shards) {
    for (const info of shard.header.tensors) {
      const prev = tensors.get(info.name);
      if (prev) throw invalid(dir, `tensor "${info.name}" occurs in both "${prev.shard.name}" and "${shard.name}"`);
      tensors.set(info.name, { shard, info });
      totalBytes += info.byteSize;
    }
  }
  return { dir, index, shards, tensors, totalBytes };
}
