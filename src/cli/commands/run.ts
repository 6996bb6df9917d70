import readline from "node:readline/promises";
import type { Command } from "commander";
import * as grpc from "@grpc/grpc-js";
import type { ChatRequest } from "../../grpc/generated/cortex/v1/ChatRequest.js";
import type { GenerateRequest } from "../../grpc/generated/cortex/v1/GenerateRequest.js";
import { CliError, EXIT_USAGE, type CortexClient } from "../client.js";
import { CliContext } from "../context.js";
import { addLoadFlags, addSamplingFlags, loadOptionsMsg, modelArg, samplingMsg, statsLines, type GenerationStatsMsg, type LoadFlags, type SamplingFlags } from "../inference-options.js";

interface RunFlags extends LoadFlags, SamplingFlags {
  system?: string;
  raw?: boolean;
  verbose?: boolean;
}

interface Turn {
  role: string;
  content: string;
}

type Base = Pick<ChatRequest & GenerateRequest, "model" | "sampling" | "load">;
type Call = { method: "Chat"; request: ChatRequest } | { method: "Generate"; request: GenerateRequest };

/** Where the answer goes: the terminal as it streams, or NDJSON (`{"text"}` per piece, then `{"done", "text", "stats"}`). */
interface Sink {
  piece(text: string): void;
  end(text: string, stats: GenerationStatsMsg | undefined): void;
}

/** `cortex run <model> [prompt]`: one answer streamed to the terminal, or an interactive chat without a prompt. */
export function registerRun(program: Command): void {
  const cmd = program
    .command("run <model> [prompt...]")
    .description("Chat with a model: streams the answer to a prompt, or starts an interactive chat (loads the model just in time)")
    .option("--system <text>", "system message")
    .option("--raw", "plain completion of the prompt, no chat template")
    .option("--verbose", "print timings and token counts after each answer");
  addLoadFlags(addSamplingFlags(cmd), false).action(async (model: string, words: string[], opts: RunFlags, c: Command) => {
    const ctx = CliContext.from(c);
    const base: Base = { model: modelArg(model), sampling: samplingMsg(opts), load: loadOptionsMsg(opts) };
    let prompt = words.join(" ");
    if (!prompt && !process.stdin.isTTY) {
      prompt = (await readAll(process.stdin)).trim();
      if (!prompt) throw new CliError("nothing to run: give a prompt as arguments or on stdin (an interactive chat needs a terminal)", EXIT_USAGE);
    }
    if (!prompt && ctx.json) throw new CliError("--json needs a prompt (arguments or stdin): the interactive chat is for terminals", EXIT_USAGE);
    const history: Turn[] = opts.system ? [{ role: "system", content: opts.system }] : [];
    if (prompt) {
      const call: Call = opts.raw ? { method: "Generate", request: { ...base, prompt } } : { method: "Chat", request: { ...base, messages: [...history, { role: "user", content: prompt }] } };
      if (ctx.json) {
        await streamTo(ctx.client, call, ndjsonSink());
        return;
      }
      const r = await streamTo(ctx.client, call, terminalSink());
      process.stdout.write("\n");
      if (opts.verbose && r.stats) process.stderr.write(`${statsLines(r.stats)}\n`);
      return;
    }
    await interactive(ctx, base, history, Boolean(opts.verbose));
  });
}

function terminalSink(): Sink {
  return { piece: (text) => process.stdout.write(text), end: () => undefined };
}

function ndjsonSink(): Sink {
  return {
    piece: (text) => process.stdout.write(`${JSON.stringify({ text })}\n`),
    end: (text, stats) => process.stdout.write(`${JSON.stringify({ done: true, text, stats: stats ?? null })}\n`),
  };
}

async function interactive(ctx: CliContext, base: Base, history: Turn[], verbose: boolean): Promise<void> {
  // Load before the first question (an empty chat only loads), so the first answer starts at once.
  const loaded = await streamTo(ctx.client, { method: "Chat", request: { ...base, messages: [] } }, terminalSink());
  if (verbose && loaded.stats && loaded.stats.load_ms > 0) process.stderr.write(`loaded in ${(loaded.stats.load_ms / 1000).toFixed(2)}s\n`);
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  process.stdout.write("Type a message; /bye or Ctrl-D to quit, Ctrl-C stops an answer.\n");
  try {
    for (;;) {
      let line: string;
      try {
        line = await rl.question(">>> ");
      } catch {
        break; // Ctrl-D / closed input
      }
      if (line.trim() === "/bye") break;
      if (line.trim() === "") continue;
      history.push({ role: "user", content: line });
      const r = await streamTo(ctx.client, { method: "Chat", request: { ...base, messages: history } }, terminalSink(), rl);
      process.stdout.write("\n");
      history.push({ role: "assistant", content: r.text });
      if (verbose && r.stats) process.stderr.write(`${statsLines(r.stats)}\n`);
    }
  } finally {
    rl.close();
  }
}

/** Streams a Generate/Chat call into `out`; Ctrl-C cancels the call (the daemon stops within one token). */
function streamTo(client: CortexClient, req: Call, out: Sink, rl?: readline.Interface): Promise<{ text: string; stats?: GenerationStatsMsg }> {
  const call = req.method === "Chat" ? client.stream("cortex.v1.InferenceService", "Chat", req.request) : client.stream("cortex.v1.InferenceService", "Generate", req.request);
  let text = "";
  let stats: GenerationStatsMsg | undefined;
  let cancelled = false;
  const onSigint = () => {
    cancelled = true;
    call.cancel();
  };
  if (rl) rl.on("SIGINT", onSigint);
  else process.once("SIGINT", onSigint);
  return new Promise((resolve, reject) => {
    call.on("data", (m) => {
      if (m.text) {
        text += m.text;
        out.piece(m.text);
      }
      if (m.stats) stats = m.stats;
    });
    call.on("error", (err: grpc.ServiceError) => {
      cleanup();
      if (cancelled && err.code === grpc.status.CANCELLED) {
        out.end(text, undefined);
        resolve({ text });
      } else reject(client.explain(err));
    });
    call.on("end", () => {
      cleanup();
      out.end(text, stats);
      resolve(stats ? { text, stats } : { text });
    });
    const cleanup = () => {
      if (rl) rl.off("SIGINT", onSigint);
      else process.off("SIGINT", onSigint);
    };
  });
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let s = "";
  for await (const chunk of stream) s += chunk.toString();
  return s;
}
