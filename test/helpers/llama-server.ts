import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { ROOT } from "./daemon.js";
import { requireTool } from "./require-tool.js";

/**
 * llama.cpp's own server, built from the source node-llama-cpp bundles (test/tools/build-llama-tools.sh), as the
 * reference the native engine is held to (engine-reference, engine-speed, bench llama-server). Listens on a unix
 * socket in a temp folder: no fixed ports.
 */
export function llamaServerBinary(): { bin: string } | { skip: string } {
  const env = process.env.CORTEX_LLAMA_SERVER;
  if (env) return fs.existsSync(env) ? { bin: env } : { skip: requireTool("LLAMA_TOOLS", `CORTEX_LLAMA_SERVER=${env} does not exist`) || "missing" };
  const script = path.join(ROOT, "test", "tools", "build-llama-tools.sh");
  const r = spawnSync("bash", [script, "--print"], { encoding: "utf8" });
  const line = r.stdout?.split("\n").find((l) => l.startsWith("llama-server: "));
  if (r.status !== 0 || !line) return { skip: requireTool("LLAMA_TOOLS", `llama-server is not built (run test/tools/build-llama-tools.sh): ${(r.stderr || "").trim()}`) || "llama-server is not built" };
  return { bin: line.slice("llama-server: ".length).trim() };
}

export interface LlamaServerOptions {
  threads: number;
  /** Context per slot. */
  contextSize: number;
  parallel: number;
  extraArgs?: string[];
}

export interface CompletionResult {
  content: string;
  tokensPredicted: number;
  /** The server's own timings. */
  promptMs: number;
  predictedMs: number;
}

export class LlamaServer {
  private constructor(
    readonly proc: ChildProcess,
    readonly socket: string,
    private readonly dir: string,
  ) {}

  static async start(bin: string, model: string, o: LlamaServerOptions): Promise<LlamaServer> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cxls-"));
    const socket = path.join(dir, "s.sock");
    const args = ["-m", model, "--host", socket, "-t", String(o.threads), "-tb", String(o.threads), "-c", String(o.contextSize * o.parallel), "-np", String(o.parallel), "--no-webui", "--log-disable", ...(o.extraArgs ?? [])];
    const proc = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    proc.stderr!.on("data", (b: Buffer) => (err = (err + b.toString()).slice(-4000)));
    const s = new LlamaServer(proc, socket, dir);
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`llama-server exited (${proc.exitCode}): ${err}`);
      const ok = await s.request("GET", "/health").then((r) => r.status === 200, () => false);
      if (ok) return s;
      if (Date.now() > deadline) {
        await s.stop();
        throw new Error(`llama-server did not become ready: ${err}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  request(method: string, p: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = http.request({ socketPath: this.socket, method, path: p, headers: data ? { "content-type": "application/json", "content-length": data.length } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          let json: unknown = text;
          try {
            json = JSON.parse(text);
          } catch {
            // Not JSON (an error page): the text.
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      });
      req.on("error", reject);
      req.end(data);
    });
  }

  /** /completion, greedy unless told otherwise; the prompt cache off so every request evaluates its prompt. */
  async complete(prompt: string, nPredict: number, extra: Record<string, unknown> = {}): Promise<CompletionResult> {
    const r = await this.request("POST", "/completion", { prompt, n_predict: nPredict, temperature: 0, cache_prompt: false, ...extra });
    if (r.status !== 200) throw new Error(`llama-server /completion ${r.status}: ${JSON.stringify(r.json)}`);
    const j = r.json as { content: string; tokens_predicted: number; timings?: { prompt_ms?: number; predicted_ms?: number } };
    return { content: j.content, tokensPredicted: j.tokens_predicted, promptMs: j.timings?.prompt_ms ?? 0, predictedMs: j.timings?.predicted_ms ?? 0 };
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      const exited = new Promise((r) => this.proc.once("exit", r));
      this.proc.kill("SIGTERM");
      const t = setTimeout(() => this.proc.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
