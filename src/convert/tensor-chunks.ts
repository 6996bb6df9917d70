import { open, type FileHandle } from "node:fs/promises";
import { CortexError } from "../errors/cortex-error.js";
import { tensorBytesToFloat32 } from "../formats/safetensors/read-tensor-data.js";
import { safetensorsDtypeSize } from "../formats/safetensors/safetensors-dtypes.js";
import type { CheckpointTensor } from "../formats/safetensors/read-safetensors-index.js";
import type { PlannedTensor } from "./convert-plan.js";
import { Lookahead } from "../platform/lookahead.js";

/**
 * A tensor's f32 values in row chunks (ggml dims of each chunk alongside). Tensors the architecture rewrites
 * (q/k permutation, norm offsets) and generated tensors come whole; others are read `limit` bytes of f32 at
 * a time, since ggml rows are independent.
 */
export async function* tensorChunks(t: Pick<PlannedTensor, "source" | "dims" | "transform">, handles: Map<string, FileHandle>, limit: number): AsyncGenerator<{ data: Float32Array; dims: number[] }> {
  if ("generated" in t.source) {
    yield { data: Float32Array.from(t.source.generated.data), dims: [...t.dims] };
    return;
  }
  const { hfName, tensor } = t.source;
  const { info } = tensor;
  const rowLen = t.dims[0] ?? 1;
  const rows = info.numel / Math.max(rowLen, 1);
  const elem = safetensorsDtypeSize(info.dtype);
  const whole = t.dims.length < 2 || t.transform !== undefined;
  const perChunk = whole ? rows : Math.max(1, Math.floor(limit / (rowLen * 4)));
  for (let r = 0; r < rows; r += perChunk) {
    const n = Math.min(perChunk, rows - r);
    const buf = await readTensorRange(handles, tensor, r * rowLen * elem, n * rowLen * elem, hfName);
    let data = tensorBytesToFloat32(buf, info.dtype);
    if (t.transform) data = t.transform(data);
    yield { data, dims: whole ? [...t.dims] : [rowLen, n] };
  }
}

/** `length` bytes of a tensor's data from byte `offset`, through one open handle per shard (kept in `handles`). */
export async function readTensorRange(handles: Map<string, FileHandle>, tensor: CheckpointTensor, offset: number, length: number, label = tensor.info.name): Promise<Buffer> {
  const { info, shard } = tensor;
  let fh = handles.get(shard.path);
  if (!fh) {
    fh = await open(shard.path, "r");
    handles.set(shard.path, fh);
  }
  // A fresh ArrayBuffer at offset 0: typed-array views of any element size are aligned.
  const buf = Buffer.from(new ArrayBuffer(length));
  const start = info.start + offset;
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, start + got);
    if (bytesRead === 0) throw new CortexError("FMT_INVALID", `${shard.path}: tensor "${label}" is truncated`);
    got += bytesRead;
  }
  return buf;
}

/** Opens every shard `tensors` live in, before any read: tensors read concurrently must not open a shard twice. */
export async function openShards(tensors: Iterable<CheckpointTensor>, handles: Map<string, FileHandle>): Promise<void> {
  for (const { shard } of tensors) if (!handles.has(shard.path)) handles.set(shard.path, await open(shard.path, "r"));
}

/**
 * A converter's `chunks` for writeGgufFile: tensors `single` says are one chunk are read and encoded a few ahead of
 * the writer (at most 4 tensors and twice `limit` bytes of their working data), so reading and encoding the next
 * tensors overlap writing the current one; the others stream chunk by chunk as `encode` yields them.
 */
export function readAhead<T extends { readonly name: string }>(plan: readonly T[], o: { single: (t: T) => boolean; bytes: (t: T) => number; encode: (t: T) => AsyncIterable<Uint8Array>; limit: number }): (t: T) => AsyncGenerator<Uint8Array> {
  const ahead = new Lookahead(
    plan.filter(o.single).map((t) => ({
      key: t.name,
      bytes: o.bytes(t),
      start: async () => {
        const out: Uint8Array[] = [];
        for await (const bytes of o.encode(t)) out.push(bytes);
        return out;
      },
    })),
    4,
    o.limit * 2,
  );
  return async function* chunks(t: T): AsyncGenerator<Uint8Array> {
    if (ahead.has(t.name)) yield* await ahead.take(t.name);
    else yield* o.encode(t);
  };
}
