import { CortexError } from "../../errors/cortex-error.js";
import type { ChatTurn, SamplingSpec, ToolSpec } from "../../inference/engine/engine-types.js";
import type { ToolChoice } from "../../inference/tools/tool-choice.js";
import type { LoadedModelView } from "../../inference/scheduler/model-entry.js";
import type { LoadOptions } from "../../inference/scheduler/prepare-load.js";
import type { LoadedModel } from "../generated/cortex/v1/LoadedModel.js";
import type { LoadOptions__Output } from "../generated/cortex/v1/LoadOptions.js";
import type { SamplingOptions__Output } from "../generated/cortex/v1/SamplingOptions.js";

/** Wire shapes: the generated output types (proto-loader with keepCase, longs as numbers, optional fields absent when unset). */
export type LoadOptionsMsg = LoadOptions__Output;
export type SamplingMsg = SamplingOptions__Output;

const MAX_STOP = 16;

/** LoadOptions from the wire, validated; absent fields stay absent (the pool fills defaults). */
export function parseLoadOptions(m: Partial<LoadOptionsMsg> | null | undefined, field = "load"): LoadOptions {
  if (!m) return {};
  const o: LoadOptions = {};
  if (m.context_size) {
    if (m.context_size < 16 || m.context_size > 1 << 20) throw new CortexError("REQ_INVALID_ARGUMENT", `${field}.context_size ${m.context_size} is out of range (16 to 1048576)`);
    o.contextSize = m.context_size;
  }
  if (m.gpu_layers !== undefined && m.gpu_layers !== null) {
    if (m.gpu_layers < -1) throw new CortexError("REQ_INVALID_ARGUMENT", `${field}.gpu_layers ${m.gpu_layers} is invalid (-1 = auto, 0 = CPU, n layers)`);
    o.gpuLayers = m.gpu_layers === -1 ? "auto" : m.gpu_layers;
  }
  if (m.ttl_seconds !== undefined && m.ttl_seconds !== null) {
    if (m.ttl_seconds < -1) throw new CortexError("REQ_INVALID_ARGUMENT", `${field}.ttl_seconds ${m.ttl_seconds} is invalid (-1 forever, 0 unload after the request, or seconds)`);
    o.ttlSeconds = m.ttl_seconds;
  }
  if (m.pin) o.pin = true;
  if (m.parallel) {
    if (m.parallel > 64) throw new CortexError("REQ_INVALID_ARGUMENT", `${field}.parallel ${m.parallel} exceeds the limit of 64`);
    o.parallel = m.parallel;
  }
  if (m.threads) {
    if (m.threads > 1024) throw new CortexError("REQ_INVALID_ARGUMENT", `${field}.threads ${m.threads} is out of range`);
    o.threads = m.threads;
  }
  return o;
}

function range(name: string, v: number | undefined, lo: number, hi: number): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Number.isFinite(v) || v < lo || v > hi) throw new CortexError("REQ_INVALID_ARGUMENT", `sampling.${name} ${v} is out of range (${lo} to ${hi})`);
  return v;
}

/** SamplingOptions from the wire, validated (every bad value names its field). */
export function parseSampling(m: Partial<SamplingMsg> | null | undefined): SamplingSpec {
  const s: Partial<SamplingMsg> = m ?? {};
  const stop = s.stop ?? [];
  if (stop.length > MAX_STOP) throw new CortexError("REQ_INVALID_ARGUMENT", `sampling.stop has ${stop.length} sequences (at most ${MAX_STOP})`);
  stop.forEach((x, i) => {
    if (x === "") throw new CortexError("REQ_INVALID_ARGUMENT", `sampling.stop[${i}] is empty`);
  });
  const spec: SamplingSpec = { maxTokens: s.max_tokens ?? 0, stop };
  const set = <K extends keyof SamplingSpec>(k: K, v: SamplingSpec[K] | undefined) => {
    if (v !== undefined) spec[k] = v;
  };
  set("temperature", range("temperature", s.temperature, 0, 100));
  set("topP", range("top_p", s.top_p, 0, 1));
  set("topK", range("top_k", s.top_k, 0, 1_000_000));
  set("minP", range("min_p", s.min_p, 0, 1));
  set("repeatPenalty", range("repeat_penalty", s.repeat_penalty, 0.01, 100));
  set("seed", s.seed ?? undefined);
  if (s.json_schema) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(s.json_schema);
    } catch (err) {
      throw new CortexError("REQ_INVALID_ARGUMENT", `sampling.json_schema is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new CortexError("REQ_INVALID_ARGUMENT", "sampling.json_schema must be a JSON object (a JSON schema)");
    spec.jsonSchema = s.json_schema;
  }
  return spec;
}

const ROLES = new Set(["system", "user", "assistant", "tool"]);

type ToolCallMsg = { id?: string; name?: string; arguments_json?: string };

/** Chat messages, roles checked; "" role is refused by name rather than guessed. Tool calls keep their JSON. */
export function parseMessages(messages: { role?: string; content?: string; tool_calls?: ToolCallMsg[]; tool_call_id?: string }[] | undefined): ChatTurn[] {
  return (messages ?? []).map((m, i) => {
    const role = (m.role ?? "").toLowerCase();
    if (!ROLES.has(role)) throw new CortexError("REQ_INVALID_ARGUMENT", `messages[${i}].role "${m.role ?? ""}" must be system, user, assistant or tool`);
    const turn: ChatTurn = { role: role as ChatTurn["role"], content: m.content ?? "" };
    if (m.tool_calls?.length) {
      if (role !== "assistant") throw new CortexError("REQ_INVALID_ARGUMENT", `messages[${i}].tool_calls: only an assistant message makes tool calls`);
      turn.toolCalls = m.tool_calls.map((c, k) => {
        const field = `messages[${i}].tool_calls[${k}]`;
        if (!c.name) throw new CortexError("REQ_INVALID_ARGUMENT", `${field}.name is required`);
        jsonObject(c.arguments_json || "{}", `${field}.arguments_json`);
        return { id: c.id || `call_${i}_${k}`, name: c.name, arguments: c.arguments_json || "{}" };
      });
    }
    if (m.tool_call_id) turn.toolCallId = m.tool_call_id;
    return turn;
  });
}

function jsonObject(text: string, field: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new CortexError("REQ_INVALID_ARGUMENT", `${field} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new CortexError("REQ_INVALID_ARGUMENT", `${field} must be a JSON object`);
  return v as Record<string, unknown>;
}

/** ChatRequest tools and tool_choice ("" = auto). */
export function parseTools(tools: { name?: string; description?: string; parameters_json?: string }[] | undefined, choice: string | undefined): { tools: ToolSpec[]; choice: ToolChoice } {
  const specs = (tools ?? []).map((t, i): ToolSpec => {
    if (!t.name || !/^[A-Za-z0-9_.-]{1,64}$/.test(t.name)) throw new CortexError("REQ_INVALID_ARGUMENT", `tools[${i}].name "${t.name ?? ""}" must be 1 to 64 letters, digits, _ . -`);
    return { name: t.name, ...(t.description ? { description: t.description } : {}), ...(t.parameters_json ? { parameters: jsonObject(t.parameters_json, `tools[${i}].parameters_json`) } : {}) };
  });
  const c = choice ?? "";
  const kind: ToolChoice = c === "" || c === "auto" ? { kind: "auto" } : c === "none" ? { kind: "none" } : c === "required" ? { kind: "required" } : { kind: "function", name: c };
  return { tools: specs, choice: kind };
}

/** LoadedModel on the wire. */
export function loadedModelMsg(v: LoadedModelView): LoadedModel {
  return {
    model: v.model,
    path: v.path,
    context_size: v.contextSize,
    memory_bytes: v.memoryBytes,
    estimated_memory_bytes: v.estimatedMemoryBytes,
    expires_at: v.expiresAt,
    pinned: v.pinned,
    active_requests: v.activeRequests,
    queued_requests: v.queuedRequests,
    tokens_per_second: v.tokensPerSecond,
    loaded_at: v.loadedAt,
    load_seconds: v.loadSeconds,
    variant: v.variant,
    variant_reason: v.variantReason,
    gpu_layers: v.gpuLayers,
    state: v.state,
    parallel: v.parallel,
    runner_pid: v.runnerPid,
    process_rss_bytes: v.processRssBytes,
    vram_bytes: v.vramBytes,
    ttl_seconds: v.ttlSeconds,
    requests_served: v.requestsServed,
  };
}
