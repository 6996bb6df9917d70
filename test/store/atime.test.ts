import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { homePaths } from "../../src/config/paths.js";
import { commitOf, makeHfCache } from "../fixtures/make-hf-cache.js";
import { makeHfFolder, makeMlxFolder, makeTinyGguf } from "../fixtures/make-model-zoo.js";
import { runCli, startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";

const DAY = 86_400_000;

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

test("a cold listing, show, scan and manifest sync leave every file's atime as it was (hf cache ls sees no access)", async (t) => {
  const dir = tempDir(t, "cxa");
  const home = path.join(dir, "h");
  const p = homePaths(home);
  await makeTinyGguf(path.join(p.quantizedModels, "tiny-Q4_K_M.gguf"));
  makeHfFolder(path.join(p.models, "tiny-hf"), undefined, { shards: 2 });
  makeMlxFolder(path.join(p.mlxModels, "tiny-mlx"));
  fs.writeFileSync(path.join(p.models, "tiny-hf", "fine_tuned.marker"), "org/base\n");
  // The same files, in the shared HF cache (one repo of safetensors, one of a GGUF).
  const src = path.join(p.models, "tiny-hf");
  const files = Object.fromEntries(fs.readdirSync(src).map((n) => [n, fs.readFileSync(path.join(src, n))]));
  const gguf = fs.readFileSync(path.join(p.quantizedModels, "tiny-Q4_K_M.gguf"));
  const hub = path.join(dir, "hub");
  makeHfCache(hub, [
    { repo: "org/tiny", revisions: [{ commit: commitOf("a"), refs: ["main"], files }] },
    { repo: "org/tiny-gguf", revisions: [{ commit: commitOf("b"), refs: ["main"], files: { "tiny-Q4_K_M.gguf": gguf } }] },
  ]);
  // Last accessed 3 days ago, modified 20 days ago: under relatime, any read moves such an atime.
  const atime = new Date(Date.now() - 3 * DAY);
  const mtime = new Date(Date.now() - 20 * DAY);
  const all = [...filesUnder(path.join(hub, "models--org--tiny", "blobs")), ...filesUnder(path.join(hub, "models--org--tiny-gguf", "blobs")), ...filesUnder(p.models), ...filesUnder(p.mlxModels), ...filesUnder(p.quantizedModels)];
  assert.ok(all.length >= 12, `${all.length} files`);
  for (const f of all) fs.utimesSync(f, atime, mtime);
  const before = new Map(all.map((f) => [f, fs.statSync(f).atimeMs]));

  const d = await startDaemon(home, { env: { HF_HUB_CACHE: hub } });
  t.after(() => d.stop());
  const cli = async (...args: string[]) => {
    const r = await runCli(["--home", home, ...args]);
    assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  assert.match(await cli("ls"), /5 models/);
  await cli("show", "tiny-hf");
  await cli("show", "org/tiny-gguf/tiny-Q4_K_M");
  await cli("manifest", "sync");
  const scan = await cli("hf-cache", "scan");
  const changed = [...before].filter(([f, a]) => fs.statSync(f).atimeMs !== a).map(([f]) => path.relative(dir, f));
  assert.deepEqual(changed, [], "atimes moved by cortexd's reads");
  assert.match(scan, /org\/tiny\s+model\s+\S+\s+\d+\s+3 days ago/, "huggingface_hub's LAST_ACCESSED column still says 3 days");
});
