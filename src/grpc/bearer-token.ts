import crypto from "node:crypto";
import fs from "node:fs";

/** The TCP bearer token: configured, or generated once into `file` with mode 0600. */
export function resolveToken(configured: string, file: string): string {
  if (configured) return configured;
  try {
    const existing = fs.readFileSync(file, "utf8").trim();
    if (existing) {
      fs.chmodSync(file, 0o600);
      return existing;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const token = crypto.randomBytes(32).toString("base64url");
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${token}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
  return token;
}

/** Constant-time comparison of a presented token with the expected one. */
export function tokenMatches(presented: string, expected: string): boolean {
  const a = crypto.createHash("sha256").update(presented).digest();
  const b = crypto.createHash("sha256").update(expected).digest();
  return crypto.timingSafeEqual(a, b) && presented.length === expected.length;
}
