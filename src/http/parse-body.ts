import type { z } from "zod";
import { CortexError } from "../errors/cortex-error.js";

/**
 * A request body checked against its schema; the first problem is refused as REQ_INVALID_ARGUMENT naming the
 * field (OpenAI's `param`). Unknown fields pass (clients send fields of newer API versions); fields cortexd
 * cannot honour are in the schemas and refused by name, never ignored silently.
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`)).join("");
  throw new CortexError("REQ_INVALID_ARGUMENT", field ? `${field}: ${issue.message}` : issue.message, { details: { field } });
}

/** A field cortexd does not support: refused by name. */
export function unsupported(field: string, why: string): CortexError {
  return new CortexError("REQ_INVALID_ARGUMENT", `${field} is not supported: ${why}`, { details: { field } });
}
