import os from "node:os";
import { formatResult, runBenchmark, type Benchmark } from "./harness.js";
import { rpcLatency } from "./rpc-latency.js";
import { cliStartup, cliStartupLs } from "./cli-startup.js";
import { download } from "./download.js";
import { inferenceIsolation, inferenceTokens, inferenceTtft } from "./inference.js";
import { listModelsCold, listModelsWarm } from "./list-models.js";
import { convertOnePass, quantizeQ4km, quantizeQ8 } from "./quantize.js";
import { mlxConvert } from "./mlx-convert.js";
import { mlxToGguf } from "./mlx-to-gguf.js";
import { runLlamaServerBench } from "./llama-server.js";
import { httpTokens } from "./http-tokens.js";

/** `npm run bench [name…]`: runs the named benchmarks (all when none is named). */
const ALL: Benchmark[] = [cliStartup, cliStartupLs, rpcLatency, download, listModelsWarm, listModelsCold, inferenceTokens, inferenceIsolation, inferenceTtft, httpTokens, quantizeQ4km, quantizeQ8, convertOnePass, mlxConvert, mlxToGguf];

/** Suites that print several paired results of their own. */
const SUITES: Record<string, () => Promise<unknown>> = { "llama-server": runLlamaServerBench };

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !ALL.some((b) => b.name === w) && !(w in SUITES));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(", ")}; available: ${[...ALL.map((b) => b.name), ...Object.keys(SUITES)].join(", ")}`);
  process.exit(64);
}
console.log(`# cortexd benchmarks — ${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? "cpu"} × ${os.cpus().length}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB, ${process.platform} ${process.arch}, node ${process.version}`);
for (const b of ALL.filter((x) => wanted.length === 0 || wanted.includes(x.name))) {
  console.log(`\n${b.description}`);
  console.log(formatResult(await runBenchmark(b)));
}
for (const [name, run] of Object.entries(SUITES)) {
  if (!wanted.includes(name)) continue;
  console.log(`\n# ${name}`);
  await run();
}
