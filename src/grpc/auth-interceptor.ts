import * as grpc from "@grpc/grpc-js";
import { tokenMatches } from "./bearer-token.js";
import { CortexError } from "../errors/cortex-error.js";
import type { Logger } from "../log/logger.js";
import { toGrpcError } from "./map-error.js";

/** Failures per peer within this window slow that peer's next answers down (a brake on token guessing). */
const FAILURE_WINDOW_MS = 60_000;
const FREE_FAILURES = 3;
const MAX_DELAY_MS = 2_000;

/** grpc.health.v1 answers without a token, so liveness probes (kubelet, grpc_health_probe) need no secret. */
const OPEN_PREFIX = "/grpc.health.v1.Health/";

/**
 * Requires `authorization: Bearer <token>` on every call of the TCP listener but health checks (the unix socket
 * is protected by its 0600 mode instead). Constant-time compare. After FREE_FAILURES failures within the window an
 * address is on the brake: its calls are answered one at a time, each refusal a doubling delay (up to
 * MAX_DELAY_MS) after the previous answer, and even a right token waits its turn. Delays that only count failures
 * would let 60 parallel guesses all come back within one delay; serialised, they take ~2 s apiece. A refusal carries
 * the same error details as every other error (REQ_UNAUTHENTICATED).
 */
export function createAuthInterceptor(token: string, logger: Logger): grpc.ServerInterceptor {
  const peers = new Map<string, { count: number; first: number; nextAt: number }>();
  return (methodDescriptor, call) =>
    new grpc.ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, mdNext) {
            if (methodDescriptor.path.startsWith(OPEN_PREFIX)) {
              mdNext(metadata);
              return;
            }
            const header = metadata.get("authorization")[0];
            const presented = typeof header === "string" ? /^Bearer\s+(.+)$/i.exec(header.trim())?.[1] ?? "" : "";
            const peer = peerHost(call.getPeer());
            const now = Date.now();
            const entry = peers.get(peer);
            const live = entry && (now - entry.first < FAILURE_WINDOW_MS || entry.nextAt > now) ? entry : undefined; // a backlog keeps the brake on
            if (presented && tokenMatches(presented, token)) {
              // On the brake, a right answer waits behind the refusals already queued: otherwise a guesser learns
              // the hit from whichever parallel call carried it, at once.
              const wait = live ? Math.max(0, live.nextAt - now) : 0;
              if (wait === 0) mdNext(metadata);
              else setTimeout(() => mdNext(metadata), wait).unref();
              return;
            }
            const record = live ? { count: live.count + 1, first: live.first, nextAt: live.nextAt } : { count: 1, first: now, nextAt: now };
            const delay = record.count <= FREE_FAILURES ? 0 : Math.min(MAX_DELAY_MS, 100 * 2 ** (record.count - FREE_FAILURES));
            const answerAt = Math.max(now, record.nextAt) + delay;
            record.nextAt = answerAt;
            peers.set(peer, record);
            if (peers.size > 10_000) for (const [k, v] of peers) if (now - v.first >= FAILURE_WINDOW_MS && v.nextAt <= now) peers.delete(k);
            logger.warn({ peer, method: methodDescriptor.path, failures: record.count }, "rejected call without a valid bearer token");
            const refusal = toGrpcError(new CortexError("REQ_UNAUTHENTICATED", presented ? "invalid bearer token" : 'missing bearer token: send metadata "authorization: Bearer <token>" (see $CORTEX_HOME/token)'));
            setTimeout(() => call.sendStatus({ code: refusal.code, details: refusal.details, metadata: refusal.metadata }), answerAt - now).unref();
          },
        });
      },
    });
}

function peerHost(peer: string): string {
  const m = /^(?:ipv[46]:)?\[?([^\]]+?)\]?:\d+$/.exec(peer);
  return m?.[1] ?? peer;
}
