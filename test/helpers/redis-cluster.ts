import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { findExecutable } from "../../src/redis/find-executable.js";
import { freePort } from "./free-port.js";
import { requireTool } from "./require-tool.js";
import { stopRedis } from "./redis-server.js";

/** Why a cluster test cannot run here, or false (`redis-cli --cluster create` builds the cluster). */
export function redisClusterUnavailable(): string | false {
  return requireTool("REDIS_CLI", !findExecutable("redis-cli") && "redis-cli is not installed (Debian: redis-tools), so no Redis Cluster can be built");
}

export interface RedisCluster {
  /** The masters' ports; any one is a seed for ioredis Cluster. */
  ports: number[];
  /** Each master's redis-server process, by port (fault tests signal it). */
  procs: Map<number, ChildProcess>;
  /** The port of the master that owns `key`'s slot. */
  ownerOf(key: string): Promise<number>;
  /** redis:// of a master that does not own `key`'s slot: a client that ignores the cluster gets MOVED there. */
  urlAvoiding(key: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Three masters (no replicas) on kernel-chosen loopback ports — a cluster needs TCP; each node's cluster bus gets
 * its own chosen port too (cluster-port), not port + 10000 — joined by `redis-cli --cluster create`, and answering
 * `cluster_state:ok` on every node before this resolves.
 */
export async function startRedisCluster(dir: string, masters = 3): Promise<RedisCluster> {
  fs.mkdirSync(dir, { recursive: true });
  const procs: ChildProcess[] = [];
  const ports: number[] = [];
  const stop = async () => void (await Promise.all(procs.map((p) => stopRedis(p))));
  try {
    for (let i = 0; i < masters; i++) {
      const [port, bus] = [await freePort(), await freePort()];
      const nodeDir = path.join(dir, `n${i}`);
      fs.mkdirSync(nodeDir, { recursive: true });
      const args = ["--port", String(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-port", String(bus), "--cluster-config-file", path.join(nodeDir, "nodes.conf"), "--cluster-node-timeout", "5000", "--dir", nodeDir, "--save", "", "--appendonly", "no"];
      procs.push(spawn("redis-server", args, { stdio: "ignore" }));
      ports.push(port);
    }
    for (const port of ports) await waitAnswers(port);
    const create = spawnSync("redis-cli", ["--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", "0", "--cluster-yes"], { encoding: "utf8", timeout: 60_000 });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed (${create.status}):\n${create.stdout}\n${create.stderr}`);
    for (const port of ports) await waitClusterOk(port);
  } catch (err) {
    await stop();
    throw err;
  }
  const ownerOf = async (key: string) => {
    const r = new Redis({ port: ports[0]!, host: "127.0.0.1" });
    try {
      const slot = Number(await r.call("CLUSTER", "KEYSLOT", key));
      const ranges = (await r.call("CLUSTER", "SLOTS")) as [number, number, [string, number]][];
      return ranges.find(([from, to]) => slot >= from && slot <= to)![2][1];
    } finally {
      r.disconnect();
    }
  };
  const urlAvoiding = async (key: string) => {
    const owner = await ownerOf(key);
    return `redis://127.0.0.1:${ports.find((p) => p !== owner)!}`;
  };
  return { ports, procs: new Map(ports.map((p, i) => [p, procs[i]!])), ownerOf, urlAvoiding, stop };
}

async function waitAnswers(port: number): Promise<void> {
  const r = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on("error", () => undefined);
  try {
    for (let i = 0; i < 200; i++) {
      try {
        if (r.status !== "ready") await r.connect();
        await r.ping();
        return;
      } catch {
        await sleep(50);
      }
    }
    throw new Error(`redis-server on port ${port} did not answer`);
  } finally {
    r.disconnect();
  }
}

async function waitClusterOk(port: number): Promise<void> {
  const r = new Redis({ port, host: "127.0.0.1" });
  try {
    for (let i = 0; i < 400; i++) {
      if (/cluster_state:ok/.test(String(await r.call("CLUSTER", "INFO")))) return;
      await sleep(50);
    }
    throw new Error(`cluster node ${port} never reached cluster_state:ok`);
  } finally {
    r.disconnect();
  }
}
