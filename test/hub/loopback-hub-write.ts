import crypto from "node:crypto";
import type http from "node:http";
import type { HubFile, HubRepo } from "./loopback-hub.js";

/**
 * The Hub's write side, as @huggingface/hub's createRepo and commit speak it: POST /api/repos/create (409 when it
 * exists), POST /api/models/<repo>/preupload/<rev> (which files go through LFS), the LFS batch API
 * (POST /<repo>.git/info/lfs/objects/batch, `basic` transfer; objects the store already holds get no upload action,
 * which is what makes an interrupted push resumable), PUT of the bytes (sha256-checked), the NDJSON commit
 * (POST /api/models/<repo>/commit/<rev>) and the commit log (GET /api/models/<repo>/commits/<rev>).
 * Write access: TEST_TOKEN everywhere; any other valid token is 403; none is 401.
 */
export interface WriteState {
  readonly lfsStore: Map<string, Buffer>;
  /** sha256 of every LFS object PUT, in order (a resumed push must not send one twice). */
  readonly lfsPuts: string[];
  /** Per repo, newest last. */
  readonly commitLog: Record<string, { id: string; title: string; description: string; date: string; files: string[] }[]>;
  /** oid → number of PUTs still to fail with 500 (an upload interrupted mid-push). */
  readonly failPuts: Map<string, number>;
}

export interface WriteHost {
  url: string;
  repos: Record<string, HubRepo>;
  writeTokens: readonly string[];
  validTokens: readonly string[];
  err(res: http.ServerResponse, status: number, code: string | undefined, msg: string): void;
  commitOf(repo: string): string;
}

const LFS_MIN_BYTES = 64 * 1024;

async function body(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const json = (res: http.ServerResponse, status: number, value: unknown, type = "application/json") => {
  res.writeHead(status, { "Content-Type": type });
  res.end(JSON.stringify(value));
};

/** Handles a write route; false when the request is not one (the read side answers it). */
export async function handleWrite(host: WriteHost, state: WriteState, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> {
  let m: RegExpExecArray | null;
  const writer = () => {
    const auth = req.headers.authorization;
    const token = auth?.startsWith("Bearer ") ? auth.slice(7) : undefined;
    if (token === undefined || !host.validTokens.includes(token)) return void host.err(res, 401, undefined, "Invalid credentials in Authorization header");
    if (!host.writeTokens.includes(token)) return void host.err(res, 403, undefined, "You don't have the rights to write to this repo");
    return token;
  };
  if (url.pathname === "/api/repos/create" && req.method === "POST") {
    if (!writer()) return true;
    const b = JSON.parse((await body(req)).toString()) as { name: string; organization?: string };
    const id = b.organization ? `${b.organization}/${b.name}` : b.name;
    if (host.repos[id]) {
      json(res, 409, { error: "You already created this model repo", url: `${host.url}/${id}` });
      return true;
    }
    host.repos[id] = { files: {}, commit: crypto.createHash("sha1").update(`init ${id}`).digest("hex") };
    json(res, 200, { url: `${host.url}/${id}`, id });
    return true;
  }
  if ((m = /^\/api\/models\/([^/]+\/[^/]+)\/preupload\/([^/]+)$/.exec(url.pathname)) && req.method === "POST") {
    if (!writer()) return true;
    if (!host.repos[m[1]!]) return void host.err(res, 404, "RepoNotFound", "Repository not found"), true;
    const b = JSON.parse((await body(req)).toString()) as { files: { path: string; size: number }[] };
    const lfs = (f: { path: string; size: number }) => f.size >= LFS_MIN_BYTES || /\.(gguf|safetensors|bin)$/.test(f.path);
    json(res, 200, { files: b.files.map((f) => ({ path: f.path, uploadMode: lfs(f) ? "lfs" : "regular", shouldIgnore: false })) });
    return true;
  }
  if ((m = /^\/([^/]+\/[^/]+)\.git\/info\/lfs\/objects\/batch$/.exec(url.pathname)) && req.method === "POST") {
    if (!writer()) return true;
    if (!host.repos[m[1]!]) return void host.err(res, 404, "RepoNotFound", "Repository not found"), true;
    const b = JSON.parse((await body(req)).toString()) as { objects: { oid: string; size: number }[] };
    json(
      res,
      200,
      {
        transfer: "basic",
        objects: b.objects.map((o) => ({ oid: o.oid, size: o.size, authenticated: true, ...(state.lfsStore.has(o.oid) ? {} : { actions: { upload: { href: `${host.url}/lfs-upload/${o.oid}` } } }) })),
      },
      "application/vnd.git-lfs+json",
    );
    return true;
  }
  if ((m = /^\/lfs-upload\/([0-9a-f]{64})$/.exec(url.pathname)) && req.method === "PUT") {
    const data = await body(req);
    const oid = m[1]!;
    const failing = state.failPuts.get(oid) ?? 0;
    if (failing > 0) {
      state.failPuts.set(oid, failing - 1);
      // Late, as a connection lost near the end of a large upload: the other uploads of the push finish first.
      await new Promise((r) => setTimeout(r, 500));
      return void host.err(res, 500, undefined, "injected upload failure"), true;
    }
    if (crypto.createHash("sha256").update(data).digest("hex") !== oid) return void host.err(res, 400, undefined, "sha256 mismatch"), true;
    state.lfsStore.set(oid, data);
    state.lfsPuts.push(oid);
    res.writeHead(200);
    res.end();
    return true;
  }
  if ((m = /^\/api\/models\/([^/]+\/[^/]+)\/commit\/([^/]+)$/.exec(url.pathname)) && req.method === "POST") {
    if (!writer()) return true;
    const repo = m[1]!;
    const r = host.repos[repo];
    if (!r) return void host.err(res, 404, "RepoNotFound", "Repository not found"), true;
    const lines = (await body(req)).toString().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { key: string; value: Record<string, unknown> });
    const header = lines.find((l) => l.key === "header")?.value ?? {};
    const files: Record<string, HubFile> = { ...r.files };
    for (const { key, value } of lines) {
      if (key === "file") files[String(value.path)] = { data: Buffer.from(String(value.content), "base64") };
      else if (key === "lfsFile") {
        const data = state.lfsStore.get(String(value.oid));
        if (!data) return void host.err(res, 422, undefined, `LFS object ${String(value.oid)} was never uploaded`), true;
        files[String(value.path)] = { data, lfs: true };
      } else if (key === "deletedFile") delete files[String(value.path)];
    }
    const parent = host.commitOf(repo);
    const id = crypto.createHash("sha1").update(`${parent}\n${JSON.stringify(header)}\n${(state.commitLog[repo]?.length ?? 0)}`).digest("hex");
    r.commits = { ...(r.commits ?? {}), [parent]: r.files };
    r.files = files;
    r.commit = id;
    if (r.refs) r.refs = { ...r.refs, main: id };
    (state.commitLog[repo] ??= []).push({ id, title: String(header.summary ?? ""), description: String(header.description ?? ""), date: new Date().toISOString(), files: lines.filter((l) => l.key !== "header").map((l) => String(l.value.path)) });
    json(res, 200, { success: true, commitOid: id, commitUrl: `${host.url}/${repo}/commit/${id}` });
    return true;
  }
  if ((m = /^\/api\/models\/([^/]+\/[^/]+)\/commits\/([^/]+)$/.exec(url.pathname)) && req.method === "GET") {
    const repo = m[1]!;
    if (!host.repos[repo]) return void host.err(res, 404, "RepoNotFound", "Repository not found"), true;
    json(res, 200, [...(state.commitLog[repo] ?? [])].reverse().map((c) => ({ id: c.id, title: c.title, message: c.description, date: c.date, authors: [] })));
    return true;
  }
  return false;
}
