import { fork, type ChildProcess } from "node:child_process";
import { childEnv } from "../../platform/child-env.js";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CortexError } from "../../errors/cortex-error.js";
import { isErrorCode } from "../../errors/codes.js";
import type { DeviceInfo, EmbedResult, GenerationInput, GenerationResult, LoadResult, LoadSpec, MemorySample, PieceSink, SamplingSpec } from "../engine/engine-types.js";
import { DEFAULT_ENGINE, type ModelRunner } from "./model-runner.js";
import type { EngineKind } from "../engine/engine.js";
import type { FromRunner, ToRunner } from "./runner-protocol.js";

/** dist/workers/inference-runner.js, found from this compiled file (dist/src/inference/runner/). */
export function runnerEntryFile(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../workers/inference-runner.js");
}

export interface ChildRunnerOptions {
  threads: number;
  /** "off" keeps the runner on the CPU. */
  gpu: "auto" | "off";
  /** @default DEFAULT_ENGINE */
  engine?: EngineKind;
  /** Least ms between a generation's piece messages (config streamIntervalMs). @default DEFAULT_PIECE_INTERVAL_MS */
  pieceIntervalMs?: number;
  /** Entry file; default dist/workers/inference-runner.js. */
  entry?: string;
  /** Bound on the runner's start (Node + llama.cpp backend init). @default 60000 */
  startTimeoutMs?: number;
  /** Bound on a clean exit before SIGKILL. @default 5000 */
  exitTimeoutMs?: number;
}

interface Pending {
  kind: ToRunner["t"];
  resolve: (value: never) => void;
  reject: (err: CortexError) => void;
  sink?: PieceSink;
}

const STDERR_LINES = 20;

/**
 * A runner in its own process (like llama-server's router children and Ollama's runners): llama.cpp aborting on
 * a bad model kills that process only. Requests in flight then fail with INF_RUNNER_CRASHED (INF_LOAD_FAILED
 * while loading), with the runner's last stderr lines (where GGML_ASSERT prints) in the message.
 */
export class ChildRunner implements ModelRunner {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closing = false;
  private exited = false;
  private readonly stderr: string[] = [];
  private crashListeners: ((err: CortexError) => void)[] = [];
  private readonly exitPromise: Promise<void>;
  private loadingPath = "";

  private constructor(private readonly child: ChildProcess, readonly device: DeviceInfo, private readonly opts: ChildRunnerOptions) {
    this.exitPromise = new Promise((resolve) => child.once("exit", () => resolve()));
    child.on("message", (msg: FromRunner) => this.onMessage(msg));
    child.once("exit", (code, signal) => this.onExit(code, signal));
    child.stderr?.on("data", (b: Buffer) => this.captureStderr(b));
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  static start(opts: ChildRunnerOptions): Promise<ChildRunner> {
    const args = ["--threads", String(opts.threads), "--gpu", opts.gpu, "--engine", opts.engine ?? DEFAULT_ENGINE, ...(opts.pieceIntervalMs === undefined ? [] : ["--piece-interval-ms", String(opts.pieceIntervalMs)])];
    const child = fork(opts.entry ?? runnerEntryFile(), args, {
      // A runner loads models and generates: it needs no token (a model file can be hostile).
      env: childEnv(),
      serialization: "advanced",
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      execArgv: [],
    });
    let stderr = "";
    const onErr = (b: Buffer) => (stderr = (stderr + b.toString()).slice(-4000));
    child.stderr?.on("data", onErr);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new CortexError("INF_LOAD_FAILED", `inference runner did not start within ${opts.startTimeoutMs ?? 60_000} ms`));
      }, opts.startTimeoutMs ?? 60_000);
      const onMessage = (msg: FromRunner) => {
        if (msg.t !== "hello") return;
        cleanup();
        resolve(new ChildRunner(child, msg.device, opts));
      };
      const onExit = (code: number | null, signal: string | null) => {
        cleanup();
        reject(new CortexError("INF_LOAD_FAILED", `inference runner exited during start (${signal ?? `code ${code}`}): ${stderr.trim().split("\n").slice(-3).join(" | ")}`));
      };
      const onError = (err: Error) => {
        cleanup();
        reject(new CortexError("INF_LOAD_FAILED", `cannot start the inference runner: ${err.message}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        child.off("message", onMessage);
        child.off("exit", onExit);
        child.off("error", onError);
        child.stderr?.off("data", onErr);
      };
      child.on("message", onMessage);
      child.once("exit", onExit);
      child.once("error", onError);
    });
  }

  load(spec: LoadSpec): Promise<LoadResult> {
    this.loadingPath = spec.path;
    return this.request<LoadResult>({ t: "load", id: this.nextId++, spec }).finally(() => (this.loadingPath = ""));
  }

  generate(input: GenerationInput, sampling: SamplingSpec, sink: PieceSink, signal: AbortSignal): Promise<GenerationResult> {
    const id = this.nextId++;
    const onAbort = () => this.send({ t: "cancel", id });
    signal.addEventListener("abort", onAbort, { once: true });
    const p = this.request<GenerationResult>({ t: "generate", id, input, sampling }, sink);
    if (signal.aborted) onAbort();
    return p.finally(() => signal.removeEventListener("abort", onAbort));
  }

  embed(inputs: string[]): Promise<EmbedResult> {
    return this.request<EmbedResult>({ t: "embed", id: this.nextId++, inputs });
  }

  memory(): Promise<MemorySample> {
    return this.request<MemorySample>({ t: "memory", id: this.nextId++ });
  }

  onCrash(listener: (err: CortexError) => void): void {
    this.crashListeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.exited) return;
    this.closing = true;
    this.send({ t: "exit" });
    const timer = setTimeout(() => this.child.kill("SIGKILL"), this.opts.exitTimeoutMs ?? 5000);
    await this.exitPromise;
    clearTimeout(timer);
  }

  /** Kills the runner at once (shutdown, forced unload of a model that is still loading). */
  async kill(): Promise<void> {
    if (this.exited) return;
    this.closing = true;
    this.child.kill("SIGKILL");
    await this.exitPromise;
  }

  private request<T>(msg: Exclude<ToRunner, { t: "cancel" | "exit" }>, sink?: PieceSink): Promise<T> {
    if (this.exited) return Promise.reject(new CortexError("INF_RUNNER_CRASHED", `inference runner (pid ${this.pid}) is gone`));
    return new Promise<T>((resolve, reject) => {
      this.pending.set(msg.id, { kind: msg.t, resolve: resolve as (v: never) => void, reject, ...(sink ? { sink } : {}) });
      this.send(msg);
    });
  }

  private send(msg: ToRunner): void {
    if (this.exited || !this.child.connected) return;
    this.child.send(msg, (err) => {
      // A failed write means the runner is going away; its exit handler settles what is pending.
      void err;
    });
  }

  private onMessage(msg: FromRunner): void {
    if (msg.t === "hello") return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.t === "piece") return void p.sink?.(msg.text, msg.tokens);
    // Every other message ends its request.
    this.pending.delete(msg.id);
    switch (msg.t) {
      case "error":
        p.reject(new CortexError(isErrorCode(msg.code) ? msg.code : "INTERNAL", msg.message));
        return;
      case "generated":
        if (msg.text !== "" || msg.tokens !== 0) p.sink?.(msg.text, msg.tokens);
        p.resolve(msg.result as never);
        return;
      case "loaded":
      case "embedded":
        p.resolve(msg.result as never);
        return;
      case "memory":
        p.resolve(msg.sample as never);
        return;
    }
  }

  private captureStderr(b: Buffer): void {
    for (const line of b.toString().split("\n")) {
      if (line.trim() === "") continue;
      this.stderr.push(line.trim());
      if (this.stderr.length > STDERR_LINES) this.stderr.shift();
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exited = true;
    if (this.closing && this.pending.size === 0) return;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    const tail = this.stderr.filter((l) => !/^\s*$/.test(l)).slice(-4).join(" | ");
    const detail = `${how}${tail ? `; last output: ${tail}` : ""}`;
    const crash = new CortexError("INF_RUNNER_CRASHED", `inference runner (pid ${this.pid}) died: ${detail}`);
    for (const [, p] of this.pending) {
      if (this.closing) {
        p.reject(new CortexError(p.kind === "load" ? "INF_LOAD_FAILED" : "DAEMON_UNAVAILABLE", `inference runner (pid ${this.pid}) was stopped${p.kind === "load" ? ` while loading ${this.loadingPath}` : ""}`));
        continue;
      }
      // A model that kills its runner while loading will do so again: not retryable.
      p.reject(p.kind === "load" ? new CortexError("INF_LOAD_FAILED", `${this.loadingPath}: llama.cpp crashed while loading the model (${detail})`) : crash);
    }
    this.pending.clear();
    if (!this.closing) for (const l of this.crashListeners) l(crash);
    this.crashListeners = [];
  }
}
