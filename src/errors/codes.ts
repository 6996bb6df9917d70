/** The canonical status names shared by gRPC and google.rpc.Code (no transport library needed to name one). */
export type StatusName =
  | "CANCELLED" | "INVALID_ARGUMENT" | "NOT_FOUND" | "ALREADY_EXISTS" | "PERMISSION_DENIED" | "RESOURCE_EXHAUSTED"
  | "FAILED_PRECONDITION" | "UNIMPLEMENTED" | "INTERNAL" | "UNAVAILABLE" | "DATA_LOSS" | "UNAUTHENTICATED";

/**
 * The one error taxonomy of cortexd. Each code names its canonical status once (grpc/map-error.ts turns it into
 * the gRPC status, the CLI prints it in JSON errors) and whether a job retries (jobs/ uses it). Prefixes name
 * the module. Transport-neutral: nothing here imports grpc-js.
 */
export const ERROR_CODES = {
  // Configuration and start-up
  CFG_INVALID: { status: "INVALID_ARGUMENT", retryable: false, doc: "A configuration value is invalid." },
  CFG_FILE_CORRUPT: { status: "INVALID_ARGUMENT", retryable: false, doc: "config.json is not valid JSON." },
  DAEMON_HOME_UNWRITABLE: { status: "FAILED_PRECONDITION", retryable: false, doc: "CORTEX_HOME cannot be created or written." },
  DAEMON_ALREADY_RUNNING: { status: "ALREADY_EXISTS", retryable: false, doc: "Another cortexd holds this CORTEX_HOME." },
  DAEMON_ADDRESS_IN_USE: { status: "UNAVAILABLE", retryable: false, doc: "The TCP address to listen on is taken." },
  DAEMON_UNAVAILABLE: { status: "UNAVAILABLE", retryable: true, doc: "The daemon is starting or shutting down." },
  REDIS_MISSING: { status: "UNAVAILABLE", retryable: false, doc: "No redis-server binary is installed." },
  REDIS_UNAVAILABLE: { status: "UNAVAILABLE", retryable: true, doc: "Redis does not answer." },
  REDIS_PREFIX_CONFLICT: { status: "FAILED_PRECONDITION", retryable: false, doc: "Redis holds cortexd keys under both the old prefix cortex: and the new {cortex}: (a process of an older cortexd still runs); cortexd moves nothing and names one key of each." },
  // Requests
  REQ_INVALID_ARGUMENT: { status: "INVALID_ARGUMENT", retryable: false, doc: "A request field is malformed." },
  REQ_UNAUTHENTICATED: { status: "UNAUTHENTICATED", retryable: false, doc: "Missing or wrong bearer token." },
  REQ_FORBIDDEN: { status: "PERMISSION_DENIED", retryable: false, doc: "An HTTP request's Host or Origin is not allowed (httpHosts, httpOrigins)." },
  REQ_UNIMPLEMENTED: { status: "UNIMPLEMENTED", retryable: false, doc: "Not supported by this cortexd." },
  // Model store
  REG_NOT_FOUND: { status: "NOT_FOUND", retryable: false, doc: "No such model." },
  REG_IN_USE: { status: "FAILED_PRECONDITION", retryable: false, doc: "The model is loaded or used by a running job." },
  REG_BROKEN: { status: "FAILED_PRECONDITION", retryable: false, doc: "The model's files cannot be parsed." },
  REG_OUTSIDE_ROOTS: { status: "PERMISSION_DENIED", retryable: false, doc: "A path lies outside cortexd's known roots." },
  REG_SHARED_CACHE: { status: "FAILED_PRECONDITION", retryable: false, doc: "The model is in the shared HF cache; deleting it needs include_hf_cache." },
  REG_EXISTS: { status: "ALREADY_EXISTS", retryable: false, doc: "The output model already exists; choose another name or delete it." },
  REG_CHANGED: { status: "FAILED_PRECONDITION", retryable: false, doc: "The models changed since the cleanup preview; preview again." },
  // Formats (parsers)
  FMT_INVALID: { status: "INVALID_ARGUMENT", retryable: false, doc: "A file is malformed (header, offsets, sizes)." },
  FMT_UNSUPPORTED: { status: "UNIMPLEMENTED", retryable: false, doc: "A format feature or dtype is not supported." },
  // Hugging Face Hub
  HUB_NOT_FOUND: { status: "NOT_FOUND", retryable: false, doc: "Repo, revision or file not found on the Hub." },
  HUB_GATED: { status: "PERMISSION_DENIED", retryable: false, doc: "The repo is gated and access was not granted." },
  HUB_UNAUTHENTICATED: { status: "UNAUTHENTICATED", retryable: false, doc: "The repo is private and no valid token was given." },
  HUB_UNAVAILABLE: { status: "UNAVAILABLE", retryable: true, doc: "The Hub cannot be reached or failed." },
  HUB_INTEGRITY: { status: "DATA_LOSS", retryable: true, doc: "Downloaded bytes do not match the expected hash or size." },
  HUB_OFFLINE: { status: "FAILED_PRECONDITION", retryable: false, doc: "Offline mode and the cache lacks the files." },
  HUB_PERMISSION_DENIED: { status: "PERMISSION_DENIED", retryable: false, doc: "The token may not write to the Hub repo (a push)." },
  // Conversion / quantization
  CONV_UNSUPPORTED_ARCH: { status: "UNIMPLEMENTED", retryable: false, doc: "The model architecture is not supported." },
  CONV_MISSING_TOKENIZER: { status: "FAILED_PRECONDITION", retryable: false, doc: "The checkpoint has no usable tokenizer." },
  CONV_NEEDS_SAFETENSORS: { status: "FAILED_PRECONDITION", retryable: false, doc: "The checkpoint has only PyTorch pickles; conversion reads safetensors." },
  CONV_SHAPE_MISMATCH: { status: "INVALID_ARGUMENT", retryable: false, doc: "A tensor's shape disagrees with config.json." },
  CONV_FAILED: { status: "INTERNAL", retryable: false, doc: "A conversion failed." },
  QUANT_UNSUPPORTED_TYPE: { status: "INVALID_ARGUMENT", retryable: false, doc: "The quantization type is not supported." },
  QUANT_FAILED: { status: "INTERNAL", retryable: false, doc: "Quantization failed." },
  // Jobs
  JOB_NOT_FOUND: { status: "NOT_FOUND", retryable: false, doc: "No such job." },
  JOB_CANCELLED: { status: "CANCELLED", retryable: false, doc: "The job was cancelled." },
  JOB_INVALID_STATE: { status: "FAILED_PRECONDITION", retryable: false, doc: "The job is not in a state that allows this." },
  // Fleet
  FLEET_NO_WORKER: { status: "FAILED_PRECONDITION", retryable: false, doc: "No connected worker serves the job's queue (capability) within the wait bound." },
  FLEET_NO_SHARED_ROOT: { status: "FAILED_PRECONDITION", retryable: false, doc: "A fleet job's input or output lies outside the shared roots every worker mounts." },
  // Inference
  INF_RESOURCE_EXHAUSTED: { status: "RESOURCE_EXHAUSTED", retryable: true, doc: "The model does not fit in the memory budget." },
  INF_BUSY: { status: "RESOURCE_EXHAUSTED", retryable: true, doc: "Too many queued requests." },
  INF_LOAD_FAILED: { status: "FAILED_PRECONDITION", retryable: false, doc: "The model could not be loaded." },
  INF_NO_TOOLS: { status: "FAILED_PRECONDITION", retryable: false, doc: "Tools were given but the model's chat template has no tool support." },
  INF_RUNNER_CRASHED: { status: "UNAVAILABLE", retryable: true, doc: "The model's runner process died." },
  // Disk and generic
  IO_NO_SPACE: { status: "RESOURCE_EXHAUSTED", retryable: false, doc: "The disk is full." },
  IO_ERROR: { status: "INTERNAL", retryable: true, doc: "A file-system operation failed." },
  INTERNAL: { status: "INTERNAL", retryable: false, doc: "An unexpected error (a bug)." },
} as const satisfies Record<string, { status: StatusName; retryable: boolean; doc: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}
