import { ERROR_CODES, isErrorCode, type ErrorCode } from "./codes.js";

/**
 * The error every cortexd module throws. `code` selects the gRPC status and whether a job retries;
 * the message names the offending field, file or object. Identified by `name`, not `instanceof`, so it
 * survives the worker-process boundary and duplicate module copies.
 */
export class CortexError extends Error {
  override readonly name = "CortexError";
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown>; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
    if (options.details) this.details = options.details;
  }

  /** Wire form for job failures and IPC: "CODE: message". */
  override toString(): string {
    return `${this.code}: ${this.message}`;
  }
}

export function isCortexError(err: unknown): err is CortexError {
  return typeof err === "object" && err !== null && (err as { name?: unknown }).name === "CortexError" && typeof (err as { code?: unknown }).code === "string";
}

/** A safe message from any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === "string") return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}

/** File-system failures that do not heal by themselves (permissions, a name too long, something in the way). */
const PERMANENT_ERRNOS = new Set(["EACCES", "EPERM", "EROFS", "ENAMETOOLONG", "EEXIST", "ENOTDIR", "EISDIR", "ELOOP"]);

/** Normalise anything thrown at a boundary into a CortexError (unknown errors become INTERNAL, or IO codes). */
export function toCortexError(err: unknown): CortexError {
  if (isCortexError(err)) return err;
  const errno = (err as NodeJS.ErrnoException | undefined)?.code;
  if (errno === "ENOSPC") return new CortexError("IO_NO_SPACE", `no space left on device: ${errorMessage(err)}`, { cause: err });
  // The same call fails the same way next time: a job must not spend its attempts (and a download slot) on these.
  if (typeof errno === "string" && PERMANENT_ERRNOS.has(errno)) return new CortexError("IO_ERROR", errorMessage(err), { cause: err, retryable: false });
  if (typeof errno === "string" && errno.startsWith("E")) return new CortexError("IO_ERROR", errorMessage(err), { cause: err });
  return new CortexError("INTERNAL", errorMessage(err), { cause: err });
}

/** Parse the "CODE: message" wire form back (job failure reasons). */
export function parseCortexErrorString(text: string): CortexError {
  const m = /^([A-Z][A-Z0-9_]+): ([\s\S]*)$/.exec(text);
  if (m && isErrorCode(m[1]!)) return new CortexError(m[1], m[2]!);
  return new CortexError("INTERNAL", text);
}
