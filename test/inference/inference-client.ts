import * as grpc from "@grpc/grpc-js";
import type { CortexClient } from "../../src/cli/client.js";
import type { MethodOf, RequestOf, ResponseOf } from "../../src/grpc/client.js";

export interface Stats {
  prompt_tokens: number;
  generated_tokens: number;
  time_to_first_token_ms: number;
  tokens_per_second: number;
  load_ms: number;
  total_ms: number;
  finish_reason: string;
  queue_ms: number;
  prompt_ms: number;
  variant: string;
  variant_reason: string;
}

export interface StreamResult {
  text: string;
  messages: number;
  stats: Stats;
}

export interface LoadedModel {
  model: string;
  path: string;
  state: string;
  memory_bytes: number;
  estimated_memory_bytes: number;
  process_rss_bytes: number;
  runner_pid: number;
  pinned: boolean;
  ttl_seconds: number;
  expires_at: string;
  active_requests: number;
  queued_requests: number;
  context_size: number;
  parallel: number;
  tokens_per_second: number;
  requests_served: number;
  variant: string;
  variant_reason: string;
}

const SVC = "cortex.v1.InferenceService";

/** Runs a Generate or Chat stream to its end. */
export function stream(client: CortexClient, method: "Generate" | "Chat", request: object, opts: { onMessage?: (m: { text: string }, call: grpc.ClientReadableStream<unknown>) => void } = {}): Promise<StreamResult> {
  const call = client.stream(SVC, method, request);
  let text = "";
  let messages = 0;
  let stats: Stats | undefined;
  return new Promise((resolve, reject) => {
    call.on("data", (m) => {
      messages++;
      text += m.text;
      if (m.stats) stats = m.stats;
      opts.onMessage?.(m, call as grpc.ClientReadableStream<unknown>);
    });
    call.on("error", reject);
    call.on("end", () => (stats ? resolve({ text, messages, stats }) : reject(new Error("stream ended without stats"))));
  });
}

export async function listModels(client: CortexClient): Promise<{ models: LoadedModel[]; budget_bytes: number; used_bytes: number }> {
  return client.unary(SVC, "ListLoadedModels", {});
}

export function call<M extends MethodOf<typeof SVC>>(client: CortexClient, method: M, request: RequestOf<typeof SVC, M>, timeoutMs = 120_000): Promise<ResponseOf<typeof SVC, M>> {
  return client.unary(SVC, method, request, timeoutMs);
}

/** The raw gRPC error of a failed call (CortexClient turns it into a CliError with the code kept). */
export function grpcCode(err: unknown): number | undefined {
  return (err as { grpcCode?: number; code?: number }).grpcCode ?? (err as { code?: number }).code;
}

/** The cortex-error-code trailer of a stream error. */
export function cortexCode(err: unknown): string | undefined {
  const md = (err as { metadata?: grpc.Metadata }).metadata;
  return md?.get("cortex-error-code")[0]?.toString();
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
