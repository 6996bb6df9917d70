import { ERROR_CODES, type StatusName } from "../errors/codes.js";
import { toCortexError, type CortexError } from "../errors/cortex-error.js";

/** The HTTP status of each canonical status name: the one mapping from cortexd's taxonomy to HTTP. */
const HTTP_STATUS: Record<StatusName, number> = {
  CANCELLED: 499,
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  PERMISSION_DENIED: 403,
  RESOURCE_EXHAUSTED: 429,
  FAILED_PRECONDITION: 400,
  UNIMPLEMENTED: 501,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  DATA_LOSS: 500,
  UNAUTHENTICATED: 401,
};

/** OpenAI's error `type` for each HTTP status its SDKs map to a class. */
const OPENAI_TYPE: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  409: "conflict_error",
  429: "rate_limit_error",
  499: "cancelled",
  501: "not_implemented_error",
  503: "unavailable_error",
};

export interface HttpFailure {
  status: number;
  error: CortexError;
  /** Seconds a client should wait before retrying (429 / 503), sent as Retry-After. */
  retryAfter?: number;
}

/** Anything thrown while serving → status, the CortexError, and Retry-After for a full queue or a busy pool. */
export function httpFailure(err: unknown): HttpFailure {
  const error = toCortexError(err);
  const status = HTTP_STATUS[ERROR_CODES[error.code].status];
  return { status, error, ...(status === 429 || (status === 503 && error.retryable) ? { retryAfter: 1 } : {}) };
}

/** OpenAI's error body: the SDKs read message, type, param and code. */
export function openAiErrorBody(f: HttpFailure): { error: { message: string; type: string; param: string | null; code: string } } {
  const field = f.error.details?.field;
  return { error: { message: f.error.message, type: OPENAI_TYPE[f.status] ?? (f.status >= 500 ? "server_error" : "invalid_request_error"), param: typeof field === "string" ? field : null, code: f.error.code } };
}

/** Ollama's error body. */
export function ollamaErrorBody(f: HttpFailure): { error: string } {
  return { error: f.error.message };
}
