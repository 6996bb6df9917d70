import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { sendRange, type FileFaults } from "./loopback-faults.js";

export type { FileFaults } from "./loopback-faults.js";
import { handleWrite, type WriteState } from "./loopback-hub-write.js";

/**
 * An in-process server that speaks what the Hugging Face Hub speaks for model repos (hub-protocol §1, §4):
 * revision info, paged tree listing with absolute Link headers, paths-info, resolve (HEAD/GET, Range → 206),
 * X-Repo-Commit, ETag, X-Linked-Etag/X-Linked-Size, LFS redirects to a CDN path (on this server or on a second
 * server standing for another host), 401/403/404 with X-Error-Code and JSON error bodies, private and gated
 * repos, renamed repos (relative redirect). Faults per file path; every request is recorded with its headers.
 */
export interface HubFile {
  data: Buffer;
  lfs?: boolean;
}


export interface HubRepo {
  /** The tree at `commit` (what main points to). */
  files: Record<string, HubFile>;
  /** main's commit; default sha1(repo id). */
  commit?: string;
  /** branch/tag → commit; main defaults to `commit`. */
  refs?: Record<string, string>;
  /** Trees of other commits (a ref to a commit without its own tree sees `files`). */
  commits?: Record<string, Record<string, HubFile>>;
  private?: boolean;
  gated?: boolean;
  /** Access disabled by the Hub (403, "Access to this resource is disabled."). */
  disabled?: boolean;
  /** Tokens that may read a private or gated repo; default [TEST_TOKEN]. */
  grantedTokens?: string[];
  /** Raw listing entries appended to every tree page (hostile listings). */
  extraEntries?: object[];
}

export interface HubOptions {
  /** LFS redirects go to the second server, reached as http://localhost:<port> (another origin). */
  cdnOnOtherOrigin?: boolean;
  /** Tree entries per page (default 2, so paging is always exercised). */
  pageSize?: number;
  /** Old repo id → new one: answered with a relative 307, as the Hub does for renamed repos. */
  aliases?: Record<string, string>;
}

export interface RecordedRequest {
  host: "hub" | "cdn";
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  authorization?: string;
  range?: string;
  /** The repo file the request was for (resolve and CDN routes). */
  file?: string;
}

/** A token with access to every test repo (the JS client requires the hf_ prefix). */
export const TEST_TOKEN = "hf_testtoken_0123456789";
/** A valid token that has not been granted any private or gated repo. */
export const OTHER_TOKEN = "hf_othertoken_9876543210";

// Hashes are memoised per buffer: hashing a large file on every request would block the event loop that the
// client under test shares with this server, and look like a stalled connection.
const memo = new WeakMap<Buffer, Map<string, string>>();
const hashOf = (algo: "sha1git" | "sha256", b: Buffer): string => {
  let m = memo.get(b);
  if (!m) memo.set(b, (m = new Map()));
  let h = m.get(algo);
  if (h === undefined) {
    const hash = algo === "sha256" ? crypto.createHash("sha256") : crypto.createHash("sha1").update(`blob ${b.length}\0`);
    // One update takes at most 2 GiB - 1 bytes.
    for (let at = 0; at < b.length; at += 1 << 30) hash.update(b.subarray(at, at + (1 << 30)));
    h = hash.digest("hex");
    m.set(algo, h);
  }
  return h;
};
const sha1git = (b: Buffer) => hashOf("sha1git", b);
const sha256 = (b: Buffer) => hashOf("sha256", b);
const pointerOf = (f: HubFile) => Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(f.data)}\nsize ${f.data.length}\n`);

export class LoopbackHub {
  readonly requests: RecordedRequest[] = [];
  /** The write side (loopback-hub-write.ts): LFS objects, uploads, commit log. */
  readonly write: WriteState = { lfsStore: new Map(), lfsPuts: [], commitLog: {}, failPuts: new Map() };
  readonly served: { path: string; start: number; bytes: number }[] = [];
  readonly faults = new Map<string, FileFaults>();
  private hub!: http.Server;
  private cdn!: http.Server;
  private nextRequestId = 1;
  url = "";
  cdnUrl = "";

  private constructor(
    readonly repos: Record<string, HubRepo>,
    private readonly opts: HubOptions,
  ) {}

  static async start(repos: Record<string, HubRepo>, opts: HubOptions = {}): Promise<LoopbackHub> {
    const hub = new LoopbackHub(repos, opts);
    hub.hub = http.createServer((req, res) => void hub.handle(req, res, "hub").catch(() => res.destroy()));
    hub.cdn = http.createServer((req, res) => void hub.handle(req, res, "cdn").catch(() => res.destroy()));
    await new Promise<void>((r) => hub.hub.listen(0, "127.0.0.1", r));
    await new Promise<void>((r) => hub.cdn.listen(0, "127.0.0.1", r));
    hub.url = `http://127.0.0.1:${(hub.hub.address() as AddressInfo).port}`;
    // "localhost" is another origin than "127.0.0.1", as a real CDN is another host.
    hub.cdnUrl = opts.cdnOnOtherOrigin ? `http://localhost:${(hub.cdn.address() as AddressInfo).port}` : hub.url;
    return hub;
  }

  /** The commit main points to. */
  commitOf(repo: string): string {
    const r = this.repos[repo]!;
    return r.refs?.main ?? r.commit ?? crypto.createHash("sha1").update(repo).digest("hex");
  }

  /** Body bytes of `path` handed to sockets, over all responses (an upper bound on what clients received). */
  bytesServed(path: string): number {
    return this.served.filter((s) => s.path === path).reduce((n, s) => n + s.bytes, 0);
  }

  /** Requests (resolve and CDN) and body bytes for one file. */
  stats(path: string): { requests: number; bytes: number } {
    return { requests: this.requests.filter((r) => r.file === path).length, bytes: this.bytesServed(path) };
  }

  /** sha256 (the LFS oid) of a file at main. */
  sha256Of(repo: string, path: string): string {
    return sha256(this.repos[repo]!.files[path]!.data);
  }

  async close(): Promise<void> {
    for (const s of [this.hub, this.cdn]) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }

  private filesAt(r: HubRepo, repo: string, commit: string): Record<string, HubFile> {
    return commit === this.commitOf(repo) ? r.files : (r.commits?.[commit] ?? r.files);
  }

  private resolveRev(r: HubRepo, repo: string, rev: string): string | undefined {
    const main = this.commitOf(repo);
    if (rev === "main" || rev === "HEAD") return main;
    if (r.refs?.[rev]) return r.refs[rev];
    const known = new Set([main, r.commit, ...Object.values(r.refs ?? {}), ...Object.keys(r.commits ?? {})]);
    return /^[0-9a-f]{40}$/.test(rev) && known.has(rev) ? rev : undefined;
  }

  private entry(p: string, f: HubFile, expand: boolean, commit: string) {
    return {
      type: "file",
      path: p,
      oid: sha1git(f.lfs ? pointerOf(f) : f.data),
      size: f.lfs ? pointerOf(f).length : f.data.length,
      ...(f.lfs ? { lfs: { oid: sha256(f.data), size: f.data.length, pointerSize: pointerOf(f).length } } : {}),
      ...(expand ? { lastCommit: { id: commit, title: "init", date: new Date(0).toISOString() } } : {}),
    };
  }

  /** Tree entries under `prefix`: direct children, or everything with the folders when recursive. */
  private tree(files: Record<string, HubFile>, prefix: string, recursive: boolean, expand: boolean, commit: string): object[] {
    const out: object[] = [];
    const dirs = new Set<string>();
    const dir = (d: string) => dirs.has(d) || (dirs.add(d), out.push({ type: "directory", oid: sha1git(Buffer.from(d)), size: 0, path: d }));
    for (const [p, f] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
      if (prefix && !p.startsWith(`${prefix}/`)) continue;
      const rest = prefix ? p.slice(prefix.length + 1) : p;
      const segs = rest.split("/");
      if (!recursive && segs.length > 1) {
        dir(prefix ? `${prefix}/${segs[0]}` : segs[0]!);
        continue;
      }
      for (let i = 1; i < segs.length; i++) dir([prefix, ...segs.slice(0, i)].filter(Boolean).join("/"));
      out.push(this.entry(p, f, expand, commit));
    }
    return out;
  }

  err(res: http.ServerResponse, status: number, code: string | undefined, msg: string, extra: Record<string, string> = {}) {
    res.writeHead(status, { "Content-Type": "application/json", ...(code ? { "X-Error-Code": code } : {}), "X-Error-Message": msg, ...extra });
    res.end(JSON.stringify({ error: msg }));
  }

  /** Access rules of the Hub: metadata of gated repos is public, their files are not. */
  private authorize(req: http.IncomingMessage, res: http.ServerResponse, repo: string, files: boolean): HubRepo | undefined {
    const r = this.repos[repo];
    const auth = req.headers.authorization;
    const token = auth?.startsWith("Bearer ") ? auth.slice(7) : undefined;
    if (token !== undefined && token !== TEST_TOKEN && token !== OTHER_TOKEN) return void this.err(res, 401, undefined, "Invalid credentials in Authorization header");
    if (!r) return void this.err(res, 404, "RepoNotFound", "Repository not found");
    if (r.disabled) return void this.err(res, 403, undefined, "Access to this resource is disabled.");
    const granted = token !== undefined && (r.grantedTokens ?? [TEST_TOKEN]).includes(token);
    if (r.private && !granted) return void this.err(res, token ? 404 : 401, "RepoNotFound", "Repository not found");
    if (r.gated && files && !granted) {
      if (token) return void this.err(res, 403, "GatedRepo", `Access to model ${repo} is restricted and you are not in the authorized list. Visit https://huggingface.co/${repo} to ask for access.`);
      return void this.err(res, 401, "GatedRepo", `Access to model ${repo} is restricted. You must have access to it and be authenticated to access it. Please log in.`);
    }
    return r;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, host: "hub" | "cdn") {
    const url = new URL(req.url ?? "/", host === "hub" ? this.url : this.cdnUrl);
    const rec: RecordedRequest = { host, method: req.method ?? "GET", url: url.href, headers: { ...req.headers } };
    if (req.headers.authorization) rec.authorization = req.headers.authorization;
    if (req.headers.range) rec.range = req.headers.range;
    this.requests.push(rec);
    res.setHeader("X-Request-Id", `req-${this.nextRequestId++}`);
    let m: RegExpExecArray | null;
    if ((m = /^\/cdn\/([^/]+)\/([0-9a-f]{64})$/.exec(url.pathname))) {
      const repo = decodeURIComponent(m[1]!);
      const all = Object.values({ main: this.repos[repo]?.files ?? {}, ...(this.repos[repo]?.commits ?? {}) }).flatMap((t) => Object.entries(t));
      const hit = all.find(([, f]) => sha256(f.data) === m![2]);
      if (!hit) return void (res.writeHead(404), res.end());
      rec.file = hit[0];
      return this.sendRange(req, res, hit[0], hit[1].data, { ETag: `"${m[2]}"` });
    }
    if (host !== "hub") return void (res.writeHead(404), res.end());
    const writeHost = { url: this.url, repos: this.repos, writeTokens: [TEST_TOKEN], validTokens: [TEST_TOKEN, OTHER_TOKEN], err: this.err.bind(this), commitOf: (r: string) => this.commitOf(r) };
    if (await handleWrite(writeHost, this.write, req, res, url)) return;
    const alias = /^(\/api\/models\/|\/)([^/]+\/[^/]+)(\/.*)?$/.exec(url.pathname);
    const target = alias && this.opts.aliases?.[alias[2]!];
    if (alias && target) {
      res.writeHead(307, { Location: `${alias[1]}${target}${alias[3] ?? ""}${url.search}` });
      return void res.end();
    }
    if ((m = /^\/api\/models\/([^/]+\/[^/]+)(?:\/revision\/([^/]+))?$/.exec(url.pathname)) && req.method === "GET") {
      const repo = m[1]!;
      const r = this.authorize(req, res, repo, false);
      if (!r) return;
      const rev = decodeURIComponent(m[2] ?? "main");
      const commit = this.resolveRev(r, repo, rev);
      if (!commit) return this.err(res, 404, "RevisionNotFound", `Invalid rev id: ${rev}`);
      const files = this.filesAt(r, repo, commit);
      res.writeHead(200, { "Content-Type": "application/json" });
      const body = { _id: `id-${repo}`, id: repo, modelId: repo, private: Boolean(r.private), gated: r.gated ? "manual" : false, disabled: Boolean(r.disabled), downloads: 0, likes: 0, lastModified: new Date(0).toISOString(), sha: commit, tags: [], siblings: Object.keys(files).map((rfilename) => ({ rfilename })) };
      return void res.end(JSON.stringify(body));
    }
    if ((m = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)(?:\/(.*))?$/.exec(url.pathname))) {
      const repo = m[1]!;
      const r = this.authorize(req, res, repo, false);
      if (!r) return;
      const commit = this.resolveRev(r, repo, decodeURIComponent(m[2]!));
      if (!commit) return this.err(res, 404, "RevisionNotFound", `Invalid rev id: ${decodeURIComponent(m[2]!)}`);
      const prefix = decodeURIComponent(m[3] ?? "").replace(/\/$/, "");
      const files = this.filesAt(r, repo, commit);
      if (prefix && !Object.keys(files).some((p) => p.startsWith(`${prefix}/`))) return this.err(res, 404, "EntryNotFound", `${prefix} does not exist on "${m[2]}"`);
      const recursive = ["true", "1"].includes(url.searchParams.get("recursive") ?? "");
      const out = [...this.tree(files, prefix, recursive, url.searchParams.get("expand") === "true", commit), ...(r.extraEntries ?? [])];
      const page = this.opts.pageSize ?? 2;
      const cur = Number(url.searchParams.get("cursor") ?? 0);
      const headers: Record<string, string> = { "Content-Type": "application/json" };
      if (cur + page < out.length) {
        const next = new URL(url);
        next.searchParams.set("cursor", String(cur + page));
        headers.Link = `<${next.href}>; rel="next"`; // absolute, as the JS client requires
      }
      res.writeHead(200, headers);
      return void res.end(JSON.stringify(out.slice(cur, cur + page)));
    }
    if ((m = /^\/api\/models\/([^/]+\/[^/]+)\/paths-info\/([^/]+)$/.exec(url.pathname)) && req.method === "POST") {
      const repo = m[1]!;
      const r = this.authorize(req, res, repo, false);
      if (!r) return;
      const commit = this.resolveRev(r, repo, decodeURIComponent(m[2]!));
      if (!commit) return this.err(res, 404, "RevisionNotFound", `Invalid rev id: ${decodeURIComponent(m[2]!)}`);
      let body = "";
      for await (const c of req) body += c;
      const { paths = [], expand = false } = JSON.parse(body || "{}") as { paths?: string[]; expand?: boolean };
      const files = this.filesAt(r, repo, commit);
      const all = this.tree(files, "", true, expand, commit) as { path: string }[];
      res.writeHead(200, { "Content-Type": "application/json" });
      return void res.end(JSON.stringify(all.filter((e) => paths.includes(e.path))));
    }
    if ((m = /^\/([^/]+\/[^/]+)\/(resolve|raw)\/([^/]+)\/(.+)$/.exec(url.pathname))) {
      const repo = m[1]!;
      const r = this.authorize(req, res, repo, true);
      if (!r) return;
      const commit = this.resolveRev(r, repo, decodeURIComponent(m[3]!));
      if (!commit) return this.err(res, 404, "RevisionNotFound", `Invalid rev id: ${decodeURIComponent(m[3]!)}`);
      const p = decodeURIComponent(m[4]!);
      rec.file = p;
      const f = this.filesAt(r, repo, commit)[p];
      if (!f) return this.err(res, 404, "EntryNotFound", `${p} does not exist on "${decodeURIComponent(m[3]!)}"`, { "X-Repo-Commit": commit });
      const common = { "X-Repo-Commit": commit, ETag: `"${sha1git(f.lfs ? pointerOf(f) : f.data)}"` };
      if (f.lfs && m[2] === "resolve") {
        const sha = sha256(f.data);
        res.writeHead(302, { ...common, "X-Linked-Etag": `"${sha}"`, "X-Linked-Size": String(f.data.length), Location: `${this.cdnUrl}/cdn/${encodeURIComponent(repo)}/${sha}` });
        return void res.end();
      }
      return this.sendRange(req, res, p, f.lfs ? pointerOf(f) : f.data, common);
    }
    res.writeHead(404, { "Content-Type": "text/plain" });
    res.end("Not Found");
  }

  private sendRange(req: http.IncomingMessage, res: http.ServerResponse, p: string, buf: Buffer, extra: Record<string, string>) {
    const record = { path: p, start: 0, bytes: 0 };
    return sendRange(req, res, buf, extra, this.faults.get(p) ?? {}, record, () => this.served.push(record), (status, msg, h) => this.err(res, status, undefined, msg, h));
  }
}

export function randomBytes(n: number): Buffer {
  // crypto.randomBytes stops at 2 GiB - 1 per call: fill larger buffers in chunks.
  const out = Buffer.allocUnsafe(n);
  for (let at = 0; at < n; at += 1 << 30) crypto.randomFillSync(out, at, Math.min(1 << 30, n - at));
  return out;
}
