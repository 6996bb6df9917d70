import crypto from "node:crypto";
import type { ModelRecord } from "../../store/model-types.js";

export interface OllamaDetails {
  parent_model: string;
  format: string;
  family: string;
  families: string[];
  parameter_size: string;
  quantization_level: string;
}

/** "8.0B", "135.04M": how Ollama writes parameter counts. */
export function parameterSize(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(2)}K`;
  return String(n);
}

/** The `details` Ollama clients show for a model (Open WebUI, Continue). */
export function ollamaDetails(r: ModelRecord): OllamaDetails {
  const family = r.facts.architecture || "unknown";
  return {
    parent_model: "",
    format: r.facts.format.toLowerCase(),
    family,
    families: [family],
    parameter_size: parameterSize(r.facts.parameterCount),
    quantization_level: r.facts.quantizationLabel || r.facts.quantization,
  };
}

/** A stable hex digest per model (Ollama's is its manifest's sha256; clients only compare it). */
export function modelDigest(r: ModelRecord): string {
  return crypto.createHash("sha256").update(r.identity).update(r.files.map((f) => f.key).join(",")).digest("hex");
}

export function modifiedAt(r: ModelRecord): string {
  const latest = Math.max(0, ...r.files.map((f) => f.mtimeMs));
  return new Date(latest || Date.parse(r.createdAt) || 0).toISOString();
}
