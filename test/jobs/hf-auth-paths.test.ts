import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { CortexClient } from "../../src/cli/client.js";
import { startDaemon } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";
import { LoopbackHub, OTHER_TOKEN, TEST_TOKEN } from "../hub/loopback-hub.js";

interface Job {
  state: string;
  error_code: string;
  error_message: string;
  result_json: string;
}

async function pull(client: CortexClient, repo: string): Promise<Job> {
  const { job_id } = await client.unary("cortex.v1.JobService", "PullModel", { repo });
  for (let i = 0; ; i++) {
    const j = await client.unary("cortex.v1.JobService", "GetJob", { job_id });
    if (["JOB_STATE_COMPLETED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"].includes(j.state)) return j;
    assert.ok(i < 600, `pull of ${repo} still ${j.state}`);
    await sleep(100);
  }
}

/** Every HF variable cleared: each case sets exactly what a user's shell would. */
const CLEAN = { HF_TOKEN: "", HUGGING_FACE_HUB_TOKEN: "", HF_TOKEN_PATH: "", HF_HOME: "", HF_HUB_CACHE: "", HUGGINGFACE_HUB_CACHE: "", XDG_CACHE_HOME: "" };

test("token and cache paths resolve as huggingface_hub resolves them: a cache on a data disk still finds $HF_HOME/token; HF_TOKEN_PATH, the legacy names, and their order", async (t) => {
  const hub = await LoopbackHub.start({ "org/gated": { gated: true, files: { "config.json": { data: Buffer.from("{}\n") } } } });
  t.after(() => hub.close());
  const dir = tempDir(t, "cxh");
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };
  const snapshot = (cache: string) => path.join(cache, "models--org--gated", "snapshots", hub.commitOf("org/gated"), "config.json");
  const cases: { name: string; env: Record<string, string>; cache: string; ok: boolean }[] = [
    // `hf auth login` wrote $HF_HOME/token; the cache lives on a data disk, nowhere near HF_HOME.
    { name: "HF_HOME token, HF_HUB_CACHE elsewhere", env: { HF_HOME: path.join(dir, "a", "hfhome"), HF_HUB_CACHE: path.join(dir, "a", "data", "hub") }, cache: path.join(dir, "a", "data", "hub"), ok: true },
    // HF_TOKEN_PATH names the file; HUGGINGFACE_HUB_CACHE is the legacy name of HF_HUB_CACHE.
    { name: "HF_TOKEN_PATH, HUGGINGFACE_HUB_CACHE", env: { HF_TOKEN_PATH: path.join(dir, "b", "secrets", "hf"), HUGGINGFACE_HUB_CACHE: path.join(dir, "b", "legacy-hub") }, cache: path.join(dir, "b", "legacy-hub"), ok: true },
    // The legacy token variable, and $HF_HOME expanded in HF_HUB_CACHE as Python's os.path.expandvars does.
    { name: "HUGGING_FACE_HUB_TOKEN, $HF_HOME in HF_HUB_CACHE", env: { HUGGING_FACE_HUB_TOKEN: TEST_TOKEN, HF_HOME: path.join(dir, "c"), HF_HUB_CACHE: "$HF_HOME/cache-x" }, cache: path.join(dir, "c", "cache-x"), ok: true },
    // HF_TOKEN comes first: a token without access wins over a good file.
    { name: "HF_TOKEN before the file", env: { HF_TOKEN: OTHER_TOKEN, HF_HOME: path.join(dir, "d", "hfhome"), HF_HUB_CACHE: path.join(dir, "d", "hub") }, cache: path.join(dir, "d", "hub"), ok: false },
  ];
  write(path.join(dir, "a", "hfhome", "token"), `${TEST_TOKEN}\n`);
  write(path.join(dir, "b", "secrets", "hf"), ` ${TEST_TOKEN}\r\n`);
  write(path.join(dir, "d", "hfhome", "token"), TEST_TOKEN);
  for (const c of cases) {
    const home = path.join(dir, `h-${cases.indexOf(c)}`);
    const d = await startDaemon(home, { env: { ...CLEAN, HF_ENDPOINT: hub.url, ...c.env } });
    try {
      const cfg = await d.client.unary("cortex.v1.ModelService", "GetConfig", {});
      assert.equal(JSON.parse(cfg.entries.find((e) => e.key === "hfHubCache")!.value), c.cache, `${c.name}: the cache`);
      const j = await pull(d.client, "org/gated");
      if (c.ok) {
        assert.equal(j.state, "JOB_STATE_COMPLETED", `${c.name}: ${j.error_code} ${j.error_message}`);
        assert.equal(fs.readFileSync(snapshot(c.cache), "utf8"), "{}\n", c.name);
      } else {
        assert.equal(j.error_code, "HUB_GATED", `${c.name}: ${j.error_code} ${j.error_message}`);
      }
      assert.ok(!d.output().includes(TEST_TOKEN), `${c.name}: the token is never logged`);
    } finally {
      await d.stop();
    }
  }
});
