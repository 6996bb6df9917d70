import type { Body, FuseData } from "./job-bodies.js";
import { notYet } from "./not-yet.js";

/** LoRA adapter fusion into its base model. Implemented by src/mlx/. */
export const fuseBody: Body<FuseData> = async () => notYet("LoRA fusion");
