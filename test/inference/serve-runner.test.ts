import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { GenerationResult, LoadSpec } from "../../src/inference/engine/engine-types.js";
import { LlamaEngine } from "../../src/inference/engine/llama-engine.js";
import type { FromRunner, ToRunner } from "../../src/inference/runner/runner-protocol.js";
import { ChildRunner } from "../../src/inference/runner/child-runner.js";
import { DEFAULT_PIECE_INTERVAL_MS, serveRunner, type RunnerPort } from "../../src/inference/runner/serve-runner.js";
import { tinyModel } from "../fixtures/tiny-models.js";
import { engineGreedyText } from "./engine-text.js";

/**
 * The runner's side of the IPC protocol on a real engine and model, over an in-memory port (what `process` is in a
 * runner child): the pacing of pieces, which decides how many messages the daemon and the gRPC client wake for.
 */
class MemoryPort implements RunnerPort {
  readonly sent: { at: number; msg: FromRunner }[] = [];
  private listener: ((m: ToRunner) => void) | undefined;
  private waiters: { match: (m: FromRunner) => boolean; resolve: (m: FromRunner) => void }[] = [];

  send(msg: FromRunner, callback?: (err: Error | null) => void): void {
    this.sent.push({ at: performance.now(), msg });
    for (const w of this.waiters.filter((x) => x.match(msg))) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve(msg);
    }
    // Like a pipe write: the callback comes after the write, never synchronously.
    if (callback) setImmediate(() => callback(null));
  }
  on(_event: "message", listener: (m: ToRunner) => void): void {
    this.listener = listener;
  }
  deliver(m: ToRunner): void {
    this.listener!(m);
  }
  next(match: (m: FromRunner) => boolean): Promise<FromRunner> {
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }
}

let engine: LlamaEngine;
let port: MemoryPort;
let spec: LoadSpec;
let exited: Promise<void>;
const PROMPT = "the quick brown fox jumps over the lazy dog";

before(async () => {
  engine = await LlamaEngine.create({ threads: 1, gpu: false });
  port = new MemoryPort();
  exited = new Promise((resolve) => serveRunner(engine, port, resolve));
  spec = { path: tinyModel({}), contextSize: 1024, gpuLayers: 0, parallel: 1, threads: 1 };
  const loaded = port.next((m) => m.t === "loaded" || m.t === "error");
  port.deliver({ t: "load", id: 1, spec });
  assert.equal((await loaded).t, "loaded");
});

after(async () => {
  port.deliver({ t: "exit" });
  await exited;
});

async function generate(id: number, maxTokens: number): Promise<{ pieces: { at: number; text: string; tokens: number }[]; tail: { text: string; tokens: number }; result: GenerationResult; startedAt: number }> {
  const startedAt = performance.now();
  const from = port.sent.length;
  const done = port.next((m) => (m.t === "generated" || m.t === "error") && m.id === id);
  port.deliver({ t: "generate", id, input: { kind: "completion", prompt: PROMPT }, sampling: { temperature: 0, maxTokens, stop: [], repeatPenalty: 1 } });
  const end = await done;
  assert.equal(end.t, "generated", JSON.stringify(end));
  const pieces = port.sent
    .slice(from)
    .flatMap((s) => (s.msg.t === "piece" && s.msg.id === id ? [{ at: s.at, text: s.msg.text, tokens: s.msg.tokens }] : []));
  const last = end as Extract<FromRunner, { t: "generated" }>;
  return { pieces, tail: { text: last.text, tokens: last.tokens }, result: last.result, startedAt };
}

test("pieces: the first at once, then at most one per DEFAULT_PIECE_INTERVAL_MS; the rest rides with the result; every token and all text arrive", async () => {
  await generate(2, 8); // warm-up
  const { pieces, tail, result } = await generate(3, 300);
  assert.equal(result.generatedTokens, 300);
  assert.equal(pieces.reduce((n, p) => n + p.tokens, 0) + tail.tokens, 300, "token counts add up to the generated tokens");
  // At once: one token, or the few byte tokens of one UTF-8 character.
  assert.ok(pieces[0]!.tokens <= 4, `the first piece went at once (${pieces[0]!.tokens} tokens)`);

  // The same greedy generation on the engine directly, one sink call per text chunk: the text must match.
  const text = await engineGreedyText(engine, spec, PROMPT, 300);
  assert.equal(pieces.map((p) => p.text).join("") + tail.text, text, "nothing lost, reordered or repeated");

  // Pieces are at least an interval apart (timer slack: 1 ms); no separate final piece precedes the result.
  const gaps = pieces.slice(1).map((p, i) => p.at - pieces[i]!.at);
  assert.ok(gaps.every((g) => g >= DEFAULT_PIECE_INTERVAL_MS - 1), `gaps between pieces: ${gaps.map((g) => g.toFixed(1)).join(", ")}`);
  const span = pieces.at(-1)!.at - pieces[0]!.at;
  assert.ok(pieces.length <= Math.ceil(span / DEFAULT_PIECE_INTERVAL_MS) + 2, `${pieces.length} pieces in ${span.toFixed(0)} ms`);
});

test("a cancel stops the generation within a token or two; what was generated still arrives before the result", async () => {
  const id = 4;
  const firstPiece = port.next((m) => m.t === "piece" && m.id === id);
  const run = generate(id, 100_000);
  await firstPiece;
  port.deliver({ t: "cancel", id });
  const { pieces, tail, result } = await run;
  assert.equal(result.finishReason, "cancelled");
  const atCancel = pieces[0]!.tokens;
  assert.ok(result.generatedTokens <= atCancel + 2, `${result.generatedTokens - atCancel} tokens after the cancel`);
  assert.equal(pieces.reduce((n, p) => n + p.tokens, 0) + tail.tokens, result.generatedTokens);
});

test("the interval is the runner's setting: 0 sends a piece per token (as each write completes), 1000 only the first", async () => {
  for (const [pieceIntervalMs, check] of [
    [0, (n: number) => n >= 50],
    [1000, (n: number) => n <= 2],
  ] as const) {
    const runner = await ChildRunner.start({ threads: 1, gpu: "off", pieceIntervalMs });
    try {
      await runner.load(spec);
      let calls = 0;
      let text = "";
      const r = await runner.generate({ kind: "completion", prompt: PROMPT }, { temperature: 0, maxTokens: 100, stop: [], repeatPenalty: 1 }, (t) => {
        calls++;
        text += t;
      }, new AbortController().signal);
      assert.equal(r.generatedTokens, 100);
      assert.ok(check(calls), `interval ${pieceIntervalMs} ms: ${calls} sink calls for 100 tokens`);
      assert.ok(text.length > 0);
    } finally {
      await runner.close();
    }
  }
});
