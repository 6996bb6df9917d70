import { CortexError } from "../../errors/cortex-error.js";
import type { ToolSpec } from "../engine/engine-types.js";

/** none: never call; auto: the model decides (calls are detected in its text); required: at least one; a name: that one. */
export type ToolChoice = { kind: "none" } | { kind: "auto" } | { kind: "required" } | { kind: "function"; name: string };

/**
 * The JSON schema a forced call is generated under (tool_choice required or named): `{"name", "arguments"}` with
 * the name fixed to an offered tool and the arguments to its parameters' schema. The grammar makes the model's
 * output a valid call whatever it would have said; undefined when the choice does not force a call.
 */
export function forcedCallSchema(tools: readonly ToolSpec[], choice: ToolChoice): Record<string, unknown> | undefined {
  if (choice.kind === "none" || choice.kind === "auto") return undefined;
  const pick = choice.kind === "function" ? tools.filter((t) => t.name === choice.name) : tools;
  if (pick.length === 0) {
    const name = choice.kind === "function" ? choice.name : "";
    throw new CortexError("REQ_INVALID_ARGUMENT", `tool_choice names "${name}", which is not among the tools (${tools.map((t) => t.name).join(", ") || "none"})`, { details: { field: "tool_choice" } });
  }
  const one = (t: ToolSpec) => ({
    type: "object",
    properties: { name: { const: t.name }, arguments: t.parameters && Object.keys(t.parameters).length > 0 ? t.parameters : { type: "object", properties: {} } },
    required: ["name", "arguments"],
    additionalProperties: false,
  });
  return pick.length === 1 ? one(pick[0]!) : { oneOf: pick.map(one) };
}
