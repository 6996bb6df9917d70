import fs from "node:fs";
import type { Config } from "../config/schema.js";
import { hfTokenFromFile } from "../config/hf-env.js";

/**
 * The Hub token as huggingface_hub finds it: the configured one (HF_TOKEN, else HUGGING_FACE_HUB_TOKEN, or
 * config.json), else the token file (HF_TOKEN_PATH, else $HF_HOME/token). Read once at boot; never logged.
 */
export function resolveHubToken(config: Pick<Config, "hfToken" | "hfTokenPath">): string {
  return config.hfToken || (hfTokenFromFile(config.hfTokenPath, (f) => fs.readFileSync(f, "utf8")) ?? "");
}
