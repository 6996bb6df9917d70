import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CortexError, isCortexError } from "../errors/cortex-error.js";
import { partialPath, partsSidecarPath } from "./hf-cache-layout.js";
import { loadSidecar, planParts, saveSidecar, type Part } from "./part-plan.js";
import { createProgressSampler } from "./progress-sampler.js";
import { PartWriter } from "./part-writer.js";
import { rangeGet } from "./range-get.js";
import { FrontierHasher } from "./frontier-hasher.js";
import { LaneRamp } from "./lane-ramp.js";
import { hashSpec, verifyDownload } from "./verify-download.js";

export interface FileProgress {
  /** The repo path of the file. */
  file: string;
  /** Bytes on disk so far, including bytes kept from an earlier, interrupted run. */
  done: number;
  total: number;
}

export interface DownloadFileOptions {
  /** The `/resolve/` URL; redirects are followed by hand. */
  url: string;
  /** The Hub's origin: the only one that receives the token. */
  hubUrl: string;
  token?: string;
  /** Repo id and repo path, for messages. */
  repo: string;
  file: string;
  /** Final path, blobs/<etag>. The partial file and its parts sidecar sit beside it (see hf-cache-layout). */
  dest: string;
  size: number;
  /** LFS files: sha256 of the content (their oid). */
  sha256?: string;
  /** Regular git files: sha1("blob <len>\0" + content). */
  gitSha1?: string;
  /** Ranged requests in parallel per file (connections; each takes the next part in file order). Defaults to 8. */
  partsPerFile?: number;
  /** No part smaller than this (small files get fewer parts). Defaults to 16 MiB. */
  minPartBytes?: number;
  /** No part larger than this (big files get more parts than connections). Defaults to 32 MiB. */
  maxPartBytes?: number;
  /** A part that receives no byte for this long is retried. Defaults to 30 s. */
  stallMs?: number;
  /** Retries per part without progress (any progress resets the count). Defaults to 5. */
  maxPartRetries?: number;
  /** Whole-file downloads after a hash or size mismatch. Defaults to 1. */
  maxIntegrityRetries?: number;
  /** Waiting for response headers. Defaults to 30 s. */
  headerTimeoutMs?: number;
  signal?: AbortSignal;
  /**
   * On cancel, delete the partial file too (by default it is kept for a later resume). A function is asked at
   * the moment of the abort (snapshotDownload aborts sibling files after a failure and keeps their bytes).
   */
  removePartialOnAbort?: boolean | (() => boolean);
  /** Sampled progress. */
  onProgress?: (p: FileProgress) => void;
  /** Minimum time between progress events. Defaults to 100 ms (≤ 10 events/s). */
  progressIntervalMs?: number;
}

export interface DownloadFileResult {
  /** Bytes fetched by this call (an interrupted earlier run's bytes excluded). */
  bytesFetched: number;
  /** Bytes found on disk from an earlier run and kept. */
  resumedBytes: number;
}

/** Bounds what a kill -9 loses to what arrived in the last 100 ms (well under one part). */
const SAVE_EVERY_MS = 100;
const MiB = 1024 * 1024;
/** Files from this size are hashed on a worker thread as they arrive; smaller ones after, from disk. */
const HASH_OFF_THREAD_FROM = 16 * MiB;

/**
 * Downloads one file in ranged parts straight to disk, never holding it in memory: `partsPerFile` connections
 * take the parts in file order, and a worker thread hashes the contiguous prefix as it grows. Each part's progress
 * is saved beside the partial file every 100 ms, so after a crash or kill -9 a restart fetches only what was
 * missing. A part that stalls or breaks is retried from where it stopped. The file gets its final name only
 * after size and hash check out; a mismatch deletes it and downloads again (bounded), then HUB_INTEGRITY.
 */
export async function downloadFile(o: DownloadFileOptions): Promise<DownloadFileResult> {
  const sampler = createProgressSampler(o.onProgress, o.progressIntervalMs ?? 100);
  let bytesFetched = 0;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await downloadOnce(o, (p) => sampler.push(p), (n) => (bytesFetched += n));
        sampler.flush();
        return { bytesFetched, resumedBytes: r.resumedBytes };
      } catch (err) {
        if (isCortexError(err) && err.code === "HUB_INTEGRITY") {
          if (attempt < (o.maxIntegrityRetries ?? 1) && !o.signal?.aborted) continue;
          // Fetched wrong again from scratch: the Hub serves these bytes. Retrying the job would only download the
          // file again and again (2 fetches × 5 job attempts, as the README never promised): permanent for this job.
          throw new CortexError("HUB_INTEGRITY", `${err.message} (downloaded ${attempt + 1} times, wrong each time; not retried)`, { retryable: false, cause: err });
        }
        throw err;
      }
    }
  } finally {
    sampler.cancel();
  }
}

async function downloadOnce(o: DownloadFileOptions, progress: (p: FileProgress) => void, fetched: (n: number) => void): Promise<{ resumedBytes: number }> {
  const label = `${o.repo}/${o.file}`;
  const partial = partialPath(o.dest);
  const sidecarPath = partsSidecarPath(o.dest);
  let state = loadSidecar(sidecarPath, partial, o.size);
  requireFreeSpace(path.dirname(o.dest), o.size - (state ? state.parts.reduce((s, p) => s + (p.next - p.start), 0) : 0), label);
  if (!state) {
    state = { size: o.size, parts: planParts(o.size, o.partsPerFile ?? 8, o.minPartBytes ?? 16 * MiB, o.maxPartBytes ?? 32 * MiB) };
    fs.writeFileSync(partial, "");
    fs.truncateSync(partial, o.size); // sparse: each part writes at its own offset
  }
  const parts = state.parts;
  const doneBytes = () => parts.reduce((s, p) => s + (p.next - p.start), 0);
  const resumedBytes = doneBytes();
  progress({ file: o.file, done: resumedBytes, total: o.size });

  let lastSave = 0;
  const save = (force = false) => {
    if (!force && Date.now() - lastSave < SAVE_EVERY_MS) return;
    lastSave = Date.now();
    saveSidecar(sidecarPath, state);
  };
  save(true);

  // Bytes [0, frontier) are on disk: every part before the first open one is complete.
  let firstOpen = 0;
  const frontier = () => {
    while (firstOpen < parts.length && parts[firstOpen]!.next > parts[firstOpen]!.end) firstOpen++;
    return firstOpen < parts.length ? parts[firstOpen]!.next : o.size;
  };
  const hasher = (o.sha256 || o.gitSha1) && o.size >= HASH_OFF_THREAD_FROM ? new FrontierHasher(partial, hashSpec(o)) : undefined;
  try {
    hasher?.advance(frontier()); // a resumed file: what is already there
    await fetchParts(o, label, parts, partial, (n) => {
      fetched(n);
      progress({ file: o.file, done: doneBytes(), total: o.size });
      hasher?.advance(frontier());
      save();
    }, () => {
      try {
        save(true); // every part has stopped: what the sidecar says is on disk
      } catch {
        // a full disk must not hide the error that stopped the parts; the older record stays valid
      }
    });
    await verifyDownload(partial, o, label, hasher && ((signal) => hasher.digest(o.size, signal)), o.signal, () => removePartial(o.dest));
  } finally {
    await hasher?.close();
  }
  fs.renameSync(partial, o.dest);
  fs.rmSync(sidecarPath, { force: true });
  return { resumedBytes };
}

/**
 * Connections (up to `partsPerFile`, as many as pay: see LaneRamp), each taking the next open part in file order;
 * the first failure for good stops all.
 */
async function fetchParts(o: DownloadFileOptions, label: string, parts: Part[], partial: string, onBytes: (n: number) => void, stopped: () => void): Promise<void> {
  const open = parts.filter((p) => p.next <= p.end);
  const fd = fs.openSync(partial, "r+"); // written synchronously by each part's PartWriter
  const failFast = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, failFast.signal]) : failFast.signal;
  const source: Source = {};
  let settled: PromiseSettledResult<void>[];
  try {
    const ramp = new LaneRamp(Math.min(Math.max(1, o.partsPerFile ?? 8), open.length));
    const lanes: Promise<void>[] = [];
    let running = 0;
    const lane = async () => {
      running++;
      let fresh = true;
      const laneBytes = (n: number) => {
        ramp.bytes(n, performance.now(), fresh);
        fresh = false;
        onBytes(n);
      };
      try {
        for (let part = open.shift(); part; part = open.shift()) {
          await fetchPart(o, label, part, fd, source, signal, laneBytes).catch((err: unknown) => {
            failFast.abort(err); // one part failed for good: stop the others (they keep what they wrote)
            throw err;
          });
          if (ramp.grow(performance.now()) && open.length > 0) lanes.push(lane());
          if (running > ramp.target) break;
        }
      } finally {
        running--;
      }
    };
    for (let i = 0; i < ramp.target; i++) lanes.push(lane());
    do settled = await Promise.allSettled(lanes);
    while (settled.length < lanes.length); // a lane opened another one
  } finally {
    stopped();
    fs.closeSync(fd);
  }
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    if (o.signal?.aborted) {
      const remove = typeof o.removePartialOnAbort === "function" ? o.removePartialOnAbort() : o.removePartialOnAbort;
      if (remove) removePartial(o.dest);
      throw o.signal.reason instanceof Error ? o.signal.reason : new CortexError("JOB_CANCELLED", `${label}: download cancelled`);
    }
    throw failed.reason;
  }
}

/**
 * The partial file is sparse, so a file that cannot fit would only fail at some write deep into the download:
 * refuse it before the first byte instead, naming what it needs. (Concurrent writers can still fill the disk
 * mid-way; that ENOSPC fails the pull the same way.)
 */
function requireFreeSpace(dir: string, needed: number, label: string): void {
  let free: number;
  try {
    const s = fs.statfsSync(dir);
    free = s.bavail * s.bsize;
  } catch {
    return; // no statfs here: the writes will tell
  }
  if (needed > free) {
    const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;
    throw new CortexError("IO_NO_SPACE", `${label}: needs ${mib(needed)}, only ${mib(free)} free on ${dir}`);
  }
}

export function removePartial(dest: string): void {
  fs.rmSync(partialPath(dest), { force: true });
  fs.rmSync(partsSidecarPath(dest), { force: true });
}

/** Where the file's bytes come from: the redirect target once known, shared by the parts of one download. */
interface Source {
  url?: string | undefined;
}

async function fetchPart(o: DownloadFileOptions, label: string, part: Part, fd: number, source: Source, signal: AbortSignal, onBytes: (n: number) => void): Promise<void> {
  const stallMs = o.stallMs ?? 30_000;
  let failures = 0;
  let everGotBytes = false;
  while (part.next <= part.end) {
    signal.throwIfAborted();
    const stall = new AbortController();
    let timer = setTimeout(() => stall.abort(), stallMs);
    const bump = () => {
      clearTimeout(timer);
      timer = setTimeout(() => stall.abort(), stallMs);
    };
    try {
      const { res, url } = await rangeGet({
        url: source.url ?? o.url,
        range: `bytes=${part.next}-${part.end}`,
        hubUrl: o.hubUrl,
        repo: o.repo,
        file: o.file,
        signal: AbortSignal.any([signal, stall.signal]),
        ...(o.headerTimeoutMs ? { headerTimeoutMs: o.headerTimeoutMs } : {}),
        ...(o.token ? { token: o.token } : {}),
      });
      checkRange(res.status, res.headers["content-range"], part, o.size, label, () => res.discard());
      source.url = url; // later parts ask the redirect's target directly: one request each, not two
      const writer = new PartWriter(fd, part, label, (n) => {
        failures = 0; // progress resets the retry budget, as huggingface_hub does
        everGotBytes = true;
        onBytes(n);
      });
      try {
        await res.read((chunk) => {
          bump();
          const room = part.end + 1 - writer.end;
          writer.push(chunk.byteLength > room ? chunk.subarray(0, room) : chunk);
          return chunk.byteLength <= room; // more than the range asked for: stop (the connection is dropped)
        });
      } finally {
        writer.flush(); // keep what arrived, also when the connection broke or we were cancelled
      }
      if (part.next <= part.end) throw new CortexError("HUB_UNAVAILABLE", `${label}: connection closed early at byte ${part.next}`);
    } catch (err) {
      source.url = undefined; // the retry asks the Hub again (a signed CDN URL may have expired)
      if (signal.aborted) throw signal.reason ?? err;
      const fatal = isCortexError(err) && (!err.retryable || err.code.startsWith("IO_"));
      const why = stall.signal.aborted ? `no data for ${stallMs / 1000} s` : err instanceof Error ? err.message.replace(`${label}: `, "") : String(err);
      if (fatal) throw err;
      if (++failures > (o.maxPartRetries ?? 5)) {
        // A host that never sent one byte of this part in all those tries (headers that never come, a refusal
        // each time) will not on the job's next attempt either: the job does not retry it, so a hostile Hub holds
        // a download slot for one round of part retries, not five (#20 item 13). A part that made progress and then
        // broke is a flaky network: the job retries that.
        throw new CortexError("HUB_UNAVAILABLE", `${label}: bytes ${part.next}-${part.end} failed ${failures} times in a row; last: ${why}${everGotBytes ? "" : " (no bytes at all; not retried)"}`, { cause: err, ...(everGotBytes ? {} : { retryable: false }) });
      }
      try {
        await sleep(Math.min(250 * 2 ** (failures - 1), 5000), undefined, { signal });
      } catch {
        throw signal.reason;
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A part needs a 206 for exactly its range (a 200 only when it is the whole file). */
function checkRange(status: number, contentRange: string | undefined, part: Part, size: number, label: string, discard: () => void): void {
  if (status === 200 && part.next === 0 && part.end === size - 1) return;
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(contentRange ?? "");
  if (status === 206 && m && Number(m[1]) === part.next && m[3] !== "*" && Number(m[3]) !== size) {
    discard();
    throw new CortexError("HUB_INTEGRITY", `${label}: the server says the file has ${m[3]} bytes, the listing ${size}; the file changed on the Hub`);
  }
  if (status !== 206 || !m || Number(m[1]) !== part.next) {
    discard();
    throw new CortexError("HUB_UNAVAILABLE", `${label}: the server did not honour the byte range ${part.next}-${part.end} (status ${status}${contentRange ? `, ${contentRange}` : ""})`);
  }
}

