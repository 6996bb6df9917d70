import crypto from "node:crypto";
import type { ToolCall } from "../engine/engine-types.js";

/**
 * Where tool calls begin in a model's text, across the families' syntaxes: Hermes/Qwen `<tool_call>{json}</tool_call>`,
 * Mistral `[TOOL_CALLS][…]`, Llama 3.1 `<|python_tag|>{json}`, node-llama-cpp's generic `||call: name(json)`, and a
 * response that is a bare `{"name", "arguments"|"parameters"}` object or array (Llama 3.x, and the forced-call grammar).
 */
const MARKERS = ["<tool_call>", "[TOOL_CALLS]", "<|python_tag|>", "||call:"];

export const newToolCallId = (): string => `call_${crypto.randomBytes(9).toString("base64url")}`;

/**
 * Splits a streamed response into content and tool calls. Content streams through `feed` as it comes, except
 * text that may begin a call, which is held until it is known; `finish` parses what was held. A call naming a
 * tool that was not offered, or whose arguments are not JSON, stays content: nothing is invented.
 */
export class ToolCallDetector {
  private held = "";
  private state: "start" | "content" | "capture" = "start";

  constructor(private readonly names: ReadonlySet<string>) {}

  /** Text to stream as content now. */
  feed(text: string): string {
    if (this.state === "capture") {
      this.held += text;
      return "";
    }
    this.held += text;
    if (this.state === "start") {
      const t = this.held.trimStart();
      if (t === "") return "";
      if (t.startsWith("{") || t.startsWith("[") || MARKERS.some((m) => t.startsWith(m))) {
        this.state = "capture";
        return "";
      }
      if (MARKERS.some((m) => m.startsWith(t))) return "";
      this.state = "content";
    }
    const at = firstMarker(this.held);
    if (at >= 0) {
      const out = this.held.slice(0, at);
      this.held = this.held.slice(at);
      this.state = "capture";
      return out;
    }
    const keep = partialMarkerSuffix(this.held);
    const out = this.held.slice(0, this.held.length - keep);
    this.held = this.held.slice(this.held.length - keep);
    return out;
  }

  /** The rest: content not yet streamed (held text that was no call) and the calls found. */
  finish(): { content: string; calls: ToolCall[] } {
    const held = this.held;
    this.held = "";
    if (this.state !== "capture") return { content: held, calls: [] };
    const calls = parseToolCalls(held, this.names);
    return calls.length > 0 ? { content: "", calls } : { content: held, calls: [] };
  }
}

function firstMarker(text: string): number {
  let best = -1;
  for (const m of MARKERS) {
    const i = text.indexOf(m);
    if (i >= 0 && (best < 0 || i < best)) best = i;
  }
  return best;
}

/** Length of the longest end of `text` that begins some marker. */
function partialMarkerSuffix(text: string): number {
  let keep = 0;
  for (const m of MARKERS) for (let n = Math.min(m.length - 1, text.length); n > keep; n--) if (text.endsWith(m.slice(0, n))) keep = n;
  return keep;
}

/** Every call in `text` (one syntax), or [] when it holds none that names an offered tool with JSON arguments. */
export function parseToolCalls(text: string, names: ReadonlySet<string>): ToolCall[] {
  const t = text.trim();
  const objects: unknown[] = [];
  if (t.includes("<tool_call>")) {
    for (const m of t.matchAll(/<tool_call>([\s\S]*?)(?:<\/tool_call>|$)/g)) objects.push(parseJson(m[1]!));
  } else if (t.startsWith("[TOOL_CALLS]")) {
    objects.push(parseJson(t.slice("[TOOL_CALLS]".length)));
  } else if (t.startsWith("<|python_tag|>")) {
    for (const part of t.slice("<|python_tag|>".length).split(/;\s*(?=\{)/)) objects.push(parseJson(part));
  } else if (t.startsWith("||call:")) {
    for (const m of t.matchAll(/\|\|call:\s*([A-Za-z0-9_.-]+)\s*\(([\s\S]*?)\)\s*(?=\|\|call:|$)/g)) objects.push({ name: m[1], arguments: parseJson(m[2]!.trim() || "{}") });
  } else {
    objects.push(parseJson(t));
  }
  const calls: ToolCall[] = [];
  for (const o of objects.flatMap((x) => (Array.isArray(x) ? x : [x]))) {
    if (typeof o !== "object" || o === null) return [];
    const rec = o as { name?: unknown; arguments?: unknown; parameters?: unknown; function?: { name?: unknown; arguments?: unknown } };
    const name = rec.name ?? rec.function?.name;
    let args: unknown = rec.arguments ?? rec.parameters ?? rec.function?.arguments ?? {};
    if (typeof args === "string") args = parseJson(args);
    if (typeof name !== "string" || !names.has(name) || typeof args !== "object" || args === null || Array.isArray(args)) return [];
    calls.push({ id: newToolCallId(), name, arguments: JSON.stringify(args) });
  }
  return calls;
}

const NOT_JSON = Symbol("not json");
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text.trim());
  } catch {
    return NOT_JSON;
  }
}
