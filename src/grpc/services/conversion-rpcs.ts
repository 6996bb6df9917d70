import fs from "node:fs/promises";
import { checkGgufSource } from "../../convert/gguf-source-check.js";
import path from "node:path";
import { CortexError } from "../../errors/cortex-error.js";
import { formatDestination, parseDestination, sharedRootOf } from "../../jobs/destination.js";
import { parseRepoRef } from "../../hub/parse-repo-ref.js";
import type { FlowStep, JobManager } from "../../jobs/job-manager.js";
import { parseOuttype, parseQuantType } from "../../formats/quantization-names.js";
import { parseMlxOptions, parseOutputName, type MlxOptionsInput } from "../job-requests.js";
import { planAllModels } from "../../jobs/plan-all-models.js";
import type { ModelRecord } from "../../store/model-types.js";
import type { ModelSource } from "../../store/resolve-source.js";
import { requireString, unary } from "../handlers.js";
import { invalidArgument, requiredEnum } from "../enum-fields.js";
import type { ConvertModelRequest__Output } from "../generated/cortex/v1/ConvertModelRequest.js";
import type { JobHandle } from "../generated/cortex/v1/JobHandle.js";
import type { JobServiceHandlers } from "../generated/cortex/v1/JobService.js";
import type { PullModelRequest__Output } from "../generated/cortex/v1/PullModelRequest.js";
import type { QuantizeModelRequest__Output } from "../generated/cortex/v1/QuantizeModelRequest.js";
import type { SubmitBatchRequest__Output } from "../generated/cortex/v1/SubmitBatchRequest.js";
import { TargetFormat } from "../generated/cortex/v1/TargetFormat.js";
import { handle, idempotency, parsePull } from "./job-service.js";

type ConvertRequest = ConvertModelRequest__Output;
type QuantizeRequest = QuantizeModelRequest__Output;
type PullRequest = PullModelRequest__Output;
type BatchRequest = SubmitBatchRequest__Output;

/**
 * Resolves a source before anything is queued (NOT_FOUND, outside the roots). The returned `ref` is what the
 * worker resolves again: the user's own words when the worker can, else a canonical path or org/name@commit.
 */
export type ResolveSource = (ref: string) => ModelSource | Promise<ModelSource>;
/** Every model the store lists whose id or name matches a glob. */
export type ListModels = (glob: string) => Promise<readonly ModelRecord[]>;
/** Whether an output file name exists in the output folders. */
export type OutputExists = (file: string) => boolean;
/** Who holds an existing output of this name (the inference pool, a running job): phrases, empty when nobody. */
export type OutputHolders = (outputName: string) => Promise<string[]>;


/** What QuantizeModel's source is: a GGUF, an HF checkpoint (config.json: converted in one pass), or neither. */
async function quantizeInput(p: string): Promise<{ kind: "gguf" | "checkpoint" } | { kind: "refuse"; why: string }> {
  const st = await fs.stat(p).catch(() => undefined);
  if (!st) return { kind: "gguf" }; // resolve() found it; the job reports what changed meanwhile
  if (!st.isDirectory()) return p.toLowerCase().endsWith(".gguf") ? { kind: "gguf" } : { kind: "refuse", why: "not a GGUF file" };
  const names = await fs.readdir(p);
  const ggufs = names.filter((n) => n.toLowerCase().endsWith(".gguf"));
  if (ggufs.length === 1) return { kind: "gguf" };
  if (ggufs.length > 1) return { kind: "refuse", why: `${ggufs.length} GGUF files (${ggufs.join(", ")}): name one of them` };
  if (names.includes("config.json") || names.includes("model_index.json")) return { kind: "checkpoint" };
  return { kind: "refuse", why: "neither a GGUF nor a Hugging Face checkpoint (no config.json)" };
}

const isFolder = (p: string) => fs.stat(p).then((s) => s.isDirectory(), () => false);

/** ConvertModel, QuantizeModel, FuseAdapter, SubmitBatch: validated here, executed by worker processes. */
export function createConversionRpcs(
  jobs: JobManager,
  resolve: ResolveSource,
  pull: (req: PullRequest, field: string) => Promise<JobHandle>,
  listModels?: ListModels,
  outputExists: OutputExists = () => false,
  outputHolders: OutputHolders = async () => [],
  sharedRoots: readonly string[] = [],
  /** A pull as the daemon means it (a short name → its catalog entry's repo and filters); identity by default. */
  expandPull: (req: PullRequest, field: string) => PullRequest = (req) => req,
): Pick<JobServiceHandlers, "ConvertModel" | "QuantizeModel" | "FuseAdapter" | "SubmitBatch" | "PushModel"> {
  /** The destination, checked; a fleet one (shared:, hub:) needs the fleet and a location-independent source. */
  const destinationOf = (text: string | undefined, field: string) => {
    const dest = parseDestination(text, `${field}destination`);
    if (dest.kind === "local") return undefined;
    if (!jobs.fleetEnabled) throw new CortexError("FLEET_NO_WORKER", `${field}destination ${formatDestination(dest)}: this cortexd runs its own embedded Redis, which no cortex worker can reach; start it with CORTEX_REDIS_URL shared with the workers`);
    return dest;
  };
  /** Where a fleet job's input is, in words every worker understands: org/name@rev, or a path under a shared root. */
  const fleetSource = (ref: string, field: string) => {
    if (path.isAbsolute(ref)) {
      if (!sharedRootOf(ref, sharedRoots)) throw new CortexError("FLEET_NO_SHARED_ROOT", `${field}: ${ref} is not under a shared root (${sharedRoots.join(", ") || "none configured: CORTEX_SHARED_ROOTS"}), so other machines cannot read it`);
      return path.resolve(ref);
    }
    if (ref.includes("/")) return `${parseRepoRef(ref).repo}@${parseRepoRef(ref).revision}`;
    throw new CortexError("FLEET_NO_SHARED_ROOT", `${field}: "${ref}" names a model of this machine; a job for the fleet names its input as org/name@commit or a path under a shared root`);
  };
  /** `overwrite` replaces a model only when nothing holds it (a loaded runner, a job reading it). */
  const overwriteAllowed = async (req: { overwrite?: boolean; output_name?: string }) => {
    if (!req.overwrite || !req.output_name) return;
    const held = await outputHolders(req.output_name);
    if (held.length) throw new CortexError("REG_IN_USE", `output ${req.output_name} cannot be overwritten: ${held.join("; ")}`);
  };
  const convertData = async (req: ConvertRequest, requireExisting: boolean, field = "") => {
    let source = requireString(req, "source", `${field}source`);
    // The request's own shape first: a bad target is INVALID_ARGUMENT whether or not the source exists.
    const target = requiredEnum(`${field}target`, req.target, TargetFormat, "TARGET_FORMAT_GGUF or TARGET_FORMAT_MLX") === "TARGET_FORMAT_MLX" ? "mlx" : "gguf";
    const dest = destinationOf(req.destination, field);
    if (dest) source = fleetSource(source, `${field}source`);
    else if (requireExisting) {
      const src = await resolve(source);
      source = src.ref;
      // A conversion that cannot succeed (a pipeline, a non-LLM architecture, pickles only) is refused now, not queued.
      if (target === "gguf" && (await isFolder(src.path))) await checkGgufSource(src.path);
    }
    await overwriteAllowed(req);
    return {
      ...(dest ? { destination: formatDestination(dest) } : {}),
      model: source,
      source,
      target,
      ...(target === "gguf" ? { outtype: parseOuttype(req.outtype ?? "") } : { mlx: parseMlxOptions(req.mlx) }),
      outputName: parseOutputName(req.output_name),
      keepIntermediate: Boolean(req.keep_intermediate),
      ...(req.overwrite ? { overwrite: true } : {}),
    };
  };
  const quantizeData = async (req: QuantizeRequest, field = "") => {
    const dest = destinationOf(req.destination, field);
    const ref = requireString(req, "model", `${field}model`);
    const model = dest ? fleetSource(ref, `${field}model`) : (await resolve(ref)).ref;
    const type = requireString(req, "type", `${field}type`);
    const isMlx = type.toLowerCase() === "mlx";
    await overwriteAllowed(req);
    return {
      ...(dest ? { destination: formatDestination(dest) } : {}),
      model,
      ...(isMlx ? { target: "mlx", mlx: parseMlxOptions({ ...(req.mlx ?? {}), quantize: true }) } : { target: "gguf", type: parseQuantType("type", type) }),
      outputName: parseOutputName(req.output_name),
      threads: req.threads || 0,
      ...(req.overwrite ? { overwrite: true } : {}),
    };
  };
  const withTypes = async (req: ConvertRequest, types: readonly string[] = [], field = "") => ({ ...(await convertData(req, true, field)), ...(types.length ? { types: [...types] } : {}) });
  /** Submits data already validated (and its source resolved) once. */
  const submitData = async (kind: "convert" | "quantize", data: { model: string; destination?: string; target?: string } & Record<string, unknown>, key?: string) => {
    // A fleet job goes to the queue of its output format, which only workers with that capability consume.
    const capability = data.destination ? (data.target === "mlx" ? "mlx" : "gguf") : undefined;
    const r = await jobs.submit(kind, data, { dedupeKey: `${kind}@${JSON.stringify(data)}`, attempts: 2, ...idempotency(key), ...(capability ? { capability } : {}) });
    return handle(r.job, r.deduplicated);
  };
  const submitConvert = async (req: ConvertRequest) => submitData("convert", await withTypes(req), req.idempotency_key);
  /**
   * QuantizeModel: a GGUF is quantized; a Hugging Face checkpoint goes through the one-pass conversion to that type
   * (users need not know the difference); anything else is refused now (FAILED_PRECONDITION), not queued to fail.
   */
  const submitQuantize = async (req: QuantizeRequest) => {
    const isMlx = (req.type ?? "").toLowerCase() === "mlx";
    if (!isMlx && !req.destination) {
      const src = await resolve(requireString(req, "model"));
      const what = await quantizeInput(src.path);
      if (what.kind === "checkpoint") {
        parseQuantType("type", requireString(req, "type"));
        const convert: ConvertRequest = { source: req.model, target: "TARGET_FORMAT_GGUF", outtype: req.type, mlx: null, output_name: req.output_name, keep_intermediate: false, overwrite: req.overwrite, idempotency_key: req.idempotency_key, destination: "" };
        return submitData("convert", await convertData(convert, true), req.idempotency_key);
      }
      if (what.kind === "refuse") throw new CortexError("REG_BROKEN", `${req.model} (${src.path}): ${what.why}; nothing to quantize`);
    }
    return submitData("quantize", await quantizeData(req), req.idempotency_key);
  };

  return {
    PushModel: unary(async (req) => {
      const dest = parseDestination(`hub:${requireString(req, "repo")}`, "repo");
      if (dest.kind !== "hub") throw new CortexError("REQ_INVALID_ARGUMENT", "repo: expected org/name[@branch]");
      const src = await resolve(requireString(req, "model"));
      const data = { model: src.ref, path: src.path, repo: dest.repo, branch: dest.branch, ...(src.repo ? { sourceRepo: src.repo, sourceRevision: src.commit ?? "" } : {}) };
      const r = await jobs.submit("push", data, { dedupeKey: `push@${src.path}@${dest.repo}@${dest.branch}`, attempts: 3, ...idempotency(req.idempotency_key) });
      return handle(r.job, r.deduplicated);
    }),
    ConvertModel: unary(submitConvert),
    QuantizeModel: unary(submitQuantize),
    FuseAdapter: unary(async (req) => {
      const base = (await resolve(requireString(req, "base"))).ref;
      const adapter = (await resolve(requireString(req, "adapter"))).ref;
      await overwriteAllowed(req);
      const data = { model: base, base, adapter, outputName: parseOutputName(req.output_name), ...(req.overwrite ? { overwrite: true } : {}) };
      // Two attempts like every job that writes a model: a crashed worker's fuse runs again (#20 item 7).
      const r = await jobs.submit("fuse", data, { dedupeKey: `fuse@${JSON.stringify(data)}`, attempts: 2, ...idempotency(req.idempotency_key) });
      return handle(r.job, r.deduplicated);
    }),
    SubmitBatch: unary(async (req: BatchRequest) => {
      const converts = new Map<ConvertRequest, readonly string[]>();
      const skipped: string[] = [];
      if (req.all_models_glob || req.all_models_types?.length) {
        if (!req.all_models_glob) throw new CortexError("REQ_INVALID_ARGUMENT", "all_models_glob is required with all_models_types (\"*\" for every model)");
        if (!req.all_models_types?.length) throw new CortexError("REQ_INVALID_ARGUMENT", "all_models_types: name at least one quantization type");
        if (!listModels) throw new CortexError("REQ_UNIMPLEMENTED", "all_models_glob needs the model store");
        const types = req.all_models_types.map((t) => parseQuantType("all_models_types", t));
        const plan = planAllModels(await listModels(req.all_models_glob), types, outputExists);
        for (const s of plan.skipped) skipped.push(`${s.model}: ${s.reason}`);
        if (!plan.convert.length && !plan.quantize.length && !req.items?.length && !req.flows?.length) {
          throw new CortexError("REG_NOT_FOUND", `no model matching "${req.all_models_glob}" can be quantized${skipped.length ? ` (${skipped.join("; ")})` : ""}`);
        }
        const item = (x: Partial<BatchRequest["items"][number]>): BatchRequest["items"][number] => ({ pull: null, convert: null, quantize: null, ...x });
        req.items = [...(req.items ?? []), ...plan.quantize.map((q) => item({ quantize: { model: q.model, type: q.type, mlx: null, output_name: "", threads: 0, overwrite: false, idempotency_key: "", destination: "" } }))];
        for (const c of plan.convert) {
          const convert: ConvertRequest = { source: c.source, target: "TARGET_FORMAT_GGUF", outtype: "", mlx: null, output_name: "", keep_intermediate: false, overwrite: false, idempotency_key: "", destination: "" };
          converts.set(convert, c.types);
          req.items.push(item({ convert }));
        }
      }
      if (!req.items?.length && !req.flows?.length) throw new CortexError("REQ_INVALID_ARGUMENT", "items or flows: nothing to submit");
      // Validate everything first: a batch is accepted whole or not at all.
      const planned: (() => Promise<ReturnType<typeof handle>>)[] = [];
      for (const [i, item] of (req.items ?? []).entries()) {
        if (item.pull) {
          parsePull(expandPull(item.pull, `items[${i}].pull.`), `items[${i}].pull.`); // the whole batch is checked before anything is queued
          planned.push(() => pull(item.pull!, `items[${i}].pull.`));
        } else if (item.convert) {
          const data = await withTypes(item.convert, converts.get(item.convert), `items[${i}].convert.`);
          planned.push(() => submitData("convert", data));
        } else if (item.quantize) {
          const data = await quantizeData(item.quantize, `items[${i}].quantize.`);
          planned.push(() => submitData("quantize", data));
        } else throw invalidArgument(`items[${i}]`, `items[${i}]: set one of pull, convert, quantize`);
      }
      for (const [i, flow] of (req.flows ?? []).entries()) {
        if (!flow.pull) throw invalidArgument(`flows[${i}].pull`, `flows[${i}].pull.repo is required`);
        const flowPull = expandPull(flow.pull, `flows[${i}].pull.`);
        const { repo, revision } = parsePull(flowPull, `flows[${i}].pull.`);
        const ref = `${repo}@${revision}`;
        const convert = await convertData({ ...(flow.convert ?? { target: "TARGET_FORMAT_GGUF", outtype: "", mlx: null, output_name: "", keep_intermediate: false, overwrite: false, idempotency_key: "", destination: "" }), source: ref }, false, `flows[${i}].convert.`);
        const types = (flow.quantize_types ?? []).map((t) => parseQuantType(`flows[${i}].quantize_types`, t));
        const pullStep: FlowStep = { kind: "pull", data: { model: repo, repo, revision, include: flowPull.include ?? [], exclude: flowPull.exclude ?? [] } };
        const convertStep: FlowStep = { kind: "convert", data: { ...convert, types }, children: [pullStep] };
        planned.push(async () => {
          const r = await jobs.submitFlow({ kind: "flow", data: { model: repo, steps: ["pull", "convert", ...types.map((t) => `quantize:${t}`)] }, children: [convertStep] });
          return handle(r.job, false);
        });
      }
      const handles: JobHandle[] = [];
      for (const submit of planned) handles.push(await submit());
      return { jobs: handles, skipped };
    }),
  };
}
