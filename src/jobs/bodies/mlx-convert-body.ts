import type { Body, ConvertData, QuantizeData } from "./job-bodies.js";
import { notYet } from "./not-yet.js";

/** HF checkpoint → MLX (float or affine-quantized), and MLX float → MLX quantized. Implemented by src/mlx/. */
export const mlxConvertBody: Body<ConvertData | QuantizeData> = async () => notYet("MLX conversion");
