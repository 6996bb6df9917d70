import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { snapshotDownload, type SnapshotOptions } from "../../src/hub/snapshot-download.js";
import { scanHfCache } from "../../src/store/hf-cache/scan-hf-cache.js";
import { tempDir } from "../helpers/temp-dir.js";
import { gitSha1, hubErr, MiB, modelRepo, sha256, startHub } from "./hub-fixtures.js";
import type { LoopbackHub } from "./loopback-hub.js";
import { PYTHON } from "./python-filelock.js";

const pull = (hub: LoopbackHub, cacheDir: string, extra: Partial<SnapshotOptions> = {}) => snapshotDownload({ repo: "org/model", revision: "main", cacheDir, hubUrl: hub.url, ...extra });

// huggingface_hub ≥ 1.x, _tree_cache._read_tree_cache_from_disk + _snapshot_download._raise_if_incomplete_snapshot
// (no patterns: the whole revision): what a Python tool concludes about a cached snapshot, offline.
const PY_INCOMPLETE = String.raw`
import json, os, sys
storage, commit = sys.argv[1], sys.argv[2]
path = os.path.join(storage, "trees", f"{commit}.json")
try:
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    entries = None if data.get("format_version") != 1 else {p: (i["size"], i["blob_id"], i.get("lfs_sha256"), i.get("lfs_size"), i.get("xet_hash")) for p, i in data["files"].items()}
except FileNotFoundError:
    entries = None
if entries is None:
    print("unknown"); sys.exit(0)
base = os.path.join(storage, "snapshots", commit)
missing = [p for p in entries if not os.path.isfile(os.path.join(base, p))]
print("missing " + ",".join(sorted(missing)) if missing else "complete")
`;

test("a pull writes trees/<commit>.json as huggingface_hub does, so Python tools know a partial pull is partial; the listing is reused", async (t) => {
  const hub = await startHub(t, { "org/model": modelRepo(2 * MiB) });
  const cache = tempDir(t, "cxt");
  const storage = path.join(cache, "models--org--model");
  const commit = hub.commitOf("org/model");
  const files = hub.repos["org/model"]!.files;

  // Only the config, asked for by name.
  const partial = await pull(hub, cache, { include: ["config.json"] });
  assert.deepEqual(partial.files.map((f) => f.path), ["config.json"]);
  const tree = JSON.parse(fs.readFileSync(path.join(storage, "trees", `${commit}.json`), "utf8")) as { format_version: number; files: Record<string, Record<string, unknown>> };
  assert.equal(tree.format_version, 1);
  assert.deepEqual(Object.keys(tree.files), Object.keys(files).sort(), "every file of the revision, sorted");
  assert.deepEqual(tree.files["config.json"], { size: files["config.json"]!.data.length, blob_id: gitSha1(files["config.json"]!.data) });
  const big = files["model.safetensors"]!.data;
  assert.equal(tree.files["model.safetensors"]!.lfs_sha256, sha256(big));
  assert.equal(tree.files["model.safetensors"]!.lfs_size, big.length);
  assert.equal(tree.files["model.safetensors"]!.size, big.length);
  assert.match(String(tree.files["model.safetensors"]!.blob_id), /^[0-9a-f]{40}$/, "the LFS pointer's git oid");

  const py = spawnSync(PYTHON, ["-c", PY_INCOMPLETE, storage, commit], { encoding: "utf8" });
  assert.equal(py.status, 0, py.stderr);
  assert.equal(py.stdout.trim(), "missing README.md,model.safetensors,tokenizer/tokenizer.json", "Python sees the snapshot as partial");
  await assert.rejects(pull(hub, cache, { revision: commit, offline: true }), hubErr("HUB_OFFLINE", /3 file\(s\) of org\/model@[0-9a-f]{40} are not in the cache: README\.md, model\.safetensors, tokenizer\/tokenizer\.json/));
  assert.deepEqual((await scanHfCache(cache)).warnings, [], "cache scanners ignore trees/");

  // The same commit again: the listing comes from trees/, not from the Hub; a file not in it is named.
  const before = hub.requests.length;
  const rest = await pull(hub, cache, { revision: commit });
  assert.equal(rest.files.length, 4);
  const used = hub.requests.slice(before).map((q) => new URL(q.url).pathname);
  assert.ok(!used.some((p) => p.includes("/tree/") || p.includes("/paths-info/")), used.join(" "));
  assert.equal(spawnSync(PYTHON, ["-c", PY_INCOMPLETE, storage, commit], { encoding: "utf8" }).stdout.trim(), "complete");
  await assert.rejects(pull(hub, cache, { revision: commit, include: ["config.json", "nope.gguf"] }), hubErr("HUB_NOT_FOUND", /file nope\.gguf not found in org\/model@/));
});
