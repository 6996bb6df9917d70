import { fork, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { CortexClient } from "../src/cli/client.js";
import { llamaQuantizeFile } from "../src/quantize/llama-quantize-file.js";
import { physicalCoreCount } from "../src/platform/physical-cores.js";
import { tinyModel, type TinyModelOptions } from "../test/fixtures/tiny-models.js";
import { startDaemon, type RunningDaemon } from "../test/helpers/daemon.js";
import { LlamaServer, llamaServerBinary } from "../test/helpers/llama-server.js";
import { formatResult, median, quantile, type BenchResult } from "./harness.js";

/**
 * `npm run bench llama-server`: cortexd (a daemon, gRPC, a runner process, the native engine) against llama.cpp's
 * own server built from the very source node-llama-cpp bundles (test/tools/build-llama-tools.sh), same GGUF, same
 * thread count, greedy, interleaved rounds; each ratio is the median of the rounds' own ratios with its IQR.
 *   (a) decode tokens/s, 1 stream: tiny (n_embd 256, F16), ~200 MB and ~1 GB Q8_0 (SPM vocab, random weights)
 *   (b) aggregate tokens/s of 4 concurrent streams: `parallel: 4` vs `-np 4`
 *   (c) (a) while a quantization runs as cortexd's job workers run it; and cortexd busy vs cortexd quiet
 *   (d) time to first token of a 500-token prompt
 * BENCH_LS_MODELS=tiny,200m,1g  BENCH_LS_ROUNDS (7)  BENCH_TOKENS (128)  BENCH_THREADS (cortexd's default: cores)
 * CORTEX_LLAMA_SERVER=/path/to/llama-server uses another build.
 */
const ROUNDS = Number(process.env.BENCH_LS_ROUNDS ?? 7);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 128);
const THREADS = Number(process.env.BENCH_THREADS ?? physicalCoreCount());
const CTX = 1024;
const WANTED = (process.env.BENCH_LS_MODELS ?? "tiny,200m,1g").split(",");
const PROMPT = "the quick brown fox jumps over the lazy dog";

interface BenchModel {
  name: string;
  path: string;
  /** Tokens per decode run (fewer on big models: the run stays in minutes on 2 cores). */
  tokens: number;
}

const SHAPES: Record<string, { opts: TinyModelOptions; q8: boolean; tokens: number }> = {
  tiny: { opts: { hidden: 256, layers: 4, ff: 512, seed: 3 }, q8: false, tokens: TOKENS },
  "200m": { opts: { hidden: 1024, layers: 12, ff: 2816, seed: 5, name: "cortex-bench-200m" }, q8: true, tokens: Math.max(32, TOKENS / 2) },
  "1g": { opts: { hidden: 2048, layers: 16, ff: 5632, seed: 7, name: "cortex-bench-1g" }, q8: true, tokens: Math.max(16, TOKENS / 4) },
};

/** The bench models: generated once by the tests' GGUF generator (SPM vocab), Q8_0 by cortexd's quantizer; cached. */
export async function benchModel(name: string): Promise<BenchModel> {
  const shape = SHAPES[name];
  if (!shape) throw new Error(`BENCH_LS_MODELS: unknown model ${name} (tiny, 200m, 1g)`);
  const f16 = tinyModel(shape.opts);
  if (!shape.q8) return { name, path: f16, tokens: shape.tokens };
  const q8 = path.join(path.dirname(f16), "model-Q8_0.gguf");
  if (!fs.existsSync(q8)) {
    await llamaQuantizeFile(f16, `${q8}.tmp`, { type: "Q8_0" });
    fs.renameSync(`${q8}.tmp`, q8);
  }
  return { name, path: q8, tokens: shape.tokens };
}

/** Children to clean up on a signal: the bench never leaves a server, a daemon or a job behind. */
const cleanups = new Set<() => Promise<void> | void>();
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(sig, () => {
    void Promise.allSettled([...cleanups].map((c) => c())).then(() => process.exit(130));
  });
}

interface Timed {
  tokens: number;
  ms: number;
  firstMs: number;
}

function grpcGenerate(client: CortexClient, model: string, prompt: string, maxTokens: number, parallel: number): Promise<Timed> {
  const t0 = performance.now();
  let first = 0;
  let tokens = 0;
  const call = client.stream("cortex.v1.InferenceService", "Generate", {
    model,
    prompt,
    sampling: { temperature: 0, max_tokens: maxTokens, repeat_penalty: 1 },
    load: { context_size: CTX, parallel },
  });
  return new Promise((resolve, reject) => {
    call.on("data", (m) => {
      if (!first && m.text) first = performance.now();
      if (m.stats) tokens = m.stats.generated_tokens;
    });
    call.on("error", reject);
    call.on("end", () => resolve({ tokens, ms: performance.now() - t0, firstMs: (first || performance.now()) - t0 }));
  });
}

async function serverGenerate(s: LlamaServer, prompt: string, maxTokens: number): Promise<Timed> {
  const t0 = performance.now();
  const r = await s.complete(prompt, maxTokens, { ignore_eos: true });
  const ms = performance.now() - t0;
  return { tokens: r.tokensPredicted, ms, firstMs: r.promptMs };
}

/** Aggregate tokens/s of `n` concurrent streams. */
async function concurrent(n: number, one: (i: number) => Promise<Timed>): Promise<number> {
  const t0 = performance.now();
  const rs = await Promise.all(Array.from({ length: n }, (_, i) => one(i)));
  return (rs.reduce((a, r) => a + r.tokens, 0) * 1000) / (performance.now() - t0);
}

/** Runs `rounds` interleaved pairs (order alternating), after one uncounted pair. */
async function paired(name: string, unit: string, a: { label: string; run: () => Promise<number> }, b: { label: string; run: () => Promise<number> }, rounds = ROUNDS): Promise<BenchResult> {
  await a.run();
  await b.run();
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      xs.push(await a.run());
      ys.push(await b.run());
    } else {
      ys.push(await b.run());
      xs.push(await a.run());
    }
  }
  const pairs = xs.map((x, i) => x / ys[i]!);
  const res: BenchResult = {
    name,
    unit,
    cortexd: { label: a.label, median: median(xs), samples: xs },
    reference: { label: b.label, median: median(ys), samples: ys },
    ratio: median(xs) / median(ys),
    paired: { median: median(pairs), q1: quantile(pairs, 0.25), q3: quantile(pairs, 0.75) },
  };
  console.log(formatResult(res));
  return res;
}

/** A quantization as cortexd's job workers run one (SCHED_IDLE, nice 19), in a loop, until stopped. */
function startBackgroundQuantization(input: string): { child: ChildProcess; pause: () => void; resume: () => void; stop: () => Promise<void> } {
  const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "background-quantize.js");
  const child = fork(entry, [input], { stdio: ["ignore", "ignore", "inherit", "ipc"], execArgv: [] });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGCONT");
    child.kill("SIGKILL");
    await exited;
  };
  cleanups.add(stop);
  return { child, pause: () => child.kill("SIGSTOP"), resume: () => child.kill("SIGCONT"), stop };
}

export async function runLlamaServerBench(): Promise<BenchResult[]> {
  let found = llamaServerBinary();
  if (!("bin" in found) && !process.env.CORTEX_LLAMA_SERVER) {
    // Build it once (cached under ~/.cache/cortexd), from the llama.cpp source node-llama-cpp bundles.
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "test", "tools", "build-llama-tools.sh");
    const r = spawnSync("bash", [script], { stdio: "inherit" });
    if (r.status !== 0) throw new Error(`building llama-server failed (${script}, exit ${r.status})`);
    found = llamaServerBinary();
  }
  if (!("bin" in found)) throw new Error(`llama-server: ${found.skip}`);
  const bin = found.bin;
  const models: BenchModel[] = [];
  for (const m of WANTED) models.push(await benchModel(m));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cxbls-"));
  const home = path.join(dir, "h");
  const d: RunningDaemon = await startDaemon(home, { env: { CORTEX_THREADS: String(THREADS), CORTEX_LOG_LEVEL: "warn" } });
  cleanups.add(async () => void (await d.stop()));
  const results: BenchResult[] = [];
  console.log(`threads ${THREADS} (both), context ${CTX}, greedy; llama-server: ${bin}`);
  try {
    const modelsDir = path.join(home, "models");
    fs.mkdirSync(modelsDir, { recursive: true });
    const quiet = new Map<string, number>();
    for (const m of models) {
      const one = `${m.name}.gguf`;
      fs.copyFileSync(m.path, path.join(modelsDir, one));
      const server = await LlamaServer.start(bin, m.path, { threads: THREADS, contextSize: CTX, parallel: 1 });
      cleanups.add(() => server.stop());
      try {
        await grpcGenerate(d.client, one, PROMPT, 4, 1); // load
        const r = await paired(
          `(a) decode, 1 stream, ${m.name}`,
          "tokens/s",
          { label: `cortexd Generate (${m.tokens} tokens)`, run: async () => tps(await grpcGenerate(d.client, one, PROMPT, m.tokens, 1)) },
          { label: `llama-server /completion`, run: async () => tps(await serverGenerate(server, PROMPT, m.tokens)) },
        );
        results.push(r);
        quiet.set(m.name, r.cortexd.median);
        if (m.name === models[0]!.name) {
          // (d) a 500-token prompt, a new one each run (neither side may reuse a cached prefix).
          let k = 0;
          const long = () => `${k++} ${"the quick brown fox jumps over the lazy dog ".repeat(50)}`;
          results.push(
            await paired(
              `(d) time to first token, 500-token prompt, ${m.name}`,
              "ms",
              { label: "cortexd Generate, first piece", run: async () => (await grpcGenerate(d.client, one, long(), 1, 1)).firstMs },
              { label: "llama-server /completion n_predict 1, wall", run: async () => (await serverGenerate(server, long(), 1)).ms },
            ),
          );
          // (c) with a quantization running as cortexd's jobs run (SCHED_IDLE, nice 19).
          const bg = startBackgroundQuantization(m.path);
          try {
            await new Promise((r) => setTimeout(r, 1000));
            results.push(
              await paired(
                `(c) decode, 1 stream, ${m.name}, a quantization job running`,
                "tokens/s",
                { label: "cortexd Generate", run: async () => tps(await grpcGenerate(d.client, one, PROMPT, m.tokens, 1)) },
                { label: "llama-server /completion", run: async () => tps(await serverGenerate(server, PROMPT, m.tokens)) },
              ),
            );
            results.push(
              await paired(
                `(c') cortexd decode with the job running vs paused (SIGSTOP), ${m.name}`,
                "tokens/s",
                { label: "job running", run: async () => (bg.resume(), await sleep(200), tps(await grpcGenerate(d.client, one, PROMPT, m.tokens, 1))) },
                { label: "job paused", run: async () => (bg.pause(), await sleep(200), tps(await grpcGenerate(d.client, one, PROMPT, m.tokens, 1))) },
              ),
            );
          } finally {
            await bg.stop();
          }
        }
      } finally {
        await server.stop();
        await d.client.unary("cortex.v1.InferenceService", "UnloadModel", { model: one, force: true }).catch(() => undefined);
      }
      if (m.name === "1g") continue;
      // (b) 4 streams on one model.
      const four = `${m.name}-np4.gguf`;
      fs.copyFileSync(m.path, path.join(modelsDir, four));
      const server4 = await LlamaServer.start(bin, m.path, { threads: THREADS, contextSize: CTX, parallel: 4 });
      cleanups.add(() => server4.stop());
      try {
        await grpcGenerate(d.client, four, PROMPT, 4, 4);
        const prompts = ["one two three", "alpha beta gamma", PROMPT, "hello world, this is"];
        results.push(
          await paired(
            `(b) decode, 4 streams, ${m.name}: aggregate`,
            "tokens/s",
            { label: "cortexd parallel 4", run: () => concurrent(4, (i) => grpcGenerate(d.client, four, prompts[i]!, m.tokens, 4)) },
            { label: "llama-server -np 4", run: () => concurrent(4, (i) => serverGenerate(server4, prompts[i]!, m.tokens)) },
          ),
        );
      } finally {
        await server4.stop();
        await d.client.unary("cortex.v1.InferenceService", "UnloadModel", { model: four, force: true }).catch(() => undefined);
      }
    }
    void quiet;
  } finally {
    await d.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

const tps = (t: Timed) => (t.tokens * 1000) / t.ms;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
