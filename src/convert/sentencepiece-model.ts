import { CortexError } from "../errors/cortex-error.js";

/** `SentencePiece.Type` (sentencepiece_model.proto). */
export const SPM_PIECE_TYPE = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

/** One vocabulary entry of a SentencePiece model. */
export interface SentencePiece {
  readonly piece: string;
  readonly score: number;
  readonly type: number;
}

const utf8 = new TextDecoder("utf-8");

/**
 * Parse the fields convert_hf_to_gguf needs from a SentencePiece `tokenizer.model` (a serialized
 * `ModelProto`): the repeated `pieces` (field 1), each with `piece` (1, string), `score` (2, float) and
 * `type` (3, enum, default NORMAL). Trainer and normalizer specs are skipped.
 * @throws CortexError FMT_INVALID naming the file on malformed protobuf.
 */
export function parseSentencePieceModel(bytes: Uint8Array, file: string): SentencePiece[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (msg: string): CortexError => new CortexError("FMT_INVALID", `${file}: not a SentencePiece model (${msg})`);
  const varint = (pos: { p: number }, end: number): number => {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos.p >= end) throw bad("truncated varint");
      const b = bytes[pos.p++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw bad("varint too long");
  };
  const skip = (wire: number, pos: { p: number }, end: number): void => {
    if (wire === 0) varint(pos, end);
    else if (wire === 1) pos.p += 8;
    else if (wire === 2) {
      const n = varint(pos, end); // read before adding: `pos.p += varint(...)` would add to the old position
      pos.p += n;
    }
    else if (wire === 5) pos.p += 4;
    else throw bad(`unsupported wire type ${wire}`);
    if (pos.p > end) throw bad("field runs past the end");
  };
  const pieces: SentencePiece[] = [];
  const pos = { p: 0 };
  while (pos.p < bytes.length) {
    const key = varint(pos, bytes.length);
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field !== 1 || wire !== 2) {
      skip(wire, pos, bytes.length);
      continue;
    }
    const len = varint(pos, bytes.length);
    const end = pos.p + len;
    if (end > bytes.length) throw bad("piece runs past the end");
    let piece = "";
    let score = 0;
    let type: number = SPM_PIECE_TYPE.NORMAL;
    while (pos.p < end) {
      const k = varint(pos, end);
      const f = Math.floor(k / 8);
      const w = k % 8;
      if (f === 1 && w === 2) {
        const n = varint(pos, end);
        if (pos.p + n > end) throw bad("piece string runs past its entry");
        piece = utf8.decode(bytes.subarray(pos.p, pos.p + n));
        pos.p += n;
      } else if (f === 2 && w === 5) {
        if (pos.p + 4 > end) throw bad("truncated score");
        score = view.getFloat32(pos.p, true);
        pos.p += 4;
      } else if (f === 3 && w === 0) type = varint(pos, end);
      else skip(w, pos, end);
    }
    pos.p = end;
    pieces.push({ piece, score, type });
  }
  if (pieces.length === 0) throw bad("no pieces");
  return pieces;
}
