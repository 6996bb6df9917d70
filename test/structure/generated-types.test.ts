import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ROOT } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";

function tree(dir: string, base = dir, out = new Map<string, string>()): Map<string, string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) tree(p, base, out);
    else out.set(path.relative(base, p), fs.readFileSync(p, "utf8"));
  }
  return out;
}

test("src/grpc/generated is what `npm run gen:proto` makes from proto/ today: regeneration leaves no diff", (t) => {
  const out = path.join(tempDir(t), "generated");
  const r = spawnSync(process.execPath, [path.join(ROOT, ".ci", "gen-proto-types.mjs"), out], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const fresh = tree(out);
  const checkedIn = tree(path.join(ROOT, "src", "grpc", "generated"));
  assert.deepEqual([...checkedIn.keys()].sort(), [...fresh.keys()].sort(), "files: run npm run gen:proto and commit");
  const stale = [...fresh].filter(([f, text]) => checkedIn.get(f) !== text).map(([f]) => f);
  assert.deepEqual(stale, [], "stale generated files: run npm run gen:proto and commit");
});
