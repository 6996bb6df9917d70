import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { withBlobLock } from "../../src/hub/blob-lock.js";
import { tempDir } from "../helpers/temp-dir.js";

test("holders of one blob lock in a process never overlap, and the lock file is gone afterwards", async (t) => {
  const lock = path.join(tempDir(t), ".locks", "models--org--m", "abc.lock");
  let inside = 0;
  let maxInside = 0;
  const order: number[] = [];
  await Promise.all(
    [1, 2, 3].map((i) =>
      withBlobLock(lock, undefined, async () => {
        maxInside = Math.max(maxInside, ++inside);
        assert.equal(fs.readFileSync(lock, "utf8"), String(process.pid));
        await sleep(30);
        order.push(i);
        inside--;
      }),
    ),
  );
  assert.equal(maxInside, 1);
  assert.deepEqual(order, [1, 2, 3], "first come, first served");
  assert.equal(fs.existsSync(lock), false);
});

test("stale locks are taken over: dead pid, empty file (huggingface_hub's), a live pid untouched for a minute", async (t) => {
  const dir = path.join(tempDir(t), ".locks");
  fs.mkdirSync(dir, { recursive: true });
  const cases: [string, () => void][] = [
    ["dead pid", () => fs.writeFileSync(path.join(dir, "a.lock"), "2147483646")],
    ["empty", () => fs.writeFileSync(path.join(dir, "b.lock"), "")],
    ["old", () => {
      fs.writeFileSync(path.join(dir, "c.lock"), String(process.ppid));
      const old = new Date(Date.now() - 120_000);
      fs.utimesSync(path.join(dir, "c.lock"), old, old);
    }],
  ];
  for (const [name, make] of cases) {
    make();
    const file = path.join(dir, `${name === "dead pid" ? "a" : name === "empty" ? "b" : "c"}.lock`);
    const t0 = Date.now();
    assert.equal(await withBlobLock(file, AbortSignal.timeout(3000), async () => "got it"), "got it", name);
    assert.ok(Date.now() - t0 < 1000, name);
  }
});

test("a lock held by a live process is waited for; the wait ends on abort with the signal's reason", async (t) => {
  const file = path.join(tempDir(t), "held.lock");
  fs.writeFileSync(file, String(process.ppid)); // alive, and fresh
  const ac = new AbortController();
  const p = withBlobLock(file, ac.signal, async () => "never");
  setTimeout(() => ac.abort(new Error("gave up waiting")), 300);
  await assert.rejects(p, /gave up waiting/);
  assert.equal(fs.readFileSync(file, "utf8"), String(process.ppid), "someone else's lock is left alone");

  setTimeout(() => fs.rmSync(file), 300); // the owner releases it
  assert.equal(await withBlobLock(file, AbortSignal.timeout(5000), async () => "mine"), "mine");
});
