import type { Job__Output } from "../grpc/generated/cortex/v1/Job.js";
import { formatBytes, formatDuration } from "./format.js";

/** The Job message as the CLI receives it: the generated output type (all 17 fields). */
export type JobView = Job__Output;

export const shortState = (s: string) => s.replace("JOB_STATE_", "").toLowerCase();
export const shortType = (s: string) => s.replace("JOB_TYPE_", "").toLowerCase();

/** Sizes in binary units, counts and rates rounded for humans (JSON keeps the raw numbers). */
export function amount(n: number | undefined, unit: string | undefined): string {
  if (n === undefined) return "";
  if (unit === "bytes") return formatBytes(n);
  return Number.isInteger(n) ? `${n}` : n >= 100 ? n.toFixed(0) : n.toFixed(1);
}

export function progressText(j: JobView): string {
  const p = j.progress;
  if (!p) return "";
  const pct = p.total ? ` ${((100 * (p.done ?? 0)) / p.total).toFixed(0)}%` : "";
  const of = p.total ? `${amount(p.done, p.unit)}/${amount(p.total, p.unit)}` : amount(p.done, p.unit);
  const rate = p.rate_per_second ? ` ${amount(p.rate_per_second, p.unit)}/s` : "";
  const eta = p.eta_seconds ? ` eta ${formatDuration(p.eta_seconds)}` : "";
  return `${p.phase ?? ""}${pct} ${of}${rate}${eta}`.trim();
}

export function jobLine(j: JobView): string {
  const err = j.error_code ? ` ${j.error_code}: ${j.error_message}` : "";
  return `${j.id} ${shortType(j.type)} ${j.model} ${shortState(j.state)} ${progressText(j)}${err}`.replace(/\s+/g, " ").trim();
}
