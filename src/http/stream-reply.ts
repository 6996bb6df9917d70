import type { FastifyReply } from "fastify";
import type { Logger } from "../log/logger.js";
import { httpFailure, type HttpFailure } from "./http-errors.js";
import { ResponseStream } from "./response-stream.js";

/**
 * Runs a streamed response: `run` writes events to the stream; an error before the first byte becomes an
 * ordinary error response (status, body); after it, `errorEvent` is the stream's last event. A client that went
 * away is not answered (its generation was cancelled through `out.signal`).
 */
export async function streamReply(
  reply: FastifyReply,
  headers: Record<string, string>,
  logger: Logger,
  run: (out: ResponseStream) => Promise<void>,
  errorBody: (f: HttpFailure) => unknown,
  errorEvent: (f: HttpFailure) => string,
): Promise<void> {
  const out = new ResponseStream(reply.raw, headers);
  reply.hijack();
  try {
    await run(out);
    out.end();
  } catch (err) {
    if (out.signal.aborted) {
      out.meter?.failed(httpFailure(err));
      return;
    }
    const f = httpFailure(err);
    out.meter?.failed(f);
    if (f.status >= 500) logger.warn({ code: f.error.code, err: f.error.message }, "HTTP stream failed");
    if (out.started) out.end(errorEvent(f));
    else out.fail(f.status, errorBody(f), f.retryAfter);
  }
}
