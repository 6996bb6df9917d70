/**
 * Secrets in cortexd's environment that no child needs as a variable: the Hub token (the downloads worker gets it
 * inside its runtime config, nobody else), the TCP bearer token, and a Redis URL that may carry a password
 * (children talk to the daemon over IPC, never to Redis).
 */
export const SECRET_ENV = ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "CORTEX_TOKEN", "CORTEX_REDIS_URL"] as const;

/** The daemon's environment for a child process: everything but the secrets. */
export function childEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const k of SECRET_ENV) delete out[k];
  return out;
}
