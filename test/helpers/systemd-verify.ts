import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { TestContext } from "node:test";

/**
 * Writes `unit` to `dir/name` and checks it with systemd's own verifier: no complaint naming the unit, and a copy
 * with a broken directive is flagged (so the verifier is live, not silently passing). Skips where systemd-analyze
 * cannot start a user manager (containers). Returns false when skipped.
 */
export function assertSystemdVerifies(t: TestContext, dir: string, name: string, unit: string): boolean {
  const file = path.join(dir, name);
  fs.writeFileSync(file, unit);
  const runtime = path.join(dir, "run");
  fs.mkdirSync(runtime, { mode: 0o700, recursive: true });
  const verify = () => {
    const r = spawnSync("systemd-analyze", ["verify", "--user", file], { encoding: "utf8", env: { ...process.env, XDG_RUNTIME_DIR: runtime } });
    return { ...r, complaints: `${r.stdout}${r.stderr}`.split("\n").filter((l) => l.includes(name)) };
  };
  const r = verify();
  if (r.error || /Failed to initialize manager/.test(r.stderr)) {
    t.skip(`systemd-analyze unusable here: ${r.error?.message ?? r.stderr.trim()}`);
    return false;
  }
  assert.deepEqual(r.complaints, []);
  assert.equal(r.status, 0);
  assert.match(unit, /^Restart=on-failure$/m);
  fs.writeFileSync(file, unit.replace(/^Restart=on-failure$/m, "Restart=sometimes"));
  assert.ok(verify().complaints.length > 0, "systemd-analyze flags a bad directive");
  return true;
}
