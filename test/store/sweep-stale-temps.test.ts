import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { sweepStaleTemps } from "../../src/store/sweep-stale-temps.js";
import { tempDir } from "../helpers/temp-dir.js";

test("stale temporary files of dead writers are removed; a live writer's file, models and other names stay", (t) => {
  const dir = tempDir(t);
  const dead = 2 ** 22 + 12345; // above Linux's default pid_max: never a live process
  fs.mkdirSync(path.join(dir, "mlx", "m"), { recursive: true });
  const files = {
    deadAtomic: path.join(dir, `a.gguf.tmp-${dead}`),
    deadQuant: path.join(dir, `b.gguf.tmp-${dead}-3`),
    deadNested: path.join(dir, "mlx", "m", `model.safetensors.tmp-${dead}`),
    live: path.join(dir, `c.gguf.tmp-${process.pid}-1`),
    model: path.join(dir, "d.gguf"),
    other: path.join(dir, "notes.tmp"),
  };
  for (const f of Object.values(files)) fs.writeFileSync(f, "x");
  const removed = sweepStaleTemps([dir]).sort();
  assert.deepEqual(removed, [files.deadAtomic, files.deadQuant, files.deadNested].sort());
  for (const f of [files.live, files.model, files.other]) assert.ok(fs.existsSync(f), f);
  fs.writeFileSync(files.deadQuant, "x");
  assert.deepEqual(sweepStaleTemps([dir], { prefix: "a.gguf.tmp-", maxDepth: 0 }), [], "the prefix limits the sweep");
  assert.deepEqual(sweepStaleTemps([dir], { prefix: "b.gguf.tmp-", maxDepth: 0 }), [files.deadQuant]);
});

// #20 item 7: a killed MLX or fuse job left its `.name.tmp-<pid>` folder, and a killed conversion its staging file,
// for ever (only files were swept, and the staging name had no pid).
test("stale temporary folders (MLX, fuse) and conversion staging files of dead writers are swept; live ones stay", (t) => {
  const dir = tempDir(t);
  const dead = 2 ** 22 + 12345;
  const deadFolder = path.join(dir, `.tiny-4bit.tmp-${dead}-1`);
  const liveFolder = path.join(dir, `.tiny-8bit.tmp-${process.pid}-1`);
  const deadStaging = path.join(dir, `tiny-F16.gguf.tmp-${dead}-c`);
  const model = path.join(dir, "tiny-4bit");
  for (const d of [deadFolder, liveFolder, model]) fs.mkdirSync(d);
  fs.writeFileSync(path.join(deadFolder, "model.safetensors"), "x");
  fs.writeFileSync(deadStaging, "x");
  assert.deepEqual(sweepStaleTemps([dir]).sort(), [deadFolder, deadStaging].sort());
  for (const p of [liveFolder, model]) assert.ok(fs.existsSync(p), p);
});
