/**
 * Quick wall-time comparison (not a test): llama-quantize (built by build-llama-tools.sh) vs cortexd's
 * llamaQuantizeFile (child process and worker thread) vs a direct in-process llamaModelQuantize call, on the
 * same GGUF with the same thread count. Prints the median of N runs per row.
 *
 *   node dist/test/tools/quantize-timing.js IN.gguf [TYPES=Q4_K_M,Q8_0] [THREADS=2] [RUNS=3]
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { llamaModelQuantize } from "../../src/quantize/ggml-native.js";
import { ftypeForQuantType, llamaQuantizeFile } from "../../src/quantize/llama-quantize-file.js";
import { llamaQuantizeTool } from "../quantize/helpers.js";

const [input, typesArg = "Q4_K_M,Q8_0", threadsArg = "2", runsArg = "3"] = process.argv.slice(2);
if (!input) {
  console.error("usage: quantize-timing.js IN.gguf [TYPES] [THREADS] [RUNS]");
  process.exit(2);
}
const threads = Number(threadsArg);
const runs = Number(runsArg);
const tool = llamaQuantizeTool();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "qtime-"));

async function time(fn: () => unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  console.log(`input ${input} (${(fs.statSync(input).size / 1e6).toFixed(1)} MB), threads ${threads}, median of ${runs}`);
  for (const type of typesArg.split(",")) {
    const rows: [string, () => unknown][] = [
      ["llamaModelQuantize in-process (koffi)", () => llamaModelQuantize(input, path.join(dir, "direct.gguf"), { ftype: ftypeForQuantType(type), nthread: threads }, () => undefined)],
      ["llamaQuantizeFile, child process", () => llamaQuantizeFile(input, path.join(dir, "proc.gguf"), { type, threads, isolation: "process" })],
      ["llamaQuantizeFile, worker thread", () => llamaQuantizeFile(input, path.join(dir, "thread.gguf"), { type, threads, isolation: "thread" })],
    ];
    if (!("skip" in tool)) {
      rows.unshift([
        "llama-quantize (tool)",
        () => {
          const r = spawnSync(tool.bin, [input, path.join(dir, "tool.gguf"), type, String(threads)], { encoding: "utf8" });
          if (r.status !== 0) throw new Error(r.stderr);
        },
      ]);
    }
    for (const [label, fn] of rows) {
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) ms.push(await time(fn));
      console.log(`${type.padEnd(7)} ${label.padEnd(40)} ${median(ms).toFixed(0).padStart(6)} ms  (${ms.map((m) => m.toFixed(0)).join(", ")})`);
    }
    if (!("skip" in tool)) {
      const same = fs.readFileSync(path.join(dir, "tool.gguf")).equals(fs.readFileSync(path.join(dir, "proc.gguf")));
      console.log(`${type.padEnd(7)} outputs byte-identical: ${same}`);
    }
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
