import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { tinyModel, tinyModelsUnavailable } from "../fixtures/tiny-models.js";
import { runCli, startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { LoopbackHub } from "../hub/loopback-hub.js";

const skip = tinyModelsUnavailable();

test("pull then run by the same name: one GGUF → that one; several → org/x:Q4_K_M (Ollama's hf.co/org/x:Q4_K_M too); a bare name lists the choices; the pull names its models", { skip }, async (t) => {
  const a = fs.readFileSync(tinyModel());
  const b = fs.readFileSync(tinyModel({ seed: 2 }));
  const readme = { data: Buffer.from("# tiny\n") };
  const hub = await LoopbackHub.start({
    "org/one": { files: { "README.md": readme, "tiny-F32.gguf": { data: a, lfs: true } } },
    "org/many": { files: { "README.md": readme, "tiny.Q4_K_M.gguf": { data: a, lfs: true }, "tiny.Q8_0.gguf": { data: b, lfs: true } } },
  });
  t.after(() => hub.close());
  const dir = tempDir(t, "cxp");
  const home = path.join(dir, "h");
  const d = await startDaemon(home, { env: { HF_ENDPOINT: hub.url, HF_HUB_CACHE: path.join(dir, "hub"), HF_TOKEN: "", CORTEX_THREADS: "1" } });
  t.after(() => d.stop());
  const cli = (...args: string[]) => runCli(["--home", home, ...args]);
  const run = (model: string) => cli("run", model, "--raw", "--max-tokens", "2", "the cat");

  const one = await cli("pull", "org/one");
  assert.equal(one.code, 0, one.stderr);
  const oneResult = JSON.parse(/^done: (.*)$/m.exec(one.stdout)![1]!) as { model_ids: string[]; models: { id: string; name: string }[] };
  assert.equal(oneResult.model_ids.length, 1);
  assert.match(one.stdout, /cortex run org\/one\b/, "the pull says how to run what it pulled");
  const ran = await run("org/one");
  assert.equal(ran.code, 0, ran.stderr);
  const shown = JSON.parse((await cli("--json", "show", "org/one")).stdout) as { id: string; format: string };
  assert.deepEqual([shown.id, shown.format], [oneResult.model_ids[0], "MODEL_FORMAT_GGUF"]);

  const many = await cli("pull", "org/many");
  assert.equal(many.code, 0, many.stderr);
  const manyResult = JSON.parse(/^done: (.*)$/m.exec(many.stdout)![1]!) as { model_ids: string[]; models: { id: string; name: string }[] };
  assert.equal(manyResult.model_ids.length, 2);
  assert.match(many.stdout, /org\/many:Q4_K_M/);
  assert.match(many.stdout, /org\/many:Q8_0/);
  const bare = await run("org/many");
  assert.equal(bare.code, 1);
  assert.match(bare.stderr, /INVALID_ARGUMENT: .*org\/many.* 2 GGUF .*org\/many:Q4_K_M.*org\/many:Q8_0/);
  for (const ref of ["org/many:Q8_0", "org/many:q4_k_m", "hf.co/org/many:Q8_0"]) {
    const r = await run(ref);
    assert.equal(r.code, 0, `${ref}: ${r.stderr}`);
  }
  const q8 = JSON.parse((await cli("--json", "show", "org/many:Q8_0")).stdout) as { name: string };
  assert.equal(q8.name, "org/many/tiny.Q8_0");
  const missing = await run("org/many:Q2_K");
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /NOT_FOUND: .*Q2_K.*org\/many:Q4_K_M, org\/many:Q8_0/);
});
