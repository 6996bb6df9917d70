import { createRequire } from "node:module";

/** cortexd's version, from package.json (found relative to src/ or dist/src/). */
export const VERSION: string = (() => {
  const require = createRequire(import.meta.url);
  for (const rel of ["../package.json", "../../package.json"]) {
    try {
      const pkg = require(rel) as { name?: string; version?: string };
      if (pkg.name === "cortexd" && pkg.version) return pkg.version;
    } catch {
      // try the next
    }
  }
  return "0.0.0";
})();
