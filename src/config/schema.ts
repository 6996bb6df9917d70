import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { hfEndpointFromEnv, hfHubCacheFromEnv, hfTokenFromEnv, hfTokenPathFromEnv, resolveHfHome } from "./hf-env.js";
import { physicalCoreCount } from "../platform/physical-cores.js";
import { parseByteSize } from "./text-values.js";

export { parseByteSize } from "./text-values.js";

/**
 * Every daemon setting in one table: its config.json key, its environment variable, its flag, its default and
 * what it means. `cortex config` prints this table with the effective values and their sources.
 */
export interface SettingSpec {
  env?: string;
  /**
   * The value the environment gives, when one variable alone does not say it (legacy names, $VAR expansion):
   * huggingface_hub's resolution, from config/hf-env.ts. Undefined = the environment does not set it.
   */
  fromEnv?: (env: NodeJS.ProcessEnv, homedir: string) => unknown;
  flag?: string;
  /** For a list from the environment: what separates its items (default the path-list separator). */
  listSeparator?: string;
  secret?: boolean;
  description: string;
}

const levels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** A byte size: a number, or a string like "2GiB", "512MB", "1.5G". */
export const byteSize = z.union([z.number().int().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === "number") return v;
  const parsed = parseByteSize(v);
  if (parsed === undefined) {
    ctx.addIssue({ code: "custom", message: `not a byte size: "${v}" (use e.g. 2GiB, 512MB or a number of bytes)` });
    return z.NEVER;
  }
  return parsed;
});

const listenAddress = z.string().refine((v) => v === "" || /^(\[[0-9a-fA-F:]+\]|[^:\s]+):\d{1,5}$/.test(v), {
  message: "must be host:port, e.g. 127.0.0.1:50051",
});

/** A bearer token anyone can guess is no protection for a TCP listener: generated ones are 43 characters. */
export const MIN_TOKEN_LENGTH = 32;
/** A short name users type for a model: "flux-schnell", or "name:variant" ("flux-schnell:4bit"). */
export const SHORT_NAME_RE = /^[a-z0-9][a-z0-9._-]*(:[a-z0-9][a-z0-9._-]*)?$/;

/** One `aliases` entry: a repo id, or the repo with a revision and the files to pull. */
export const aliasSchema = z.union([
  z.string().min(3),
  z.strictObject({
    repo: z.string().min(3),
    revision: z.string().min(1).optional(),
    include: z.array(z.string().min(1)).optional(),
    exclude: z.array(z.string().min(1)).optional(),
    description: z.string().optional(),
  }),
]);
export type AliasValue = z.output<typeof aliasSchema>;

export const configSchema = z.strictObject({
  home: z.string().min(1),
  listen: listenAddress,
  token: z.string().refine((v) => v === "" || v.length >= MIN_TOKEN_LENGTH, {
    message: `must be at least ${MIN_TOKEN_LENGTH} characters (or empty: cortexd then generates one into $CORTEX_HOME/token)`,
  }),
  tlsCert: z.string(),
  tlsKey: z.string(),
  tlsClientCa: z.string(),
  http: listenAddress,
  httpNoAuth: z.boolean(),
  httpOrigins: z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, "must be an origin such as http://localhost:3000 (scheme://host[:port], no path)")),
  httpHosts: z.array(z.string().regex(/^[A-Za-z0-9.-]+$/, "must be a host name such as cortex.local")),
  redisUrl: z.string(),
  redisOptions: z.record(z.string(), z.unknown()),
  redisCluster: z.boolean(),
  sharedRoots: z.array(z.string().min(1).refine((p) => path.isAbsolute(p), { message: "must be an absolute path" })),
  fleetWaitTimeoutMs: z.number().int().min(1000),
  redisServer: z.string().min(1),
  logLevel: z.enum(levels),
  modelDirs: z.array(z.string().min(1)),
  hfEndpoint: z.url(),
  hfToken: z.string(),
  hfTokenPath: z.string(),
  hfHubCache: z.string(),
  hfOffline: z.boolean(),
  maxConcurrentDownloads: z.number().int().min(1).max(64),
  downloadPartsPerFile: z.number().int().min(1).max(64),
  conversionConcurrency: z.number().int().min(1).max(64),
  threads: z.number().int().min(1).max(1024),
  memoryReserveBytes: byteSize,
  memoryBudgetBytes: byteSize,
  keepAliveSeconds: z.number().int().min(-1),
  contextSize: z.number().int().min(16).max(16_777_216),
  parallel: z.number().int().min(1).max(64),
  maxLoadedModels: z.number().int().min(0),
  maxQueuedRequests: z.number().int().min(0),
  streamIntervalMs: z.number().int().min(0).max(1000),
  shutdownTimeoutMs: z.number().int().min(100).max(600_000),
  redisStallToleranceMs: z.number().int().min(0).max(600_000),
  aliases: z.record(z.string().regex(SHORT_NAME_RE, "must be a short name such as my-model or my-model:4bit (lowercase letters, digits, . _ -)"), aliasSchema),
}).superRefine((c, ctx) => {
  if (Boolean(c.tlsCert) !== Boolean(c.tlsKey)) ctx.addIssue({ code: "custom", path: [c.tlsCert ? "tlsKey" : "tlsCert"], message: "TLS needs both a certificate (--tls-cert) and its key (--tls-key)" });
  if (c.tlsClientCa && !c.tlsCert) ctx.addIssue({ code: "custom", path: ["tlsClientCa"], message: "client certificates (mTLS) need TLS: give --tls-cert and --tls-key too" });
  if (c.redisCluster && !/^rediss?:\/\//.test(c.redisUrl)) ctx.addIssue({ code: "custom", path: ["redisCluster"], message: "a Redis Cluster is external and reached over TCP: set redisUrl (CORTEX_REDIS_URL) to redis:// or rediss:// of any one node" });
  if (c.tlsCert && !c.listen) ctx.addIssue({ code: "custom", path: ["tlsCert"], message: "TLS applies to the TCP listener: give --listen too" });
});

export type Config = Readonly<Omit<z.output<typeof configSchema>, "modelDirs" | "sharedRoots">> & { readonly modelDirs: readonly string[]; readonly sharedRoots: readonly string[] };
export type ConfigKey = keyof z.output<typeof configSchema>;

export const SETTINGS: Record<ConfigKey, SettingSpec> = {
  home: { env: "CORTEX_HOME", flag: "--home", description: "Where cortexd keeps its socket, Redis data, models and manifests." },
  listen: { env: "CORTEX_LISTEN", flag: "--listen", description: "Optional TCP address for gRPC (bearer token required); empty = unix socket only." },
  token: { env: "CORTEX_TOKEN", secret: true, description: "Bearer token for the TCP listener and the HTTP APIs (at least 32 characters); generated into $CORTEX_HOME/token when empty." },
  tlsCert: { env: "CORTEX_TLS_CERT", flag: "--tls-cert", description: "PEM certificate (chain) file: the TCP listener speaks TLS; empty = plaintext." },
  tlsKey: { env: "CORTEX_TLS_KEY", flag: "--tls-key", description: "PEM private key file of --tls-cert." },
  tlsClientCa: { env: "CORTEX_TLS_CLIENT_CA", flag: "--tls-client-ca", description: "PEM CA file: TCP clients must present a certificate it signed (mTLS), besides the token." },
  http: { env: "CORTEX_HTTP", flag: "--http", description: "Optional address for the OpenAI- and Ollama-compatible HTTP APIs (e.g. 127.0.0.1:11435; bearer token required); empty = off." },
  httpNoAuth: { env: "CORTEX_HTTP_NO_AUTH", flag: "--http-no-auth", description: "Serve HTTP without the bearer token; accepted only for a loopback http address (logs a warning)." },
  httpOrigins: { env: "CORTEX_HTTP_ORIGINS", listSeparator: ",", description: "Browser origins allowed by CORS on the HTTP APIs (comma-separated in the environment, e.g. http://localhost:3000); none by default." },
  httpHosts: { env: "CORTEX_HTTP_HOSTS", listSeparator: ",", description: "Host names the HTTP APIs answer besides loopback names (DNS-rebinding guard; comma-separated in the environment)." },
  redisUrl: { env: "CORTEX_REDIS_URL", flag: "--redis-url", secret: true, description: "External Redis (redis://, rediss:// or a unix socket path); empty = embedded redis-server." },
  redisOptions: { env: "CORTEX_REDIS_OPTIONS", secret: true, description: "Extra ioredis options (JSON object) for the external Redis: Sentinel ({\"sentinels\":[{\"host\",\"port\"}],\"name\":\"mymaster\"}), TLS (tls.ca…), timeouts." },
  sharedRoots: { env: "CORTEX_SHARED_ROOTS", description: "Folders every machine of the fleet mounts at the same path (path-list separated): fleet jobs read inputs and write outputs there." },
  fleetWaitTimeoutMs: { env: "CORTEX_FLEET_WAIT_TIMEOUT_MS", description: "How long a fleet job waits on a queue no connected worker serves before it fails FLEET_NO_WORKER (FAILED_PRECONDITION)." },
  redisCluster: { env: "CORTEX_REDIS_CLUSTER", description: "The external Redis (redisUrl: any one node, redis:// or rediss://) is a Redis Cluster; every client goes through ioredis Cluster and redisOptions apply to each node." },
  redisServer: { env: "CORTEX_REDIS_SERVER", description: "redis-server binary for the embedded Redis." },
  logLevel: { env: "CORTEX_LOG_LEVEL", flag: "--log-level", description: "Log level: fatal, error, warn, info, debug, trace, silent." },
  modelDirs: { env: "CORTEX_MODEL_DIRS", description: "Extra folders to scan for models (path-list separated)." },
  hfEndpoint: { env: "HF_ENDPOINT", fromEnv: (env) => hfEndpointFromEnv(env), description: "Hugging Face Hub URL." },
  hfToken: { env: "HF_TOKEN", fromEnv: (env) => hfTokenFromEnv(env), secret: true, description: "Hugging Face token (HF_TOKEN, else the legacy HUGGING_FACE_HUB_TOKEN); empty = the token file (hfTokenPath), if any." },
  hfTokenPath: { env: "HF_TOKEN_PATH", fromEnv: (env, homedir) => hfTokenPathFromEnv(env, homedir), description: "The token file `hf auth login` writes; default $HF_HOME/token (never beside the hub cache)." },
  hfHubCache: { env: "HF_HUB_CACHE", fromEnv: (env, homedir) => hfHubCacheFromEnv(env, homedir), description: "Hugging Face cache (HF_HUB_CACHE, else the legacy HUGGINGFACE_HUB_CACHE); default $HF_HOME/hub, $XDG_CACHE_HOME/huggingface/hub or ~/.cache/huggingface/hub." },
  hfOffline: { env: "HF_HUB_OFFLINE", description: "Never contact the Hub; answer pulls from the cache." },
  maxConcurrentDownloads: { env: "CORTEX_MAX_CONCURRENT_DOWNLOADS", description: "Pull jobs running at once." },
  downloadPartsPerFile: { env: "CORTEX_DOWNLOAD_PARTS", description: "Most parallel connections per large file (each fetches ranged parts of at most 32 MiB)." },
  conversionConcurrency: { env: "CORTEX_CONVERSION_CONCURRENCY", description: "Conversion/quantization jobs running at once." },
  threads: { env: "CORTEX_THREADS", description: "CPU threads for inference and quantization; default = the machine's cores." },
  memoryReserveBytes: { env: "CORTEX_MEMORY_RESERVE", description: "Memory kept free for the system (bytes or e.g. 4GiB)." },
  memoryBudgetBytes: { env: "CORTEX_MEMORY_BUDGET", description: "Memory for resident models; 0 = total memory minus the reserve." },
  keepAliveSeconds: { env: "CORTEX_KEEP_ALIVE", description: "Seconds an idle model stays loaded; -1 forever, 0 unload at once." },
  contextSize: { env: "CORTEX_CONTEXT_SIZE", description: "Tokens per sequence of a load that sets none (less when the model was trained on less); `cortex ls` estimates memory at it." },
  parallel: { env: "CORTEX_PARALLEL", description: "Requests a model serves at once (sequences, each of the context size) when a load sets none; `cortex ls` estimates memory at it." },
  maxLoadedModels: { env: "CORTEX_MAX_LOADED_MODELS", description: "Most models resident at once; 0 = as many as fit." },
  maxQueuedRequests: { env: "CORTEX_MAX_QUEUE", description: "Inference requests waiting for memory before RESOURCE_EXHAUSTED." },
  streamIntervalMs: { env: "CORTEX_STREAM_INTERVAL_MS", description: "Least time between streamed messages of one generation; text generated meanwhile joins the next (0 = every token)." },
  shutdownTimeoutMs: { env: "CORTEX_SHUTDOWN_TIMEOUT_MS", description: "Bound on graceful shutdown before streams are cut." },
  aliases: { description: 'Short names for models, added to the built-in catalog (or replacing its entries): {"my-model": "org/name"} or {"my-model:4bit": {"repo": "org/name", "revision": "main", "include": ["*.safetensors"], "exclude": []}}.' },
  redisStallToleranceMs: { env: "CORTEX_REDIS_STALL_TOLERANCE_MS", description: "Longest Redis stall a running job's lock survives (lock = 2 × this + 5 s, at least 10 s); a crashed daemon's jobs come back after about the lock's length." },
};

/** Defaults that depend on the machine and the user's home, computed at boot (never at import). */
export function defaultConfig(env: NodeJS.ProcessEnv, homedir = os.homedir()): z.input<typeof configSchema> {
  return {
    home: path.join(homedir, ".cortex"),
    listen: "",
    token: "",
    tlsCert: "",
    tlsKey: "",
    tlsClientCa: "",
    http: "",
    httpNoAuth: false,
    httpOrigins: [],
    httpHosts: [],
    redisUrl: "",
    redisOptions: {},
    redisCluster: false,
    sharedRoots: [],
    fleetWaitTimeoutMs: 600_000,
    redisServer: "redis-server",
    logLevel: "info",
    modelDirs: [],
    hfEndpoint: "https://huggingface.co",
    hfToken: "",
    // HF_HOME and XDG_CACHE_HOME only move the defaults: a config.json value beats them, HF_HUB_CACHE beats both.
    hfTokenPath: path.join(resolveHfHome(env, homedir), "token"),
    hfHubCache: path.join(resolveHfHome(env, homedir), "hub"),
    hfOffline: false,
    maxConcurrentDownloads: 2,
    downloadPartsPerFile: 8,
    conversionConcurrency: 1,
    threads: physicalCores(),
    memoryReserveBytes: Math.min(4 * 1024 ** 3, Math.round(os.totalmem() * 0.15)),
    memoryBudgetBytes: 0,
    keepAliveSeconds: 300,
    contextSize: 4096,
    parallel: 4,
    maxLoadedModels: 0,
    maxQueuedRequests: 64,
    streamIntervalMs: 64,
    shutdownTimeoutMs: 10_000,
    aliases: {},
    redisStallToleranceMs: 2_500,
  };
}

/** os.cpus() counts hyper-threads; inference runs best on real cores (and never more threads than cores). */
export function physicalCores(): number {
  return physicalCoreCount();
}
