import { fuseBody } from "../src/jobs/bodies/fuse-body.js";
import { ggufConvertBody } from "../src/jobs/bodies/gguf-convert-body.js";
import type { ConvertData, FuseData } from "../src/jobs/bodies/job-bodies.js";
import { mlxConvertBody } from "../src/jobs/bodies/mlx-convert-body.js";
import { createProcessor } from "../src/jobs/processor-shim.js";
import { withFleetIO } from "../src/jobs/bodies/fleet-io.js";
import { readWorkerConfig } from "../src/jobs/worker-config.js";
import { CortexError } from "../src/errors/cortex-error.js";

/** The `conversions` queue's processor: convert (GGUF or MLX), fuse, and flow parents (which summarise children). */
export default createProcessor<Record<string, unknown> & { model: string }, object>(async (data, ctx) => {
  const cfg = readWorkerConfig();
  const kind = ctx.jobName;
  if (kind === "convert") {
    const d = data as unknown as ConvertData;
    return withFleetIO<ConvertData>((d2, c2, cfg2) => (d2.target === "mlx" ? mlxConvertBody(d2, c2, cfg2) : ggufConvertBody(d2, c2, cfg2)))(d, ctx, cfg);
  }
  if (kind === "fuse") return fuseBody(data as unknown as FuseData, ctx, cfg);
  if (kind === "flow") return { children: ctx.childrenValues ? await ctx.childrenValues() : {} };
  throw new CortexError("INTERNAL", `conversions worker got a job of kind "${kind}"`);
});
