import fs from "node:fs";
import path from "node:path";
import { sha256File } from "../../hub/sha256-file.js";
import type { ModelSource } from "../../store/resolve-source.js";
import type { JobContext } from "../processor-shim.js";
import { checkpointStem, ggufOutputFile } from "../output-names.js";
import { chooseOutput, defaultStems, finishedResult, publishOutput, sourceIdOf } from "../output-target.js";
import type { WorkerRuntimeConfig } from "../worker-config.js";
import { recordProduced } from "../worker-store.js";
import type { ConvertData } from "./job-bodies.js";

/** What a converter returns that every GGUF output records. */
export interface GgufWritten {
  outPath: string;
  architecture: string;
  fileBytes: number;
  parameterCount: number;
}

/** One GGUF pass: the outtype as asked, and how its output is labelled, placed, converted and recorded. */
export interface GgufPasses<R extends GgufWritten> {
  outtypes: readonly string[];
  /** The file-name and manifest label of an outtype (Q4_1, F16, …). */
  labelOf(outtype: string): string;
  /** "converting to" / "converting MLX to": the progress phase, before the label. */
  phase: string;
  /** Fields every output of this converter carries (finished ones too). */
  extra: Record<string, unknown>;
  convert(a: { outtype: string; outPath: string; publish: (staging: string, dst: string) => Promise<string>; onProgress: (p: { done: number; total: number; tensor: string }) => void }): Promise<R>;
  /** The manifest recipe of a finished pass. */
  recipe(outtype: string, label: string, r: R): Record<string, unknown>;
  /** The job result's fields beyond the common ones. */
  result(r: R): Record<string, unknown>;
}

/**
 * The output side shared by the checkpoint and the MLX GGUF conversions: plain precisions go to models/, every
 * quantized type to quantized_models/ (where the pool's fallback finds it); each output name is chosen without
 * overwriting (an earlier run of this same job finishes with its output), written through the converter, hashed
 * and recorded with its provenance. One result, or `{ outputs }` for several outtypes.
 */
export async function writeGgufOutputs<R extends GgufWritten>(data: ConvertData, ctx: JobContext, cfg: WorkerRuntimeConfig, src: ModelSource, passes: GgufPasses<R>): Promise<object> {
  const sourceId = sourceIdOf(cfg, src.path);
  const stems = data.outputName ? [data.outputName] : defaultStems(checkpointStem(src), { repo: src.repo, id: sourceId });
  const n = passes.outtypes.length;
  const outputs: object[] = [];
  for (const [i, outtype] of passes.outtypes.entries()) {
    const label = passes.labelOf(outtype);
    const dir = ["F32", "F16", "BF16"].includes(label) ? cfg.paths.models : cfg.paths.quantizedModels;
    fs.mkdirSync(dir, { recursive: true });
    const target = chooseOutput(cfg, { candidates: stems.map((s) => path.join(dir, ggufOutputFile(s, label))), overwrite: Boolean(data.overwrite), jobId: ctx.jobId, sourcePath: src.path, rerun: ctx.rerun });
    if (target.finished) {
      outputs.push(finishedResult(target.path, target.finished, { outtype: label, ...passes.extra }));
      continue;
    }
    const r = await passes.convert({
      outtype,
      outPath: target.path,
      publish: (staging, dst) => publishOutput(target, staging, dst),
      onProgress: (p) => ctx.progress({ phase: `${passes.phase} ${label}${n > 1 ? ` (${i + 1}/${n})` : ""}`, done: p.done, total: p.total, unit: "tensors", current_item: p.tensor }),
    });
    ctx.progress({ phase: "hashing", done: i + 1, total: n, unit: "items" });
    const sha256 = await sha256File(r.outPath);
    const modelId = await recordProduced(cfg, {
      path: r.outPath,
      kind: "convert",
      source: data.source,
      sourcePath: src.path,
      ...(src.repo ? { sourceRepo: src.repo } : {}),
      ...(src.commit ? { revision: src.commit } : {}),
      recipe: { target: "gguf", outtype: label, sourceId, ...passes.recipe(outtype, label, r) },
      jobId: ctx.jobId,
      sha256: { [path.basename(r.outPath)]: sha256 },
    }).catch(() => "");
    outputs.push({ model_id: modelId, path: r.outPath, outtype: label, ...passes.extra, architecture: r.architecture, bytes: r.fileBytes, parameters: r.parameterCount, sha256, ...passes.result(r) });
  }
  return outputs.length === 1 ? outputs[0]! : { outputs };
}
