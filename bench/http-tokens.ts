import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { tinyModel } from "../test/fixtures/tiny-models.js";
import { startDaemon } from "../test/helpers/daemon.js";
import type { Benchmark } from "./harness.js";

const TOKENS = Number(process.env.BENCH_TOKENS ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);
const PROMPT = "the quick brown fox jumps over the lazy dog";

/**
 * Tokens/s of one streamed generation through the OpenAI-compatible HTTP API (/v1/completions, SSE, read to
 * [DONE] by fetch) against gRPC Generate on the same daemon and the same resident model, alternating. Both count
 * the tokens the daemon reports over the client's wall time. Goal ≥ 0.99×.
 */
export const httpTokens: Benchmark = {
  name: "http-tokens",
  description: `streamed tokens/s: POST /v1/completions (SSE) vs gRPC Generate, same daemon and model (tiny model, greedy, ${TOKENS} tokens)`,
  async setup() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cxb-"));
    const home = path.join(dir, "h");
    fs.mkdirSync(path.join(home, "models"), { recursive: true });
    fs.copyFileSync(tinyModel(), path.join(home, "models", "bench.gguf"));
    const d = await startDaemon(home, { args: ["--http", "127.0.0.1:0", "--http-no-auth"], env: { CORTEX_THREADS: "1", CORTEX_LOG_LEVEL: "info" } });
    const url = /"http":"(http:\/\/[^"]+)"/.exec(d.output())![1]!;
    const http = async (): Promise<number> => {
      const t0 = performance.now();
      const res = await fetch(`${url}/v1/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "bench.gguf", prompt: PROMPT, max_tokens: TOKENS, temperature: 0, repeat_penalty: 1, stream: true, stream_options: { include_usage: true } }),
      });
      const body = await res.text();
      const usage = /"completion_tokens":(\d+)/.exec(body);
      if (!res.ok || !usage || !body.endsWith("data: [DONE]\n\n")) throw new Error(`bad stream (${res.status}): ${body.slice(-300)}`);
      return (Number(usage[1]) * 1000) / (performance.now() - t0);
    };
    const grpc = (): Promise<number> => {
      const t0 = performance.now();
      let tokens = 0;
      const call = d.client.stream("cortex.v1.InferenceService", "Generate", { model: "bench.gguf", prompt: PROMPT, sampling: { temperature: 0, max_tokens: TOKENS, repeat_penalty: 1 } });
      return new Promise((resolve, reject) => {
        call.on("data", (m) => {
          if (m.stats) tokens = m.stats.generated_tokens;
        });
        call.on("error", reject);
        call.on("end", () => resolve((tokens * 1000) / (performance.now() - t0)));
      });
    };
    await grpc(); // loads the model: both sides then run on it resident
    return {
      unit: "tok/s",
      rounds: ROUNDS,
      warmup: 2,
      cortexd: { label: "HTTP /v1/completions stream", run: http },
      reference: { label: "gRPC Generate stream", run: grpc },
      async teardown() {
        await d.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
