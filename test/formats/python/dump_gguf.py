"""Dump a GGUF file with llama.cpp's gguf-py GGUFReader as JSON (64-bit ints as strings)."""
import hashlib
import json
import sys

from gguf import GGUFReader, GGUFValueType


def scalar(v, t):
    if t in (GGUFValueType.UINT64, GGUFValueType.INT64):
        return str(int(v))
    if t == GGUFValueType.BOOL:
        return bool(v)
    if t in (GGUFValueType.FLOAT32, GGUFValueType.FLOAT64):
        return float(v)
    return int(v)


def main(path):
    r = GGUFReader(path)
    fields = []
    for name, f in r.fields.items():
        if name.startswith("GGUF."):
            continue
        t0 = f.types[0]
        if t0 == GGUFValueType.STRING:
            value = bytes(f.parts[-1]).decode("utf-8")
        elif t0 == GGUFValueType.ARRAY:
            sub = f.types[-1]
            if sub == GGUFValueType.STRING:
                value = [bytes(f.parts[i]).decode("utf-8") for i in f.data]
            else:
                value = [scalar(x, sub) for i in f.data for x in f.parts[i].tolist()]
        else:
            value = scalar(f.parts[-1].tolist()[0], t0)
        fields.append({"name": name, "types": [int(t) for t in f.types], "value": value})
    tensors = [
        {
            "name": t.name,
            "type": int(t.tensor_type),
            "dims": [int(d) for d in t.shape.tolist()],
            "n_bytes": int(t.n_bytes),
            "data_offset": int(t.data_offset),
            "sha256": hashlib.sha256(t.data.tobytes()).hexdigest(),
        }
        for t in r.tensors
    ]
    json.dump({"alignment": int(r.alignment), "data_offset": int(r.data_offset), "fields": fields, "tensors": tensors}, sys.stdout)


main(sys.argv[1])
