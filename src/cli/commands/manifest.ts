import type { Command } from "commander";
import type { ManifestSummary__Output } from "../../grpc/generated/cortex/v1/ManifestSummary.js";
import { CliContext } from "../context.js";
import { formatBytes, table } from "../format.js";

const MS = "cortex.v1.ModelService";

type Summary = ManifestSummary__Output;

function summaryTable(rows: readonly Summary[]): string {
  return table(
    rows.map((m) => ({
      id: m.model_id,
      name: m.name,
      quant: m.quantization.replace(/^QUANTIZATION_/, "").replace("UNSPECIFIED", "-"),
      files: m.files,
      size: formatBytes(m.size_bytes),
      source: m.source_repo ? `${m.source_repo}${m.source_revision ? `@${m.source_revision.slice(0, 8)}` : ""}` : "",
      tags: m.tags.join(","),
      updated: m.updated_at.replace("T", " ").slice(0, 19),
      state: m.orphan ? "ORPHAN" : "",
    })),
    [
      { key: "id", title: "ID" },
      { key: "name", title: "NAME" },
      { key: "quant", title: "QUANT" },
      { key: "files", title: "FILES", align: "right" },
      { key: "size", title: "SIZE", align: "right" },
      { key: "source", title: "SOURCE" },
      { key: "tags", title: "TAGS" },
      { key: "updated", title: "UPDATED" },
      { key: "state", title: "STATE" },
    ],
  );
}

/** `cortex manifest sync|show`: one JSON manifest per model under $CORTEX_HOME/manifests. */
export function registerManifest(program: Command): void {
  const manifest = program.command("manifest").description("Model manifests: provenance, file hashes, conversions, tags (sync, show)");

  manifest
    .command("sync")
    .description("Write or refresh manifests, hashing files (reuses hashes of unchanged files)")
    .option("--models <model...>", "only these models (id, name or path)")
    .option("--fast", "skip hashing large weight files")
    .option("--prune", "delete manifests whose model is gone")
    .action(async (opts: { models?: string[]; fast?: boolean; prune?: boolean }, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const r = await ctx.client.unary(MS, "SyncManifests", { model_ids: opts.models ?? [], fast: Boolean(opts.fast), prune_orphans: Boolean(opts.prune) }, 3_600_000);
      ctx.print(r, () =>
        [
          r.written.length ? summaryTable(r.written) : "no models",
          "",
          `${r.written.length} manifest(s) written${r.orphans.length ? `; ${r.orphans.length} orphan(s) ${opts.prune ? "deleted" : "(model gone; --prune deletes them)"}: ${r.orphans.map((o) => `${o.model_id} ${o.name}`).join(", ")}` : ""}`,
          ...r.warnings.map((w) => `warning: ${w}`),
        ].join("\n"),
      );
    });

  manifest
    .command("show [models...]")
    .description("List manifests, or print the manifests of the models named")
    .action(async (models: string[], _opts, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      const r = await ctx.client.unary(MS, "ListManifests", { model_ids: models ?? [] }, 60_000);
      if (models?.length) {
        const docs = r.manifests.map((m) => JSON.parse(m.manifest_json) as unknown);
        process.stdout.write(`${JSON.stringify(docs.length === 1 ? docs[0] : docs, null, 2)}\n`);
        return;
      }
      ctx.print(r, () => (r.manifests.length ? summaryTable(r.manifests) : "no manifests; `cortex manifest sync` writes them"));
    });
}
