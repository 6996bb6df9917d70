import fs from "node:fs/promises";
import path from "node:path";
import { CortexError } from "../errors/cortex-error.js";
import { SUPPORTED_ARCHITECTURES } from "./arch-registry.js";
import { buildHparams, isObject, readJsonObject } from "./hf-config.js";

/**
 * Whether a folder can become a GGUF, from names and config.json alone (never the weights): checked when a
 * conversion is submitted, so a job that cannot succeed is refused then, and again by the converter.
 * - a diffusers pipeline (model_index.json) or a flux.swift folder (transformer/ + vae/) is not a language model:
 *   CONV_UNSUPPORTED_ARCH naming its pipeline class;
 * - an architecture the converter does not know (MusicGen, EnCodec, …): CONV_UNSUPPORTED_ARCH naming it;
 * - PyTorch pickles without safetensors: CONV_NEEDS_SAFETENSORS (pickles are never unpickled);
 * - no config.json at all: FMT_INVALID.
 * @returns the HF architecture name
 */
export async function checkGgufSource(dir: string): Promise<string> {
  const names = await fs.readdir(dir).catch((err: NodeJS.ErrnoException) => {
    throw new CortexError(err.code === "ENOENT" ? "REG_NOT_FOUND" : "IO_ERROR", `${dir}: ${err.message}`);
  });
  const has = (n: string) => names.includes(n);
  if (has("model_index.json") || ((has("transformer") || has("unet")) && has("vae"))) {
    const index = has("model_index.json") ? await readJsonObject(dir, "model_index.json") : undefined;
    const cls = typeof index?.["_class_name"] === "string" ? index["_class_name"] : "a diffusion pipeline (flux.swift layout)";
    throw new CortexError("CONV_UNSUPPORTED_ARCH", `${dir}: ${cls} is a multi-component image/audio pipeline, not a language model; GGUF conversion supports ${SUPPORTED_ARCHITECTURES.join(", ")}`, { details: { architecture: String(cls) } });
  }
  if (!has("config.json")) throw new CortexError("FMT_INVALID", `${dir}: no config.json; not a Hugging Face checkpoint`);
  const configPath = path.join(dir, "config.json");
  // The quiet, bounded read: a FIFO or an oversized file here fails at once, never blocks a worker's open.
  const raw = await readJsonObject(dir, "config.json");
  if (!raw) throw new CortexError("FMT_INVALID", `${configPath}: no config.json; not a Hugging Face checkpoint`);
  // No architectures entry: the converter's own check names that (buildHparams).
  if (!hasArchitecture(raw)) return "";
  const { architecture } = buildHparams(raw, configPath);
  if (!SUPPORTED_ARCHITECTURES.includes(architecture)) {
    throw new CortexError("CONV_UNSUPPORTED_ARCH", `${configPath}: architecture "${architecture}" is not supported; supported: ${SUPPORTED_ARCHITECTURES.join(", ")}`, { details: { architecture } });
  }
  const safetensors = names.some((n) => n.endsWith(".safetensors"));
  if (!safetensors && names.some((n) => /\.(bin|pt|pth|ckpt)$/.test(n))) {
    throw new CortexError("CONV_NEEDS_SAFETENSORS", `${dir}: only PyTorch pickles (${names.filter((n) => /\.(bin|pt|pth|ckpt)$/.test(n)).join(", ")}); conversion reads safetensors (pickles are never unpickled): pull a safetensors revision of the model`);
  }
  return architecture;
}

function hasArchitecture(raw: Record<string, unknown>): boolean {
  const text = raw["text_config"];
  const list = (isObject(text) && Array.isArray(text["architectures"]) ? text["architectures"] : undefined) ?? (Array.isArray(raw["architectures"]) ? raw["architectures"] : undefined);
  return typeof list?.[0] === "string";
}
