import { CortexError } from "../errors/cortex-error.js";

/** A Hub model reference: repo id and revision (branch, tag, `refs/pr/N` or a 40-hex commit). */
export interface RepoRef {
  repo: string;
  revision: string;
}

export const DEFAULT_REVISION = "main";

// huggingface_hub's validate_repo_id: optional namespace, [\w.-] names not starting/ending with "-" or ".".
const NAME = String.raw`[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?`;
const REPO_ID_RE = new RegExp(`^(?:${NAME}/)?${NAME}$`);

/**
 * Checks a repo id the way huggingface_hub does (`org/name` or a legacy bare `name`; at most 96 characters;
 * no `--`, `..` or trailing `.git`). Throws REQ_INVALID_ARGUMENT naming the input.
 */
export function validateRepoId(repo: string, input = repo): string {
  const why =
    repo === ""
      ? "the repo id is empty"
      : repo.length > 96
        ? "a repo id has at most 96 characters"
        : !REPO_ID_RE.test(repo)
          ? "expected org/name with letters, digits, '-', '_' or '.', not starting or ending with '-' or '.'"
          : repo.includes("--") || repo.includes("..")
            ? "a repo id cannot contain '--' or '..'"
            : repo.endsWith(".git")
              ? "a repo id cannot end with '.git'"
              : undefined;
  if (why) throw new CortexError("REQ_INVALID_ARGUMENT", `invalid Hugging Face repo ${JSON.stringify(input.slice(0, 200))}: ${why}`);
  return repo;
}

/**
 * Checks a revision. Names may contain "/" (`refs/pr/1`) because the cache stores them as `refs/<name>`,
 * so anything that could climb out of `refs/` or is not a plausible git ref is refused.
 */
export function validateRevision(revision: string, input = revision): string {
  const bad =
    revision === "" ||
    revision.length > 256 ||
    /[\s\0-\x1f\x7f\\~^:?*[]/.test(revision) ||
    revision.startsWith("/") ||
    revision.endsWith("/") ||
    revision.endsWith(".lock") ||
    revision.split("/").some((seg) => seg === "" || seg === "." || seg === ".." || seg.startsWith("."));
  if (bad) throw new CortexError("REQ_INVALID_ARGUMENT", `invalid revision ${JSON.stringify(revision.slice(0, 200))} in ${JSON.stringify(input.slice(0, 200))}: expected a branch, tag, refs/pr/N or a commit hash`);
  return revision;
}

/**
 * "org/name[@revision]" → {repo, revision}; the revision defaults to "main". Validation errors are
 * REQ_INVALID_ARGUMENT and name the input.
 */
export function parseRepoRef(input: string): RepoRef {
  const text = input.trim();
  const at = text.indexOf("@");
  const repo = at < 0 ? text : text.slice(0, at);
  const revision = at < 0 ? DEFAULT_REVISION : text.slice(at + 1);
  if (at >= 0 && revision === "") throw new CortexError("REQ_INVALID_ARGUMENT", `invalid Hugging Face reference ${JSON.stringify(input.slice(0, 200))}: nothing after '@' (expected org/name@revision)`);
  validateRepoId(repo, input);
  validateRevision(revision, input);
  return { repo, revision };
}
