/*
 * WebAssembly SIMD (f32x4) kernel of affine-quantize.ts: the same per-group arithmetic, bit for bit (every
 * operation IEEE binary32, round to nearest-even; no FMA: built with -ffp-contract=off). Build with
 * src/mlx/build-affine-kernel.sh; the JS path (affine-quantize.ts) stays the reference and the fallback.
 *
 * Codes: min(round(x), n_bins) = round(min(x, n_bins)) (round is monotone), and Metal round() (halves away from
 * zero) of 0 ≤ x ≤ 255 is r + (x − r ≥ 0.5) with r = x rounded to nearest-even, got exactly by adding and
 * subtracting 2^23 — unlike x + 0.5, which can round up. x < 0 only occurs in (−0.5, 0) (see affine-quantize.ts)
 * and gives 0 here too. A lane with x ≤ −0.5 or NaN (every non-finite input ends as a NaN x: NaN − bias, or an
 * infinite edge making scale NaN) makes the kernel stop and report the group so the caller reruns it in JS.
 */
#include <wasm_simd128.h>
#include <stdint.h>

#define SRC_F32 0
#define SRC_BF16 1
/* Groups per pass (see affine_quantize): 32 groups of ≤ 128 f32 values stay within L1. */
#define BLOCK 32

/* Elements i…i+7 as two f32x4. bf16 → f32: the 16 bits become the high half of the f32 word (exact). */
static inline void load8(const void *src, int kind, int i, v128_t *a, v128_t *b) {
  if (kind == SRC_BF16) {
    const v128_t h = wasm_v128_load((const uint16_t *)src + i);
    const v128_t z = wasm_i16x8_splat(0);
    *a = wasm_i16x8_shuffle(z, h, 0, 8, 1, 9, 2, 10, 3, 11);
    *b = wasm_i16x8_shuffle(z, h, 4, 12, 5, 13, 6, 14, 7, 15);
  } else {
    *a = wasm_v128_load((const float *)src + i);
    *b = wasm_v128_load((const float *)src + i + 4);
  }
}

static inline v128_t code4(v128_t v, v128_t vb, v128_t vs, v128_t top, v128_t *ok) {
  const v128_t magic = wasm_f32x4_splat(8388608.0f); /* 2^23 */
  v128_t x = wasm_f32x4_div(wasm_f32x4_sub(v, vb), vs);
  *ok = wasm_v128_and(*ok, wasm_f32x4_gt(x, wasm_f32x4_splat(-0.5f)));
  x = wasm_f32x4_pmin(x, top);
  const v128_t m = wasm_f32x4_add(x, magic);
  const v128_t up = wasm_f32x4_ge(wasm_f32x4_sub(x, wasm_f32x4_sub(m, magic)), wasm_f32x4_splat(0.5f));
  return wasm_i32x4_sub(wasm_i32x4_sub(m, magic), up); /* m's low mantissa bits are r; up is −1 on a tie */
}

/* f32 → nearest bfloat16 (ties to even), as an f32; the value is finite here. */
static inline float round_bf16(float x) {
  uint32_t b = __builtin_bit_cast(uint32_t, x);
  b = (b + 0x7fffu + ((b >> 16) & 1u)) & 0xffff0000u;
  return __builtin_bit_cast(float, b);
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
 * With `bf16_out`, scales and biases are stored rounded to bfloat16 (RNE, as static_cast<bfloat16_t>).
 * Returns −1 when done, else the index of the first group it could not do (left to the JS path).
 */
__attribute__((export_name("affine_quantize")))
int affine_quantize(const void *src, int kind, int groups, int gs, int bits, float t_max, uint32_t *w, float *scales, float *biases, int bf16_out) {
  const int n_bins = (1 << bits) - 1;
  const float n_bins_f = (float)n_bins;
  const float eps = (float)1e-7;
  const int words_per_group = gs * bits / 32;
  uint8_t codes[128] __attribute__((aligned(16)));
  const v128_t top = wasm_f32x4_splat(n_bins_f);
  const v128_t lo4 = wasm_i16x8_splat(0x000f);
  const v128_t hi4 = wasm_i16x8_splat(0x00f0);

  /*
   * Two passes over blocks of BLOCK groups: first every group's scale and bias, then every group's codes. A
   * group's scale is a chain of dependent divisions; with no group waiting on the one before, the CPU overlaps
   * these chains across groups instead of stalling the code loop on each (the block stays in L1).
   */
  float blk_scale[BLOCK], blk_bias[BLOCK];
  for (int g0 = 0; g0 < groups; g0 += BLOCK) {
  const int g1 = g0 + BLOCK < groups ? g0 + BLOCK : groups;
  for (int g = g0; g < g1; g++) {
    const int base = g * gs;
    /* Four independent min/max chains (16 elements a step) so the compare latency overlaps. */
    v128_t mn[4], mx[4];
    for (int k = 0; k < 4; k++) {
      mn[k] = wasm_f32x4_splat(t_max);
      mx[k] = wasm_f32x4_splat(0.0f);
    }
    for (int i = 0; i < gs; i += 16) {
      v128_t v[4];
      load8(src, kind, base + i, &v[0], &v[1]);
      load8(src, kind, base + i + 8, &v[2], &v[3]);
      for (int k = 0; k < 4; k++) {
        mn[k] = wasm_f32x4_pmin(mn[k], v[k]);
        mx[k] = wasm_f32x4_pmax(mx[k], v[k]);
      }
    }
    const v128_t vmin = wasm_f32x4_pmin(wasm_f32x4_pmin(mn[0], mn[1]), wasm_f32x4_pmin(mn[2], mn[3]));
    const v128_t vmax = wasm_f32x4_pmax(wasm_f32x4_pmax(mx[0], mx[1]), wasm_f32x4_pmax(mx[2], mx[3]));
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
    scales[g] = bf16_out ? round_bf16(scale) : scale;
    biases[g] = bf16_out ? round_bf16(bias) : bias;
    blk_scale[g - g0] = scale;
    blk_bias[g - g0] = bias;
  }

  for (int g = g0; g < g1; g++) {
    const int base = g * gs;
    const v128_t vb = wasm_f32x4_splat(blk_bias[g - g0]);
    const v128_t vs = wasm_f32x4_splat(blk_scale[g - g0]);
    uint32_t *out = w + g * words_per_group;
    v128_t ok = wasm_i32x4_splat(-1);
    for (int i = 0; i < gs; i += 16) {
      v128_t q[4];
      for (int k = 0; k < 4; k += 2) {
        v128_t a, b;
        load8(src, kind, base + i + 4 * k, &a, &b);
        q[k] = code4(a, vb, vs, top, &ok);
        q[k + 1] = code4(b, vb, vs, top, &ok);
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
    if (!wasm_i32x4_all_true(ok)) return g;
    if (bits != 8 && bits != 4) pack_bits(codes, gs, bits, out);
  }
  }
  return -1;
}
