/**
 * #20 item 4: a job that loses its Redis lock (Redis stalled 10–20 s) is run a second time by BullMQ while the
 * first run still works, and a crashed job is retried after its output was already published. GGUF jobs then
 * silently ran twice (the retry redid the work and replaced the output), and MLX convert / fuse failed REG_EXISTS
 * on their own complete output. Each run of one job id must end with the one output and the same answer.
 * The bodies run here directly, in this process, with the same job id: what BullMQ would do, without the stall.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { homePaths } from "../../src/config/paths.js";
import { ggufQuantizeBody } from "../../src/jobs/bodies/gguf-quantize-body.js";
import { mlxConvertBody } from "../../src/jobs/bodies/mlx-convert-body.js";
import type { JobContext } from "../../src/jobs/processor-shim.js";
import type { WorkerRuntimeConfig } from "../../src/jobs/worker-config.js";
import { makeHfCheckpoint } from "../fixtures/make-hf-checkpoint.js";
import { tempDir } from "../helpers/temp-dir.js";
import { jobSourceGguf, listTree } from "./helpers.js";

function setUp(dir: string): WorkerRuntimeConfig {
  const home = path.join(dir, "h");
  const paths = homePaths(home);
  for (const p of [paths.models, paths.quantizedModels, paths.mlxModels, paths.manifests]) fs.mkdirSync(p, { recursive: true });
  return { home, paths, hfEndpoint: "http://127.0.0.1:9", hfToken: "", hfHubCache: path.join(dir, "hf"), modelDirs: [], hfOffline: true, downloadPartsPerFile: 1, threads: 1, logLevel: "silent" };
}

const ctxFor = (jobId: string, jobName: string, rerun = false): JobContext => ({ jobId, jobName, attempt: 1, rerun, signal: new AbortController().signal, progress: () => undefined, log: () => undefined });

/** What a kill -9 between publishing the output and recording its manifest leaves: the file, no manifest. */
function forgetManifestOf(cfg: WorkerRuntimeConfig, modelPath: string): void {
  const dir = cfg.paths.manifests;
  const mine = fs.readdirSync(dir).filter((f) => (JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { paths: string[] }).paths.includes(modelPath));
  assert.equal(mine.length, 1, `one manifest names ${modelPath}`);
  fs.rmSync(path.join(dir, mine[0]!));
}

test("a GGUF quantization run twice at once, then retried, leaves one output and answers the same each time", async (t) => {
  const src = jobSourceGguf("tiny");
  if ("skip" in src) return t.skip(src.skip);
  const cfg = setUp(tempDir(t, "twice"));
  fs.copyFileSync(src.file, path.join(cfg.paths.models, "tiny-F16.gguf"));
  const data = { model: "tiny-F16", target: "gguf" as const, type: "Q4_0", outputName: "", threads: 1 };
  const [r1, r2] = (await Promise.all([ggufQuantizeBody(data, ctxFor("quantize-1", "quantize"), cfg), ggufQuantizeBody(data, ctxFor("quantize-1", "quantize"), cfg)])) as { path: string; model_id: string }[];
  assert.equal(r1!.path, r2!.path, "both runs name the one output");
  assert.deepEqual(listTree(cfg.paths.quantizedModels), ["tiny-Q4_0.gguf"], "one output, no temp files");
  const retry = (await ggufQuantizeBody(data, ctxFor("quantize-1", "quantize"), cfg)) as { path: string; model_id: string; finished_by_earlier_run?: boolean };
  assert.equal(retry.finished_by_earlier_run, true, "a retry of a finished job does not redo it");
  assert.equal(retry.path, r1!.path);
  assert.equal(retry.model_id, r1!.model_id);
  await assert.rejects(ggufQuantizeBody(data, ctxFor("quantize-2", "quantize"), cfg), (e: { code?: string }) => e.code === "REG_EXISTS", "another job may not replace it");
});

test("an MLX conversion run twice at once, then retried, finishes with its own output instead of REG_EXISTS", async (t) => {
  const cfg = setUp(tempDir(t, "twice"));
  const ckpt = await makeHfCheckpoint(path.join(cfg.paths.models, "tiny-hf"), { numLayers: 1, hiddenSize: 64, intermediateSize: 128, numHeads: 2, numKvHeads: 1, vocabSize: 300, dtype: "bf16" });
  const data = { model: ckpt.dir, source: ckpt.dir, target: "mlx" as const, mlx: { dtype: "", quantize: false, bits: 4, groupSize: 64, recipe: "", gpuOptimizationLevel: "" }, outputName: "", keepIntermediate: false };
  const runs = await Promise.allSettled([mlxConvertBody(data, ctxFor("convert-1", "convert"), cfg), mlxConvertBody(data, ctxFor("convert-1", "convert"), cfg)]);
  for (const r of runs) assert.equal(r.status, "fulfilled", r.status === "rejected" ? String(r.reason) : "");
  const paths = runs.map((r) => (r as PromiseFulfilledResult<{ path: string }>).value.path);
  assert.equal(paths[0], paths[1]);
  assert.deepEqual(fs.readdirSync(cfg.paths.mlxModels), [path.basename(paths[0]!)], "one output folder, no temp folder");
  const retry = (await mlxConvertBody(data, ctxFor("convert-1", "convert"), cfg)) as { finished_by_earlier_run?: boolean };
  assert.equal(retry.finished_by_earlier_run, true);
});

test("a GGUF job killed after publishing its output and before recording it: the rerun keeps that file (same bytes) instead of failing REG_EXISTS or writing a second copy", async (t) => {
  const src = jobSourceGguf("tiny");
  if ("skip" in src) return t.skip(src.skip);
  const cfg = setUp(tempDir(t, "unrecorded"));
  fs.copyFileSync(src.file, path.join(cfg.paths.models, "tiny-F16.gguf"));
  for (const outputName of ["", "named-Q4_0"]) {
    const data = { model: "tiny-F16", target: "gguf" as const, type: "Q4_0", outputName, threads: 1 };
    const jobId = `quantize-${outputName || "default"}`;
    const first = (await ggufQuantizeBody(data, ctxFor(jobId, "quantize"), cfg)) as { path: string; sha256: string };
    forgetManifestOf(cfg, first.path);
    const rerun = (await ggufQuantizeBody(data, ctxFor(jobId, "quantize", true), cfg)) as { path: string; sha256: string; model_id: string };
    assert.equal(rerun.path, first.path, `${outputName || "default name"}: the rerun answers the file its killed run published`);
    assert.equal(rerun.sha256, first.sha256);
    const again = (await ggufQuantizeBody(data, ctxFor(jobId, "quantize", true), cfg)) as { finished_by_earlier_run?: boolean; model_id: string };
    assert.equal(again.finished_by_earlier_run, true, "the rerun recorded it as this job's");
    assert.equal(again.model_id, rerun.model_id);
  }
  assert.deepEqual(listTree(cfg.paths.quantizedModels), ["named-Q4_0.gguf", "tiny-Q4_0.gguf"], "no second copy, no temp files");

  // A file with other bytes under the name is not this job's: the rerun refuses it and leaves it as it was.
  const data = { model: "tiny-F16", target: "gguf" as const, type: "Q4_0", outputName: "other-Q4_0", threads: 1 };
  const other = path.join(cfg.paths.quantizedModels, "other-Q4_0.gguf");
  fs.copyFileSync(src.file, other);
  const before = fs.readFileSync(other);
  await assert.rejects(ggufQuantizeBody(data, ctxFor("quantize-other", "quantize", true), cfg), (e: { code?: string }) => e.code === "REG_EXISTS");
  assert.ok(fs.readFileSync(other).equals(before), "left as it was");
  assert.deepEqual(listTree(cfg.paths.quantizedModels), ["named-Q4_0.gguf", "other-Q4_0.gguf", "tiny-Q4_0.gguf"]);
});

test("an MLX conversion killed after publishing its folder and before recording it: the rerun keeps that folder (same files) instead of REG_EXISTS; a folder with other files, or a link, is refused and left alone", async (t) => {
  const cfg = setUp(tempDir(t, "unrecorded-mlx"));
  const ckpt = await makeHfCheckpoint(path.join(cfg.paths.models, "tiny-hf"), { numLayers: 1, hiddenSize: 64, intermediateSize: 128, numHeads: 2, numKvHeads: 1, vocabSize: 300, dtype: "bf16" });
  const data = (outputName: string) => ({ model: ckpt.dir, source: ckpt.dir, target: "mlx" as const, mlx: { dtype: "", quantize: true, bits: 4, groupSize: 64, recipe: "", gpuOptimizationLevel: "" }, outputName, keepIntermediate: false });
  const first = (await mlxConvertBody(data(""), ctxFor("convert-mlx", "convert"), cfg)) as { path: string; model_id: string };
  forgetManifestOf(cfg, first.path);
  const rerun = (await mlxConvertBody(data(""), ctxFor("convert-mlx", "convert", true), cfg)) as { path: string; model_id: string; finished_by_earlier_run?: boolean };
  assert.equal(rerun.path, first.path, "the rerun answers the folder its killed run published");
  assert.equal(rerun.finished_by_earlier_run, undefined, "it redid the work and found the same files");
  assert.deepEqual(fs.readdirSync(cfg.paths.mlxModels), [path.basename(first.path)], "no second copy, no temp folder");
  const again = (await mlxConvertBody(data(""), ctxFor("convert-mlx", "convert", true), cfg)) as { finished_by_earlier_run?: boolean };
  assert.equal(again.finished_by_earlier_run, true, "the rerun recorded it as this job's");

  // The same name holding other files (one changed), or a link in place of a file: not this job's output.
  for (const [name, edit] of [
    ["changed", (dir: string) => fs.appendFileSync(path.join(dir, "config.json"), " ")],
    ["linked", (dir: string) => {
      fs.rmSync(path.join(dir, "config.json"));
      fs.symlinkSync("/etc/hostname", path.join(dir, "config.json"));
    }],
  ] as const) {
    const dir = path.join(cfg.paths.mlxModels, name);
    fs.cpSync(first.path, dir, { recursive: true });
    edit(dir);
    const before = listTree(dir);
    await assert.rejects(mlxConvertBody(data(name), ctxFor(`convert-${name}`, "convert", true), cfg), (e: { code?: string }) => e.code === "REG_EXISTS", name);
    assert.deepEqual(listTree(dir), before, `${name}: left as it was`);
  }
  assert.deepEqual(fs.readdirSync(cfg.paths.mlxModels).sort(), [path.basename(first.path), "changed", "linked"].sort(), "no temp folders");
});
