"""Print gguf-py SpecialVocab's view of a checkpoint folder as JSON. usage: special_vocab.py DIR LOAD_MERGES N_VOCAB|-"""
import json
import sys

import gguf

path, load_merges, n_vocab = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
sv = gguf.SpecialVocab(path, load_merges=load_merges, n_vocab=None if n_vocab == "-" else int(n_vocab))
json.dump({
    "merges": sv.merges,
    "special": list(sv.special_token_ids.items()),
    "add": list(sv.add_special_token.items()),
    "chat_template": sv.chat_template,
}, sys.stdout)
