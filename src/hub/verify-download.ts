import crypto from "node:crypto";
import fs from "node:fs";
import { CortexError } from "../errors/cortex-error.js";

export interface ExpectedContent {
  size: number;
  /** LFS files: sha256 of the content. */
  sha256?: string;
  /** Regular git files: sha1("blob <len>\0" + content). */
  gitSha1?: string;
}

/** The hash that checks `e`: sha256 (LFS) or git's blob sha1, which starts with a "blob <len>\0" header. */
export function hashSpec(e: ExpectedContent): { algorithm: "sha256" | "sha1"; header?: string } {
  return e.sha256 ? { algorithm: "sha256" } : { algorithm: "sha1", header: `blob ${e.size}\0` };
}

/**
 * Size, then sha256 (LFS) or git blob sha1 (regular files): `digest` when the file was hashed as it arrived
 * (see FrontierHasher), else read from disk here. A mismatch runs `onMismatch` (which deletes the partial file)
 * and throws HUB_INTEGRITY naming the file.
 */
export async function verifyDownload(file: string, e: ExpectedContent, label: string, digest: ((signal?: AbortSignal) => Promise<string>) | undefined, signal: AbortSignal | undefined, onMismatch: () => void): Promise<void> {
  const fail = (what: string) => {
    onMismatch();
    return new CortexError("HUB_INTEGRITY", `${label}: ${what}; the partial file was deleted`);
  };
  const size = fs.statSync(file).size;
  if (size !== e.size) throw fail(`size ${size} ≠ expected ${e.size}`);
  if (!e.sha256 && !e.gitSha1) return;
  const actual = digest ? await digest(signal) : await hashFromDisk(file, e, signal);
  const expected = e.sha256 ?? e.gitSha1!;
  if (actual !== expected) throw fail(`${e.sha256 ? "sha256" : "git sha1"} ${actual} ≠ expected ${expected}`);
}

async function hashFromDisk(file: string, e: ExpectedContent, signal: AbortSignal | undefined): Promise<string> {
  const { algorithm, header } = hashSpec(e);
  const hash = crypto.createHash(algorithm);
  if (header) hash.update(header);
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 * 1024 * 1024 })) {
    signal?.throwIfAborted();
    hash.update(chunk as Buffer);
  }
  return hash.digest("hex");
}
