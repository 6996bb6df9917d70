import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ROOT } from "../helpers/daemon.js";
import { REQUIRED_TOOLS } from "../helpers/require-tool.js";

function sources(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

test("CI sets CORTEX_REQUIRE_* for every reference tool a test may skip without, so there a missing tool fails", () => {
  const ci = fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8");
  const exported = new Set([...ci.matchAll(/CORTEX_REQUIRE_([A-Z_]+)=1/g)].map((m) => m[1]!));
  assert.deepEqual(REQUIRED_TOOLS.filter((t) => !exported.has(t)), [], ".ci/run must export these");
  const used = new Set<string>();
  for (const file of sources(path.join(ROOT, "test"))) {
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(/requireTool\("([A-Z_]+)"/g)) used.add(m[1]!);
    for (const m of text.matchAll(/CORTEX_REQUIRE_([A-Z][A-Z_]+)\b/g)) if (!file.endsWith("require-tool.ts") && !file.endsWith("require-tools.test.ts")) used.add(m[1]!);
  }
  assert.deepEqual([...used].filter((u) => !(REQUIRED_TOOLS as readonly string[]).includes(u)), [], "names used in test/ but missing from REQUIRED_TOOLS");
});
