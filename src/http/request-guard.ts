import net from "node:net";
import { tokenMatches } from "../grpc/bearer-token.js";
import { CortexError } from "../errors/cortex-error.js";

export interface GuardOptions {
  /** The bearer token; "" = no token required (--http-no-auth on a loopback address). */
  token: string;
  /** Host names answered besides loopback names and IP literals. */
  hosts: readonly string[];
  /** Browser origins allowed (CORS). */
  origins: readonly string[];
}

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "::1"]);

/** Paths answered without a token: Ollama's liveness probe (`GET /`) and version (clients check them first). */
const OPEN_PATHS = new Set(["/", "/api/version"]);

/** The host of a Host header ("[::1]:11435" → "::1"), lowercased. */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(1, h.indexOf("]"));
  const colon = h.lastIndexOf(":");
  return colon >= 0 && h.indexOf(":") === colon ? h.slice(0, colon) : h;
}

/**
 * What every request passes before a route sees it: a Host that is a loopback name, an IP literal or a configured
 * name (a DNS-rebinding page names its own host, never these); an Origin, when a browser sends one, that is
 * listed; and the bearer token. Returns the CORS headers to add, or throws the refusal.
 */
export function checkRequest(o: GuardOptions, req: { method: string; path: string; host: string | undefined; origin: string | undefined; authorization: string | undefined }): Record<string, string> {
  const host = hostName(req.host ?? "");
  const name = host.endsWith(".") ? host.slice(0, -1) : host;
  if (!(LOOPBACK_NAMES.has(name) || name.endsWith(".localhost") || net.isIP(name) !== 0 || o.hosts.some((h) => h.toLowerCase() === name))) {
    throw new CortexError("REQ_FORBIDDEN", `host "${req.host ?? ""}" is not served: use a loopback address or add the name to httpHosts`, { details: { field: "Host" } });
  }
  const cors: Record<string, string> = {};
  if (req.origin !== undefined) {
    if (!o.origins.includes(req.origin)) {
      throw new CortexError("REQ_FORBIDDEN", `origin "${req.origin}" is not allowed: add it to httpOrigins`, { details: { field: "Origin" } });
    }
    cors["access-control-allow-origin"] = req.origin;
    cors["vary"] = "Origin";
  }
  if (req.method === "OPTIONS" || !o.token || OPEN_PATHS.has(req.path)) return cors;
  const presented = /^Bearer\s+(.+)$/i.exec((req.authorization ?? "").trim())?.[1] ?? "";
  if (!presented) throw new CortexError("REQ_UNAUTHENTICATED", 'missing bearer token: send "Authorization: Bearer <token>" (the token is in $CORTEX_HOME/token)');
  if (!tokenMatches(presented, o.token)) throw new CortexError("REQ_UNAUTHENTICATED", "invalid bearer token");
  return cors;
}
