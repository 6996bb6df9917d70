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

/** The hub cache a variable names: HF_HUB_CACHE, else HUGGINGFACE_HUB_CACHE (legacy); expanded. */
export function hfHubCacheFromEnv(env: Env, homedir: string): string | undefined {
  const explicit = get(env, "HF_HUB_CACHE") ?? get(env, "HUGGINGFACE_HUB_CACHE");
  return explicit ? expandPath(explicit, env, homedir) : undefined;
}

/**
 * The hub cache directory, in huggingface_hub's order: HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE (legacy),
 * $HF_HOME/hub, $XDG_CACHE_HOME/huggingface/hub, ~/.cache/huggingface/hub. Pure: env and homedir are passed in.
 */
export function resolveHfHubCache(env: Env, homedir: string): string {
  return hfHubCacheFromEnv(env, homedir) ?? path.join(resolveHfHome(env, homedir), "hub");
}

/** HF_TOKEN_PATH, expanded, when set. */
export function hfTokenPathFromEnv(env: Env, homedir: string): string | undefined {
  const explicit = get(env, "HF_TOKEN_PATH");
  return explicit ? expandPath(explicit, env, homedir) : undefined;
}

/**
 * Where `hf auth login` stores the token: HF_TOKEN_PATH, else $HF_HOME/token — never beside HF_HUB_CACHE, which
 * may point anywhere (a data disk).
 */
export function hfTokenPath(env: Env, homedir: string): string {
  return hfTokenPathFromEnv(env, homedir) ?? path.join(resolveHfHome(env, homedir), "token");
}

/** The token a variable holds: HF_TOKEN, else HUGGING_FACE_HUB_TOKEN (legacy), cleaned; undefined when neither. */
export function hfTokenFromEnv(env: Env): string | undefined {
  return cleanToken(get(env, "HF_TOKEN")) ?? cleanToken(get(env, "HUGGING_FACE_HUB_TOKEN"));
}

/** The token file's token, cleaned; a missing or unreadable file means none. */
export function hfTokenFromFile(file: string, readFile: (file: string) => string | undefined): string | undefined {
  try {
    return cleanToken(readFile(file));
  } catch {
    return undefined;
  }
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
  return hfTokenFromEnv(env) ?? hfTokenFromFile(hfTokenPath(env, homedir), readFile);
}

/** HF_ENDPOINT (trailing slash removed), else https://huggingface.co. */
export function resolveHfEndpoint(env: Env): string {
  return (get(env, "HF_ENDPOINT") ?? DEFAULT_HUB_URL).replace(/\/+$/, "");
}

/** HF_ENDPOINT, trailing slash removed, when set. */
export function hfEndpointFromEnv(env: Env): string | undefined {
  return get(env, "HF_ENDPOINT")?.replace(/\/+$/, "");
}

/** HF_HUB_OFFLINE as huggingface_hub reads booleans: 1, ON, YES, TRUE (any case). */
export function isHfOffline(env: Env): boolean {
  return ["1", "ON", "YES", "TRUE"].includes((get(env, "HF_HUB_OFFLINE") ?? "").toUpperCase());
}
