import { isCortexError } from "../../errors/cortex-error.js";
import { DEFAULT_REVISION, validateRepoId, validateRevision, type RepoRef } from "../../hub/parse-repo-ref.js";
import type { JobManager } from "../../jobs/job-manager.js";
import type { ModelCatalog } from "../../store/model-catalog.js";
import { FINAL_STATES, type JobMessage } from "../../jobs/job-view.js";
import { definedOr, enumList, invalidArgument } from "../enum-fields.js";
import type { Job } from "../generated/cortex/v1/Job.js";
import type { JobEvent } from "../generated/cortex/v1/JobEvent.js";
import type { JobHandle } from "../generated/cortex/v1/JobHandle.js";
import type { JobServiceHandlers } from "../generated/cortex/v1/JobService.js";
import { JobState } from "../generated/cortex/v1/JobState.js";
import { JobType } from "../generated/cortex/v1/JobType.js";
import type { PullModelRequest__Output } from "../generated/cortex/v1/PullModelRequest.js";
import type { WatchJobRequest__Output } from "../generated/cortex/v1/WatchJobRequest.js";
import { requireString, serverStream, unary, type StreamWriter } from "../handlers.js";
import type { StreamRegistry } from "../stream-registry.js";

/**
 * PullModel: a short name becomes its catalog entry's repo, revision and filters (the request's own filters
 * replace the entry's); validated; then one job per repo@revision+filters (identical pulls join it).
 */
export async function submitPull(jobs: JobManager, req: PullModelRequest__Output, field = "", catalog?: ModelCatalog): Promise<JobHandle> {
  const asked = expandPull(req, field, catalog);
  const { repo, revision } = parsePull(asked, field);
  const include = validateGlobs(`${field}include`, asked.include ?? []);
  const exclude = validateGlobs(`${field}exclude`, asked.exclude ?? []);
  const key = `pull@${repo}@${revision}@${[...include].sort().join(",")}@${[...exclude].sort().join(",")}`;
  const r = await jobs.submit("pull", { model: repo, repo, revision, include, exclude }, { dedupeKey: key, attempts: 5, ...idempotency(req.idempotency_key, `${field}idempotency_key`) });
  return handle(r.job, r.deduplicated);
}

/**
 * A pull as asked: a short name becomes its catalog entry's repo, revision and file filters (the request's own
 * filters replace the entry's); a repo id passes unchanged.
 * @throws CortexError REG_NOT_FOUND for an unknown short name close to known ones (they are listed)
 */
export function expandPull(req: PullModelRequest__Output, field = "", catalog?: ModelCatalog): PullModelRequest__Output {
  const entry = catalog?.resolvePull(requireString(req, "repo", `${field}repo`), req.quantization ?? "");
  if (!entry && !catalog && req.quantization) throw invalidArgument(`${field}quantization`, `${field}quantization applies to a short name; this daemon has no catalog`);
  if (!entry) return req;
  return { ...req, repo: entry.repo, revision: req.revision || entry.revision, include: req.include?.length ? req.include : [...entry.include], exclude: req.exclude?.length ? req.exclude : [...entry.exclude], quantization: "" };
}

function validateGlobs(field: string, globs: string[]): string[] {
  globs.forEach((g, i) => {
    if (g.trim() === "" || g.length > 512) throw invalidArgument(`${field}[${i}]`, `${field}: "${g}" is not a valid glob`);
  });
  return globs;
}

/** PullModel's repo and revision through the one repo-id validator (huggingface_hub's rules), models only. */
export function parsePull(req: Pick<PullModelRequest__Output, "repo" | "revision">, field = ""): RepoRef {
  const repo = requireString(req, "repo", `${field}repo`).trim();
  if (/^(datasets|spaces)\//.test(repo)) throw invalidArgument(`${field}repo`, `repo "${repo}": only model repos can be pulled`);
  return {
    repo: asField(`${field}repo`, () => validateRepoId(repo)),
    revision: req.revision === "" ? DEFAULT_REVISION : asField(`${field}revision`, () => validateRevision(req.revision, `${repo}@${req.revision}`)),
  };
}

/** A validator's INVALID_ARGUMENT, attributed to the request field it checked. */
function asField<T>(field: string, check: () => T): T {
  try {
    return check();
  } catch (err) {
    throw isCortexError(err) && err.code === "REQ_INVALID_ARGUMENT" ? invalidArgument(field, err.message) : err;
  }
}

/**
 * A client's idempotency key, checked: at most 200 printable characters (it names a job, it is not stored).
 * @throws CortexError REQ_INVALID_ARGUMENT naming the field.
 */
export function idempotency(key: string | undefined, field = "idempotency_key"): { idempotencyKey?: string } {
  if (!key) return {};
  if (key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) throw invalidArgument(field, `${field}: at most 200 printable ASCII characters, no spaces`);
  return { idempotencyKey: key };
}

export const handle = (job: JobMessage, deduplicated: boolean): JobHandle => ({ job_id: job.id, deduplicated, job: jobMessage(job) });

/** JobService: submit and follow long work. Conversion/quantization RPCs are added by their modules. */
export function createJobService(jobs: JobManager, streams: StreamRegistry, extra: Partial<JobServiceHandlers> = {}, catalog?: ModelCatalog): Partial<JobServiceHandlers> {
  return {
    PullModel: unary(async (req) => submitPull(jobs, req, "", catalog)),
    GetJob: unary(async (req) => jobMessage(await jobs.get(requireString(req, "job_id")))),
    ListJobs: unary(async (req) => ({
      jobs: (
        await jobs.list({ states: enumList("states", req.states, JobState), types: enumList("types", req.types, JobType), model: req.model, limit: req.limit })
      ).map(jobMessage),
    })),
    WatchJob: serverStream(streams, async (req: WatchJobRequest__Output, out: StreamWriter<JobEvent>) => {
      const id = requireString(req, "job_id");
      await jobs.get(id); // NOT_FOUND before the stream starts
      for await (const job of jobs.watch(id, out.signal)) await out.write({ job: jobMessage(job), final: FINAL_STATES.has(job.state) });
    }),
    CancelJob: unary(async (req) => jobMessage(await jobs.cancel(requireString(req, "job_id"), req.reason ?? ""))),
    RetryJob: unary(async (req) => jobMessage(await jobs.retry(requireString(req, "job_id")))),
    ...extra,
  };
}

/** The jobs' record on the wire: its state and type as the contract names them (UNSPECIFIED for what it has no name for). */
export function jobMessage(j: JobMessage): Job {
  return { ...j, state: definedOr(j.state, JobState, "JOB_STATE_UNSPECIFIED"), type: definedOr(j.type, JobType, "JOB_TYPE_UNSPECIFIED"), progress: j.progress ?? null };
}
