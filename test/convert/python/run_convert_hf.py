"""Run llama.cpp's own convert_hf_to_gguf.py (eager path) with the stand-ins in fakes/ for torch,
transformers, sentencepiece and tqdm, which are not installable here.
usage: run_convert_hf.py LLAMA_CPP_DIR MODEL_DIR OUTFILE OUTTYPE PRE
PRE replaces get_vocab_base_pre's answer (its hash needs a real tokenizer); "-" keeps the original."""
import os
import runpy
import sys

llama_cpp, model_dir, outfile, outtype, pre = sys.argv[1:6]
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "fakes"))
sys.path.insert(0, llama_cpp)
sys.path.insert(0, os.path.join(llama_cpp, "gguf-py"))

import conversion.base as base  # noqa: E402

if pre != "-":
    base.TextModel.get_vocab_base_pre = lambda self, tokenizer: pre

sys.argv = ["convert_hf_to_gguf.py", model_dir, "--outfile", outfile, "--outtype", outtype, "--no-lazy"]
runpy.run_path(os.path.join(llama_cpp, "convert_hf_to_gguf.py"), run_name="__main__")
