import { spawn, type ChildProcess } from "node:child_process";
import { childEnv } from "../platform/child-env.js";
import { EventEmitter } from "node:events";
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { CortexError } from "../errors/cortex-error.js";
import type { Logger } from "../log/logger.js";
import { socketAnswers } from "../platform/unix-socket.js";
import { findExecutable } from "./find-executable.js";

export interface EmbeddedRedisOptions {
  binary: string;
  dir: string;
  socket: string;
  logger: Logger;
  /** How long to wait for PONG after spawning. */
  readyTimeoutMs?: number;
}

export const REDIS_INSTALL_HINT =
  "redis-server not found: install it (macOS: brew install redis; Debian/Ubuntu: sudo apt-get install redis-server) or set CORTEX_REDIS_URL";

/**
 * The daemon's own redis-server child on a unix socket with append-only persistence, so queued jobs survive a
 * daemon restart. Supervised: restarted with backoff if it dies; stopped (AOF flushed) on shutdown.
 */
export class EmbeddedRedis extends EventEmitter {
  private child: ChildProcess | undefined;
  private stopping = false;
  restarts = 0;
  version = "";

  private constructor(private readonly opts: EmbeddedRedisOptions, private readonly binaryPath: string) {
    super();
  }

  static async start(opts: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
    const binaryPath = findExecutable(opts.binary);
    if (!binaryPath) throw new CortexError("REDIS_MISSING", REDIS_INSTALL_HINT);
    fs.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    const redis = new EmbeddedRedis(opts, binaryPath);
    await redis.stopOrphan();
    await redis.spawnChild();
    return redis;
  }

  get address(): string {
    return this.opts.socket;
  }

  get healthy(): boolean {
    return this.child !== undefined && this.child.exitCode === null;
  }

  /** A redis-server left running by a daemon killed with -9 still holds the socket and the AOF: shut it down. */
  private async stopOrphan(): Promise<void> {
    if (!fs.existsSync(this.opts.socket)) return;
    if (!(await socketAnswers(this.opts.socket))) {
      fs.rmSync(this.opts.socket, { force: true });
      return;
    }
    this.opts.logger.warn({ socket: this.opts.socket }, "stopping an orphaned embedded redis-server from an earlier run");
    const client = new Redis({ path: this.opts.socket, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    client.on("error", () => undefined);
    try {
      await client.connect();
      await client.call("SHUTDOWN").catch(() => undefined); // the server closes the connection as it exits
    } finally {
      client.disconnect();
    }
    for (let i = 0; i < 100 && (await socketAnswers(this.opts.socket, 200)); i++) await sleep(50);
    fs.rmSync(this.opts.socket, { force: true });
  }

  private async spawnChild(): Promise<void> {
    const { dir, socket, logger } = this.opts;
    const args = [
      "--port", "0",
      "--unixsocket", socket,
      "--unixsocketperm", "700",
      "--dir", dir,
      "--appendonly", "yes",
      "--appendfsync", "everysec",
      "--save", "",
      "--daemonize", "no",
      "--maxmemory-policy", "noeviction",
      "--pidfile", path.join(dir, "redis.pid"),
      "--logfile", "",
    ];
    // Own process group: a Ctrl-C in the terminal reaches cortexd only, which then stops Redis after the queues.
    const child = spawn(this.binaryPath, args, { stdio: ["ignore", "pipe", "pipe"], detached: true, env: childEnv() });
    this.child = child;
    const lines = (buf: Buffer) => {
      for (const line of buf.toString("utf8").split("\n")) if (line.trim()) logger.debug({ redis: line.trim() }, "redis-server");
    };
    child.stdout?.on("data", lines);
    child.stderr?.on("data", lines);
    const spawned = new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (err) => reject(new CortexError("REDIS_UNAVAILABLE", `cannot start ${this.binaryPath}: ${err.message}`)));
    });
    child.once("exit", (code, signal) => this.onExit(child, code, signal));
    await spawned;
    await this.waitReady(this.opts.readyTimeoutMs ?? 15_000);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child?.exitCode !== null) throw new CortexError("REDIS_UNAVAILABLE", `embedded redis-server exited during start (code ${this.child?.exitCode}); see the log`);
      const client = new Redis({ path: this.opts.socket, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on("error", () => undefined); // connect() rejects too; this only silences the duplicate event
      try {
        await client.connect();
        // Loading the AOF answers LOADING; wait until it is done.
        if ((await client.ping()) === "PONG") {
          const info = await client.info("server");
          this.version = /redis_version:(\S+)/.exec(info)?.[1] ?? "";
          return;
        }
      } catch {
        // not up yet
      } finally {
        client.disconnect();
      }
      await sleep(25);
    }
    throw new CortexError("REDIS_UNAVAILABLE", `embedded redis-server did not answer on ${this.opts.socket} within ${timeoutMs} ms`);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child || this.stopping) return;
    this.opts.logger.error({ code, signal }, "embedded redis-server died; restarting");
    this.emit("down");
    void this.restartLoop();
  }

  private async restartLoop(): Promise<void> {
    for (let delay = 250; !this.stopping; delay = Math.min(delay * 2, 30_000)) {
      this.restarts++;
      try {
        await this.spawnChild();
        this.opts.logger.info({ restarts: this.restarts }, "embedded redis-server restarted");
        this.emit("up");
        return;
      } catch (err) {
        this.opts.logger.error({ err: (err as Error).message, retryInMs: delay }, "embedded redis-server restart failed");
        await sleep(delay);
      }
    }
  }

  /** Graceful: SIGTERM makes redis fsync the AOF and exit. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    await exited;
    clearTimeout(timer);
  }

  /** Test hook and `cortex status` support: the child's pid. */
  get pid(): number | undefined {
    return this.child?.pid;
  }
}
