import os from "node:os";
import path from "node:path";

/**
 * Parsers of the text forms settings take, shared by the daemon's config and the CLI's flags. No zod and no
 * config loading here: the CLI imports this on every start.
 */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?i?b?)?\s*$/i.exec(text);
  if (!m) return undefined;
  const raw = (m[2] ?? "").toLowerCase();
  const unit = raw.replace(/b$/, "");
  const powers: Record<string, number> = { "": 0, k: 1, ki: 1, m: 2, mi: 2, g: 3, gi: 3, t: 4, ti: 4 };
  const p = powers[unit];
  if (p === undefined) return undefined;
  // "MB" is decimal; "MiB" and a bare "M"/"G" are binary, as memory sizes usually mean.
  const base = raw.endsWith("ib") || raw.endsWith("i") || !raw.endsWith("b") ? 1024 : 1000;
  return Math.round(Number(m[1]) * base ** p);
}

/** `~` and `~/x` → the home folder (as shells expand them). */
export function expandHome(p: string, homedir = os.homedir()): string {
  if (p === "~") return homedir;
  if (p.startsWith("~/")) return path.join(homedir, p.slice(2));
  return p;
}
