import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import type { GenerationStats__Output } from "../grpc/generated/cortex/v1/GenerationStats.js";
import type { LoadOptions } from "../grpc/generated/cortex/v1/LoadOptions.js";
import type { SamplingOptions } from "../grpc/generated/cortex/v1/SamplingOptions.js";
import { CliError, EXIT_USAGE } from "./client.js";

/**
 * A model argument: a file that exists relative to the CLI's working directory travels as an absolute path
 * (the daemon has another cwd); anything else is a name the daemon resolves (under $CORTEX_HOME/models).
 */
export function modelArg(model: string): string {
  if (path.isAbsolute(model)) return model;
  const local = path.resolve(model);
  return fs.existsSync(local) ? local : model;
}

export interface LoadFlags {
  ctx?: string;
  gpuLayers?: string;
  ttl?: string;
  pin?: boolean;
  parallel?: string;
  threads?: string;
}

/** --ctx, --gpu-layers, --ttl, --parallel, --threads (and --pin where it makes sense). */
export function addLoadFlags(cmd: Command, withPin: boolean): Command {
  cmd
    .option("--ctx <tokens>", "context size per request (default: the daemon's contextSize, 4096 unless configured, or the model's if smaller)")
    .option("--gpu-layers <n>", "layers on the GPU: a number, 0 = CPU only, auto = as many as fit")
    .option("--ttl <seconds>", "keep-alive after the last request: seconds, -1 forever, 0 unload after the request")
    .option("--parallel <n>", "requests served at once (default: the daemon's parallel, 4 unless configured)")
    .option("--threads <n>", "CPU threads (default: the daemon's setting)");
  if (withPin) cmd.option("--pin", "never evict or expire this model (until `cortex unload`)");
  return cmd;
}

function int(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new CliError(`--${name} must be an integer ≥ ${min}, got "${v}"`, EXIT_USAGE);
  return n;
}

/** LoadOptions message from the flags (only what was given). */
export function loadOptionsMsg(f: LoadFlags): LoadOptions {
  const o: LoadOptions = {};
  const ctx = int("ctx", f.ctx, 16);
  if (ctx !== undefined) o.context_size = ctx;
  if (f.gpuLayers !== undefined) o.gpu_layers = f.gpuLayers === "auto" ? -1 : int("gpu-layers", f.gpuLayers, 0);
  const ttl = int("ttl", f.ttl, -1);
  if (ttl !== undefined) o.ttl_seconds = ttl;
  if (f.pin) o.pin = true;
  const parallel = int("parallel", f.parallel, 1);
  if (parallel !== undefined) o.parallel = parallel;
  const threads = int("threads", f.threads, 1);
  if (threads !== undefined) o.threads = threads;
  return o;
}

export interface SamplingFlags {
  temperature?: string;
  topP?: string;
  topK?: string;
  minP?: string;
  repeatPenalty?: string;
  seed?: string;
  maxTokens?: string;
  stop?: string[];
  format?: string;
}

export function addSamplingFlags(cmd: Command): Command {
  return cmd
    .option("--temperature <t>", "sampling temperature (default 0.8; 0 = greedy)")
    .option("--top-p <p>", "nucleus sampling (default 0.9)")
    .option("--top-k <k>", "top-k sampling (default 40)")
    .option("--min-p <p>", "min-p sampling (default 0)")
    .option("--repeat-penalty <r>", "repeat penalty (default 1.1; 1 = off)")
    .option("--seed <n>", "random seed")
    .option("--max-tokens <n>", "stop after n tokens (default: when the context is full)")
    .option("--stop <text...>", "stop sequences")
    .option("--format <schema>", "constrain output to a JSON schema (inline JSON, a file, or `json` for any object)");
}

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new CliError(`--${name} must be a number, got "${v}"`, EXIT_USAGE);
  return n;
}

export function samplingMsg(f: SamplingFlags): SamplingOptions {
  const o: SamplingOptions = { stop: f.stop ?? [] };
  const put = (k: "temperature" | "top_p" | "top_k" | "min_p" | "repeat_penalty" | "seed" | "max_tokens", v: number | undefined) => {
    if (v !== undefined) o[k] = v;
  };
  put("temperature", num("temperature", f.temperature));
  put("top_p", num("top-p", f.topP));
  put("top_k", int("top-k", f.topK, 0));
  put("min_p", num("min-p", f.minP));
  put("repeat_penalty", num("repeat-penalty", f.repeatPenalty));
  put("seed", int("seed", f.seed, 0));
  put("max_tokens", int("max-tokens", f.maxTokens, 0));
  if (f.format !== undefined) o.json_schema = schemaText(f.format);
  return o;
}

function schemaText(format: string): string {
  if (format === "json") return JSON.stringify({ type: "object" });
  if (fs.existsSync(format)) return fs.readFileSync(format, "utf8");
  return format;
}

export type GenerationStatsMsg = GenerationStats__Output;

/** Like `ollama run --verbose`: the numbers after a response. */
export function statsLines(s: GenerationStatsMsg): string {
  const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)}s` : `${n.toFixed(1)}ms`);
  return [
    `total:          ${ms(s.total_ms)}`,
    ...(s.load_ms > 0 ? [`load:           ${ms(s.load_ms)}`] : []),
    `queue:          ${ms(s.queue_ms)}`,
    `first token:    ${ms(s.time_to_first_token_ms)} (prompt eval ${ms(s.prompt_ms)})`,
    `prompt tokens:  ${s.prompt_tokens}`,
    `output tokens:  ${s.generated_tokens} (${s.finish_reason})`,
    `rate:           ${s.tokens_per_second.toFixed(1)} tokens/s`,
    ...(s.variant_reason ? [`variant:        ${s.variant} (${s.variant_reason})`] : []),
  ].join("\n");
}
