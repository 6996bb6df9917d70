import fs from "node:fs";
import path from "node:path";
import { VERSION } from "../version.js";

export interface ModelCardInput {
  /** The published repo (its name titles the card). */
  repo: string;
  /** Where the weights came from: a Hub repo and the commit it resolved to, or a path on a shared root. */
  sourceRepo?: string;
  sourceRevision?: string;
  sourcePath?: string;
  /** What was done: format, type, bits… (the job's parameters). */
  recipe: Record<string, unknown>;
  /** Each file published with its size and sha256. */
  files: { path: string; bytes: number; sha256: string }[];
  jobId: string;
}

/**
 * README.md for a published model, as the mlx-community and GGUF quantizers' cards are: front matter the Hub reads
 * (base_model links the source, tags and library name say the format), then the source and revision, the recipe,
 * the tool versions and a sha256 per file, so anyone can check or reproduce what was published.
 */
export function modelCard(c: ModelCardInput): string {
  const format = c.recipe.target === "mlx" ? "mlx" : "gguf";
  const front = ["---", ...(c.sourceRepo ? [`base_model: ${c.sourceRepo}`] : []), `library_name: ${format}`, "tags:", `- ${format}`, "- cortexd", "---", ""];
  const source = c.sourceRepo
    ? `[${c.sourceRepo}](https://huggingface.co/${c.sourceRepo}) at revision \`${c.sourceRevision ?? "main"}\``
    : `\`${c.sourcePath ?? "?"}\``;
  const rows = c.files.map((f) => `| ${f.path} | ${f.bytes} | \`${f.sha256}\` |`);
  return [
    ...front,
    `# ${c.repo.split("/").pop()}`,
    "",
    `${format.toUpperCase()} weights made by cortexd from ${source} (job \`${c.jobId}\`).`,
    "",
    "## Recipe",
    "",
    "```json",
    JSON.stringify(c.recipe, null, 2),
    "```",
    "",
    "## Tool versions",
    "",
    `- cortexd ${VERSION}`,
    `- node ${process.version}`,
    "",
    "## Files",
    "",
    "| file | bytes | sha256 |",
    "|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}

export function writeModelCard(folder: string, c: ModelCardInput): void {
  fs.writeFileSync(path.join(folder, "README.md"), modelCard(c));
}
