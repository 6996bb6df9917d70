import { once } from "node:events";
import type { ServerResponse } from "node:http";
import { CortexError } from "../errors/cortex-error.js";
import { meterOf, type RequestMeter } from "./request-meter.js";

/**
 * A streamed HTTP response body (SSE or NDJSON) written to the raw socket. A write the socket cannot take at
 * once returns a promise that settles on "drain" (back-pressure reaches the generation, which joins the text
 * meanwhile); once the client has gone, writes reject and `signal` has aborted.
 */
export class ResponseStream {
  private readonly controller = new AbortController();
  /** The request's measurements (absent when metrics are off). */
  readonly meter: RequestMeter | undefined;

  /** `headers`: of the streamed response, written with its first bytes (an error before then gets its own status). */
  constructor(private readonly res: ServerResponse, private readonly headers: Record<string, string> = {}) {
    this.meter = meterOf(res);
    res.once("close", () => {
      if (!res.writableFinished) this.controller.abort(new CortexError("JOB_CANCELLED", "the client closed the connection"));
    });
  }

  /** Aborts when the client disconnects before the response has ended. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get started(): boolean {
    return this.res.headersSent;
  }

  private start(): void {
    this.res.writeHead(200, { "cache-control": "no-cache", "x-accel-buffering": "no", ...this.headers });
  }

  write(chunk: string): void | Promise<void> {
    if (this.signal.aborted) return Promise.reject(this.signal.reason);
    if (!this.res.headersSent) this.start();
    if (this.res.write(chunk)) return;
    return Promise.race([
      once(this.res, "drain").then(() => undefined),
      once(this.res, "close").then(() => {
        throw new CortexError("JOB_CANCELLED", "the client closed the connection");
      }),
    ]);
  }

  end(chunk?: string): void {
    if (this.res.writableEnded || this.res.destroyed) return;
    if (!this.res.headersSent) this.start();
    this.res.end(chunk);
  }

  /** An error before any byte was streamed: a plain JSON error response with its own status. */
  fail(status: number, body: unknown, retryAfter?: number): void {
    if (this.res.headersSent || this.res.destroyed) return;
    this.res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...(retryAfter ? { "retry-after": String(retryAfter) } : {}) });
    this.res.end(JSON.stringify(body));
  }
}

/** Server-sent events as OpenAI's SDKs read them: `data: <json>` and a blank line. */
export const sseEvent = (data: unknown): string => `data: ${JSON.stringify(data)}\n\n`;
export const SSE_DONE = "data: [DONE]\n\n";
export const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", connection: "keep-alive" };

/** Newline-delimited JSON as Ollama streams it: one object per line. */
export const ndjsonLine = (data: unknown): string => `${JSON.stringify(data)}\n`;
export const NDJSON_HEADERS = { "content-type": "application/x-ndjson" };
