import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { makeHfCheckpoint } from "../test/fixtures/make-hf-checkpoint.js";
import { startDaemon, type RunningDaemon } from "../test/helpers/daemon.js";
import type { Benchmark } from "./harness.js";
import type { Job__Output } from "../src/grpc/generated/cortex/v1/Job.js";
import type { JobHandle__Output } from "../src/grpc/generated/cortex/v1/JobHandle.js";

const run = promisify(execFile);
const THREADS = os.availableParallelism();
/** Hidden 2048 × 12 layers, 32k vocab: ~670 M parameters, a 1.35 GB F16 GGUF (the issue asks for ≥ 1 GiB). */
const SHAPE = { hiddenSize: 2048, intermediateSize: 5632, numLayers: 12, numHeads: 16, numKvHeads: 4, vocabSize: 32000, dtype: "bf16" as const };

type Job = Job__Output;

/** llama-quantize from test/tools/build-llama-tools.sh (built from node-llama-cpp's bundled llama.cpp). */
async function llamaQuantize(): Promise<string> {
  const script = path.resolve("test/tools/build-llama-tools.sh");
  const { stdout } = await run("bash", [script, "--print"]).catch(() => ({ stdout: "" }));
  const bin = /llama-quantize: (.+)/.exec(stdout)?.[1]?.trim();
  if (!bin) throw new Error(`llama-quantize is not built: run ${script}`);
  return bin;
}

function rssOf(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** The process and its descendants, without the embedded redis-server (it is not part of the work measured). */
function treeRss(pid: number): number {
  let total = rssOf(pid);
  let children: number[] = [];
  try {
    children = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // gone
  }
  for (const c of children) {
    const comm = fs.existsSync(`/proc/${c}/comm`) ? fs.readFileSync(`/proc/${c}/comm`, "utf8").trim() : "";
    if (!comm.startsWith("redis")) total += treeRss(c);
  }
  return total;
}

/** Peak RSS of a process tree while `fn` runs, sampled every 50 ms. */
async function withPeak<T>(pid: () => number | undefined, fn: () => Promise<T>): Promise<{ value: T; peak: number }> {
  let peak = 0;
  const timer = setInterval(() => {
    const p = pid();
    if (p) peak = Math.max(peak, treeRss(p));
  }, 50);
  try {
    return { value: await fn(), peak };
  } finally {
    clearInterval(timer);
  }
}

async function job(d: RunningDaemon, submitted: Promise<JobHandle__Output>): Promise<Job> {
  const { job_id } = await submitted;
  for (;;) {
    const j = await d.client.unary("cortex.v1.JobService", "GetJob", { job_id });
    if (j.state === "JOB_STATE_COMPLETED") return j;
    if (j.state === "JOB_STATE_FAILED" || j.state === "JOB_STATE_CANCELLED") throw new Error(`job ${job_id}: ${j.error_code}: ${j.error_message}`);
    await sleep(50);
  }
}

/** llama-quantize as a child, its own RSS sampled like cortexd's process tree. */
async function runTool(bin: string, args: string[]): Promise<number> {
  const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr!.on("data", (b: Buffer) => (err = (err + b.toString()).slice(-2000)));
  const { peak } = await withPeak(() => child.pid, () => new Promise<void>((resolve, reject) => child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${bin} exited ${code}: ${err}`))))));
  return peak;
}

interface Fixture { dir: string; d: RunningDaemon; ckpt: string; f16: string; bin: string; peaks: Record<string, number> }
let shared: Promise<Fixture> | undefined;
let users = 0;

/** One checkpoint, its F16 GGUF and a daemon, shared by the quantize benchmarks of one run. */
function fixture(): Promise<Fixture> {
  users++;
  shared ??= (async () => {
    const bin = await llamaQuantize();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cxb-q-"));
    const d = await startDaemon(path.join(dir, "h"), { env: { CORTEX_LOG_LEVEL: "warn", CORTEX_THREADS: String(THREADS) } });
    const ckpt = path.join(dir, "h", "models", "bench-llama");
    await makeHfCheckpoint(ckpt, SHAPE);
    const f16 = JSON.parse((await job(d, d.client.unary("cortex.v1.JobService", "ConvertModel", { source: "bench-llama", target: "TARGET_FORMAT_GGUF", outtype: "f16" }))).result_json).path as string;
    console.log(`  fixture: ${path.basename(f16)} ${(fs.statSync(f16).size / 1e9).toFixed(2)} GB, ${THREADS} threads on both sides`);
    return { dir, d, ckpt, f16, bin, peaks: {} };
  })();
  return shared;
}

async function release(f: Fixture): Promise<void> {
  const mb = (n: number | undefined) => `${((n ?? 0) / 1e6).toFixed(0)} MB`;
  console.log(`  peak RSS: ${Object.entries(f.peaks).map(([k, v]) => `${k} ${mb(v)}`).join(", ")}`);
  f.peaks = {};
  if (--users > 0) return;
  await f.d.stop();
  fs.rmSync(f.dir, { recursive: true, force: true });
  shared = undefined;
}

/**
 * GGUF F16 → TYPE: cortexd's QuantizeModel job (daemon → worker → llama_model_quantize) vs llama-quantize. Every
 * round writes the same output, as llama-quantize does: the jobs say `overwrite` (else the second is REG_EXISTS).
 */
function quantizeBench(type: "Q4_K_M" | "Q8_0"): Benchmark {
  return {
    name: `quantize-${type.toLowerCase()}`,
    description: `F16 GGUF (~1.35 GB) → ${type}: cortexd QuantizeModel job vs llama-quantize (same llama.cpp commit, same threads), wall time`,
    async setup() {
      const f = await fixture();
      const out = path.join(f.dir, `ref-${type}.gguf`);
      return {
        rounds: 3,
        cortexd: {
          label: `cortex quantize ${type} (job: daemon + worker process)`,
          run: async () => {
            const { peak } = await withPeak(() => f.d.proc.pid, () => job(f.d, f.d.client.unary("cortex.v1.JobService", "QuantizeModel", { model: f.f16, type, overwrite: true })));
            f.peaks.cortexd = Math.max(f.peaks.cortexd ?? 0, peak);
          },
        },
        reference: {
          label: `llama-quantize ${type} ${THREADS}`,
          run: async () => {
            f.peaks["llama-quantize"] = Math.max(f.peaks["llama-quantize"] ?? 0, await runTool(f.bin, [f.f16, out, type, String(THREADS)]));
          },
        },
        teardown: () => release(f),
      };
    },
  };
}

export const quantizeQ4km = quantizeBench("Q4_K_M");
export const quantizeQ8 = quantizeBench("Q8_0");

/** SafeTensors → Q4_K_M: one pass (cortexd's default) vs two passes (convert to F16, then llama-quantize). */
export const convertOnePass: Benchmark = {
  name: "convert-one-pass",
  description: "SafeTensors (bf16, ~1.35 GB) → Q4_K_M GGUF: cortexd one pass vs two passes (cortexd convert to F16, then llama-quantize), wall time",
  async setup() {
    const f = await fixture();
    const mid = path.join(f.dir, "two-pass-F16.gguf");
    const out = path.join(f.dir, "two-pass-Q4_K_M.gguf");
    return {
      rounds: 3,
      cortexd: {
        label: "cortex convert --outtype Q4_K_M (one pass)",
        run: async () => {
          const { peak } = await withPeak(() => f.d.proc.pid, () => job(f.d, f.d.client.unary("cortex.v1.JobService", "ConvertModel", { source: "bench-llama", target: "TARGET_FORMAT_GGUF", outtype: "Q4_K_M", output_name: "one-pass", overwrite: true })));
          f.peaks["one pass"] = Math.max(f.peaks["one pass"] ?? 0, peak);
        },
      },
      reference: {
        label: "convert to F16 + llama-quantize Q4_K_M (two passes)",
        run: async () => {
          const { peak } = await withPeak(() => f.d.proc.pid, () => job(f.d, f.d.client.unary("cortex.v1.JobService", "ConvertModel", { source: "bench-llama", target: "TARGET_FORMAT_GGUF", outtype: "f16", output_name: "two-pass", overwrite: true })));
          fs.renameSync(path.join(f.dir, "h", "models", "two-pass-F16.gguf"), mid);
          const tool = await runTool(f.bin, [mid, out, "Q4_K_M", String(THREADS)]);
          f.peaks["two passes"] = Math.max(f.peaks["two passes"] ?? 0, peak, tool);
          fs.rmSync(mid, { force: true });
        },
      },
      teardown: () => release(f),
    };
  },
};
