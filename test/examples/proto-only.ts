import fs from "node:fs";
import path from "node:path";
import { ROOT } from "../helpers/daemon.js";
import { tempDir } from "../helpers/temp-dir.js";

/** The example and proto/ alone, copied where no node_modules is near: what a Python user has. */
export function protoOnlyCopy(t: Parameters<typeof tempDir>[0], example: string): string {
  const dir = path.join(tempDir(t), "client");
  fs.cpSync(path.join(ROOT, "proto"), path.join(dir, "proto"), { recursive: true });
  fs.cpSync(path.join(ROOT, "examples", example), path.join(dir, "examples", example), { recursive: true });
  return dir;
}
