import path from "node:path";
import { SPLIT_GGUF } from "../model-identity.js";

/** Adapter weight files: PEFT (`adapter_model.*`) and mlx-lm (`adapters.safetensors`, older `adapter.safetensors`). */
export const ADAPTER_WEIGHTS = ["adapter_model.safetensors", "adapters.safetensors", "adapter.safetensors", "adapter_model.bin"];
export const FINE_TUNED_MARKER = "fine_tuned.marker";

/** Files a writer is still producing: never part of a model. */
export function isTransient(name: string): boolean {
  return name.startsWith(".") || name.endsWith(".incomplete") || name.endsWith(".part") || /\.tmp(-\d+)?$/.test(name) || /\.tmp-\d+/.test(name);
}

/**
 * Folder evidence from the names directly in a folder: weights (*.safetensors, weights.npz, pytorch_model*.bin)
 * or a LoRA adapter (adapter_config.json + adapter weights). GGUF files are models of their own.
 */
export function hasFolderEvidence(names: readonly string[]): boolean {
  const set = new Set(names);
  if (set.has("adapter_config.json") && ADAPTER_WEIGHTS.some((a) => set.has(a))) return true;
  return names.some((n) => n.endsWith(".safetensors") || n === "weights.npz" || /^pytorch_model.*\.bin$/.test(n));
}

export interface GgufGroup {
  /** First part (or the single file), relative. */
  readonly primary: string;
  readonly parts: readonly string[];
  /** Expected parts that are absent. */
  readonly missing: readonly string[];
}

/** Group GGUF files (relative paths): `-0000i-of-0000N` parts become one model; gaps are reported. */
export function groupGgufs(rels: readonly string[]): GgufGroup[] {
  const singles: GgufGroup[] = [];
  const splits = new Map<string, { count: number; parts: Map<number, string> }>();
  for (const rel of rels) {
    if (!rel.toLowerCase().endsWith(".gguf")) continue;
    const m = SPLIT_GGUF.exec(rel);
    if (!m) {
      singles.push({ primary: rel, parts: [rel], missing: [] });
      continue;
    }
    const key = `${m[1]}\0${m[3]}`;
    let g = splits.get(key);
    if (!g) splits.set(key, (g = { count: Number(m[3]), parts: new Map() }));
    g.parts.set(Number(m[2]), rel);
  }
  const out = [...singles];
  for (const [key, g] of splits) {
    const [stem, countText] = key.split("\0") as [string, string];
    const parts: string[] = [];
    const missing: string[] = [];
    for (let i = 1; i <= g.count; i++) {
      const p = g.parts.get(i);
      if (p) parts.push(p);
      else missing.push(`${stem}-${String(i).padStart(5, "0")}-of-${countText}.gguf`);
    }
    out.push({ primary: g.parts.get(1) ?? parts[0]!, parts, missing });
  }
  return out.sort((a, b) => a.primary.localeCompare(b.primary));
}

/** Whether a relative path names a file directly in the folder (no subfolder). */
export function isTopLevel(rel: string): boolean {
  return !rel.includes("/") && !rel.includes(path.sep);
}

/** The weight folders of a diffusers/flux.swift pipeline: parts of one model, never models of their own. */
export const PIPELINE_WEIGHT_FOLDERS = ["transformer", "unet", "prior", "decoder", "vae", "text_encoder", "text_encoder_2", "text_encoder_3", "image_encoder"] as const;

/**
 * A multi-component pipeline folder: a diffusers `model_index.json`, or (flux.swift writes no index) a
 * `transformer`/`unet` folder beside a `vae` folder.
 * @param dirNames the folder's immediate subfolders (or an HF snapshot's first path segments)
 */
export function hasPipelineEvidence(fileNames: readonly string[], dirNames: readonly string[]): boolean {
  if (fileNames.includes("model_index.json")) return true;
  const dirs = new Set(dirNames);
  return (dirs.has("transformer") || dirs.has("unet")) && dirs.has("vae");
}

/**
 * A folder with `config.json` and no weights yet (a pull that fetched the config first, a model whose weights
 * were removed): listed, as PyTorch, with a note saying so. GGUF files beside it are models of their own.
 */
export function hasConfigOnlyEvidence(fileNames: readonly string[]): boolean {
  return fileNames.includes("config.json") && !fileNames.includes("model_index.json") && !fileNames.some((n) => n.toLowerCase().endsWith(".gguf"));
}

/**
 * Weight files at a model's top level that are another layout of the same weights: single-file safetensors
 * beside pipeline folders (FLUX's flux1-schnell.safetensors, ae.safetensors), legacy pickles beside
 * safetensors (MusicGen's state_dict.bin, compression_state_dict.bin, pytorch_model.bin).
 */
export function singleFileAlternates(top: readonly { rel: string; size: number }[]): { rel: string; size: number; description: string }[] {
  const out: { rel: string; size: number; description: string }[] = [];
  for (const f of top) {
    if (f.rel.endsWith(".safetensors")) out.push({ rel: f.rel, size: f.size, description: "single-file checkpoint (ComfyUI/Forge layout) of the pipeline's weights" });
    else if (/\.(bin|pt|pth|ckpt)$/.test(f.rel)) out.push({ rel: f.rel, size: f.size, description: "legacy PyTorch pickle of the same weights" });
  }
  return out.sort((a, b) => a.rel.localeCompare(b.rel));
}

/** Legacy pickles beside a safetensors checkpoint: alternates, not weights to load. */
export function pickleAlternates(top: readonly { rel: string; size: number }[]): { rel: string; size: number; description: string }[] {
  if (!top.some((f) => f.rel.endsWith(".safetensors"))) return [];
  return singleFileAlternates(top.filter((f) => /\.(bin|pt|pth|ckpt)$/.test(f.rel) && f.rel !== "training_args.bin"));
}
