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

/** A hash of a file's first `upTo` bytes, fed while they stream in. */
export interface PrefixHash {
  hash: crypto.Hash;
  /** Bytes hashed so far; -1 when the prefix is not followed (resumed download). */
  upTo: number;
}

export function newHash(e: ExpectedContent): crypto.Hash {
  const hash = crypto.createHash(e.sha256 ? "sha256" : "sha1");
  if (!e.sha256) hash.update(`blob ${e.size}\0`);
  return hash;
}

/**
 * Size, then sha256 (LFS) or git blob sha1 (regular files), reading only what `prefix` has not hashed yet.
 * A mismatch runs `onMismatch` (which deletes the partial file) and throws HUB_INTEGRITY naming the file.
 */
export async function verifyDownload(file: string, e: ExpectedContent, label: string, prefix: PrefixHash | undefined, signal: AbortSignal | undefined, onMismatch: () => void): Promise<void> {
  const fail = (what: string) => {
    onMismatch();
    return new CortexError("HUB_INTEGRITY", `${label}: ${what}; the partial file was deleted`);
  };
  const size = fs.statSync(file).size;
  if (size !== e.size) throw fail(`size ${size} ≠ expected ${e.size}`);
  if (!e.sha256 && !e.gitSha1) return;
  const hash = prefix?.hash ?? newHash(e);
  const start = prefix?.upTo ?? 0;
  if (start < e.size) {
    for await (const chunk of fs.createReadStream(file, { start, highWaterMark: 4 * 1024 * 1024 })) {
      signal?.throwIfAborted();
      hash.update(chunk as Buffer);
    }
  }
  const digest = hash.digest("hex");
  const expected = e.sha256 ?? e.gitSha1!;
  if (digest !== expected) throw fail(`${e.sha256 ? "sha256" : "git sha1"} ${digest} ≠ expected ${expected}`);
}
