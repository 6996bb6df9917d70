import path from "node:path";
import { CortexError } from "../errors/cortex-error.js";
import { validateRepoId, validateRevision } from "../hub/parse-repo-ref.js";

/**
 * Where a job's output goes. `local`: the submitting daemon's home (only its own workers take the job);
 * `shared:<dir>`: a folder under a shared root every fleet machine mounts; `hub:<org>/<repo>[@branch]`: a model
 * repo on the Hub (created when missing), one commit per job.
 */
export type Destination = { kind: "local" } | { kind: "shared"; dir: string } | { kind: "hub"; repo: string; branch: string };

export function parseDestination(text: string | undefined, field = "destination"): Destination {
  const v = (text ?? "").trim();
  if (v === "" || v === "local") return { kind: "local" };
  if (v.startsWith("shared:")) {
    const dir = v.slice("shared:".length);
    if (!path.isAbsolute(dir)) throw new CortexError("REQ_INVALID_ARGUMENT", `${field}: "${v}" must name an absolute folder under a shared root (shared:/mnt/models/out)`);
    return { kind: "shared", dir: path.resolve(dir) };
  }
  if (v.startsWith("hub:")) {
    const [repo = "", branch = "main", ...rest] = v.slice("hub:".length).split("@");
    if (rest.length) throw new CortexError("REQ_INVALID_ARGUMENT", `${field}: "${v}" has more than one @`);
    try {
      return { kind: "hub", repo: validateRepoId(repo, v), branch: validateRevision(branch, v) };
    } catch (err) {
      throw new CortexError("REQ_INVALID_ARGUMENT", `${field}: ${(err as Error).message}`);
    }
  }
  throw new CortexError("REQ_INVALID_ARGUMENT", `${field}: "${v}" is not a destination; accepted: local, shared:<dir>, hub:<org>/<repo>[@branch]`);
}

export function formatDestination(d: Destination): string {
  return d.kind === "local" ? "local" : d.kind === "shared" ? `shared:${d.dir}` : `hub:${d.repo}${d.branch === "main" ? "" : `@${d.branch}`}`;
}

/** The shared root holding `p`, if any. */
export function sharedRootOf(p: string, roots: readonly string[]): string | undefined {
  const abs = path.resolve(p);
  return roots.find((r) => abs === path.resolve(r) || abs.startsWith(path.resolve(r) + path.sep));
}
