import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { commit, createRepo, HubApiError, listCommits } from "@huggingface/hub";
import { CortexError, isCortexError } from "../errors/cortex-error.js";
import { describeNetworkError } from "./hub-http.js";
import { redact } from "./hub-client.js";

export interface PushOptions {
  /** "org/name" of a model repo; created (public) when missing. */
  repo: string;
  branch: string;
  hubUrl: string;
  token: string;
  /** The folder whose files (recursively) are committed, with their paths relative to it. */
  folder: string;
  title: string;
  description?: string;
  /**
   * A word the commit title carries (the job id): when a commit with it is already on the branch, that commit is
   * the answer and nothing is sent (a job re-run after its worker died right after committing publishes once).
   */
  marker?: string;
  signal?: AbortSignal;
}

export interface PushResult {
  commit: string;
  url: string;
  files: string[];
  /** LFS objects actually sent (those the Hub already held were skipped: an interrupted push resumes). */
  uploaded: number;
  /** True when the marker's commit already existed and nothing was sent. */
  alreadyPublished: boolean;
}

/**
 * Publishes a folder as one commit on a Hub model repo through @huggingface/hub's commit API (preupload, LFS batch
 * with `basic` transfer, PUT, NDJSON commit), as mlx-lm's `--upload-repo` does with huggingface_hub. Resumable by the
 * LFS protocol itself: the batch answer gives no upload action for an object the Hub already holds. The token goes
 * only to the Hub's API; it never appears in an error.
 */
export async function pushToHub(o: PushOptions): Promise<PushResult> {
  if (!o.token) throw new CortexError("HUB_UNAUTHENTICATED", `pushing to ${o.repo} needs a Hub token with write access: set HF_TOKEN on the machine that runs the job`, { retryable: false });
  const credentials = { accessToken: o.token };
  let uploaded = 0;
  const countingFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, { ...init, ...(o.signal ? { signal: init?.signal ? AbortSignal.any([init.signal, o.signal]) : o.signal } : {}) });
    if (init?.method === "PUT" && res.ok) uploaded++;
    return res;
  };
  const run = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw pushError(err, what, o);
    }
  };
  const files = folderFiles(o.folder);
  if (o.marker) {
    const existing = await run("read the commit log", async () => {
      try {
        for await (const c of listCommits({ repo: o.repo, revision: o.branch, credentials, hubUrl: o.hubUrl, fetch: countingFetch })) if (c.title.includes(o.marker!)) return c.oid;
      } catch (err) {
        if (err instanceof HubApiError && err.statusCode === 404) return undefined; // no repo yet
        throw err;
      }
      return undefined;
    });
    if (existing) return { commit: existing, url: `${o.hubUrl}/${o.repo}/commit/${existing}`, files, uploaded: 0, alreadyPublished: true };
  }
  await run("create the repo", async () => {
    try {
      await createRepo({ repo: o.repo, credentials, hubUrl: o.hubUrl, fetch: countingFetch });
    } catch (err) {
      if (!(err instanceof HubApiError && err.statusCode === 409)) throw err; // 409: it exists, which is fine
    }
  });
  const out = await run("commit", () =>
    commit({
      repo: o.repo,
      credentials,
      hubUrl: o.hubUrl,
      branch: o.branch,
      title: o.title,
      ...(o.description ? { description: o.description } : {}),
      operations: files.map((f) => ({ operation: "addOrUpdate" as const, path: f, content: pathToFileURL(path.join(o.folder, f)) })),
      useXet: false,
      fetch: countingFetch,
      ...(o.signal ? { abortSignal: o.signal } : {}),
    }),
  );
  const oid = out?.commit.oid ?? "";
  return { commit: oid, url: out?.commit.url ?? `${o.hubUrl}/${o.repo}/commit/${oid}`, files, uploaded, alreadyPublished: false };
}

/** Every file under `folder` (links followed, as an HF snapshot's are), as sorted repo paths ("sub/file"). */
export function folderFiles(folder: string, prefix = ""): string[] {
  return fs
    .readdirSync(path.join(folder, prefix))
    .flatMap((name) => {
      const rel = path.posix.join(prefix, name);
      const st = fs.statSync(path.join(folder, rel));
      return st.isDirectory() ? folderFiles(folder, rel) : st.isFile() ? [rel] : [];
    })
    .sort();
}

/** Hub write errors → the taxonomy: 401 HUB_UNAUTHENTICATED, 403 HUB_PERMISSION_DENIED (neither retried), 404, 429/5xx/network retryable. */
function pushError(err: unknown, what: string, o: PushOptions): Error {
  if (o.signal?.aborted) return (o.signal.reason as Error) ?? (err as Error);
  if (isCortexError(err)) return err;
  const msg = redact(err instanceof Error ? err.message : String(err), o.token);
  const at = `${o.repo}@${o.branch}`;
  if (err instanceof HubApiError) {
    const s = err.statusCode;
    if (s === 401) return new CortexError("HUB_UNAUTHENTICATED", `the Hub rejected the token while trying to ${what} of ${at} (401): check HF_TOKEN`, { retryable: false });
    if (s === 403) return new CortexError("HUB_PERMISSION_DENIED", `the token may not write to ${at} (403) while trying to ${what}: use a token with write access to ${o.repo.split("/")[0]}`, { retryable: false });
    if (s === 404) return new CortexError("HUB_NOT_FOUND", `${at} not found while trying to ${what}: ${msg}`);
    if (s === 429 || s >= 500) return new CortexError("HUB_UNAVAILABLE", `the Hub answered ${s} while trying to ${what} of ${at}; the push resumes where it stopped`);
    return new CortexError("HUB_UNAVAILABLE", `the Hub answered ${s} while trying to ${what} of ${at}: ${msg}`, { retryable: false });
  }
  return new CortexError("HUB_UNAVAILABLE", `cannot ${what} of ${at}: ${redact(describeNetworkError(err), o.token)}`);
}
