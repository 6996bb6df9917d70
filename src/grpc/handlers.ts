import { once } from "node:events";
import * as grpc from "@grpc/grpc-js";
import { CortexError } from "../errors/cortex-error.js";
import { invalidArgument } from "./enum-fields.js";
import { toGrpcError } from "./map-error.js";
import type { StreamRegistry } from "./stream-registry.js";

export type UnaryHandler<Req, Res> = (request: Req, call: grpc.ServerUnaryCall<Req, Res>) => Promise<Res>;

/** Wraps an async handler: one callback, errors mapped once. */
export function unary<Req, Res>(fn: UnaryHandler<Req, Res>): grpc.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    fn(call.request, call).then(
      (res) => callback(null, res),
      (err) => callback(toGrpcError(err)),
    );
  };
}

export interface StreamWriter<Res> {
  /** Resolves when the message is queued; waits for 'drain' when the client reads slowly. */
  write(message: Res): Promise<void>;
  /** Aborted when the client cancels, the deadline passes, or the daemon shuts down. */
  signal: AbortSignal;
}

/**
 * Server-streaming wrapper: backpressure (await drain), client cancel → AbortSignal, and shutdown ends the
 * stream with UNAVAILABLE. grpc-js fires 'cancelled' on every finished call, so a local flag tracks the end.
 */
export function serverStream<Req, Res>(
  registry: StreamRegistry,
  fn: (request: Req, out: StreamWriter<Res>, call: grpc.ServerWritableStream<Req, Res>) => Promise<void>,
): grpc.handleServerStreamingCall<Req, Res> {
  return (call) => {
    const controller = new AbortController();
    let finished = false;
    const end = (err?: unknown) => {
      if (finished) return;
      finished = true;
      unregister();
      if (err === undefined) call.end();
      else if (!call.cancelled) call.emit("error", toGrpcError(err));
    };
    const unregister = registry.add((reason) => {
      controller.abort(reason);
      end(reason);
    });
    call.on("cancelled", () => {
      if (!finished) controller.abort(new CortexError("JOB_CANCELLED", "client cancelled the call"));
      finished = true;
      unregister();
    });
    const out: StreamWriter<Res> = {
      signal: controller.signal,
      async write(message) {
        if (finished) return;
        if (!call.write(message)) {
          await Promise.race([once(call, "drain"), once(controller.signal as unknown as NodeJS.EventEmitter, "abort").catch(() => undefined)]);
        }
      },
    };
    fn(call.request, out, call).then(
      () => end(),
      (err) => end(err),
    );
  };
}

/** Reads a required non-empty string field, or INVALID_ARGUMENT naming it. */
export function requireString<T extends object>(request: T, field: keyof T & string, path: string = field): string {
  const value = (request as Record<string, unknown>)[field];
  if (typeof value !== "string" || value.trim() === "") throw invalidArgument(path, `${path} is required`);
  return value;
}
