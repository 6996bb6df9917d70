import path from "node:path";
import type { Config } from "./schema.js";

/** Every path cortexd derives from CORTEX_HOME, in one place. */
export interface HomePaths {
  home: string;
  socket: string;
  lock: string;
  token: string;
  redisDir: string;
  redisSocket: string;
  models: string;
  mlxModels: string;
  quantizedModels: string;
  manifests: string;
  tmp: string;
  logs: string;
}

export function homePaths(home: string): HomePaths {
  const redisDir = path.join(home, "redis");
  return {
    home,
    socket: path.join(home, "cortexd.sock"),
    lock: path.join(home, "cortexd.lock"),
    token: path.join(home, "token"),
    redisDir,
    redisSocket: path.join(redisDir, "redis.sock"),
    models: path.join(home, "models"),
    mlxModels: path.join(home, "mlx_models"),
    quantizedModels: path.join(home, "quantized_models"),
    manifests: path.join(home, "manifests"),
    tmp: path.join(home, "tmp"),
    logs: path.join(home, "logs"),
  };
}

export function pathsFor(config: Pick<Config, "home">): HomePaths {
  return homePaths(config.home);
}
