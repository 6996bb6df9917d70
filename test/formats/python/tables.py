"""Print gguf-py's ggml type / file type / value type tables as JSON."""
import json
import sys

from gguf.constants import GGML_QUANT_SIZES, GGMLQuantizationType, GGUFValueType, LlamaFileType

json.dump(
    {
        "ggml_types": {t.name: [int(t), *GGML_QUANT_SIZES[t]] for t in GGMLQuantizationType},
        "ftypes": {t.name: int(t) for t in LlamaFileType},
        "value_types": {t.name: int(t) for t in GGUFValueType},
    },
    sys.stdout,
)
