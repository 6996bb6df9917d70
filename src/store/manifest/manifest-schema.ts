import { z } from "zod";
import { MODEL_FORMATS } from "../model-types.js";

/** The manifest schema version this cortexd writes. Readers refuse newer versions instead of overwriting them. */
export const MANIFEST_SCHEMA_VERSION = 1;

const iso = z.string().refine((s) => s === "" || !Number.isNaN(Date.parse(s)), { message: "must be an ISO-8601 timestamp" });

/** A tag: a short word, e.g. "prod", "scratch", "chat-v2". */
export const TAG_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;

export const manifestFileSchema = z.object({
  /** Path inside the model: folder-relative, or the GGUF file name. */
  path: z.string().min(1),
  size: z.number().int().nonnegative(),
  /** Hex sha256; absent when not hashed yet (fast sync skips large weight files). */
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** mtime when hashed: a hash is reused while size and mtime are unchanged. */
  mtimeMs: z.number().optional(),
});

/** One step of the converted-from chain: what was turned into what, how, with which tools. */
export const conversionStepSchema = z.object({
  /** "pull", "convert", "quantize", "fuse", "import" … */
  kind: z.string().min(1),
  /** The input: a model id, "org/name@commit", or a path. */
  source: z.string(),
  sourceRevision: z.string().default(""),
  /** The job's parameters (outtype, quantization type, MLX bits/group size, adapter …). */
  recipe: z.record(z.string(), z.unknown()).default({}),
  /** Tool → version, e.g. {"cortexd": "0.1.0", "llama.cpp": "b6000", "mlx-lm": "0.26.0"}. */
  toolVersions: z.record(z.string(), z.string()).default({}),
  jobId: z.string().default(""),
  at: iso.default(""),
});

export const manifestSchema = z.object({
  schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
  id: z.string().regex(/^[0-9a-f]{12}$/),
  /** What the id is derived from (model-identity.ts). */
  identity: z.string().min(1),
  name: z.string(),
  format: z.enum(MODEL_FORMATS).optional(),
  root: z.enum(["cortex", "hf-cache", "extra"]),
  /** Absolute paths when last written (GGUF parts, or the folder). */
  paths: z.array(z.string()).min(1),
  provenance: z
    .object({
      sourceRepo: z.string().default(""),
      revision: z.string().default(""),
      files: z.array(manifestFileSchema).default([]),
      convertedFrom: z.array(conversionStepSchema).default([]),
    })
    .default({ sourceRepo: "", revision: "", files: [], convertedFrom: [] }),
  quantization: z
    .object({
      /** Quantization enum name without its prefix ("Q4_K_M", "MLX_AFFINE", "BF16"). */
      type: z.string().default(""),
      label: z.string().default(""),
      bits: z.number().int().nonnegative().optional(),
      groupSize: z.number().int().nonnegative().optional(),
    })
    .default({ type: "", label: "" }),
  lora: z
    .object({
      baseModel: z.string().default(""),
      adapter: z.string().default(""),
      fused: z.boolean(),
      rank: z.number().nonnegative().default(0),
      scale: z.number().default(0),
      targetModules: z.array(z.string()).default([]),
    })
    .optional(),
  tags: z.array(z.string().regex(TAG_RE)).default([]),
  diskUsageBytes: z.number().int().nonnegative().default(0),
  createdAt: iso,
  updatedAt: iso,
  lastUsedAt: iso.default(""),
});

export type Manifest = z.output<typeof manifestSchema>;
export type ManifestInput = z.input<typeof manifestSchema>;
export type ManifestFile = z.output<typeof manifestFileSchema>;
export type ConversionStep = z.output<typeof conversionStepSchema>;
export type ConversionStepInput = z.input<typeof conversionStepSchema>;
