import assert from "node:assert/strict";
import { test } from "node:test";
import { parseToolCalls, ToolCallDetector } from "../../src/inference/tools/tool-call-detector.js";
import { forcedCallSchema } from "../../src/inference/tools/tool-choice.js";

const names = new Set(["get_weather", "add"]);

function run(pieces: string[]): { streamed: string; content: string; calls: { name: string; arguments: string }[] } {
  const d = new ToolCallDetector(names);
  let streamed = "";
  for (const p of pieces) streamed += d.feed(p);
  const r = d.finish();
  return { streamed, content: r.content, calls: r.calls.map((c) => ({ name: c.name, arguments: c.arguments })) };
}

test("each family's call syntax is detected, also split across pieces; arguments become JSON text", () => {
  const expect = [{ name: "get_weather", arguments: '{"city":"Paris"}' }];
  for (const text of [
    '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
    '[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Paris"}}]',
    '<|python_tag|>{"name": "get_weather", "parameters": {"city": "Paris"}}',
    '||call: get_weather({"city": "Paris"})',
    '  {"name": "get_weather", "arguments": {"city": "Paris"}}',
  ]) {
    const pieces = text.match(/[\s\S]{1,3}/g)!;
    const r = run(pieces);
    assert.deepEqual(r.calls, expect, text);
    assert.equal(r.streamed + r.content, "", `nothing of the call is content: ${text}`);
  }
});

test("content before a call streams; the call is held back and parsed; two calls in one response", () => {
  const r = run(["Let me check. ", "<tool", "_call>", '{"name":"add","arguments":{"a":1,"b":2}}</tool_call>\n<tool_call>{"name":"get_weather","arguments":{"city":"Oslo"}}</tool_call>']);
  assert.equal(r.streamed, "Let me check. ");
  assert.deepEqual(r.calls.map((c) => c.name), ["add", "get_weather"]);
  assert.deepEqual(JSON.parse(r.calls[0]!.arguments), { a: 1, b: 2 });
});

test("plain text streams as it comes; what only looks like a call stays content (unknown name, bad JSON)", () => {
  const plain = run(["Hello", " world", ", <b>bold</b>"]);
  assert.equal(plain.streamed + plain.content, "Hello world, <b>bold</b>");
  assert.deepEqual(plain.calls, []);
  assert.ok(plain.streamed.startsWith("Hello world"), "streamed without waiting for the end");
  const unknown = run(['{"name": "rm_rf", "arguments": {}}']);
  assert.deepEqual(unknown.calls, []);
  assert.equal(unknown.content, '{"name": "rm_rf", "arguments": {}}');
  const broken = run(["<tool_call>{not json</tool_call>"]);
  assert.deepEqual(broken.calls, []);
  assert.equal(broken.content, "<tool_call>{not json</tool_call>");
  assert.deepEqual(parseToolCalls('{"a": 1}', names), []);
});

test("a forced call's schema fixes the name and the arguments; a name not offered is refused", () => {
  const tools = [{ name: "add", parameters: { type: "object", properties: { a: { type: "number" } }, required: ["a"] } }, { name: "get_weather" }];
  const named = forcedCallSchema(tools, { kind: "function", name: "add" }) as { properties: { name: { const: string }; arguments: unknown } };
  assert.equal(named.properties.name.const, "add");
  assert.deepEqual(named.properties.arguments, tools[0]!.parameters);
  const required = forcedCallSchema(tools, { kind: "required" }) as { oneOf: unknown[] };
  assert.equal(required.oneOf.length, 2);
  assert.equal(forcedCallSchema(tools, { kind: "auto" }), undefined);
  assert.throws(() => forcedCallSchema(tools, { kind: "function", name: "nope" }), /"nope", which is not among the tools \(add, get_weather\)/);
});
