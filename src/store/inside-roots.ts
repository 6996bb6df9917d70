import fs from "node:fs";
import path from "node:path";

/** Whether a real (link-resolved) path lies inside one of the roots, compared through the roots' real paths. */
export function insideRoots(real: string, roots: readonly string[]): boolean {
  return roots.some((root) => {
    let r: string;
    try {
      r = fs.realpathSync(root);
    } catch {
      r = path.resolve(root);
    }
    return real === r || real.startsWith(r + path.sep);
  });
}
