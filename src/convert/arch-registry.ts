import { CortexError } from "../errors/cortex-error.js";
import type { ArchConverter, ArchSetup } from "./arch.js";
import { createGemmaArch } from "./arch-gemma.js";
import { createLlamaArch } from "./arch-llama.js";
import { createPhi3Arch } from "./arch-phi3.js";
import { createQwenArch } from "./arch-qwen.js";

/** HF `architectures[0]` → converter, as convert_hf_to_gguf registers them (the subset cortexd supports). */
const ARCHS: Readonly<Record<string, (s: ArchSetup) => ArchConverter>> = {
  LlamaForCausalLM: createLlamaArch,
  LLaMAForCausalLM: createLlamaArch,
  LlamaModel: createLlamaArch,
  MistralForCausalLM: createLlamaArch,
  Qwen2ForCausalLM: (s) => createQwenArch(s, "qwen2"),
  Qwen2Model: (s) => createQwenArch(s, "qwen2"),
  Qwen3ForCausalLM: (s) => createQwenArch(s, "qwen3"),
  Qwen3Model: (s) => createQwenArch(s, "qwen3"),
  Phi3ForCausalLM: createPhi3Arch,
  GemmaForCausalLM: (s) => createGemmaArch(s, "gemma"),
  Gemma2ForCausalLM: (s) => createGemmaArch(s, "gemma2"),
};

/** HF architecture names this converter handles. */
export const SUPPORTED_ARCHITECTURES: readonly string[] = Object.keys(ARCHS);

/**
 * The converter for `setup.hparams.architecture`.
 * @throws CortexError CONV_UNSUPPORTED_ARCH naming the architecture and listing the supported ones.
 */
export function createArchConverter(setup: ArchSetup): ArchConverter {
  const arch = setup.hparams.architecture;
  const make = Object.prototype.hasOwnProperty.call(ARCHS, arch) ? ARCHS[arch] : undefined;
  if (!make) {
    throw new CortexError("CONV_UNSUPPORTED_ARCH", `${setup.configPath}: architecture "${arch}" is not supported; supported: ${SUPPORTED_ARCHITECTURES.join(", ")}`, { details: { architecture: arch } });
  }
  return make(setup);
}
