/**
 * The model store's vocabulary. Format and quantization names are the proto enum names without their prefix
 * (`GGUF` ↔ `MODEL_FORMAT_GGUF`, `Q4_K_M` ↔ `QUANTIZATION_Q4_K_M`).
 */
export const MODEL_FORMATS = ["GGUF", "MLX", "SAFETENSORS", "PYTORCH", "GPTQ", "AWQ", "BITSANDBYTES", "COMPRESSED_TENSORS", "LORA_ADAPTER"] as const;
export type ModelFormat = (typeof MODEL_FORMATS)[number];

import type { QuantizationName } from "../formats/quantization-names.js";
export { QUANTIZATIONS, type QuantizationName } from "../formats/quantization-names.js";

/**
 * Weight bit widths a filter may name: every width some format stores weights at (GGUF IQ1…Q8, MLX 2–8,
 * GPTQ/AWQ/bitsandbytes 4/8, FP8, 16-bit floats, F32).
 */
export const WEIGHT_BITS = [1, 2, 3, 4, 5, 6, 8, 16, 32] as const;

/**
 * The bit width of a model's weights as users say it ("a 4-bit model"), whatever the format: GGUF Q4_* → 4,
 * MLX affine 4-bit → 4, GPTQ/AWQ `bits`, bitsandbytes INT4 → 4, FP8 → 8, F16/BF16 → 16. `main` is the width of
 * the recipe (what filters match); mixed recipes (MLX mixed_3_6, per-layer overrides) report their lowest and
 * highest width in `low`/`high`; otherwise all three are equal.
 */
export interface WeightBits {
  readonly main: number;
  readonly low: number;
  readonly high: number;
}

/** Where a model lives: cortexd's own folders, the shared HF cache, or an extra configured folder. */
export type RootKind = "cortex" | "hf-cache" | "extra";

/** The folders the store scans and is allowed to delete in. */
export interface StoreRoots {
  /** CORTEX_HOME */
  readonly home: string;
  /** models/, mlx_models/, quantized_models/ under home. */
  readonly cortexDirs: readonly string[];
  readonly manifests: string;
  readonly hfHubCache: string;
  readonly modelDirs: readonly string[];
}

/** A file that belongs to a model, as stat saw it (links followed inside the roots). */
export interface ModelFile {
  readonly path: string;
  /** Path inside the model (folder-relative, or the repo path in an HF snapshot). */
  readonly rel: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** dev:ino of the bytes: shared HF blobs count once. */
  readonly key: string;
  /** HF cache: the blob name (40-hex git sha1 or 64-hex sha256 for LFS files). */
  readonly etag?: string;
}

/** HF cache provenance of a model found in a snapshot. */
export interface HfOrigin {
  readonly repo: string;
  readonly repoType: string;
  readonly commit: string;
  readonly refs: readonly string[];
  readonly repoPath: string;
}

/** A model found by file-system evidence, before any header is read. */
export interface ModelCandidate {
  readonly id: string;
  /** What the id is derived from, e.g. "cortex:models/foo.gguf" or "hf:model/org/name@<commit>". */
  readonly identity: string;
  readonly kind: "gguf" | "folder";
  readonly name: string;
  readonly root: RootKind;
  /** GGUF: the file (first split part); folder: the folder. */
  readonly primaryPath: string;
  /** GGUF: every split part in order; folder: the folder. */
  readonly paths: readonly string[];
  readonly files: readonly ModelFile[];
  readonly hf?: HfOrigin;
  /** Split GGUF parts that are missing (the model is then BROKEN). */
  readonly missingParts?: readonly string[];
  /** A fine_tuned.marker beside the model. */
  readonly fineTunedMarker?: string;
  /** Changes whenever a file is added, removed, resized or rewritten. */
  readonly fingerprint: string;
}

export interface LoraFacts {
  readonly baseModel: string;
  readonly fused: boolean;
  readonly rank: number;
  readonly scale: number;
  readonly targetModules: readonly string[];
  /** For a fused model: the adapter it was fused from (path, id or name), when recorded. */
  readonly adapter?: string;
}

export interface MlxQuantFacts {
  readonly bits: number;
  readonly groupSize: number;
  readonly mode: string;
}

/** One part of a multi-component model (a diffusers pipeline folder, a MusicGen sub-model). */
export interface ComponentFacts {
  /** "transformer", "text_encoder_2", "vae", "decoder". */
  readonly name: string;
  /** "FluxTransformer2DModel", "CLIPTokenizer". */
  readonly className: string;
  /** Absent for parts without weights (tokenizers, schedulers). */
  readonly format?: ModelFormat;
  readonly quantization: QuantizationName;
  readonly quantizationLabel: string;
  readonly bits?: WeightBits;
  readonly parameterCount: number;
  /** Bytes on disk of the part's files (a folder), or of its tensors (a prefix inside one file). */
  readonly sizeBytes: number;
  /** Folder inside the model ("transformer"), or the tensor-name prefix ("decoder.") inside a single file. */
  readonly path: string;
}

/** Another layout of the same weights kept beside the model (on disk, never loaded). */
export interface AlternateFile {
  readonly rel: string;
  readonly size: number;
  readonly description: string;
}

/** What the headers say (cached per candidate fingerprint). */
export interface ModelFacts {
  readonly format: ModelFormat;
  readonly quantization: QuantizationName;
  readonly quantizationLabel: string;
  readonly mlx?: MlxQuantFacts;
  /** Absent when the format does not say (a broken model, an unknown quant_method). */
  readonly bits?: WeightBits;
  readonly architecture: string;
  readonly parameterCount: number;
  readonly contextLength: number;
  readonly vocabSize: number;
  /** Bytes of tensor data (what loading reads), or the weight files' size when headers are not parsed. */
  readonly weightsBytes: number;
  /**
   * A folder the inference pool converts on load (a SafeTensors checkpoint, an MLX model): the bytes of the
   * weights it serves (its F16 GGUF, or an MLX-quantized model's packed tensors), for the memory estimate.
   */
  readonly servedWeightsBytes?: number;
  /** KV-cache shape for the memory estimate. */
  readonly kv?: { readonly layers: number; readonly kvHeads: number; readonly headDim: number };
  readonly lora?: LoraFacts;
  readonly brokenReason?: string;
  /** Multi-component models: every part; parameterCount and weightsBytes are their sums. */
  readonly components?: readonly ComponentFacts[];
  readonly alternates?: readonly AlternateFile[];
  /** The quantization in words ("MLX affine, 4-bit, group size 64"). */
  readonly quantizationDetail?: string;
  /** What a user should know ("config.json only: no weights yet"). */
  readonly notes?: readonly string[];
}

/** A listed model: candidate + facts + what its manifest adds. */
export interface ModelRecord {
  readonly id: string;
  /** What the id is derived from. */
  readonly identity: string;
  readonly name: string;
  readonly root: RootKind;
  readonly kind: "gguf" | "folder";
  readonly paths: readonly string[];
  readonly files: readonly ModelFile[];
  readonly facts: ModelFacts;
  /** Distinct bytes on disk (shared blobs once). */
  readonly sizeBytes: number;
  readonly estimatedMemoryBytes: number;
  readonly sourceRepo: string;
  readonly sourceRevision: string;
  readonly tags: readonly string[];
  readonly lastUsedAt: string;
  readonly createdAt: string;
  readonly hf?: HfOrigin;
  readonly sha256: ReadonlyMap<string, string>;
  /** An HF snapshot a running pull is still writing: incomplete, not broken; not a job source until it ends. */
  readonly downloading?: boolean;
}
