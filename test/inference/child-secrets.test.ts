import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { homePaths } from "../../src/config/paths.js";
import { jobWorkerEnv } from "../../src/jobs/job-workers.js";
import { WORKER_CONFIG_ENV, type WorkerRuntimeConfig } from "../../src/jobs/worker-config.js";
import { copyModel, tinyModel, tinyModelsUnavailable } from "../fixtures/tiny-models.js";
import { startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { stream } from "./inference-client.js";

const HF_SECRET = "hf_secretvalue_0123456789";
const LEGACY_SECRET = "hf_legacysecret_9876543210";
const CORTEX_SECRET = "cortex-secret-token-abcdef-0123456789";

/** Every process below `pid`, by walking /proc (Linux). */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

test("runners and the embedded Redis get no HF_TOKEN, HUGGING_FACE_HUB_TOKEN or CORTEX_TOKEN", { skip: tinyModelsUnavailable() ?? (process.platform !== "linux" ? "reads /proc" : undefined) }, async (t) => {
  const home = path.join(tempDir(t, "cxs"), "h");
  copyModel(tinyModel(), homePaths(home).models, "tiny.gguf");
  const d = await startDaemon(home, { args: ["--listen", "127.0.0.1:0"], env: { HF_TOKEN: HF_SECRET, HUGGING_FACE_HUB_TOKEN: LEGACY_SECRET, CORTEX_TOKEN: CORTEX_SECRET, CORTEX_THREADS: "1" } });
  t.after(() => d.stop());
  const r = await stream(d.client, "Generate", { model: "tiny.gguf", prompt: "the cat", sampling: { temperature: 0, max_tokens: 2 } });
  assert.equal(r.stats.generated_tokens, 2);
  const kids = descendants(d.proc.pid!);
  const cmdline = (pid: number) => fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  assert.ok(kids.some((p) => /inference-runner/.test(cmdline(p))), `a runner among ${kids.map(cmdline).join(" | ")}`);
  assert.ok(kids.some((p) => /redis-server/.test(cmdline(p))), "the embedded Redis");
  for (const pid of kids) {
    let environ: string;
    try {
      environ = fs.readFileSync(`/proc/${pid}/environ`, "utf8");
    } catch {
      continue; // exited meanwhile
    }
    const names = environ.split("\0").map((kv) => kv.slice(0, kv.indexOf("=")));
    for (const secret of ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "CORTEX_TOKEN"]) assert.ok(!names.includes(secret), `${cmdline(pid)} has ${secret}`);
    for (const value of [HF_SECRET, LEGACY_SECRET, CORTEX_SECRET]) assert.ok(!environ.includes(value), `${cmdline(pid)} holds a secret value`);
  }
});

test("job workers: only the downloads queue gets the Hub token (inside its runtime config); none gets the secret variables", () => {
  const runtime = { hfToken: HF_SECRET, hfHubCache: "/c" } as WorkerRuntimeConfig;
  const env = { PATH: "/usr/bin", HF_TOKEN: HF_SECRET, HUGGING_FACE_HUB_TOKEN: LEGACY_SECRET, CORTEX_TOKEN: CORTEX_SECRET, CORTEX_REDIS_URL: "redis://:pw@host:6379", HF_HOME: "/h" };
  for (const queue of ["downloads", "conversions", "quantizations"] as const) {
    const e = jobWorkerEnv(queue, runtime, env);
    for (const k of ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "CORTEX_TOKEN", "CORTEX_REDIS_URL"]) assert.equal(e[k], undefined, `${queue}: ${k}`);
    assert.equal(e.PATH, "/usr/bin");
    assert.equal(e.HF_HOME, "/h");
    const cfg = JSON.parse(e[WORKER_CONFIG_ENV]!) as WorkerRuntimeConfig;
    assert.equal(cfg.hfToken, queue === "downloads" ? HF_SECRET : "", queue);
  }
});
