import { SHORT_NAME_RE, type AliasValue } from "../config/schema.js";
import { CortexError } from "../errors/cortex-error.js";

/** A short name for a model on the Hub: what to pull, and which files. */
export interface CatalogEntry {
  /** "flux-schnell", "flux-schnell:4bit". */
  readonly name: string;
  readonly repo: string;
  /** Empty = the repo's default branch. */
  readonly revision: string;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly description: string;
  /** "built-in" or "config" (config.json `aliases`). */
  readonly source: "built-in" | "config";
}

const builtIn = (name: string, repo: string, description: string, o: { include?: string[]; exclude?: string[] } = {}): CatalogEntry => ({ name, repo, revision: "", include: o.include ?? [], exclude: o.exclude ?? [], description, source: "built-in" });

/**
 * The seeds' models. FLUX repos hold the diffusers folders and single-file copies of the same weights: a preset
 * pulls the diffusers layout only (the single files would double the disk). MusicGen's legacy audiocraft pickles
 * duplicate its safetensors: left out.
 */
export const SEED_CATALOG: readonly CatalogEntry[] = [
  builtIn("flux-schnell", "black-forest-labs/FLUX.1-schnell", "FLUX.1 [schnell], diffusers layout (BF16)", { exclude: ["flux1-schnell.safetensors", "ae.safetensors"] }),
  builtIn("flux-dev", "black-forest-labs/FLUX.1-dev", "FLUX.1 [dev], diffusers layout (BF16; gated: needs a token)", { exclude: ["flux1-dev.safetensors", "ae.safetensors"] }),
  builtIn("flux-schnell:4bit", "mzbac/flux1.schnell.4bit.mlx", "FLUX.1 [schnell], 4-bit MLX (flux.swift)"),
  builtIn("musicgen-small", "facebook/musicgen-small", "MusicGen small (text-to-music), safetensors", { exclude: ["*.bin"] }),
  builtIn("encodec-32khz", "mlx-community/encodec-32khz-float32", "EnCodec 32 kHz, MLX float32"),
  builtIn("phi-3-mini-4k:4bit", "mlx-community/Phi-3-mini-4k-instruct-unsloth-4bit", "Phi-3 mini 4k instruct (unsloth), 4-bit MLX"),
];

/** "4bit", "4-bit", "int4", "q4" → "4bit"; other variants as typed (lowercase). */
export function normalizeVariant(v: string): string {
  const t = v.trim().toLowerCase();
  const m = /^(?:int|q)?(\d{1,2})(?:-?bits?)?$/.exec(t);
  return m ? `${m[1]}bit` : t;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

/**
 * Short names → Hub repos: the built-in seed catalog plus config.json `aliases` (which add names or replace
 * built-in ones). A name with variants ("flux-schnell:4bit") is asked for as `name:variant` or as the name with
 * a quantization; a name that has only variants (phi-3-mini-4k) resolves to its only one.
 */
export class ModelCatalog {
  private readonly byName = new Map<string, CatalogEntry>();

  constructor(aliases: Readonly<Record<string, AliasValue>> = {}, builtins: readonly CatalogEntry[] = SEED_CATALOG) {
    for (const e of builtins) this.byName.set(e.name, e);
    for (const [name, v] of Object.entries(aliases)) {
      if (!SHORT_NAME_RE.test(name)) throw new CortexError("CFG_INVALID", `aliases: "${name}" is not a short name (lowercase letters, digits, . _ -, optionally :variant)`);
      const o = typeof v === "string" ? { repo: v } : v;
      this.byName.set(name, { name, repo: o.repo, revision: o.revision ?? "", include: o.include ?? [], exclude: o.exclude ?? [], description: o.description ?? "", source: "config" });
    }
  }

  entries(): CatalogEntry[] {
    return [...this.byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * The entry a short name (and optional variant) names, or undefined when it names none.
   * @param variant a quantization the user added ("4bit"); combined with a name that has none
   */
  lookup(ref: string, variant = ""): CatalogEntry | undefined {
    const r = ref.trim().toLowerCase();
    const colon = r.indexOf(":");
    const base = colon >= 0 ? r.slice(0, colon) : r;
    const v = normalizeVariant(variant || (colon >= 0 ? r.slice(colon + 1) : ""));
    if (v) return this.byName.get(`${base}:${v}`);
    const exact = this.byName.get(base);
    if (exact) return exact;
    const variants = [...this.byName.values()].filter((e) => e.name.startsWith(`${base}:`));
    return variants.length === 1 ? variants[0] : undefined;
  }

  /** Entries whose name is close to `ref` (typos, a missing or wrong variant), best first. */
  closeMatches(ref: string, max = 5): string[] {
    const r = ref.trim().toLowerCase();
    const base = r.split(":")[0]!;
    const scored = this.entries().map((e) => {
      const eb = e.name.split(":")[0]!;
      const score = Math.min(distance(r, e.name), eb === base ? 1 : distance(base, eb) + 0.5, e.name.includes(base) && base.length >= 3 ? 1.5 : Infinity);
      return { name: e.name, score };
    });
    const limit = Math.max(2, Math.floor(r.length / 3));
    return scored.filter((s) => s.score <= limit).sort((a, b) => a.score - b.score || a.name.localeCompare(b.name)).slice(0, max).map((s) => s.name);
  }

  /**
   * What `pull <ref>` means: a catalog entry, or undefined for a Hub repo id (org/name; a bare name that is
   * close to no short name is left to the Hub, as legacy ids such as gpt2 are).
   * @throws CortexError REG_NOT_FOUND for a bare name that is not in the catalog but close to names that are
   */
  resolvePull(ref: string, variant = ""): CatalogEntry | undefined {
    const hit = this.lookup(ref, variant);
    if (hit) return hit;
    if (ref.includes("/")) {
      if (variant) throw new CortexError("REQ_INVALID_ARGUMENT", `a quantization (${variant}) applies to a short name (${this.entries().map((e) => e.name).join(", ")}); for a repo, pull the repo that holds that quantization`);
      return undefined;
    }
    const close = this.closeMatches(variant ? `${ref}:${normalizeVariant(variant)}` : ref);
    if (close.length || ref.includes(":") || variant) throw this.unknown(variant ? `${ref}:${normalizeVariant(variant)}` : ref, close);
    return undefined;
  }

  /** REG_NOT_FOUND for a short name, listing the close ones (or every one). */
  unknown(ref: string, close = this.closeMatches(ref)): CortexError {
    const list = close.length ? `close matches: ${close.join(", ")}` : `known short names: ${this.entries().map((e) => e.name).join(", ")}`;
    return new CortexError("REG_NOT_FOUND", `"${ref}" is not a short name in the catalog; ${list} (\`cortex catalog\` lists them)`);
  }
}

/**
 * The listed model a catalog entry names: the one pulled from its repo (HF cache snapshot, or a copy in
 * cortexd's folders whose manifest records that repo); the entry's revision (else "main") wins among several.
 * @throws CortexError REG_NOT_FOUND when it has not been pulled
 */
export function modelForEntry<M extends { readonly id: string; readonly sourceRepo: string; readonly lastUsedAt: string; readonly hf?: { readonly refs: readonly string[]; readonly commit: string } }>(models: readonly M[], e: CatalogEntry): M {
  const repo = e.repo.toLowerCase();
  const hits = models.filter((m) => m.sourceRepo.toLowerCase() === repo);
  if (hits.length === 0) throw new CortexError("REG_NOT_FOUND", `"${e.name}" is ${e.repo}, which is not pulled yet: cortex pull ${e.name}`);
  const rev = e.revision || "main";
  return hits.find((m) => m.hf && (m.hf.refs.includes(rev) || m.hf.commit.startsWith(rev))) ?? hits.find((m) => !m.hf) ?? hits[0]!;
}
