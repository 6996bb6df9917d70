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
 * is protected by its 0600 mode instead). Constant-time compare; repeated failures from one address are answered
 * ever slower. A refusal carries the same error details as every other error (REQ_UNAUTHENTICATED).
 */
export function createAuthInterceptor(token: string, logger: Logger): grpc.ServerInterceptor {
  const failures = new Map<string, { count: number; first: number }>();
  return (methodDescriptor, call) =>
    new grpc.ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMetadata(metadata, mdNext) {
            const header = metadata.get("authorization")[0];
            const presented = typeof header === "string" ? /^Bearer\s+(.+)$/i.exec(header.trim())?.[1] ?? "" : "";
            if (methodDescriptor.path.startsWith(OPEN_PREFIX) || (presented && tokenMatches(presented, token))) {
              mdNext(metadata);
              return;
            }
            const peer = peerHost(call.getPeer());
            const now = Date.now();
            const entry = failures.get(peer);
            const record = entry && now - entry.first < FAILURE_WINDOW_MS ? { count: entry.count + 1, first: entry.first } : { count: 1, first: now };
            failures.set(peer, record);
            if (failures.size > 10_000) failures.clear();
            logger.warn({ peer, method: methodDescriptor.path, failures: record.count }, "rejected call without a valid bearer token");
            const delay = record.count <= FREE_FAILURES ? 0 : Math.min(MAX_DELAY_MS, 100 * 2 ** (record.count - FREE_FAILURES));
            const refusal = toGrpcError(new CortexError("REQ_UNAUTHENTICATED", presented ? "invalid bearer token" : 'missing bearer token: send metadata "authorization: Bearer <token>" (see $CORTEX_HOME/token)'));
            setTimeout(() => call.sendStatus({ code: refusal.code, details: refusal.details, metadata: refusal.metadata }), delay).unref();
          },
        });
      },
    });
}

function peerHost(peer: string): string {
  const m = /^(?:ipv[46]:)?\[?([^\]]+?)\]?:\d+$/.exec(peer);
  return m?.[1] ?? peer;
}
