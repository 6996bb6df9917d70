import { ggufQuantizeBody } from "../src/jobs/bodies/gguf-quantize-body.js";
import type { QuantizeData } from "../src/jobs/bodies/job-bodies.js";
import { mlxConvertBody } from "../src/jobs/bodies/mlx-convert-body.js";
import { createProcessor } from "../src/jobs/processor-shim.js";
import { withFleetIO } from "../src/jobs/bodies/fleet-io.js";
import { readWorkerConfig } from "../src/jobs/worker-config.js";

/** The `quantizations` queue's processor: GGUF → quantized GGUF, MLX float → MLX quantized. */
export default createProcessor<QuantizeData, object>(async (data, ctx) => {
  const cfg = readWorkerConfig();
  return withFleetIO<QuantizeData>((d, c, cfg2) => (d.target === "mlx" ? mlxConvertBody(d, c, cfg2) : ggufQuantizeBody(d, c, cfg2)))(data, ctx, cfg);
});
