import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT } from "./daemon.js";

const VOCAB = "models/ggml-vocab-llama-spm.gguf";

/**
 * The one llama.cpp locator of the tests: $CORTEX_LLAMA_CPP_SRC, the tools build's checkout
 * (~/.cache/cortexd/llama.cpp-<tag>, test/tools/build-llama-tools.sh), any ~/.cache/cortexd/llama.cpp*, or a clone
 * of the source bundled in node-llama-cpp (~2 s). Throws when none can be had.
 */
export function llamaCppSource(): string {
  const cache = path.join(os.homedir(), ".cache", "cortexd");
  const candidates = [process.env.CORTEX_LLAMA_CPP_SRC ?? "", ...(fs.existsSync(cache) ? fs.readdirSync(cache).filter((d) => d.startsWith("llama.cpp")).map((d) => path.join(cache, d)) : [])];
  for (const c of candidates) if (c && fs.existsSync(path.join(c, "gguf-py", "gguf")) && fs.existsSync(path.join(c, VOCAB))) return c;
  const bundle = path.join(ROOT, "node_modules", "node-llama-cpp", "llama", "gitRelease.bundle");
  const dest = path.join(cache, "llama.cpp");
  fs.mkdirSync(cache, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(cache, "clone-"));
  execFileSync("git", ["clone", "--quiet", bundle, path.join(tmp, "src")], { stdio: "ignore" });
  try {
    fs.renameSync(path.join(tmp, "src"), dest);
  } catch {
    // Another test process cloned it first.
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  return dest;
}

