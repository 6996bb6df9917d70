import fs from "node:fs";
import path from "node:path";

/** One import in the compiled code: `from` and `to` are paths relative to dist/ (or a package name for `to`). */
export interface ImportEdge {
  from: string;
  to: string;
  /** `import("…")`: loaded only when that code runs. */
  dynamic: boolean;
}

const STATIC_RE = /^\s*(?:import|export)\s+(?:[^'"]*?\s+from\s+)?["']([^"']+)["']/gm;
const DYNAMIC_RE = /\bimport\(\s*["']([^"']+)["']\s*\)/g;

function walk(dir: string, out: string[]): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith(".js")) out.push(p);
  }
  return out;
}

/**
 * The import graph of the compiled JavaScript under `distDir` (type-only imports are gone there, so this is what
 * really loads). Relative specifiers resolve to dist-relative paths; bare ones stay package names.
 */
export function compiledImports(distDir: string, folders: readonly string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const folder of folders) {
    const dir = path.join(distDir, folder);
    if (!fs.existsSync(dir)) continue;
    for (const file of walk(dir, [])) {
      const text = fs.readFileSync(file, "utf8");
      const from = path.relative(distDir, file);
      const add = (spec: string, dynamic: boolean) => {
        if (spec.startsWith("node:")) return;
        const to = spec.startsWith(".") ? path.relative(distDir, path.resolve(path.dirname(file), spec)) : packageName(spec);
        edges.push({ from, to, dynamic });
      };
      for (const m of text.matchAll(STATIC_RE)) add(m[1]!, false);
      for (const m of text.matchAll(DYNAMIC_RE)) add(m[1]!, true);
    }
  }
  return edges;
}

function packageName(spec: string): string {
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

/** `src/grpc/services/x.js` → "grpc"; `src/main.js` → "main.js"; `workers/x.js` → "workers". */
export function roomOf(distPath: string): string {
  const parts = distPath.split(path.sep);
  if (parts[0] === "src") return parts.length > 2 ? parts[1]! : parts[1]!;
  return parts[0]!;
}

/** Every file (and package) `entry` loads before any of its code runs: the static closure. */
export function staticClosure(edges: readonly ImportEdge[], entry: string): Set<string> {
  const next = new Map<string, string[]>();
  for (const e of edges) if (!e.dynamic) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const seen = new Set<string>([entry]);
  const todo = [entry];
  while (todo.length) for (const to of next.get(todo.pop()!) ?? []) if (!seen.has(to)) (seen.add(to), todo.push(to));
  return seen;
}
