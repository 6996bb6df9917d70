"""Read little-endian f32 bit patterns from argv[1]; write numpy float16 bits then gguf-py BF16 bits to argv[2]."""
import sys

import numpy as np
from gguf import quants
from gguf.constants import GGMLQuantizationType

x = np.fromfile(sys.argv[1], dtype="<u4").view(np.float32)
with np.errstate(over="ignore", invalid="ignore"):
    f16 = x.astype(np.float16).view(np.uint16)
bf16 = quants.quantize(x.reshape(1, -1), GGMLQuantizationType.BF16).reshape(-1).view(np.uint16)
with open(sys.argv[2], "wb") as f:
    f.write(f16.astype("<u2").tobytes())
    f.write(bf16.astype("<u2").tobytes())
