import fs from "node:fs";
import * as grpc from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import { ReflectionService } from "@grpc/reflection";
import { CortexError } from "../errors/cortex-error.js";
import type { Logger } from "../log/logger.js";
import { createAuthInterceptor } from "./auth-interceptor.js";
import { loadProtos, SERVICE_NAMES, serviceDefinition, type ServiceName } from "./proto.js";
import type { InferenceServiceHandlers } from "./generated/cortex/v1/InferenceService.js";
import type { JobServiceHandlers } from "./generated/cortex/v1/JobService.js";
import type { ModelServiceHandlers } from "./generated/cortex/v1/ModelService.js";
import { StreamRegistry } from "./stream-registry.js";

/** Each service's handlers, typed by the generated contract; what a module leaves out answers UNIMPLEMENTED. */
export interface ServiceImplementations {
  "cortex.v1.ModelService": Partial<ModelServiceHandlers>;
  "cortex.v1.JobService": Partial<JobServiceHandlers>;
  "cortex.v1.InferenceService": Partial<InferenceServiceHandlers>;
}

/** PEM bytes for the TCP listener: certificate chain and key, and a CA for client certificates (mTLS). */
export interface TcpTls {
  cert: Buffer;
  key: Buffer;
  clientCa?: Buffer;
}

export interface GrpcServerOptions {
  socketPath: string;
  tcp?: { address: string; token: string; tls?: TcpTls };
  logger: Logger;
}

const SERVER_OPTIONS: grpc.ServerOptions = {
  // Detect dead clients of long watch/generate streams.
  "grpc.keepalive_time_ms": 30_000,
  "grpc.keepalive_timeout_ms": 10_000,
  "grpc.max_receive_message_length": 64 * 1024 * 1024,
};

/**
 * The control plane: one server on the unix socket (0600, no token) and, when asked, one on TCP that requires
 * the bearer token. Both serve the cortex.v1 services, grpc.health.v1 and reflection (v1 and v1alpha).
 */
export class GrpcServers {
  readonly health = new HealthImplementation({ "": "NOT_SERVING", ...Object.fromEntries(SERVICE_NAMES.map((s) => [s, "NOT_SERVING"])) });
  readonly streams = new StreamRegistry();
  private readonly servers: grpc.Server[] = [];
  readonly listeners: string[] = [];

  constructor(private readonly opts: GrpcServerOptions) {}

  async start(impls: ServiceImplementations): Promise<void> {
    const { logger } = this.opts;
    const unixServer = this.createServer(impls, []);
    // Bind with a tight umask so the socket is never briefly connectable by others, then pin 0600.
    const oldMask = process.umask(0o077);
    try {
      await bind(unixServer, `unix://${this.opts.socketPath}`, this.opts.socketPath);
    } finally {
      process.umask(oldMask);
    }
    fs.chmodSync(this.opts.socketPath, 0o600);
    this.listeners.push(`unix://${this.opts.socketPath}`);

    if (this.opts.tcp) {
      const tcpServer = this.createServer(impls, [createAuthInterceptor(this.opts.tcp.token, logger)]);
      const tls = this.opts.tcp.tls;
      const credentials = tls
        ? grpc.ServerCredentials.createSsl(tls.clientCa ?? null, [{ cert_chain: tls.cert, private_key: tls.key }], Boolean(tls.clientCa))
        : grpc.ServerCredentials.createInsecure();
      const port = await bind(tcpServer, this.opts.tcp.address, this.opts.tcp.address, credentials);
      const host = this.opts.tcp.address.replace(/:\d+$/, "");
      this.listeners.push(`${tls ? "tls://" : ""}${host}:${port}`);
    }
    logger.info({ listeners: this.listeners }, "gRPC listening");
  }

  setServing(serving: boolean): void {
    const status = serving ? "SERVING" : "NOT_SERVING";
    this.health.setStatus("", status);
    for (const name of SERVICE_NAMES) this.health.setStatus(name, status);
  }

  /** NOT_SERVING → end open streams with UNAVAILABLE → tryShutdown, forced after the timeout. */
  async stop(timeoutMs: number): Promise<void> {
    this.setServing(false);
    this.streams.closeAll();
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => server.forceShutdown(), timeoutMs);
            server.tryShutdown(() => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
  }

  private createServer(impls: ServiceImplementations, interceptors: grpc.ServerInterceptor[]): grpc.Server {
    const server = new grpc.Server({ ...SERVER_OPTIONS, interceptors });
    for (const name of SERVICE_NAMES) server.addService(serviceDefinition(name), withUnimplemented(name, impls[name]));
    this.health.addToServer(server);
    new ReflectionService(loadProtos().withHealth).addToServer(server);
    this.servers.push(server);
    return server;
  }
}

function bind(server: grpc.Server, address: string, shown: string, credentials = grpc.ServerCredentials.createInsecure()): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (err, port) => {
      if (!err) return resolve(port);
      const inUse = /EADDRINUSE/.test(err.message);
      reject(
        new CortexError(
          inUse ? "DAEMON_ADDRESS_IN_USE" : "DAEMON_UNAVAILABLE",
          inUse ? `cannot listen on ${shown}: address already in use` : `cannot listen on ${shown}: ${err.message}`,
        ),
      );
    });
  });
}

/** Methods a module has not implemented answer UNIMPLEMENTED naming the RPC. */
function withUnimplemented(name: ServiceName, impl: ServiceImplementations[ServiceName]): grpc.UntypedServiceImplementation {
  const out: grpc.UntypedServiceImplementation = {};
  for (const [method, handler] of Object.entries(impl)) if (handler) out[method] = handler;
  for (const [method, def] of Object.entries(serviceDefinition(name))) {
    if (out[method]) continue;
    const details = `${name}/${method} is not implemented by this cortexd`;
    out[method] = def.responseStream
      ? (call: grpc.ServerWritableStream<unknown, unknown>) => call.emit("error", { code: grpc.status.UNIMPLEMENTED, details })
      : (_call: unknown, callback: grpc.sendUnaryData<unknown>) => callback({ code: grpc.status.UNIMPLEMENTED, details });
  }
  return out;
}
