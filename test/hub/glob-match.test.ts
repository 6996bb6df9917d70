import assert from "node:assert/strict";
import { test } from "node:test";
import { filterPaths, globToRegExp, isLiteralPattern } from "../../src/hub/glob-match.js";

test("fnmatch semantics of huggingface_hub's allow/ignore patterns", () => {
  const paths = ["a.json", "sub/b.json", "m.safetensors", "x.bin", "sub/deep/c.txt", "[x].md", "v1.gguf", "v2.gguf", "vA.gguf"];
  assert.deepEqual(filterPaths(paths, ["*.json"], []), ["a.json", "sub/b.json"], "* crosses /");
  assert.deepEqual(filterPaths(paths, [], ["sub/"]), ["a.json", "m.safetensors", "x.bin", "[x].md", "v1.gguf", "v2.gguf", "vA.gguf"], "a trailing / means the folder");
  assert.deepEqual(filterPaths(paths, ["*.json", "*.safetensors"], ["sub/*"]), ["a.json", "m.safetensors"]);
  assert.deepEqual(filterPaths(paths, ["v?.gguf"], []), ["v1.gguf", "v2.gguf", "vA.gguf"]);
  assert.deepEqual(filterPaths(paths, ["v[0-9].gguf"], []), ["v1.gguf", "v2.gguf"]);
  assert.deepEqual(filterPaths(paths, ["v[!0-9].gguf"], []), ["vA.gguf"]);
  assert.deepEqual(filterPaths(paths, ["[[]x].md"], []), ["[x].md"], "[[] is a literal [");
  assert.deepEqual(filterPaths(paths, ["*.JSON"], []), [], "case-sensitive");
  assert.deepEqual(filterPaths(paths, ["m.safetensors"], []), ["m.safetensors"]);
  assert.deepEqual(filterPaths(["a+b(c).txt"], ["a+b(c).txt"], []), ["a+b(c).txt"], "regex characters are literal");
  assert.equal(globToRegExp("[]a]").test("]"), true, "] first in a class is a member");
  assert.equal(globToRegExp("[!]a]").test("b"), true);
  assert.equal(globToRegExp("x[").test("x["), true, "an unclosed [ is literal");
});

test("literal patterns are recognised (they are looked up, not listed)", () => {
  assert.equal(isLiteralPattern("config.json"), true);
  assert.equal(isLiteralPattern("sub/model.gguf"), true);
  for (const p of ["*.json", "v?.bin", "[ab].txt", "sub/"]) assert.equal(isLiteralPattern(p), false, p);
});
