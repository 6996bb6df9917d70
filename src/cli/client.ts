import * as grpc from "@grpc/grpc-js";
import { clientConstructors, type ServiceName } from "../grpc/proto.js";

export interface Target {
  /** unix socket path, or host:port for TCP */
  socket?: string;
  address?: string;
  token?: string;
}

/** A CLI-side error: one line for the user and an exit code. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1, readonly grpcCode?: number) {
    super(message);
  }
}

type AnyClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;

/** Thin promise wrapper over the generated grpc-js clients; one channel per target. */
export class CortexClient {
  private readonly clients = new Map<ServiceName, AnyClient>();
  private readonly metadata = new grpc.Metadata();

  constructor(readonly target: Target) {
    // grpc-js refuses call credentials on an insecure channel, so the token travels as plain metadata (loopback).
    if (target.address && target.token) this.metadata.set("authorization", `Bearer ${target.token}`);
  }

  private client(service: ServiceName): AnyClient {
    let c = this.clients.get(service);
    if (!c) {
      const ctor = clientConstructors()[service];
      const address = this.target.address ?? `unix://${this.target.socket}`;
      c = new ctor(address, grpc.credentials.createInsecure(), { "grpc.enable_retries": 0 }) as unknown as AnyClient;
      this.clients.set(service, c);
    }
    return c;
  }

  unary<Res = Record<string, unknown>>(service: ServiceName, method: string, request: object = {}, timeoutMs = 30_000): Promise<Res> {
    const c = this.client(service);
    return new Promise((resolve, reject) => {
      c[method]!.call(c, request, this.metadata, { deadline: Date.now() + timeoutMs }, (err: grpc.ServiceError | null, res: Res) => {
        if (err) reject(this.explain(err));
        else resolve(res);
      });
    });
  }

  stream<Res = Record<string, unknown>>(service: ServiceName, method: string, request: object = {}): grpc.ClientReadableStream<Res> {
    const c = this.client(service);
    return c[method]!.call(c, request, this.metadata) as grpc.ClientReadableStream<Res>;
  }

  /** Turns transport errors into a sentence that says what to do. */
  explain(err: grpc.ServiceError): CliError {
    // A daemon's own UNAVAILABLE (e.g. Redis down) carries its error code; only a transport failure means "not running".
    const fromDaemon = (err.metadata?.get("cortex-error-code").length ?? 0) > 0;
    if (err.code === grpc.status.UNAVAILABLE && !fromDaemon && /No connection established|ECONNREFUSED|ENOENT|connect/i.test(err.details ?? err.message)) {
      const where = this.target.address ?? this.target.socket;
      return new CliError(`cortexd is not running (nothing answers on ${where}). Start it with \`cortex daemon\` (or \`npm start\`), or install it as a service: \`cortex service install\``, 69, err.code);
    }
    const name = (grpc.status as unknown as Record<number, string>)[err.code] ?? String(err.code);
    return new CliError(`${name}: ${err.details || err.message}`, 1, err.code);
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
  }
}
