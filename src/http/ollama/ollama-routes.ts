import type { FastifyInstance } from "fastify";
import { CortexError, isCortexError } from "../../errors/cortex-error.js";
import type { ChatTurn, FinishReason, GenerationInput, SamplingSpec, ToolCall, ToolSpec } from "../../inference/engine/engine-types.js";
import { runChat, type ChatRun } from "../tool-generation.js";
import type { LoadOptions } from "../../inference/scheduler/prepare-load.js";
import { FINAL_STATES } from "../../jobs/job-view.js";
import { modelHasPath } from "../../store/model-holders.js";
import { runEmbed, runGeneration, type GenerationRun } from "../generation.js";
import type { HttpDeps } from "../http-deps.js";
import { ollamaErrorBody } from "../http-errors.js";
import { runnableModels, type RunnableModel } from "../model-names.js";
import { parseBody, unsupported } from "../parse-body.js";
import { NDJSON_HEADERS, ndjsonLine, ResponseStream } from "../response-stream.js";
import { streamReply } from "../stream-reply.js";
import { modelDigest, modifiedAt, ollamaDetails } from "./model-details.js";
import { chatRequest, embedRequest, formatSchema, generateRequest, legacyEmbeddingsRequest, modelOf, namedRequest, optionsOf } from "./ollama-requests.js";

const ns = (ms: number): number => Math.round(ms * 1e6);
const doneReason = (r: FinishReason): string => (r === "length" ? "length" : "stop");

/** The closing fields of a generation: what Ollama clients read (durations in nanoseconds). */
function finalStats(run: GenerationRun): Record<string, unknown> {
  const r = run.result;
  const evalMs = r.tokensPerSecond > 0 && r.generatedTokens > 1 ? ((r.generatedTokens - 1) * 1000) / r.tokensPerSecond : Math.max(0, r.totalMs - r.firstTokenMs);
  return {
    done_reason: doneReason(r.finishReason),
    total_duration: ns(run.totalMs),
    load_duration: ns(run.loadMs),
    prompt_eval_count: r.promptTokens,
    prompt_eval_duration: ns(r.firstTokenMs),
    eval_count: r.generatedTokens,
    eval_duration: ns(evalMs),
  };
}

/** `/api`: Ollama's native API on the same pool and store. */
export function registerOllama(app: FastifyInstance, deps: HttpDeps): void {
  const { pool, logger } = deps;
  const runnable = async (): Promise<RunnableModel[]> => runnableModels(await deps.models());
  const tagOf = (m: RunnableModel) => ({ name: m.name, model: m.name, modified_at: modifiedAt(m.record), size: m.record.sizeBytes, digest: modelDigest(m.record), details: ollamaDetails(m.record) });

  app.get("/", async (_req, reply) => reply.type("text/plain; charset=utf-8").send("cortexd is running"));
  app.get("/api/version", async () => ({ version: deps.version }));
  app.get("/api/tags", async () => ({ models: (await runnable()).map(tagOf) }));

  app.get("/api/ps", async () => {
    const [loaded, models] = await Promise.all([pool.list(), runnable()]);
    return {
      models: loaded.models.map((l) => {
        const m = models.find((x) => modelHasPath(x.record.paths, l.path));
        return {
          name: l.model,
          model: l.model,
          size: Math.max(l.memoryBytes, l.estimatedMemoryBytes),
          digest: m ? modelDigest(m.record) : "",
          details: m ? ollamaDetails(m.record) : { parent_model: "", format: "gguf", family: "", families: [], parameter_size: "", quantization_level: "" },
          expires_at: l.expiresAt || "0001-01-01T00:00:00Z",
          size_vram: l.vramBytes,
          context_length: l.contextSize,
        };
      }),
    };
  });

  app.post("/api/show", async (req) => {
    const name = modelOf(parseBody(namedRequest, req.body));
    const m = (await runnable()).find((x) => x.name === name || x.record.id === name || x.record.name === name);
    if (!m) throw new CortexError("REG_NOT_FOUND", `model "${name}" not found (GET /api/tags lists them)`, { details: { field: "model" } });
    const f = m.record.facts;
    const arch = f.architecture || "unknown";
    return {
      license: "",
      modelfile: `# cortexd: ${m.record.paths[0]}\nFROM ${m.record.paths[0]}\n`,
      parameters: `num_ctx ${f.contextLength || 4096}`,
      template: "",
      details: ollamaDetails(m.record),
      model_info: { "general.architecture": arch, "general.parameter_count": f.parameterCount, [`${arch}.context_length`]: f.contextLength, [`${arch}.vocab_size`]: f.vocabSize },
      capabilities: ["completion"],
      modified_at: modifiedAt(m.record),
    };
  });

  app.delete("/api/delete", async (req, reply) => {
    await deps.deleteModel(modelOf(parseBody(namedRequest, req.body)));
    return reply.code(200).send();
  });

  app.post("/api/pull", async (req, reply) => {
    const body = parseBody(namedRequest, req.body);
    const ref = modelOf(body);
    const m = /^(?:(?:https?:\/\/)?(?:hf\.co|huggingface\.co)\/)?([^:@\s]+\/[^:@\s]+)(?:[:@]([^\s]+))?$/.exec(ref);
    if (!m) throw new CortexError("REQ_INVALID_ARGUMENT", `model "${ref}" is not a Hugging Face repo (org/name, hf.co/org/name or org/name:Q4_K_M)`, { details: { field: "model" } });
    const [, repo, tag] = m;
    const quant = tag && tag !== "latest" ? tag : undefined;
    const { jobId } = await deps.pull(repo!, "main", quant ? [`*${quant}*.gguf`, `*${quant.toUpperCase()}*.gguf`, `*${quant.toLowerCase()}*.gguf`, "*.json", "*.md"] : []);
    const follow = async (emit: (line: object) => void | Promise<void>, signal: AbortSignal) => {
      await emit({ status: "pulling manifest" });
      for await (const job of deps.watchJob(jobId, signal)) {
        if (FINAL_STATES.has(job.state)) {
          if (job.state !== "JOB_STATE_COMPLETED") throw new CortexError("HUB_UNAVAILABLE", job.error_message || `pull job ${jobId} ended ${job.state}`);
          await emit({ status: "verifying sha256 digest" });
          await emit({ status: "writing manifest" });
          await emit({ status: "success" });
          return;
        }
        const p = job.progress;
        if (p && p.total) await emit({ status: `pulling ${repo}`, digest: `job:${jobId}`, total: p.total, completed: p.done ?? 0 });
      }
    };
    if (body.stream === false) {
      const gone = new ResponseStream(reply.raw);
      await follow(() => undefined, gone.signal);
      return { status: "success" };
    }
    return streamReply(reply, NDJSON_HEADERS, logger, (out) => follow((line) => out.write(ndjsonLine(line)), out.signal), ollamaErrorBody, (f) => ndjsonLine(ollamaErrorBody(f)));
  });

  app.post("/api/chat", async (req, reply) => {
    const body = parseBody(chatRequest, req.body);
    if (body.think) throw unsupported("think", "cortexd does not separate thinking from the answer yet");
    const { sampling, load } = optionsOf(body.options, body.keep_alive);
    const schema = formatSchema(body.format);
    if (schema) sampling.jsonSchema = schema;
    const messages: ChatTurn[] = (body.messages ?? []).map((msg, i) => {
      if (msg.images?.length) throw unsupported(`messages[${i}].images`, "cortexd's models read text");
      if (msg.role === "assistant" && msg.tool_calls?.length) {
        return { role: "assistant", content: msg.content, toolCalls: msg.tool_calls.map((c, k) => ({ id: `call_${i}_${k}`, name: c.function.name, arguments: JSON.stringify(c.function.arguments) })) };
      }
      return { role: msg.role, content: msg.content };
    });
    const tools: ToolSpec[] = (body.tools ?? []).map((t) => ({ name: t.function.name, ...(t.function.description ? { description: t.function.description } : {}), ...(t.function.parameters ? { parameters: t.function.parameters } : {}) }));
    const created = () => new Date().toISOString();
    if (messages.length === 0) return loadOrUnload(body.model, load, (reason) => ({ model: body.model, created_at: created(), message: { role: "assistant", content: "" }, done_reason: reason, done: true }));
    const toolCalls = (calls: ToolCall[]) => (calls.length > 0 ? { tool_calls: calls.map((c) => ({ function: { name: c.name, arguments: JSON.parse(c.arguments) as unknown } })) } : {});
    const line = (content: string, calls: ToolCall[] = []) => ({ model: body.model, created_at: created(), message: { role: "assistant", content, ...toolCalls(calls) }, done: false });
    const last = (run: ChatRun, content: string) => ({ model: body.model, created_at: created(), message: { role: "assistant", content, ...toolCalls(run.calls) }, done: true, ...finalStats(run) });
    if (body.stream !== false) {
      return streamReply(reply, NDJSON_HEADERS, logger, async (out) => {
        const run = await runChat(pool, body.model, messages, tools, { kind: "auto" }, sampling, load, out, (text) => out.write(ndjsonLine(line(text))));
        if (run.calls.length > 0) await out.write(ndjsonLine(line("", run.calls)));
        await out.write(ndjsonLine({ ...last(run, ""), message: { role: "assistant", content: "" } }));
      }, ollamaErrorBody, (f) => ndjsonLine(ollamaErrorBody(f)));
    }
    const gone = new ResponseStream(reply.raw);
    let text = "";
    const run = await runChat(pool, body.model, messages, tools, { kind: "auto" }, sampling, load, gone, (t) => {
      text += t;
    });
    return last(run, text);
  });

  app.post("/api/generate", async (req, reply) => {
    const body = parseBody(generateRequest, req.body);
    if (body.images?.length) throw unsupported("images", "cortexd's models read text");
    if (body.think) throw unsupported("think", "cortexd does not separate thinking from the answer yet");
    if (body.suffix) throw unsupported("suffix", "fill-in-the-middle is not in this build yet");
    if (body.template) throw unsupported("template", "the model's own chat template renders the prompt (use raw for none)");
    if (body.context?.length) throw unsupported("context", "send the conversation to /api/chat instead");
    const { sampling, load } = optionsOf(body.options, body.keep_alive);
    const schema = formatSchema(body.format);
    if (schema) sampling.jsonSchema = schema;
    const created = () => new Date().toISOString();
    if (!body.prompt) return loadOrUnload(body.model, load, (reason) => ({ model: body.model, created_at: created(), response: "", done: true, done_reason: reason }));
    // As Ollama: the prompt goes through the model's template (a user turn after the system text) unless raw.
    const input: GenerationInput = body.raw
      ? { kind: "completion", prompt: body.prompt }
      : { kind: "chat", messages: [...(body.system ? [{ role: "system" as const, content: body.system }] : []), { role: "user", content: body.prompt }] };
    return generateReply(reply, body.stream !== false, body.model, input, sampling, load, (text) => ({ model: body.model, created_at: created(), response: text, done: false }), (run, text) => ({
      model: body.model,
      created_at: created(),
      response: text,
      done: true,
      ...finalStats(run),
    }));
  });

  app.post("/api/embed", async (req, reply) => {
    const body = parseBody(embedRequest, req.body);
    const { load } = optionsOf(body.options, body.keep_alive);
    const inputs = typeof body.input === "string" ? [body.input] : body.input;
    const t0 = performance.now();
    const r = await runEmbed(pool, body.model, inputs, load, new ResponseStream(reply.raw));
    if (body.dimensions !== undefined && body.dimensions !== r.vectors[0]?.length) throw unsupported("dimensions", `${body.model} makes vectors of ${r.vectors[0]?.length ?? 0} dimensions`);
    // Ollama's /api/embed returns unit vectors.
    return { model: body.model, embeddings: r.vectors.map(normalized), total_duration: ns(performance.now() - t0), load_duration: ns(r.loadMs), prompt_eval_count: r.promptTokens };
  });

  app.post("/api/embeddings", async (req, reply) => {
    const body = parseBody(legacyEmbeddingsRequest, req.body);
    const { load } = optionsOf(body.options, body.keep_alive);
    const r = await runEmbed(pool, body.model, [body.prompt], load, new ResponseStream(reply.raw));
    return { embedding: Array.from(r.vectors[0]!) };
  });

  /** An empty request: load the model (keep_alive applied), or with keep_alive 0 unload it. */
  async function loadOrUnload(model: string, load: LoadOptions, answer: (reason: string) => object): Promise<object> {
    if (load.ttlSeconds === 0) {
      try {
        await pool.unload(model, false);
      } catch (err) {
        if (!(isCortexError(err) && err.code === "REG_NOT_FOUND" && /is not loaded/.test(err.message))) throw err;
      }
      return answer("unload");
    }
    await pool.load(model, load);
    return answer("load");
  }

  /** A generation answered as NDJSON lines (default) or one object (stream: false). */
  async function generateReply(
    reply: import("fastify").FastifyReply,
    streamed: boolean,
    model: string,
    input: GenerationInput,
    sampling: SamplingSpec,
    load: LoadOptions,
    piece: (text: string) => object,
    last: (run: GenerationRun, text: string) => object,
  ): Promise<object | void> {
    if (streamed) {
      return streamReply(reply, NDJSON_HEADERS, logger, async (out) => {
        const run = await runGeneration(pool, model, input, sampling, load, out, (text) => out.write(ndjsonLine(piece(text))));
        await out.write(ndjsonLine(last(run, "")));
      }, ollamaErrorBody, (f) => ndjsonLine(ollamaErrorBody(f)));
    }
    const gone = new ResponseStream(reply.raw);
    let text = "";
    const run = await runGeneration(pool, model, input, sampling, load, gone, (t) => {
      text += t;
    });
    return last(run, text);
  }
}

function normalized(v: Float32Array): number[] {
  let sum = 0;
  for (const x of v) sum += x * x;
  const n = Math.sqrt(sum) || 1;
  return Array.from(v, (x) => x / n);
}
