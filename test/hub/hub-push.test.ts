import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { pushToHub } from "../../src/hub/hub-push.js";
import { tempDir } from "../helpers/temp-dir.js";
import { startHub } from "./hub-fixtures.js";
import { OTHER_TOKEN, randomBytes, TEST_TOKEN } from "./loopback-hub.js";

const sha = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");

function folder(t: { after: (fn: () => void) => void }) {
  const dir = tempDir(t, "push");
  const a = randomBytes(300 * 1024);
  const b = randomBytes(200 * 1024);
  fs.writeFileSync(path.join(dir, "model-Q4_0.gguf"), a);
  fs.mkdirSync(path.join(dir, "sub"));
  fs.writeFileSync(path.join(dir, "sub", "model-Q8_0.gguf"), b);
  fs.writeFileSync(path.join(dir, "README.md"), "# card\n");
  return { dir, a, b };
}

test("a push interrupted mid-upload resumes sending only what the Hub lacks; one commit; a marker's commit is never made twice", async (t) => {
  const hub = await startHub(t, {});
  const { dir, a, b } = folder(t);
  hub.write.failPuts.set(sha(b), 1);
  const base = { repo: "me/tiny-gguf", branch: "main", hubUrl: hub.url, token: TEST_TOKEN, folder: dir, title: "cortexd quantize (job j-1)", marker: "j-1" };
  await assert.rejects(pushToHub(base), (e: Error & { code?: string; retryable?: boolean }) => e.code === "HUB_UNAVAILABLE" && e.retryable === true && !e.message.includes(TEST_TOKEN));
  assert.deepEqual(hub.write.lfsPuts, [sha(a)], "the first file reached the Hub before the failure");
  assert.equal(hub.write.commitLog["me/tiny-gguf"]?.length ?? 0, 0, "nothing committed by the failed push");

  const r = await pushToHub(base);
  assert.equal(r.uploaded, 1, "the resumed push sends only the missing file");
  assert.deepEqual(hub.write.lfsPuts, [sha(a), sha(b)]);
  assert.deepEqual(r.files, ["README.md", "model-Q4_0.gguf", "sub/model-Q8_0.gguf"]);
  const log = hub.write.commitLog["me/tiny-gguf"]!;
  assert.equal(log.length, 1);
  assert.equal(log[0]!.id, r.commit);
  assert.equal(hub.commitOf("me/tiny-gguf"), r.commit);
  const files = hub.repos["me/tiny-gguf"]!.files;
  assert.ok(files["model-Q4_0.gguf"]!.data.equals(a) && files["sub/model-Q8_0.gguf"]!.data.equals(b));
  assert.equal(files["README.md"]!.data.toString(), "# card\n");

  // The same job again (its worker died after committing): the marker's commit answers, nothing is sent.
  const again = await pushToHub(base);
  assert.equal(again.alreadyPublished, true);
  assert.equal(again.commit, r.commit);
  assert.equal(hub.write.commitLog["me/tiny-gguf"]!.length, 1);
  assert.equal(hub.write.lfsPuts.length, 2);
});

test("a push without a token is HUB_UNAUTHENTICATED, with a token that may not write HUB_PERMISSION_DENIED; neither is retried nor shows the token", async (t) => {
  const hub = await startHub(t, {});
  const { dir } = folder(t);
  const base = { repo: "me/x", branch: "main", hubUrl: hub.url, folder: dir, title: "t" };
  await assert.rejects(pushToHub({ ...base, token: "" }), (e: Error & { code?: string; retryable?: boolean }) => e.code === "HUB_UNAUTHENTICATED" && e.retryable === false);
  assert.equal(hub.requests.length, 0, "nothing sent without a token");
  await assert.rejects(pushToHub({ ...base, token: OTHER_TOKEN }), (e: Error & { code?: string; retryable?: boolean }) => e.code === "HUB_PERMISSION_DENIED" && e.retryable === false && !e.message.includes(OTHER_TOKEN));
  await assert.rejects(pushToHub({ ...base, token: "hf_wrong_token_000000" }), (e: Error & { code?: string }) => e.code === "HUB_UNAUTHENTICATED" && !e.message.includes("hf_wrong_token_000000"));
  assert.equal(hub.repos["me/x"], undefined);
});
