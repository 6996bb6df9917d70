import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { getLlama, LlamaCompletion, type Llama, type LlamaModel } from "node-llama-cpp";
import type { CortexClient } from "../src/cli/client.js";
import { ChildRunner } from "../src/inference/runner/child-runner.js";
import { InProcessRunner } from "../src/inference/runner/in-process-runner.js";
import type { ModelRunner } from "../src/inference/runner/model-runner.js";
import { tinyModel, type TinyModelOptions } from "../test/fixtures/tiny-models.js";
import { startDaemon, type RunningDaemon } from "../test/helpers/daemon.js";
import type { Benchmark } from "./harness.js";
import { processTreeIdle } from "./process-tree-idle.js";

/**
 * The bench model: the tests' tiny llama (hidden 64, 32k vocab), BENCH_MODEL=small for hidden 256 × 4 layers, or
 * BENCH_MODEL=/abs/path.gguf (e.g. a ~1 GB model, where per-token overhead matters less); BENCH_TOKENS,
 * BENCH_THREADS and BENCH_ROUNDS size the run for it.
 */
const BENCH_MODEL = process.env.BENCH_MODEL ?? "";
const TOKENS = Number(process.env.BENCH_TOKENS ?? 300);
const PROMPT = "the quick brown fox jumps over the lazy dog";
const CTX = 1024;
const THREADS = Number(process.env.BENCH_THREADS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);
const MODEL_OPTS: TinyModelOptions = BENCH_MODEL === "small" ? { hidden: 256, layers: 4, ff: 512, seed: 3 } : {};
const benchModel = (): string => (path.isAbsolute(BENCH_MODEL) ? BENCH_MODEL : tinyModel(MODEL_OPTS));

interface Side {
  label: string;
  run: () => Promise<number>;
}

/** A daemon with one model, threads 1 (the tiny model decodes fastest on one thread; the reference uses the same). */
async function daemonWithModel(): Promise<{ d: RunningDaemon; dir: string; model: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cxb-"));
  const d = await startDaemon(path.join(dir, "h"), { env: { CORTEX_THREADS: String(THREADS), CORTEX_LOG_LEVEL: "warn" } });
  // Requests may only name models inside cortexd's roots: the bench model is copied into $CORTEX_HOME/models.
  const model = path.join(dir, "h", "models", "bench.gguf");
  fs.copyFileSync(benchModel(), model);
  return { d, dir, model };
}

/** Streams one Generate; resolves tokens/s over the client's wall time and the time to the first piece. */
function grpcGenerate(client: CortexClient, model: string, maxTokens: number): Promise<{ tokensPerSecond: number; ttftMs: number; tokens: number }> {
  const t0 = performance.now();
  let first = 0;
  let tokens = 0;
  const call = client.stream("cortex.v1.InferenceService", "Generate", {
    model,
    prompt: PROMPT,
    // The reference's sampling: greedy, no repeat penalty (cortexd's default 1.1 costs JS work per token).
    sampling: { temperature: 0, max_tokens: maxTokens, repeat_penalty: 1 },
    load: { context_size: CTX, parallel: 1 },
  });
  return new Promise((resolve, reject) => {
    call.on("data", (m) => {
      if (!first && m.text) first = performance.now();
      if (m.stats) tokens = m.stats.generated_tokens;
    });
    call.on("error", reject);
    call.on("end", () => resolve({ tokensPerSecond: (tokens * 1000) / (performance.now() - t0), ttftMs: first - t0, tokens }));
  });
}

/** node-llama-cpp in this process, the same model and settings: the number cortexd is held to. */
async function inProcess(): Promise<{ llama: Llama; model: LlamaModel; completion: LlamaCompletion; generate: (max: number) => Promise<{ tokensPerSecond: number; ttftMs: number }> }> {
  const llama = await getLlama({ gpu: false, build: "never", maxThreads: THREADS, logLevel: "error" as never });
  const model = await llama.loadModel({ modelPath: benchModel(), gpuLayers: 0 });
  const context = await model.createContext({ contextSize: CTX, sequences: 1, threads: THREADS });
  const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
  const generate = async (max: number) => {
    const t0 = performance.now();
    let first = 0;
    let tokens = 0;
    // repeatPenalty false as cortexd sends it for repeat_penalty 1 (the default {} is a no-op penalty, but still
    // copies the last 64 tokens on every token).
    await completion.generateCompletion(PROMPT, { temperature: 0, maxTokens: max, repeatPenalty: false, onToken: (t) => (tokens += t.length), onTextChunk: () => (first ||= performance.now()) });
    return { tokensPerSecond: (tokens * 1000) / (performance.now() - t0), ttftMs: first - t0 };
  };
  return { llama, model, completion, generate };
}

/** Decode throughput through the whole stack (gRPC → daemon → runner child) vs node-llama-cpp in-process. */
export const inferenceTokens: Benchmark = {
  name: "inference-tokens",
  description: `Generate ${TOKENS} tokens (greedy, threads ${THREADS}) of a tiny llama GGUF: cortexd over gRPC (runner child process) vs node-llama-cpp in-process; tokens/s over wall time`,
  async setup() {
    const { d, dir, model } = await daemonWithModel();
    const ref = await inProcess();
    await grpcGenerate(d.client, model, 8); // load
    // The load made the daemon start a spare runner in the background (Node + llama.cpp init, ~1 s of CPU on 2
    // cores): let it finish, so that the first rounds of either side do not share the CPU with it.
    await processTreeIdle(d.proc.pid);
    const cortexd: Side = { label: "InferenceService.Generate over the unix socket", run: async () => (await grpcGenerate(d.client, model, TOKENS)).tokensPerSecond };
    const reference: Side = { label: "node-llama-cpp LlamaCompletion in-process", run: async () => (await ref.generate(TOKENS)).tokensPerSecond };
    return {
      cortexd,
      reference,
      unit: "tokens/s",
      rounds: ROUNDS,
      // Measured: the in-process reference alone needs ~8 runs (~2 s) before its tokens/s settles (±5 % after, up to
      // 20 % slower before).
      warmup: 5,
      async teardown() {
        await d.stop();
        await ref.llama.dispose();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** What process isolation costs: the same runner code in a child process vs in this process (no gRPC). */
export const inferenceIsolation: Benchmark = {
  name: "inference-isolation",
  description: `Generate ${TOKENS} tokens through a ModelRunner: runner child process (IPC) vs in-process runner; tokens/s`,
  async setup() {
    const spec = { path: benchModel(), contextSize: CTX, gpuLayers: 0, parallel: 1, threads: THREADS } as const;
    const child = await ChildRunner.start({ threads: THREADS, gpu: "off" });
    const factory = InProcessRunner.factory({ threads: THREADS, gpu: "off" });
    const local = await factory();
    await child.load({ ...spec });
    await local.load({ ...spec });
    const run = (r: ModelRunner) => async () => {
      const t0 = performance.now();
      const res = await r.generate({ kind: "completion", prompt: PROMPT }, { temperature: 0, maxTokens: TOKENS, stop: [], repeatPenalty: 1 }, () => undefined, new AbortController().signal);
      return (res.generatedTokens * 1000) / (performance.now() - t0);
    };
    return {
      cortexd: { label: "ChildRunner (runner process, IPC per piece)", run: run(child) },
      reference: { label: "InProcessRunner (same engine code, no IPC)", run: run(local) },
      unit: "tokens/s",
      rounds: ROUNDS,
      async teardown() {
        await child.close();
        await local.close();
        await factory.dispose();
      },
    };
  },
};

/** Time to first token: a resident model vs one loaded just in time (cold), both through gRPC. */
export const inferenceTtft: Benchmark = {
  name: "inference-ttft",
  description: "Time to first token over gRPC: cold (model unloaded, JIT load with a warm spare runner) vs hot (resident); prompt of 10 tokens",
  async setup() {
    const { d, dir, model } = await daemonWithModel();
    await grpcGenerate(d.client, model, 1);
    const unload = () => d.client.unary("cortex.v1.InferenceService", "UnloadModel", { model });
    return {
      cortexd: {
        label: "cold: UnloadModel, then Generate (time to first piece, client side)",
        run: async () => {
          await unload();
          // Let the spare runner that replaced the last one finish starting, as it would between real requests.
          await new Promise((r) => setTimeout(r, 2500));
          return (await grpcGenerate(d.client, model, 1)).ttftMs;
        },
      },
      reference: { label: "hot: Generate on the resident model", run: async () => (await grpcGenerate(d.client, model, 1)).ttftMs },
      unit: "ms",
      rounds: 5,
      async teardown() {
        await d.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
