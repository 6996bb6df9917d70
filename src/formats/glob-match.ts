import { CortexError } from "../errors/cortex-error.js";

/** Longer patterns are refused: no listing or model name needs more, and the match cost grows with the length. */
export const MAX_GLOB_LENGTH = 1024;

type Token = { kind: "star" } | { kind: "one" } | { kind: "char"; ch: string } | { kind: "class"; negate: boolean; singles: Set<string>; ranges: Array<[string, string]> };

export interface GlobMatcher {
  test(text: string): boolean;
}

/**
 * Python's fnmatch, as huggingface_hub's allow_patterns / ignore_patterns use it: `*` and `?` also match "/",
 * `[seq]` and `[!seq]` classes, case-sensitive (posix); a pattern ending in "/" matches everything below that
 * folder (huggingface_hub appends "*").
 *
 * Compiled to tokens and matched with one star back-track point (the classic wildcard walk), not to a RegExp:
 * a backtracking RegExp takes exponential time on patterns like `*a*a*a…b`, which a request can send. The walk
 * is O(pattern × text) at worst.
 * @throws CortexError REQ_INVALID_ARGUMENT, naming `field`, for a pattern longer than MAX_GLOB_LENGTH.
 */
export function compileGlob(pattern: string, field = "pattern"): GlobMatcher {
  if (pattern.length > MAX_GLOB_LENGTH) {
    throw new CortexError("REQ_INVALID_ARGUMENT", `${field} is ${pattern.length} characters long; at most ${MAX_GLOB_LENGTH} are accepted`);
  }
  const tokens = tokenize(pattern.endsWith("/") ? `${pattern}*` : pattern);
  return { test: (text) => matchTokens(tokens, text) };
}

function tokenize(p: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === "*") {
      if (out.at(-1)?.kind !== "star") out.push({ kind: "star" }); // "**" is "*": collapsing keeps the walk short
    } else if (c === "?") out.push({ kind: "one" });
    else if (c === "[") {
      // As fnmatch: a "]" right after "[" or "[!" is a member, not the end of the class.
      let j = i + 1;
      if (p[j] === "!") j++;
      if (p[j] === "]") j++;
      while (j < p.length && p[j] !== "]") j++;
      if (j >= p.length) {
        out.push({ kind: "char", ch: "[" }); // an unclosed "[" is literal
        continue;
      }
      let body = p.slice(i + 1, j);
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      const singles = new Set<string>();
      const ranges: Array<[string, string]> = [];
      for (let k = 0; k < body.length; k++) {
        if (k + 2 < body.length && body[k + 1] === "-") {
          ranges.push([body[k]!, body[k + 2]!]);
          k += 2;
        } else singles.add(body[k]!);
      }
      out.push({ kind: "class", negate, singles, ranges });
      i = j;
    } else out.push({ kind: "char", ch: c });
  }
  return out;
}

function matchOne(t: Token, ch: string): boolean {
  switch (t.kind) {
    case "one":
      return true;
    case "char":
      return t.ch === ch;
    case "class": {
      const inside = t.singles.has(ch) || t.ranges.some(([lo, hi]) => lo <= ch && ch <= hi);
      return inside !== t.negate;
    }
    default:
      return false;
  }
}

function matchTokens(tokens: Token[], s: string): boolean {
  let p = 0;
  let i = 0;
  let starP = -1;
  let starI = 0;
  while (i < s.length) {
    const t = tokens[p];
    if (t && t.kind === "star") {
      starP = p++;
      starI = i;
    } else if (t && matchOne(t, s[i]!)) {
      p++;
      i++;
    } else if (starP >= 0) {
      // The last star takes one more character; earlier stars never need to move (they match anything).
      p = starP + 1;
      i = ++starI;
    } else return false;
  }
  while (tokens[p]?.kind === "star") p++;
  return p === tokens.length;
}

/** A pattern without wildcards names exactly one path. */
export function isLiteralPattern(pattern: string): boolean {
  return !/[*?[]/.test(pattern) && !pattern.endsWith("/");
}

/**
 * Paths kept by huggingface_hub's filter_repo_objects: matching some include (or none given) and no exclude.
 * @throws CortexError REQ_INVALID_ARGUMENT for a pattern longer than MAX_GLOB_LENGTH.
 */
export function filterPaths(paths: string[], include: string[], exclude: string[]): string[] {
  const inc = include.map((p) => compileGlob(p, "include pattern"));
  const exc = exclude.map((p) => compileGlob(p, "exclude pattern"));
  return paths.filter((p) => (inc.length === 0 || inc.some((r) => r.test(p))) && !exc.some((r) => r.test(p)));
}
