/**
 * Python's `json.dumps(value, indent=…, sort_keys=…)` output for plain JSON data (ensure_ascii: non-ASCII
 * escaped as \uXXXX), so files cortexd writes match what transformers / mlx-lm write byte for byte.
 */
export function pythonJsonDumps(value: unknown, options: { indent: number; sortKeys?: boolean }): string {
  const prepared = options.sortKeys ? sortKeysDeep(value) : value;
  // With an indent, Python's separators are (",", ": "), exactly JSON.stringify's. Integer-like keys are
  // ordered first by JS objects; no checkpoint key looks like that.
  const text = JSON.stringify(prepared, null, options.indent);
  return text.replace(/[\u0080-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeysDeep((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}
