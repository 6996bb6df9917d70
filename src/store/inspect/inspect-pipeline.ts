import path from "node:path";
import { readSafetensorsHeader, type SafetensorsHeader } from "../../formats/safetensors/read-safetensors-header.js";
import { PIPELINE_WEIGHT_FOLDERS, singleFileAlternates } from "../discover/classify-files.js";
import type { AlternateFile, ComponentFacts, ModelCandidate, ModelFacts, ModelFile } from "../model-types.js";
import { readJsonObject } from "./read-json-file.js";
import { summarizeWeights, tensorsOf, type WeightsSummary } from "./tensor-summary.js";

type Json = Record<string, unknown>;

/**
 * A multi-component pipeline folder as one model: a diffusers repo (`model_index.json` naming each part's
 * library and class) or a flux.swift MLX folder (the same part folders, no index). Each part is read from its
 * own headers; the model's parameters and weight bytes are the parts' sums, its format MLX when a part is MLX,
 * its quantization the biggest part's. Single-file weights at the top level (FLUX's flux1-schnell.safetensors,
 * ae.safetensors) are alternates: another layout of the same weights, on disk but not part of the pipeline.
 * @throws CortexError FMT_INVALID naming the file when a header or JSON file is malformed
 */
export async function inspectPipeline(c: ModelCandidate): Promise<ModelFacts> {
  const dir = c.primaryPath;
  const byRel = new Map(c.files.map((f) => [f.rel, f]));
  const index: Json = byRel.has("model_index.json") ? await readJsonObject(path.join(dir, "model_index.json"), byRel.get("model_index.json")!.size) : {};
  const fluxSwift: Json = byRel.has("metadata.json") ? await readJsonObject(path.join(dir, "metadata.json"), byRel.get("metadata.json")!.size).catch(() => ({})) : {};
  const declared = new Map<string, string>();
  for (const [k, v] of Object.entries(index)) if (!k.startsWith("_") && Array.isArray(v) && typeof v[1] === "string") declared.set(k, v[1]);
  const folders = new Set<string>(declared.keys());
  for (const f of c.files) if (f.rel.includes("/")) folders.add(f.rel.slice(0, f.rel.indexOf("/")));

  const components: ComponentFacts[] = [];
  const weighed: { c: ComponentFacts; s: WeightsSummary }[] = [];
  for (const name of [...folders].sort()) {
    const files = c.files.filter((f) => f.rel.startsWith(`${name}/`));
    if (files.length === 0) continue;
    const sizeBytes = files.reduce((s, f) => s + f.size, 0);
    const headers = await componentHeaders(dir, name, files);
    const config = byRel.has(`${name}/config.json`) ? await readJsonObject(path.join(dir, name, "config.json"), byRel.get(`${name}/config.json`)!.size) : {};
    const tally = tensorsOf(headers);
    const className = declared.get(name) ?? (typeof config["_class_name"] === "string" ? config["_class_name"] : Array.isArray(config["architectures"]) && typeof config["architectures"][0] === "string" ? config["architectures"][0] : guessClass(name, tally.tensors));
    if (headers.length === 0) {
      components.push({ name, className, quantization: "NONE", quantizationLabel: "", parameterCount: 0, sizeBytes, path: name });
      continue;
    }
    const s = summarizeWeights(tally);
    const comp: ComponentFacts = { name, className, format: s.format, quantization: s.verdict.quantization, quantizationLabel: s.verdict.label, ...(s.verdict.width ? { bits: s.verdict.width } : {}), parameterCount: s.parameterCount, sizeBytes, path: name };
    components.push(comp);
    weighed.push({ c: comp, s });
  }
  const alternates = singleFileAlternates(c.files.filter((f) => !f.rel.includes("/")));
  const main = [...weighed].sort((a, b) => b.s.bytes - a.s.bytes)[0];
  const architecture =
    (typeof index["_class_name"] === "string" ? index["_class_name"] : undefined) ??
    (typeof fluxSwift["modelType"] === "string" && fluxSwift["modelType"] !== "flux" ? fluxSwift["modelType"] : undefined) ??
    (components.some((x) => x.className === "FluxTransformer2DModel") ? "FluxPipeline" : "");
  const isMlx = weighed.some((w) => w.s.format === "MLX");
  const verdict = main?.s.verdict ?? { quantization: "NONE" as const, label: "none" };
  const detail = weighed.length > 1 ? weighed.map((w) => `${w.c.name} ${w.s.verdict.detail ?? w.s.verdict.label}`).join("; ") : verdict.detail;
  return {
    format: isMlx ? "MLX" : "SAFETENSORS",
    quantization: verdict.quantization,
    quantizationLabel: verdict.label,
    ...(main?.s.mlx ? { mlx: { bits: main.s.mlx.bits, groupSize: main.s.mlx.groupSize, mode: main.s.mlx.mode } } : {}),
    ...(verdict.width ? { bits: verdict.width } : {}),
    architecture,
    parameterCount: weighed.reduce((s, w) => s + w.s.parameterCount, 0),
    contextLength: 0,
    vocabSize: 0,
    weightsBytes: weighed.reduce((s, w) => s + w.s.bytes, 0),
    components,
    ...(alternates.length ? { alternates, notes: [doubledDiskNote(alternates, components)] } : {}),
    ...(detail ? { quantizationDetail: detail } : {}),
  };
}

/** A part's safetensors: its index's shards when it has one, else every .safetensors directly in its folder. */
async function componentHeaders(dir: string, name: string, files: readonly ModelFile[]): Promise<SafetensorsHeader[]> {
  const direct = files.filter((f) => f.rel.split("/").length === 2);
  const index = direct.find((f) => f.rel.endsWith(".safetensors.index.json") && !/\.(fp16|bf16|fp32)\./.test(f.rel));
  let shards: string[];
  if (index) {
    const json = await readJsonObject(path.join(dir, index.rel), index.size);
    const map = (json["weight_map"] ?? {}) as Record<string, unknown>;
    shards = [...new Set(Object.values(map).filter((v): v is string => typeof v === "string"))].map((s) => `${name}/${s}`);
  } else {
    const all = direct.filter((f) => f.rel.endsWith(".safetensors")).map((f) => f.rel);
    // diffusers variants (diffusion_pytorch_model.fp16.safetensors) are other copies: the plain files when present.
    const plain = all.filter((r) => !/\.(fp16|bf16|fp32)\.safetensors$/.test(r));
    shards = plain.length ? plain : all;
  }
  const out: SafetensorsHeader[] = [];
  for (const rel of shards.sort()) out.push(await readSafetensorsHeader(path.join(dir, ...rel.split("/"))));
  return out;
}

/** flux.swift writes no configs: the part's role from its folder and tensor names. */
function guessClass(folder: string, tensors: readonly { name: string }[]): string {
  if (folder === "transformer" && tensors.some((t) => t.name.includes("single_transformer_blocks"))) return "FluxTransformer2DModel";
  if (!(PIPELINE_WEIGHT_FOLDERS as readonly string[]).includes(folder)) return "";
  return { vae: "AutoencoderKL", text_encoder: "CLIPTextModel", text_encoder_2: "T5EncoderModel" }[folder] ?? "";
}

function doubledDiskNote(alternates: readonly AlternateFile[], components: readonly ComponentFacts[]): string {
  const gb = (n: number) => `${(n / 1e9).toFixed(n >= 1e9 ? 1 : 3)} GB`;
  const altBytes = alternates.reduce((s, a) => s + a.size, 0);
  const names = alternates.map((a) => a.rel);
  const partBytes = components.reduce((s, x) => s + x.sizeBytes, 0);
  return (
    `this repo holds the weights twice: the pipeline folders (${gb(partBytes)}) and single-file ${names.join(", ")} (${gb(altBytes)}); pulling both layouts doubles the disk. ` +
    `Pipeline only: --exclude ${names.map((n) => `"${n}"`).join(" --exclude ")}; single files only: --include ${names.map((n) => `"${n}"`).join(" --include ")}`
  );
}
