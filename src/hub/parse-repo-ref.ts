import { CortexError } from "../errors/cortex-error.js";

/** A Hub model reference: repo id and revision (branch, tag, `refs/pr/N` or a 40-hex commit). */
export interface RepoRef {
  repo: string;
  revision: string;
}

export const DEFAULT_REVISION = "main";

/**
 * huggingface_hub's `validate_repo_id` (utils/_validators.py), the one repo-id rule of cortexd:
 * `^(\b[\w\-.]+\b/)?\b[\w\-.]{1,96}\b$` with Python's Unicode `\w` — an optional namespace, then a name of 1 to
 * 96 characters; each starts and ends with a word character — at most one "/", no "--" or "..", no ".git" end.
 */
const W = String.raw`[\p{L}\p{N}_]`;
const NAMESPACE = String.raw`${W}(?:[\p{L}\p{N}_.-]*${W})?`;
const NAME = String.raw`${W}(?:[\p{L}\p{N}_.-]{0,94}${W})?`;
const REPO_ID_RE = new RegExp(`^(?:${NAMESPACE}/)?${NAME}$`, "u");

/**
 * Checks a repo id the way huggingface_hub does (`org/name`, or a legacy bare `name` such as `gpt2`). Throws
 * REQ_INVALID_ARGUMENT naming the input and the rule it breaks.
 */
export function validateRepoId(repo: string, input = repo): string {
  const why =
    repo === ""
      ? "the repo id is empty"
      : repo.split("/").length > 2
        ? "expected org/name or a legacy name (one '/' at most; datasets and spaces cannot be used here)"
        : !REPO_ID_RE.test(repo)
          ? "expected org/name with letters, digits, '-', '_' or '.', not starting or ending with '-' or '.', the name at most 96 characters"
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
