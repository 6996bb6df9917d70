import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { CortexError } from "../errors/cortex-error.js";
import type { Logger } from "../log/logger.js";
import type { HttpDeps } from "./http-deps.js";
import { httpFailure, ollamaErrorBody, openAiErrorBody, type HttpFailure } from "./http-errors.js";
import { checkRequest, type GuardOptions } from "./request-guard.js";
import { attachMeter, meterOf, RequestMeter } from "./request-meter.js";
import type { Api, Metrics } from "../metrics/metrics.js";
import { registerOpenAi } from "./openai/openai-routes.js";
import { registerOllama } from "./ollama/ollama-routes.js";

export interface HttpServerOptions extends GuardOptions {
  /** host:port */
  address: string;
  logger: Logger;
  /** Served at GET /metrics; inference requests are measured into it. */
  metrics?: Metrics;
}

/** The inference endpoints that are measured, and the API each belongs to. */
const METERED: Record<string, Api> = {
  "/v1/chat/completions": "openai",
  "/v1/completions": "openai",
  "/v1/embeddings": "openai",
  "/v1/responses": "openai",
  "/api/chat": "ollama",
  "/api/generate": "ollama",
  "/api/embed": "ollama",
  "/api/embeddings": "ollama",
};

/** Requests carry whole chat histories and embedding batches. */
const BODY_LIMIT = 64 * 1024 * 1024;

/** The OpenAI-compatible (`/v1`) and Ollama-compatible (`/api`) HTTP APIs on the daemon's pool. */
export class HttpServer {
  private readonly app: FastifyInstance;
  address = "";

  constructor(private readonly opts: HttpServerOptions, deps: HttpDeps) {
    const app = Fastify({ bodyLimit: BODY_LIMIT, forceCloseConnections: true, return503OnClosing: true });
    this.app = app;
    app.addHook("onRequest", async (req, reply) => {
      const cors = checkRequest(opts, { method: req.method, path: req.url.split("?")[0]!, host: req.headers.host, origin: req.headers.origin, authorization: req.headers.authorization });
      // On the raw response: streamed replies (hijacked) write their own head, which then includes these.
      for (const [k, v] of Object.entries(cors)) reply.raw.setHeader(k, v);
      const endpoint = req.url.split("?")[0]!;
      const api = METERED[endpoint];
      if (opts.metrics && api && req.method === "POST") {
        attachMeter(reply.raw, new RequestMeter(opts.metrics, api, endpoint, () => modelLabel(req.body)));
      }
    });
    if (opts.metrics) {
      const metrics = opts.metrics;
      app.get("/metrics", async (_req, reply) => reply.type(metrics.contentType).send(await metrics.text()));
    }
    app.options("*", async (req, reply) => {
      reply.header("access-control-allow-methods", "GET, POST, DELETE, OPTIONS").header("access-control-allow-headers", req.headers["access-control-request-headers"] ?? "authorization, content-type").header("access-control-max-age", "600");
      return reply.code(204).send();
    });
    app.setErrorHandler((err: FastifyError, req, reply) => {
      const f = failureOf(err);
      meterOf(reply.raw)?.failed(f);
      return sendError(req, reply, f, opts.logger);
    });
    app.setNotFoundHandler((req, reply) => sendError(req, reply, httpFailure(new CortexError("REG_NOT_FOUND", `no route ${req.method} ${req.url.split("?")[0]}`)), opts.logger));
    registerOpenAi(app, deps);
    registerOllama(app, deps);
  }

  async start(): Promise<void> {
    const { host, port } = splitAddress(this.opts.address);
    try {
      await this.app.listen({ host, port });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") throw new CortexError("DAEMON_ADDRESS_IN_USE", `HTTP address ${this.opts.address} is in use`);
      throw err;
    }
    const a = this.app.server.address();
    this.address = a && typeof a === "object" ? `${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}` : this.opts.address;
  }

  /** Stops accepting, then closes open connections (streams in flight are cancelled by their close). */
  async stop(): Promise<void> {
    await this.app.close();
  }
}

function modelLabel(body: unknown): string {
  const m = (body as { model?: unknown } | undefined)?.model;
  return typeof m === "string" ? m.slice(0, 200) : "";
}

function splitAddress(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  if (!m) throw new CortexError("CFG_INVALID", `http address "${address}" must be host:port`);
  return { host: m[1]!, port: Number(m[2]) };
}

/** Fastify's own errors (a body that is not JSON, too large) keep their status; ours map through the taxonomy. */
function failureOf(err: FastifyError): HttpFailure {
  if (err.name !== "CortexError" && typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500) {
    return { status: err.statusCode, error: new CortexError("REQ_INVALID_ARGUMENT", err.message) };
  }
  return httpFailure(err);
}

/** An error in the dialect of the path: Ollama's `{"error": "..."}` under /api, OpenAI's shape elsewhere. */
export function sendError(req: FastifyRequest, reply: FastifyReply, f: HttpFailure, logger: Logger): FastifyReply {
  if (f.status >= 500) logger.warn({ method: req.method, path: req.url.split("?")[0], code: f.error.code, err: f.error.message }, "HTTP request failed");
  if (f.retryAfter) reply.header("retry-after", String(f.retryAfter));
  return reply.code(f.status).send(req.url.startsWith("/api/") ? ollamaErrorBody(f) : openAiErrorBody(f));
}
