import assert from "node:assert/strict";

/**
 * The one rule for tests that need a reference tool (llama.cpp, python3 with numpy, the Python and Go clients…):
 * where it is missing the test skips and says why, unless CORTEX_REQUIRE_<NAME>=1 — .ci/run sets every one, so
 * in CI a missing tool fails instead of hiding a test.
 * @returns the skip reason to pass to `test(…, { skip })` or `t.skip()`, or false when the tool is there.
 */
export function requireTool(name: string, missing: string | undefined | false): string | false {
  if (!missing) return false;
  const variable = `CORTEX_REQUIRE_${name}`;
  if (process.env[variable] === "1") assert.fail(`${missing} (${variable}=1: required here)`);
  return `${missing} (set ${variable}=1 to make this a failure)`;
}

/** Every CORTEX_REQUIRE_* name a test uses; .ci/run sets each (test/structure/require-tools.test.ts checks). */
export const REQUIRED_TOOLS = ["LLAMA_TOOLS", "PYTHON", "PYTHON_NUMPY", "GO", "TMPFS", "REDIS_CLI"] as const;
