import path from "node:path";

/** The environment as a plain object (process.env is read by the caller, never here). */
export type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_HUB_URL = "https://huggingface.co";

/** Unset and empty both mean "not set" (an exported empty variable should not redirect the cache to "."). */
function get(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === "" ? undefined : v;
}

/** Python's os.path.expandvars(os.path.expanduser(p)), with `env` and `homedir` instead of the process's. */
export function expandPath(p: string, env: Env, homedir: string): string {
  const home = p === "~" || p.startsWith("~/") ? homedir + p.slice(1) : p;
  return home.replace(/\$(\w+)|\$\{(\w+)\}/g, (whole, a: string | undefined, b: string | undefined) => env[(a ?? b)!] ?? whole);
}

/** HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface (huggingface_hub constants.py). */
export function resolveHfHome(env: Env, homedir: string): string {
  const hfHome = get(env, "HF_HOME") ?? path.join(get(env, "XDG_CACHE_HOME") ?? path.join(homedir, ".cache"), "huggingface");
  return expandPath(hfHome, env, homedir);
}

/**
 * The hub cache directory, in huggingface_hub's order: HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE (legacy),
 * $HF_HOME/hub, $XDG_CACHE_HOME/huggingface/hub, ~/.cache/huggingface/hub. Pure: env and homedir are passed in.
 */
export function resolveHfHubCache(env: Env, homedir: string): string {
  const explicit = get(env, "HF_HUB_CACHE") ?? get(env, "HUGGINGFACE_HUB_CACHE");
  return explicit ? expandPath(explicit, env, homedir) : path.join(resolveHfHome(env, homedir), "hub");
}

/** Where huggingface-cli login stores the token: HF_TOKEN_PATH, else $HF_HOME/token. */
export function hfTokenPath(env: Env, homedir: string): string {
  const explicit = get(env, "HF_TOKEN_PATH");
  return explicit ? expandPath(explicit, env, homedir) : path.join(resolveHfHome(env, homedir), "token");
}

/** huggingface_hub's _clean_token: line breaks removed, whitespace trimmed, empty → undefined. */
function cleanToken(t: string | undefined): string | undefined {
  const v = t?.replace(/[\r\n]/g, "").trim();
  return v ? v : undefined;
}

/**
 * The Hub token, in huggingface_hub's order: HF_TOKEN, HUGGING_FACE_HUB_TOKEN, then the token file
 * (hfTokenPath). `readFile` is injected so the function stays pure; a missing file means no token.
 * The token is a secret: callers must never log it.
 */
export function resolveHfToken(env: Env, homedir: string, readFile: (file: string) => string | undefined): string | undefined {
  const fromEnv = cleanToken(get(env, "HF_TOKEN")) ?? cleanToken(get(env, "HUGGING_FACE_HUB_TOKEN"));
  if (fromEnv) return fromEnv;
  let text: string | undefined;
  try {
    text = readFile(hfTokenPath(env, homedir));
  } catch {
    text = undefined;
  }
  return cleanToken(text);
}

/** HF_ENDPOINT (trailing slash removed), else https://huggingface.co. */
export function resolveHfEndpoint(env: Env): string {
  return (get(env, "HF_ENDPOINT") ?? DEFAULT_HUB_URL).replace(/\/+$/, "");
}

/** HF_HUB_OFFLINE as huggingface_hub reads booleans: 1, ON, YES, TRUE (any case). */
export function isHfOffline(env: Env): boolean {
  return ["1", "ON", "YES", "TRUE"].includes((get(env, "HF_HUB_OFFLINE") ?? "").toUpperCase());
}
