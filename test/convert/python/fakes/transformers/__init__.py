"""transformers stand-in for convert_hf_to_gguf.py: AutoConfig always fails (the converter then reads
config.json itself) and AutoTokenizer reads tokenizer.json/tokenizer_config.json for the vocabulary
queries the converter makes. Test-only: encode() only round-trips added tokens."""
import json
from pathlib import Path


class AutoConfig:
    @staticmethod
    def from_pretrained(*args, **kwargs):
        raise OSError("fake transformers has no AutoConfig")


class AddedToken:
    def __init__(self, d):
        self.content = d["content"]
        self.special = bool(d.get("special", False))
        self.normalized = bool(d.get("normalized", True))


class _FastTokenizer:
    is_fast = True

    def __init__(self, path):
        path = Path(path)
        tj = json.loads((path / "tokenizer.json").read_text(encoding="utf-8"))
        tc_file = path / "tokenizer_config.json"
        self._tc = json.loads(tc_file.read_text(encoding="utf-8")) if tc_file.is_file() else {}
        self._base = dict(tj["model"]["vocab"])
        self._added = sorted(tj.get("added_tokens", []), key=lambda a: a["id"])
        self.vocab = dict(self._base)
        for a in self._added:
            self.vocab[a["content"]] = a["id"]
        self.added_tokens_decoder = {a["id"]: AddedToken(a) for a in self._added}
        self.vocab_size = len(self._base)

    def get_vocab(self):
        return dict(self.vocab)

    def get_added_vocab(self):
        return {a["content"]: a["id"] for a in self._added}

    def encode(self, text, add_special_tokens=True):
        if text in self.vocab:
            return [self.vocab[text]]
        raise NotImplementedError("fake tokenizer only encodes single tokens")

    def decode(self, ids):
        rev = {v: k for k, v in self.vocab.items()}
        return "".join(rev[i] for i in ids)

    def _special_contents(self):
        out = []
        for key in ("bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"):
            v = self._tc.get(key)
            v = v.get("content") if isinstance(v, dict) else v
            if isinstance(v, str) and v in self.vocab and v not in out:
                out.append(v)
        for v in self._tc.get("additional_special_tokens", []) or []:
            v = v.get("content") if isinstance(v, dict) else v
            if isinstance(v, str) and v in self.vocab and v not in out:
                out.append(v)
        return out

    @property
    def all_special_tokens(self):
        return self._special_contents()

    @property
    def all_special_ids(self):
        return [self.vocab[t] for t in self._special_contents()]


class AutoTokenizer:
    @staticmethod
    def from_pretrained(path, **kwargs):
        return _FastTokenizer(path)
