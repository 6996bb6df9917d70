import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { CortexError, toCortexError } from "../../errors/cortex-error.js";
import { MANIFEST_SCHEMA_VERSION, manifestSchema, type Manifest, type ManifestInput } from "./manifest-schema.js";

const SUFFIX = ".manifest.json";
/** Folder mtimes are coarse: a listing cached within this window of the last change is re-validated next time. */
const RACY_MS = 2000;

/** `$CORTEX_HOME/manifests/<id>.manifest.json` */
export function manifestPath(dir: string, id: string): string {
  return path.join(dir, `${id}${SUFFIX}`);
}

/**
 * Validate and write a manifest atomically: a temporary file in the same folder, fsync, rename. Readers never
 * see half a manifest; the folder's mtime changes, which is how the store's cache notices.
 * @throws CortexError REQ_INVALID_ARGUMENT naming the field when the manifest does not match the schema.
 */
export async function writeManifest(dir: string, manifest: ManifestInput): Promise<Manifest> {
  const parsed = manifestSchema.safeParse(manifest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CortexError("REQ_INVALID_ARGUMENT", `manifest ${String((manifest as { id?: unknown }).id)}: ${issue.path.join(".") || "(root)"}: ${issue.message}`);
  }
  const m = parsed.data;
  await fs.mkdir(dir, { recursive: true });
  const file = manifestPath(dir, m.id);
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(4).toString("hex")}`;
  try {
    const fh = await fs.open(tmp, "w", 0o644);
    try {
      await fh.writeFile(`${JSON.stringify(m, null, 2)}\n`);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw toCortexError(err);
  }
  return m;
}

/** Outcome of reading one manifest file. */
export type ManifestRead = { ok: true; manifest: Manifest } | { ok: false; file: string; reason: string; newer: boolean };

/**
 * Parse one manifest file. A newer schemaVersion is reported as such (and must not be overwritten).
 */
export async function readManifestFile(file: string): Promise<ManifestRead> {
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(file, "utf8"));
  } catch (err) {
    return { ok: false, file, reason: `not valid JSON: ${(err as Error).message}`, newer: false };
  }
  const version = (raw as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === "number" && version > MANIFEST_SCHEMA_VERSION) {
    return { ok: false, file, reason: `schemaVersion ${version} is newer than this cortexd (${MANIFEST_SCHEMA_VERSION})`, newer: true };
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, file, reason: `${issue.path.join(".") || "(root)"}: ${issue.message}`, newer: false };
  }
  return { ok: true, manifest: parsed.data };
}

/**
 * The manifests folder, read through a cache: re-read only when the folder changed (every write is a rename
 * into it), and per file only when its mtime or size changed.
 */
export class ManifestStore {
  private cache: { dirMtime: number; takenAt: number; byId: Map<string, Manifest>; problems: ManifestRead[] } | undefined;
  private readonly files = new Map<string, { mtimeMs: number; size: number; read: ManifestRead }>();

  constructor(readonly dir: string) {}

  /** Every readable manifest by model id, plus the files that could not be read. */
  async all(): Promise<{ byId: Map<string, Manifest>; problems: ManifestRead[] }> {
    const st = await fs.stat(this.dir).catch(() => undefined);
    if (!st) return { byId: new Map(), problems: [] };
    const c = this.cache;
    if (c && c.dirMtime === st.mtimeMs && c.takenAt - st.mtimeMs > RACY_MS) return c;
    const takenAt = Date.now();
    const names = (await fs.readdir(this.dir)).filter((n) => n.endsWith(SUFFIX));
    const byId = new Map<string, Manifest>();
    const problems: ManifestRead[] = [];
    const live = new Set<string>();
    await Promise.all(
      names.map(async (n) => {
        const file = path.join(this.dir, n);
        live.add(file);
        const fst = await fs.stat(file).catch(() => undefined);
        if (!fst) return;
        let entry = this.files.get(file);
        if (!entry || entry.mtimeMs !== fst.mtimeMs || entry.size !== fst.size) {
          entry = { mtimeMs: fst.mtimeMs, size: fst.size, read: await readManifestFile(file) };
          this.files.set(file, entry);
        }
        if (entry.read.ok) byId.set(entry.read.manifest.id, entry.read.manifest);
        else problems.push(entry.read);
      }),
    );
    for (const f of this.files.keys()) if (!live.has(f)) this.files.delete(f);
    this.cache = { dirMtime: st.mtimeMs, takenAt, byId, problems };
    return this.cache;
  }

  async get(id: string): Promise<Manifest | undefined> {
    return (await this.all()).byId.get(id);
  }

  async write(m: ManifestInput): Promise<Manifest> {
    const written = await writeManifest(this.dir, m);
    this.cache = undefined;
    return written;
  }

  /**
   * Read-modify-write one manifest. `fn` gets the current manifest (undefined when none) and returns the new one.
   * A manifest written by a newer cortexd is never overwritten.
   */
  async update(id: string, fn: (current: Manifest | undefined) => ManifestInput): Promise<Manifest> {
    const file = manifestPath(this.dir, id);
    const current = await fs.access(file).then(() => readManifestFile(file), () => undefined);
    if (current && !current.ok && current.newer) throw new CortexError("REG_BROKEN", `${file}: ${current.reason}; not overwriting it`);
    return this.write(fn(current?.ok ? current.manifest : undefined));
  }

  async remove(id: string): Promise<boolean> {
    const file = manifestPath(this.dir, id);
    try {
      await fs.unlink(file);
      this.cache = undefined;
      return true;
    } catch {
      return false;
    }
  }
}
