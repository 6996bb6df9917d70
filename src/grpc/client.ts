import * as grpc from "@grpc/grpc-js";
import descriptor from "./generated/descriptor.json" with { type: "json" };
import type { InferenceServiceClient, InferenceServiceDefinition } from "./generated/cortex/v1/InferenceService.js";
import type { JobServiceClient, JobServiceDefinition } from "./generated/cortex/v1/JobService.js";
import type { ModelServiceClient, ModelServiceDefinition } from "./generated/cortex/v1/ModelService.js";
import { SERVICE_NAMES, type ServiceName } from "./service-names.js";
import { ContractError, decode, encode, WireCodec, type DescriptorNamespace } from "./wire-codec.js";

export { ContractError };

/**
 * The typed client of the cortex.v1 contract, for the CLI, tests and benches. It encodes from the generated
 * descriptor (wire-codec.ts: no .proto parsing, no proto-loader, no protobufjs reflection, so a client pays
 * little to start) into the shapes the daemon's loader options give. Enum values are checked while encoding:
 * protobufjs would silently encode an unknown name as 0 (UNSPECIFIED), which once turned
 * `clean --quantization 4bit` into "every model".
 */
interface Definitions {
  "cortex.v1.ModelService": ModelServiceDefinition;
  "cortex.v1.JobService": JobServiceDefinition;
  "cortex.v1.InferenceService": InferenceServiceDefinition;
}
interface Clients {
  "cortex.v1.ModelService": ModelServiceClient;
  "cortex.v1.JobService": JobServiceClient;
  "cortex.v1.InferenceService": InferenceServiceClient;
}

/** The RPC names of a service (its definition's own keys, not grpc-js's index signature). */
export type MethodOf<S extends ServiceName> = keyof { [K in keyof Definitions[S] as string extends K ? never : K]: true } & string;
type Def<S extends ServiceName, M extends MethodOf<S>> = Definitions[S][M];
/** What a call sends: the permissive generated type (optional fields, enums as names). */
export type RequestOf<S extends ServiceName, M extends MethodOf<S>> = Def<S, M> extends { requestSerialize: grpc.serialize<infer Req> } ? Req : never;
/** What a call receives: the generated `__Output` type (defaults filled, 64-bit integers as numbers). */
export type ResponseOf<S extends ServiceName, M extends MethodOf<S>> = Def<S, M> extends { responseDeserialize: grpc.deserialize<infer Res> } ? Res : never;

let codec: WireCodec | undefined;
const contract = (): WireCodec => (codec ??= new WireCodec((descriptor as DescriptorNamespace).nested!.cortex!.nested!.v1!));

function method(service: ServiceName, name: string): grpc.MethodDefinition<object, object> {
  const m = contract().method(service.replace(/^cortex\.v1\./, ""), name);
  return {
    path: `/${service}/${name}`,
    requestStream: false,
    responseStream: m.responseStream,
    requestSerialize: (value: object) => Buffer.from(encode(m.request, value)),
    requestDeserialize: (buf: Buffer) => decode(m.request, buf),
    responseSerialize: (value: object) => Buffer.from(encode(m.response, value)),
    responseDeserialize: (buf: Buffer) => decode(m.response, buf),
  };
}

/** A grpc-js client constructor for one service, typed with the generated client interface. */
export function clientConstructor<S extends ServiceName>(name: S): new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ClientOptions) => Clients[S] {
  const methods: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const m of contract().methods(name.replace(/^cortex\.v1\./, ""))) methods[m] = method(name, m);
  return grpc.makeGenericClientConstructor(methods, name) as unknown as new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ClientOptions) => Clients[S];
}

export interface Target {
  /** unix socket path, or host:port for TCP */
  socket?: string;
  address?: string;
  token?: string;
  /** TLS for a TCP address: the CA to trust (PEM; default the system's), and a client certificate for mTLS. */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
}

type Invoke = (request: object, metadata: grpc.Metadata, options: grpc.CallOptions, callback?: (err: grpc.ServiceError | null, res: unknown) => void) => unknown;

/** Promise wrapper over the generated clients; one channel per service and target. Failures reject with the ServiceError. */
export class CortexClient {
  private readonly clients = new Map<ServiceName, grpc.Client>();
  private readonly metadata = new grpc.Metadata();

  constructor(readonly target: Target) {
    // grpc-js refuses call credentials on an insecure channel, so the token travels as plain metadata (loopback).
    if (target.address && target.token) this.metadata.set("authorization", `Bearer ${target.token}`);
  }

  /** Unknown enum values fail here, before anything is sent, naming the field (grpc-js would report INTERNAL). */
  private invoke<S extends ServiceName>(service: S, rpc: MethodOf<S>, request: object): Invoke {
    encode(contract().method(service.replace(/^cortex\.v1\./, ""), rpc).request, request);
    let c = this.clients.get(service);
    if (!c) {
      const address = this.target.address ?? `unix://${this.target.socket}`;
      const tls = this.target.address ? this.target.tls : undefined;
      const credentials = tls ? grpc.credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null) : grpc.credentials.createInsecure();
      c = new (clientConstructor(service))(address, credentials, { "grpc.enable_retries": 0 });
      this.clients.set(service, c);
    }
    return (c as unknown as Record<string, Invoke>)[rpc]!.bind(c);
  }

  unary<S extends ServiceName, M extends MethodOf<S>>(service: S, rpc: M, request: RequestOf<S, M>, timeoutMs = 30_000): Promise<ResponseOf<S, M>> {
    return new Promise((resolve, reject) => {
      try {
        this.invoke(service, rpc, request as object)(request as object, this.metadata, { deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(err) : resolve(res as ResponseOf<S, M>)));
      } catch (err) {
        reject(err);
      }
    });
  }

  stream<S extends ServiceName, M extends MethodOf<S>>(service: S, rpc: M, request: RequestOf<S, M>, options: grpc.CallOptions = {}): grpc.ClientReadableStream<ResponseOf<S, M>> {
    return this.invoke(service, rpc, request as object)(request as object, this.metadata, options) as grpc.ClientReadableStream<ResponseOf<S, M>>;
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

export { SERVICE_NAMES, type ServiceName };
