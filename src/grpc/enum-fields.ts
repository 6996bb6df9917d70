import { CortexError } from "../errors/cortex-error.js";

/**
 * Enum fields of requests, strictly. proto-loader hands a value the daemon's contract does not define as its
 * number and protobufjs encodes an unknown name as 0, so an unchecked enum once turned `clean --quantization
 * 4bit` into "no quantization filter". Here an unknown value is INVALID_ARGUMENT naming the field, and so is
 * UNSPECIFIED wherever a value is required or listed (a filter entry that means nothing).
 */
type EnumObject = Readonly<Record<string, string>>;

/** INVALID_ARGUMENT about one request field (the rich status lists it as a BadRequest field violation). */
export function invalidArgument(field: string, message: string): CortexError {
  return new CortexError("REQ_INVALID_ARGUMENT", message, { details: { field } });
}

/** The enum's proto name from its zero member: MODEL_FORMAT_UNSPECIFIED → ModelFormat. */
function typeName(e: EnumObject): string {
  const zero = Object.keys(e).find((k) => k.endsWith("_UNSPECIFIED")) ?? "";
  return zero.replace(/_UNSPECIFIED$/, "").toLowerCase().replace(/(^|_)([a-z])/g, (_m, _s: string, c: string) => c.toUpperCase());
}

const accepted = (e: EnumObject) => Object.keys(e).filter((n) => !n.endsWith("_UNSPECIFIED")).join(", ");

function name<E extends EnumObject>(field: string, value: unknown, e: E): E[keyof E] {
  if (typeof value === "string" && Object.prototype.hasOwnProperty.call(e, value)) return value as E[keyof E];
  const shown = typeof value === "string" || typeof value === "number" ? String(value) : JSON.stringify(value);
  throw invalidArgument(field, `${field}: ${shown} is not a ${typeName(e)}; accepted: ${accepted(e)}`);
}

const unspecified = (v: string) => v.endsWith("_UNSPECIFIED");

/** A required enum field: a defined value other than UNSPECIFIED. */
export function requiredEnum<E extends EnumObject>(field: string, value: unknown, e: E, hint = ""): E[keyof E] {
  const v = name(field, value, e);
  if (unspecified(v)) throw invalidArgument(field, `${field} is required${hint ? ` (${hint})` : ""}; accepted: ${accepted(e)}`);
  return v;
}

/** A repeated enum field (a filter): every entry a defined value other than UNSPECIFIED. */
export function enumList<E extends EnumObject>(field: string, values: readonly unknown[] | undefined, e: E): E[keyof E][] {
  return (values ?? []).map((v, i) => {
    const n = name(`${field}[${i}]`, v, e);
    if (unspecified(n)) throw invalidArgument(`${field}[${i}]`, `${field}[${i}]: ${n} means no value; accepted: ${accepted(e)}`);
    return n;
  });
}

/** A response's enum value: a name the contract defines, else `fallback` (a daemon never sends an undefined value). */
export function definedOr<E extends EnumObject>(value: string, e: E, fallback: E[keyof E]): E[keyof E] {
  return Object.prototype.hasOwnProperty.call(e, value) ? (value as E[keyof E]) : fallback;
}

/** `PREFIX_NAME` → `NAME` (the domain's vocabulary is the enum name without its prefix). */
export function stripPrefix(value: string, prefix: string): string {
  return value.startsWith(prefix) ? value.slice(prefix.length) : value;
}
