import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { homePaths } from "../src/config/paths.js";
import { commitOf, makeHfCache } from "../test/fixtures/make-hf-cache.js";
import { makeHfFolder, makeLoraAdapter, makeMlxFolder, makeTinyGguf, TINY } from "../test/fixtures/make-model-zoo.js";
import { startDaemon, type RunningDaemon } from "../test/helpers/daemon.js";
import type { Benchmark } from "./harness.js";

/** The mix: 1,000 models on local disk. */
const MIX = { gguf: 400, safetensors: 250, mlx: 150, lora: 50, hfRepos: 75 /* × 2 revisions = 150 models */ };

/** Builds the tree once per benchmark: CORTEX_HOME folders plus an HF cache whose revisions share blobs. */
async function buildTree(dir: string): Promise<{ home: string; cache: string; roots: string[]; models: number }> {
  const home = path.join(dir, "h");
  const p = homePaths(home);
  for (let i = 0; i < MIX.gguf; i++) await makeTinyGguf(path.join(p.quantizedModels, `family-${i % 20}`, `model-${i}-Q4_K_M.gguf`), [15, 7, 1, 18][i % 4]);
  for (let i = 0; i < MIX.safetensors; i++) makeHfFolder(path.join(p.models, `hf-${i}`), TINY, { shards: i % 5 === 0 ? 2 : 1 });
  for (let i = 0; i < MIX.mlx; i++) makeMlxFolder(path.join(p.mlxModels, `mlx-${i}`), TINY, [4, 8][i % 2], 32);
  for (let i = 0; i < MIX.lora; i++) makeLoraAdapter(path.join(p.models, "adapters", `lora-${i}`), i % 2 ? "peft" : "mlx", "org/base");
  const cache = path.join(dir, "hub");
  const src = path.join(dir, "src");
  makeHfFolder(src);
  const files = Object.fromEntries(fs.readdirSync(src).map((n) => [n, fs.readFileSync(path.join(src, n))]));
  makeHfCache(
    cache,
    Array.from({ length: MIX.hfRepos }, (_, i) => ({
      repo: `org/repo-${i}`,
      revisions: [
        { commit: commitOf(`${i}-a`), refs: ["main"], files: { ...files, "README.md": `# ${i}` } },
        { commit: commitOf(`${i}-b`), refs: ["refs/pr/1"], files: { ...files, "README.md": `# ${i} v2` } },
      ],
    })),
  );
  const models = MIX.gguf + MIX.safetensors + MIX.mlx + MIX.lora + 2 * MIX.hfRepos;
  return { home, cache, roots: [p.models, p.mlxModels, p.quantizedModels, cache], models };
}

/** The floor for any listing that notices changes: readdir every folder and stat every entry, links followed. */
async function readdirWalk(roots: readonly string[]): Promise<number> {
  let n = 0;
  const walk = async (dir: string): Promise<void> => {
    const entries = await fs.promises.readdir(dir, { withFileTypes: true });
    await Promise.all(
      entries.map(async (e) => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) return walk(full);
        await fs.promises.stat(full);
        n++;
      }),
    );
  };
  await Promise.all(roots.map(walk));
  return n;
}

async function listAll(d: RunningDaemon, expected: number): Promise<void> {
  const res = await d.client.unary("cortex.v1.ModelService", "ListModels", { page_size: 1000 }, 120_000);
  if (res.total !== expected) throw new Error(`ListModels returned ${res.total} models, expected ${expected}`);
}

/** Warm: the daemon has listed before; every call still re-walks the tree and re-validates by size/mtime. */
export const listModelsWarm: Benchmark = {
  name: "list-models-warm",
  description: "ListModels (1,000 models: GGUF, safetensors, MLX, LoRA, HF cache) on a warm daemon vs a bare readdir+stat walk of the same tree",
  async setup() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cxb-"));
    const tree = await buildTree(dir);
    const d = await startDaemon(tree.home, { env: { HF_HUB_CACHE: tree.cache } });
    await listAll(d, tree.models);
    return {
      rounds: 9,
      cortexd: { label: `ListModels over gRPC, ${tree.models} models, warm`, run: () => listAll(d, tree.models) },
      reference: { label: "readdir + stat walk of the same tree (in process, no parsing)", run: async () => void (await readdirWalk(tree.roots)) },
      async teardown() {
        await d.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** Cold: a freshly started daemon's first ListModels (every header parsed); the OS page cache is warm. */
export const listModelsCold: Benchmark = {
  name: "list-models-cold",
  description: "First ListModels of a freshly started daemon (1,000 models, every header read) vs `du -sb` over the same tree",
  async setup() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cxb-"));
    const tree = await buildTree(dir);
    let d: RunningDaemon | undefined;
    const { execFile } = await import("node:child_process");
    return {
      rounds: 5,
      cortexd: {
        label: `first ListModels after a daemon start, ${tree.models} models`,
        run: async () => {
          await d?.stop();
          d = await startDaemon(tree.home, { env: { HF_HUB_CACHE: tree.cache } });
          const t0 = performance.now();
          await listAll(d, tree.models);
          return performance.now() - t0;
        },
      },
      reference: {
        label: "du -sb over the same roots (a process of its own)",
        run: () => new Promise<void>((resolve, reject) => execFile("du", ["-sb", ...tree.roots], (err) => (err ? reject(err) : resolve()))),
      },
      async teardown() {
        await d?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
