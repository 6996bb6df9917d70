/*
 * WebAssembly SIMD (f32x4) kernel of affine-quantize.ts: the same per-group arithmetic, bit for bit (every
 * operation IEEE binary32, round to nearest-even; no FMA: built with -ffp-contract=off). Build with
 * src/mlx/build-affine-kernel.sh; the JS path (affine-quantize.ts) stays the reference and the fallback.
 *
 * Rounding: Metal round() (halves away from zero) of x ≥ 0 is trunc(x) + (x − trunc(x) ≥ 0.5) — exact in f32,
 * unlike x + 0.5. x < 0 only occurs in (−0.5, 0) (see affine-quantize.ts) and rounds to 0; a lane at or below
 * −0.5, or a non-finite input, makes the kernel stop and report the group so the caller reruns it in JS.
 */
#include <wasm_simd128.h>
#include <stdint.h>

#define SRC_F32 0
#define SRC_BF16 1

static inline v128_t load4(const void *src, int kind, int i) {
  if (kind == SRC_BF16) {
    /* bf16 → f32: the 16 bits become the high half of the f32 word (exact). */
    v128_t h = wasm_v128_load64_zero((const uint16_t *)src + i);
    return wasm_i32x4_shl(wasm_u32x4_extend_low_u16x8(h), 16);
  }
  return wasm_v128_load((const float *)src + i);
}

static void pack_bits(const uint8_t *codes, int count, int bits, uint32_t *out) {
  uint32_t word = 0;
  int filled = 0;
  for (int j = 0; j < count; j++) {
    uint32_t v = codes[j];
    word |= v << filled;
    filled += bits;
    if (filled >= 32) {
      *out++ = word;
      filled -= 32;
      word = filled > 0 ? v >> (bits - filled) : 0;
    }
  }
  if (filled > 0) *out = word;
}

/*
 * Quantize `groups` consecutive groups of `gs` elements (gs ∈ {32, 64, 128}) from `src` (f32 or bf16 values,
 * already in the model dtype) into packed codes `w`, f32 `scales` and `biases`. `t_max` is Limits<T>::max.
 * Returns −1 when done, else the index of the first group it could not do (left to the JS path).
 */
__attribute__((export_name("affine_quantize")))
int affine_quantize(const void *src, int kind, int groups, int gs, int bits, float t_max, uint32_t *w, float *scales, float *biases) {
  const int n_bins = (1 << bits) - 1;
  const float n_bins_f = (float)n_bins;
  const float eps = (float)1e-7;
  const int words_per_group = gs * bits / 32;
  uint8_t codes[128] __attribute__((aligned(16)));
  const v128_t zero = wasm_f32x4_splat(0.0f);
  const v128_t half = wasm_f32x4_splat(0.5f);
  const v128_t neg_half = wasm_f32x4_splat(-0.5f);
  const v128_t cap = wasm_f32x4_splat(1024.0f); /* > n_bins + 1: min(q, n_bins) is unchanged */
  const v128_t bins = wasm_i32x4_splat(n_bins);
  const v128_t lo4 = wasm_i16x8_splat(0x000f);
  const v128_t hi4 = wasm_i16x8_splat(0x00f0);

  for (int g = 0; g < groups; g++) {
    const int base = g * gs;
    v128_t vmin = wasm_f32x4_splat(t_max);
    v128_t vmax = zero;
    v128_t bad = wasm_i32x4_splat(0);
    for (int i = 0; i < gs; i += 4) {
      v128_t v = load4(src, kind, base + i);
      bad = wasm_v128_or(bad, wasm_f32x4_ne(wasm_f32x4_sub(v, v), zero)); /* NaN or ±Inf */
      vmin = wasm_f32x4_pmin(vmin, v);
      vmax = wasm_f32x4_pmax(vmax, v);
    }
    if (wasm_v128_any_true(bad)) return g;
    /* The sign of a zero minimum never matters and the maximum starts at +0, so the lane order is free. */
    float w_min = wasm_f32x4_extract_lane(vmin, 0), w_max = wasm_f32x4_extract_lane(vmax, 0);
    float t;
    t = wasm_f32x4_extract_lane(vmin, 1); if (t < w_min) w_min = t;
    t = wasm_f32x4_extract_lane(vmin, 2); if (t < w_min) w_min = t;
    t = wasm_f32x4_extract_lane(vmin, 3); if (t < w_min) w_min = t;
    t = wasm_f32x4_extract_lane(vmax, 1); if (t > w_max) w_max = t;
    t = wasm_f32x4_extract_lane(vmax, 2); if (t > w_max) w_max = t;
    t = wasm_f32x4_extract_lane(vmax, 3); if (t > w_max) w_max = t;

    float scale = (w_max - w_min) / n_bins_f;
    if (scale < eps) scale = eps;
    const int side = __builtin_fabsf(w_min) > __builtin_fabsf(w_max);
    if (!side) scale = -scale;
    const float edge = side ? w_min : w_max;
    const double r = (double)(edge / scale);
    const double q0 = r < 0 ? -__builtin_floor(-r + 0.5) : __builtin_floor(r + 0.5);
    float bias = 0.0f;
    if (q0 != 0) {
      scale = (float)((double)edge / q0);
      bias = edge;
    }
    scales[g] = scale;
    biases[g] = bias;

    const v128_t vb = wasm_f32x4_splat(bias);
    const v128_t vs = wasm_f32x4_splat(scale);
    uint32_t *out = w + g * words_per_group;
    for (int i = 0; i < gs; i += 16) {
      v128_t q[4];
      for (int k = 0; k < 4; k++) {
        v128_t x = wasm_f32x4_div(wasm_f32x4_sub(load4(src, kind, base + i + 4 * k), vb), vs);
        bad = wasm_v128_or(bad, wasm_f32x4_le(x, neg_half));
        x = wasm_f32x4_pmin(x, cap);
        v128_t ti = wasm_i32x4_trunc_sat_f32x4(x);
        v128_t up = wasm_f32x4_ge(wasm_f32x4_sub(x, wasm_f32x4_convert_i32x4(ti)), half);
        q[k] = wasm_i32x4_min(wasm_i32x4_sub(ti, up), bins); /* up is −1 where rounding up */
      }
      v128_t bytes = wasm_u8x16_narrow_i16x8(wasm_u16x8_narrow_i32x4(q[0], q[1]), wasm_u16x8_narrow_i32x4(q[2], q[3]));
      if (bits == 8) {
        wasm_v128_store(out + i / 4, bytes);
      } else if (bits == 4) {
        /* Two codes per byte, the even one low: 16 codes → 8 bytes (two words). */
        v128_t pairs = wasm_v128_or(wasm_v128_and(bytes, lo4), wasm_v128_and(wasm_u16x8_shr(bytes, 4), hi4));
        wasm_v128_store64_lane(out + i / 8, wasm_u8x16_narrow_i16x8(pairs, pairs), 0);
      } else {
        wasm_v128_store(codes + i, bytes);
      }
    }
    if (wasm_v128_any_true(bad)) return g;
    if (bits != 8 && bits != 4) pack_bits(codes, gs, bits, out);
  }
  return -1;
}
