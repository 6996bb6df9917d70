import fs from "node:fs";
import path from "node:path";

/** HF_TOKEN, else the token file huggingface_hub writes ($HF_HOME/token, beside the hub cache). Never logged. */
export function resolveHfToken(configured: string, hubCache: string): string {
  if (configured) return configured;
  try {
    return fs.readFileSync(path.join(path.dirname(hubCache), "token"), "utf8").trim();
  } catch {
    return "";
  }
}
