import path from "node:path";

/** "llama-3-8b-F16.gguf" → "llama-3-8b": a GGUF's outputs are named after the model, not its current type. */
export function modelStem(file: string): string {
  return path.basename(file).replace(/\.gguf$/i, "").replace(/-0*1-of-0*\d+$/, "").replace(/[-._](f32|f16|bf16|q\d(_[a-z0-9]+)*|iq\d\w*)$/i, "");
}

/** A checkpoint's outputs are named after its repo ("org/name" → "name"), else its folder. */
export function checkpointStem(source: { repo?: string | undefined; path: string }): string {
  return source.repo ? source.repo.split("/").pop()! : path.basename(source.path);
}

/** "tiny-llama" + "q4_k_m" → "tiny-llama-Q4_K_M.gguf". */
export function ggufOutputFile(stem: string, type: string): string {
  return `${stem}-${type.toUpperCase()}.gguf`;
}
