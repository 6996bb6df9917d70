import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { fileURLToPath } from "node:url";
import { llamaCppSource } from "../../helpers/llama-cpp.js";
import { requireTool } from "../../helpers/require-tool.js";

const skip = (tool: string, why: string) => ({ skip: requireTool(tool, why) || why });

/** The repository root (tests run from dist/test/convert/helpers). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const scripts = join(repoRoot, "test", "convert", "python");

/** llama.cpp source + python3 with numpy and PyYAML, or the reason they are missing. */
export function locatePython(): { llamaCpp: string } | { skip: string } {
  let src: string;
  try {
    src = llamaCppSource(); // $CORTEX_LLAMA_CPP_SRC, the tools build's checkout, or a clone of node-llama-cpp's bundle
  } catch (err) {
    return skip("LLAMA_TOOLS", `no llama.cpp source (set CORTEX_LLAMA_CPP_SRC): ${(err as Error).message}`);
  }
  if (!existsSync(join(src, "convert_hf_to_gguf.py")) || !existsSync(join(src, "gguf-py", "gguf"))) return skip("LLAMA_TOOLS", `no llama.cpp source at ${src} (set CORTEX_LLAMA_CPP_SRC)`);
  const py = spawnSync("python3", ["-c", "import numpy, yaml"], { encoding: "utf8" });
  if (py.error) return skip("PYTHON_NUMPY", `python3 not runnable: ${py.error.message}`);
  if (py.status !== 0) return skip("PYTHON_NUMPY", `python3 lacks numpy or PyYAML: ${py.stderr.trim().split("\n").pop()}`);
  return { llamaCpp: src };
}

/** Run a script from test/convert/python with gguf-py importable; returns stdout or throws with stderr. */
export function runPython(llamaCpp: string, script: string, args: readonly string[], input?: string): string {
  const r = spawnSync("python3", [isAbsolute(script) ? script : join(scripts, script), ...args], {
    encoding: "utf8",
    ...(input !== undefined ? { input } : {}),
    env: { ...process.env, PYTHONPATH: join(llamaCpp, "gguf-py"), PYTHONHASHSEED: "0" },
    maxBuffer: 256 << 20,
  });
  if (r.status !== 0) throw new Error(`${script} failed (${r.status}): ${r.stderr.slice(-3000)}`);
  return r.stdout;
}

/** llama.cpp's convert_hf_to_gguf.py, run with test stand-ins for torch/transformers/sentencepiece. */
export function referenceConvert(llamaCpp: string, modelDir: string, outFile: string, outtype: string, pre: string): void {
  runPython(llamaCpp, "run_convert_hf.py", [llamaCpp, modelDir, outFile, outtype, pre]);
}
