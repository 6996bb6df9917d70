import fs from "node:fs/promises";
import { CortexError } from "../../errors/cortex-error.js";

/** config.json and friends are small; anything larger is not what it claims to be. */
export const MAX_JSON_BYTES = 16 << 20;

/**
 * Read a JSON object file without trusting its size.
 * @throws CortexError FMT_INVALID naming the file: too large, not JSON, not an object.
 */
export async function readJsonObject(file: string, maxBytes = MAX_JSON_BYTES): Promise<Record<string, unknown>> {
  const st = await fs.stat(file);
  if (st.size > maxBytes) throw new CortexError("FMT_INVALID", `${file}: ${st.size} bytes, larger than the ${maxBytes}-byte limit for a JSON file`);
  const text = await fs.readFile(file, "utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CortexError("FMT_INVALID", `${file}: not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new CortexError("FMT_INVALID", `${file}: expected a JSON object`);
  return parsed as Record<string, unknown>;
}
