import { CortexError } from "../errors/cortex-error.js";

export interface HubHttpOptions {
  hubUrl: string;
  token?: string;
  signal?: AbortSignal;
  /** Names the repo in error messages. */
  repo: string;
  /** Per-request timeout for headers (not the body). */
  timeoutMs?: number;
}

const MAX_REDIRECTS = 5;

/**
 * fetch for the Hub: the token goes only to the Hub's own origin (never to a CDN or another host after a
 * redirect, which is followed by hand), and failures become typed errors naming the repo. The token never
 * appears in any message.
 */
export function createHubFetch(opts: HubHttpOptions): typeof fetch {
  const hubOrigin = new URL(opts.hubUrl).origin;
  const hubFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    let url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = init.method ?? "GET";
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers = new Headers(init.headers);
      headers.delete("authorization");
      if (opts.token && new URL(url).origin === hubOrigin) headers.set("authorization", `Bearer ${opts.token}`);
      // The timeout covers connecting and the headers only; bodies are watched by the caller's stall timer.
      const headerTimeout = new AbortController();
      const timer = setTimeout(() => headerTimeout.abort(new Error("timed out")), opts.timeoutMs ?? 30_000);
      const signals = [headerTimeout.signal, ...(opts.signal ? [opts.signal] : []), ...(init.signal ? [init.signal] : [])];
      let res: Response;
      try {
        res = await fetch(url, { ...init, method, headers, redirect: "manual", signal: AbortSignal.any(signals) });
      } catch (err) {
        if (opts.signal?.aborted) throw opts.signal.reason ?? err;
        if (init.signal?.aborted) throw init.signal.reason ?? err;
        throw new CortexError("HUB_UNAVAILABLE", `cannot reach the Hub for ${opts.repo} (${new URL(url).origin}): ${headerTimeout.signal.aborted ? "timed out" : describeNetworkError(err)}`);
      } finally {
        clearTimeout(timer);
      }
      if (res.status >= 300 && res.status < 400 && res.headers.get("location")) {
        await res.body?.cancel();
        url = new URL(res.headers.get("location")!, url).href;
        continue;
      }
      if (!res.ok) throw await hubError(res, opts.repo, url, Boolean(opts.token));
      return res;
    }
    throw new CortexError("HUB_UNAVAILABLE", `too many redirects fetching ${opts.repo}`);
  };
  return hubFetch as typeof fetch;
}

function describeNetworkError(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError") return "timed out";
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}

/** The Hub's answers → the taxonomy (hub-protocol §1.5). */
export async function hubError(res: Response, repo: string, url: string, hadToken: boolean): Promise<CortexError> {
  const code = res.headers.get("x-error-code") ?? "";
  const message = res.headers.get("x-error-message") ?? "";
  await res.body?.cancel().catch(() => undefined);
  const file = /\/resolve\/[^/]+\/(.+)$/.exec(new URL(url).pathname)?.[1];
  if (code === "GatedRepo") {
    return new CortexError("HUB_GATED", `${repo} is gated: request access on the Hub's model page in a browser${hadToken ? " (your token has no access yet)" : ", then set HF_TOKEN"}`);
  }
  if (message.includes("disabled")) return new CortexError("HUB_NOT_FOUND", `${repo}: access to this repo is disabled on the Hub`);
  if (code === "RevisionNotFound") return new CortexError("HUB_NOT_FOUND", `revision not found in ${repo}`);
  if (code === "EntryNotFound") return new CortexError("HUB_NOT_FOUND", `file ${file ? decodeURIComponent(file) : ""} not found in ${repo}`.replace("file  not", "file not"));
  if (res.status === 401 || code === "RepoNotFound") {
    if (!hadToken && res.status === 401) return new CortexError("HUB_UNAUTHENTICATED", `${repo} was not found or is private: set HF_TOKEN (or log in with huggingface-cli) if it is private`);
    return new CortexError("HUB_NOT_FOUND", `repo ${repo} not found (or your token cannot see it)`);
  }
  if (res.status === 403) return new CortexError("HUB_GATED", `access to ${repo} is forbidden for this token`);
  if (res.status === 404) return new CortexError("HUB_NOT_FOUND", `${file ? `file ${decodeURIComponent(file)} in ` : ""}${repo} not found`);
  if (res.status === 416) return new CortexError("HUB_INTEGRITY", `${repo}: range not satisfiable (the file changed size?)`);
  return new CortexError("HUB_UNAVAILABLE", `the Hub answered ${res.status} for ${repo}`);
}
