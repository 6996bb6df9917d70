import crypto from "node:crypto";
import fs from "node:fs";

/** sha256 of a file, streamed (4 MiB reads), checking the signal between reads. */
export async function sha256File(file: string, signal?: AbortSignal): Promise<string> {
  const hash = crypto.createHash("sha256");
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 * 1024 * 1024 })) {
    signal?.throwIfAborted();
    hash.update(chunk as Buffer);
  }
  return hash.digest("hex");
}

/**
 * Whether `b` holds exactly the bytes of `a`: sizes first, then sha256. A missing `b` is false. `aSha`, when
 * given, is `a`'s hash, computed once by a caller comparing `a` with several files.
 */
export async function sameFileBytes(a: string, b: string, aSha: () => Promise<string> = () => sha256File(a)): Promise<boolean> {
  const [sa, sb] = await Promise.all([fs.promises.stat(a), fs.promises.stat(b).catch(() => undefined)]);
  if (!sb || sa.size !== sb.size) return false;
  return (await aSha()) === (await sha256File(b));
}
