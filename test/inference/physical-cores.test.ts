import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { physicalCoreCount } from "../../src/platform/physical-cores.js";
import { tempDir } from "../helpers/temp-dir.js";

function fakeSys(root: string, cpus: [pkg: number, core: number, online?: boolean][]): void {
  cpus.forEach(([pkg, core, online], i) => {
    const dir = path.join(root, `cpu${i}`, "topology");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "physical_package_id"), `${pkg}\n`);
    fs.writeFileSync(path.join(dir, "core_id"), `${core}\n`);
    if (online !== undefined) fs.writeFileSync(path.join(root, `cpu${i}`, "online"), online ? "1\n" : "0\n");
  });
}

test("default threads count real cores: hyper-threads of one core count once, offline CPUs not at all", (t) => {
  const allowed = os.availableParallelism();
  const ht = tempDir(t);
  fakeSys(ht, [[0, 0], [0, 0]]);
  assert.equal(physicalCoreCount({ platform: "linux", sysRoot: ht }), 1);
  const offline = tempDir(t);
  fakeSys(offline, [[0, 0], [0, 1, false]]);
  assert.equal(physicalCoreCount({ platform: "linux", sysRoot: offline }), 1);
  const many = tempDir(t);
  fakeSys(many, Array.from({ length: 64 }, (_, i) => [Math.floor(i / 32), i % 32] as [number, number]));
  assert.equal(physicalCoreCount({ platform: "linux", sysRoot: many }), Math.min(64, allowed), "never more than the CPUs we may run on");
  assert.equal(physicalCoreCount({ platform: "linux", sysRoot: path.join(many, "missing") }), allowed, "unknown topology: the allowed CPUs");
});

test("on macOS the performance cores (Apple Silicon), else the physical cores", () => {
  const allowed = os.availableParallelism();
  const mac = (values: Record<string, string>) => physicalCoreCount({ platform: "darwin", sysctl: (n) => values[n] });
  assert.equal(mac({ "hw.perflevel0.physicalcpu": "1", "hw.physicalcpu": "10" }), 1);
  assert.equal(mac({ "hw.physicalcpu": "1" }), 1);
  assert.equal(mac({}), allowed);
});
