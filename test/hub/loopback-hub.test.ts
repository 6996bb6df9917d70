import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { snapshotDownload as hfSnapshotDownload } from "@huggingface/hub";
import { snapshotDownload } from "../../src/hub/snapshot-download.js";
import { tempDir } from "../helpers/temp-dir.js";
import { gitSha1, MiB, modelRepo, sha256, startHub } from "./hub-fixtures.js";

test("resolve answers like the Hub: HEAD and GET, ETag, X-Repo-Commit, LFS 302 with X-Linked-*, Range → 206/416, EntryNotFound", async (t) => {
  const hub = await startHub(t, { "org/model": modelRepo(MiB) }, { pageSize: 100 });
  const files = hub.repos["org/model"]!.files;
  const commit = hub.commitOf("org/model");
  const head = await fetch(`${hub.url}/org/model/resolve/main/config.json`, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get("etag"), `"${gitSha1(files["config.json"]!.data)}"`);
  assert.equal(head.headers.get("x-repo-commit"), commit);
  assert.equal(head.headers.get("content-length"), String(files["config.json"]!.data.length));
  const lfs = await fetch(`${hub.url}/org/model/resolve/main/model.safetensors`, { method: "HEAD", redirect: "manual" });
  assert.equal(lfs.status, 302);
  assert.equal(lfs.headers.get("x-linked-etag"), `"${sha256(files["model.safetensors"]!.data)}"`);
  assert.equal(lfs.headers.get("x-linked-size"), String(MiB));
  const ranged = await fetch(`${hub.url}/org/model/resolve/main/model.safetensors`, { headers: { Range: "bytes=10-19" } });
  assert.equal(ranged.status, 206);
  assert.equal(ranged.headers.get("content-range"), `bytes 10-19/${MiB}`);
  assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), files["model.safetensors"]!.data.subarray(10, 20));
  assert.equal((await fetch(`${hub.url}/org/model/resolve/main/config.json`, { headers: { Range: `bytes=${MiB}-` } })).status, 416);
  const missing = await fetch(`${hub.url}/org/model/resolve/main/nope.txt`);
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get("x-error-code"), "EntryNotFound");
  assert.equal(missing.headers.get("x-repo-commit"), commit);
  assert.match(((await missing.json()) as { error: string }).error, /nope\.txt/);
  const tree = (await (await fetch(`${hub.url}/api/models/org/model/tree/main?recursive=false`)).json()) as { type: string; path: string }[];
  assert.ok(tree.some((e) => e.type === "directory" && e.path === "tokenizer"), JSON.stringify(tree));
  assert.equal(hub.stats("config.json").requests, 2, "HEAD and the 416");
});

test("@huggingface/hub's own snapshotDownload works against the loopback Hub and lays out the cache exactly as cortexd does", async (t) => {
  const hub = await startHub(t, { "org/model": modelRepo(MiB) });
  const theirs = tempDir(t);
  const ours = tempDir(t);
  const debug = console.debug;
  console.debug = () => {}; // the library logs every file through console.debug
  try {
    await hfSnapshotDownload({ repo: "org/model", cacheDir: theirs, hubUrl: hub.url });
  } finally {
    console.debug = debug;
  }
  await snapshotDownload({ repo: "org/model", revision: "main", cacheDir: ours, hubUrl: hub.url });
  const tree = (root: string) => {
    const out: string[] = [];
    const walk = (dir: string, rel: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const r = rel ? `${rel}/${e.name}` : e.name;
        // Locks, and huggingface_hub ≥ 1.x's trees/<commit>.json, which the JS library does not write.
        if (r.startsWith(".locks") || r.includes("/.cortexd") || r.endsWith("/trees")) continue;
        if (e.isSymbolicLink()) out.push(`${r} -> ${fs.readlinkSync(path.join(dir, e.name))}`);
        else if (e.isDirectory()) walk(path.join(dir, e.name), r);
        else out.push(r === `models--org--model/refs/main` ? `${r} = ${fs.readFileSync(path.join(dir, e.name), "utf8")}` : r);
      }
    };
    walk(root, "");
    return out;
  };
  assert.deepEqual(tree(ours), tree(theirs));
  assert.ok(tree(ours).includes(`models--org--model/snapshots/${hub.commitOf("org/model")}/tokenizer/tokenizer.json -> ../../../blobs/${gitSha1(hub.repos["org/model"]!.files["tokenizer/tokenizer.json"]!.data)}`));
});
