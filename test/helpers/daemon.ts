import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { LOADER_OPTIONS, PROTO_FILES } from "../../src/grpc/proto.js";
import { CortexClient, type CliError } from "../../src/cli/client.js";
import { socketAnswers } from "../../src/platform/unix-socket.js";
import { holdDir } from "./temp-dir.js";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const DAEMON_MAIN = path.join(ROOT, "dist", "src", "main.js");
export const CLI_MAIN = path.join(ROOT, "dist", "src", "cli", "main.js");

export interface RunningDaemon {
  proc: ChildProcess;
  home: string;
  socket: string;
  client: CortexClient;
  output: () => string;
  /** SIGTERM and wait; resolves the exit code. */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
  exited: Promise<number | null>;
}

/** Starts a real cortexd (compiled) on `home` and waits until it answers on its socket. */
export async function startDaemon(home: string, opts: { args?: string[]; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunningDaemon> {
  // Tests log at debug; a CORTEX_LOG_LEVEL given here (the benches: warn) wins, and then only the socket tells readiness.
  const level = opts.env?.CORTEX_LOG_LEVEL ?? "debug";
  const logsReady = ["trace", "debug", "info"].includes(level);
  const proc = spawn(process.execPath, [DAEMON_MAIN, "--home", home, "--log-level", level, ...(opts.args ?? [])], {
    env: { ...process.env, CORTEX_TOKEN: "", CORTEX_REDIS_URL: "", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (b: Buffer) => (out += b.toString()));
  proc.stderr!.on("data", (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));
  let client: CortexClient | undefined;
  const stop = (): Promise<number | null> => {
    client?.close();
    if (exitCode === undefined) proc.kill("SIGTERM");
    return exited;
  };
  holdDir(home, proc, stop);
  const socket = path.join(home, "cortexd.sock");
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  while (!((!logsReady || out.includes('"cortexd ready"')) && (await socketAnswers(socket)))) {
    if (exitCode !== undefined) throw new Error(`cortexd exited with ${exitCode} during start:\n${out}`);
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`cortexd did not become ready:\n${out}`);
    }
    await sleep(50);
  }
  client = new CortexClient({ socket });
  return {
    proc,
    home,
    socket,
    client,
    output: () => out,
    exited,
    stop,
    async kill9() {
      client!.close();
      proc.kill("SIGKILL");
      await exited;
    },
  };
}

/** Runs a daemon expected to fail at start; resolves its exit code and output. */
export function runDaemonToExit(home: string, args: string[] = [], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [DAEMON_MAIN, "--home", home, ...args], { env: { ...process.env, CORTEX_TOKEN: "", CORTEX_REDIS_URL: "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    proc.stdout.on("data", (b: Buffer) => (output += b.toString()));
    proc.stderr.on("data", (b: Buffer) => (output += b.toString()));
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`daemon did not exit:\n${output}`));
    }, timeoutMs);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Runs the `cortex` CLI; resolves code, stdout, stderr. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [CLI_MAIN, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    proc.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    proc.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

export function fileMode(p: string): number {
  return fs.statSync(p).mode & 0o777;
}

/** The CliError a client call fails with; fails the test when the call succeeds. */
export async function rpcError(promise: Promise<unknown>): Promise<CliError> {
  try {
    await promise;
  } catch (err) {
    return err as CliError;
  }
  assert.fail("expected the call to fail");
}

/**
 * A lenient client, as another language's stubs or an older CLI are: built from proto/ by proto-loader, it sends
 * what it is given (protobufjs encodes an unknown enum name as 0, an unknown number as it is). For tests of the
 * daemon's own strictness; failures reject like the CLI's client (grpcCode, "STATUS: details").
 */
export function lenientCall(d: RunningDaemon, service: string, method: string, request: object): Promise<Record<string, unknown>> {
  const def = protoLoader.loadSync(PROTO_FILES, LOADER_OPTIONS);
  const Ctor = grpc.makeClientConstructor(def[service] as grpc.ServiceDefinition, service);
  const client = new Ctor(`unix://${d.socket}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & Record<string, (req: object, cb: (err: grpc.ServiceError | null, res: Record<string, unknown>) => void) => void>;
  return new Promise((resolve, reject) =>
    client[method]!.call(client, request, (err, res) => {
      client.close();
      if (err) reject(Object.assign(new Error(`${grpc.status[err.code]}: ${err.details}`), { grpcCode: err.code }));
      else resolve(res);
    }),
  );
}
