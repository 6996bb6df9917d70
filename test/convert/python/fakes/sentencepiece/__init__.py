"""sentencepiece stand-in: reads the pieces (piece, score, type) of a tokenizer.model protobuf with a
hand-written decoder, enough for convert_hf_to_gguf's vocabulary export. Test-only."""
import struct

NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6


def _varint(b, p):
    r = s = 0
    while True:
        x = b[p]
        p += 1
        r |= (x & 0x7F) << s
        if not x & 0x80:
            return r, p
        s += 7


def _skip(b, p, wire):
    if wire == 0:
        return _varint(b, p)[1]
    if wire == 1:
        return p + 8
    if wire == 2:
        n, p = _varint(b, p)
        return p + n
    if wire == 5:
        return p + 4
    raise ValueError(f"wire type {wire}")


class SentencePieceProcessor:
    def LoadFromFile(self, path):
        b = open(path, "rb").read()
        self._pieces = []
        p = 0
        while p < len(b):
            key, p = _varint(b, p)
            if key >> 3 == 1 and key & 7 == 2:
                n, p = _varint(b, p)
                end = p + n
                piece, score, typ = "", 0.0, NORMAL
                while p < end:
                    k, p = _varint(b, p)
                    if k >> 3 == 1 and k & 7 == 2:
                        m, p = _varint(b, p)
                        piece = b[p:p + m].decode("utf-8")
                        p += m
                    elif k >> 3 == 2 and k & 7 == 5:
                        score = struct.unpack("<f", b[p:p + 4])[0]
                        p += 4
                    elif k >> 3 == 3 and k & 7 == 0:
                        typ, p = _varint(b, p)
                    else:
                        p = _skip(b, p, k & 7)
                self._pieces.append((piece, score, typ))
            else:
                p = _skip(b, p, key & 7)
        return True

    def vocab_size(self):
        return len(self._pieces)

    def IdToPiece(self, i):
        return self._pieces[i][0]

    def GetScore(self, i):
        return self._pieces[i][1]

    def IsUnknown(self, i):
        return self._pieces[i][2] == UNKNOWN

    def IsControl(self, i):
        return self._pieces[i][2] == CONTROL

    def IsUnused(self, i):
        return self._pieces[i][2] == UNUSED

    def IsByte(self, i):
        return self._pieces[i][2] == BYTE
