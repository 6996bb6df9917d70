import fs from "node:fs";
import path from "node:path";
import { homePaths } from "../../src/config/paths.js";
import { ModelStore } from "../../src/store/model-store.js";
import type { ModelHolders } from "../../src/store/model-holders.js";
import type { StoreRoots } from "../../src/store/model-types.js";
import { makeHfFolder, makeMlxFolder, makePackedFolder, makeTinyGguf, TINY } from "../fixtures/make-model-zoo.js";
import { tempDir } from "../helpers/temp-dir.js";

/** A fresh CORTEX_HOME layout, HF cache and extra folder in a temp dir. */
export function storeRoots(t: { after: (fn: () => void) => void }): StoreRoots & { models: string; mlxModels: string; quantizedModels: string; extra: string } {
  const dir = tempDir(t, "cxs");
  const p = homePaths(path.join(dir, "home"));
  for (const d of [p.models, p.mlxModels, p.quantizedModels, p.manifests]) fs.mkdirSync(d, { recursive: true });
  const hub = path.join(dir, "hub");
  const extra = path.join(dir, "extra");
  fs.mkdirSync(hub, { recursive: true });
  fs.mkdirSync(extra, { recursive: true });
  return { home: p.home, cortexDirs: [p.models, p.mlxModels, p.quantizedModels], manifests: p.manifests, hfHubCache: hub, modelDirs: [extra], models: p.models, mlxModels: p.mlxModels, quantizedModels: p.quantizedModels, extra };
}

export function newStore(roots: StoreRoots, holders?: ModelHolders): ModelStore {
  return new ModelStore({ roots, ...(holders ? { holders } : {}) });
}

/** FLUX at full precision and at 4 bits, and 4-/8-bit models of every family, all in cortexd's folders. */
export async function bitWidthZoo(home: string): Promise<Record<string, string>> {
  const p = homePaths(home);
  const where: Record<string, string> = {
    "flux-dev-bf16": path.join(p.models, "flux-dev-bf16"),
    "flux-dev-mlx-4bit": path.join(p.mlxModels, "flux-dev-mlx-4bit"),
    "llama-mlx-8bit": path.join(p.mlxModels, "llama-mlx-8bit"),
    "llama-mlx-mixed-3-6": path.join(p.mlxModels, "llama-mlx-mixed-3-6"),
    "llama-gptq": path.join(p.models, "llama-gptq"),
    "llama-awq": path.join(p.models, "llama-awq"),
    "llama-bnb-nf4": path.join(p.models, "llama-bnb-nf4"),
    "llama-bnb-int8": path.join(p.models, "llama-bnb-int8"),
    "llama-Q4_K_M": path.join(p.quantizedModels, "llama-Q4_K_M.gguf"),
    "llama-Q4_0": path.join(p.quantizedModels, "llama-Q4_0.gguf"),
    "llama-Q8_0": path.join(p.quantizedModels, "llama-Q8_0.gguf"),
    "llama-F16": path.join(p.models, "llama-F16.gguf"),
  };
  makeHfFolder(where["flux-dev-bf16"]!, TINY, { dtype: "BF16" });
  makeMlxFolder(where["flux-dev-mlx-4bit"]!, TINY, 4, 64);
  makeMlxFolder(where["llama-mlx-8bit"]!, TINY, 8, 64);
  makeMlxFolder(where["llama-mlx-mixed-3-6"]!, TINY, 3, 32);
  // mlx-lm's mixed_3_6 recipe: 3 bits by default, 6 for some down_proj/v_proj layers (per-layer entries).
  const cfgFile = path.join(where["llama-mlx-mixed-3-6"]!, "config.json");
  const cfg = JSON.parse(fs.readFileSync(cfgFile, "utf8")) as { quantization: Record<string, unknown>; quantization_config: Record<string, unknown> };
  for (const q of [cfg.quantization, cfg.quantization_config]) q["model.layers.0.self_attn.v_proj"] = { group_size: 32, bits: 6 };
  fs.writeFileSync(cfgFile, JSON.stringify(cfg));
  makePackedFolder(where["llama-gptq"]!, "gptq");
  makePackedFolder(where["llama-awq"]!, "awq");
  makeHfFolder(where["llama-bnb-nf4"]!, TINY, { config: { quantization_config: { quant_method: "bitsandbytes", load_in_4bit: true, bnb_4bit_quant_type: "nf4" } } });
  makeHfFolder(where["llama-bnb-int8"]!, TINY, { config: { quantization_config: { quant_method: "bitsandbytes", load_in_8bit: true } } });
  await makeTinyGguf(where["llama-Q4_K_M"]!, 15);
  await makeTinyGguf(where["llama-Q4_0"]!, 2);
  await makeTinyGguf(where["llama-Q8_0"]!, 7);
  await makeTinyGguf(where["llama-F16"]!, 1);
  return where;
}

