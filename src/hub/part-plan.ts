import fs from "node:fs";

/** One ranged part of a file being downloaded. */
export interface Part {
  start: number;
  /** First byte not yet on disk. */
  next: number;
  /** Inclusive. */
  end: number;
}

/** What the parts sidecar (JSON beside the partial file) records. */
export interface Sidecar {
  size: number;
  parts: Part[];
}

/**
 * Equal parts covering the file in order: `count` of them (one per connection), none below `minPart` (small files
 * get fewer), none above `maxPart` (big files get more, taken in file order by the connections as a sliding
 * window, so the contiguous prefix — what the hash can follow — grows all the time; the last may be shorter).
 */
export function planParts(size: number, count: number, minPart: number, maxPart = Infinity): Part[] {
  const byCount = Math.max(1, Math.min(Math.floor(count), Math.ceil(size / Math.max(1, minPart))));
  const n = Math.max(byCount, Math.ceil(size / Math.max(1, maxPart)));
  const partSize = Math.ceil(size / n);
  const parts: Part[] = [];
  for (let start = 0; start < size; start += partSize) parts.push({ start, next: start, end: Math.min(size, start + partSize) - 1 });
  return parts;
}

/** The sidecar of an earlier run, if it describes this partial file; else undefined (start over). */
export function loadSidecar(sidecarPath: string, partial: string, size: number): Sidecar | undefined {
  try {
    const s = JSON.parse(fs.readFileSync(sidecarPath, "utf8")) as Sidecar;
    if (s.size !== size || fs.statSync(partial).size !== size || !Array.isArray(s.parts)) return undefined;
    let expectStart = 0;
    for (const p of s.parts) {
      const ints = [p.start, p.next, p.end].every((v) => Number.isSafeInteger(v));
      if (!ints || p.start !== expectStart || p.next < p.start || p.next > p.end + 1 || p.end < p.start) return undefined;
      expectStart = p.end + 1;
    }
    return expectStart === size ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Written to a temp file and renamed, so a crash leaves the old or the new record, never half of one. */
export function saveSidecar(sidecarPath: string, state: Sidecar): void {
  const tmp = `${sidecarPath}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, JSON.stringify(state));
    fs.renameSync(tmp, sidecarPath);
  } catch (err) {
    fs.rmSync(tmp, { force: true }); // a full disk leaves a truncated temp file otherwise
    throw err;
  }
}
