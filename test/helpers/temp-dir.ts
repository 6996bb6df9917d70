import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** A fresh temp dir removed after the test (unix socket paths must stay short: keep names brief). */
export function tempDir(t: { after: (fn: () => void) => void }, prefix = "cx"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
