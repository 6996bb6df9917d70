import crypto from "node:crypto";
import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { CortexError, isCortexError } from "../errors/cortex-error.js";

export interface BlobDownloadOptions {
  /** The /resolve/ URL; redirects are followed by `fetch`. */
  url: string;
  fetch: typeof fetch;
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
        fetchPart(o, part, fh, (n) => {
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
  await verify(incomplete, o);
  fs.renameSync(incomplete, o.dest);
  fs.rmSync(sidecarPath, { force: true });
  return { bytesFetched: fetched };
}

async function fetchPart(o: BlobDownloadOptions, part: PartState, fh: fs.promises.FileHandle, onBytes: (n: number) => void): Promise<void> {
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
      const res = await o.fetch(o.url, { headers: { range: `bytes=${part.next}-${part.end}` }, signal });
      if (res.status !== 206 && !(res.status === 200 && part.next === 0 && part.end === o.size - 1)) {
        await res.body?.cancel();
        throw new CortexError("HUB_UNAVAILABLE", `${o.label}: the server ignored the byte range (status ${res.status})`);
      }
      const reader = res.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bump();
        const room = part.end + 1 - part.next;
        const chunk = value.byteLength > room ? value.subarray(0, room) : value;
        if (chunk.byteLength > 0) {
          await fh.write(chunk, 0, chunk.byteLength, part.next);
          part.next += chunk.byteLength;
          failures = 0; // progress resets the retry budget (as huggingface_hub does)
          onBytes(chunk.byteLength);
        }
        if (part.next > part.end) {
          await reader.cancel().catch(() => undefined);
          break;
        }
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
async function verify(file: string, o: BlobDownloadOptions): Promise<void> {
  const size = fs.statSync(file).size;
  const fail = (what: string) => {
    fs.rmSync(file, { force: true });
    fs.rmSync(`${file}.parts.json`, { force: true });
    return new CortexError("HUB_INTEGRITY", `${o.label}: ${what}; the partial file was deleted`);
  };
  if (size !== o.size) throw fail(`size ${size} ≠ expected ${o.size}`);
  if (!o.sha256 && !o.gitSha1) return;
  const hash = crypto.createHash(o.sha256 ? "sha256" : "sha1");
  if (!o.sha256) hash.update(`blob ${o.size}\0`);
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 * 1024 * 1024 })) {
    o.signal?.throwIfAborted();
    hash.update(chunk as Buffer);
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
