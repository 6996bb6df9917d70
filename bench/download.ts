import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { startDaemon, type RunningDaemon } from "../test/helpers/daemon.js";
import type { Benchmark } from "./harness.js";
import { childPids, rssOf } from "./proc-stats.js";

const run = promisify(execFile);
const SIZE_MIB = Number(process.env.CORTEX_BENCH_DOWNLOAD_MIB ?? 2048);

/** A 2 GiB file over loopback: cortexd's pull (daemon + worker, verified, into the HF cache) vs `curl -o`. */
export const download: Benchmark = {
  name: "download",
  description: `Loopback download of a ${SIZE_MIB} MiB LFS file: cortexd pull (ranged parts, sha256-verified, HF cache) vs curl -L -o, MB/s`,
  async setup() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cxb-dl-"));
    const server: ChildProcess = spawn(process.execPath, [path.join(path.dirname(fileURLToPath(import.meta.url)), "hub-server-process.js"), String(SIZE_MIB)], { stdio: ["ignore", "pipe", "inherit"] });
    const info = await new Promise<{ url: string; commit: string }>((resolve) => server.stdout!.once("data", (b: Buffer) => resolve(JSON.parse(b.toString()))));
    const cache = path.join(dir, "hf");
    const d: RunningDaemon = await startDaemon(path.join(dir, "h"), { env: { HF_ENDPOINT: info.url, HF_HUB_CACHE: cache, CORTEX_LOG_LEVEL: "warn", ...(process.env.CORTEX_DOWNLOAD_PARTS ? { CORTEX_DOWNLOAD_PARTS: process.env.CORTEX_DOWNLOAD_PARTS } : {}) } });
    const bytes = SIZE_MIB * 1024 * 1024;
    const peak = { daemon: 0, worker: 0, events: 0, progress: 0, seconds: 0 };
    return {
      unit: "MB/s",
      rounds: 5,
      cortexd: {
        label: "cortex pull (PullModel → COMPLETED)",
        run: async () => {
          fs.rmSync(cache, { recursive: true, force: true });
          const t0 = performance.now();
          const { job_id } = await d.client.unary("cortex.v1.JobService", "PullModel", { repo: "bench/big" });
          type Msg = { job: { state: string; progress?: { phase?: string } } };
          const stream = d.client.stream("cortex.v1.JobService", "WatchJob", { job_id });
          let events = 0;
          let progress = 0; // "downloading" updates (the rest are state changes: resolving, completed…)
          const sampler = setInterval(() => {
            peak.daemon = Math.max(peak.daemon, rssOf(d.proc.pid!));
            for (const c of childPids(d.proc.pid!)) peak.worker = Math.max(peak.worker, rssOf(c));
          }, 100);
          await new Promise<void>((resolve, reject) => {
            stream.on("data", (m: Msg) => {
              events++;
              if (m.job.state === "JOB_STATE_ACTIVE" && m.job.progress?.phase === "downloading") progress++;
              if (m.job.state === "JOB_STATE_FAILED") reject(new Error(JSON.stringify(m.job)));
            });
            stream.on("end", () => resolve());
            stream.on("error", reject);
          });
          clearInterval(sampler);
          const secs = (performance.now() - t0) / 1000;
          // Removed now, as curl's file is after its run: its dirty pages must not be written back during curl's.
          fs.rmSync(cache, { recursive: true, force: true });
          peak.events = Math.max(peak.events, events / secs);
          peak.progress = Math.max(peak.progress, progress / secs);
          peak.seconds = secs;
          return bytes / 1e6 / secs;
        },
      },
      reference: {
        label: "curl -sL -o (same file, same server, same disk)",
        run: async () => {
          const out = path.join(dir, "curl.out");
          const t0 = performance.now();
          await run("curl", ["-sfL", "-o", out, `${info.url}/bench/big/resolve/${info.commit}/model.safetensors`]);
          const secs = (performance.now() - t0) / 1000;
          fs.rmSync(out, { force: true });
          return bytes / 1e6 / secs;
        },
      },
      async teardown() {
        console.log(`  peak RSS: daemon ${(peak.daemon / 1e6).toFixed(0)} MB, worker ${(peak.worker / 1e6).toFixed(0)} MB; WatchJob events ≤ ${peak.events.toFixed(1)}/s, of them progress ≤ ${peak.progress.toFixed(1)}/s`);
        await d.stop();
        server.kill();
        await sleep(100);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};
