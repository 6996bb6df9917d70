import type { ModelRecord } from "../store/model-types.js";
import type { GgufQuantType } from "../formats/quantization-names.js";
import { checkpointStem, ggufOutputFile, modelStem } from "./output-names.js";

/** What "every matching model to these types" means for each model the store lists. */
export interface AllModelsPlan {
  /** SafeTensors checkpoints: one conversion job each, producing each type in one pass. */
  convert: { source: string; types: GgufQuantType[] }[];
  /** Full-precision GGUFs: one quantization job per type. */
  quantize: { model: string; type: GgufQuantType }[];
  /** What is left alone, with why (already quantized, another format, broken, output exists). */
  skipped: { model: string; reason: string }[];
}

const FULL_PRECISION = new Set(["FP32", "FP16", "BF16", "NONE"]);
const OWN_TYPE: Record<string, string> = { FP32: "F32", FP16: "F16", BF16: "BF16" };

/** The job source for a record: `org/name@commit` for HF-cache models (keeps provenance), else its path. */
function sourceOf(m: ModelRecord): string {
  return m.hf ? `${m.hf.repo}@${m.hf.commit}` : m.paths[0]!;
}

/**
 * Plans a batch over listed models (pure). Quantized models are not quantized again (a Q4 made from a Q8 loses
 * twice); an output that exists already, or that another planned job writes (a checkpoint and the F16 GGUF
 * converted from it share a name), is produced once: checkpoints first, since the one pass reads the originals.
 */
export function planAllModels(models: readonly ModelRecord[], types: readonly GgufQuantType[], exists: (file: string) => boolean): AllModelsPlan {
  const plan: AllModelsPlan = { convert: [], quantize: [], skipped: [] };
  const planned = new Set<string>();
  const claim = (m: ModelRecord, stem: string): GgufQuantType[] => {
    const mine: GgufQuantType[] = [];
    for (const type of types) {
      const file = ggufOutputFile(stem, type);
      if (type === OWN_TYPE[m.facts.quantization]) continue;
      if (exists(file)) plan.skipped.push({ model: m.name, reason: `${file} exists already` });
      else if (planned.has(file)) plan.skipped.push({ model: m.name, reason: `${file} is produced from another source in this batch` });
      else mine.push(type), planned.add(file);
    }
    return mine;
  };
  const byFormat = (format: string) => models.filter((m) => !m.facts.brokenReason && m.facts.format === format && FULL_PRECISION.has(m.facts.quantization));
  for (const m of byFormat("SAFETENSORS")) {
    const mine = claim(m, checkpointStem({ repo: m.hf?.repo, path: m.paths[0]! }));
    if (mine.length) plan.convert.push({ source: sourceOf(m), types: mine });
  }
  for (const m of byFormat("GGUF")) for (const type of claim(m, modelStem(m.paths[0]!))) plan.quantize.push({ model: sourceOf(m), type });
  for (const m of models) {
    const f = m.facts;
    if (f.brokenReason) plan.skipped.push({ model: m.name, reason: `broken: ${f.brokenReason}` });
    else if (!(f.format === "SAFETENSORS" || f.format === "GGUF") || !FULL_PRECISION.has(f.quantization)) {
      plan.skipped.push({ model: m.name, reason: `${f.format} ${f.quantizationLabel || f.quantization} is not a full-precision GGUF or SafeTensors model` });
    }
  }
  return plan;
}
