import assert from "node:assert/strict";
import { test } from "node:test";
import { filterPaths, compileGlob, isLiteralPattern } from "../../src/formats/glob-match.js";

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
  assert.equal(compileGlob("[]a]").test("]"), true, "] first in a class is a member");
  assert.equal(compileGlob("[!]a]").test("b"), true);
  assert.equal(compileGlob("x[").test("x["), true, "an unclosed [ is literal");
});

test("literal patterns are recognised (they are looked up, not listed)", () => {
  assert.equal(isLiteralPattern("config.json"), true);
  assert.equal(isLiteralPattern("sub/model.gguf"), true);
  for (const p of ["*.json", "v?.bin", "[ab].txt", "sub/"]) assert.equal(isLiteralPattern(p), false, p);
});

// #20 item 15: a glob compiled to a backtracking RegExp took ~5 s per call for ~16 stars, and a 20,000-star glob
// (name_glob) came back INTERNAL. Globs match in linear-bounded time and have a length limit.
test("many stars match in bounded time; an over-long glob is INVALID_ARGUMENT naming the field", () => {
  const hostile = `${"*a".repeat(16)}b`;
  const name = "a".repeat(80);
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) assert.equal(compileGlob(hostile).test(name), false);
  const ms = performance.now() - t0;
  assert.ok(ms < 500, `20 calls of a 16-star glob took ${ms.toFixed(0)} ms`);
  assert.equal(compileGlob(`${"*a".repeat(16)}*`).test(name), true);
  assert.throws(() => compileGlob("*".repeat(20_000), "name_glob"), (e: unknown) => {
    const err = e as { code?: string; message?: string };
    return err.code === "REQ_INVALID_ARGUMENT" && /name_glob/.test(err.message ?? "") && /1024/.test(err.message ?? "");
  });
  assert.equal(compileGlob("*".repeat(1024)).test("x"), true, "the limit itself is allowed");
});
