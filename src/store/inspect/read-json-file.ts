import fs from "node:fs/promises";
import { CortexError } from "../../errors/cortex-error.js";
import { readTextQuietly } from "../../formats/quiet-read.js";

/** config.json and friends are small; anything larger is not what it claims to be. */
export const MAX_JSON_BYTES = 16 << 20;

/**
 * Read a JSON object file without trusting its size.
 * @throws CortexError FMT_INVALID naming the file: too large, not JSON, not an object.
 */
export async function readJsonObject(file: string, knownSize?: number, maxBytes = MAX_JSON_BYTES): Promise<Record<string, unknown>> {
  // The size from the walk's stat spares a syscall; the read is bounded by the limit either way.
  const size = knownSize ?? (await fs.stat(file)).size;
  if (size > maxBytes) throw new CortexError("FMT_INVALID", `${file}: ${size} bytes, larger than the ${maxBytes}-byte limit for a JSON file`);
  // readSmallFile re-checks on the open handle: regular file, size within the limit.
  const text = await readTextQuietly(file, maxBytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new CortexError("FMT_INVALID", `${file}: not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new CortexError("FMT_INVALID", `${file}: expected a JSON object`);
  return parsed as Record<string, unknown>;
}
