#!/usr/bin/env python3
"""Compares ggml_quantize_chunk output (written by the Node test) with llama.cpp's gguf-py reference.

Input folder: rows.f32 (little-endian float32, nrows x n_per_row) and one <TYPE>.bin per type.
For types gguf-py can quantize (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, BF16, F16 via numpy) it reports whether the bytes
are identical; for every type it dequantizes the bytes with gguf-py and reports the error against the input.
Prints one JSON object: {TYPE: {"exact": bool|null, "first_diff": int|null, "rms_rel": float, "ggml_metric": float}}.
"""
import json
import sys
from pathlib import Path

import numpy as np
import gguf
from gguf import quants
from gguf.constants import GGMLQuantizationType as Q

EXACT = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "BF16", "F16"}


def main() -> int:
    folder = Path(sys.argv[1])
    n_per_row = int(sys.argv[2])
    types = sys.argv[3].split(",")
    x = np.fromfile(folder / "rows.f32", dtype="<f4").reshape(-1, n_per_row)
    out = {}
    for t in types:
        got = np.fromfile(folder / f"{t}.bin", dtype=np.uint8)
        qt = Q[t]
        exact = None
        first_diff = None
        if t in EXACT:
            ref = x.astype(np.float16).view(np.uint8).reshape(-1) if t == "F16" else quants.quantize(x, qt).reshape(-1)
            exact = bool(ref.shape == got.shape and np.array_equal(ref, got))
            if not exact and ref.shape == got.shape:
                first_diff = int(np.nonzero(ref != got)[0][0])
        if t == "F16":
            deq = got.view(np.float16).astype(np.float32).reshape(x.shape)
        else:
            deq = quants.dequantize(got.reshape(x.shape[0], -1), qt).reshape(x.shape)
        diff = (deq.astype(np.float64) - x.astype(np.float64))
        rms_x = float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))
        out[t] = {
            "exact": exact,
            "first_diff": first_diff,
            "rms_rel": float(np.sqrt(np.mean(diff ** 2)) / rms_x) if rms_x > 0 else 0.0,
            # tests/test-quantize-fns.cpp's array_rmse: sqrt(sum of squares) / n
            "ggml_metric": float(np.sqrt(np.sum(diff ** 2)) / diff.size),
        }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
