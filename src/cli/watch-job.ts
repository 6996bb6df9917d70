import type { SingleBar } from "cli-progress";
import type { CortexClient } from "./client.js";
import { ERROR_CODES, isErrorCode } from "../errors/codes.js";
import { CliError } from "./client.js";
import { amount, jobLine, shortState, type JobView } from "./job-format.js";
import { formatDuration } from "./format.js";

/**
 * Follows a job over WatchJob: live bars on a terminal (total + current item), plain lines otherwise, JSON
 * lines with --json. Resolves the final job. Ctrl-C detaches (the job goes on) unless cancelOnExit.
 */
export async function watchJob(client: CortexClient, jobId: string, opts: { json: boolean; cancelOnExit?: boolean }): Promise<JobView> {
  const tty = process.stderr.isTTY && !opts.json;
  // Bars only on a terminal, so the library loads only there.
  const { MultiBar, Presets } = tty ? await import("cli-progress") : { MultiBar: undefined, Presets: undefined };
  const multi = MultiBar && Presets ? new MultiBar({ clearOnComplete: false, hideCursor: true, format: " {label} |{bar}| {percentage}% {value_h}/{total_h} {rate} {eta_h}" }, Presets.shades_classic) : undefined;
  let total: SingleBar | undefined;
  let current: SingleBar | undefined;
  let currentItem = "";
  let last: JobView | undefined;
  const stream = client.stream("cortex.v1.JobService", "WatchJob", { job_id: jobId });
  let detached = false;
  const onSigint = async () => {
    if (opts.cancelOnExit) {
      await client.unary("cortex.v1.JobService", "CancelJob", { job_id: jobId, reason: "cancelled from the CLI (Ctrl-C)" }).catch(() => undefined);
    } else {
      detached = true;
      process.stderr.write(`\ndetached; job ${jobId} goes on. Follow it with: cortex jobs watch ${jobId}\n`);
    }
    stream.cancel();
  };
  process.once("SIGINT", onSigint);
  const fmt = (j: JobView) => ({
    value_h: amount(j.progress?.done, j.progress?.unit),
    total_h: amount(j.progress?.total, j.progress?.unit),
    rate: j.progress?.rate_per_second ? `${amount(j.progress.rate_per_second, j.progress.unit)}/s` : "",
    eta_h: j.progress?.eta_seconds ? `eta ${formatDuration(j.progress.eta_seconds)}` : "",
  });
  try {
    await new Promise<void>((resolve, reject) => {
      stream.on("data", ({ job }: { job: JobView }) => {
        last = job;
        if (opts.json) process.stdout.write(`${JSON.stringify(job)}\n`);
        else if (multi && job.progress?.total) {
          total ??= multi.create(job.progress.total, 0, { label: "total".padEnd(24) });
          total.setTotal(job.progress.total);
          total.update(job.progress.done ?? 0, { label: (job.progress.phase ?? "total").padEnd(24).slice(0, 24), ...fmt(job) });
          const item = job.progress.current_item ?? "";
          if (item && item !== currentItem) {
            current?.stop();
            current = multi.create(1, 0, { label: item.padEnd(24).slice(0, 24) });
            currentItem = item;
          }
          const p = job.progress as { current_done?: number; current_total?: number };
          if (current && p.current_total) {
            current.setTotal(p.current_total);
            current.update(p.current_done ?? 0, { label: currentItem.padEnd(24).slice(0, 24), value_h: amount(p.current_done, job.progress.unit), total_h: amount(p.current_total, job.progress.unit), rate: "", eta_h: "" });
          }
        } else if (!multi) process.stderr.write(`${jobLine(job)}\n`);
      });
      stream.on("end", () => resolve());
      stream.on("error", (err: Error & { code?: number }) => (detached || err.code === 1 ? resolve() : reject(client.explain(err as never))));
    });
  } finally {
    multi?.stop();
    process.off("SIGINT", onSigint);
  }
  if (!last) throw new CliError(`no events for job ${jobId}`);
  if (!opts.json && !detached) process.stderr.write(`${jobLine(last)}\n`);
  if (!detached && shortState(last.state) !== "completed") {
    const code = last.error_code && isErrorCode(last.error_code) ? last.error_code : undefined;
    throw new CliError(`job ${jobId} ${shortState(last.state)}${last.error_code ? `: ${last.error_code}: ${last.error_message}` : ""}`, 1, undefined, code ?? "JOB_FAILED", code ? ERROR_CODES[code].status : "UNKNOWN");
  }
  return last;
}
