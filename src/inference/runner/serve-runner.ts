import { CortexError, errorMessage, isCortexError } from "../../errors/cortex-error.js";
import type { InferenceEngine, LoadedModel } from "../engine/engine.js";
import type { FromRunner, ToRunner } from "./runner-protocol.js";

/** The IPC side of a runner process: `process` itself in a forked child. */
export interface RunnerPort {
  send(message: FromRunner, callback?: (err: Error | null) => void): void;
  on(event: "message", listener: (message: ToRunner) => void): void;
}

/**
 * Serves one model over IPC: load it, generate into coalesced pieces, embed, report memory. Text generated while
 * the previous piece is still being written joins the next one, so a slow reader gets fewer, larger messages
 * instead of a growing backlog.
 */
export function serveRunner(engine: InferenceEngine, port: RunnerPort, exit: () => void, opts: { pieceIntervalMs?: number } = {}): void {
  const interval = opts.pieceIntervalMs ?? DEFAULT_PIECE_INTERVAL_MS;
  let model: LoadedModel | undefined;
  const running = new Map<number, AbortController>();

  const fail = (id: number, err: unknown) => {
    const ce = isCortexError(err) ? err : new CortexError("INTERNAL", errorMessage(err));
    port.send({ t: "error", id, code: ce.code, message: ce.message });
  };
  const needModel = (): LoadedModel => {
    if (!model) throw new CortexError("INTERNAL", "runner has no model loaded");
    return model;
  };

  port.on("message", (msg) => {
    switch (msg.t) {
      case "load":
        if (model) return fail(msg.id, new CortexError("INTERNAL", "runner already holds a model"));
        engine.load(msg.spec).then(
          (r) => {
            model = r.model;
            port.send({ t: "loaded", id: msg.id, result: r.result });
          },
          (err) => fail(msg.id, err),
        );
        return;
      case "generate": {
        const controller = new AbortController();
        running.set(msg.id, controller);
        const pieces = coalescer(port, msg.id, interval, (fn) => needModel().whileDecoding(fn));
        Promise.resolve()
          .then(() => needModel().generate(msg.input, msg.sampling, pieces.push, controller.signal))
          .then(
            // The text not yet sent rides with the result: one message, one wake-up of the daemon, at the end.
            (result) => port.send({ t: "generated", id: msg.id, result, ...pieces.take() }),
            (err) => {
              pieces.flushNow();
              fail(msg.id, err);
            },
          )
          .finally(() => running.delete(msg.id));
        return;
      }
      case "cancel":
        running.get(msg.id)?.abort();
        return;
      case "embed":
        Promise.resolve()
          .then(() => needModel().embed(msg.inputs))
          .then(
            (result) => port.send({ t: "embedded", id: msg.id, result }),
            (err) => fail(msg.id, err),
          );
        return;
      case "memory":
        engine.memory().then(
          (sample) => port.send({ t: "memory", id: msg.id, sample }),
          (err) => fail(msg.id, err),
        );
        return;
      case "exit":
        for (const c of running.values()) c.abort();
        void (async () => {
          await model?.dispose().catch(() => undefined);
          await engine.dispose().catch(() => undefined);
          exit();
        })();
        return;
    }
  });
}

/**
 * Pieces to the daemon, at most one message in flight per generation and one per interval: text arriving meanwhile
 * joins the next message. What a piece costs is not its bytes but the processes it wakes (the daemon, then the gRPC
 * client), which on a 2-core machine take the CPU from the decoding threads: a token overlapped by a piece took
 * 0.1-0.2 ms longer (0.85 vs 0.65 ms on the tiny bench model). Hence: pieces leave right after the next decode has
 * gone to llama.cpp (`whileDecoding`), so the write and the wake-ups overlap the decoding; and the default interval
 * is 64 ms (~15 updates a second; a model slower than that sends each token as it comes): in interleaved runs of
 * bench inference-tokens the ratio to in-process was 0.969 at 32 ms, 0.981 at 64 ms, 0.987 at 128 ms. The first
 * piece goes with the first token; the rest of the text goes with the result. Config `streamIntervalMs` sets it.
 */
export const DEFAULT_PIECE_INTERVAL_MS = 64;

function coalescer(
  port: RunnerPort,
  id: number,
  interval: number,
  whileDecoding: (fn: () => void) => void,
): { push: (text: string, tokens: number) => void; flushNow: () => void; take: () => { text: string; tokens: number } } {
  let text = "";
  let tokens = 0;
  let inFlight = false;
  let lastSent = -Infinity;
  let scheduled = false;
  let done = false;
  const trySend = () => {
    scheduled = false;
    if (done || (text === "" && tokens === 0)) return;
    // Not yet: look again when the next token's decode starts.
    if (inFlight || performance.now() - lastSent < interval) return schedule();
    const message: FromRunner = { t: "piece", id, text, tokens };
    text = "";
    tokens = 0;
    inFlight = true;
    lastSent = performance.now();
    port.send(message, () => (inFlight = false));
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    whileDecoding(trySend);
  };
  /** Ends the pacing and hands over what was not sent. */
  const take = () => {
    done = true;
    const rest = { text, tokens };
    text = "";
    tokens = 0;
    return rest;
  };
  return {
    push(t, n) {
      text += t;
      tokens += n;
      schedule();
    },
    // The channel keeps order, so a final piece sent now still arrives before the error that follows it.
    flushNow() {
      const rest = take();
      if (rest.text !== "" || rest.tokens !== 0) port.send({ t: "piece", id, ...rest });
    },
    take,
  };
}
