import { open, type FileHandle } from "node:fs/promises";
import { CortexError } from "../../errors/cortex-error.js";
import { bf16ToFloat32, f16ToFloat32 } from "../half-float.js";
import type { SafetensorsTensorInfo } from "./read-safetensors-header.js";
import type { CheckpointTensor, SafetensorsCheckpoint, SafetensorsShard } from "./read-safetensors-index.js";
import type { SafetensorsDtype } from "./safetensors-dtypes.js";

/**
 * Read one tensor's raw little-endian bytes. The Buffer owns a fresh ArrayBuffer starting at offset 0,
 * so typed-array views of any element size are aligned.
 */
export async function readTensorBytes(file: string | FileHandle, tensor: SafetensorsTensorInfo, label = typeof file === "string" ? file : "tensor file"): Promise<Buffer> {
  const fh = typeof file === "string" ? await open(file, "r") : file;
  try {
    const buf = Buffer.from(new ArrayBuffer(tensor.byteSize));
    let done = 0;
    while (done < tensor.byteSize) {
      const { bytesRead } = await fh.read(buf, done, tensor.byteSize - done, tensor.start + done);
      if (bytesRead === 0) throw new CortexError("FMT_INVALID", `${label}: tensor "${tensor.name}" truncated at byte ${tensor.start + done}`);
      done += bytesRead;
    }
    return buf;
  } finally {
    if (typeof file === "string") await fh.close();
  }
}

/** Dtypes that {@link tensorBytesToFloat32} converts. */
export const FLOAT_DTYPES: readonly SafetensorsDtype[] = ["F32", "F16", "BF16", "F64"];

function view<T>(bytes: Uint8Array, elemSize: number, make: (buf: ArrayBufferLike, off: number, len: number) => T): T {
  if (bytes.byteLength % elemSize !== 0) throw new CortexError("FMT_INVALID", `tensor data of ${bytes.byteLength} bytes is not a multiple of ${elemSize}`);
  // Typed arrays need aligned offsets; copy the rare unaligned input once.
  const src = bytes.byteOffset % elemSize === 0 ? bytes : new Uint8Array(bytes);
  return make(src.buffer, src.byteOffset, src.byteLength / elemSize);
}

/**
 * Convert F32/F16/BF16/F64 tensor bytes to a Float32Array (F16/BF16 exact, F64 rounded to nearest).
 * F32 input returns a copy, never a view of `bytes`.
 * @throws CortexError FMT_UNSUPPORTED for other dtypes.
 */
export function tensorBytesToFloat32(bytes: Uint8Array, dtype: SafetensorsDtype): Float32Array {
  switch (dtype) {
    case "F32":
      return view(bytes, 4, (b, o, n) => new Float32Array(b, o, n)).slice();
    case "F16":
      return f16ToFloat32(view(bytes, 2, (b, o, n) => new Uint16Array(b, o, n)));
    case "BF16":
      return bf16ToFloat32(view(bytes, 2, (b, o, n) => new Uint16Array(b, o, n)));
    case "F64":
      return Float32Array.from(view(bytes, 8, (b, o, n) => new Float64Array(b, o, n)));
    default:
      throw new CortexError("FMT_UNSUPPORTED", `cannot convert ${dtype} tensor data to float32`);
  }
}

/** A tensor yielded by {@link iterateCheckpointTensors}. */
export interface TensorWithData extends CheckpointTensor {
  readonly name: string;
  readonly data: Buffer;
}

export interface IterateTensorsOptions {
  /** Only these tensors (others are skipped without reading). */
  readonly names?: ReadonlySet<string> | readonly string[];
  /** `header`: header order within each shard (convert_hf_to_gguf); `offset`: file order (sequential I/O). @default "header" */
  readonly order?: "header" | "offset";
  readonly signal?: AbortSignal;
}

/**
 * Yield a checkpoint's tensors one at a time (shards in sorted order), each with its bytes. Only the
 * tensor being yielded is held, so peak memory is what the consumer keeps plus one tensor.
 */
export async function* iterateCheckpointTensors(checkpoint: SafetensorsCheckpoint, options: IterateTensorsOptions = {}): AsyncGenerator<TensorWithData> {
  const wanted = options.names === undefined ? undefined : new Set(options.names);
  for (const shard of checkpoint.shards) {
    const list = orderedTensors(shard, options.order ?? "header").filter((t) => !wanted || wanted.has(t.name));
    if (list.length === 0) continue;
    const fh = await open(shard.path, "r");
    try {
      for (const info of list) {
        options.signal?.throwIfAborted();
        const data = await readTensorBytes(fh, info, shard.path);
        yield { name: info.name, shard, info, data };
      }
    } finally {
      await fh.close();
    }
  }
}

function orderedTensors(shard: SafetensorsShard, order: "header" | "offset"): SafetensorsTensorInfo[] {
  const list = [...shard.header.tensors];
  if (order === "offset") list.sort((a, b) => a.start - b.start);
  return list;
}

/** Read one named tensor of a checkpoint as Float32Array. */
export async function readCheckpointTensorFloat32(checkpoint: SafetensorsCheckpoint, name: string): Promise<Float32Array> {
  const t = checkpoint.tensors.get(name);
  if (!t) throw new CortexError("FMT_INVALID", `${checkpoint.dir}: no tensor "${name}"`);
  return tensorBytesToFloat32(await readTensorBytes(t.shard.path, t.info), t.info.dtype);
}
