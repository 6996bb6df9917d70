import type { Body, QuantizeData } from "./job-bodies.js";
import { notYet } from "./not-yet.js";

/** GGUF → quantized GGUF through llama.cpp's own kernels. Implemented by src/quantize/. */
export const ggufQuantizeBody: Body<QuantizeData> = async () => notYet("GGUF quantization");
