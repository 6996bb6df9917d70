import { fileDownloadInfo, listFiles, modelInfo, pathsInfo, repoExists } from "@huggingface/hub";
import { setTimeout as sleep } from "node:timers/promises";
import { CortexError, errorMessage, isCortexError } from "../errors/cortex-error.js";
import { safeEtag, safeRepoPath } from "./hf-cache-layout.js";
import { createHubFetch } from "./hub-http.js";
import { validateRepoId, validateRevision } from "./parse-repo-ref.js";

export interface HubClientOptions {
  repo: string;
  /** The Hub's base URL (HF_ENDPOINT), e.g. https://huggingface.co. */
  hubUrl: string;
  /** Sent as `Authorization: Bearer` to the Hub's origin only; never logged or put in messages. */
  token?: string;
  signal?: AbortSignal;
  /** Waiting for response headers. Defaults to 30 s. */
  timeoutMs?: number;
  /** Largest metadata answer body (an endless one fails FMT_INVALID). Defaults to 256 MiB. */
  maxAnswerBytes?: number;
  /** Retries of a metadata call after 429/5xx/network failures. Defaults to 3. */
  retries?: number;
  /** A listing's budget: pages fetched and wall time (an endless tree must end). Defaults MAX_LISTING_PAGES, MAX_LISTING_MS. */
  maxListingPages?: number;
  maxListingMs?: number;
}

/** A file of a repo at a commit, as the tree and paths-info APIs describe it. */
export interface RepoFile {
  path: string;
  /** Content size (the LFS object's, not the pointer's). */
  size: number;
  /** The blob name in the HF cache: the LFS sha256 or the git blob sha1. */
  etag: string;
  lfs: boolean;
  /** The git object id (for an LFS file, its pointer's): trees/<commit>.json's blob_id. */
  blobId: string;
  /** Xet-backed files: the Hub's xet hash. */
  xetHash?: string;
}

export interface RevisionInfo {
  commit: string;
  private: boolean;
  gated: false | "auto" | "manual";
}

export interface FileDownloadInfo {
  size: number;
  /** Quotes and W/ removed. */
  etag: string;
  url: string;
}

/** The most entries (files and folders) a listing may have: a hostile or broken listing must not exhaust memory. */
export const MAX_LISTED_FILES = 100_000;
/** The Hub pages a recursive tree by 1,000 entries: 100,000 entries are ~100 pages, so 1,000 is generous. */
export const MAX_LISTING_PAGES = 1_000;
/** An endless tree of folder-only pages once ran 6.5 min+ (173,164 pages): a listing ends within this. */
export const MAX_LISTING_MS = 5 * 60_000;
const COMMIT_RE = /^[0-9a-f]{40}$/;

/**
 * The Hub's metadata API for one model repo, on @huggingface/hub's functions (modelInfo, listFiles, pathsInfo,
 * fileDownloadInfo, repoExists) given a fetch that keeps the token to the Hub's origin and types every failure
 * (HUB_NOT_FOUND, HUB_GATED, HUB_UNAUTHENTICATED, HUB_UNAVAILABLE), retrying transient ones. Listings are checked:
 * unsafe paths and odd object ids are FMT_INVALID naming the path.
 */
export class HubClient {
  readonly repo: string;
  private readonly base: { hubUrl: string; fetch: typeof fetch };

  constructor(private readonly o: HubClientOptions) {
    this.repo = validateRepoId(o.repo);
    const hubUrl = o.hubUrl.replace(/\/+$/, "");
    if (!URL.canParse(hubUrl) || !/^https?:$/.test(new URL(hubUrl).protocol)) throw new CortexError("REQ_INVALID_ARGUMENT", `invalid Hub URL ${JSON.stringify(o.hubUrl.slice(0, 200))}: expected http(s)://host`);
    this.base = { hubUrl, fetch: createHubFetch({ hubUrl, repo: o.repo, ...(o.token ? { token: o.token } : {}), ...(o.signal ? { signal: o.signal } : {}), ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}), ...(o.maxAnswerBytes ? { maxAnswerBytes: o.maxAnswerBytes } : {}) }) };
  }

  /** The `/resolve/` URL of a file (path segments encoded; the revision too, `refs/pr/1` → `refs%2Fpr%2F1`). */
  resolveUrl(revision: string, file: string): string {
    return `${this.base.hubUrl}/${this.repo}/resolve/${encodeURIComponent(revision)}/${encodePath(file)}`;
  }

  /** Revision (branch, tag, refs/pr/N or commit) → its commit, with the repo's private/gated flags. */
  async revisionInfo(revision: string): Promise<RevisionInfo> {
    validateRevision(revision);
    const info = await this.call(`resolve ${this.repo}@${revision}`, () => modelInfo({ name: this.repo, revision, additionalFields: ["sha"], ...this.base }));
    const commit = (info as { sha?: unknown }).sha;
    if (typeof commit !== "string" || !COMMIT_RE.test(commit)) throw new CortexError("HUB_UNAVAILABLE", `the Hub gave no commit hash for ${this.repo}@${revision}`);
    const gated = (info as { gated?: unknown }).gated;
    return { commit, private: Boolean(info.private), gated: gated === "auto" || gated === "manual" ? gated : false };
  }

  async resolveRevision(revision: string): Promise<string> {
    return (await this.revisionInfo(revision)).commit;
  }

  /** Whether the repo exists and is visible with the configured token. */
  async exists(): Promise<boolean> {
    try {
      return await this.call(`check ${this.repo}`, () => repoExists({ repo: { type: "model", name: this.repo }, ...this.base }));
    } catch (err) {
      if (isCortexError(err) && (err.code === "HUB_NOT_FOUND" || err.code === "HUB_UNAUTHENTICATED")) return false;
      throw err;
    }
  }

  /** Every file at `commit` (folders left out), all pages; `path` limits the listing to a folder. */
  async listFiles(commit: string, opts: { path?: string } = {}): Promise<RepoFile[]> {
    const folder = opts.path ? safeRepoPath(this.repo, opts.path.replace(/\/+$/, "")) : undefined;
    const maxPages = this.o.maxListingPages ?? MAX_LISTING_PAGES;
    const maxMs = this.o.maxListingMs ?? MAX_LISTING_MS;
    return this.call(`list ${this.repo}@${commit}`, async () => {
      const out: RepoFile[] = [];
      const started = Date.now();
      let pages = 0;
      let seen = 0;
      // Pages counted and timed where they are fetched (the library follows the Link header by itself, and pages
      // that yield nothing never reach the loop below).
      const counting: typeof fetch = async (input, init) => {
        if (++pages > maxPages) throw new CortexError("FMT_INVALID", `the Hub listing of ${this.repo} runs past ${maxPages} pages; refusing`, { retryable: false });
        if (Date.now() - started > maxMs) throw new CortexError("HUB_UNAVAILABLE", `the Hub listing of ${this.repo} took longer than ${Math.round(maxMs / 1000)} s (${pages - 1} pages, ${seen} entries); giving up`, { retryable: false });
        return this.base.fetch(input, init);
      };
      const entries = listFiles({ repo: { type: "model", name: this.repo }, revision: encodeURIComponent(commit), recursive: true, ...(folder ? { path: encodePath(folder) } : {}), ...this.base, fetch: counting });
      for await (const e of entries) {
        // Folders count too: a tree of folder-only pages never reached a file cap.
        if (++seen > MAX_LISTED_FILES) throw new CortexError("FMT_INVALID", `the Hub listing of ${this.repo} has more than ${MAX_LISTED_FILES} entries (files and folders); refusing`, { retryable: false });
        if (e.type !== "file") continue;
        out.push(this.toRepoFile(e));
      }
      return out;
    });
  }

  /** Entries for exactly these paths; a path that is missing (or is a folder) is HUB_NOT_FOUND naming it. */
  async pathsInfo(commit: string, paths: string[]): Promise<RepoFile[]> {
    for (const p of paths) safeRepoPath(this.repo, p);
    const infos = await this.call(`look up files in ${this.repo}@${commit}`, () => pathsInfo({ repo: { type: "model", name: this.repo }, paths, revision: commit, ...this.base }));
    const byPath = new Map(infos.filter((e) => e.type === "file").map((e) => [e.path, e]));
    const missing = paths.filter((p) => !byPath.has(p));
    if (missing.length > 0) {
      throw new CortexError("HUB_NOT_FOUND", `${missing.length === 1 ? "file" : "files"} ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ` and ${missing.length - 5} more` : ""} not found in ${this.repo}@${commit}`, { details: { repo: this.repo, missing } });
    }
    return paths.map((p) => this.toRepoFile(byPath.get(p)!));
  }

  /** Size, etag and download URL of one file, from the resolve endpoint (a 1-byte ranged GET). */
  async fileInfo(revision: string, file: string): Promise<FileDownloadInfo> {
    safeRepoPath(this.repo, file);
    const info = await this.call(`look up ${this.repo}/${file}`, () => fileDownloadInfo({ repo: { type: "model", name: this.repo }, path: encodePath(file), revision, ...this.base }), file);
    if (!info) throw new CortexError("HUB_NOT_FOUND", `file ${file} not found in ${this.repo}@${revision}`);
    return { size: info.size, etag: info.etag.replace(/^W\//, "").replace(/"/g, ""), url: info.url };
  }

  private toRepoFile(e: { path: string; size: number; oid?: string; lfs?: { oid: string; size: number }; xetHash?: string }): RepoFile {
    const p = safeRepoPath(this.repo, e.path);
    const lfs = Boolean(e.lfs);
    const size = lfs ? e.lfs!.size : e.size;
    if (!Number.isSafeInteger(size) || size < 0) throw new CortexError("FMT_INVALID", `the Hub listing of ${this.repo} gives ${p} an invalid size ${JSON.stringify(size)}`);
    const blobId = typeof e.oid === "string" && /^[0-9a-f]{40}$/.test(e.oid) ? e.oid : "";
    const xet = typeof e.xetHash === "string" && /^[0-9a-f]{64}$/.test(e.xetHash) ? { xetHash: e.xetHash } : {};
    return { path: p, size, etag: safeEtag(this.repo, lfs ? e.lfs!.oid : (e.oid ?? ""), p), lfs, blobId, ...xet };
  }

  /** Runs a library call: typed errors pass through, transient ones are retried, anything else is named. */
  private async call<T>(what: string, fn: () => Promise<T>, file?: string): Promise<T> {
    const retries = this.o.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      this.o.signal?.throwIfAborted();
      try {
        return await fn();
      } catch (err) {
        if (this.o.signal?.aborted) throw this.o.signal.reason ?? err;
        const e = isCortexError(err) ? err : new CortexError("HUB_UNAVAILABLE", `${what}: unexpected answer from the Hub: ${redact(errorMessage(err), this.o.token)}`, { cause: err, details: { repo: this.repo, ...(file ? { file } : {}) } });
        if (!e.retryable || e.code !== "HUB_UNAVAILABLE" || attempt >= retries) throw e;
        try {
          await sleep(300 * 2 ** attempt, undefined, this.o.signal ? { signal: this.o.signal } : undefined);
        } catch {
          throw this.o.signal?.reason ?? e;
        }
      }
    }
  }
}

/** Percent-encodes each segment of a repo path, keeping the slashes. */
export function encodePath(p: string): string {
  return p.split("/").map(encodeURIComponent).join("/");
}

/** Belt and braces: a message never carries the token, whatever a library put in it. */
export function redact(text: string, token: string | undefined): string {
  return token ? text.split(token).join("hf_***") : text;
}
