import { z } from "zod";
import { CortexError } from "../../errors/cortex-error.js";
import type { SamplingSpec } from "../../inference/engine/engine-types.js";
import type { LoadOptions } from "../../inference/scheduler/prepare-load.js";
import { unsupported } from "../parse-body.js";

const GO_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, "µs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/**
 * Ollama's keep_alive: seconds as a number, or a Go duration ("5m", "1h30m", "300ms", "-1"); negative = forever,
 * 0 = unload after the request. Returns the pool's TTL in whole seconds (-1 forever).
 */
export function keepAliveSeconds(v: string | number): number {
  if (typeof v === "number") return v < 0 ? -1 : Math.ceil(v);
  const t = v.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return keepAliveSeconds(Number(t));
  const neg = t.startsWith("-");
  const body = neg ? t.slice(1) : t;
  const parts = [...body.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== body) {
    throw new CortexError("REQ_INVALID_ARGUMENT", `keep_alive "${v}" is not a duration (e.g. 5m, 1h, 30s, -1 or a number of seconds)`, { details: { field: "keep_alive" } });
  }
  const seconds = parts.reduce((acc, p) => acc + Number(p[1]) * GO_UNITS[p[2]!]!, 0);
  return neg ? -1 : Math.ceil(seconds);
}

const options = z
  .object({
    num_ctx: z.number().int().min(16).max(1 << 20),
    num_thread: z.number().int().min(1).max(1024),
    num_gpu: z.number().int().min(-1),
    temperature: z.number().min(0).max(100),
    top_k: z.number().int().min(0),
    top_p: z.number().min(0).max(1),
    min_p: z.number().min(0).max(1),
    repeat_penalty: z.number().min(0.01).max(100),
    frequency_penalty: z.number().min(-2).max(2),
    presence_penalty: z.number().min(-2).max(2),
    num_predict: z.number().int().min(-2),
    stop: z.array(z.string().min(1)).max(16),
    seed: z.number().int(),
  })
  .partial()
  .catchall(z.unknown());

const keepAlive = z.union([z.string(), z.number()]).optional();
const format = z.union([z.literal(""), z.literal("json"), z.record(z.string(), z.unknown())]).optional();

export const toolCall = z.object({ function: z.object({ name: z.string(), arguments: z.record(z.string(), z.unknown()) }) });

export const chatRequest = z.object({
  model: z.string().min(1),
  messages: z.array(z.object({ role: z.enum(["system", "user", "assistant", "tool"]), content: z.string().default(""), images: z.array(z.string()).optional(), tool_calls: z.array(toolCall).optional(), tool_name: z.string().optional() })).optional(),
  tools: z.array(z.object({ type: z.literal("function"), function: z.object({ name: z.string(), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional() }) })).optional(),
  format,
  options: options.optional(),
  stream: z.boolean().optional(),
  keep_alive: keepAlive,
  think: z.union([z.boolean(), z.string()]).optional(),
});
export type OllamaChatRequest = z.output<typeof chatRequest>;

export const generateRequest = z.object({
  model: z.string().min(1),
  prompt: z.string().optional(),
  suffix: z.string().optional(),
  system: z.string().optional(),
  template: z.string().optional(),
  raw: z.boolean().optional(),
  images: z.array(z.string()).optional(),
  context: z.array(z.number()).optional(),
  format,
  options: options.optional(),
  stream: z.boolean().optional(),
  keep_alive: keepAlive,
  think: z.union([z.boolean(), z.string()]).optional(),
});

export const embedRequest = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1).max(4096)]),
  truncate: z.boolean().optional(),
  options: options.optional(),
  keep_alive: keepAlive,
  dimensions: z.number().int().min(1).optional(),
});

export const legacyEmbeddingsRequest = z.object({ model: z.string().min(1), prompt: z.string(), options: options.optional(), keep_alive: keepAlive });

/** `model`, or the older `name` (ollama-js still sends it for pull and delete). */
export const namedRequest = z.object({ model: z.string().min(1).optional(), name: z.string().min(1).optional(), stream: z.boolean().optional(), insecure: z.boolean().optional(), verbose: z.boolean().optional() });

export function modelOf(r: { model?: string | undefined; name?: string | undefined }): string {
  const m = r.model ?? r.name;
  if (!m) throw new CortexError("REQ_INVALID_ARGUMENT", "model is required", { details: { field: "model" } });
  return m;
}

const MAPPED = new Set(["num_ctx", "num_thread", "num_gpu", "temperature", "top_k", "top_p", "min_p", "repeat_penalty", "frequency_penalty", "presence_penalty", "num_predict", "stop", "seed"]);

/** Ollama options → sampling and load settings. An option cortexd does not apply is refused by name. */
export function optionsOf(o: z.output<typeof options> | undefined, keep: string | number | undefined): { sampling: SamplingSpec; load: LoadOptions } {
  const opt = o ?? {};
  for (const k of Object.keys(opt)) if (!MAPPED.has(k)) throw unsupported(`options.${k}`, `cortexd applies ${[...MAPPED].join(", ")}`);
  const sampling: SamplingSpec = { maxTokens: opt.num_predict === undefined || opt.num_predict < 0 ? 0 : opt.num_predict, stop: opt.stop ?? [] };
  if (opt.temperature !== undefined) sampling.temperature = opt.temperature;
  if (opt.top_k !== undefined) sampling.topK = opt.top_k;
  if (opt.top_p !== undefined) sampling.topP = opt.top_p;
  if (opt.min_p !== undefined) sampling.minP = opt.min_p;
  if (opt.repeat_penalty !== undefined) sampling.repeatPenalty = opt.repeat_penalty;
  if (opt.seed !== undefined) sampling.seed = opt.seed;
  if (opt.frequency_penalty) sampling.frequencyPenalty = opt.frequency_penalty;
  if (opt.presence_penalty) sampling.presencePenalty = opt.presence_penalty;
  const load: LoadOptions = {};
  if (opt.num_ctx !== undefined) load.contextSize = opt.num_ctx;
  if (opt.num_thread !== undefined) load.threads = opt.num_thread;
  if (opt.num_gpu !== undefined) load.gpuLayers = opt.num_gpu < 0 ? "auto" : opt.num_gpu;
  if (keep !== undefined) load.ttlSeconds = keepAliveSeconds(keep);
  return { sampling, load };
}

/** Ollama's `format`: "json" = any JSON object; an object = a JSON schema; the grammar enforces either. */
export function formatSchema(f: z.output<typeof format>): string | undefined {
  if (f === undefined || f === "") return undefined;
  return JSON.stringify(f === "json" ? { type: "object", additionalProperties: true } : f);
}
