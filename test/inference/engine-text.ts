import type { LoadSpec } from "../../src/inference/engine/engine-types.js";
import type { InferenceEngine } from "../../src/inference/engine/engine.js";

/** The engine's own greedy text for `prompt` (no repeat penalty), on a model loaded for this call only: what a stream must add up to. */
export async function engineGreedyText(engine: InferenceEngine, spec: LoadSpec, prompt: string, maxTokens: number): Promise<string> {
  const { model } = await engine.load(spec);
  let text = "";
  try {
    await model.generate({ kind: "completion", prompt }, { temperature: 0, maxTokens, stop: [], repeatPenalty: 1 }, (t) => (text += t), new AbortController().signal);
  } finally {
    await model.dispose();
  }
  return text;
}
