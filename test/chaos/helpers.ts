/**
 * Shared set-up for the fault suites (test/chaos, test/load): job polling through a real daemon, GGUF sources for
 * job kinds that write models, tmpfs mounts for disk-full runs, and process checks. Job kinds are plugged in by a
 * JobKindUnderTest, so a ConvertModel job can reuse every crash and disk test once its body exists.
 */
import { execFileSync, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { CortexClient } from "../../src/cli/client.js";
import type { Job } from "../helpers/jobs.js";
import { requireTool } from "../helpers/require-tool.js";
import { llamaCppSource, makeLlamaGguf, repoRoot } from "../quantize/helpers.js";

export type JobMessage = Job;
export { FINAL_STATES as FINAL } from "../helpers/jobs.js";

export async function getJob(client: CortexClient, id: string): Promise<JobMessage> {
  return client.unary("cortex.v1.JobService", "GetJob", { job_id: id });
}

export { waitFinal, waitJob } from "../helpers/jobs.js";

/**
 * A job kind that writes a model under CORTEX_HOME. `submit` returns the job id; `outputs` lists what a finished
 * job may leave in the output folder. QuantizeModel today; ConvertModel plugs in the same way.
 */
export interface JobKindUnderTest {
  name: string;
  outputDir: (home: string) => string;
  submit: (client: CortexClient, source: string, outputName: string) => Promise<string>;
}

export const QUANTIZE: JobKindUnderTest = {
  name: "QuantizeModel",
  outputDir: (home) => path.join(home, "quantized_models"),
  async submit(client, source, outputName) {
    const r = await client.unary("cortex.v1.JobService", "QuantizeModel", { model: source, type: "Q4_K_M", output_name: outputName, threads: 1 });
    return r.job_id;
  },
};

/**
 * A GGUF for jobs to chew on (K-quant friendly shapes), generated once by gguf-py and cached by its arguments.
 * `size: "slow"` takes a few seconds to quantize on one thread, long enough to kill something mid-way.
 */
export function jobSourceGguf(size: "tiny" | "slow"): { file: string } | { skip: string } {
  const src = llamaCppSource();
  if ("skip" in src) return src;
  const spec = size === "slow" ? { hidden: 1024, ff: 2816, layers: 6, dtype: "f16" as const } : { hidden: 256, ff: 512, layers: 1, dtype: "f16" as const };
  const generator = path.join(repoRoot, "test", "quantize", "python", "make_llama_gguf.py");
  const key = crypto.createHash("sha256").update(JSON.stringify(spec)).update(fs.readFileSync(generator)).digest("hex").slice(0, 12);
  const dir = path.join(os.homedir(), ".cache", "cortexd", "fixtures", `chaos-${size}-${key}`);
  const file = path.join(dir, "model-F16.gguf");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, `model.${process.pid}.tmp`);
    makeLlamaGguf(src.src, tmp, spec);
    fs.renameSync(tmp, file);
  }
  return { file };
}

/** Whether this process can mount a tmpfs (root on Linux); the reason when not. */
export function tmpfsUnavailable(): string | undefined {
  const why = tmpfsProbe();
  return why === undefined ? undefined : requireTool("TMPFS", why) || undefined;
}

function tmpfsProbe(): string | undefined {
  if (process.platform !== "linux") return "tmpfs mounts need Linux";
  if (process.getuid?.() !== 0) return "mounting a tmpfs needs root";
  const probe = fs.mkdtempSync(path.join(os.tmpdir(), "cxm-"));
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", probe], { encoding: "utf8" });
  if (r.status === 0) spawnSync("umount", [probe]);
  fs.rmSync(probe, { recursive: true, force: true });
  return r.status === 0 ? undefined : `cannot mount a tmpfs here: ${(r.stderr || r.error?.message || "").trim()}`;
}

/**
 * A temp dir whose cleanup first unmounts whatever a test mounted inside it (deepest first), then removes it.
 * (node:test runs after-hooks in registration order, so a separate unmount hook would come too late.)
 */
export function scratchDir(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cxc-"));
  t.after(() => {
    const mounts = fs.readFileSync("/proc/mounts", "utf8").split("\n").map((l) => l.split(" ")[1] ?? "").filter((m) => m.startsWith(dir + "/"));
    for (const m of mounts.sort((a, b) => b.length - a.length)) spawnSync("umount", ["-l", m]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Mounts a tmpfs of `size` (e.g. "8m") on `dir` (created); `dir` must lie in a scratchDir, which unmounts it. */
export function mountTmpfs(dir: string, size: string, opts: string[] = []): void {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync("mount", ["-t", "tmpfs", "-o", [`size=${size}`, "mode=0700", ...opts].join(","), "tmpfs", dir]);
}

/** Fills a filesystem until `leaveBytes` remain free, with one file; returns its path. */
export function fillDisk(dir: string, leaveBytes: number): string {
  const file = path.join(dir, ".filler");
  const free = fs.statfsSync(dir).bavail * fs.statfsSync(dir).bsize;
  const want = Math.max(0, free - leaveBytes);
  const fd = fs.openSync(file, "w");
  const chunk = Buffer.alloc(1 << 20, 1);
  for (let written = 0; written < want; ) {
    const n = Math.min(chunk.length, want - written);
    written += fs.writeSync(fd, chunk, 0, n);
  }
  fs.closeSync(fd);
  return file;
}

/** Pids of live (non-zombie) processes whose command line contains `needle`. */
export function processesMatching(needle: string): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      if (cmd.includes(needle) && stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z") out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Live descendants of `pid` with their command lines (children first). */
export function descendants(pid: number): { pid: number; cmd: string }[] {
  const procs: { pid: number; ppid: number; cmd: string }[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z") continue;
      procs.push({ pid: Number(entry), ppid: Number(fields[1]), cmd: fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ").trim() });
    } catch {
      // gone meanwhile
    }
  }
  const out: { pid: number; cmd: string }[] = [];
  const visit = (p: number) => {
    for (const c of procs.filter((x) => x.ppid === p)) {
      out.push({ pid: c.pid, cmd: c.cmd });
      visit(c.pid);
    }
  };
  visit(pid);
  return out;
}

/** Every file under `dir` (relative paths), links not followed. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  if (fs.existsSync(dir)) walk(dir, "");
  return out.sort();
}

/** Manifests under home whose files are missing (each "manifest → file"). */
export function danglingManifests(home: string): string[] {
  const dir = path.join(home, "manifests");
  const bad: string[] = [];
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    if (!f.endsWith(".manifest.json")) continue;
    const m = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { paths: string[]; provenance?: { files?: { path: string }[] } };
    for (const p of m.paths) if (!fs.existsSync(p)) bad.push(`${f} → ${p}`);
    const base = m.paths[0]!.toLowerCase().endsWith(".gguf") ? path.dirname(m.paths[0]!) : m.paths[0]!;
    for (const file of m.provenance?.files ?? []) {
      const p = path.join(base, file.path);
      if (!fs.existsSync(p)) bad.push(`${f} → ${p}`);
    }
  }
  return bad;
}
