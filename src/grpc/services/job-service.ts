import type * as grpc from "@grpc/grpc-js";
import { CortexError } from "../../errors/cortex-error.js";
import type { JobManager } from "../../jobs/job-manager.js";
import type { JobMessage } from "../../jobs/job-view.js";
import { requireString, serverStream, unary } from "../handlers.js";
import type { StreamRegistry } from "../stream-registry.js";

interface PullRequest {
  repo: string;
  revision: string;
  include: string[];
  exclude: string[];
}

const REPO_RE = /^[A-Za-z0-9][\w.-]{0,95}\/[A-Za-z0-9][\w.-]{0,95}$/;

/** "org/name" with the Hub's allowed characters; datasets and spaces are refused (models only). */
export function validateRepo(repo: string): string {
  const r = repo.trim();
  if (/^(datasets|spaces)\//.test(r)) throw new CortexError("REQ_INVALID_ARGUMENT", `repo "${repo}": only model repos can be pulled`);
  if (!REPO_RE.test(r) || r.includes("..")) throw new CortexError("REQ_INVALID_ARGUMENT", `repo "${repo}" is not a Hugging Face repo id (expected "org/name")`);
  return r;
}

function validateRevision(rev: string): string {
  if (rev === "") return "main";
  if (rev.length > 255 || /[\s\\]|\.\.|^\/|\/$/.test(rev)) throw new CortexError("REQ_INVALID_ARGUMENT", `revision "${rev}" is not a valid branch, tag or commit`);
  return rev;
}

function validateGlobs(field: string, globs: string[]): string[] {
  for (const g of globs) if (g.trim() === "" || g.length > 512) throw new CortexError("REQ_INVALID_ARGUMENT", `${field}: "${g}" is not a valid glob`);
  return globs;
}

const handle = (job: JobMessage, deduplicated: boolean) => ({ job_id: job.id, deduplicated, job });

/** PullModel: validated, then one job per repo@revision+filters (identical pulls join it). */
export async function submitPull(jobs: JobManager, req: PullRequest): Promise<ReturnType<typeof handle>> {
  const repo = validateRepo(requireString(req as never, "repo"));
  const revision = validateRevision(req.revision ?? "");
  const include = validateGlobs("include", req.include ?? []);
  const exclude = validateGlobs("exclude", req.exclude ?? []);
  const key = `pull@${repo}@${revision}@${[...include].sort().join(",")}@${[...exclude].sort().join(",")}`;
  const r = await jobs.submit("pull", { model: repo, repo, revision, include, exclude }, { dedupeKey: key, attempts: 5 });
  return handle(r.job, r.deduplicated);
}

/** JobService: submit and follow long work. Conversion/quantization RPCs are added by their modules. */
export function createJobService(jobs: JobManager, streams: StreamRegistry, extra: grpc.UntypedServiceImplementation = {}): grpc.UntypedServiceImplementation {
  return {
    PullModel: unary(async (req: PullRequest) => submitPull(jobs, req)),
    GetJob: unary(async (req: { job_id: string }) => jobs.get(requireString(req as never, "job_id"))),
    ListJobs: unary(async (req: { states: string[]; types: string[]; model: string; limit: number }) => ({
      jobs: await jobs.list({ states: req.states, types: req.types, model: req.model, limit: req.limit }),
    })),
    WatchJob: serverStream(streams, async (req: { job_id: string }, out) => {
      const id = requireString(req as never, "job_id");
      await jobs.get(id); // NOT_FOUND before the stream starts
      for await (const job of jobs.watch(id, out.signal)) {
        const final = ["JOB_STATE_COMPLETED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED"].includes(job.state);
        await out.write({ job, final });
      }
    }),
    CancelJob: unary(async (req: { job_id: string; reason: string }) => jobs.cancel(requireString(req as never, "job_id"), req.reason ?? "")),
    RetryJob: unary(async (req: { job_id: string }) => jobs.retry(requireString(req as never, "job_id"))),
    ...extra,
  };
}
