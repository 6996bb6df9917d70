import type { CleanCandidate } from "../../store/clean-plan.js";
import type { HfCacheInfo } from "../../store/hf-cache/scan-hf-cache.js";
import type { Manifest } from "../../store/manifest/manifest-schema.js";
import { QUANTIZATIONS, WEIGHT_BITS, type ModelFormat, type ModelRecord, type QuantizationName } from "../../store/model-types.js";
import { enumList, invalidArgument, stripPrefix } from "../enum-fields.js";
import type { CleanCandidate as CleanCandidateMsg } from "../generated/cortex/v1/CleanCandidate.js";
import type { ManifestSummary } from "../generated/cortex/v1/ManifestSummary.js";
import { ModelFormat as ModelFormatEnum } from "../generated/cortex/v1/ModelFormat.js";
import type { ModelInfo } from "../generated/cortex/v1/ModelInfo.js";
import { Quantization } from "../generated/cortex/v1/Quantization.js";
import type { ScanHfCacheResponse } from "../generated/cortex/v1/ScanHfCacheResponse.js";

/** Wire shapes of the model store (proto field names; enums as their names, int64 as numbers). */
const iso = (ms: number) => (Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : "");

export function modelInfo(m: ModelRecord, withFiles = true): ModelInfo {
  const f = m.facts;
  return {
    id: m.id,
    name: m.name,
    paths: [...m.paths],
    format: `MODEL_FORMAT_${f.format}`,
    quantization: `QUANTIZATION_${f.quantization}`,
    mlx_quantization: f.mlx ? { bits: f.mlx.bits, group_size: f.mlx.groupSize, mode: f.mlx.mode } : null,
    architecture: f.architecture,
    parameter_count: f.parameterCount,
    context_length: f.contextLength,
    vocab_size: f.vocabSize,
    size_bytes: m.sizeBytes,
    estimated_memory_bytes: m.estimatedMemoryBytes,
    source_repo: m.sourceRepo,
    source_revision: m.sourceRevision,
    tags: [...m.tags],
    last_used_at: m.lastUsedAt,
    root: m.root,
    broken: Boolean(f.brokenReason) && !m.downloading,
    downloading: Boolean(m.downloading),
    broken_reason: f.brokenReason ?? "",
    lora: f.lora ? { base_model: f.lora.baseModel, fused: f.lora.fused, rank: f.lora.rank, scale: f.lora.scale, target_modules: [...f.lora.targetModules] } : null,
    files: withFiles ? m.files.map((x) => ({ path: x.path, size_bytes: x.size, sha256: m.sha256.get(x.rel) ?? "" })) : [],
    created_at: m.createdAt,
    quantization_label: f.quantizationLabel,
    hf_refs: [...(m.hf?.refs ?? [])],
    kind: m.kind,
    bits: f.bits?.main ?? 0,
    bits_low: f.bits?.low ?? 0,
    bits_high: f.bits?.high ?? 0,
    components: (f.components ?? []).map((c) => ({
      name: c.name,
      class_name: c.className,
      format: c.format ? `MODEL_FORMAT_${c.format}` : "MODEL_FORMAT_UNSPECIFIED",
      quantization: `QUANTIZATION_${c.quantization}`,
      quantization_label: c.quantizationLabel,
      bits: c.bits?.main ?? 0,
      parameter_count: c.parameterCount,
      size_bytes: c.sizeBytes,
      path: c.path,
    })),
    alternates: (f.alternates ?? []).map((a) => ({ path: a.rel, size_bytes: a.size, description: a.description })),
    quantization_detail: f.quantizationDetail ?? "",
    notes: [...(f.notes ?? [])],
  };
}

export function manifestSummary(man: Manifest, file: string, orphan: boolean): ManifestSummary {
  const t = man.quantization.type;
  const q: Quantization = t && (QUANTIZATIONS as readonly string[]).includes(t) ? (`QUANTIZATION_${t}` as Quantization) : "QUANTIZATION_UNSPECIFIED";
  return {
    model_id: man.id,
    path: file,
    source_repo: man.provenance.sourceRepo,
    source_revision: man.provenance.revision,
    files: man.provenance.files.length,
    size_bytes: man.diskUsageBytes,
    orphan,
    updated_at: man.updatedAt,
    quantization: q,
    tags: man.tags,
    name: man.name,
    manifest_json: JSON.stringify(man, null, 2),
    last_used_at: man.lastUsedAt,
  };
}

export function cleanCandidate(c: CleanCandidate): CleanCandidateMsg {
  return { model: modelInfo(c.model, false), reclaimable_bytes: c.reclaimableBytes, reason: c.reason };
}

export function hfCacheView(info: HfCacheInfo): ScanHfCacheResponse {
  return {
    cache_dir: info.cacheDir,
    size_on_disk: info.sizeOnDisk,
    warnings: [...info.warnings],
    incomplete_files: info.incompleteFiles.map((f) => ({ path: f.path, size: f.size, last_modified: iso(f.lastModified) })),
    repos: info.repos.map((r) => ({
      repo_id: r.repoId,
      repo_type: r.repoType,
      size_on_disk: r.sizeOnDisk,
      files: r.nbFiles,
      last_accessed: iso(r.lastAccessed),
      last_modified: iso(r.lastModified),
      refs: [...r.refs.keys()].sort(),
      path: r.repoPath,
      revisions: r.revisions.map((v) => ({ commit: v.commitHash, refs: [...v.refs], size_on_disk: v.sizeOnDisk, files: v.nbFiles, last_modified: iso(v.lastModified), detached: v.refs.length === 0, snapshot_path: v.snapshotPath })),
    })),
  };
}

/** Format filters: every entry a defined MODEL_FORMAT_* other than UNSPECIFIED (INVALID_ARGUMENT otherwise). */
export function parseFormats(values: readonly unknown[] | undefined, field = "formats"): ModelFormat[] {
  return enumList(field, values, ModelFormatEnum).map((v) => stripPrefix(v, "MODEL_FORMAT_") as ModelFormat);
}

/** Quantization filters: every entry a defined QUANTIZATION_* other than UNSPECIFIED (INVALID_ARGUMENT otherwise). */
export function parseQuantizations(values: readonly unknown[] | undefined, field = "quantizations"): QuantizationName[] {
  return enumList(field, values, Quantization).map((v) => stripPrefix(v, "QUANTIZATION_") as QuantizationName);
}

/** Weight bit widths of a filter: each one a width some format has (WEIGHT_BITS), else INVALID_ARGUMENT. */
export function parseWeightBits(values: readonly unknown[] | undefined): number[] {
  return (values ?? []).map((v, i) => {
    if (typeof v === "number" && (WEIGHT_BITS as readonly number[]).includes(v)) return v;
    throw invalidArgument(`bits[${i}]`, `bits[${i}]: ${String(v)} is not a weight bit width; accepted: ${WEIGHT_BITS.join(", ")}`);
  });
}
