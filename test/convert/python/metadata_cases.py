"""gguf-py Metadata helpers for a JSON list of cases on stdin: [{"id": str, "params": int}] and sizes."""
import json
import sys

import gguf
from gguf.metadata import Metadata
from gguf.utility import size_label

cases = json.load(sys.stdin)
out = {
    "ids": [list(Metadata.get_model_id_components(c["id"], c["params"])) for c in cases["ids"]],
    "titles": [Metadata.id_to_title(t) for t in cases["titles"]],
    "sizes": [size_label(n, n, 0, 0) for n in cases["sizes"]],
}
json.dump(out, sys.stdout)
