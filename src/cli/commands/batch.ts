import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import type { SubmitBatchRequest } from "../../grpc/generated/cortex/v1/SubmitBatchRequest.js";
import { CliError, EXIT_USAGE } from "../client.js";
import { CliContext } from "../context.js";
import { table } from "../format.js";
import { jobLine, shortState, shortType, type JobView } from "../job-format.js";

interface BatchOptions {
  models?: string;
  types?: string[];
  flow?: string[];
  file?: string;
  wait?: boolean;
}

const FINAL = new Set(["completed", "failed", "cancelled"]);

function splitRef(ref: string): { repo: string; revision: string } {
  const at = ref.lastIndexOf("@");
  return at > 0 ? { repo: ref.slice(0, at), revision: ref.slice(at + 1) } : { repo: ref, revision: "" };
}

/** The SubmitBatchRequest the flags (and --file, a SubmitBatchRequest in JSON) describe. */
function batchRequest(opts: BatchOptions): SubmitBatchRequest {
  let req: SubmitBatchRequest = {};
  if (opts.file) {
    try {
      // Checked against the contract when sent: an unknown enum value fails naming its field.
      req = JSON.parse(fs.readFileSync(opts.file, "utf8")) as SubmitBatchRequest;
    } catch (err) {
      throw new CliError(`--file ${opts.file}: ${(err as Error).message}`, EXIT_USAGE);
    }
  }
  const types = opts.types ?? [];
  if (opts.models) req = { ...req, all_models_glob: opts.models, all_models_types: types };
  if (opts.flow?.length) {
    const flows = opts.flow.map((ref) => ({ pull: splitRef(ref), quantize_types: types }));
    req = { ...req, flows: [...(req.flows ?? []), ...flows] };
  }
  if (!opts.file && !opts.models && !opts.flow?.length) throw new CliError("nothing to submit: give --models GLOB --types T…, --flow org/name[@rev] --types T…, or --file batch.json", EXIT_USAGE);
  return req;
}

/** `cortex batch`: many conversions/quantizations at once, or pull→convert→quantize flows. */
export function registerBatch(program: Command): void {
  program
    .command("batch")
    .description("Submit many jobs at once: every matching model to some quantization types, or pull→convert→quantize flows")
    .option("--models <glob>", 'every listed model whose id or name matches (e.g. "*" or "llama*"): SafeTensors converted, full-precision GGUFs quantized')
    .option("--types <type...>", "quantization types to produce (e.g. Q4_K_M Q8_0)")
    .option("--flow <repo...>", "pull org/name[@rev] from the Hub, convert it and quantize it to --types, as one parent job")
    .option("--file <path>", "a SubmitBatchRequest in JSON (proto field names)")
    .option("--wait", "wait until every job ends; exit non-zero if one failed")
    .action(async (opts: BatchOptions, cmd: Command) => {
      const ctx = CliContext.from(cmd);
      await submitBatch(ctx, batchRequest(opts), Boolean(opts.wait));
    });
}

/** Submit a batch; print its jobs, or (wait) each job's line as it ends. Exits non-zero when one failed. */
export async function submitBatch(ctx: CliContext, req: SubmitBatchRequest, wait: boolean): Promise<void> {
  const opts = { wait };
  const res = await ctx.client.unary("cortex.v1.JobService", "SubmitBatch", req);
  if (!opts.wait || ctx.json) {
    ctx.print(res, () =>
      [
        table(res.jobs.map((h) => ({ id: h.job_id, type: shortType(h.job?.type ?? ""), model: h.job?.model ?? "", state: shortState(h.job?.state ?? ""), joined: h.deduplicated ? "joined" : "" })), [
          { key: "id", title: "ID" },
          { key: "type", title: "TYPE" },
          { key: "model", title: "MODEL" },
          { key: "state", title: "STATE" },
          { key: "joined", title: "" },
        ]),
        ...res.skipped.map((s) => `skipped ${s}`),
      ].join("\n"),
    );
    if (!opts.wait) return;
  }
  for (const s of res.skipped) if (!ctx.json) process.stderr.write(`skipped ${s}\n`);
  const pending = new Set(res.jobs.map((h) => h.job_id));
  const failed: JobView[] = [];
  while (pending.size) {
    for (const id of [...pending]) {
      const job = await ctx.client.unary("cortex.v1.JobService", "GetJob", { job_id: id });
      if (!FINAL.has(shortState(job.state))) continue;
      pending.delete(id);
      if (shortState(job.state) !== "completed") failed.push(job);
      if (ctx.json) process.stdout.write(`${JSON.stringify(job)}\n`);
      else process.stdout.write(`${jobLine(job)}\n`);
    }
    if (pending.size) await sleep(500);
  }
  if (failed.length) throw new CliError(`${failed.length} of ${res.jobs.length} jobs did not complete: ${failed.map((j) => `${j.id} ${j.error_code || shortState(j.state)}`).join(", ")}`, 1);
}
