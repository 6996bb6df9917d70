/**
 * The YAML front matter of a model card (README.md), for the handful of keys gguf-py's Metadata reads.
 * A deliberately small subset of YAML, not a general parser: top-level `key: scalar`, `key: [a, b]` flow
 * lists and `key:` followed by `- item` block lists of scalars. Nested mappings and list items that are
 * mappings are skipped. Scalars follow YAML 1.1 as PyYAML's safe_load reads them for these keys: quoted
 * strings, integers, floats, true/false/yes/no/on/off, null/~; everything else is a plain string.
 * convert_hf_to_gguf quotes a bare `- no` list item first (the "Norway problem"), and so does this.
 */
export function parseModelCardFrontMatter(readme: string): Record<string, unknown> {
  const lines = readme.split(/\r\n|\r|\n/);
  if (lines.length === 0 || lines[0] !== "---") return {};
  const body: string[] = [];
  for (const line of lines.slice(1)) {
    if (line === "---") break;
    body.push(line.replaceAll("\t", "  "));
  }
  const out: Record<string, unknown> = {};
  let listKey: string | undefined;
  for (const raw of body) {
    if (raw.trim() === "" || raw.trimStart().startsWith("#")) continue;
    const indented = /^\s/.test(raw);
    const item = /^\s*-\s+(.*)$/.exec(raw) ?? /^\s*-$/.exec(raw);
    if (item && listKey !== undefined) {
      const text = (item[1] ?? "").trim();
      if (/^[^'"[{][^:]*:\s/.test(text) || text.endsWith(":")) continue; // a mapping item: skipped
      (out[listKey] as unknown[]).push(text === "no" ? "no" : scalar(text));
      continue;
    }
    if (indented) continue; // nested mapping content
    const m = /^([^:#]+?)\s*:(?:\s+(.*))?$/.exec(raw);
    listKey = undefined;
    if (!m) continue;
    const key = m[1]!.trim();
    const value = (m[2] ?? "").trim();
    if (value === "" || value === "|" || value === ">") {
      out[key] = [];
      listKey = key;
    } else if (value.startsWith("[") && value.endsWith("]")) {
      out[key] = splitFlow(value.slice(1, -1)).map(scalar);
    } else out[key] = scalar(value);
  }
  // `key:` with no list items is YAML null.
  for (const [k, v] of Object.entries(out)) if (Array.isArray(v) && v.length === 0) out[k] = null;
  return out;
}

function splitFlow(text: string): string[] {
  const parts: string[] = [];
  let cur = "";
  let quote: string | undefined;
  for (const ch of text) {
    if (quote) {
      cur += ch;
      if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur += ch;
    } else if (ch === ",") {
      parts.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim() !== "") parts.push(cur.trim());
  return parts;
}

function scalar(text: string): unknown {
  const t = text.replace(/\s+#.*$/, "").trim();
  if (t.length >= 2 && ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'")))) {
    const inner = t.slice(1, -1);
    return t.startsWith('"') ? inner.replace(/\\"/g, '"').replace(/\\\\/g, "\\") : inner.replace(/''/g, "'");
  }
  if (/^(?:null|Null|NULL|~)$/.test(t) || t === "") return null;
  if (/^(?:true|True|TRUE|yes|Yes|YES|on|On|ON)$/.test(t)) return true;
  if (/^(?:false|False|FALSE|no|No|NO|off|Off|OFF)$/.test(t)) return false;
  if (/^[-+]?(?:0|[1-9][0-9_]*)$/.test(t)) return Number(t.replaceAll("_", ""));
  if (/^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+][0-9]+)?$/.test(t) && /[0-9]/.test(t)) return Number(t.replaceAll("_", ""));
  return t;
}
