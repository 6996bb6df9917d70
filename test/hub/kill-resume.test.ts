import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { blobLockHeld } from "../../src/hub/blob-lock.js";
import { partialPath, partsSidecarPath } from "../../src/hub/hf-cache-layout.js";
import { snapshotDownload } from "../../src/hub/snapshot-download.js";
import { tempDir } from "../helpers/temp-dir.js";
import { MiB, modelRepo, sha256, startHub } from "./hub-fixtures.js";

const BIG = "model.safetensors";
const child = fileURLToPath(new URL("./pull-child.js", import.meta.url));

test("kill -9 of a pulling process: the next pull keeps its parts and re-fetches at most one part; the dead owner's lock is free", async (t) => {
  const size = 64 * MiB;
  const hub = await startHub(t, { "org/model": modelRepo(size) });
  hub.faults.set(BIG, { throttle: 8 * MiB }); // 32 MiB/s over 4 parts
  const cache = tempDir(t);
  const opts = { repo: "org/model", revision: "main", cacheDir: cache, hubUrl: hub.url, partsPerFile: 4, minPartBytes: MiB }; // 16 MiB parts
  const proc = spawn(process.execPath, [child, JSON.stringify(opts)], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<NodeJS.Signals | null>((r) => proc.once("exit", (_code, signal) => r(signal)));
  let seen = 0;
  for await (const line of readline.createInterface({ input: proc.stdout! })) {
    if (line === "DONE") break;
    const p = JSON.parse(line) as { done: number; total: number };
    seen = p.done - (p.total - size); // the big file's bytes at least (the small files may be counted already)
    if (seen > 24 * MiB) {
      proc.kill("SIGKILL");
      break;
    }
  }
  assert.equal(await exited, "SIGKILL", "the child was killed mid-download");
  const blob = path.join(cache, "models--org--model", "blobs", sha256(hub.repos["org/model"]!.files[BIG]!.data));
  assert.ok(fs.existsSync(partialPath(blob)), "the partial file survived");
  assert.equal(fs.existsSync(blob), false);
  const lockDir = path.join(cache, ".locks", "models--org--model");
  const lockFile = path.join(lockDir, fs.readdirSync(lockDir)[0]!);
  assert.equal(blobLockHeld(lockFile), false, "the kernel released the dead process's flock with it");
  const servedBeforeKill = hub.bytesServed(BIG);
  const sidecar = JSON.parse(fs.readFileSync(partsSidecarPath(blob), "utf8")) as { parts: { start: number; next: number }[] };
  const saved = sidecar.parts.reduce((n, p) => n + p.next - p.start, 0);

  hub.faults.delete(BIG);
  const r = await snapshotDownload(opts);
  assert.deepEqual(fs.readFileSync(path.join(r.snapshotPath, BIG)), hub.repos["org/model"]!.files[BIG]!.data);
  const refetched = hub.bytesServed(BIG) - size;
  t.diagnostic(`child saw ${(seen / MiB).toFixed(1)} MiB, server sent ${(servedBeforeKill / MiB).toFixed(1)} MiB before kill -9, ${(saved / MiB).toFixed(1)} MiB recorded as on disk; re-fetched ${(refetched / MiB).toFixed(2)} MiB; one part = 16 MiB`);
  assert.ok(servedBeforeKill > 24 * MiB, "the kill came mid-file");
  assert.ok(refetched <= 16 * MiB, `re-fetched ${(refetched / MiB).toFixed(1)} MiB`);
  assert.ok(fs.readdirSync(lockDir).every((f) => !blobLockHeld(path.join(lockDir, f))), "every lock released");
});
