/* threefry.c — JAX's classic threefry-2x32 PRNG and samplers (see threefry.h).
 *
 * Everything here reproduces the bits JAX (0.3/0.4, classic threefry,
 * 32-bit draws) produces, so float arithmetic is done in float32 exactly as
 * XLA's graph does it, one rounding per operation.  Floating-point
 * contraction (fused multiply-add) is switched off for this file: a fused
 * a*b+c rounds once where XLA's graph rounds twice.
 *
 * Caveat: XLA's CPU backend itself lets LLVM fuse multiply-adds on hosts
 * with FMA, so JAX on such a machine may differ from these (HLO-exact)
 * values by one float32 ulp in a few percent of normal draws and of
 * uniform draws with a range other than [0, 1).  Every value JAX has
 * published that we could find (tests/unit/test_threefry.c) is matched
 * exactly either way.
 */
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "threefry.h"

#include <math.h>
#include <string.h>

/* A float32 product, rounded on its own: the volatile round trip keeps a
 * compiler told to contract across statements (clang -ffp-contract=fast
 * ignores the pragmas above) from fusing it into a later addition. */
static inline float mul_f32(float a, float b) {
  volatile float p = a * b;
  return p;
}

/* ---- the block function ------------------------------------------------ */

static inline uint32_t rotl32(uint32_t x, unsigned r) {
  return (x << r) | (x >> (32u - r));
}

/* Four mix rounds with rotation constants r[0..3]. */
#define TF_ROUNDS(x0, x1, a, b, c, d)                 \
  do {                                                \
    x0 += x1; x1 = rotl32(x1, a); x1 ^= x0;           \
    x0 += x1; x1 = rotl32(x1, b); x1 ^= x0;           \
    x0 += x1; x1 = rotl32(x1, c); x1 ^= x0;           \
    x0 += x1; x1 = rotl32(x1, d); x1 ^= x0;           \
  } while (0)

void tf_block(uint32_t k0, uint32_t k1, uint32_t *px0, uint32_t *px1) {
  /* Key schedule: the third word is k0 ^ k1 ^ the Skein parity constant. */
  const uint32_t k2 = k0 ^ k1 ^ 0x1BD11BDAu;
  uint32_t x0 = *px0 + k0;
  uint32_t x1 = *px1 + k1;
  TF_ROUNDS(x0, x1, 13, 15, 26, 6);
  x0 += k1; x1 += k2 + 1u;
  TF_ROUNDS(x0, x1, 17, 29, 16, 24);
  x0 += k2; x1 += k0 + 2u;
  TF_ROUNDS(x0, x1, 13, 15, 26, 6);
  x0 += k0; x1 += k1 + 3u;
  TF_ROUNDS(x0, x1, 17, 29, 16, 24);
  x0 += k1; x1 += k2 + 4u;
  TF_ROUNDS(x0, x1, 13, 15, 26, 6);
  x0 += k2; x1 += k0 + 5u;
  *px0 = x0;
  *px1 = x1;
}

#undef TF_ROUNDS

/* ---- JAX's threefry_2x32 on a flat vector of counts --------------------- */

void tf_hash(const uint32_t key[2], const uint32_t *count, uint64_t n,
             uint32_t *out) {
  /* Pad to even length with a 0, split into halves x0 | x1, hash pairs
   * (x0[j], x1[j]); output = hashed x0 half, then hashed x1 half, pad
   * dropped.  Element j and h + j only depend on pair j, so doing the
   * pairs in increasing j is safe even when out == count. */
  const uint64_t h = (n + 1) / 2;
  for (uint64_t j = 0; j < h; j++) {
    uint32_t a = count[j];
    uint32_t b = (h + j < n) ? count[h + j] : 0u;
    tf_block(key[0], key[1], &a, &b);
    out[j] = a;
    if (h + j < n) out[h + j] = b;
  }
}

/* Element i of threefry_2x32(key, iota(n)) for n < 2**32. */
static uint32_t hash_iota_at(const uint32_t key[2], uint64_t n, uint64_t i) {
  const uint64_t h = (n + 1) / 2;
  uint64_t j = i < h ? i : i - h;
  uint32_t a = (uint32_t)j;
  uint32_t b = (h + j < n) ? (uint32_t)(h + j) : 0u;
  tf_block(key[0], key[1], &a, &b);
  return i < h ? a : b;
}

uint32_t tf_hash_iota_at(const uint32_t key[2], uint64_t n, uint64_t i) {
  return hash_iota_at(key, n, i);
}

/* Calls sink(ctx, i, bits_i) for every i < n, where bits_i is element i of
 * threefry_2x32(key, iota(n)) (n < 2**32 - 1), one block per output pair. */
typedef void (*BitsSink)(void *ctx, uint64_t i, uint32_t bits);

static void hash_iota_each(const uint32_t key[2], uint64_t n, uint64_t base,
                           BitsSink sink, void *ctx) {
  const uint64_t h = (n + 1) / 2;
  for (uint64_t j = 0; j < h; j++) {
    uint32_t a = (uint32_t)j;
    uint32_t b = (h + j < n) ? (uint32_t)(h + j) : 0u;
    tf_block(key[0], key[1], &a, &b);
    sink(ctx, base + j, a);
    if (h + j < n) sink(ctx, base + h + j, b);
  }
}

/* ---- seed, split, fold_in ----------------------------------------------- */

void tf_seed(int64_t seed, uint32_t key[2]) {
  /* jnp.asarray(np.int64(seed)) is int32 without x64: the high word of the
   * narrowed seed shifted right by 32 is 0. */
  key[0] = 0u;
  key[1] = (uint32_t)((uint64_t)seed & 0xFFFFFFFFu);
}

void tf_seed_x64(int64_t seed, uint32_t key[2]) {
  uint64_t u = (uint64_t)seed;
  key[0] = (uint32_t)(u >> 32);
  key[1] = (uint32_t)(u & 0xFFFFFFFFu);
}

void tf_split_row(const uint32_t key[2], uint64_t num, uint64_t row,
                  uint32_t out[2]) {
  out[0] = hash_iota_at(key, 2 * num, 2 * row);
  out[1] = hash_iota_at(key, 2 * num, 2 * row + 1);
}

static void store_sink(void *ctx, uint64_t i, uint32_t bits) {
  ((uint32_t *)ctx)[i] = bits;
}

void tf_split(const uint32_t key[2], uint64_t num, uint32_t *out) {
  hash_iota_each(key, 2 * num, 0, store_sink, out);
}

void tf_fold_in(const uint32_t key[2], uint32_t data, uint32_t out[2]) {
  /* threefry_2x32(key, threefry_seed(uint32(data))) = hash of the single
   * pair (0, data). */
  uint32_t a = 0u, b = data;
  tf_block(key[0], key[1], &a, &b);
  out[0] = a;
  out[1] = b;
}

/* ---- random bits --------------------------------------------------------- */

#define TF_U32MAX 0xFFFFFFFFull

/* Every bit of random_bits(key, 32, (n,)), in order, through sink.  Below
 * 2**32 - 1 words this is threefry_2x32(key, iota(n)); above, JAX splits
 * the key into nblocks + 1 subkeys and hashes iota(2**32 - 1) under each
 * of the first nblocks and iota(rem) under the last. */
static void bits_each(const uint32_t key[2], uint64_t n, BitsSink sink, void *ctx) {
  uint64_t nblocks = n / TF_U32MAX, rem = n % TF_U32MAX;
  if (nblocks == 0) {
    hash_iota_each(key, n, 0, sink, ctx);
    return;
  }
  for (uint64_t b = 0; b <= nblocks; b++) {
    uint32_t sub[2];
    tf_split_row(key, nblocks + 1, b, sub);
    hash_iota_each(sub, b < nblocks ? TF_U32MAX : rem, b * TF_U32MAX, sink, ctx);
  }
}

void tf_random_bits(const uint32_t key[2], uint64_t n, uint32_t *out) {
  bits_each(key, n, store_sink, out);
}

/* ---- float32 samplers ---------------------------------------------------- */

float tf_bits_to_unit(uint32_t bits) {
  /* 23 random mantissa bits under the exponent of 1.0f: a float in [1, 2). */
  uint32_t fb = (bits >> 9) | 0x3F800000u;
  float f;
  memcpy(&f, &fb, sizeof f);
  return f - 1.0f;
}

float tf_uniform_from_bits(uint32_t bits, float lo, float hi) {
  float u = tf_bits_to_unit(bits);
  float range = hi - lo;
  float scaled = mul_f32(u, range);
  float v = scaled + lo;
  /* lax.max(lo, v): v is never nan for finite lo, hi. */
  return v > lo ? v : lo;
}

/* float32 log1p, correctly rounded: the double result of a float argument
 * is accurate far beyond float precision. */
static float log1p_f32(float t) { return (float)log1p((double)t); }

float tf_erf_inv(float x) {
  /* Giles, "Approximating the erfinv function", single-precision branch,
   * with XLA's coefficients and XLA's order of operations. */
  static const float small[9] = {
      2.81022636e-08f,  3.43273939e-07f, -3.5233877e-06f,
      -4.39150654e-06f, 0.00021858087f,  -0.00125372503f,
      -0.00417768164f,  0.246640727f,    1.50140941f};
  static const float large[9] = {
      -0.000200214257f, 0.000100950558f, 0.00134934322f,
      -0.00367342844f,  0.00573950773f,  -0.0076224613f,
      0.00943887047f,   1.00167406f,     2.83297682f};
  if (fabsf(x) == 1.0f) return x * INFINITY; /* XLA: x * MaxValue (= inf) */
  float xx = x * x;
  float w = -log1p_f32(-xx);
  const float *c;
  if (w < 5.0f) {
    w = w - 2.5f;
    c = small;
  } else {
    w = sqrtf(w) - 3.0f;
    c = large;
  }
  float p = c[0];
  for (int i = 1; i < 9; i++) {
    float pw = mul_f32(p, w);
    p = c[i] + pw;
  }
  return p * x;
}

/* The lower bound JAX uses for normal: nextafter(-1, 0) in float32. */
#define TF_NORMAL_LO (-0.99999994f)
/* np.array(np.sqrt(2), float32) */
#define TF_SQRT2_F32 1.41421354f

float tf_normal_from_bits(uint32_t bits) {
  float u = tf_uniform_from_bits(bits, TF_NORMAL_LO, 1.0f);
  return TF_SQRT2_F32 * tf_erf_inv(u);
}

typedef struct {
  float lo, hi;
  float *fout;
  uint8_t *bout;
  float p;
} SampleCtx;

static void uniform_sink(void *ctx, uint64_t i, uint32_t bits) {
  SampleCtx *s = ctx;
  s->fout[i] = tf_uniform_from_bits(bits, s->lo, s->hi);
}

static void normal_sink(void *ctx, uint64_t i, uint32_t bits) {
  SampleCtx *s = ctx;
  s->fout[i] = tf_normal_from_bits(bits);
}

static void bernoulli_sink(void *ctx, uint64_t i, uint32_t bits) {
  SampleCtx *s = ctx;
  s->bout[i] = tf_uniform_from_bits(bits, 0.0f, 1.0f) < s->p;
}

void tf_uniform(const uint32_t key[2], uint64_t n, float lo, float hi, float *out) {
  SampleCtx s = {lo, hi, out, NULL, 0.0f};
  bits_each(key, n, uniform_sink, &s);
}

void tf_normal(const uint32_t key[2], uint64_t n, float *out) {
  SampleCtx s = {0.0f, 0.0f, out, NULL, 0.0f};
  bits_each(key, n, normal_sink, &s);
}

void tf_bernoulli(const uint32_t key[2], uint64_t n, float p, uint8_t *out) {
  SampleCtx s = {0.0f, 0.0f, NULL, out, p};
  bits_each(key, n, bernoulli_sink, &s);
}

/* ---- randint -------------------------------------------------------------- */

/* XLA's unsigned remainder: x % 0 is x. */
static inline uint32_t urem(uint32_t x, uint32_t y) { return y ? x % y : x; }

static int32_t clip_i32(int64_t v) {
  if (v < INT32_MIN) return INT32_MIN;
  if (v > INT32_MAX) return INT32_MAX;
  return (int32_t)v;
}

void tf_randint_setup(int64_t minval, int64_t maxval, TfRandint *r) {
  bool out_of_range = maxval > INT32_MAX;
  int32_t lo = clip_i32(minval), hi = clip_i32(maxval);
  uint32_t span = (uint32_t)hi - (uint32_t)lo; /* int32 subtraction, wrapped */
  if (hi <= lo) span = 1u;                     /* always return minval */
  else if (out_of_range) span += 1u;           /* may wrap to 0: full range */
  uint32_t m = urem(1u << 16, span);
  m = urem(m * m, span);
  r->lo = lo;
  r->span = span;
  r->multiplier = m;
}

int32_t tf_randint_from_bits(const TfRandint *r, uint32_t hi, uint32_t lo) {
  uint32_t off = urem(hi, r->span) * r->multiplier + urem(lo, r->span);
  off = urem(off, r->span);
  return (int32_t)((uint32_t)r->lo + off); /* int32 addition, wrapped */
}

typedef struct {
  const TfRandint *r;
  int32_t *out;
} RandintCtx;

/* First pass: keep the high draw's contribution (urem(hi) * m, wrapped). */
static void randint_hi_sink(void *ctx, uint64_t i, uint32_t bits) {
  RandintCtx *c = ctx;
  c->out[i] = (int32_t)(urem(bits, c->r->span) * c->r->multiplier);
}

static void randint_lo_sink(void *ctx, uint64_t i, uint32_t bits) {
  RandintCtx *c = ctx;
  uint32_t off = (uint32_t)c->out[i] + urem(bits, c->r->span);
  off = urem(off, c->r->span);
  c->out[i] = (int32_t)((uint32_t)c->r->lo + off);
}

void tf_randint(const uint32_t key[2], uint64_t n, int64_t minval, int64_t maxval,
                int32_t *out) {
  TfRandint r;
  tf_randint_setup(minval, maxval, &r);
  uint32_t k1[2], k2[2];
  tf_split_row(key, 2, 0, k1);
  tf_split_row(key, 2, 1, k2);
  RandintCtx c = {&r, out};
  bits_each(k1, n, randint_hi_sink, &c);
  bits_each(k2, n, randint_lo_sink, &c);
}

/* ---- permutation ------------------------------------------------------------ */

int tf_shuffle_rounds(uint64_t n) {
  double m = n > 1 ? (double)n : 1.0;
  return (int)ceil(3.0 * log(m) / log(4294967295.0));
}

/* Stable sort of (key[i], val[i]) by key: LSD radix sort, four 8-bit
 * passes (an even number, so the result ends in key/val again).  Ties keep
 * their order, as XLA's stable sort does. */
static void stable_sort_by_key(uint32_t *key, int64_t *val, uint64_t n,
                               uint32_t *tkey, int64_t *tval) {
  uint32_t *ks = key, *kd = tkey;
  int64_t *vs = val, *vd = tval;
  for (unsigned shift = 0; shift < 32; shift += 8) {
    uint64_t count[257] = {0};
    for (uint64_t i = 0; i < n; i++) count[((ks[i] >> shift) & 0xFFu) + 1]++;
    for (int d = 0; d < 256; d++) count[d + 1] += count[d];
    for (uint64_t i = 0; i < n; i++) {
      uint64_t pos = count[(ks[i] >> shift) & 0xFFu]++;
      kd[pos] = ks[i];
      vd[pos] = vs[i];
    }
    uint32_t *tk = ks; ks = kd; kd = tk;
    int64_t *tv = vs; vs = vd; vd = tv;
  }
}

void tf_permutation(const uint32_t key[2], uint64_t n, int64_t *perm,
                    uint32_t *bits, uint32_t *tbits, int64_t *tmp) {
  for (uint64_t i = 0; i < n; i++) perm[i] = (int64_t)i;
  int rounds = tf_shuffle_rounds(n);
  uint32_t k[2] = {key[0], key[1]};
  for (int r = 0; r < rounds; r++) {
    uint32_t next[2], sub[2];
    tf_split_row(k, 2, 0, next);
    tf_split_row(k, 2, 1, sub);
    k[0] = next[0];
    k[1] = next[1];
    tf_random_bits(sub, n, bits);
    stable_sort_by_key(bits, perm, n, tbits, tmp);
  }
}
