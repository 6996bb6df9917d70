import fs from "node:fs";
import path from "node:path";
import { bf16ToFloat32, float32ToBf16 } from "../../src/formats/half-float.js";
import { writeSafetensors } from "../../src/formats/safetensors/safetensors-writer.js";
import { normalMatrix } from "./helpers.js";

/** LoRA adapters for make-hf-checkpoint's default tiny llama (hidden 256, kv 128): q_proj of layer 0, v_proj of layer 1. */
export const H = 256;
export const R = 4;
export const Q = "model.layers.0.self_attn.q_proj";
export const V = "model.layers.1.self_attn.v_proj";

/** A: [r, in], B: [out, r] (PEFT layout) for q_proj [256, 256] and v_proj [128, 256]. */
export const factors = {
  [Q]: { a: normalMatrix(R * H, 11, 0.05), b: normalMatrix(H * R, 12, 0.05), out: H },
  [V]: { a: normalMatrix(R * H, 13, 0.05), b: normalMatrix(128 * R, 14, 0.05), out: 128 },
};

function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const o = new Float32Array(m.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) o[j * rows + i] = m[i * cols + j]!;
  return o;
}

/** Expected fused weight: bf16(W + bf16(scale·B·A)), computed independently of the implementation. */
export function fused(w: Float32Array, name: keyof typeof factors, scale: number): Float32Array {
  const { a, b, out } = factors[name];
  const res = new Float32Array(w.length);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < H; i++) {
      let d = 0;
      for (let k = 0; k < R; k++) d += Math.fround(scale * b[o * R + k]!) * a[k * H + i]!;
      const db = bf16ToFloat32(float32ToBf16(new Float32Array([d])))[0]!;
      res[o * H + i] = Math.fround(w[o * H + i]! + db);
    }
  }
  return bf16ToFloat32(float32ToBf16(res));
}

export async function writeMlxAdapter(dir: string, scale: number): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "adapter_config.json"), JSON.stringify({ fine_tune_type: "lora", num_layers: 2, lora_parameters: { rank: R, scale, dropout: 0, keys: ["self_attn.q_proj", "self_attn.v_proj"] } }));
  await writeSafetensors(
    path.join(dir, "adapters.safetensors"),
    Object.entries(factors).flatMap(([m, f]) => [
      { name: `${m}.lora_a`, dtype: "F32" as const, shape: [H, R], data: transpose(f.a, R, H) },
      { name: `${m}.lora_b`, dtype: "F32" as const, shape: [R, f.out], data: transpose(f.b, f.out, R) },
    ]),
  );
}

export async function writePeftAdapter(dir: string, alpha: number): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "adapter_config.json"), JSON.stringify({ peft_type: "LORA", r: R, lora_alpha: alpha, target_modules: ["q_proj", "v_proj"], base_model_name_or_path: "org/tiny" }));
  await writeSafetensors(
    path.join(dir, "adapter_model.safetensors"),
    Object.entries(factors).flatMap(([m, f]) => [
      { name: `base_model.model.${m}.lora_A.weight`, dtype: "F32" as const, shape: [R, H], data: f.a },
      { name: `base_model.model.${m}.lora_B.weight`, dtype: "F32" as const, shape: [f.out, R], data: f.b },
    ]),
  );
}

