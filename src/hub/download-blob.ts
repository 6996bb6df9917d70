import crypto from "node:crypto";
import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { CortexError, isCortexError } from "../errors/cortex-error.js";
import { rangeGet } from "./range-get.js";

export interface BlobDownloadOptions {
  /** The /resolve/ URL; redirects are followed by hand. */
  url: string;
  hubUrl: string;
  token?: string;
  repo: string;
  /** Final path, blobs/<etag>; the partial file is <dest>.incomplete (huggingface_hub's name). */
  dest: string;
  size: number;
  /** LFS files: sha256 of the content (their oid). */
  sha256?: string;
  /** Regular git files: sha1("blob <len>\0" + content). */
  gitSha1?: string;
  parts: number;
  minPartBytes?: number;
  stallMs?: number;
  maxPartRetries?: number;
  signal?: AbortSignal;
  onBytes?: (delta: number) => void;
  label: string;
}

interface PartState {
  start: number;
  next: number;
  end: number; // inclusive
}

interface Sidecar {
  size: number;
  parts: PartState[];
}

/** Bounds what a kill -9 loses to rate × 100 ms (well under one part even at GB/s). */
const SAVE_EVERY_MS = 100;

/**
 * Downloads one blob in parallel ranged parts, straight to disk. Progress of every part is saved beside the
 * partial file every 100 ms, so after a crash or kill -9 a restart re-fetches only what arrived since
 * the last save. The blob appears under its final name only after its size and hash check out.
 */
export async function downloadBlob(o: BlobDownloadOptions): Promise<{ bytesFetched: number }> {
  const incomplete = `${o.dest}.incomplete`;
  const sidecarPath = `${incomplete}.parts.json`;
  let state = loadSidecar(sidecarPath, incomplete, o.size);
  if (!state) {
    const minPart = o.minPartBytes ?? 8 * 1024 * 1024;
    const count = Math.max(1, Math.min(o.parts, Math.ceil(o.size / minPart)));
    const partSize = Math.ceil(o.size / count);
    const parts: PartState[] = [];
    for (let start = 0; start < o.size; start += partSize) parts.push({ start, next: start, end: Math.min(o.size, start + partSize) - 1 });
    state = { size: o.size, parts };
    fs.writeFileSync(incomplete, "");
    fs.truncateSync(incomplete, o.size);
  }
  const fh = await fs.promises.open(incomplete, "r+");
  // Hash the file's contiguous prefix while it streams in (part 0 arrives in order), so verification only
  // has to read back what other parts wrote. A resumed download hashes from disk instead.
  const prefix = o.sha256 || o.gitSha1 ? { hash: newHash(o), upTo: 0 } : undefined;
  if (prefix && state.parts[0]!.next !== 0) prefix.upTo = -1;
  let fetched = 0;
  let lastSave = 0;
  const save = (force = false) => {
    if (!force && Date.now() - lastSave < SAVE_EVERY_MS) return;
    lastSave = Date.now();
    fs.writeFileSync(`${sidecarPath}.tmp`, JSON.stringify(state));
    fs.renameSync(`${sidecarPath}.tmp`, sidecarPath);
  };
  save(true);
  try {
    await Promise.all(
      state.parts.map((part) =>
        fetchPart(o, part, fh, prefix, (n) => {
          fetched += n;
          o.onBytes?.(n);
          save();
        }),
      ),
    );
  } finally {
    save(true); // also on abort: a graceful stop keeps every byte that arrived
    await fh.close();
  }
  await verify(incomplete, o, prefix && prefix.upTo >= 0 ? prefix : undefined);
  fs.renameSync(incomplete, o.dest);
  fs.rmSync(sidecarPath, { force: true });
  return { bytesFetched: fetched };
}

interface PrefixHash {
  hash: crypto.Hash;
  /** Bytes hashed so far; -1 once the prefix can no longer be followed (a retry re-sent bytes). */
  upTo: number;
}

function newHash(o: BlobDownloadOptions): crypto.Hash {
  const hash = crypto.createHash(o.sha256 ? "sha256" : "sha1");
  if (!o.sha256) hash.update(`blob ${o.size}\0`);
  return hash;
}

async function fetchPart(o: BlobDownloadOptions, part: PartState, fh: fs.promises.FileHandle, prefix: PrefixHash | undefined, onBytes: (n: number) => void): Promise<void> {
  let failures = 0;
  while (part.next <= part.end) {
    o.signal?.throwIfAborted();
    const stall = new AbortController();
    const signal = o.signal ? AbortSignal.any([o.signal, stall.signal]) : stall.signal;
    let timer = setTimeout(() => stall.abort(new Error("stalled")), o.stallMs ?? 30_000);
    const bump = () => {
      clearTimeout(timer);
      timer = setTimeout(() => stall.abort(new Error("stalled")), o.stallMs ?? 30_000);
    };
    try {
      const res = await rangeGet({ url: o.url, range: `bytes=${part.next}-${part.end}`, hubUrl: o.hubUrl, repo: o.repo, signal, ...(o.token ? { token: o.token } : {}) });
      if (res.statusCode !== 206 && !(res.statusCode === 200 && part.next === 0 && part.end === o.size - 1)) {
        res.resume();
        throw new CortexError("HUB_UNAVAILABLE", `${o.label}: the server ignored the byte range (status ${res.statusCode})`);
      }
      // Coalesce the socket's small chunks into ~1 MiB vectored writes: far fewer syscalls, no extra copy, and
      // little held in memory that a kill -9 could lose.
      let batch: Buffer[] = [];
      let batchBytes = 0;
      const flush = async () => {
        if (batchBytes === 0) return;
        if (prefix && prefix.upTo === part.next) {
          for (const b of batch) prefix.hash.update(b);
          prefix.upTo += batchBytes;
        }
        await fh.writev(batch, part.next);
        part.next += batchBytes;
        failures = 0; // progress resets the retry budget (as huggingface_hub does)
        onBytes(batchBytes);
        [batch, batchBytes] = [[], 0];
      };
      try {
        for await (const value of res as AsyncIterable<Buffer>) {
          bump();
          const room = part.end + 1 - (part.next + batchBytes);
          const chunk = value.byteLength > room ? value.subarray(0, room) : value;
          if (chunk.byteLength > 0) {
            batch.push(chunk);
            batchBytes += chunk.byteLength;
          }
          if (batchBytes >= 1024 * 1024) await flush();
          if (part.next + batchBytes > part.end) {
            res.destroy();
            break;
          }
        }
      } finally {
        await flush(); // keep what arrived, also when the connection broke
      }
      if (part.next <= part.end) throw new CortexError("HUB_UNAVAILABLE", `${o.label}: connection closed early`);
    } catch (err) {
      if (o.signal?.aborted) throw o.signal.reason ?? err;
      const retryable = !isCortexError(err) || err.retryable;
      if (!retryable || ++failures > (o.maxPartRetries ?? 5)) {
        throw isCortexError(err) ? err : new CortexError("HUB_UNAVAILABLE", `${o.label}: ${stall.signal.aborted ? "stalled" : (err as Error).message}`);
      }
      await sleep(Math.min(200 * 2 ** failures, 5000), undefined, o.signal ? { signal: o.signal } : undefined);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Size, then sha256 (LFS) or git sha1 (regular files); a mismatch deletes the partial file. */
async function verify(file: string, o: BlobDownloadOptions, prefix: PrefixHash | undefined): Promise<void> {
  const size = fs.statSync(file).size;
  const fail = (what: string) => {
    fs.rmSync(file, { force: true });
    fs.rmSync(`${file}.parts.json`, { force: true });
    return new CortexError("HUB_INTEGRITY", `${o.label}: ${what}; the partial file was deleted`);
  };
  if (size !== o.size) throw fail(`size ${size} ≠ expected ${o.size}`);
  if (!o.sha256 && !o.gitSha1) return;
  const hash = prefix?.hash ?? newHash(o);
  const start = prefix?.upTo ?? 0;
  if (start < o.size) {
    for await (const chunk of fs.createReadStream(file, { start, highWaterMark: 4 * 1024 * 1024 })) {
      o.signal?.throwIfAborted();
      hash.update(chunk as Buffer);
    }
  }
  const digest = hash.digest("hex");
  const expected = o.sha256 ?? o.gitSha1!;
  if (digest !== expected) throw fail(`${o.sha256 ? "sha256" : "git sha1"} ${digest} ≠ expected ${expected}`);
}

function loadSidecar(sidecarPath: string, incomplete: string, size: number): Sidecar | undefined {
  try {
    const s = JSON.parse(fs.readFileSync(sidecarPath, "utf8")) as Sidecar;
    const ok = s.size === size && fs.statSync(incomplete).size === size && Array.isArray(s.parts) && s.parts.every((p) => p.start <= p.next && p.next <= p.end + 1);
    return ok ? s : undefined;
  } catch {
    return undefined;
  }
}
