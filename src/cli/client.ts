import crypto from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { ContractError, CortexClient as WireClient, type MethodOf, type RequestOf, type ResponseOf, type ServiceName, type Target } from "../grpc/client.js";
import type { StatusName } from "../errors/codes.js";

export type { Target };

/** RPCs that start a job: sent with an idempotency key, retried with it (CortexClient.submit). */
const SUBMITS = new Set(["PullModel", "ConvertModel", "QuantizeModel", "FuseAdapter"]);
const SUBMIT_TRIES = 3;

/** sysexits: a command line that cannot be right (bad flag value, missing argument). */
export const EXIT_USAGE = 64;
/** sysexits: the daemon is not there. */
export const EXIT_UNAVAILABLE = 69;

/** A CLI-side error: one line for the user, an exit code, and for --json the cortex code and status name. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly grpcCode?: number,
    readonly code = exitCode === EXIT_USAGE ? "CLI_USAGE" : "CLI_ERROR",
    readonly status: StatusName | "OK" | "UNKNOWN" | "DEADLINE_EXCEEDED" | "ABORTED" | "OUT_OF_RANGE" = exitCode === EXIT_USAGE ? "INVALID_ARGUMENT" : "UNKNOWN",
  ) {
    super(message);
  }
}

/** The wire client with the CLI's view of failures: every error becomes a CliError that says what to do. */
export class CortexClient extends WireClient {
  override async unary<S extends ServiceName, M extends MethodOf<S>>(service: S, rpc: M, request: RequestOf<S, M>, timeoutMs = 30_000): Promise<ResponseOf<S, M>> {
    if (service === "cortex.v1.JobService" && SUBMITS.has(String(rpc))) return this.submit(service, rpc, request, timeoutMs);
    try {
      return await super.unary(service, rpc, request, timeoutMs);
    } catch (err) {
      throw this.explain(err);
    }
  }

  /**
   * A job submit that fails "maybe" (Redis did not answer, the deadline passed) may still have queued the job. Each
   * command sends one idempotency key and retries with it, so a retry joins that job instead of starting a second.
   */
  private async submit<S extends ServiceName, M extends MethodOf<S>>(service: S, rpc: M, request: RequestOf<S, M>, timeoutMs: number): Promise<ResponseOf<S, M>> {
    const keyed = { ...(request as object), idempotency_key: (request as { idempotency_key?: string }).idempotency_key || crypto.randomUUID() } as RequestOf<S, M>;
    for (let attempt = 1; ; attempt++) {
      try {
        return await super.unary(service, rpc, keyed, timeoutMs);
      } catch (err) {
        const e = err as grpc.ServiceError;
        const maybe = e?.code === grpc.status.DEADLINE_EXCEEDED || (e?.code === grpc.status.UNAVAILABLE && e.metadata?.get("cortex-error-code")[0] === "REDIS_UNAVAILABLE");
        if (!maybe || attempt >= SUBMIT_TRIES) throw this.explain(err);
        await new Promise((r) => setTimeout(r, 1000 * attempt));
      }
    }
  }

  /** Turns contract and transport errors into a sentence that says what to do. */
  explain(err: unknown): CliError {
    if (err instanceof CliError) return err;
    if (err instanceof ContractError) return new CliError(err.message, EXIT_USAGE);
    const e = err as grpc.ServiceError;
    if (typeof e?.code !== "number") return new CliError(err instanceof Error ? err.message : String(err));
    // A daemon's own UNAVAILABLE (e.g. Redis down) carries its error code; only a transport failure means "not running".
    const cortexCode = e.metadata?.get("cortex-error-code")[0];
    const status = (grpc.status as unknown as Record<number, CliError["status"]>)[e.code] ?? "UNKNOWN";
    if (e.code === grpc.status.UNAVAILABLE && cortexCode === undefined && /No connection established|ECONNREFUSED|ENOENT|connect/i.test(e.details ?? e.message)) {
      const where = this.target.address ?? this.target.socket;
      return new CliError(`cortexd is not running (nothing answers on ${where}). Start it with \`cortex daemon\` (or \`npm start\`), or install it as a service: \`cortex service install\``, EXIT_UNAVAILABLE, e.code, "DAEMON_UNAVAILABLE", status);
    }
    return new CliError(`${status}: ${e.details || e.message}`, 1, e.code, typeof cortexCode === "string" ? cortexCode : status, status);
  }
}
