import fs from "node:fs";
import { CortexError } from "../errors/cortex-error.js";
import type { ModelSnapshot } from "../store/model-index.js";
import type { ModelRecord } from "../store/model-types.js";
import { resolveModelRef } from "../store/resolve-model-ref.js";
import { resolveModelPath } from "../store/resolve-model-path.js";

/** The file the pool loads for a store record: a GGUF's first part, or a SafeTensors checkpoint's or MLX model's folder (converted on load). */
export function runnablePath(m: ModelRecord, ref: string): string {
  const named = `model "${ref}"${ref === m.id ? "" : ` (${m.id})`}`;
  if (m.facts.brokenReason) throw new CortexError("REG_BROKEN", `${named} is broken: ${m.facts.brokenReason}`);
  if (m.facts.format === "GGUF") return m.paths[0]!;
  if ((m.facts.format === "SAFETENSORS" || m.facts.format === "MLX") && m.kind === "folder") {
    // A pipeline (FLUX) or another non-LLM is not something llama.cpp runs: say what it is rather than convert.
    if (m.facts.components?.length) throw new CortexError("CONV_UNSUPPORTED_ARCH", `${named} is a ${m.facts.architecture || "multi-component"} model (${m.facts.components.map((c) => c.name).join(", ")}), not a language model the inference pool runs`);
    return m.paths[0]!;
  }
  if (m.facts.format === "PYTORCH") {
    const what = m.facts.weightsBytes === 0 ? "has no weights yet (config.json only)" : "has only PyTorch pickles";
    throw new CortexError("CONV_NEEDS_SAFETENSORS", `${named} ${what}: safetensors weights are needed to convert it for inference (pickles are never unpickled); pull a safetensors revision`);
  }
  throw new CortexError("FMT_UNSUPPORTED", `${named} is ${m.facts.format}: the inference pool runs GGUF models and converts SafeTensors checkpoints and MLX models`);
}

/**
 * The pool's resolver: what `cortex ls` shows (id, id prefix, name, name@revision, path) → the real path the pool
 * keys models by. A `.gguf` path keeps the synchronous fast path (no store); anything else asks the store, whose
 * warm snapshot is in memory, and answers from a memo tied to that snapshot (a new snapshot — files changed — drops it).
 */
export function storeResolver(snapshot: () => Promise<ModelSnapshot>, modelsDir: string, roots: readonly string[] = [modelsDir]): (model: string) => string | Promise<string> {
  let memo: { snap: ModelSnapshot; paths: Map<string, string> } | undefined;
  return (model) => {
    const ref = model.trim();
    if (ref.toLowerCase().endsWith(".gguf")) return resolveModelPath(ref, modelsDir, roots);
    if (ref === "") throw new CortexError("REQ_INVALID_ARGUMENT", "model is required");
    return (async () => {
      const snap = await snapshot();
      if (memo?.snap !== snap) memo = { snap, paths: new Map() };
      let real = memo.paths.get(ref);
      if (!real) {
        const file = runnablePath(resolveModelRef(snap.models, ref), ref);
        try {
          real = fs.realpathSync(file);
        } catch {
          throw new CortexError("REG_NOT_FOUND", `model "${ref}": ${file} no longer exists`);
        }
        memo.paths.set(ref, real);
      }
      return real;
    })();
  };
}
