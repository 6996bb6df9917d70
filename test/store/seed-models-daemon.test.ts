import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { runCli, startDaemon } from "../helpers/daemon.js";
import { waitFinal } from "../helpers/jobs.js";
import { tempDir } from "../helpers/temp-dir.js";
import type { HubRepo } from "../hub/loopback-hub.js";
import { LoopbackHub } from "../hub/loopback-hub.js";
import { seedRepos, writeRepo, fluxSwiftRepo, musicgenRepo } from "../fixtures/make-seed-models.js";

interface Info {
  id: string;
  name: string;
  format: string;
  quantization: string;
  quantization_detail: string;
  architecture: string;
  components: { name: string; class_name: string; quantization: string; format: string }[];
  alternates: { path: string }[];
  notes: string[];
  mlx_quantization: { bits: number; group_size: number } | null;
  context_length: number;
  estimated_memory_bytes: number;
}

/** The seeds' repos as the loopback Hub serves them (weights as LFS files). */
function hubRepos(): Record<string, HubRepo> {
  const out: Record<string, HubRepo> = {};
  for (const [repo, files] of Object.entries(seedRepos())) {
    out[repo] = { files: Object.fromEntries(Object.entries(files).map(([p, data]) => [p, { data, lfs: /\.(safetensors|bin|model)$/.test(p) }])) };
  }
  return out;
}

test("the seeds' commands through the daemon: catalog, pull by short name and preset, ls, show, manifest sync by short name", async (t) => {
  const dir = tempDir(t);
  const hub = await LoopbackHub.start(hubRepos());
  t.after(() => hub.close());
  const home = path.join(dir, "h");
  const hf = path.join(dir, "hf");
  fs.mkdirSync(home, { recursive: true });
  fs.writeFileSync(path.join(home, "config.json"), JSON.stringify({ aliases: { "my-phi": "mlx-community/Phi-3-mini-4k-instruct-unsloth-4bit" } }));
  const d = await startDaemon(home, { env: { HF_ENDPOINT: hub.url, HF_HUB_CACHE: hf, HF_TOKEN: "" } });
  t.after(() => d.stop());
  const cli = (...args: string[]) => runCli(["--home", home, ...args]);

  const cat = await cli("--json", "catalog");
  assert.equal(cat.code, 0, cat.stderr);
  const entries = (JSON.parse(cat.stdout) as { entries: { name: string; repo: string; source: string }[] }).entries;
  assert.deepEqual(entries.map((e) => e.name), ["encodec-32khz", "flux-dev", "flux-schnell", "flux-schnell:4bit", "musicgen-small", "my-phi", "phi-3-mini-4k:4bit"]);
  assert.equal(entries.find((e) => e.name === "my-phi")?.source, "config");

  // download_flux_models.py --model schnell: the diffusers layout only (the single files would double the disk).
  const schnell = await cli("pull", "flux-schnell");
  assert.equal(schnell.code, 0, schnell.stderr);
  const snap = path.join(hf, "models--black-forest-labs--FLUX.1-schnell", "snapshots", hub.commitOf("black-forest-labs/FLUX.1-schnell"));
  assert.ok(fs.existsSync(path.join(snap, "transformer", "diffusion_pytorch_model-00001-of-00003.safetensors")));
  assert.ok(!fs.existsSync(path.join(snap, "flux1-schnell.safetensors")), "the single-file copy is not pulled by the short name");

  // --model schnell --quantization 4bit
  const four = await cli("pull", "flux-schnell", "--quantization", "4bit");
  assert.equal(four.code, 0, four.stderr);
  assert.ok(fs.existsSync(path.join(hf, "models--mzbac--flux1.schnell.4bit.mlx")));

  const typo = await cli("pull", "flux-schnel");
  assert.equal(typo.code, 1);
  assert.match(typo.stderr, /"flux-schnel" is not a short name.*close matches: flux-schnell/);
  const noVariant = await cli("pull", "flux-dev", "--quantization", "8bit");
  assert.equal(noVariant.code, 1);
  assert.match(noVariant.stderr, /"flux-dev:8bit" is not a short name.*close matches: .*flux-dev/);

  // --model all
  const all = await cli("pull", "--preset", "all");
  assert.equal(all.code, 0, all.stderr + all.stdout);
  for (const repo of ["black-forest-labs/FLUX.1-dev", "facebook/musicgen-small", "mlx-community/encodec-32khz-float32", "mlx-community/Phi-3-mini-4k-instruct-unsloth-4bit"]) {
    assert.ok(fs.existsSync(path.join(hf, `models--${repo.replace("/", "--")}`)), `${repo} pulled by --preset all`);
  }
  assert.ok(!fs.existsSync(path.join(hf, "models--facebook--musicgen-small", "snapshots", hub.commitOf("facebook/musicgen-small"), "state_dict.bin")), "MusicGen's legacy pickles left out");

  // A flow whose convert step cannot succeed (MusicGen is no LLM): the parent reports the step's error, not INTERNAL.
  const flow = await d.client.unary("cortex.v1.JobService", "SubmitBatch", { flows: [{ pull: { repo: "musicgen-small" }, quantize_types: ["Q4_K_M"] }] });
  const failed = await waitFinal(d.client, flow.jobs[0]!.job_id);
  assert.equal(failed.state, "JOB_STATE_FAILED");
  assert.equal(failed.error_code, "CONV_UNSUPPORTED_ARCH", failed.error_message);
  assert.match(failed.error_message, /step convert .*MusicgenForConditionalGeneration/);

  const ls = await cli("--json", "ls");
  assert.equal(ls.code, 0, ls.stderr);
  const models = (JSON.parse(ls.stdout) as { models: Info[] }).models;
  const by = (name: string) => {
    const m = models.find((x) => x.name === name);
    assert.ok(m, `${name} listed; have ${models.map((x) => x.name).join(", ")}`);
    return m;
  };
  assert.equal(models.length, 6, models.map((m) => m.name).join(", "));
  assert.deepEqual(by("mzbac/flux1.schnell.4bit.mlx").mlx_quantization, { bits: 4, group_size: 64, mode: "affine" });
  assert.equal(by("mzbac/flux1.schnell.4bit.mlx").quantization, "QUANTIZATION_INT4");
  assert.equal(by("mlx-community/Phi-3-mini-4k-instruct-unsloth-4bit").quantization, "QUANTIZATION_INT4");
  assert.equal(by("facebook/musicgen-small").context_length, 2048);
  assert.equal(by("mlx-community/encodec-32khz-float32").format, "MODEL_FORMAT_MLX");
  const int4 = await cli("--json", "ls", "--quantization", "int4");
  assert.deepEqual((JSON.parse(int4.stdout) as { models: Info[] }).models.map((m) => m.name).sort(), ["mlx-community/Phi-3-mini-4k-instruct-unsloth-4bit", "mzbac/flux1.schnell.4bit.mlx"]);

  const show = await cli("--json", "show", "flux-schnell");
  assert.equal(show.code, 0, show.stderr);
  const flux = JSON.parse(show.stdout) as Info;
  assert.equal(flux.name, "black-forest-labs/FLUX.1-schnell");
  assert.equal(flux.architecture, "FluxPipeline");
  assert.deepEqual(flux.components.map((c) => c.name), ["scheduler", "text_encoder", "text_encoder_2", "tokenizer", "tokenizer_2", "transformer", "vae"]);
  const human = await cli("show", "my-phi");
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /quantization\s+mlx-4bit-g64 \(MLX affine, 4-bit, group size 64\)/);
  const showTypo = await cli("show", "flux-shnell");
  assert.equal(showTypo.code, 1);
  assert.match(showTypo.stderr, /close short names: flux-schnell/);

  // model_manifest.py sync --models flux-schnell flux-dev --fast
  const sync = await cli("--json", "manifest", "sync", "--models", "flux-schnell", "flux-dev", "--fast");
  assert.equal(sync.code, 0, sync.stderr);
  const written = (JSON.parse(sync.stdout) as { written: { name: string }[] }).written.map((w) => w.name).sort();
  assert.deepEqual(written, ["black-forest-labs/FLUX.1-dev", "black-forest-labs/FLUX.1-schnell"]);

  // model_manifest.py show; clean_models.py preview --tags flux --quantization 4bit; clean_models.py hf --scan
  const mshow = await cli("manifest", "show");
  assert.equal(mshow.code, 0, mshow.stderr);
  assert.match(mshow.stdout, /black-forest-labs\/FLUX\.1-dev/);
  for (const m of ["flux-schnell", "flux-dev", "flux-schnell:4bit"]) assert.equal((await cli("tag", m, "flux")).code, 0);
  const preview = await cli("--json", "clean", "preview", "--tags", "flux", "--quantization", "4bit", "--hf-cache");
  assert.equal(preview.code, 0, preview.stderr);
  const candidates = (JSON.parse(preview.stdout) as { candidates: { model: Info }[] }).candidates.map((c) => c.model.name);
  assert.deepEqual(candidates, ["mzbac/flux1.schnell.4bit.mlx"], "tagged flux and 4-bit: the flux.swift model only");
  const scan = await cli("hf-cache", "scan");
  assert.equal(scan.code, 0, scan.stderr);
  for (const repo of ["black-forest-labs/FLUX.1-schnell", "mzbac/flux1.schnell.4bit.mlx", "facebook/musicgen-small"]) assert.match(scan.stdout, new RegExp(repo.replace(/[./]/g, "\\$&")));

  // The whole repo (both layouts): show says what doubles the disk and how to pull one layout.
  const full = await cli("pull", "black-forest-labs/FLUX.1-schnell");
  assert.equal(full.code, 0, full.stderr);
  const fullShow = await cli("show", "flux-schnell");
  assert.match(fullShow.stdout, /ALTERNATE FILE/);
  assert.match(fullShow.stdout, /flux1-schnell\.safetensors/);
  assert.match(fullShow.stdout, /doubles the disk/);
});

test("seed models placed in cortexd's folders: flux.swift 4-bit and MusicGen listed with their components; rm deletes all of a pipeline", async (t) => {
  const dir = tempDir(t);
  const home = path.join(dir, "h");
  writeRepo(path.join(home, "mlx_models", "flux1.schnell.4bit.mlx"), fluxSwiftRepo(4));
  writeRepo(path.join(home, "models", "musicgen-small"), musicgenRepo());
  const d = await startDaemon(home, { env: { HF_HUB_CACHE: path.join(dir, "hf") } });
  t.after(() => d.stop());
  const cli = (...args: string[]) => runCli(["--home", home, ...args]);
  const ls = await cli("ls");
  assert.equal(ls.code, 0, ls.stderr);
  assert.match(ls.stdout, /flux1\.schnell\.4bit\.mlx\s+mlx\s+mlx-4bit-g64/);
  assert.match(ls.stdout, /musicgen-small\s+safetensors/);
  const show = await cli("show", "flux1.schnell.4bit.mlx");
  assert.match(show.stdout, /architecture\s+FluxPipeline/);
  assert.match(show.stdout, /vae\s+AutoencoderKL\s+safetensors\s+bf16/);
  assert.match(show.stdout, /transformer\s+FluxTransformer2DModel\s+mlx\s+mlx-4bit-g64/);
  const rm = await cli("rm", "flux1.schnell.4bit.mlx");
  assert.equal(rm.code, 0, rm.stderr);
  assert.ok(!fs.existsSync(path.join(home, "mlx_models", "flux1.schnell.4bit.mlx")), "no orphaned pipeline skeleton");
  const after = await cli("--json", "ls");
  assert.deepEqual((JSON.parse(after.stdout) as { models: Info[] }).models.map((m) => m.name), ["musicgen-small"]);
});
