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
  /** The child answered PING: only then does its exit start the restart loop (a failed start is the loop's own). */
  private ready = false;
  /** One restart loop at a time: every child's exit used to start another, ~10 restarts a second (#20 item 8). */
  private restarting = false;
  /** Redis's own last lines (it prints why it refuses to start, e.g. a corrupt AOF, at warning level). */
  private lastLines: string[] = [];
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
    // Never two children on one AOF: a previous child still alive (hung in its start) is killed and awaited first.
    await this.killChild();
    this.ready = false;
    this.lastLines = [];
    const child = spawn(this.binaryPath, args, { stdio: ["ignore", "pipe", "pipe"], detached: true, env: childEnv() });
    this.child = child;
    const lines = (buf: Buffer) => {
      for (const line of buf.toString("utf8").split("\n")) {
        if (!line.trim()) continue;
        logger.debug({ redis: line.trim() }, "redis-server");
        this.lastLines.push(line.trim());
        if (this.lastLines.length > 20) this.lastLines.shift();
      }
    };
    child.stdout?.on("data", lines);
    child.stderr?.on("data", lines);
    const spawned = new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (err) => reject(new CortexError("REDIS_UNAVAILABLE", `cannot start ${this.binaryPath}: ${err.message}`)));
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.once("exit", (code, signal) => this.onExit(child, code, signal));
    await spawned;
    try {
      await this.waitReady(this.opts.readyTimeoutMs ?? 15_000, exited);
    } catch (err) {
      await this.killChild();
      throw err;
    }
    this.ready = true;
  }

  /** SIGKILL the current child (if any still runs) and wait for its exit. */
  private async killChild(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await gone;
  }

  /** Why redis-server refused to start, in its own words, with the fix for an AOF it cannot load. */
  private startFailure(code: number | null): CortexError {
    // Redis's warnings ("# Bad file format reading the append only file …") carry the reason; the rest is banner.
    const reasons = this.lastLines.filter((l) => / # /.test(l) && !/oO0OoO0OoO0Oo|Redis version=|Configuration loaded|Server initialized|WARNING Memory overcommit/.test(l)).map((l) => l.replace(/^\d+:[A-Z] [^#]*# /, ""));
    const reason = reasons.slice(-3).join("; ") || this.lastLines.slice(-2).join("; ") || `exit code ${code}`;
    const aof = /append ?only|AOF/i.test(reason) ? aofFile(this.opts.dir) : undefined;
    const fix = aof ? ` Fix: stop cortexd, then \`redis-check-aof --fix ${aof}\` (keeps the jobs before the damage), and start again.` : "";
    return new CortexError("REDIS_UNAVAILABLE", `embedded redis-server exited during start: ${reason}.${fix}`);
  }

  private async waitReady(timeoutMs: number, exited: Promise<void>): Promise<void> {
    let deadline = Date.now() + timeoutMs;
    let gone = false;
    void exited.then(() => (gone = true));
    while (Date.now() < deadline) {
      if (gone || this.child?.exitCode !== null) {
        await exited; // its last output lines are read by then
        throw this.startFailure(this.child?.exitCode ?? null);
      }
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
      } catch (err) {
        // Not up yet. Loading a large AOF answers LOADING: that is progress, not a hang (killing it would loop).
        if (/LOADING/.test((err as Error).message)) deadline = Math.max(deadline, Date.now() + timeoutMs);
      } finally {
        client.disconnect();
      }
      await sleep(25);
    }
    throw new CortexError("REDIS_UNAVAILABLE", `embedded redis-server did not answer on ${this.opts.socket} within ${timeoutMs} ms`);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child || this.stopping || !this.ready || this.restarting) return;
    this.ready = false;
    this.opts.logger.error({ code, signal }, "embedded redis-server died; restarting");
    this.emit("down");
    void this.restartLoop();
  }

  /** The one supervisor loop: exponential backoff from 250 ms to 30 s, one child at a time. */
  private async restartLoop(): Promise<void> {
    this.restarting = true;
    try {
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
    } finally {
      this.restarting = false;
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

/** The AOF redis-check-aof should fix: Redis 7's manifest folder (appendonlydir) or a single appendonly.aof. */
function aofFile(dir: string): string {
  const folder = path.join(dir, "appendonlydir");
  try {
    const incr = fs.readdirSync(folder).filter((f) => f.endsWith(".incr.aof")).sort();
    const manifest = fs.readdirSync(folder).find((f) => f.endsWith(".manifest"));
    if (manifest) return path.join(folder, manifest);
    if (incr.length) return path.join(folder, incr.at(-1)!);
  } catch {
    // Redis < 7: one file
  }
  return path.join(dir, "appendonly.aof");
}
