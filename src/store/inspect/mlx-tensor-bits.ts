/** What inference needs of a tensor: its name, dtype and shape (from a safetensors header). */
export interface ShapedTensor {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
}

const BITS = [2, 3, 4, 5, 6, 8] as const;
const GROUPS = [32, 64, 128] as const;
/** mlx-lm's and flux.swift's default group size: the tie-breaker when the shapes allow two recipes. */
const DEFAULT_GROUP = 64;

/**
 * The bits and group size of MLX affine-quantized tensors when no config says them (flux.swift writes none):
 * a quantized Linear stores `weight` as U32 [out, in·bits/32] and `scales`/`biases` as [out, in/group]. The
 * packed and scale widths fix bits × group, not each, so a recipe wins where its input width `in` is a width the
 * model has elsewhere (an unquantized tensor's dimension or a quantized layer's output rows), weighted by how
 * often it has it (the hidden size is everywhere); layers vote, the default group size breaks ties. Undefined
 * when no tensor is MLX-quantized.
 */
export function inferMlxBits(tensors: readonly ShapedTensor[]): { bits: number; groupSize: number } | undefined {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const layers: { packed: number; groups: number }[] = [];
  const dims = new Map<number, number>();
  const seen = (d: number) => dims.set(d, (dims.get(d) ?? 0) + 1);
  const side = new Set<string>();
  for (const t of tensors) {
    if (!t.name.endsWith(".weight") || t.dtype !== "U32" || t.shape.length !== 2) continue;
    const base = t.name.slice(0, -".weight".length);
    const scales = byName.get(`${base}.scales`);
    if (!scales || scales.shape.length !== 2) continue;
    layers.push({ packed: t.shape[1]!, groups: scales.shape[1]! });
    seen(t.shape[0]!);
    side.add(t.name).add(scales.name).add(`${base}.biases`);
  }
  if (layers.length === 0) return undefined;
  for (const t of tensors) if (!side.has(t.name)) for (const d of t.shape) seen(d);
  const votes = new Map<string, number>();
  const vote = (key: string, w: number) => votes.set(key, (votes.get(key) ?? 0) + w);
  for (const l of layers) {
    const fits: string[] = [];
    const known: { key: string; count: number }[] = [];
    for (const bits of BITS) {
      const inDim = (l.packed * 32) / bits;
      if (!Number.isInteger(inDim) || inDim % l.groups !== 0) continue;
      const group = inDim / l.groups;
      if (!(GROUPS as readonly number[]).includes(group)) continue;
      fits.push(`${bits}:${group}`);
      if (dims.has(inDim)) known.push({ key: `${bits}:${group}`, count: dims.get(inDim)! });
    }
    const total = known.reduce((s, k) => s + k.count, 0);
    if (known.length) for (const k of known) vote(k.key, k.count / total);
    else for (const k of fits) vote(k, 0.01 / fits.length);
  }
  let best: { bits: number; groupSize: number; score: number } | undefined;
  for (const [k, score] of votes) {
    const [bits, groupSize] = k.split(":").map(Number) as [number, number];
    const better = !best || score > best.score + 1e-9 || (Math.abs(score - best.score) <= 1e-9 && groupSize === DEFAULT_GROUP && best.groupSize !== DEFAULT_GROUP);
    if (better) best = { bits, groupSize, score };
  }
  return best ? { bits: best.bits, groupSize: best.groupSize } : undefined;
}
