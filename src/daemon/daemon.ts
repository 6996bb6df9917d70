import fs from "node:fs";
import { isCortexError } from "../errors/cortex-error.js";
import path from "node:path";
import type { LoadedConfig } from "../config/load-config.js";
import type { Config } from "../config/schema.js";
import { homePaths } from "../config/paths.js";
import { GrpcServers, type ServiceImplementations, type TcpTls } from "../grpc/grpc-server.js";
import { createModelService } from "../grpc/services/model-service.js";
import { closeQueues, createQueues, queueNamesOf } from "../jobs/queues.js";
import { CancelBus } from "../jobs/cancel-bus.js";
import { listFleetWorkers, WorkerHeartbeat } from "../jobs/worker-registry.js";
import { CAPABILITIES, QUEUE_NAMES } from "../jobs/queue-names.js";
import { VERSION } from "../version.js";
import os from "node:os";
import { JobEvents } from "../jobs/job-events.js";
import { JobManager } from "../jobs/job-manager.js";
import { JobWorkers } from "../jobs/job-workers.js";
import { workerConfigFrom } from "../jobs/worker-config.js";
import { createJobService, expandPull, submitPull } from "../grpc/services/job-service.js";
import { createConversionRpcs } from "../grpc/services/conversion-rpcs.js";
import { resolveModelSource } from "../store/resolve-source.js";
import { createInferenceService } from "../grpc/services/inference-service.js";
import { createInferencePool, defaultLoadSettings, modelRoots } from "../inference/create-pool.js";
import { JobQuantizer } from "../inference/job-quantizer.js";
import { storeResolver } from "../inference/store-resolver.js";
import { FINAL_STATES } from "../jobs/job-view.js";
import { combineHolders, jobHolders, modelHasPath, type ModelHolders } from "../store/model-holders.js";
import { ModelCatalog } from "../store/model-catalog.js";
import { ModelStore } from "../store/model-store.js";
import { storeRootsFor } from "../store/store-roots.js";
import { sweepStaleTemps } from "../store/sweep-stale-temps.js";
import { resolveHubToken } from "./hf-token.js";
import type { Logger } from "../log/logger.js";
import { runStops } from "./run-stops.js";
import { startRedis } from "../redis/redis-handle.js";
import { moveLegacyKeys } from "./move-legacy-keys.js";
import type { ServiceContext } from "../grpc/service-context.js";
import { LockFile } from "../platform/lock-file.js";
import { prepareHome } from "./prepare-home.js";
import { confineReadsTo } from "../formats/quiet-read.js";
import { resolveToken } from "../grpc/bearer-token.js";
import { removeStaleSocket } from "../platform/unix-socket.js";
import { HttpServer } from "../http/http-server.js";
import { Metrics } from "../metrics/metrics.js";
import { CortexError } from "../errors/cortex-error.js";

/** A listen address whose host is a loopback name: the only place httpNoAuth is accepted. */
function isLoopbackAddress(address: string): boolean {
  const host = /^\[?([^\]]+?)\]?:\d+$/.exec(address)?.[1]?.toLowerCase() ?? "";
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Composes cortexd: starts modules in dependency order and stops them in reverse.
 * home → lock → Redis → queues → inference pool → services → gRPC (SERVING).
 * Stop: NOT_SERVING → streams → gRPC → inference pool (runners exit) → queues → Redis → lock.
 */
export class Daemon {
  private readonly stops: { name: string; stop: () => Promise<void> | void }[] = [];
  private stopping: Promise<void> | undefined;

  private constructor(readonly ctx: ServiceContext, private readonly grpc: GrpcServers) {}

  static async start(loaded: LoadedConfig, logger: Logger): Promise<Daemon> {
    const { config } = loaded;
    const paths = homePaths(config.home);
    const stops: Daemon["stops"] = [];
    try {
      prepareHome(paths);
      const lock = LockFile.acquire(paths.lock);
      stops.push({ name: "lock", stop: () => lock.release() });
      await removeStaleSocket(paths.socket, "cortexd");
      // Temporary files of writers a crash killed: never listed as models, but they hold disk.
      // Model files the daemon reads (headers, configs) must resolve inside the roots, links included (#20 item 2).
      confineReadsTo([config.home, config.hfHubCache, ...config.modelDirs]);
      const swept = sweepStaleTemps([paths.models, paths.mlxModels, paths.quantizedModels, paths.manifests, paths.tmp]);
      if (swept.length > 0) logger.info({ files: swept }, "removed temporary files of interrupted writers");
      const token = config.listen || config.http ? resolveToken(config.token, paths.token) : "";
      if (config.http && config.httpNoAuth && !isLoopbackAddress(config.http)) {
        throw new CortexError("CFG_INVALID", `httpNoAuth is accepted only for a loopback http address (127.0.0.1, [::1], localhost), not ${config.http}`);
      }
      const tls = readTcpTls(config);

      const redis = await startRedis({ url: config.redisUrl, options: config.redisOptions, cluster: config.redisCluster, binary: config.redisServer, dir: paths.redisDir, socket: paths.redisSocket, logger });
      stops.push({ name: "redis", stop: () => redis.stop() });
      logger.info({ mode: redis.mode, address: redis.address }, "redis ready");
      await moveLegacyKeys(redis, logger);

      // A shared (external) Redis may have `cortex worker`s on it: the fleet queues, cancels and registry exist then.
      const fleet = redis.mode === "external";
      const queues = createQueues(redis.bullmq, { fleet });
      stops.push({ name: "queues", stop: () => closeQueues(queues) });
      const events = new JobEvents(redis.bullmq, queueNamesOf({ fleet }));
      stops.push({ name: "job-events", stop: () => events.close() });
      await events.ready();
      const cancelBus = fleet ? new CancelBus(redis.target) : undefined;
      if (cancelBus) stops.push({ name: "cancel-bus", stop: () => cancelBus.close() });
      let heartbeat: WorkerHeartbeat | undefined;
      const workers = new JobWorkers({
        connection: redis.bullmq,
        ...(cancelBus ? { cancelBus, onRunningChange: () => void heartbeat?.beat().catch(() => undefined) } : {}),
        concurrency: { downloads: config.maxConcurrentDownloads, conversions: config.conversionConcurrency, quantizations: config.conversionConcurrency },
        runtime: workerConfigFrom(config, resolveHubToken(config)),
        logger,
        shutdownTimeoutMs: config.shutdownTimeoutMs,
        stallToleranceMs: config.redisStallToleranceMs,
      });
      if (fleet) {
        heartbeat = new WorkerHeartbeat(redis.client, { id: `${os.hostname()}-${process.pid}-daemon`, role: "daemon", host: os.hostname(), pid: process.pid, version: VERSION, queues: [...QUEUE_NAMES], capabilities: [...CAPABILITIES], shared_roots: [...config.sharedRoots], started_at: new Date().toISOString() }, () => workers.runningJobIds());
        stops.push({ name: "heartbeat", stop: () => heartbeat!.stop() });
      }
      await workers.start();
      stops.push({ name: "job-workers", stop: () => workers.stop() });
      await heartbeat?.start();
      const jobs = new JobManager(queues, events, workers, redis.client, () => redis.healthy(), cancelBus);
      stops.push({ name: "job-manager", stop: () => jobs.close() });
      if (fleet) {
        // Fleet jobs nobody can take wait visibly (status names the missing capability), then fail FLEET_NO_WORKER.
        const sweep = setInterval(() => {
          void listFleetWorkers(redis.client)
            .then((ws) => jobs.failUnserved(new Set(ws.flatMap((w) => w.queues)), config.fleetWaitTimeoutMs))
            .then((ids) => ids.length && logger.warn({ jobs: ids }, "fleet jobs failed: no worker serves their queue"))
            .catch(() => undefined);
        }, Math.min(5000, config.fleetWaitTimeoutMs / 2));
        sweep.unref();
        stops.push({ name: "fleet-sweep", stop: () => clearInterval(sweep) });
      }
      const sourceRoots = { paths, hubCache: config.hfHubCache, modelDirs: config.modelDirs };
      const resolveSource = (ref: string) => resolveModelSource(ref, sourceRoots);
      // Job sources: what the worker can resolve itself, else anything `cortex ls` shows (id, prefix, name…),
      // handed to the worker as a path or org/name@commit.
      const findJobSource = async (ref: string) => {
        try {
          return resolveSource(ref);
        } catch (err) {
          if (!isCortexError(err) || err.code !== "REG_NOT_FOUND") throw err;
          const m = await store.get(ref).catch(() => Promise.reject(err));
          const canonical = m.kind === "folder" && m.hf ? `${m.hf.repo}@${m.hf.commit}` : m.paths[0]!;
          return { ...resolveSource(canonical), ref: canonical };
        }
      };
      // A conversion, quantization or fusion reads its source: that is a use (the job holds it meanwhile).
      const resolveJobSource = async (ref: string) => {
        const src = await findJobSource(ref);
        store.markUsed(src.path);
        return src;
      };
      // The pool names models as the store lists them, and makes the variants it needs through jobs. Its default load
      // settings are the store's too: `ls` estimates the context a plain LoadModel uses.
      const load = defaultLoadSettings(config);
      const pool = createInferencePool(config, paths, logger, { resolve: storeResolver(() => store.snapshot(), paths.models, modelRoots(config, paths)), quantizer: new JobQuantizer(jobs, paths), onUse: (key) => store.markUsed(key) });
      stops.push({ name: "inference-pool", stop: () => pool.stop() });

      // Who holds a model before it is deleted: running/queued jobs now; the inference pool adds its own source.
      const poolHolders: ModelHolders = async (model) => {
        const loaded = (await pool.list()).models;
        // The pool knows a model by its real path (an HF-cache GGUF by its blob): compared after links.
        return loaded.filter((m) => modelHasPath(model.paths, m.path)).map((m) => `loaded in the inference pool as ${m.model}`);
      };
      const holders: ModelHolders = combineHolders(
        poolHolders,
        jobHolders(
          async () => (await jobs.list({ limit: 1000 })).filter((j) => !FINAL_STATES.has(j.state)),
          (ref) => resolveSource(ref).path,
        ),
      );
      const catalog = new ModelCatalog(config.aliases);
      const store = new ModelStore({ roots: storeRootsFor(config, paths), holders, catalog, load });
      // An output a request asks to overwrite: whatever exists under that name in the output folders, asked of the same holders.
      const outputHolders = async (name: string): Promise<string[]> => {
        const found = [paths.models, paths.quantizedModels, paths.mlxModels].flatMap((dir) => [path.join(dir, name), path.join(dir, `${name}.gguf`)]).filter((p) => fs.existsSync(p));
        const held = await Promise.all(found.map((p) => holders({ id: "", name, paths: [p], root: "cortex", sourceRepo: "", sourceRevision: "" })));
        return held.flat();
      };
      stops.push({ name: "model-store", stop: () => store.close() });

      const metrics = new Metrics({ pool, queues, redisHealthy: () => redis.healthy() });
      const grpc = new GrpcServers({ socketPath: paths.socket, logger, ...(config.listen ? { tcp: { address: config.listen, token, ...(tls ? { tls } : {}) } } : {}) });
      const ctx: ServiceContext = { config, loaded, paths, logger, redis, queues, streams: grpc.streams, inference: pool, metrics, startedAt: new Date(), listeners: () => grpc.listeners };
      const services: ServiceImplementations = {
        "cortex.v1.ModelService": createModelService(ctx, store),
        "cortex.v1.JobService": createJobService(jobs, grpc.streams, createConversionRpcs(jobs, resolveJobSource, (req, field) => submitPull(jobs, req, field, catalog), (glob) => store.matching(glob), (file) => [paths.models, paths.quantizedModels].some((dir) => fs.existsSync(path.join(dir, file))), outputHolders, config.sharedRoots, (req, field) => expandPull(req, field, catalog)), catalog),
        "cortex.v1.InferenceService": createInferenceService(pool, grpc.streams, metrics),
      };
      await grpc.start(services);
      stops.push({ name: "grpc", stop: () => grpc.stop(config.shutdownTimeoutMs) });
      let http: HttpServer | undefined;
      if (config.http) {
        http = new HttpServer(
          { address: config.http, token: config.httpNoAuth ? "" : token, hosts: config.httpHosts, origins: config.httpOrigins, logger, metrics },
          {
            pool,
            models: async () => (await store.snapshot()).models,
            // The user named this model to a client that deletes what it pulled, so HF-cache models go too.
            deleteModel: async (ref) => void (await store.delete(ref, { includeHfCache: true })),
            pull: async (repo, revision, include) => ({ jobId: (await submitPull(jobs, { repo, revision, include, exclude: [], idempotency_key: "", quantization: "" }, "", catalog)).job_id! }),
            watchJob: (id, signal) => jobs.watch(id, signal),
            version: VERSION,
            logger,
          },
        );
        await http.start();
        stops.push({ name: "http", stop: () => http!.stop() });
        if (config.httpNoAuth) logger.warn({ http: http.address }, "HTTP APIs serve without a bearer token (httpNoAuth): any local process can use them");
      }
      grpc.setServing(true);
      const daemon = new Daemon(ctx, grpc);
      daemon.stops.push(...stops);
      logger.info({ home: config.home, listeners: grpc.listeners, ...(http ? { http: `http://${http.address}` } : {}), pid: process.pid }, "cortexd ready");
      return daemon;
    } catch (err) {
      await runStops(stops, logger);
      throw err;
    }
  }

  /** Idempotent graceful stop, bounded by shutdownTimeoutMs per step. */
  stop(): Promise<void> {
    this.stopping ??= runStops(this.stops, this.ctx.logger);
    return this.stopping;
  }
}

/**
 * The TCP listener's PEM files, read once at start (config is read only at boot).
 * @throws CortexError CFG_INVALID naming the setting and file that cannot be read.
 */
function readTcpTls(config: Config): TcpTls | undefined {
  if (!config.tlsCert) return undefined;
  const read = (file: string, flag: string): Buffer => {
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new CortexError("CFG_INVALID", `${flag} ${file}: cannot read (${(err as Error).message})`);
    }
  };
  return {
    cert: read(config.tlsCert, "--tls-cert"),
    key: read(config.tlsKey, "--tls-key"),
    ...(config.tlsClientCa ? { clientCa: read(config.tlsClientCa, "--tls-client-ca") } : {}),
  };
}
