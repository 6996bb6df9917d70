/**
 * #20 item 2: links inside a model folder escaped the roots. Only the folder was checked: config.json linked to a
 * secret was read (its first bytes came back in the error), a linked tokenizer.json was embedded in the GGUF, a
 * linked generation_config.json copied into an MLX output. Every file a job opens must resolve inside the roots,
 * else PERMISSION_DENIED naming the link — never the target's content.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { makeHfCheckpoint } from "../fixtures/make-hf-checkpoint.js";
import { startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { waitFinal } from "./helpers.js";

const SECRET = "TOPSECRET-4d1c0c8e-do-not-leak";
const SMALL = { numLayers: 1, hiddenSize: 64, intermediateSize: 128, numHeads: 2, numKvHeads: 1, vocabSize: 300, dtype: "bf16" } as const;

test("a model folder whose config.json, tokenizer.json or generation_config.json links outside the roots: the job is refused naming the link, the target never read", async (t) => {
  const dir = tempDir(t);
  const outside = path.join(dir, "outside");
  fs.mkdirSync(outside);
  const home = path.join(dir, "h");
  const cases: { name: string; file: string; target: "TARGET_FORMAT_GGUF" | "TARGET_FORMAT_MLX" }[] = [
    { name: "cfg-link", file: "config.json", target: "TARGET_FORMAT_GGUF" },
    { name: "tok-link", file: "tokenizer.json", target: "TARGET_FORMAT_GGUF" },
    { name: "gen-link", file: "generation_config.json", target: "TARGET_FORMAT_MLX" },
  ];
  for (const c of cases) {
    const model = path.join(home, "models", c.name);
    await makeHfCheckpoint(model, SMALL);
    const real = path.join(model, c.file);
    const secret = path.join(outside, `${c.name}-${c.file}`);
    // The target is a valid file of its kind, plus the secret: whatever reads it would carry the secret along.
    const json = fs.existsSync(real) ? (JSON.parse(fs.readFileSync(real, "utf8")) as Record<string, unknown>) : { eos_token_id: 2 };
    fs.writeFileSync(secret, JSON.stringify({ _secret: SECRET, ...json }));
    fs.rmSync(real, { force: true });
    fs.symlinkSync(secret, real);
  }
  const d = await startDaemon(home, { env: { CORTEX_THREADS: "1" } });
  t.after(() => d.stop());
  for (const c of cases) {
    // Refused at submit (the submit-time source check reads config.json confined too) or by the job: either way
    // REG_OUTSIDE_ROOTS naming the link, and the target's content never appears.
    const refused = await d.client
      .unary("cortex.v1.JobService", "ConvertModel", { source: path.join(home, "models", c.name), target: c.target, outtype: c.target === "TARGET_FORMAT_GGUF" ? "f16" : "", output_name: `${c.name}-out` })
      .then(async (h) => {
        const job = await waitFinal(d.client, h.job_id, 120_000);
        assert.equal(job.state, "JOB_STATE_FAILED", `${c.name}: ${job.state} ${job.result_json}`);
        return { code: job.error_code, message: job.error_message };
      }, (e: Error & { code?: unknown }) => ({ code: String(e.code), message: e.message }));
    assert.equal(refused.code, "REG_OUTSIDE_ROOTS", `${c.name}: ${refused.message}`);
    assert.match(refused.message, new RegExp(c.file.replace(".", "\\.")), c.name);
    assert.ok(!refused.message.includes(SECRET), `${c.name}: the target's content leaked: ${refused.message}`);
  }
  for (const out of ["quantized_models", "models", "mlx_models"]) {
    const folder = path.join(home, out);
    if (!fs.existsSync(folder)) continue;
    for (const f of fs.readdirSync(folder)) assert.ok(!f.endsWith("-out") && !f.includes("-out."), `no output ${f}`);
  }
  assert.ok(!d.output().includes(SECRET), "the secret is not in the daemon's log either");
});
