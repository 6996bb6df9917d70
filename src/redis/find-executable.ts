import fs from "node:fs";
import path from "node:path";

/** Resolves a command name (or path) against PATH like `which`; undefined when absent. */
export function findExecutable(command: string, envPath = process.env.PATH ?? ""): string | undefined {
  const candidates = command.includes(path.sep) ? [command] : envPath.split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, command));
  for (const file of candidates) {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // keep looking
    }
  }
  return undefined;
}
