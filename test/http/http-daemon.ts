import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { startDaemon, type RunningDaemon } from "../helpers/daemon.js";

export interface HttpDaemon {
  d: RunningDaemon;
  /** http://127.0.0.1:PORT */
  url: string;
  token: string;
}

/** A real cortexd with its HTTP APIs on a free loopback port (read back from the "cortexd ready" log line). */
export async function startHttpDaemon(home: string, opts: { args?: string[]; env?: Record<string, string> } = {}): Promise<HttpDaemon> {
  const d = await startDaemon(home, { args: ["--http", "127.0.0.1:0", ...(opts.args ?? [])], env: { CORTEX_THREADS: "1", ...opts.env } });
  const m = /"http":"(http:\/\/[^"]+)"/.exec(d.output());
  if (!m) throw new Error(`no http address in the daemon's log:\n${d.output()}`);
  const tokenFile = path.join(home, "token");
  const token = fs.existsSync(tokenFile) ? fs.readFileSync(tokenFile, "utf8").trim() : "";
  return { d, url: m[1]!, token };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request with exactly these headers (fetch would not let a test set Host), the body read whole. */
export function rawRequest(url: string, opts: { method?: string; path: string; headers?: Record<string, string>; body?: unknown }): Promise<RawResponse> {
  const u = new URL(url);
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, method: opts.method ?? (payload ? "POST" : "GET"), path: opts.path, headers: { ...(payload ? { "content-type": "application/json" } : {}), ...opts.headers } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}
