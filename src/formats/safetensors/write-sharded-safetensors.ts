import { join } from "node:path";
import { CortexError } from "../../errors/cortex-error.js";
import { AtomicFile } from "../atomic-file.js";
import { pythonJsonDumps } from "../python-json.js";
import { SAFETENSORS_INDEX_NAME } from "./read-safetensors-index.js";
import { safetensorsDtypeSize } from "./safetensors-dtypes.js";
import { referenceTensorOrder, SafetensorsWriter, type SafetensorsTensorDecl } from "./safetensors-writer.js";

/**
 * Whose conventions to follow.
 * - `hf`: huggingface_hub `split_state_dict_into_shards_factory` (a tensor larger than the limit gets its own
 *   shard, inserted before the one being filled), each shard in the Rust writer's order with 8-byte padding
 *   and `{format: "pt"}`, index only when sharded, `json.dumps(indent=2, sort_keys=True) + "\n"`.
 * - `mlx`: mlx-lm `make_shards` (new shard when current + size > limit), declared order, unpadded headers,
 *   `{format: "mlx"}`, index always, `json.dump(indent=4)` with a sorted weight_map and no newline.
 */
export type ShardStyle = "hf" | "mlx";

/** One output file of a shard plan. */
export interface PlannedShard {
  readonly file: string;
  readonly tensors: readonly SafetensorsTensorDecl[];
  readonly bytes: number;
}

export interface ShardPlan {
  readonly shards: readonly PlannedShard[];
  readonly totalSize: number;
  /** tensor → shard file, in declared order. */
  readonly weightMap: ReadonlyMap<string, string>;
}

function tensorBytes(t: SafetensorsTensorDecl): number {
  return t.shape.reduce((a, b) => a * b, 1) * safetensorsDtypeSize(t.dtype);
}

/** `model.safetensors` for one shard, else `model-00001-of-0000N.safetensors` (1-based, 5 digits). */
export function shardFileName(index: number, count: number): string {
  if (count === 1) return "model.safetensors";
  return `model-${String(index + 1).padStart(5, "0")}-of-${String(count).padStart(5, "0")}.safetensors`;
}

/** Group tensors (in declared order) into shards of at most `maxShardBytes` data bytes, as `style` does. */
export function planSafetensorsShards(tensors: readonly SafetensorsTensorDecl[], maxShardBytes: number, style: ShardStyle): ShardPlan {
  if (!(maxShardBytes > 0)) throw new CortexError("INTERNAL", `maxShardBytes must be positive, got ${maxShardBytes}`);
  const groups: SafetensorsTensorDecl[][] = [];
  let current: SafetensorsTensorDecl[] = [];
  let currentSize = 0;
  let totalSize = 0;
  for (const t of tensors) {
    const size = tensorBytes(t);
    totalSize += size;
    if (style === "hf" && size > maxShardBytes) {
      groups.push([t]);
      continue;
    }
    if (currentSize + size > maxShardBytes && current.length > 0) {
      groups.push(current);
      current = [];
      currentSize = 0;
    }
    current.push(t);
    currentSize += size;
  }
  if (current.length > 0 || groups.length === 0) groups.push(current);
  const plan = shardPlanFromGroups(groups);
  // weight_map in declared order (hf may have moved an oversized tensor's shard ahead).
  return { ...plan, totalSize, weightMap: new Map(tensors.map((t) => [t.name, plan.weightMap.get(t.name)!])) };
}

/** A plan from explicit groups (one per shard, in shard order), named as {@link shardFileName} does. */
export function shardPlanFromGroups(groups: readonly (readonly SafetensorsTensorDecl[])[]): ShardPlan {
  const weightMap = new Map<string, string>();
  let totalSize = 0;
  const shards = groups.map((g, i) => {
    const file = shardFileName(i, groups.length);
    let bytes = 0;
    for (const t of g) {
      weightMap.set(t.name, file);
      bytes += tensorBytes(t);
    }
    totalSize += bytes;
    return { file, tensors: [...g], bytes };
  });
  return { shards, totalSize, weightMap };
}

/** The text of model.safetensors.index.json as `style` writes it. */
export function formatSafetensorsIndex(plan: Pick<ShardPlan, "totalSize" | "weightMap">, style: ShardStyle, extraMetadata: Readonly<Record<string, number | string>> = {}): string {
  const metadata = { total_size: plan.totalSize, ...extraMetadata };
  if (style === "hf") {
    return pythonJsonDumps({ metadata, weight_map: Object.fromEntries(plan.weightMap) }, { indent: 2, sortKeys: true }) + "\n";
  }
  const sorted = Object.fromEntries([...plan.weightMap].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return pythonJsonDumps({ metadata, weight_map: sorted }, { indent: 4 });
}

/** A tensor to write: its bytes, or a function producing them when the writer reaches it (keeps memory low). */
export type TensorSource = SafetensorsTensorDecl & { readonly data: ArrayBufferView | (() => Promise<ArrayBufferView>) };

export interface WriteShardedOptions {
  readonly maxShardBytes: number;
  /** @default "hf" */
  readonly style?: ShardStyle;
  /** Per-shard `__metadata__`. @default {format: "pt"} for hf, {format: "mlx"} for mlx */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Extra index metadata, e.g. mlx-lm's `total_parameters`. */
  readonly indexMetadata?: Readonly<Record<string, number | string>>;
  /** fsync each file before its rename. @default true */
  readonly fsync?: boolean;
}

/**
 * Write tensors into `dir` as shards (plus model.safetensors.index.json per `style`); each file is written to
 * a temporary name and renamed when complete. Returns the plan that was written.
 */
export async function writeShardedSafetensors(dir: string, tensors: readonly TensorSource[], options: WriteShardedOptions): Promise<ShardPlan> {
  const plan = planSafetensorsShards(tensors, options.maxShardBytes, options.style ?? "hf");
  await writeShardPlan(dir, plan, tensors, options);
  return plan;
}

/**
 * Write a given shard plan (e.g. one built by hand to get an exact shard count): each shard through
 * {@link SafetensorsWriter}, then the index when `style` calls for one.
 */
export async function writeShardPlan(dir: string, plan: ShardPlan, tensors: readonly TensorSource[], options: Omit<WriteShardedOptions, "maxShardBytes">): Promise<void> {
  const style = options.style ?? "hf";
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const metadata = options.metadata ?? { format: style === "hf" ? "pt" : "mlx" };
  for (const shard of plan.shards) {
    const order = style === "hf" ? referenceTensorOrder(shard.tensors) : [...shard.tensors];
    const w = await SafetensorsWriter.create(join(dir, shard.file), order, { metadata, pad: style === "hf", fsync: options.fsync ?? true });
    try {
      for (const t of order) {
        const src = byName.get(t.name)?.data;
        if (src === undefined) throw new CortexError("INTERNAL", `writeShardPlan: no data for tensor "${t.name}"`);
        await w.writeTensorData(t.name, typeof src === "function" ? await src() : src);
      }
      await w.finish();
    } catch (err) {
      await w.abort();
      throw err;
    }
  }
  if (style === "mlx" || plan.shards.length > 1) {
    const f = await AtomicFile.create(join(dir, SAFETENSORS_INDEX_NAME));
    try {
      await f.write(Buffer.from(formatSafetensorsIndex(plan, style, options.indexMetadata), "utf8"));
      await f.commit(options.fsync ?? true);
    } catch (err) {
      await f.discard();
      throw err;
    }
  }
}
