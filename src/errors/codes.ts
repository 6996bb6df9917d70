import { status } from "@grpc/grpc-js";

/**
 * The one error taxonomy of cortexd. Each code maps once to a gRPC status (grpc/map-error.ts uses this
 * table) and once to job failure (retryable or not, jobs/ uses it). Prefixes name the module.
 */
export const ERROR_CODES = {
  // Configuration and start-up
  CFG_INVALID: { grpc: status.INVALID_ARGUMENT, retryable: false, doc: "A configuration value is invalid." },
  CFG_FILE_CORRUPT: { grpc: status.INVALID_ARGUMENT, retryable: false, doc: "config.json is not valid JSON." },
  DAEMON_HOME_UNWRITABLE: { grpc: status.FAILED_PRECONDITION, retryable: false, doc: "CORTEX_HOME cannot be created or written." },
  DAEMON_ALREADY_RUNNING: { grpc: status.ALREADY_EXISTS, retryable: false, doc: "Another cortexd holds this CORTEX_HOME." },
  DAEMON_ADDRESS_IN_USE: { grpc: status.UNAVAILABLE, retryable: false, doc: "The TCP address to listen on is taken." },
  DAEMON_UNAVAILABLE: { grpc: status.UNAVAILABLE, retryable: true, doc: "The daemon is starting or shutting down." },
  REDIS_MISSING: { grpc: status.UNAVAILABLE, retryable: false, doc: "No redis-server binary is installed." },
  REDIS_UNAVAILABLE: { grpc: status.UNAVAILABLE, retryable: true, doc: "Redis does not answer." },
  // Requests
  REQ_INVALID_ARGUMENT: { grpc: status.INVALID_ARGUMENT, retryable: false, doc: "A request field is malformed." },
  REQ_UNAUTHENTICATED: { grpc: status.UNAUTHENTICATED, retryable: false, doc: "Missing or wrong bearer token." },
  REQ_UNIMPLEMENTED: { grpc: status.UNIMPLEMENTED, retryable: false, doc: "Not supported by this cortexd." },
  // Model store
  REG_NOT_FOUND: { grpc: status.NOT_FOUND, retryable: false, doc: "No such model." },
  REG_IN_USE: { grpc: status.FAILED_PRECONDITION, retryable: false, doc: "The model is loaded or used by a running job." },
  REG_BROKEN: { grpc: status.FAILED_PRECONDITION, retryable: false, doc: "The model's files cannot be parsed." },
  REG_OUTSIDE_ROOTS: { grpc: status.PERMISSION_DENIED, retryable: false, doc: "A path lies outside cortexd's known roots." },
  REG_SHARED_CACHE: { grpc: status.FAILED_PRECONDITION, retryable: false, doc: "The model is in the shared HF cache; deleting it needs include_hf_cache." },
  REG_EXISTS: { grpc: status.ALREADY_EXISTS, retryable: false, doc: "The output model already exists; choose another name or delete it." },
  REG_CHANGED: { grpc: status.FAILED_PRECONDITION, retryable: false, doc: "The models changed since the cleanup preview; preview again." },
  // Formats (parsers)
  FMT_INVALID: { grpc: status.INVALID_ARGUMENT, retryable: false, doc: "A file is malformed (header, offsets, sizes)." },
  FMT_UNSUPPORTED: { grpc: status.UNIMPLEMENTED, retryable: false, doc: "A format feature or dtype is not supported." },
  // Hugging Face Hub
  HUB_NOT_FOUND: { grpc: status.NOT_FOUND, retryable: false, doc: "Repo, revision or file not found on the Hub." },
  HUB_GATED: { grpc: status.PERMISSION_DENIED, retryable: false, doc: "The repo is gated and access was not granted." },
  HUB_UNAUTHENTICATED: { grpc: status.UNAUTHENTICATED, retryable: false, doc: "The repo is private and no valid token was given." },
  HUB_UNAVAILABLE: { grpc: status.UNAVAILABLE, retryable: true, doc: "The Hub cannot be reached or failed." },
  HUB_INTEGRITY: { grpc: status.DATA_LOSS, retryable: true, doc: "Downloaded bytes do not match the expected hash or size." },
  HUB_OFFLINE: { grpc: status.FAILED_PRECONDITION, retryable: false, doc: "Offline mode and the cache lacks the files." },
  // Conversion / quantization
  CONV_UNSUPPORTED_ARCH: { grpc: status.UNIMPLEMENTED, retryable: false, doc: "The model architecture is not supported." },
  CONV_MISSING_TOKENIZER: { grpc: status.FAILED_PRECONDITION, retryable: false, doc: "The checkpoint has no usable tokenizer." },
  CONV_SHAPE_MISMATCH: { grpc: status.INVALID_ARGUMENT, retryable: false, doc: "A tensor's shape disagrees with config.json." },
  CONV_FAILED: { grpc: status.INTERNAL, retryable: false, doc: "A conversion failed." },
  QUANT_UNSUPPORTED_TYPE: { grpc: status.INVALID_ARGUMENT, retryable: false, doc: "The quantization type is not supported." },
  QUANT_FAILED: { grpc: status.INTERNAL, retryable: false, doc: "Quantization failed." },
  // Jobs
  JOB_NOT_FOUND: { grpc: status.NOT_FOUND, retryable: false, doc: "No such job." },
  JOB_CANCELLED: { grpc: status.CANCELLED, retryable: false, doc: "The job was cancelled." },
  JOB_INVALID_STATE: { grpc: status.FAILED_PRECONDITION, retryable: false, doc: "The job is not in a state that allows this." },
  // Inference
  INF_RESOURCE_EXHAUSTED: { grpc: status.RESOURCE_EXHAUSTED, retryable: true, doc: "The model does not fit in the memory budget." },
  INF_BUSY: { grpc: status.RESOURCE_EXHAUSTED, retryable: true, doc: "Too many queued requests." },
  INF_LOAD_FAILED: { grpc: status.FAILED_PRECONDITION, retryable: false, doc: "The model could not be loaded." },
  INF_RUNNER_CRASHED: { grpc: status.UNAVAILABLE, retryable: true, doc: "The model's runner process died." },
  // Disk and generic
  IO_NO_SPACE: { grpc: status.RESOURCE_EXHAUSTED, retryable: false, doc: "The disk is full." },
  IO_ERROR: { grpc: status.INTERNAL, retryable: true, doc: "A file-system operation failed." },
  INTERNAL: { grpc: status.INTERNAL, retryable: false, doc: "An unexpected error (a bug)." },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}
