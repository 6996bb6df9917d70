/**
 * Shared set-up for the quantization tests: llama.cpp's source (for gguf-py and its vocab GGUFs), the
 * llama-quantize binary built by test/tools/build-llama-tools.sh (never built here: tests only look), and
 * small random llama GGUFs written by gguf-py. Each finder returns what it found or why a test must skip.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { llamaCppSource as locateLlamaCpp } from "../helpers/llama-cpp.js";
import { requireTool } from "../helpers/require-tool.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const scripts = path.join(repoRoot, "test", "quantize", "python");

export type Found<T> = T | { skip: string };
export { locateLlamaCpp };

function toolsCache(): string {
  return process.env.CORTEX_TOOLS_CACHE ?? path.join(os.homedir(), ".cache", "cortexd");
}

function llamaCppTag(): string {
  const info = path.join(repoRoot, "node_modules", "node-llama-cpp", "llama", "llama.cpp.info.json");
  return (JSON.parse(fs.readFileSync(info, "utf8")) as { tag: string }).tag;
}

let sourceCache: Found<{ src: string }> | undefined;

/**
 * A llama.cpp source tree of the bundled commit with gguf-py, and a python3 with numpy. Prefers the tools
 * build's checkout, then CORTEX_LLAMA_CPP_SRC / ~/.cache/cortexd/llama.cpp, else clones the bundle (~2 s)
 * into the tools cache.
 */
export function llamaCppSource(): Found<{ src: string }> {
  if (sourceCache) return sourceCache;
  let src: string;
  try {
    src = locateLlamaCpp();
  } catch (err) {
    return (sourceCache = skip("LLAMA_TOOLS", `no llama.cpp source: ${(err as Error).message}`));
  }
  const py = spawnSync("python3", ["-c", "import numpy"], { encoding: "utf8" });
  if (py.error) return (sourceCache = skip("PYTHON_NUMPY", `python3 not runnable: ${py.error.message}`));
  if (py.status !== 0) return (sourceCache = skip("PYTHON_NUMPY", `python3 has no numpy: ${py.stderr.trim().split("\n").pop()}`));
  return (sourceCache = { src });
}

/** Why a test must skip, or a failure where CORTEX_REQUIRE_<tool>=1 (CI). */
function skip(tool: string, why: string): { skip: string } {
  return { skip: requireTool(tool, why) || why };
}

/** The llama-quantize built by test/tools/build-llama-tools.sh, or why not (the script is not run here). */
export function llamaQuantizeTool(): Found<{ bin: string }> {
  const script = path.join(repoRoot, "test", "tools", "build-llama-tools.sh");
  const r = spawnSync("bash", [script, "--print"], { encoding: "utf8" });
  const line = r.stdout?.split("\n").find((l) => l.startsWith("llama-quantize: "));
  if (r.status !== 0 || !line) return skip("LLAMA_TOOLS", `llama-quantize is not built (run ${path.relative(repoRoot, script)}): ${(r.stderr || r.error?.message || "").trim()}`);
  return { bin: line.slice("llama-quantize: ".length).trim() };
}

/** Arguments of make_llama_gguf.py. */
export interface FixtureSpec {
  hidden?: number;
  ff?: number;
  layers?: number;
  heads?: number;
  kvHeads?: number;
  dtype?: "f32" | "f16" | "bf16";
  tied?: boolean;
  seed?: number;
  /** A vocab-only GGUF to copy the tokenizer from; default a tiny SPM vocabulary. */
  vocab?: string;
}

/** Write a random llama GGUF with gguf-py. */
export function makeLlamaGguf(src: string, out: string, spec: FixtureSpec = {}): string {
  const args = [path.join(scripts, "make_llama_gguf.py"), "--gguf-py", path.join(src, "gguf-py"), "--out", out];
  const opt = (flag: string, v: number | string | undefined) => {
    if (v !== undefined) args.push(flag, String(v));
  };
  opt("--hidden", spec.hidden);
  opt("--ff", spec.ff);
  opt("--layers", spec.layers);
  opt("--heads", spec.heads);
  opt("--kv-heads", spec.kvHeads);
  opt("--dtype", spec.dtype);
  opt("--seed", spec.seed);
  opt("--vocab", spec.vocab);
  if (spec.tied) args.push("--tied");
  const r = spawnSync("python3", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`make_llama_gguf.py failed: ${r.stderr || r.error?.message}`);
  return out;
}

/** Run a script of test/quantize/python with gguf-py importable; returns stdout. */
export function python(src: string, script: string, ...args: string[]): string {
  const r = spawnSync("python3", [path.join(scripts, script), ...args], {
    encoding: "utf8",
    env: { ...process.env, PYTHONPATH: path.join(src, "gguf-py") },
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`${script} failed: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/** A temp dir for a whole test file, removed by the returned cleanup. */
export function fileTempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Entries of a directory other than `keep` (leftover temp files after a failed or cancelled run). */
export function strayFiles(dir: string, keep: readonly string[]): string[] {
  return fs.readdirSync(dir).filter((f) => !keep.includes(f));
}
