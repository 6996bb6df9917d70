import { CortexError } from "../errors/cortex-error.js";
import { readJsonObject, type JsonObject } from "./hf-config.js";

/** What every GGUF conversion starts from: a cancellation check and the folder's config.json. */
export interface ConversionStart {
  /** @throws CortexError JOB_CANCELLED once the job's signal has fired. */
  checkAbort(): void;
  config: JsonObject;
}

/**
 * Checks cancellation, then reads config.json (the quiet, bounded read: a FIFO or an oversized file fails at once).
 * @param what what the folder must be, for the error when config.json is missing ("a Hugging Face checkpoint").
 */
export async function startConversion(dir: string, signal: AbortSignal | undefined, what: string): Promise<ConversionStart> {
  const checkAbort = (): void => {
    if (signal?.aborted) throw new CortexError("JOB_CANCELLED", `conversion of ${dir} was cancelled`, { cause: signal.reason });
  };
  checkAbort();
  const config = await readJsonObject(dir, "config.json");
  if (!config) throw new CortexError("FMT_INVALID", `${dir}: no config.json; not ${what}`);
  return { checkAbort, config };
}

/**
 * Where a conversion writes before the verified rename: per process, so two runs of one job (a lost Redis lock)
 * never write the same file, and named as the store's stale-temp sweep knows (`.tmp-<pid>-c`).
 */
export const stagingPathOf = (outPath: string): string => `${outPath}.tmp-${process.pid}-c`;
