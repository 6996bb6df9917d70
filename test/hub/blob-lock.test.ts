import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { withBlobLock } from "../../src/hub/blob-lock.js";
import { tempDir } from "../helpers/temp-dir.js";
import { filelockMissing, PythonLockHolder } from "./python-filelock.js";

test("holders of one blob lock in a process never overlap, first come first served; the lock file stays", async (t) => {
  const lock = path.join(tempDir(t), ".locks", "models--org--m", "abc.lock");
  let inside = 0;
  let maxInside = 0;
  const order: number[] = [];
  await Promise.all(
    [1, 2, 3].map((i) =>
      withBlobLock(lock, undefined, async () => {
        maxInside = Math.max(maxInside, ++inside);
        await sleep(30);
        order.push(i);
        inside--;
      }),
    ),
  );
  assert.equal(maxInside, 1);
  assert.deepEqual(order, [1, 2, 3], "first come, first served");
  assert.ok(fs.existsSync(lock), "never deleted: another tool may have it open");
});

test("a lock file nobody holds is free at once, whatever it holds (an old pid, nothing, an old mtime)", async (t) => {
  const dir = path.join(tempDir(t), ".locks");
  fs.mkdirSync(dir, { recursive: true });
  const old = new Date(Date.now() - 120_000);
  const files = { "a.lock": String(process.ppid), "b.lock": "", "c.lock": "2147483646" };
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    fs.utimesSync(file, old, old);
    const t0 = Date.now();
    assert.equal(await withBlobLock(file, AbortSignal.timeout(3000), async () => "got it"), "got it", name);
    assert.ok(Date.now() - t0 < 1000, name);
  }
});

test("a lock another process holds is waited for; the wait ends on abort with the signal's reason", async (t) => {
  if (filelockMissing(t)) return;
  const file = path.join(tempDir(t), "held.lock");
  const py = PythonLockHolder.start(file);
  t.after(() => py.close());
  assert.equal(await py.send("hold"), "held");
  const ac = new AbortController();
  const p = withBlobLock(file, ac.signal, async () => "never");
  setTimeout(() => ac.abort(new Error("gave up waiting")), 300);
  await assert.rejects(p, /gave up waiting/);
  assert.equal(await py.send("try"), "busy", "someone else's lock is left alone");

  setTimeout(() => void py.send("release"), 300); // the owner releases it
  assert.equal(await withBlobLock(file, AbortSignal.timeout(5000), async () => "mine"), "mine");
});
