import assert from "node:assert/strict";
import { test } from "node:test";
import type { CortexError } from "../../src/errors/cortex-error.js";
import { parseRepoRef, validateRepoId, validateRevision } from "../../src/hub/parse-repo-ref.js";

const invalid = (input: string, re: RegExp) => (e: Error & { code?: string }) => {
  assert.equal(e.code, "REQ_INVALID_ARGUMENT", e.message);
  assert.ok(e.message.includes(JSON.stringify(input)), `message names the input: ${e.message}`);
  assert.match(e.message, re);
  return true;
};

test("org/name[@rev] parses; the revision defaults to main and may contain slashes", () => {
  assert.deepEqual(parseRepoRef("meta-llama/Llama-3.2-1B"), { repo: "meta-llama/Llama-3.2-1B", revision: "main" });
  assert.deepEqual(parseRepoRef("org/m_1.5@v1.0"), { repo: "org/m_1.5", revision: "v1.0" });
  assert.deepEqual(parseRepoRef("org/m@refs/pr/1"), { repo: "org/m", revision: "refs/pr/1" });
  assert.deepEqual(parseRepoRef(" gpt2@" + "a".repeat(40) + " "), { repo: "gpt2", revision: "a".repeat(40) });
});

test("bad repo ids are REQ_INVALID_ARGUMENT naming the input", () => {
  const cases: [string, RegExp][] = [
    ["", /empty/],
    ["org/", /expected org\/name/],
    ["/name", /expected org\/name/],
    ["a/b/c", /expected org\/name/],
    ["org/-name", /not starting or ending/],
    ["org/name.", /not starting or ending/],
    ["org/na me", /expected org\/name/],
    ["org/a--b", /'--' or '\.\.'/],
    ["org/a..b", /'--' or '\.\.'/],
    ["org/x.git", /\.git/],
    [`org/${"x".repeat(100)}`, /96/],
    ["../../etc", /expected org\/name/],
  ];
  for (const [input, re] of cases) assert.throws(() => parseRepoRef(input), invalid(input, re), input);
  assert.throws(() => validateRepoId("bad repo"), invalid("bad repo", /expected/));
});

test("repo ids follow huggingface_hub's validate_repo_id, its own test vectors included (one rule for PullModel and the worker)", () => {
  // huggingface_hub tests/test_utils_validators.py: VALID_VALUES and NOT_VALID_VALUES.
  for (const ok of ["123", "foo", "foo/bar", "Foo-BAR_foo.bar123", "gpt2", "org/_x", "_org/x_", "org/name.v2", `org/${"x".repeat(96)}`, `${"n".repeat(120)}/x`, "café/modèle"]) assert.equal(validateRepoId(ok), ok, ok);
  for (const bad of ["a".repeat(100), "datasets/foo/bar", ".repo_id", "repo_id.", "foo--bar", "foo..bar", "foo.git", "org/name.git", "-org/x", `org/${"x".repeat(97)}`, "org/x y", "org/x/"]) {
    assert.throws(() => validateRepoId(bad), (e: CortexError) => e.code === "REQ_INVALID_ARGUMENT", bad);
  }
});

test("bad revisions are REQ_INVALID_ARGUMENT naming the input", () => {
  for (const input of ["org/m@", "org/m@../x", "org/m@/main", "org/m@main/", "org/m@a//b", "org/m@has space", "org/m@x\\y", "org/m@.hidden", "org/m@a:b", "org/m@x.lock"]) {
    assert.throws(() => parseRepoRef(input), invalid(input, /revision|after '@'/), input);
  }
  assert.throws(() => validateRevision("refs/../../x"), invalid("refs/../../x", /branch, tag/));
});
