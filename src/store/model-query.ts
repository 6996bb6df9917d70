import crypto from "node:crypto";
import { CortexError } from "../errors/cortex-error.js";
import { compileGlob, type GlobMatcher } from "../formats/glob-match.js";
import type { ModelFormat, ModelRecord, QuantizationName } from "./model-types.js";

export interface ModelQuery {
  formats?: readonly ModelFormat[];
  quantizations?: readonly QuantizationName[];
  /** Weight bit widths (ModelFacts.bits.main); together with `quantizations`: a model matching either. */
  bits?: readonly number[];
  /** Models carrying every one of these tags. */
  tags?: readonly string[];
  /** Case-insensitive glob over id and name ("llama*", "*Q4_K_M*"). */
  nameGlob?: string;
  /** "name" (default), "size", "last_used", "created", "parameters"; "-" prefix = descending. */
  sort?: string;
  /** @default 100; at most 1000 */
  pageSize?: number;
  pageToken?: string;
  excludeBroken?: boolean;
}

export interface ModelPage {
  models: ModelRecord[];
  nextPageToken: string;
  total: number;
  /** Bytes on disk of every matching model (all pages), shared blobs counted once. */
  totalSizeBytes: number;
}

export const MAX_PAGE = 1000;
const SORTS: Record<string, (a: ModelRecord, b: ModelRecord) => number> = {
  name: (a, b) => a.name.localeCompare(b.name),
  size: (a, b) => a.sizeBytes - b.sizeBytes,
  last_used: (a, b) => a.lastUsedAt.localeCompare(b.lastUsedAt),
  created: (a, b) => a.createdAt.localeCompare(b.createdAt),
  parameters: (a, b) => a.facts.parameterCount - b.facts.parameterCount,
};

/**
 * The quantization criterion: with neither list, every model; otherwise one whose quantization is listed or
 * whose weight width is (`--quantization q4_k_m 8bit` is one any-of list). A model whose width is unknown matches
 * no width.
 */
export function matchesQuantization(m: ModelRecord, quantizations: readonly QuantizationName[] | undefined, bits: readonly number[] | undefined): boolean {
  if (!quantizations?.length && !bits?.length) return true;
  if (quantizations?.includes(m.facts.quantization)) return true;
  // MLX affine 4/8-bit models report INT4/INT8; MLX_AFFINE still finds every affine MLX model.
  if (quantizations?.includes("MLX_AFFINE") && m.facts.mlx?.mode.toLowerCase() === "affine") return true;
  return m.facts.bits !== undefined && (bits?.includes(m.facts.bits.main) ?? false);
}

/** Whether a record passes the filters (paging aside). */
export function matchesQuery(m: ModelRecord, q: ModelQuery, glob: GlobMatcher | undefined): boolean {
  if (q.excludeBroken && m.facts.brokenReason) return false;
  if (q.formats?.length && !q.formats.includes(m.facts.format)) return false;
  if (!matchesQuantization(m, q.quantizations, q.bits)) return false;
  if (q.tags?.length && !q.tags.every((t) => m.tags.includes(t))) return false;
  if (glob && !glob.test(m.name.toLowerCase()) && !glob.test(m.id)) return false;
  return true;
}

/**
 * Filter, sort (ties by name, then id) and page. Page tokens are opaque and bound to the query: a token from
 * another query is refused.
 * @throws CortexError REQ_INVALID_ARGUMENT for an unknown sort key or a foreign/garbled page token.
 */
export function queryModels(models: readonly ModelRecord[], q: ModelQuery): ModelPage {
  const desc = q.sort?.startsWith("-") ?? false;
  const key = (q.sort ?? "").replace(/^-/, "") || "name";
  const cmp = SORTS[key];
  if (!cmp) throw new CortexError("REQ_INVALID_ARGUMENT", `sort "${q.sort}" is not one of ${Object.keys(SORTS).join(", ")} (prefix "-" for descending)`);
  const pageSize = q.pageSize && q.pageSize > 0 ? Math.min(q.pageSize, MAX_PAGE) : 100;
  const glob = q.nameGlob ? compileGlob(q.nameGlob.toLowerCase(), "name_glob") : undefined;
  const hit = models.filter((m) => matchesQuery(m, q, glob));
  hit.sort((a, b) => (desc ? -cmp(a, b) : cmp(a, b)) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const bind = queryDigest(q);
  const offset = q.pageToken ? decodeToken(q.pageToken, bind) : 0;
  const page = hit.slice(offset, offset + pageSize);
  const end = offset + page.length;
  const sizes = new Map<string, number>();
  for (const m of hit) for (const f of m.files) sizes.set(f.key, f.size);
  let totalSizeBytes = 0;
  for (const v of sizes.values()) totalSizeBytes += v;
  return { models: page, total: hit.length, totalSizeBytes, nextPageToken: end < hit.length ? Buffer.from(`${bind}:${end}`).toString("base64url") : "" };
}

function queryDigest(q: ModelQuery): string {
  const { pageToken: _t, pageSize: _s, ...rest } = q;
  return crypto.createHash("sha256").update(JSON.stringify(rest)).digest("hex").slice(0, 8);
}

function decodeToken(token: string, bind: string): number {
  const m = /^([0-9a-f]{8}):(\d+)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  if (!m) throw new CortexError("REQ_INVALID_ARGUMENT", "page_token is not a token this server issued");
  if (m[1] !== bind) throw new CortexError("REQ_INVALID_ARGUMENT", "page_token belongs to a different query (filters or sort changed)");
  return Number(m[2]);
}
