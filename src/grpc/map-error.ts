import * as grpc from "@grpc/grpc-js";
import { ERROR_CODES } from "../errors/codes.js";
import { toCortexError } from "../errors/cortex-error.js";

/** The one translation from cortexd's taxonomy to gRPC status. The cortex code travels in metadata. */
export function toGrpcError(err: unknown): grpc.ServiceError {
  const ce = toCortexError(err);
  const metadata = new grpc.Metadata();
  metadata.set("cortex-error-code", ce.code);
  return Object.assign(new Error(ce.message), {
    code: ERROR_CODES[ce.code].grpc,
    details: ce.message,
    metadata,
  }) as grpc.ServiceError;
}
