import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A loopback server that speaks what @huggingface/hub and huggingface_hub need from the Hub (hub-protocol §4):
 * revision info, paged tree listing with absolute Link headers, paths-info, resolve with Range/206, LFS redirects
 * to a CDN (optionally on a second server = another origin), X-Repo-Commit, X-Linked-Etag/Size, 401/403/404 with
 * X-Error-Code. Faults per file: drop after N bytes, stall, corrupt bytes, throttle. Counts bytes served.
 */
export interface HubFile {
  data: Buffer;
  lfs?: boolean;
}

export interface FileFaults {
  /** Close the connection after this many body bytes, for the next `times` requests. */
  dropAfter?: { bytes: number; times: number };
  /** Stop sending (keep the socket open) after this many bytes, for the next `times` requests. */
  stallAfter?: { bytes: number; times: number };
  /** Serve bytes with one bit flipped, for the next `times` full downloads. */
  corrupt?: { times: number };
  /** Bytes per second per response. */
  throttle?: number;
}

export interface HubRepo {
  files: Record<string, HubFile>;
  private?: boolean;
  gated?: boolean;
  /** branch/tag → commit; "main" defaults to the repo commit. */
  refs?: Record<string, string>;
  commit?: string;
  /** Extra raw listing entries (hostile listings). */
  extraEntries?: object[];
}

export const TEST_TOKEN = "hf_testtoken_0123456789";

const sha1git = (b: Buffer) => crypto.createHash("sha1").update(`blob ${b.length}\0`).update(b).digest("hex");
const sha256 = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");

interface Served {
  path: string;
  start: number;
  bytes: number;
}

export class LoopbackHub {
  readonly requests: { url: string; method: string; authorization?: string; range?: string; host: "hub" | "cdn" }[] = [];
  readonly served: Served[] = [];
  readonly faults = new Map<string, FileFaults>();
  private hub!: http.Server;
  private cdn!: http.Server;
  url = "";
  cdnUrl = "";

  constructor(
    readonly repos: Record<string, HubRepo>,
    private readonly opts: { cdnOnOtherOrigin?: boolean; pageSize?: number } = {},
  ) {}

  static async start(repos: Record<string, HubRepo>, opts: { cdnOnOtherOrigin?: boolean; pageSize?: number } = {}): Promise<LoopbackHub> {
    const hub = new LoopbackHub(repos, opts);
    hub.hub = http.createServer((req, res) => void hub.handle(req, res, "hub"));
    hub.cdn = http.createServer((req, res) => void hub.handle(req, res, "cdn"));
    await new Promise<void>((r) => hub.hub.listen(0, "127.0.0.1", r));
    hub.url = `http://127.0.0.1:${(hub.hub.address() as AddressInfo).port}`;
    // "localhost" vs "127.0.0.1": a different origin, as a real CDN is a different host.
    await new Promise<void>((r) => hub.cdn.listen(0, "127.0.0.1", r));
    hub.cdnUrl = opts.cdnOnOtherOrigin ? `http://localhost:${(hub.cdn.address() as AddressInfo).port}` : hub.url;
    return hub;
  }

  commitOf(repo: string): string {
    return this.repos[repo]!.commit ?? crypto.createHash("sha1").update(repo).digest("hex");
  }

  /** Bytes of `path` served in total (all requests). */
  bytesServed(path: string): number {
    return this.served.filter((s) => s.path === path).reduce((n, s) => n + s.bytes, 0);
  }

  async close(): Promise<void> {
    for (const s of [this.hub, this.cdn]) {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }

  private fileMeta(f: HubFile) {
    const sha = sha256(f.data);
    const pointer = Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha}\nsize ${f.data.length}\n`);
    return { sha, oid: sha1git(f.lfs ? pointer : f.data) };
  }

  private entry(p: string, f: HubFile, expand: boolean, commit: string) {
    const m = this.fileMeta(f);
    return {
      type: "file",
      path: p,
      oid: m.oid,
      size: f.lfs ? 134 : f.data.length,
      ...(f.lfs ? { lfs: { oid: m.sha, size: f.data.length, pointerSize: 134 } } : {}),
      ...(expand ? { lastCommit: { id: commit, title: "init", date: new Date(0).toISOString() } } : {}),
    };
  }

  private err(res: http.ServerResponse, status: number, code: string, msg: string, extra: Record<string, string> = {}) {
    res.writeHead(status, { "Content-Type": "application/json", "X-Error-Code": code, "X-Error-Message": msg, ...extra });
    res.end(JSON.stringify({ error: msg }));
  }

  private authorize(req: http.IncomingMessage, res: http.ServerResponse, repo: string): HubRepo | undefined {
    const r = this.repos[repo];
    if (!r) return void this.err(res, 404, "RepoNotFound", "Repository not found");
    const ok = req.headers.authorization === `Bearer ${TEST_TOKEN}`;
    if (r.private && !ok) return void this.err(res, 401, "RepoNotFound", "Repository not found");
    if (r.gated && !ok) return void this.err(res, req.headers.authorization ? 403 : 401, "GatedRepo", `Access to model ${repo} is restricted. You must have access to it and be authenticated to access it.`);
    return r;
  }

  private resolveRev(r: HubRepo, repo: string, rev: string): string | undefined {
    const commit = this.commitOf(repo);
    if (rev === commit || rev === "main" || rev === "HEAD") return rev === "main" || rev === "HEAD" ? (r.refs?.main ?? commit) : commit;
    if (r.refs?.[rev]) return r.refs[rev];
    if (Object.values(r.refs ?? {}).includes(rev)) return rev;
    return undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, host: "hub" | "cdn") {
    const base = host === "hub" ? this.url : this.cdnUrl;
    const url = new URL(req.url ?? "/", base);
    this.requests.push({ url: url.href, method: req.method ?? "GET", ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), ...(req.headers.range ? { range: req.headers.range } : {}), host });
    let m: RegExpExecArray | null;
    if ((m = /^\/cdn\/([^/]+)\/([0-9a-f]{64})$/.exec(url.pathname))) {
      const repo = decodeURIComponent(m[1]!);
      const entry = Object.entries(this.repos[repo]?.files ?? {}).find(([, f]) => this.fileMeta(f).sha === m![2]);
      if (!entry) return void (res.writeHead(404), res.end());
      return this.sendRange(req, res, entry[0], entry[1].data, { ETag: `"${m[2]}"` });
    }
    if (host !== "hub") return void (res.writeHead(404), res.end());
    if ((m = /^\/api\/models\/([^/]+\/[^/]+)(?:\/revision\/([^/]+))?$/.exec(url.pathname))) {
      const repo = m[1]!;
      const r = this.authorize(req, res, repo);
      if (!r) return;
      const commit = this.resolveRev(r, repo, decodeURIComponent(m[2] ?? "main"));
      if (!commit) return this.err(res, 404, "RevisionNotFound", `Invalid rev id: ${decodeURIComponent(m[2] ?? "")}`);
      res.writeHead(200, { "Content-Type": "application/json" });
      return void res.end(JSON.stringify({ _id: "x", id: repo, private: Boolean(r.private), gated: r.gated ? "manual" : false, downloads: 0, likes: 0, lastModified: new Date(0).toISOString(), sha: commit, siblings: Object.keys(r.files).map((rfilename) => ({ rfilename })) }));
    }
    if ((m = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)(\/.*)?$/.exec(url.pathname))) {
      const repo = m[1]!;
      const r = this.authorize(req, res, repo);
      if (!r) return;
      const commit = this.resolveRev(r, repo, decodeURIComponent(m[2]!));
      if (!commit) return this.err(res, 404, "RevisionNotFound", "Invalid rev id");
      const expand = url.searchParams.get("expand") === "true";
      const out: object[] = Object.entries(r.files).map(([p, f]) => this.entry(p, f, expand, commit));
      out.push(...(r.extraEntries ?? []));
      const page = this.opts.pageSize ?? 2;
      const cur = Number(url.searchParams.get("cursor") ?? 0);
      const headers: Record<string, string> = { "Content-Type": "application/json" };
      if (cur + page < out.length) {
        const next = new URL(url);
        next.searchParams.set("cursor", String(cur + page));
        headers.Link = `<${next.href}>; rel="next"`;
      }
      res.writeHead(200, headers);
      return void res.end(JSON.stringify(out.slice(cur, cur + page)));
    }
    if ((m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname))) {
      const repo = m[1]!;
      const r = this.authorize(req, res, repo);
      if (!r) return;
      const commit = this.resolveRev(r, repo, decodeURIComponent(m[2]!));
      if (!commit) return this.err(res, 404, "RevisionNotFound", "Invalid rev id");
      const p = decodeURIComponent(m[3]!);
      const f = r.files[p];
      if (!f) return this.err(res, 404, "EntryNotFound", "Entry not found", { "X-Repo-Commit": commit });
      const meta = this.fileMeta(f);
      const common = { "X-Repo-Commit": commit, ETag: `"${meta.oid}"` };
      if (f.lfs) {
        res.writeHead(302, { ...common, "X-Linked-Etag": `"${meta.sha}"`, "X-Linked-Size": String(f.data.length), Location: `${this.cdnUrl}/cdn/${encodeURIComponent(repo)}/${meta.sha}` });
        return void res.end();
      }
      return this.sendRange(req, res, p, f.data, common);
    }
    res.writeHead(404);
    res.end();
  }

  private async sendRange(req: http.IncomingMessage, res: http.ServerResponse, p: string, buf: Buffer, extra: Record<string, string>) {
    const h: Record<string, string | number> = { "Accept-Ranges": "bytes", "Content-Type": "application/octet-stream", ...extra };
    const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? "");
    let start = 0;
    let end = buf.length - 1;
    if (m) {
      start = m[1] === "" ? buf.length - Number(m[2]) : Number(m[1]);
      end = m[1] === "" || m[2] === "" ? buf.length - 1 : Math.min(Number(m[2]), buf.length - 1);
      if (start >= buf.length) {
        res.writeHead(416, { "Content-Range": `bytes */${buf.length}` });
        return void res.end();
      }
      res.writeHead(206, { ...h, "Content-Range": `bytes ${start}-${end}/${buf.length}`, "Content-Length": end - start + 1 });
    } else res.writeHead(200, { ...h, "Content-Length": buf.length });
    if (req.method === "HEAD") return void res.end();
    let body = buf.subarray(start, end + 1);
    const fault = this.faults.get(p) ?? {};
    if (fault.corrupt && fault.corrupt.times > 0 && body.length > 1) {
      fault.corrupt.times--;
      body = Buffer.from(body);
      body[Math.floor(body.length / 2)]! ^= 0x40;
    }
    let limit = body.length;
    let mode: "drop" | "stall" | undefined;
    if (fault.dropAfter && fault.dropAfter.times > 0 && body.length > fault.dropAfter.bytes) {
      fault.dropAfter.times--;
      [limit, mode] = [fault.dropAfter.bytes, "drop"];
    } else if (fault.stallAfter && fault.stallAfter.times > 0 && body.length > fault.stallAfter.bytes) {
      fault.stallAfter.times--;
      [limit, mode] = [fault.stallAfter.bytes, "stall"];
    }
    const record: Served = { path: p, start, bytes: 0 };
    this.served.push(record);
    const chunk = fault.throttle ? Math.max(1024, Math.floor(fault.throttle / 20)) : 1024 * 1024;
    for (let off = 0; off < limit; off += chunk) {
      const piece = body.subarray(off, Math.min(limit, off + chunk));
      const ok = res.write(piece);
      record.bytes += piece.length;
      if (!ok) await new Promise((r) => res.once("drain", r));
      if (res.destroyed) return;
      if (fault.throttle) await new Promise((r) => setTimeout(r, (piece.length / fault.throttle!) * 1000));
    }
    if (mode === "drop") return void res.destroy();
    if (mode === "stall") return; // keep the socket open, send nothing more
    res.end();
  }
}

export function randomBytes(n: number): Buffer {
  return crypto.randomBytes(n);
}
