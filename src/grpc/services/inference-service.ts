import type * as grpc from "@grpc/grpc-js";
import type { ChatRequest__Output } from "../generated/cortex/v1/ChatRequest.js";
import type { GenerateRequest__Output } from "../generated/cortex/v1/GenerateRequest.js";
import type { GenerateResponse } from "../generated/cortex/v1/GenerateResponse.js";
import type { InferenceServiceHandlers } from "../generated/cortex/v1/InferenceService.js";
import { CortexError, toCortexError } from "../../errors/cortex-error.js";
import { ToolSession } from "../../inference/tools/tool-session.js";
import type { Metrics } from "../../metrics/metrics.js";
import type { GenerationInput, GenerationResult, SamplingSpec } from "../../inference/engine/engine-types.js";
import type { InferencePool } from "../../inference/scheduler/inference-pool.js";
import type { LoadOptions } from "../../inference/scheduler/prepare-load.js";
import { requireString, serverStream, unary, type StreamWriter } from "../handlers.js";
import type { StreamRegistry } from "../stream-registry.js";
import { loadedModelMsg, parseLoadOptions, parseMessages, parseSampling, parseTools } from "./inference-requests.js";

type GenerateOut = GenerateResponse;

const MAX_EMBED_INPUTS = 4096;

/** InferenceService: the resident pool over gRPC (load/unload/list, streaming generate and chat, embeddings). */
export function createInferenceService(pool: InferencePool, streams: StreamRegistry, metrics?: Metrics): InferenceServiceHandlers {
  const measured = <T>(endpoint: string, model: () => string, fn: () => Promise<T>): Promise<T> => (metrics ? observe(metrics, endpoint, model, fn) : fn());
  return {
    LoadModel: unary(async (req, call) => {
      const model = requireString(req, "model");
      const r = await pool.load(model, parseLoadOptions(req.options, "options"), abortOnCancel(call));
      return { model: loadedModelMsg(r.model), already_loaded: r.alreadyLoaded };
    }),
    UnloadModel: unary(async (req) => ({ freed_bytes: await pool.unload(requireString(req, "model"), Boolean(req.force)) })),
    ListLoadedModels: unary(async () => {
      const r = await pool.list();
      return {
        models: r.models.map(loadedModelMsg),
        budget_bytes: r.budget.budgetBytes,
        used_bytes: r.usedBytes,
        total_bytes: r.budget.totalBytes,
        reserve_bytes: r.budget.reserveBytes,
        unified_memory: r.budget.unified,
        gpu: pool.gpu(),
      };
    }),
    Generate: serverStream(streams, async (req: GenerateRequest__Output, out: StreamWriter<GenerateOut>) => {
      const t0 = performance.now();
      const model = requireString(req, "model");
      const input: GenerationInput = { kind: "completion", prompt: req.prompt ?? "" };
      const tools = new ToolSession([], { kind: "none" }, parseSampling(req.sampling));
      await measured("Generate", () => model, () => generate(pool, model, input, input.prompt === "", tools, parseLoadOptions(req.load), out, t0));
    }),
    Chat: serverStream(streams, async (req: ChatRequest__Output, out: StreamWriter<GenerateOut>) => {
      const t0 = performance.now();
      const model = requireString(req, "model");
      const messages = parseMessages(req.messages);
      const { tools, choice } = parseTools(req.tools, req.tool_choice);
      const session = new ToolSession(tools, choice, parseSampling(req.sampling));
      const input: GenerationInput = { kind: "chat", messages, ...(tools.length > 0 ? { tools } : {}) };
      await measured("Chat", () => model, () => generate(pool, model, input, messages.length === 0, session, parseLoadOptions(req.load), out, t0));
    }),
    Embed: unary(async (req, call) => {
      const t0 = performance.now();
      const model = requireString(req, "model");
      const inputs = req.inputs ?? [];
      if (inputs.length === 0) throw new CortexError("REQ_INVALID_ARGUMENT", "inputs is empty");
      if (inputs.length > MAX_EMBED_INPUTS) throw new CortexError("REQ_INVALID_ARGUMENT", `inputs has ${inputs.length} entries (at most ${MAX_EMBED_INPUTS})`);
      return measured("Embed", () => model, async () => {
        const lease = await pool.acquire(model, parseLoadOptions(req.load), abortOnCancel(call));
        try {
          const r = await lease.runner.embed(inputs);
          return Object.assign({ embeddings: r.vectors.map((v) => ({ values: Array.from(v) })), prompt_tokens: r.promptTokens, load_ms: lease.loadMs, total_ms: performance.now() - t0 }, { [TOKENS]: { promptTokens: r.promptTokens } });
        } finally {
          lease.release();
        }
      });
    }),
  };
}

/**
 * One streaming generation: take a lease (JIT load, queueing), stream pieces, end with stats. Pieces produced
 * while the previous message waits for the client's flow control are joined into the next message, so a slow
 * reader gets fewer, larger messages and nothing is buffered per token.
 */
async function generate(pool: InferencePool, model: string, input: GenerationInput, loadOnly: boolean, tools: ToolSession, load: LoadOptions, out: StreamWriter<GenerateOut>, t0: number): Promise<Measured> {
  const lease = await pool.acquire(model, load, out.signal);
  const queueMs = performance.now() - t0;
  const base = { load_ms: lease.loadMs, queue_ms: queueMs, variant: lease.variant, variant_reason: lease.variantReason };
  if (loadOnly) {
    lease.release();
    await out.write({ text: "", stats: { ...base, total_ms: performance.now() - t0, finish_reason: "load" } });
    return {};
  }
  const signal = AbortSignal.any([out.signal, lease.signal]);
  let firstPieceAt = 0;
  let pending = "";
  let writing: Promise<void> | undefined;
  const flush = (): void => {
    const text = pending;
    pending = "";
    writing = out.write({ text }).then(() => {
      writing = undefined;
      if (pending !== "") flush();
    });
  };
  let result: GenerationResult | undefined;
  try {
    result = await lease.runner.generate(input, tools.sampling, (piece) => {
      if (piece === "") return;
      if (!firstPieceAt) firstPieceAt = performance.now();
      const text = tools.feed(piece);
      if (text === "") return;
      pending += text;
      if (!writing) flush();
    }, signal);
  } finally {
    lease.release(result);
  }
  while (writing) await writing;
  if (lease.signal.aborted && !out.signal.aborted) throw lease.signal.reason;
  const rest = tools.finish();
  if (rest.content) await out.write({ text: rest.content });
  if (rest.calls.length > 0) await out.write({ text: "", tool_calls: rest.calls.map((c) => ({ id: c.id, name: c.name, arguments_json: c.arguments })) });
  await out.write({
    text: "",
    stats: {
      ...base,
      prompt_tokens: result.promptTokens,
      generated_tokens: result.generatedTokens,
      time_to_first_token_ms: firstPieceAt ? firstPieceAt - t0 : 0,
      tokens_per_second: result.tokensPerSecond,
      prompt_ms: result.firstTokenMs,
      total_ms: performance.now() - t0,
      finish_reason: rest.calls.length > 0 ? "tool_calls" : result.finishReason,
    },
  });
  return { [TOKENS]: { promptTokens: result.promptTokens, generatedTokens: result.generatedTokens, ...(firstPieceAt ? { firstTokenSeconds: (firstPieceAt - t0) / 1000 } : {}) } };
}

/** What a measured call reports beside its answer (never sent to the client). */
const TOKENS = Symbol("tokens");
type Measured = { [TOKENS]?: { promptTokens?: number; generatedTokens?: number; firstTokenSeconds?: number } };

/** Counts a gRPC inference call into the metrics: its outcome (ok or the error code), duration and tokens. */
async function observe<T>(metrics: Metrics, endpoint: string, model: () => string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    const r = await fn();
    metrics.observe({ api: "grpc", endpoint, model: model(), seconds: (performance.now() - t0) / 1000, ...((r as Measured)?.[TOKENS] ?? {}) });
    return r;
  } catch (err) {
    const code = toCortexError(err).code;
    metrics.observe({ api: "grpc", endpoint, model: code === "REG_NOT_FOUND" ? "" : model(), seconds: (performance.now() - t0) / 1000, code });
    throw err;
  }
}

/** An AbortSignal for a unary call: a client cancel or deadline stops its wait (a queued LoadModel, an Embed). */
function abortOnCancel(call: grpc.ServerUnaryCall<unknown, unknown>): AbortSignal {
  const c = new AbortController();
  call.on("cancelled", () => c.abort(new CortexError("JOB_CANCELLED", "client cancelled the call")));
  return c.signal;
}
