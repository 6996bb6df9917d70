import { CortexError } from "../errors/cortex-error.js";
import type { ModelRecord } from "./model-types.js";

/**
 * `org/x` (what `cortex pull org/x` took) names the GGUFs in that repo's snapshot, as Ollama's `hf.co/org/x:TAG`
 * does: one GGUF → that one; several → `org/x:Q4_K_M` picks by the quantization tag of the file name (or of
 * the file's own file type). Projector (mmproj) and unfused adapter GGUFs are never the model to run.
 */
const REPO_REF = /^(?:(?:hf\.co|huggingface\.co)\/)?([A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*)(?:@([^:@]+))?(?::([\w.-]+))?$/i;

/** The tag a GGUF's file name ends with (`model.Q4_K_M`, `model-q8_0`, `x-IQ4_XS`, `x-F16`), upper case. */
const NAME_TAG = /[-._]((?:I?Q\d(?:_[A-Z0-9]+)*)|(?:TQ\d_\d)|BF16|F16|F32|MXFP4(?:_MOE)?)$/i;

/** A GGUF's quantization tag: the file name's, else its file type's label ("Q4_K_M"); "" when neither says. */
export function ggufTag(name: string, label: string): string {
  const m = NAME_TAG.exec(name);
  return (m ? m[1]! : label).toUpperCase();
}

/** How `cortex run` names each of a repo's runnable GGUFs: `org/x` for the only one, else `org/x:TAG`. */
export function runNames(repo: string, ggufs: readonly { name: string; label: string }[]): string[] {
  const runnable = ggufs.filter((g) => !/mmproj/i.test(g.name));
  if (runnable.length === 1) return [repo];
  return runnable.map((g) => `${repo}:${ggufTag(g.name, g.label) || g.name.slice(repo.length + 1)}`);
}

function runnable(m: ModelRecord): boolean {
  return m.kind === "gguf" && !/mmproj/i.test(m.name) && !(m.facts.lora && !m.facts.lora.fused);
}

/**
 * @returns the GGUF `ref` names, or undefined when `ref` is not a repo of GGUFs in the HF cache.
 * @throws CortexError REQ_INVALID_ARGUMENT when several GGUFs (or revisions) fit, listing the names that pick
 *   one; REG_NOT_FOUND for a tag none has, listing the tags there are.
 */
export function resolveRepoGguf(models: readonly ModelRecord[], ref: string): ModelRecord | undefined {
  const m = REPO_REF.exec(ref);
  if (!m) return undefined;
  const [, repo, rev, tag] = m as unknown as [string, string, string | undefined, string | undefined];
  let ggufs = models.filter((x) => x.root === "hf-cache" && x.hf?.repo.toLowerCase() === repo.toLowerCase() && runnable(x));
  if (ggufs.length === 0) return undefined;
  if (rev !== undefined) ggufs = ggufs.filter((x) => x.hf!.refs.includes(rev) || (rev.length >= 4 && x.hf!.commit.startsWith(rev)));
  else {
    const main = ggufs.filter((x) => x.hf!.refs.includes("main"));
    if (main.length > 0) ggufs = main;
    else if (new Set(ggufs.map((x) => x.hf!.commit)).size > 1) {
      const commits = [...new Set(ggufs.map((x) => x.hf!.commit.slice(0, 8)))];
      throw new CortexError("REQ_INVALID_ARGUMENT", `"${ref}" is in the HF cache at ${commits.length} revisions and none is main; name one: ${commits.map((c) => `${repo}@${c}`).join(", ")}`);
    }
  }
  if (ggufs.length === 0) return undefined;
  const name = (x: ModelRecord) => `${x.hf!.repo}:${ggufTag(x.name, x.facts.quantizationLabel) || x.name.slice(x.hf!.repo.length + 1)}`;
  if (tag !== undefined) {
    const want = tag.toUpperCase();
    const hits = ggufs.filter((x) => ggufTag(x.name, x.facts.quantizationLabel) === want || x.facts.quantizationLabel.toUpperCase() === want);
    if (hits.length === 1) return hits[0];
    if (hits.length === 0) throw new CortexError("REG_NOT_FOUND", `no GGUF of ${repo} is ${tag}; there are: ${ggufs.map(name).sort().join(", ")}`);
    throw new CortexError("REQ_INVALID_ARGUMENT", `"${ref}" matches ${hits.length} GGUF files: ${hits.map((x) => `${x.name} (${x.id})`).join(", ")}; use an id`);
  }
  if (ggufs.length === 1) return ggufs[0];
  throw new CortexError("REQ_INVALID_ARGUMENT", `"${ref}" has ${ggufs.length} GGUF files; name one: ${ggufs.map(name).sort().join(", ")}`);
}
