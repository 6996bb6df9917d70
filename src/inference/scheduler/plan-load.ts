/** A resident (or arriving, or leaving) model as the fit check sees it. */
export interface ResidentModel {
  key: string;
  name: string;
  /** What it holds: max(estimate, measured). */
  bytes: number;
  pinned: boolean;
  state: "loading" | "ready" | "unloading";
  /** Requests running on it now. */
  active: number;
  /** ms timestamp of its last request's end (or its load). */
  lastUsed: number;
  /** Keep-alive seconds; -1 = forever. */
  ttlSeconds: number;
}

export type LoadPlan =
  | { kind: "load" }
  /** Unload these idle models first (their memory returns when their runners exit), then plan again. */
  | { kind: "evict"; victims: ResidentModel[] }
  /** Not now: models that are unloading, loading or generating will make room; queue the request. */
  | { kind: "wait"; reason: string }
  /** Never, unless something pinned is unloaded: refuse with the numbers. */
  | { kind: "exhausted"; neededBytes: number; freeBytes: number; budgetBytes: number; holders: ResidentModel[]; reason: string };

/**
 * Decides how a model of `neededBytes` can be admitted (pure). Loading and generating models are never evicted,
 * pinned ones never; idle ones go least recently used first, then the shortest keep-alive. Memory of models
 * already unloading counts as free soon, so a plan never evicts more than it needs while an unload is under way.
 */
export function planLoad(neededBytes: number, models: readonly ResidentModel[], budgetBytes: number, maxLoaded = 0): LoadPlan {
  const used = models.reduce((s, m) => s + m.bytes, 0);
  const free = budgetBytes - used;
  const staying = models.filter((m) => m.state !== "unloading");
  const leavingBytes = models.filter((m) => m.state === "unloading").reduce((s, m) => s + m.bytes, 0);
  const freeSoon = free + leavingBytes;
  const mustGo = maxLoaded > 0 ? Math.max(0, staying.length + 1 - maxLoaded) : 0;

  if (neededBytes > budgetBytes) {
    return { kind: "exhausted", neededBytes, freeBytes: Math.max(0, free), budgetBytes, holders: staying, reason: "the model is larger than the whole memory budget" };
  }
  if (neededBytes <= free && mustGo === 0) return { kind: "load" };
  if (neededBytes <= freeSoon && mustGo === 0) return { kind: "wait", reason: "waiting for models being unloaded to return their memory" };

  const idle = staying.filter((m) => m.state === "ready" && m.active === 0 && !m.pinned).sort(byEvictionOrder);
  const victims: ResidentModel[] = [];
  let freed = freeSoon;
  let toGo = mustGo;
  for (const m of idle) {
    if (freed >= neededBytes && toGo <= 0) break;
    victims.push(m);
    freed += m.bytes;
    toGo--;
  }
  if (freed >= neededBytes && toGo <= 0) return { kind: "evict", victims };

  const unpinned = staying.filter((m) => !m.pinned);
  const reclaimable = unpinned.reduce((s, m) => s + m.bytes, 0);
  if (freeSoon + reclaimable >= neededBytes && unpinned.length >= mustGo) {
    return { kind: "wait", reason: "waiting for loading or generating models to become idle" };
  }
  const pinned = staying.filter((m) => m.pinned);
  return {
    kind: "exhausted",
    neededBytes,
    freeBytes: Math.max(0, free),
    budgetBytes,
    holders: staying,
    reason: mustGo > 0 && unpinned.length < mustGo ? `maxLoadedModels is ${maxLoaded} and ${pinned.length} pinned models hold the slots` : "pinned models hold the rest of the budget",
  };
}

/** Least recently used first; on a tie, the shorter keep-alive (forever last). */
export function byEvictionOrder(a: ResidentModel, b: ResidentModel): number {
  if (a.lastUsed !== b.lastUsed) return a.lastUsed - b.lastUsed;
  const ta = a.ttlSeconds < 0 ? Infinity : a.ttlSeconds;
  const tb = b.ttlSeconds < 0 ? Infinity : b.ttlSeconds;
  return ta - tb;
}
