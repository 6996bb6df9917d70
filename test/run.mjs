#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner. `npm test` builds first.
// CORTEX_TEST_FILTER=substring[,substring…] limits the files; CORTEX_SOAK=1 enables the long runs.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const distTest = path.join(root, "dist", "test");
const files = [];
const walk = (dir) => {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p);
    else if (entry.name.endsWith(".test.js")) files.push(p);
  }
};
if (!fs.existsSync(distTest)) {
  console.error("dist/test not found: run `npm test` (it compiles first) or `npm run build`");
  process.exit(1);
}
walk(distTest);
const filter = process.env.CORTEX_TEST_FILTER;
const filters = (filter ?? "").split(",").filter(Boolean);
const selected = files.filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
if (selected.length === 0) {
  console.error("no test files selected");
  process.exit(1);
}
// A test gets 10 minutes; a soak test (1,000 jobs, 10,000 fuzz cases) gets 2 hours: its point is to finish, not
// to finish fast, and a shared machine's load must not turn a soak into a timeout.
const timeoutMs = process.env.CORTEX_SOAK === "1" ? 7_200_000 : 600_000;
const args = ["--test", "--test-concurrency=2", `--test-timeout=${timeoutMs}`, ...selected];
const result = spawnSync(process.execPath, args, { stdio: "inherit", cwd: root });
process.exit(result.status ?? 1);
