import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { waitFinal } from "../helpers/jobs.js";
import { setTimeout as sleep } from "node:timers/promises";
import { readSafetensorsHeader } from "../../src/formats/safetensors/read-safetensors-header.js";
import { makeHfCheckpoint } from "../fixtures/make-hf-checkpoint.js";
import { runCli, startDaemon, type RunningDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { writeMlxAdapter } from "./lora-fixture.js";

interface Manifest { paths: string[]; format?: string; provenance: { files: { path: string; sha256?: string }[]; convertedFrom: { kind: string; recipe: Record<string, unknown> }[] }; lora?: { fused: boolean; rank: number; scale: number } }

const waitJob = (d: RunningDaemon, jobId: string) => waitFinal(d.client, jobId, 120_000);

function manifestFor(home: string, dir: string): Manifest | undefined {
  return fs
    .readdirSync(path.join(home, "manifests"))
    .map((f) => JSON.parse(fs.readFileSync(path.join(home, "manifests", f), "utf8")) as Manifest)
    .find((m) => m.paths.includes(dir));
}

test("cortex convert --to mlx and cortex fuse through the daemon: folders in mlx_models/, manifests with recipe, sha256s and fusion state", async (t) => {
  const dir = tempDir(t);
  const home = path.join(dir, "h");
  const d = await startDaemon(home);
  t.after(() => d.stop());
  await makeHfCheckpoint(path.join(home, "models", "tiny"), { numLayers: 2 });
  await writeMlxAdapter(path.join(home, "models", "ad"), 2);

  const conv = await runCli(["--home", home, "convert", "tiny", "--to", "mlx", "--bits", "4", "--group-size", "64"]);
  assert.equal(conv.code, 0, conv.stderr);
  const out = path.join(home, "mlx_models", "tiny-4bit");
  assert.match(conv.stdout, /done: .*tiny-4bit/);
  const h = await readSafetensorsHeader(path.join(out, "model.safetensors"));
  assert.equal(h.byName.get("lm_head.weight")!.dtype, "U32");
  assert.deepEqual(fs.readdirSync(path.join(home, "mlx_models")), ["tiny-4bit"], "no temporary folders");
  const m = manifestFor(home, out);
  assert.ok(m, "a manifest for the converted model");
  assert.equal(m.format, "MLX");
  const step = m.provenance.convertedFrom.at(-1)!;
  assert.equal(step.kind, "convert");
  assert.deepEqual([step.recipe["bits"], step.recipe["group_size"], step.recipe["recipe"]], [4, 64, "uniform"]);
  assert.match(m.provenance.files.find((f) => f.path === "model.safetensors")?.sha256 ?? "", /^[0-9a-f]{64}$/);

  // Converting the MLX output again is detected, not redone.
  const again = await d.client.unary("cortex.v1.JobService", "ConvertModel", { source: "tiny-4bit", target: "TARGET_FORMAT_MLX", mlx: null });
  const againJob = await waitJob(d, again.job_id);
  assert.equal(againJob.state, "JOB_STATE_COMPLETED", againJob.error_message);
  assert.equal(JSON.parse(againJob.result_json).already_mlx, true);

  const fuse = await runCli(["--home", home, "fuse", "tiny-4bit", "ad"]);
  assert.equal(fuse.code, 0, fuse.stderr);
  const fused = path.join(home, "mlx_models", "tiny-4bit-fused-ad");
  assert.ok(fs.existsSync(path.join(fused, "fine_tuned.marker")));
  const fm = manifestFor(home, fused);
  assert.ok(fm, "a manifest for the fused model");
  assert.equal(fm.provenance.convertedFrom.at(-1)!.kind, "fuse");
  assert.equal(fm.lora?.fused, true);
  assert.equal(fm.lora?.scale, 2);
  assert.equal(fm.provenance.convertedFrom.length, 2, "the base's convert step is inherited");

  // A GGUF base is answered UNIMPLEMENTED by the job; a bad option is refused before anything is queued.
  fs.writeFileSync(path.join(home, "models", "x.gguf"), "GGUF");
  const g = await d.client.unary("cortex.v1.JobService", "FuseAdapter", { base: "x", adapter: "ad" });
  const gj = await waitJob(d, g.job_id);
  assert.equal(gj.state, "JOB_STATE_FAILED");
  assert.equal(gj.error_code, "REQ_UNIMPLEMENTED");
  assert.match(gj.error_message, /GGUF base/);
  const bad = await runCli(["--home", home, "convert", "tiny", "--to", "mlx", "--bits", "7"]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /mlx\.bits: 7 is not one of 2, 3, 4, 5, 6, 8/);
});
