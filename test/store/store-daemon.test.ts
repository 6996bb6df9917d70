import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { test } from "node:test";
import type { MethodOf, RequestOf } from "../../src/grpc/client.js";
import * as grpc from "@grpc/grpc-js";
import { homePaths } from "../../src/config/paths.js";
import { MALFORMED_GGUF } from "../fixtures/make-gguf.js";
import { cacheRepoDir, commitOf, makeHfCache, sha256Hex } from "../fixtures/make-hf-cache.js";
import { makeHfFolder, makeMlxFolder, makeTinyGguf } from "../fixtures/make-model-zoo.js";
import { rpcError, runCli, startDaemon, type RunningDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";

const MS = "cortex.v1.ModelService";
const A = commitOf("rev-a");
const B = commitOf("rev-b");
const C = commitOf("rev-c");

interface Model {
  id: string;
  name: string;
  format: string;
  quantization: string;
  quantization_label: string;
  broken: boolean;
  broken_reason: string;
  size_bytes: number;
  tags: string[];
  root: string;
  source_repo: string;
  source_revision: string;
  hf_refs: string[];
  paths: string[];
  files: { path: string; sha256: string }[];
}
interface List {
  models: Model[];
  next_page_token: string;
  total: number;
  total_size_bytes: number;
}

/** A home with a GGUF, an HF folder, an MLX folder, a broken GGUF; an HF cache with three revisions sharing blobs. */
async function fixture(t: { after: (fn: () => void) => void }) {
  const dir = tempDir(t, "cxd");
  const home = path.join(dir, "h");
  const p = homePaths(home);
  await makeTinyGguf(path.join(p.quantizedModels, "tiny-Q4_K_M.gguf"));
  makeHfFolder(path.join(p.models, "tiny-hf"));
  makeMlxFolder(path.join(p.mlxModels, "tiny-mlx"));
  fs.writeFileSync(path.join(p.quantizedModels, "bad.gguf"), await MALFORMED_GGUF["absurd tensor count"]!.bytes());
  const src = path.join(dir, "src");
  makeHfFolder(src);
  const files = Object.fromEntries(fs.readdirSync(src).map((n) => [n, fs.readFileSync(path.join(src, n))]));
  const cache = path.join(dir, "hub");
  makeHfCache(cache, [
    {
      repo: "org/tiny",
      revisions: [
        { commit: A, refs: ["main"], files },
        { commit: B, refs: ["refs/pr/1"], files: { ...files, "README.md": "# pr one, a new blob" } },
        { commit: C, files },
      ],
    },
  ]);
  return { dir, home, p, cache, files };
}


test("ListModels, GetModel, TagModel, manifests, DeleteModel and cleanup through the real daemon", async (t) => {
  const f = await fixture(t);
  const d: RunningDaemon = await startDaemon(f.home, { env: { HF_HUB_CACHE: f.cache } });
  t.after(() => d.stop());
  const call = <M extends MethodOf<typeof MS>>(method: M, req: RequestOf<typeof MS, M>) => d.client.unary(MS, method, req, 60_000);

  const all = await call("ListModels", {});
  const names = all.models.map((m) => m.name).sort();
  assert.deepEqual(names, ["bad", "org/tiny", "org/tiny", "org/tiny", "tiny-Q4_K_M", "tiny-hf", "tiny-mlx"]);
  const bad = all.models.find((m) => m.name === "bad")!;
  assert.equal(bad.broken, true);
  assert.match(bad.broken_reason, /bad\.gguf: tensor_count \d+ exceeds the limit/);
  const hfTotal = all.models.filter((m) => m.root === "hf-cache");
  const base = Object.values(f.files).reduce((s, b) => s + b.length, 0);
  assert.equal(hfTotal.reduce((s, m) => s + m.size_bytes, 0), 3 * base + Buffer.byteLength("# pr one, a new blob"), "each revision counts its own files");
  const allBytes = all.models.filter((m) => m.root !== "hf-cache").reduce((s, m) => s + m.size_bytes, 0) + base + Buffer.byteLength("# pr one, a new blob");
  assert.equal(all.total_size_bytes, allBytes, "total counts shared blobs once");

  const gguf = await call("ListModels", { formats: ["MODEL_FORMAT_GGUF"], exclude_broken: true });
  assert.deepEqual(gguf.models.map((m) => [m.name, m.quantization]), [["tiny-Q4_K_M", "QUANTIZATION_Q4_K_M"]]);
  assert.deepEqual((await call("ListModels", { quantizations: ["QUANTIZATION_MLX_AFFINE"] })).models.map((m) => m.name), ["tiny-mlx"]);
  assert.deepEqual((await call("ListModels", { name_glob: "TINY-*" })).models.map((m) => m.name), ["tiny-hf", "tiny-mlx", "tiny-Q4_K_M"]);
  const p1 = await call("ListModels", { page_size: 3, sort: "-size" });
  const p2 = await call("ListModels", { page_size: 3, sort: "-size", page_token: p1.next_page_token });
  const p3 = await call("ListModels", { page_size: 3, sort: "-size", page_token: p2.next_page_token });
  assert.equal(p3.next_page_token, "");
  const paged = [...p1.models, ...p2.models, ...p3.models];
  assert.equal(paged.length, 7);
  assert.ok(paged.every((m, i) => i === 0 || paged[i - 1]!.size_bytes >= m.size_bytes), "sorted by size, descending");
  const foreign = await rpcError(call("ListModels", { page_size: 3, page_token: p1.next_page_token }));
  assert.equal(foreign.grpcCode, grpc.status.INVALID_ARGUMENT);
  assert.match(foreign.message, /page_token belongs to a different query/);

  // GetModel by name, name@ref, id prefix; ambiguity and absence are precise
  const hf = (await call("GetModel", { id: "tiny-hf" })).model;
  assert.equal(hf!.format, "MODEL_FORMAT_SAFETENSORS");
  const main = (await call("GetModel", { id: "org/tiny@main" })).model;
  assert.deepEqual([main!.source_repo, main!.source_revision, main!.hf_refs], ["org/tiny", A, ["main"]]);
  assert.equal((await call("GetModel", { id: hf!.id.slice(0, 6) })).model!.id, hf!.id);
  const amb = await rpcError(call("GetModel", { id: "org/tiny" }));
  assert.equal(amb.grpcCode, grpc.status.INVALID_ARGUMENT);
  assert.match(amb.message, /"org\/tiny" matches 3 models by name/);
  const missing = await rpcError(call("GetModel", { id: "nope" }));
  assert.equal(missing.grpcCode, grpc.status.NOT_FOUND);

  // tags live in manifests and filter listings
  const tagged = (await call("TagModel", { id: "tiny-mlx", tags: ["scratch", "exp-1"] })).model;
  assert.deepEqual(tagged!.tags, ["scratch", "exp-1"]);
  assert.ok(fs.existsSync(path.join(f.p.manifests, `${tagged!.id}.manifest.json`)));
  await call("TagModel", { id: "tiny-hf", tags: ["scratch"] });
  assert.deepEqual((await call("ListModels", { tags: ["scratch", "exp-1"] })).models.map((m) => m.name), ["tiny-mlx"]);
  assert.deepEqual((await call("UntagModel", { id: "tiny-mlx", tags: ["exp-1"] })).model!.tags, ["scratch"]);
  const badTag = await rpcError(call("TagModel", { id: "tiny-mlx", tags: ["no spaces"] }));
  assert.equal(badTag.grpcCode, grpc.status.INVALID_ARGUMENT);
  assert.match(badTag.message, /tag "no spaces"/);

  // manifests: hashes of every file, orphans reported
  fs.writeFileSync(path.join(f.p.manifests, "0123456789ab.manifest.json"), JSON.stringify({ schemaVersion: 1, id: "0123456789ab", identity: "cortex:models/gone", name: "gone", root: "cortex", paths: [path.join(f.p.models, "gone")], createdAt: "2024-01-01T00:00:00Z", updatedAt: "2024-01-01T00:00:00Z" }));
  const sync = await call("SyncManifests", {});
  assert.equal(sync.written.length, 7);
  assert.deepEqual(sync.orphans.map((o) => o.model_id), ["0123456789ab"]);
  const gg = JSON.parse(sync.written.find((w) => w.model_id === gguf.models[0]!.id)!.manifest_json) as { provenance: { files: { path: string; sha256: string }[] }; quantization: { type: string } };
  assert.equal(gg.provenance.files[0]!.sha256, sha256Hex(fs.readFileSync(path.join(f.p.quantizedModels, "tiny-Q4_K_M.gguf"))));
  assert.equal(gg.quantization.type, "Q4_K_M");
  const shown = await call("ListManifests", { model_ids: ["tiny-Q4_K_M"] });
  assert.deepEqual(shown.manifests.map((m) => m.model_id), [gguf.models[0]!.id]);
  assert.equal((await call("GetModel", { id: "tiny-Q4_K_M" })).model!.files[0]!.sha256.length, 64);

  // deleting from the shared HF cache needs the flag; blobs other revisions use stay
  const pr = (await call("GetModel", { id: "org/tiny@refs/pr/1" })).model;
  const shared = await rpcError(call("DeleteModel", { id: pr!.id }));
  assert.equal(shared.grpcCode, grpc.status.FAILED_PRECONDITION);
  assert.match(shared.message, /shared Hugging Face cache/);
  const del = await call("DeleteModel", { id: pr!.id, include_hf_cache: true });
  assert.equal(del.bytes_freed, Buffer.byteLength("# pr one, a new blob"));
  assert.ok(del.kept_paths.length >= Object.keys(f.files).length);
  const repo = cacheRepoDir(f.cache, "org/tiny");
  assert.equal(fs.existsSync(path.join(repo, "snapshots", B)), false);
  assert.equal(fs.existsSync(path.join(repo, "refs", "refs", "pr", "1")), false);
  assert.equal(fs.readFileSync(path.join(repo, "snapshots", A, "config.json"), "utf8"), f.files["config.json"]!.toString());

  // cleanup: preview deletes nothing; apply deletes exactly the preview's models; a stale token deletes nothing
  const preview = await call("PreviewClean", { tags: ["scratch"] });
  assert.deepEqual(preview.candidates.map((c) => c.model!.name).sort(), ["tiny-hf", "tiny-mlx"]);
  assert.equal(preview.reclaimable_bytes, preview.candidates.reduce((s, c) => s + c.model!.size_bytes, 0));
  assert.ok(fs.existsSync(path.join(f.p.models, "tiny-hf")));
  const stale = await rpcError(call("ApplyClean", { tags: ["scratch"], expect_plan_token: "0000000000000000" }));
  assert.equal(stale.grpcCode, grpc.status.FAILED_PRECONDITION);
  assert.ok(fs.existsSync(path.join(f.p.models, "tiny-hf")));
  const noFilter = await rpcError(call("ApplyClean", {}));
  assert.equal(noFilter.grpcCode, grpc.status.INVALID_ARGUMENT);
  const applied = await call("ApplyClean", { tags: ["scratch"], expect_plan_token: preview.plan_token });
  assert.equal(applied.applied, true);
  assert.equal(applied.freed_bytes, preview.reclaimable_bytes);
  assert.equal(fs.existsSync(path.join(f.p.models, "tiny-hf")), false);
  assert.equal(fs.existsSync(path.join(f.p.mlxModels, "tiny-mlx")), false);
  assert.ok(fs.existsSync(path.join(f.p.models)), "the root itself stays");
  assert.deepEqual((await call("ListModels", {})).models.map((m) => m.name).sort(), ["bad", "org/tiny", "org/tiny", "tiny-Q4_K_M"]);
});

test("HF cache scan and delete RPCs; a model a running job uses cannot be deleted", async (t) => {
  const f = await fixture(t);
  // A Hub that accepts connections and never answers: a pull of org/tiny stays in flight.
  const sockets = new Set<net.Socket>();
  const hub = net.createServer((s) => sockets.add(s));
  await new Promise<void>((r) => hub.listen(0, "127.0.0.1", r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    hub.close();
  });
  const port = (hub.address() as net.AddressInfo).port;
  const d = await startDaemon(f.home, { env: { HF_HUB_CACHE: f.cache, HF_ENDPOINT: `http://127.0.0.1:${port}` } });
  t.after(() => d.stop());
  const call = <M extends MethodOf<typeof MS>>(method: M, req: RequestOf<typeof MS, M>) => d.client.unary(MS, method, req, 60_000);

  const scan = await call("ScanHfCache", {});
  assert.deepEqual(scan.warnings, []);
  assert.deepEqual(scan.repos.map((r) => r.repo_id), ["org/tiny"]);
  assert.deepEqual(scan.repos[0]!.refs, ["main", "refs/pr/1"]);
  const revs = new Map(scan.repos[0]!.revisions.map((v) => [v.commit, v]));
  assert.equal(revs.get(C)!.detached, true);
  assert.deepEqual(revs.get(B)!.refs, ["refs/pr/1"]);
  const outside = await rpcError(call("ScanHfCache", { cache_dir: "/etc" }));
  assert.equal(outside.grpcCode, grpc.status.PERMISSION_DENIED);

  const dry = await call("DeleteHfCache", { targets: ["org/tiny@refs/pr/1"], dry_run: true });
  assert.ok(dry.planned_paths.includes(path.join(cacheRepoDir(f.cache, "org/tiny"), "snapshots", B)));
  assert.equal(dry.expected_freed_bytes, Buffer.byteLength("# pr one, a new blob"));
  assert.deepEqual(dry.deleted_paths, []);
  assert.ok(fs.existsSync(path.join(cacheRepoDir(f.cache, "org/tiny"), "snapshots", B)));
  const prune = await call("DeleteHfCache", { prune: true });
  assert.deepEqual(prune.deleted_paths, [path.join(cacheRepoDir(f.cache, "org/tiny"), "snapshots", C)]);
  const unknown = await rpcError(call("DeleteHfCache", { targets: ["org/unknown"] }));
  assert.equal(unknown.grpcCode, grpc.status.NOT_FOUND);

  await d.client.unary("cortex.v1.JobService", "PullModel", { repo: "org/tiny" });
  const held = await rpcError(call("DeleteModel", { id: "org/tiny@main", include_hf_cache: true }));
  assert.equal(held.grpcCode, grpc.status.FAILED_PRECONDITION);
  assert.match(held.message, /is in use: job pull-\S+ \(pull, (queued|active|delayed)\)/);
  const heldRepo = await rpcError(call("DeleteHfCache", { targets: ["org/tiny"] }));
  assert.match(heldRepo.message, /is in use: job pull-/);
  assert.ok(fs.existsSync(path.join(cacheRepoDir(f.cache, "org/tiny"), "snapshots", A)));
  // a GGUF no job touches goes
  const r = await call("DeleteModel", { id: "tiny-Q4_K_M" });
  assert.deepEqual(r.deleted_paths, [path.join(f.p.quantizedModels, "tiny-Q4_K_M.gguf")]);
  assert.ok(r.bytes_freed > 0);
});

test("the CLI: ls, show, tag, manifest, clean, hf-cache, rm (tables and --json)", async (t) => {
  const f = await fixture(t);
  const d = await startDaemon(f.home, { env: { HF_HUB_CACHE: f.cache } });
  t.after(() => d.stop());
  const cli = (...args: string[]) => runCli(["--home", f.home, ...args]);

  const ls = await cli("ls");
  assert.equal(ls.code, 0, ls.stderr);
  assert.match(ls.stdout, /^ID\s+NAME\s+FORMAT\s+QUANT\s+PARAMS\s+SIZE\s+MEMORY\s+WHERE\s+TAGS\s+LAST USED\s+STATUS/m);
  assert.match(ls.stdout, /tiny-Q4_K_M\s+gguf\s+Q4_K_M\s+82\.2K/);
  assert.match(ls.stdout, /org\/tiny@main\s+safetensors/);
  assert.match(ls.stdout, /BROKEN/);
  assert.match(ls.stdout, /7 models, .* on disk/);
  const json = JSON.parse((await cli("--json", "ls", "--format", "mlx")).stdout) as { models: Model[] };
  assert.deepEqual(json.models.map((m) => m.name), ["tiny-mlx"]);
  const noBroken = await cli("ls", "--no-broken");
  assert.doesNotMatch(noBroken.stdout, /BROKEN/);

  const show = await cli("show", "tiny-mlx");
  assert.match(show.stdout, /quantization\s+mlx-4bit-g32 \(MLX affine, 4-bit, group size 32\)/);
  assert.match(show.stdout, /memory to load/);
  const tag = await cli("tag", "tiny-Q4_K_M", "keep", "prod");
  assert.match(tag.stdout, /tiny-Q4_K_M \([0-9a-f]{12}\): keep, prod/);
  assert.match((await cli("tag", "tiny-Q4_K_M", "keep", "--remove")).stdout, /: prod$/m);

  const sync = await cli("manifest", "sync", "--fast", "--models", "tiny-Q4_K_M");
  assert.equal(sync.code, 0, sync.stderr);
  assert.match(sync.stdout, /1 manifest\(s\) written/);
  const man = JSON.parse((await cli("manifest", "show", "tiny-Q4_K_M")).stdout) as { schemaVersion: number; tags: string[] };
  assert.deepEqual([man.schemaVersion, man.tags], [1, ["prod"]]);

  const preview = await cli("clean", "--format", "mlx");
  assert.match(preview.stdout, /tiny-mlx/);
  assert.match(preview.stdout, /nothing deleted/);
  assert.ok(fs.existsSync(path.join(f.p.mlxModels, "tiny-mlx")));
  const apply = await cli("clean", "apply", "--format", "mlx");
  assert.match(apply.stdout, /deleted 1 model\(s\), .* freed/);
  assert.equal(fs.existsSync(path.join(f.p.mlxModels, "tiny-mlx")), false);
  const noFilter = await cli("clean", "apply");
  assert.notEqual(noFilter.code, 0);
  assert.match(noFilter.stderr, /needs at least one filter/);

  const scan = await cli("hf-cache", "scan");
  assert.match(scan.stdout, /^REPO ID\s+REPO TYPE\s+SIZE ON DISK\s+NB FILES\s+LAST_ACCESSED\s+LAST_MODIFIED\s+REFS\s+LOCAL PATH/m);
  const ago = String.raw`(?:a few seconds|\d+ (?:second|minute)s?) ago`;
  assert.match(scan.stdout, new RegExp(String.raw`org/tiny\s+model\s+\d+\.\dK\s+4\s+${ago}\s+${ago}\s+main, refs/pr/1\s+\S+models--org--tiny`));
  const verbose = await cli("hf-cache", "scan", "-v");
  assert.match(verbose.stdout, new RegExp(`${C}.*\\(detached\\)`));
  const pyJson = JSON.parse((await cli("--json", "hf-cache", "scan")).stdout) as { repos: { repo_id: string; nb_files: number; revisions: { commit_hash: string }[] }[] };
  assert.equal(pyJson.repos[0]!.repo_id, "org/tiny");
  assert.equal(pyJson.repos[0]!.revisions.length, 3);
  const dry = await cli("hf-cache", "delete", "org/tiny@refs/pr/1", "--dry-run");
  assert.match(dry.stdout, /dry run: would free/);

  const rmHf = await cli("rm", "org/tiny@main");
  assert.equal(rmHf.code, 1);
  assert.match(rmHf.stderr, /FAILED_PRECONDITION: .*shared Hugging Face cache/);
  const rm = await cli("rm", "tiny-Q4_K_M");
  assert.equal(rm.code, 0, rm.stderr);
  assert.match(rm.stdout, /deleted tiny-Q4_K_M: .* freed/);
  const gone = await cli("show", "tiny-Q4_K_M");
  assert.match(gone.stderr, /NOT_FOUND: no model matches "tiny-Q4_K_M"/);
});
