import * as grpc from "@grpc/grpc-js";
import { ERROR_CODES, type ErrorCode } from "../errors/codes.js";
import { toCortexError } from "../errors/cortex-error.js";

/** The one translation from cortexd's taxonomy to gRPC status. The cortex code travels in metadata. */
export function toGrpcError(err: unknown): grpc.ServiceError {
  const ce = toCortexError(err);
  const metadata = new grpc.Metadata();
  metadata.set("cortex-error-code", ce.code);
  return Object.assign(new Error(ce.message), {
    code: grpcStatus(ce.code),
    details: ce.message,
    metadata,
  }) as grpc.ServiceError;
}

/** The gRPC status code of a cortex error code (the taxonomy names it; grpc-js numbers it). */
export function grpcStatus(code: ErrorCode): grpc.status {
  return grpc.status[ERROR_CODES[code].status];
}
