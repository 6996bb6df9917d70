import { CortexError } from "../errors/cortex-error.js";

export interface HubHttpOptions {
  hubUrl: string;
  token?: string;
  signal?: AbortSignal;
  /** Names the repo in error messages. */
  repo: string;
  /** Waiting for response headers, and for each piece of a metadata answer's body. Defaults to 30 s. */
  timeoutMs?: number;
  /** Largest metadata (/api/) answer body. Defaults to 256 MiB. */
  maxAnswerBytes?: number;
}

const MAX_REDIRECTS = 5;
/** The largest metadata answer accepted: a listing of MAX_LISTED_FILES entries fits many times over. */
const MAX_ANSWER_BYTES = 256 << 20;

/**
 * fetch for the Hub: the token goes only to the Hub's own origin (never to a CDN or another host after a
 * redirect, which is followed by hand), and failures become typed errors naming the repo. The token never
 * appears in any message.
 */
export function createHubFetch(opts: HubHttpOptions): typeof fetch {
  const hubOrigin = new URL(opts.hubUrl).origin;
  const hubFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    let url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    let method = init.method ?? "GET";
    let body = init.body;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const headers = new Headers(init.headers);
      headers.delete("authorization");
      if (opts.token && new URL(url).origin === hubOrigin) headers.set("authorization", `Bearer ${opts.token}`);
      const headerTimeout = new AbortController();
      const timer = setTimeout(() => headerTimeout.abort(new Error("timed out")), opts.timeoutMs ?? 30_000);
      const signals = [headerTimeout.signal, ...(opts.signal ? [opts.signal] : []), ...(init.signal ? [init.signal] : [])];
      let res: Response;
      try {
        res = await fetch(url, { ...init, method, headers, body: body ?? null, redirect: "manual", signal: AbortSignal.any(signals) });
      } catch (err) {
        if (opts.signal?.aborted) throw opts.signal.reason ?? err;
        if (init.signal?.aborted) throw init.signal.reason ?? err;
        throw new CortexError("HUB_UNAVAILABLE", `cannot reach the Hub for ${opts.repo} (${new URL(url).origin}): ${headerTimeout.signal.aborted ? "timed out" : describeNetworkError(err)}`);
      } finally {
        clearTimeout(timer);
      }
      const location = res.headers.get("location");
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        url = new URL(location, url).href;
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) [method, body] = ["GET", undefined];
        continue;
      }
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        throw hubError(res.status, res.headers, { repo: opts.repo, url, hadToken: Boolean(opts.token) });
      }
      // Metadata answers are read whole by the library: bound them (a hostile or broken server may never stop).
      return new URL(url).pathname.startsWith("/api/") ? boundedAnswer(res, opts.maxAnswerBytes ?? MAX_ANSWER_BYTES, opts.timeoutMs ?? 30_000, opts.repo) : res;
    }
    throw new CortexError("HUB_UNAVAILABLE", `too many redirects fetching ${opts.repo}`);
  };
  return hubFetch as typeof fetch;
}

/** The response with its body limited in size and in time between pieces; either limit fails it with a typed error. */
function boundedAnswer(res: Response, maxBytes: number, idleMs: number, repo: string): Response {
  if (!res.body) return res;
  const reader = res.body.getReader();
  let total = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CortexError("HUB_UNAVAILABLE", `the Hub's answer for ${repo} stalled (no data for ${idleMs / 1000} s)`)), idleMs);
      });
      try {
        const { done, value } = await Promise.race([reader.read(), idle]);
        if (done) return controller.close();
        total += value.byteLength;
        if (total > maxBytes) throw new CortexError("FMT_INVALID", `the Hub's answer for ${repo} is larger than ${maxBytes} bytes; refusing it`);
        controller.enqueue(value);
      } catch (err) {
        await reader.cancel().catch(() => undefined);
        controller.error(err);
      } finally {
        clearTimeout(timer);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
  const bounded = new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  Object.defineProperty(bounded, "url", { value: res.url });
  return bounded;
}

export function describeNetworkError(err: unknown): string {
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  if (e.name === "TimeoutError") return "timed out";
  return e.cause?.code ?? e.code ?? e.cause?.message ?? e.message ?? String(err);
}

export interface HubErrorContext {
  repo: string;
  /** The URL that answered (revision and file are read from it when not given). */
  url: string;
  hadToken: boolean;
  revision?: string;
  file?: string;
}

/** What a Hub URL names: the revision and, for resolve URLs, the file. */
function fromUrl(url: string): { revision?: string; file?: string } {
  let p: string;
  try {
    p = new URL(url).pathname;
  } catch {
    return {};
  }
  const resolve = /\/(?:resolve|raw)\/([^/]+)\/(.+)$/.exec(p);
  if (resolve) return { revision: decodeURIComponent(resolve[1]!), file: decodeURIComponent(resolve[2]!) };
  const api = /\/(?:revision|tree|paths-info)\/([^/]+)/.exec(p);
  return api ? { revision: decodeURIComponent(api[1]!) } : {};
}

/** The Hub's error answers → the taxonomy (hub-protocol §1.5). Messages name the repo (and file), never the token. */
export function hubError(status: number, headers: Headers, ctx: HubErrorContext): CortexError {
  const code = headers.get("x-error-code") ?? "";
  const message = headers.get("x-error-message") ?? "";
  const u = fromUrl(ctx.url);
  const revision = ctx.revision ?? u.revision;
  const file = ctx.file ?? u.file;
  const at = revision ? `${ctx.repo}@${revision}` : ctx.repo;
  const details = { repo: ctx.repo, status, ...(code ? { hubErrorCode: code } : {}), ...(file ? { file } : {}), ...(revision ? { revision } : {}) };
  const err = (c: ConstructorParameters<typeof CortexError>[0], m: string, retryable?: boolean) => new CortexError(c, m, { details, ...(retryable === undefined ? {} : { retryable }) });
  if (code === "GatedRepo") {
    return err("HUB_GATED", `${ctx.repo} is gated: request access on its Hub page in a browser${ctx.hadToken ? "; the configured token has not been granted access yet" : ", then set HF_TOKEN to a token of that account"}`);
  }
  if (/disabled/i.test(message)) return err("HUB_NOT_FOUND", `${ctx.repo}: access to this repo is disabled on the Hub`);
  if (code === "RevisionNotFound") return err("HUB_NOT_FOUND", `revision ${revision ?? "?"} not found in ${ctx.repo}`);
  if (code === "EntryNotFound") return err("HUB_NOT_FOUND", `file ${file ?? "?"} not found in ${at}`);
  if (status === 401 && !code && ctx.hadToken) return err("HUB_UNAUTHENTICATED", `the Hub rejected the configured token (invalid or expired) while fetching ${ctx.repo}; check HF_TOKEN`);
  if (status === 401 || code === "RepoNotFound") {
    if (!ctx.hadToken && status === 401) return err("HUB_UNAUTHENTICATED", `${ctx.repo} was not found or is private: set HF_TOKEN (or log in with huggingface-cli) if it is private`);
    return err("HUB_NOT_FOUND", `repo ${ctx.repo} not found${ctx.hadToken ? " (or the configured token cannot see it)" : ""}`);
  }
  if (status === 403) return err("HUB_GATED", `access to ${ctx.repo} is forbidden for the configured token`);
  if (status === 404) return err("HUB_NOT_FOUND", file ? `file ${file} not found in ${at}` : `${at} not found`);
  if (status === 416) return err("HUB_INTEGRITY", `${file ? `${ctx.repo}/${file}` : ctx.repo}: range not satisfiable (the file changed on the Hub?)`);
  if (status === 429) return err("HUB_UNAVAILABLE", `the Hub is rate-limiting requests for ${ctx.repo} (429)`);
  if (status >= 500) return err("HUB_UNAVAILABLE", `the Hub answered ${status} for ${file ? `${ctx.repo}/${file}` : ctx.repo}`);
  return err("HUB_UNAVAILABLE", `the Hub answered ${status} for ${file ? `${ctx.repo}/${file}` : ctx.repo}`, false);
}
