import { CortexError } from "../../errors/cortex-error.js";
import type { LoadPlan } from "./plan-load.js";
import type { PreparedLoad } from "./prepare-load.js";
import { formatBytes } from "../format-bytes.js";

export { formatBytes };

/**
 * RESOURCE_EXHAUSTED with the numbers a user needs to act: what the model needs (and why), what is free of the
 * budget, and who holds the rest (pinned, loading, generating or idle).
 */
export function exhaustedError(model: string, p: PreparedLoad, plan: Extract<LoadPlan, { kind: "exhausted" }>): CortexError {
  const e = p.estimate;
  const holders = plan.holders.map((h) => `${h.name} ${formatBytes(h.bytes)} (${h.pinned ? "pinned" : h.state !== "ready" ? h.state : h.active > 0 ? "generating" : "idle"})`);
  const message =
    `model "${model}" needs ${formatBytes(e.totalBytes)} (weights ${formatBytes(e.weightsBytes)} + context ${formatBytes(e.contextBytes)} for ${p.spec.parallel}×${p.spec.contextSize} tokens), ` +
    `${formatBytes(plan.freeBytes)} of the ${formatBytes(plan.budgetBytes)} budget is free` +
    `${holders.length ? `; held by ${holders.join(", ")}` : ""}: ${plan.reason}` +
    (p.variantReason ? ` (${p.variantReason})` : "");
  return new CortexError("INF_RESOURCE_EXHAUSTED", message, {
    details: { neededBytes: e.totalBytes, freeBytes: plan.freeBytes, budgetBytes: plan.budgetBytes, holders: plan.holders.map((h) => ({ model: h.name, bytes: h.bytes, pinned: h.pinned, state: h.state, active: h.active })) },
  });
}
