import * as grpc from "@grpc/grpc-js";
import { ERROR_CODES, type ErrorCode } from "../errors/codes.js";
import { toCortexError } from "../errors/cortex-error.js";
import { encodeRichStatus, STATUS_DETAILS_KEY } from "./rich-status.js";

/**
 * The one translation from cortexd's taxonomy to gRPC status. The cortex code travels twice: in the
 * `cortex-error-code` trailer (simple clients) and as google.rpc.Status details (ErrorInfo with the code as
 * reason, BadRequest naming the field of an INVALID_ARGUMENT) that gRPC libraries of every language decode.
 */
export function toGrpcError(err: unknown): grpc.ServiceError {
  const ce = toCortexError(err);
  const code = grpcStatus(ce.code);
  const metadata = new grpc.Metadata();
  metadata.set("cortex-error-code", ce.code);
  const field = typeof ce.details?.field === "string" ? ce.details.field : undefined;
  metadata.set(
    STATUS_DETAILS_KEY,
    encodeRichStatus({ code, message: ce.message, reason: ce.code, metadata: { retryable: String(ce.retryable) }, ...(field ? { violations: [{ field, description: ce.message }] } : {}) }),
  );
  return Object.assign(new Error(ce.message), { code, details: ce.message, metadata }) as grpc.ServiceError;
}

/** The gRPC status code of a cortex error code (the taxonomy names it; grpc-js numbers it). */
export function grpcStatus(code: ErrorCode): grpc.status {
  return grpc.status[ERROR_CODES[code].status];
}
