import fs from "node:fs/promises";
import { readTextQuietly } from "../../formats/quiet-read.js";
import { CortexError } from "../../errors/cortex-error.js";

/** What a fine_tuned.marker says about a fused fine-tune. */
export interface FineTunedMarker {
  baseModel: string;
  adapter: string;
  rank: number;
  scale: number;
  targetModules: string[];
}

/**
 * `fine_tuned.marker` marks a model produced by fusing a LoRA adapter into its base. Empty, or a JSON object
 * `{"base_model", "adapter", "rank", "scale", "target_modules"}` (what cortexd's fuse job writes); any other text
 * is taken as the base model's name.
 * @throws CortexError FMT_INVALID when larger than 1 MiB.
 */
export async function readFineTunedMarker(file: string): Promise<FineTunedMarker> {
  const st = await fs.stat(file);
  if (st.size > 1 << 20) throw new CortexError("FMT_INVALID", `${file}: ${st.size} bytes, too large for a fine_tuned.marker`);
  const text = (await readTextQuietly(file)).trim();
  const empty: FineTunedMarker = { baseModel: "", adapter: "", rank: 0, scale: 0, targetModules: [] };
  if (!text) return empty;
  if (!text.startsWith("{")) return { ...empty, baseModel: text.split("\n")[0]!.trim() };
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new CortexError("FMT_INVALID", `${file}: not valid JSON: ${(err as Error).message}`);
  }
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  return {
    baseModel: str(o["base_model"]),
    adapter: str(o["adapter"]),
    rank: n(o["rank"]),
    scale: n(o["scale"]),
    targetModules: Array.isArray(o["target_modules"]) ? (o["target_modules"] as unknown[]).filter((x): x is string => typeof x === "string") : [],
  };
}
