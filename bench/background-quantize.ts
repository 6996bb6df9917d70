import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { lowerToBackground } from "../src/platform/background-priority.js";
import { llamaQuantizeFile } from "../src/quantize/llama-quantize-file.js";

/**
 * A CPU-heavy job for `bench llama-server` case (c): quantizes the given GGUF to Q4_K_M over and over, on every
 * core, lowered to background priority first exactly as cortexd's job workers lower themselves (processor-shim).
 */
const input = process.argv[2]!;
lowerToBackground();
const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cxbq-")), "out.gguf");
process.on("exit", () => fs.rmSync(path.dirname(out), { recursive: true, force: true }));
for (;;) await llamaQuantizeFile(input, out, { type: "Q4_K_M", allowRequantize: true, threads: os.availableParallelism() });
