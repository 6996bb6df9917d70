import type { Command } from "commander";
import type { DeleteHfCacheResponse__Output } from "../../grpc/generated/cortex/v1/DeleteHfCacheResponse.js";
import type { ScanHfCacheResponse__Output } from "../../grpc/generated/cortex/v1/ScanHfCacheResponse.js";
import { CliContext } from "../context.js";
import { table } from "../format.js";
import { hfSize, hfTimeSince } from "../model-format.js";

const MS = "cortex.v1.ModelService";

type Scan = ScanHfCacheResponse__Output;
type DeleteResponse = DeleteHfCacheResponse__Output;

/** The JSON `hf cache scan` users expect: huggingface_hub's field names. */
function pythonJson(s: Scan): object {
  return {
    cache_dir: s.cache_dir,
    size_on_disk: s.size_on_disk,
    repos: s.repos.map((r) => ({
      repo_id: r.repo_id,
      repo_type: r.repo_type,
      repo_path: r.path,
      size_on_disk: r.size_on_disk,
      nb_files: r.files,
      last_accessed: r.last_accessed,
      last_modified: r.last_modified,
      refs: r.refs,
      revisions: r.revisions.map((v) => ({ commit_hash: v.commit, refs: v.refs, size_on_disk: v.size_on_disk, nb_files: v.files, last_modified: v.last_modified, snapshot_path: v.snapshot_path, detached: v.detached })),
    })),
    incomplete_files: s.incomplete_files,
    warnings: s.warnings,
  };
}

function scanTable(s: Scan, verbose: boolean): string {
  const now = Date.now();
  if (!verbose) {
    return table(
      s.repos.map((r) => ({ id: r.repo_id, type: r.repo_type, size: hfSize(r.size_on_disk), files: r.files, acc: hfTimeSince(r.last_accessed, now), mod: hfTimeSince(r.last_modified, now), refs: [...r.refs].sort().join(", "), path: r.path })),
      [
        { key: "id", title: "REPO ID" },
        { key: "type", title: "REPO TYPE" },
        { key: "size", title: "SIZE ON DISK", align: "right" },
        { key: "files", title: "NB FILES", align: "right" },
        { key: "acc", title: "LAST_ACCESSED" },
        { key: "mod", title: "LAST_MODIFIED" },
        { key: "refs", title: "REFS" },
        { key: "path", title: "LOCAL PATH" },
      ],
    );
  }
  return table(
    s.repos.flatMap((r) => r.revisions.map((v) => ({ id: r.repo_id, type: r.repo_type, rev: v.commit, size: hfSize(v.size_on_disk), files: v.files, mod: hfTimeSince(v.last_modified, now), refs: v.detached ? "(detached)" : [...v.refs].sort().join(", "), path: v.snapshot_path }))),
    [
      { key: "id", title: "REPO ID" },
      { key: "type", title: "REPO TYPE" },
      { key: "rev", title: "REVISION" },
      { key: "size", title: "SIZE ON DISK", align: "right" },
      { key: "files", title: "NB FILES", align: "right" },
      { key: "mod", title: "LAST_MODIFIED" },
      { key: "refs", title: "REFS" },
      { key: "path", title: "LOCAL PATH" },
    ],
  );
}

function renderDelete(r: DeleteResponse): string {
  const out = r.dry_run
    ? [`dry run: would free ${hfSize(r.expected_freed_bytes)}`, ...r.planned_paths.map((p) => `  delete ${p}`)]
    : [`freed ${hfSize(r.freed_bytes)}`, ...r.deleted_paths.map((p) => `  deleted ${p}`)];
  for (const k of r.kept_blobs) out.push(`  kept ${k}`);
  for (const w of r.warnings) out.push(`warning: ${w}`);
  return out.join("\n");
}

/** `cortex hf-cache scan|delete|prune`: the shared HF cache, with huggingface_hub's rules. */
export function registerHfCache(program: Command): void {
  const hf = program.command("hf-cache").description("The shared Hugging Face cache, as `hf cache scan/delete` sees it");

  hf.command("scan")
    .description("Repos, revisions, refs, size on disk, files, last accessed/modified (like `hf cache scan`)")
    .option("-v, --verbose", "one row per revision; detached revisions marked")
    .action(async (opts: { verbose?: boolean }, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const s = await ctx.client.unary(MS, "ScanHfCache", {}, 120_000);
      ctx.print(pythonJson(s), () => {
        const lines = [scanTable(s, Boolean(opts.verbose)), "", `Done in the cache at ${s.cache_dir}. Scanned ${s.repos.length} repo(s) for a total of ${hfSize(s.size_on_disk)}.`];
        if (s.incomplete_files.length) lines.push(`${s.incomplete_files.length} incomplete file(s), ${hfSize(s.incomplete_files.reduce((a, f) => a + f.size, 0))} (downloads in progress or interrupted).`);
        if (s.warnings.length) lines.push(`Got ${s.warnings.length} warning(s) while scanning.`, ...s.warnings.map((w) => `  ${w}`));
        return lines.join("\n");
      });
    });

  hf.command("delete <targets...>")
    .description("Delete org/name (every revision) or org/name@<ref or commit>; blobs other revisions use are kept")
    .option("--dry-run", "show what would be deleted")
    .action(async (targets: string[], opts: { dryRun?: boolean }, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const r = await ctx.client.unary(MS, "DeleteHfCache", { targets, dry_run: Boolean(opts.dryRun) }, 600_000);
      ctx.print(r, () => renderDelete(r));
    });

  hf.command("prune")
    .description("Delete detached revisions (no ref points to them) and stale .incomplete files")
    .option("--dry-run", "show what would be deleted")
    .action(async (opts: { dryRun?: boolean }, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const r = await ctx.client.unary(MS, "DeleteHfCache", { targets: [], prune: true, dry_run: Boolean(opts.dryRun) }, 600_000);
      ctx.print(r, () => renderDelete(r));
    });
}
