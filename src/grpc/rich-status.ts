import protobuf from "protobufjs/minimal.js";

/** ErrorInfo.domain of every cortexd error: with the reason (the cortex error code) it names the error globally. */
export const ERROR_DOMAIN = "cortexd";
/** The trailer gRPC's richer error model uses (grpc-go status.Details, grpcio_status, grpc-java StatusProto). */
export const STATUS_DETAILS_KEY = "grpc-status-details-bin";

export interface FieldViolation {
  field: string;
  description: string;
}

/**
 * A google.rpc.Status (proto/google/rpc/status.proto) with an ErrorInfo and, for bad requests, a BadRequest, as
 * bytes for the grpc-status-details-bin trailer. Hand-encoded with protobufjs' Writer: three small messages,
 * field numbers as in googleapis.
 */
export function encodeRichStatus(s: { code: number; message: string; reason: string; metadata?: Record<string, string>; violations?: readonly FieldViolation[] }): Buffer {
  const errorInfo = protobuf.Writer.create();
  errorInfo.uint32((1 << 3) | 2).string(s.reason);
  errorInfo.uint32((2 << 3) | 2).string(ERROR_DOMAIN);
  for (const [k, v] of Object.entries(s.metadata ?? {})) errorInfo.uint32((3 << 3) | 2).fork().uint32((1 << 3) | 2).string(k).uint32((2 << 3) | 2).string(v).ldelim();
  const details = [any("google.rpc.ErrorInfo", errorInfo.finish())];
  if (s.violations?.length) {
    const badRequest = protobuf.Writer.create();
    for (const v of s.violations) badRequest.uint32((1 << 3) | 2).fork().uint32((1 << 3) | 2).string(v.field).uint32((2 << 3) | 2).string(v.description).ldelim();
    details.push(any("google.rpc.BadRequest", badRequest.finish()));
  }
  const status = protobuf.Writer.create();
  if (s.code) status.uint32(1 << 3).int32(s.code);
  if (s.message) status.uint32((2 << 3) | 2).string(s.message);
  for (const d of details) status.uint32((3 << 3) | 2).bytes(d);
  return Buffer.from(status.finish());
}

function any(typeName: string, value: Uint8Array): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32((1 << 3) | 2).string(`type.googleapis.com/${typeName}`);
  w.uint32((2 << 3) | 2).bytes(value);
  return w.finish();
}
