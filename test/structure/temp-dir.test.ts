import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { holdDir, removeDir, tempDir } from "../helpers/temp-dir.js";

// A writer that keeps (re)creating files under the dir, as a daemon's log and Redis do until it is stopped. Bounded
// (500 names, 60 s) so that a failing cleanup cannot fill the disk.
const WRITER = `const fs=require("fs"),p=require("path");const d=process.argv[1];let i=0;setInterval(()=>{for(let k=0;k<50;k++)try{fs.writeFileSync(p.join(d,"f"+(i++%500)),"x")}catch{}},1);setTimeout(()=>process.exit(0),60000)`;

test("tempDir's cleanup stops a process still writing in the dir before removing it, though the test's own stop hook comes later", async () => {
  const hooks: (() => Promise<unknown>)[] = [];
  const t = { after: (fn: () => Promise<unknown>) => void hooks.push(fn) };
  const dir = tempDir(t);
  const home = path.join(dir, "h", "logs");
  fs.mkdirSync(home, { recursive: true });
  const proc = spawn(process.execPath, ["-e", WRITER, home], { stdio: "ignore" });
  const exited = new Promise((r) => proc.once("exit", r));
  const stop = () => (proc.kill("SIGTERM"), exited);
  holdDir(path.join(dir, "h"), proc, stop);
  t.after(stop); // as tests register `d.stop()`: after tempDir's removal, since hooks run in registration order
  while (fs.readdirSync(home).length < 100) await sleep(10);
  for (const h of hooks) await h();
  assert.equal(fs.existsSync(dir), false, "the dir is gone");
  assert.notEqual(proc.exitCode ?? proc.signalCode, null, "the writer was stopped");
});

test("a held process that ignores its stop is killed after the bound, and the dir still goes", async (t) => {
  const dir = tempDir(t);
  const proc = spawn(process.execPath, ["-e", WRITER, dir], { stdio: "ignore" });
  holdDir(dir, proc, () => new Promise(() => {})); // never settles, like a SIGSTOPped daemon's SIGTERM
  while (fs.readdirSync(dir).length < 100) await sleep(10);
  const started = Date.now();
  await removeDir(dir, 1_000);
  assert.equal(fs.existsSync(dir), false);
  assert.equal(proc.signalCode, "SIGKILL");
  assert.ok(Date.now() - started >= 990, "it was given its bound first");
});
