import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { blobLockHeld } from "../../src/hub/blob-lock.js";
import { LoopbackHub, randomBytes, TEST_TOKEN, OTHER_TOKEN, type HubOptions, type HubRepo } from "./loopback-hub.js";

export const MiB = 1024 * 1024;
const memo = new WeakMap<Buffer, string>();
/** sha256 hex, memoised per buffer (test files are hashed often). */
export function sha256(b: Buffer): string {
  let h = memo.get(b);
  if (h === undefined) memo.set(b, (h = crypto.createHash("sha256").update(b).digest("hex")));
  return h;
}
export const gitSha1 = (b: Buffer) => crypto.createHash("sha1").update(`blob ${b.length}\0`).update(b).digest("hex");

/** A small model repo: two JSON files (one in a folder), a README and an LFS weights file. */
export function modelRepo(bigBytes = 3 * MiB, extra: Partial<HubRepo> = {}): HubRepo {
  return {
    files: {
      "config.json": { data: Buffer.from('{"architectures":["LlamaForCausalLM"]}\n') },
      "tokenizer/tokenizer.json": { data: Buffer.from('{"model":{}}\n') },
      "model.safetensors": { data: randomBytes(bigBytes), lfs: true },
      "README.md": { data: Buffer.from("# hi\n") },
    },
    ...extra,
  };
}

export async function startHub(t: { after: (fn: () => Promise<void>) => void }, repos: Record<string, HubRepo>, opts: HubOptions = {}): Promise<LoopbackHub> {
  const hub = await LoopbackHub.start(repos, opts);
  t.after(() => hub.close());
  return hub;
}

/** An assert.rejects/throws validator: the code, a message pattern, and no token anywhere in the message. */
export function hubErr(code: string, re: RegExp) {
  return (e: Error & { code?: string }) => {
    assert.equal(e.code, code, `${e.code}: ${e.message}`);
    assert.match(e.message, re);
    for (const token of [TEST_TOKEN, OTHER_TOKEN, "hf_invalid_token_xyz"]) assert.ok(!e.message.includes(token), `token in message: ${e.message}`);
    assert.ok(!JSON.stringify((e as { details?: unknown }).details ?? {}).includes("hf_"), "token in details");
    return true;
  };
}

/** Blob locks in a cache that some holder still has (flock), by file name; lock files themselves stay. */
export function heldLocks(cache: string): string[] {
  const root = path.join(cache, ".locks");
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).flatMap((repo) => fs.readdirSync(path.join(root, repo)).filter((f) => blobLockHeld(path.join(root, repo, f))));
}
