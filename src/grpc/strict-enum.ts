import { CortexError } from "../errors/cortex-error.js";
import { loadProtos } from "./proto.js";

/**
 * Strict decoding of proto enum fields. protobufjs encodes a name it does not know as 0 (UNSPECIFIED) and hands
 * an unknown number through as a number, so a server that skips UNSPECIFIED turns a typo into "no filter" — in
 * cleanup, into deleting models the user meant to keep. Every value is either a known, specified member or an
 * INVALID_ARGUMENT that names the field, the value and the accepted names. (The one place this rule lives; new
 * enum fields go through it.)
 */

interface EnumDescriptor {
  type: { value: { name: string; number: number }[] };
}

/** Member names of a proto enum ("cortex.v1.Quantization"), UNSPECIFIED left out, in declaration order. */
export function enumMembers(typeName: string): string[] {
  const d = loadProtos().definition[typeName] as EnumDescriptor | undefined;
  if (!d?.type?.value) throw new Error(`${typeName} is not an enum of the loaded protos`);
  return d.type.value.filter((v) => v.number !== 0).map((v) => v.name);
}

/** The prefix of an enum's member names, from its zero member: "MODEL_FORMAT_" for MODEL_FORMAT_UNSPECIFIED. */
function prefixOf(d: EnumDescriptor): string {
  const zero = d.type.value.find((v) => v.number === 0)?.name ?? "";
  return zero.endsWith("_UNSPECIFIED") ? zero.slice(0, -"UNSPECIFIED".length) : "";
}

/**
 * One enum value as it arrives (proto-loader gives names; unknown numbers stay numbers) → the member name without
 * its prefix ("Q4_K_M"). Accepts the full name, the short name, or the number of a specified member.
 * @throws CortexError REQ_INVALID_ARGUMENT for UNSPECIFIED, 0, an unknown name or number.
 */
export function parseStrictEnum(typeName: string, field: string, value: unknown): string {
  const d = loadProtos().definition[typeName] as EnumDescriptor | undefined;
  if (!d?.type?.value) throw new Error(`${typeName} is not an enum of the loaded protos`);
  const specified = d.type.value.filter((v) => v.number !== 0);
  const prefix = prefixOf(d);
  const hit =
    typeof value === "number"
      ? specified.find((v) => v.number === value)
      : typeof value === "string"
        ? specified.find((v) => v.name === value || v.name === prefix + value)
        : undefined;
  if (!hit) {
    const shown = typeof value === "string" ? value : typeof value === "number" ? String(value) : JSON.stringify(value);
    const why = d.type.value.some((v) => v.number === 0 && (v.name === value || value === 0)) ? "means no value" : `is not a ${typeName.replace(/^.*\./, "")}`;
    throw new CortexError("REQ_INVALID_ARGUMENT", `${field}: ${shown} ${why}; accepted: ${specified.map((v) => v.name).join(", ")}`);
  }
  return hit.name.slice(prefix.length);
}

/** A repeated enum field: every element strict (an UNSPECIFIED inside a filter list is an error, never "no filter"). */
export function parseStrictEnumList(typeName: string, field: string, values: readonly unknown[] | undefined): string[] {
  return (values ?? []).map((v, i) => parseStrictEnum(typeName, `${field}[${i}]`, v));
}
