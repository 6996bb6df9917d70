import http from "node:http";
import https from "node:https";
import { CortexError } from "../errors/cortex-error.js";
import { hubError } from "./hub-http.js";

export interface RangeGetOptions {
  url: string;
  range: string;
  hubUrl: string;
  token?: string;
  repo: string;
  signal: AbortSignal;
  headerTimeoutMs?: number;
}

const MAX_REDIRECTS = 5;
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

/**
 * A ranged GET for file bytes on node:http (several times the throughput of fetch's web streams on loopback).
 * Redirects are followed by hand; the token goes to the Hub's origin only.
 */
export async function rangeGet(o: RangeGetOptions): Promise<http.IncomingMessage> {
  const hubOrigin = new URL(o.hubUrl).origin;
  let url = o.url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const u = new URL(url);
    const headers: Record<string, string> = { range: o.range, "user-agent": "cortexd" };
    if (o.token && u.origin === hubOrigin) headers.authorization = `Bearer ${o.token}`;
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const mod = u.protocol === "https:" ? https : http;
      const req = mod.get(u, { headers, agent: u.protocol === "https:" ? agents.https : agents.http, signal: o.signal }, resolve);
      req.setTimeout(o.headerTimeoutMs ?? 30_000, () => req.destroy(new Error("timed out waiting for the response")));
      req.once("error", (err) => reject(o.signal.aborted ? (o.signal.reason ?? err) : new CortexError("HUB_UNAVAILABLE", `cannot fetch ${o.repo} from ${u.origin}: ${(err as NodeJS.ErrnoException).code ?? err.message}`)));
    });
    res.socket?.setTimeout(0);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      url = new URL(res.headers.location, url).href;
      continue;
    }
    if (status >= 400) {
      res.resume();
      const h = new Headers();
      for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") h.set(k, v);
      throw await hubError(new Response(null, { status, headers: h }), o.repo, url, Boolean(o.token));
    }
    return res;
  }
  throw new CortexError("HUB_UNAVAILABLE", `too many redirects fetching ${o.repo}`);
}
