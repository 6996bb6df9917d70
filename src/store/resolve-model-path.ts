import fs from "node:fs";
import path from "node:path";
import { CortexError } from "../errors/cortex-error.js";
import { insideRoots } from "./inside-roots.js";

/**
 * Turns the `model` of a request into a file: an absolute path to a .gguf inside the roots (CORTEX_HOME, the HF
 * cache, CORTEX_MODEL_DIRS), or a path relative to $CORTEX_HOME/models. The one place names are resolved, so the model store can replace it with its lookup.
 * Returns the real path (symlinks resolved), which is the pool's identity for the model.
 */
export function resolveModelPath(model: string, modelsDir: string, roots: readonly string[] = [modelsDir]): string {
  const name = model.trim();
  if (name === "") throw new CortexError("REQ_INVALID_ARGUMENT", "model is required");
  if (name.includes("\0")) throw new CortexError("REQ_INVALID_ARGUMENT", `model "${model}" contains a NUL byte`);
  const candidate = path.isAbsolute(name) ? path.normalize(name) : path.resolve(modelsDir, name);
  if (!path.isAbsolute(name)) {
    const rel = path.relative(modelsDir, candidate);
    if (rel.startsWith("..") || path.isAbsolute(rel)) throw new CortexError("REG_OUTSIDE_ROOTS", `model "${model}" points outside ${modelsDir}`);
  }
  if (!candidate.toLowerCase().endsWith(".gguf")) {
    throw new CortexError("REG_NOT_FOUND", `model "${model}": not a .gguf file (give an absolute path to a .gguf or a path under ${modelsDir})`);
  }
  let real: string;
  try {
    real = fs.realpathSync(candidate);
  } catch {
    throw new CortexError("REG_NOT_FOUND", `model "${model}" not found (looked for ${candidate})`);
  }
  // Checked on the real path: a link inside the roots must not lead a request to any file on the machine.
  if (!insideRoots(real, roots)) {
    throw new CortexError("REG_OUTSIDE_ROOTS", `model "${model}" (${real}) is outside cortexd's roots (${roots.join(", ")}); add its folder to CORTEX_MODEL_DIRS`);
  }
  return real;
}
