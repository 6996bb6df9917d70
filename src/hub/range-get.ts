import { CortexError } from "../errors/cortex-error.js";
import { http1Get, type Http1Response } from "./http1-get.js";
import { hubError } from "./hub-http.js";

export interface RangeGetOptions {
  url: string;
  range: string;
  hubUrl: string;
  token?: string;
  repo: string;
  file?: string;
  signal: AbortSignal;
  headerTimeoutMs?: number;
}

export interface RangeGetResult {
  /** Status and headers; `res.read(sink)` streams the body. */
  res: Http1Response;
  /** The URL that answered, after redirects. */
  url: string;
}

const MAX_REDIRECTS = 5;

/**
 * A ranged GET for file bytes (see http1-get: one reused read buffer per connection, keep-alive per origin).
 * Redirects are followed by hand; the token goes to the Hub's origin only, never to the CDN a redirect names.
 */
export async function rangeGet(o: RangeGetOptions): Promise<RangeGetResult> {
  const hubOrigin = new URL(o.hubUrl).origin;
  const what = o.file ? `${o.repo}/${o.file}` : o.repo;
  let url = o.url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const u = new URL(url);
    const headers: Record<string, string> = { range: o.range, "user-agent": "cortexd" };
    if (o.token && u.origin === hubOrigin) headers.authorization = `Bearer ${o.token}`;
    let res: Http1Response;
    try {
      res = await http1Get(u, { headers, signal: o.signal, headerTimeoutMs: o.headerTimeoutMs ?? 30_000 });
    } catch (err) {
      if (o.signal.aborted) throw o.signal.reason ?? err;
      const e = err as NodeJS.ErrnoException;
      throw new CortexError("HUB_UNAVAILABLE", `cannot fetch ${what} from ${u.origin}: ${e.code ?? e.message}`);
    }
    const status = res.status;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.discard();
      url = new URL(res.headers.location, url).href;
      continue;
    }
    if (status >= 400 && (u.origin !== hubOrigin || (hop > 0 && !res.headers["x-error-code"]))) {
      // The CDN a redirect named (signed, short-lived URLs): a refusal there is not about the repo's access
      // rules (those come from the Hub, with X-Error-Code); the retry asks the Hub for a fresh redirect.
      res.discard();
      throw new CortexError("HUB_UNAVAILABLE", `${what}: the download host ${u.origin} answered ${status}`);
    }
    if (status >= 400) {
      res.discard();
      throw hubError(status, new Headers(res.headers), { repo: o.repo, url, hadToken: Boolean(o.token), ...(o.file ? { file: o.file } : {}) });
    }
    return { res, url };
  }
  // A loop (or a chain this long) answers the same next time: permanent, not a transient failure to retry.
  throw new CortexError("HUB_UNAVAILABLE", `too many redirects fetching ${what} (a redirect loop?)`, { retryable: false });
}
