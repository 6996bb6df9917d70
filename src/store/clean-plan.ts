import crypto from "node:crypto";
import type { HeldModel, ModelHolders } from "./model-holders.js";
import { matchesQuantization } from "./model-query.js";
import type { ModelFormat, ModelRecord, QuantizationName, RootKind } from "./model-types.js";

export interface CleanFilter {
  /** Models carrying any of these tags. */
  tags?: readonly string[];
  quantizations?: readonly QuantizationName[];
  /** Weight bit widths; with `quantizations`, one any-of criterion (matchesQuantization). */
  bits?: readonly number[];
  formats?: readonly ModelFormat[];
  /** Last used (or, never used, created) more than this many seconds ago. */
  olderThanSeconds?: number;
  /** Larger on disk than this. */
  largerThanBytes?: number;
  /** Also models in the shared HF cache. @default false */
  includeHfCache?: boolean;
  /** Also models in the extra model folders. @default false */
  includeModelDirs?: boolean;
}

export interface CleanCandidate {
  model: ModelRecord;
  /** Bytes freed by deleting it: its files that no model outside the plan shares. */
  reclaimableBytes: number;
  /** Which filters it matched. */
  reason: string;
}

export interface CleanPlan {
  candidates: CleanCandidate[];
  /** Matched but not deletable now (loaded, used by a job). */
  skipped: CleanCandidate[];
  reclaimableBytes: number;
  /** Digest of the candidates (ids, sizes, last use): apply with it deletes nothing if any changed since the preview. */
  token: string;
}

/** Whether the filter selects anything narrower than "everything". */
export function hasCleanFilter(f: CleanFilter): boolean {
  return Boolean(f.tags?.length || f.quantizations?.length || f.bits?.length || f.formats?.length || f.olderThanSeconds || f.largerThanBytes);
}

export function heldModel(m: ModelRecord): HeldModel {
  return { id: m.id, name: m.name, paths: m.paths, root: m.root, sourceRepo: m.sourceRepo, sourceRevision: m.sourceRevision };
}

function ago(ms: number): string {
  const d = Math.floor(ms / 86_400_000);
  return d >= 1 ? `${d}d` : `${Math.floor(ms / 3_600_000)}h`;
}

/**
 * The models cleanup would delete, and why. Preview and apply both call this, so apply deletes exactly what the
 * preview listed (and, given the preview's token, refuses when the selection changed in between).
 */
export async function planClean(models: readonly ModelRecord[], f: CleanFilter, holders: ModelHolders, now = Date.now()): Promise<CleanPlan> {
  const roots = new Set<RootKind>(["cortex", ...(f.includeHfCache ? (["hf-cache"] as const) : []), ...(f.includeModelDirs ? (["extra"] as const) : [])]);
  const matched: CleanCandidate[] = [];
  for (const m of models) {
    if (!roots.has(m.root)) continue;
    const why: string[] = [];
    if (f.tags?.length) {
      const t = m.tags.filter((x) => f.tags!.includes(x));
      if (t.length === 0) continue;
      why.push(`tagged ${t.join(", ")}`);
    }
    if (f.quantizations?.length || f.bits?.length) {
      if (!matchesQuantization(m, f.quantizations, f.bits)) continue;
      why.push(`${m.facts.quantizationLabel || m.facts.quantization}${f.bits?.length && m.facts.bits ? ` (${m.facts.bits.main}-bit)` : ""}`);
    }
    if (f.formats?.length) {
      if (!f.formats.includes(m.facts.format)) continue;
      why.push(m.facts.format.toLowerCase());
    }
    if (f.olderThanSeconds) {
      const last = Date.parse(m.lastUsedAt || m.createdAt);
      if (!(Number.isFinite(last) && now - last > f.olderThanSeconds * 1000)) continue;
      why.push(m.lastUsedAt ? `last used ${ago(now - last)} ago` : `never used, created ${ago(now - last)} ago`);
    }
    if (f.largerThanBytes) {
      if (!(m.sizeBytes > f.largerThanBytes)) continue;
      why.push(`${m.sizeBytes} bytes`);
    }
    matched.push({ model: m, reclaimableBytes: 0, reason: why.join("; ") || "no filter" });
  }
  const candidates: CleanCandidate[] = [];
  const skipped: CleanCandidate[] = [];
  for (const c of matched) {
    const who = await holders(heldModel(c.model));
    if (who.length) skipped.push({ ...c, reason: `in use: ${who.join("; ")}` });
    else candidates.push(c);
  }
  const going = new Set(candidates.map((c) => c.model.id));
  const keptKeys = new Set(models.filter((m) => !going.has(m.id)).flatMap((m) => m.files.map((x) => x.key)));
  const counted = new Set<string>();
  let total = 0;
  for (const c of candidates) {
    let bytes = 0;
    for (const file of c.model.files) {
      if (keptKeys.has(file.key) || counted.has(file.key)) continue;
      counted.add(file.key);
      bytes += file.size;
    }
    c.reclaimableBytes = bytes;
    total += bytes;
  }
  candidates.sort((a, b) => b.reclaimableBytes - a.reclaimableBytes || a.model.name.localeCompare(b.model.name));
  const token = crypto
    .createHash("sha256")
    // A candidate whose size or last use changed since the preview changes the token: apply then deletes nothing.
    .update(candidates.map((c) => `${c.model.id}:${c.model.sizeBytes}:${c.model.lastUsedAt}`).sort().join(","))
    .digest("hex")
    .slice(0, 16);
  return { candidates, skipped, reclaimableBytes: total, token };
}
