/**
 * Worker-thread entry for OffThreadSha256 (sha256-off-thread.ts): keeps one running sha256 per key, fed in
 * message order, and answers a digest request with every key's hex digest.
 */
import crypto from "node:crypto";
import { parentPort } from "node:worker_threads";

/** @internal */
export type HashMessage = { key: string; bytes: Uint8Array } | { digest: true };

const port = parentPort;
if (!port) throw new Error("hash-worker.js must run in a worker thread");
const hashes = new Map<string, crypto.Hash>();

port.on("message", (msg: HashMessage) => {
  if ("digest" in msg) {
    port.postMessage(Object.fromEntries([...hashes].map(([k, h]) => [k, h.digest("hex")])));
    hashes.clear();
    return;
  }
  let h = hashes.get(msg.key);
  if (!h) hashes.set(msg.key, (h = crypto.createHash("sha256")));
  h.update(msg.bytes);
});
