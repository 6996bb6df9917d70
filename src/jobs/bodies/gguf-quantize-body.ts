import fs from "node:fs";
import path from "node:path";
import { CortexError } from "../../errors/cortex-error.js";
import { sha256File } from "../../hub/sha256-file.js";
import { llamaQuantizeFile } from "../../quantize/llama-quantize-file.js";
import { resolveModelSource } from "../../store/resolve-source.js";
import { recordProduced } from "../worker-store.js";
import { ggufOutputFile, modelStem } from "../output-names.js";
import { chooseOutput, defaultStems, finishedResult, publishOutput, sourceIdOf } from "../output-target.js";
import { parseSnapshotPath } from "../../hub/hf-cache-layout.js";
import type { Body, QuantizeData } from "./job-bodies.js";

/** GGUF → quantized GGUF with llama.cpp's own llama_model_quantize, in a runner child process. */
export const ggufQuantizeBody: Body<QuantizeData> = async (data, ctx, cfg) => {
  const src = resolveModelSource(data.model, { paths: cfg.paths, hubCache: cfg.hfHubCache, modelDirs: cfg.modelDirs });
  let input = src.path;
  if (fs.statSync(input).isDirectory()) {
    const ggufs = fs.readdirSync(input).filter((f) => f.toLowerCase().endsWith(".gguf"));
    if (ggufs.length !== 1) throw new CortexError("REG_BROKEN", `${data.model} is not a GGUF model (${ggufs.length} .gguf files in ${input}); convert it first`);
    input = path.join(input, ggufs[0]!);
  }
  if (!input.toLowerCase().endsWith(".gguf")) throw new CortexError("REG_BROKEN", `${data.model} (${input}) is not a GGUF file; convert it first (cortex convert)`);
  const type = data.type!;
  const dir = cfg.paths.quantizedModels;
  const sourceId = sourceIdOf(cfg, input);
  const repo = src.repo ?? parseSnapshotPath(input)?.repo;
  const candidates = data.outputName
    ? [path.join(dir, data.outputName.endsWith(".gguf") ? data.outputName : `${data.outputName}.gguf`)]
    : defaultStems(modelStem(input), { repo, id: sourceId }).map((s) => path.join(dir, ggufOutputFile(s, type)));
  const target = chooseOutput(cfg, { candidates, overwrite: Boolean(data.overwrite), jobId: ctx.jobId, sourcePath: input, rerun: ctx.rerun });
  if (target.finished) return finishedResult(target.path, target.finished, { type });
  const out = target.path;
  fs.mkdirSync(dir, { recursive: true });
  ctx.progress({ phase: "quantizing", done: 0, total: 1, unit: "tensors", message: `${path.basename(input)} → ${type}` });
  const r = await llamaQuantizeFile(input, out, {
    type,
    threads: data.threads || cfg.threads,
    signal: ctx.signal,
    publish: (tmp, dst) => publishOutput(target, tmp, dst),
    onProgress: (p) => ctx.progress({ phase: "quantizing", done: p.tensorsDone, total: p.tensorsTotal, unit: "tensors", ...(p.tensor ? { current_item: p.tensor } : {}) }),
  });
  ctx.progress({ phase: "hashing", done: 1, total: 1, unit: "items" });
  const sha256 = await sha256File(r.outPath);
  const modelId = await recordProduced(cfg, {
    path: r.outPath,
    kind: "quantize",
    source: data.model,
    sourcePath: input,
    recipe: { type, sourceId },
    toolVersions: { "llama.cpp": r.native.llamaCppRelease ?? r.native.llamaVersion, ggml: `${r.native.ggmlVersion}@${r.native.ggmlCommit}`, "node-llama-cpp": r.native.nodeLlamaCppVersion ?? "" },
    jobId: ctx.jobId,
    sha256: { [path.basename(r.outPath)]: sha256 },
  }).catch(() => "");
  return { model_id: modelId, path: r.outPath, type, bytes: r.bytes, sha256, warnings: r.warnings.length, elapsed_ms: r.elapsedMs };
};
