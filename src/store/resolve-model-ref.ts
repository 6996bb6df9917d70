import path from "node:path";
import { CortexError } from "../errors/cortex-error.js";
import type { ModelRecord } from "./model-types.js";
import { resolveRepoGguf } from "./repo-gguf-ref.js";

function describe(models: readonly ModelRecord[]): string {
  return models
    .slice(0, 5)
    .map((m) => `${m.id} (${m.name}${m.hf ? `@${m.hf.commit.slice(0, 8)}` : ""})`)
    .join(", ");
}

/**
 * Find one model by what a user types: its id, a unique id prefix (≥ 4 hex digits), its name, `name@revision`
 * (HF cache: a ref such as "main" or a commit prefix), an absolute path (a GGUF part or the model folder), or an
 * HF repo of GGUFs as pulled, `org/x[@rev][:Q4_K_M]` (repo-gguf-ref.ts).
 * @throws CortexError REG_NOT_FOUND; REQ_INVALID_ARGUMENT when several models match (the ids are listed).
 */
export function resolveModelRef(models: readonly ModelRecord[], ref: string): ModelRecord {
  const r = ref.trim();
  if (!r) throw new CortexError("REQ_INVALID_ARGUMENT", "id is required");
  const one = (hits: readonly ModelRecord[], what: string): ModelRecord | undefined => {
    if (hits.length === 1) return hits[0];
    if (hits.length > 1) throw new CortexError("REQ_INVALID_ARGUMENT", `"${r}" matches ${hits.length} models by ${what}: ${describe(hits)}; use an id`);
    return undefined;
  };
  const byId = models.find((m) => m.id === r);
  if (byId) return byId;
  if (path.isAbsolute(r)) {
    const abs = path.resolve(r);
    const hit = one(models.filter((m) => m.paths.includes(abs)), "path");
    if (hit) return hit;
  }
  const named = one(models.filter((m) => m.name === r), "name");
  if (named) return named;
  const at = r.lastIndexOf("@");
  if (at > 0) {
    const name = r.slice(0, at);
    const rev = r.slice(at + 1);
    const hit = one(models.filter((m) => m.name === name && m.hf && (m.hf.refs.includes(rev) || (rev.length >= 4 && m.hf.commit.startsWith(rev)))), "name and revision");
    if (hit) return hit;
  }
  if (/^[0-9a-f]{4,11}$/.test(r)) {
    const hit = one(models.filter((m) => m.id.startsWith(r)), "id prefix");
    if (hit) return hit;
  }
  const gguf = resolveRepoGguf(models, r);
  if (gguf) return gguf;
  throw new CortexError("REG_NOT_FOUND", `no model matches "${r}" (an id, name, name@revision, org/repo[:quantization] or path); \`cortex ls\` lists them`);
}
