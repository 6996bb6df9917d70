import { formatBytes, formatDuration } from "./format.js";

/** The Job message as the CLI receives it. */
export interface JobView {
  id: string;
  type: string;
  state: string;
  queue: string;
  model: string;
  progress: { phase?: string; done?: number; total?: number; unit?: string; rate_per_second?: number; eta_seconds?: number; message?: string; current_item?: string } | null;
  attempts_made: number;
  max_attempts: number;
  created_at: string;
  finished_at: string;
  error_code: string;
  error_message: string;
  result_json: string;
}

export const shortState = (s: string) => s.replace("JOB_STATE_", "").toLowerCase();
export const shortType = (s: string) => s.replace("JOB_TYPE_", "").toLowerCase();

export function amount(n: number | undefined, unit: string | undefined): string {
  if (n === undefined) return "";
  return unit === "bytes" ? formatBytes(n) : `${n}`;
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
