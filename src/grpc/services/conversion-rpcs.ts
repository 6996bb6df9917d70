import type * as grpc from "@grpc/grpc-js";
import { CortexError } from "../../errors/cortex-error.js";
import type { FlowStep, JobManager } from "../../jobs/job-manager.js";
import { parseOuttype, parseQuantType } from "../../formats/quantization-names.js";
import { parseMlxOptions, parseOutputName, type MlxOptionsInput } from "../job-requests.js";
import type { JobMessage } from "../../jobs/job-view.js";
import { planAllModels } from "../../jobs/plan-all-models.js";
import type { ModelRecord } from "../../store/model-types.js";
import type { ModelSource } from "../../jobs/resolve-source.js";
import { requireString, unary } from "../handlers.js";
import { validateRepo } from "./job-service.js";

interface ConvertRequest {
  source: string;
  target: string;
  outtype: string;
  mlx: MlxOptionsInput | null;
  output_name: string;
  keep_intermediate: boolean;
}
interface QuantizeRequest {
  model: string;
  type: string;
  mlx: MlxOptionsInput | null;
  output_name: string;
  threads: number;
}
interface PullRequest {
  repo: string;
  revision: string;
  include: string[];
  exclude: string[];
}
interface BatchRequest {
  items: { pull?: PullRequest; convert?: ConvertRequest & { types?: string[] }; quantize?: QuantizeRequest; item?: string }[];
  flows: { pull: PullRequest | null; convert: ConvertRequest | null; quantize_types: string[] }[];
  all_models_glob: string;
  all_models_types: string[];
}

/**
 * Resolves a source before anything is queued (NOT_FOUND, outside the roots). The returned `ref` is what the
 * worker resolves again: the user's own words when the worker can, else a canonical path or org/name@commit.
 */
export type ResolveSource = (ref: string) => ModelSource | Promise<ModelSource>;
/** Every model the store lists whose id or name matches a glob. */
export type ListModels = (glob: string) => Promise<readonly ModelRecord[]>;
/** Whether an output file name exists in the output folders. */
export type OutputExists = (file: string) => boolean;

const handle = (job: JobMessage, deduplicated: boolean) => ({ job_id: job.id, deduplicated, job });

/** ConvertModel, QuantizeModel, FuseAdapter, SubmitBatch: validated here, executed by worker processes. */
export function createConversionRpcs(
  jobs: JobManager,
  resolve: ResolveSource,
  pull: (req: PullRequest) => Promise<{ job_id: string; deduplicated: boolean; job: JobMessage }>,
  listModels?: ListModels,
  outputExists: OutputExists = () => false,
): grpc.UntypedServiceImplementation {
  const convertData = async (req: ConvertRequest, requireExisting: boolean) => {
    let source = requireString(req as never, "source");
    if (requireExisting) source = (await resolve(source)).ref;
    const target = req.target === "TARGET_FORMAT_MLX" ? "mlx" : req.target === "TARGET_FORMAT_GGUF" ? "gguf" : "";
    if (!target) throw new CortexError("REQ_INVALID_ARGUMENT", "target is required (TARGET_FORMAT_GGUF or TARGET_FORMAT_MLX)");
    return {
      model: source,
      source,
      target,
      ...(target === "gguf" ? { outtype: parseOuttype(req.outtype ?? "") } : { mlx: parseMlxOptions(req.mlx) }),
      outputName: parseOutputName(req.output_name),
      keepIntermediate: Boolean(req.keep_intermediate),
    };
  };
  const quantizeData = async (req: QuantizeRequest) => {
    const model = (await resolve(requireString(req as never, "model"))).ref;
    const type = requireString(req as never, "type");
    const isMlx = type.toLowerCase() === "mlx";
    return {
      model,
      ...(isMlx ? { target: "mlx", mlx: parseMlxOptions({ ...(req.mlx ?? {}), quantize: true }) } : { target: "gguf", type: parseQuantType("type", type) }),
      outputName: parseOutputName(req.output_name),
      threads: req.threads || 0,
    };
  };
  const withTypes = async (req: ConvertRequest & { types?: string[] }) => ({ ...(await convertData(req, true)), ...(req.types?.length ? { types: req.types } : {}) });
  /** Submits data already validated (and its source resolved) once. */
  const submitData = async (kind: "convert" | "quantize", data: { model: string } & Record<string, unknown>) => {
    const r = await jobs.submit(kind, data, { dedupeKey: `${kind}@${JSON.stringify(data)}`, attempts: 2 });
    return handle(r.job, r.deduplicated);
  };
  const submitConvert = async (req: ConvertRequest & { types?: string[] }) => submitData("convert", await withTypes(req));
  const submitQuantize = async (req: QuantizeRequest) => submitData("quantize", await quantizeData(req));

  return {
    ConvertModel: unary(submitConvert),
    QuantizeModel: unary(submitQuantize),
    FuseAdapter: unary(async (req: { base: string; adapter: string; output_name: string }) => {
      const base = (await resolve(requireString(req as never, "base"))).ref;
      const adapter = (await resolve(requireString(req as never, "adapter"))).ref;
      const r = await jobs.submit("fuse", { model: base, base, adapter, outputName: parseOutputName(req.output_name) }, { dedupeKey: `fuse@${base}@${adapter}`, attempts: 1 });
      return handle(r.job, r.deduplicated);
    }),
    SubmitBatch: unary(async (req: BatchRequest) => {
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
        req.items = [
          ...(req.items ?? []),
          ...plan.quantize.map((q) => ({ quantize: { model: q.model, type: q.type, mlx: null, output_name: "", threads: 0 } })),
        ];
        req.items.push(...plan.convert.map((c) => ({ convert: { source: c.source, target: "TARGET_FORMAT_GGUF", outtype: "", mlx: null, output_name: "", keep_intermediate: false, types: c.types } })));
      }
      if (!req.items?.length && !req.flows?.length) throw new CortexError("REQ_INVALID_ARGUMENT", "items or flows: nothing to submit");
      // Validate everything first: a batch is accepted whole or not at all.
      const planned: (() => Promise<ReturnType<typeof handle>>)[] = [];
      for (const [i, item] of (req.items ?? []).entries()) {
        if (item.pull) planned.push(() => pull(item.pull!));
        else if (item.convert) {
          const data = await withTypes(item.convert);
          planned.push(() => submitData("convert", data));
        } else if (item.quantize) {
          const data = await quantizeData(item.quantize);
          planned.push(() => submitData("quantize", data));
        } else throw new CortexError("REQ_INVALID_ARGUMENT", `items[${i}]: set one of pull, convert, quantize`);
      }
      for (const [i, flow] of (req.flows ?? []).entries()) {
        if (!flow.pull?.repo) throw new CortexError("REQ_INVALID_ARGUMENT", `flows[${i}].pull.repo is required`);
        const repo = validateRepo(flow.pull.repo);
        const revision = flow.pull.revision || "main";
        const ref = `${repo}@${revision}`;
        const convert = await convertData({ ...(flow.convert ?? { target: "TARGET_FORMAT_GGUF", outtype: "", mlx: null, output_name: "", keep_intermediate: false }), source: ref }, false);
        const types = (flow.quantize_types ?? []).map((t) => parseQuantType(`flows[${i}].quantize_types`, t));
        const pullStep: FlowStep = { kind: "pull", data: { model: repo, repo, revision, include: flow.pull.include ?? [], exclude: flow.pull.exclude ?? [] } };
        const convertStep: FlowStep = { kind: "convert", data: { ...convert, types }, children: [pullStep] };
        planned.push(async () => {
          const r = await jobs.submitFlow({ kind: "flow", data: { model: repo, steps: ["pull", "convert", ...types.map((t) => `quantize:${t}`)] }, children: [convertStep] });
          return handle(r.job, false);
        });
      }
      const handles = [];
      for (const submit of planned) handles.push(await submit());
      return { jobs: handles, skipped };
    }),
  };
}
