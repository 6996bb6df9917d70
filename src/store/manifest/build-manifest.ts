import type { ModelRecord } from "../model-types.js";
import { MANIFEST_SCHEMA_VERSION, type ConversionStepInput, type Manifest, type ManifestFile, type ManifestInput } from "./manifest-schema.js";

/**
 * A manifest for a listed model: what the files and headers say now, with what only the manifest knows (tags,
 * created/last-used times, the converted-from chain, hashes) carried over from `previous`.
 */
export function buildManifest(
  m: ModelRecord,
  previous: Manifest | undefined,
  o: { files?: ManifestFile[]; now?: Date; convertedFrom?: ConversionStepInput[]; tags?: readonly string[]; sourceRepo?: string; revision?: string } = {},
): ManifestInput {
  const now = (o.now ?? new Date()).toISOString();
  const f = m.facts;
  const lora = f.lora ?? previous?.lora;
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    id: m.id,
    identity: m.identity,
    name: m.name,
    ...(f.brokenReason ? (previous?.format ? { format: previous.format } : {}) : { format: f.format }),
    root: m.root,
    paths: [...m.paths],
    provenance: {
      sourceRepo: o.sourceRepo ?? (m.hf?.repo || previous?.provenance.sourceRepo || ""),
      revision: o.revision ?? (m.hf?.commit || previous?.provenance.revision || ""),
      files: o.files ?? previous?.provenance.files ?? m.files.map((x) => ({ path: x.rel, size: x.size })),
      convertedFrom: o.convertedFrom ?? previous?.provenance.convertedFrom ?? [],
    },
    quantization: {
      type: f.quantization === "UNSPECIFIED" ? "" : f.quantization,
      label: f.quantizationLabel,
      ...(f.mlx ? { bits: f.mlx.bits, groupSize: f.mlx.groupSize } : {}),
    },
    ...(lora ? { lora: { baseModel: lora.baseModel, adapter: lora.adapter ?? "", fused: lora.fused, rank: lora.rank, scale: lora.scale, targetModules: [...lora.targetModules] } } : {}),
    tags: [...(o.tags ?? previous?.tags ?? m.tags)],
    diskUsageBytes: m.sizeBytes,
    createdAt: previous?.createdAt || m.createdAt || now,
    updatedAt: now,
    lastUsedAt: previous?.lastUsedAt ?? "",
  };
}
