import type { Body, ConvertData } from "./job-bodies.js";
import { notYet } from "./not-yet.js";

/** HF checkpoint → GGUF (one pass to a quantized type when asked). Implemented by src/convert/. */
export const ggufConvertBody: Body<ConvertData> = async () => notYet("GGUF conversion");
