/* test_threefry.c — known-answer tests of stdlib/threefry.c against values
 * JAX itself printed or asserted (classic threefry, 32-bit draws).
 *
 * Sources of the expected values:
 *  - Random123 / JAX tests/random_test.py testThreefry2x32 (block function),
 *    testRngRandomBits (bits of PRNGKey(1701)), testPRNGValues (split,
 *    fold_in, randint of PRNGKey(0)), _RANDOM_VALUES_CASES (uniform,
 *    normal, bernoulli, randint, bits with seed zlib.adler32(name+impl)),
 *    test_prng_seeds_and_keys (seeds -> keys, both x64 columns).
 *  - JAX docs notebooks (jax-101/05-random-numbers, Common_Gotchas_in_JAX,
 *    quickstart), jax/random.py and jnp docstrings, docs/jep/9263.
 *  - The seed notebooks / conformance tests of this project (seed 001:
 *    normal(PRNGKey(0), ()) = -0.20584226, W, b, v, u).
 * Float expectations written as JAX printed them (shortest float32 repr) are
 * compared exactly after rounding the literal to float32.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "stdlib/threefry.h"

static void key_of(int64_t seed, uint32_t k[2]) { tf_seed(seed, k); }

static void split_pair(const uint32_t k[2], uint32_t a[2], uint32_t b[2]) {
  uint32_t o[4];
  tf_split(k, 2, o);
  a[0] = o[0]; a[1] = o[1];
  b[0] = o[2]; b[1] = o[3];
}

#define EXPECT_F32(got, lit)                                                    \
  cr_expect((float)(got) == (float)(lit), "%s: got %.9g, expected %.9g", #got,  \
            (double)(got), (double)(float)(lit))

/* ---- block function ------------------------------------------------------ */

Test(threefry, block_known_answers) {
  uint32_t a = 0, b = 0;
  tf_block(0, 0, &a, &b);
  cr_expect_eq(a, 0x6b200159u);
  cr_expect_eq(b, 0x99ba4efeu);
  a = b = 0xFFFFFFFFu;
  tf_block(0xFFFFFFFFu, 0xFFFFFFFFu, &a, &b);
  cr_expect_eq(a, 0x1cb996fcu);
  cr_expect_eq(b, 0xbb002be7u);
  a = 0x243f6a88u;
  b = 0x85a308d3u;
  tf_block(0x13198a2eu, 0x03707344u, &a, &b);
  cr_expect_eq(a, 0xc4923a9cu);
  cr_expect_eq(b, 0x483df7a0u);
}

Test(threefry, hash_pads_odd_counts) {
  /* threefry_2x32 on [c0, c1, c2]: pairs (c0, c2) and (c1, 0). */
  uint32_t key[2] = {0x13198a2eu, 0x03707344u};
  uint32_t cnt[3] = {0x243f6a88u, 7u, 0x85a308d3u}, out[3];
  tf_hash(key, cnt, 3, out);
  cr_expect_eq(out[0], 0xc4923a9cu);
  cr_expect_eq(out[2], 0x483df7a0u);
  uint32_t a = 7u, b = 0u;
  tf_block(key[0], key[1], &a, &b);
  cr_expect_eq(out[1], a);
  /* in place */
  tf_hash(key, cnt, 3, cnt);
  cr_expect_eq(cnt[0], out[0]);
  cr_expect_eq(cnt[1], out[1]);
  cr_expect_eq(cnt[2], out[2]);
}

/* ---- seeds and keys ------------------------------------------------------- */

Test(threefry, seeds) {
  /* test_prng_seeds_and_keys, jax_enable_x64 off (JAX's default) */
  uint32_t k[2];
  key_of(0, k);
  cr_expect(k[0] == 0 && k[1] == 0);
  key_of(42, k);
  cr_expect(k[0] == 0 && k[1] == 42);
  key_of(-1, k);
  cr_expect(k[0] == 0 && k[1] == 4294967295u);
  key_of(-3, k);
  cr_expect(k[0] == 0 && k[1] == 4294967293u);
  key_of((int64_t)INT32_MAX + 100, k);
  cr_expect(k[0] == 0 && k[1] == 2147483747u);
  key_of((int64_t)INT32_MIN - 100, k);
  cr_expect(k[0] == 0 && k[1] == 2147483548u);
  key_of((int64_t)INT32_MIN - 101, k);
  cr_expect(k[0] == 0 && k[1] == 2147483547u);
  key_of(INT64_C(0x123456789), k);
  cr_expect(k[0] == 0 && k[1] == 0x23456789u);
  /* the same table with jax_enable_x64 on */
  tf_seed_x64(-1, k);
  cr_expect(k[0] == 4294967295u && k[1] == 4294967295u);
  tf_seed_x64(-3, k);
  cr_expect(k[0] == 4294967295u && k[1] == 4294967293u);
  tf_seed_x64((int64_t)INT32_MIN - 101, k);
  cr_expect(k[0] == 4294967295u && k[1] == 2147483547u);
  tf_seed_x64((int64_t)INT32_MAX + 100, k);
  cr_expect(k[0] == 0 && k[1] == 2147483747u);
  tf_seed_x64(INT64_C(0x123456789), k);
  cr_expect(k[0] == 1 && k[1] == 0x23456789u);
}

Test(threefry, split_and_fold_in) {
  uint32_t k[2], s[8];
  key_of(0, k);
  tf_split(k, 4, s);
  const uint32_t want[8] = {2285895361u, 1501764800u, 1518642379u, 4090693311u,
                            433833334u,  4221794875u, 839183663u,  3740430601u};
  for (int i = 0; i < 8; i++) cr_expect_eq(s[i], want[i], "split word %d", i);
  for (int r = 0; r < 4; r++) {
    uint32_t row[2];
    tf_split_row(k, 4, (uint64_t)r, row);
    cr_expect(row[0] == want[2 * r] && row[1] == want[2 * r + 1]);
  }
  uint32_t f[2];
  tf_fold_in(k, 4, f);
  cr_expect(f[0] == 2285895361u && f[1] == 433833334u);

  /* Common_Gotchas_in_JAX: key, subkey = split(PRNGKey(0)) twice. */
  uint32_t a[2], b[2];
  split_pair(k, a, b);
  cr_expect(a[0] == 4146024105u && a[1] == 967050713u);
  cr_expect(b[0] == 2718843009u && b[1] == 1272950319u);
  split_pair(a, k, b);
  cr_expect(k[0] == 2384771982u && k[1] == 3928867769u);
  cr_expect(b[0] == 1278412471u && b[1] == 2182328957u);

  /* jax-101 random numbers: split(PRNGKey(42)). */
  key_of(42, k);
  split_pair(k, a, b);
  cr_expect(a[0] == 2465931498u && a[1] == 3679230171u);
  cr_expect(b[0] == 255383827u && b[1] == 267815257u);
}

Test(threefry, split_zero) {
  uint32_t k[2] = {1, 2};
  tf_split(k, 0, NULL); /* no output, no crash */
}

/* ---- random bits ----------------------------------------------------------- */

Test(threefry, random_bits) {
  uint32_t k[2], bits[5];
  key_of(1701, k);
  tf_random_bits(k, 3, bits);
  cr_expect_eq(bits[0], 56197195u);
  cr_expect_eq(bits[1], 4200222568u);
  cr_expect_eq(bits[2], 961309823u);
  key_of(942802475, k); /* adler32("bitsthreefry2x32") */
  tf_random_bits(k, 5, bits);
  const uint32_t want[5] = {1978747883u, 4134381225u, 3628107870u, 689687174u,
                            2788938207u};
  for (int i = 0; i < 5; i++) cr_expect_eq(bits[i], want[i]);
  for (int i = 0; i < 5; i++) cr_expect_eq(tf_hash_iota_at(k, 5, (uint64_t)i), want[i]);
  tf_random_bits(k, 0, NULL);
}

/* ---- uniform ------------------------------------------------------------------ */

Test(threefry, unit_from_bits) {
  cr_expect_eq(tf_bits_to_unit(0u), 0.0f);
  cr_expect_eq(tf_bits_to_unit(0xFFFFFFFFu), 1.0f - ldexpf(1.0f, -23));
  cr_expect_eq(tf_bits_to_unit(0x80000000u), 0.5f);
  cr_expect_eq(tf_bits_to_unit(0x000001FFu), 0.0f); /* low 9 bits ignored */
}

Test(threefry, uniform_values) {
  uint32_t k[2], s[2], t[2];
  float u[5];
  key_of(0, k);
  tf_uniform(k, 1, 0.0f, 1.0f, u);
  EXPECT_F32(u[0], 0.41845703);
  split_pair(k, s, t);
  tf_uniform(t, 1, 0.0f, 1.0f, u);
  EXPECT_F32(u[0], 0.10536897);
  tf_uniform(k, 3, 0.0f, 1.0f, u);
  EXPECT_F32(u[0], 0.9653214);
  EXPECT_F32(u[1], 0.31468165);
  EXPECT_F32(u[2], 0.63302994);
  key_of(1338574713, k); /* adler32("uniformthreefry2x32") */
  tf_uniform(k, 5, 0.0f, 1.0f, u);
  const double want[5] = {0.298671, 0.073213, 0.873356, 0.260549, 0.412797};
  for (int i = 0; i < 5; i++) cr_expect(fabs(u[i] - want[i]) < 1e-6, "u[%d] = %.9g", i, u[i]);
}

static void check_uniform_range(int64_t seed, float lo, float hi, const double *want) {
  uint32_t k[2];
  float u[9];
  key_of(seed, k);
  tf_uniform(k, 9, lo, hi, u);
  for (int i = 0; i < 9; i++)
    cr_expect(fabs(u[i] - want[i]) <= 0.005 + 1e-6, "seed %ld u[%d] = %.9g, want %.2f",
              (long)seed, i, u[i], want[i]);
}

Test(threefry, uniform_minval_maxval) {
  /* jnp.fix / ceil / trunc / floor docstrings, printed with precision=2. */
  const double k0[9] = {-1.45, 1.04, -0.72, -2.69, 1.74, -0.6, -2.49, -2.23, 2.68};
  const double k1[9] = {2.55, -1.87, -3.76, 0.48, 3.85, -1.94, 3.2, 4.56, -1.43};
  const double k42a[9] = {2.88, -3.55, -6.13, 7.73, 4.49, -6.16, -3.1, -4.95, 2.64};
  const double k42b[9] = {1.44, -1.77, -3.07, 3.86, 2.25, -3.08, -1.55, -2.48, 1.32};
  check_uniform_range(0, -5.0f, 5.0f, k0);
  check_uniform_range(1, -5.0f, 5.0f, k1);
  check_uniform_range(42, -10.0f, 10.0f, k42a);
  check_uniform_range(42, -5.0f, 5.0f, k42b);
}

Test(threefry, uniform_is_at_least_minval) {
  /* max(lo, ...) guards rounding below lo. */
  for (uint32_t b = 0; b < 1000; b++) {
    float v = tf_uniform_from_bits(b * 4294967u, -3.0f, 1e-7f);
    cr_assert(v >= -3.0f && v < 1e-7f);
  }
}

/* ---- normal ------------------------------------------------------------------- */

Test(threefry, normal_prngkey0) {
  uint32_t k[2];
  float x;
  key_of(0, k);
  tf_normal(k, 1, &x);
  EXPECT_F32(x, -0.20584226);
  cr_expect_eq((double)x, -0.2058422565460205);
  float q[10];
  tf_normal(k, 10, q);
  const double want[10] = {-0.3721109,  0.26423115, -0.18252768, -0.7368197,
                           -0.44030377, -0.1521442, -0.67135346, -0.5908641,
                           0.73168886,  0.5673026};
  for (int i = 0; i < 10; i++) EXPECT_F32(q[i], want[i]);
}

Test(threefry, normal_gotchas_sequence) {
  uint32_t k[2], a[2], b[2];
  float x;
  key_of(0, k);
  split_pair(k, a, b);
  tf_normal(b, 1, &x);
  EXPECT_F32(x, -1.2515389);
  split_pair(a, k, b);
  tf_normal(b, 1, &x);
  EXPECT_F32(x, -0.58665055);
  uint32_t s[8];
  tf_split(k, 4, s);
  const double want[3] = {-0.37533438, 0.98645043, 0.14553197};
  for (int i = 1; i < 4; i++) {
    tf_normal(s + 2 * i, 1, &x);
    EXPECT_F32(x, want[i - 1]);
  }
}

Test(threefry, normal_key42) {
  /* jax-101 "random numbers" notebook.  Those outputs were produced on an
   * accelerator whose float32 log/erf_inv differ from XLA's CPU ones by a
   * few ulps (about 7e-8 absolute), so they are checked to 2e-7 + 1e-6
   * relative, not exactly. */
  uint32_t k[2], a[2], b[2], s[6];
  float x, v[3];
#define NEAR(got, want) cr_expect(fabs((got) - (want)) <= 2e-7 + 1e-6 * fabs(want), \
                                  "%s = %.9g, want %.9g", #got, (double)(got), (double)(want))
  key_of(42, k);
  tf_normal(k, 1, &x);
  NEAR(x, -0.18471184);
  split_pair(k, a, b);
  tf_normal(b, 1, &x);
  NEAR(x, 1.3694694);
  tf_split(k, 3, s);
  const double ind[3] = {-0.04838839, 0.10796146, -1.2226542};
  for (int i = 0; i < 3; i++) {
    tf_normal(s + 2 * i, 1, &x);
    NEAR(x, ind[i]);
  }
  tf_normal(k, 3, v);
  NEAR(v[0], 0.18693541);
  NEAR(v[1], -1.2806507);
  NEAR(v[2], -1.5593133);
#undef NEAR
}

Test(threefry, normal_seed_notebooks) {
  /* Seed 001: key, W_key, b_key = split(PRNGKey(0), 3); W = normal(W_key, (3,));
   * b = normal(b_key, ()); then key, subkey = split(key) repeatedly. */
  uint32_t k[2], s[6], key[2], a[2], sub[2];
  float W[3], b, v[3], u[4];
  key_of(0, k);
  tf_split(k, 3, s);
  tf_normal(s + 2, 3, W);
  tf_normal(s + 4, 1, &b);
  cr_expect(fabs(W[0] - -0.36838785) < 5e-9 && fabs(W[1] - -2.27568889) < 5e-9 &&
            fabs(W[2] - 0.01144757) < 5e-9);
  cr_expect_eq((double)b, 0.8535516262054443);
  key[0] = s[0]; key[1] = s[1];
  split_pair(key, a, sub);
  tf_normal(sub, 3, v);
  cr_expect(fabs(v[0] - 0.96724623) < 5e-9 && fabs(v[1] - -0.56278366) < 5e-9 &&
            fabs(v[2] - 0.37913179) < 5e-9);
  for (int i = 0; i < 4; i++) {
    split_pair(key, a, sub);
    key[0] = a[0]; key[1] = a[1];
  }
  tf_normal(sub, 4, u);
  EXPECT_F32(u[0], -0.6668207);
  EXPECT_F32(u[1], 0.36615133);
  EXPECT_F32(u[2], 0.35238004);
  EXPECT_F32(u[3], -0.10669762);
  /* Seed 002: normal(PRNGKey(1234), (5,)). */
  float x[5];
  key_of(1234, k);
  tf_normal(k, 5, x);
  const double want[5] = {0.90665472, -0.94533759, 0.08205657, -1.84363616, 0.45950902};
  for (int i = 0; i < 5; i++) cr_expect(fabs(x[i] - want[i]) < 5e-9, "x[%d]", i);
}

Test(threefry, normal_random_values_case) {
  uint32_t k[2];
  float x[5];
  key_of(1193674498, k); /* adler32("normalthreefry2x32") */
  tf_normal(k, 5, x);
  const double want[5] = {-1.173234, -1.511662, 0.070593, -0.099764, 1.052845};
  for (int i = 0; i < 5; i++) cr_expect(fabs(x[i] - want[i]) < 1e-6, "x[%d] = %.9g", i, x[i]);
}

Test(threefry, erf_inv) {
  cr_expect_eq(tf_erf_inv(0.0f), 0.0f);
  cr_expect(isinf(tf_erf_inv(1.0f)) && tf_erf_inv(1.0f) > 0);
  cr_expect(isinf(tf_erf_inv(-1.0f)) && tf_erf_inv(-1.0f) < 0);
  /* accuracy against erf in double, both branches (w < 5 and w >= 5) */
  const float xs[] = {-0.99999994f, -0.999f, -0.9f, -0.5f, -1e-3f, 1e-6f, 0.25f,
                      0.7f, 0.99f, 0.9966f, 0.99999f};
  for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
    double y = tf_erf_inv(xs[i]);
    cr_expect(fabs(erf(y) - xs[i]) <= 4e-7 * (1 + fabs(y)), "erf_inv(%.9g) = %.9g",
              (double)xs[i], y);
  }
  /* odd symmetry */
  cr_expect_eq(tf_erf_inv(-0.3f), -tf_erf_inv(0.3f));
  /* extreme normal draws stay finite */
  cr_expect(isfinite(tf_normal_from_bits(0u)));
  cr_expect(isfinite(tf_normal_from_bits(0xFFFFFFFFu)));
  cr_expect(tf_normal_from_bits(0u) < -5.0f);
  cr_expect(tf_normal_from_bits(0xFFFFFFFFu) > 5.0f);
}

/* ---- bernoulli ------------------------------------------------------------------ */

Test(threefry, bernoulli) {
  uint32_t k[2];
  uint8_t b[5];
  key_of(1612777541, k); /* adler32("bernoullithreefry2x32") */
  tf_bernoulli(k, 5, 0.5f, b);
  const uint8_t want[5] = {0, 1, 1, 1, 0};
  for (int i = 0; i < 5; i++) cr_expect_eq(b[i], want[i], "b[%d]", i);
  tf_bernoulli(k, 5, 0.0f, b);
  for (int i = 0; i < 5; i++) cr_expect_eq(b[i], 0);
  tf_bernoulli(k, 5, 1.0f, b);
  for (int i = 0; i < 5; i++) cr_expect_eq(b[i], 1);
}

/* ---- randint --------------------------------------------------------------------- */

Test(threefry, randint_values) {
  uint32_t k[2];
  int32_t r[9];
  key_of(0, k);
  tf_randint(k, 9, 0, 8, r);
  const int32_t want[9] = {2, 1, 3, 6, 1, 5, 6, 3, 4};
  for (int i = 0; i < 9; i++) cr_expect_eq(r[i], want[i], "r[%d]", i);
  key_of(1319372649, k); /* adler32("randintthreefry2x32") */
  tf_randint(k, 5, 0, 10, r);
  const int32_t want2[5] = {0, 5, 7, 7, 5};
  for (int i = 0; i < 5; i++) cr_expect_eq(r[i], want2[i], "r[%d]", i);
}

Test(threefry, randint_edges) {
  uint32_t k[2];
  int32_t r[64];
  key_of(7, k);
  /* empty / reversed ranges give minval (span forced to 1) */
  tf_randint(k, 64, 5, 5, r);
  for (int i = 0; i < 64; i++) cr_expect_eq(r[i], 5);
  tf_randint(k, 64, 9, 3, r);
  for (int i = 0; i < 64; i++) cr_expect_eq(r[i], 9);
  /* negative ranges stay inside [lo, hi) */
  tf_randint(k, 64, -7, -2, r);
  for (int i = 0; i < 64; i++) cr_expect(r[i] >= -7 && r[i] < -2);
  /* full int32 range: span wraps to 0, remainders are no-ops */
  TfRandint s;
  tf_randint_setup(INT64_MIN, INT64_MAX, &s);
  cr_expect_eq(s.lo, INT32_MIN);
  cr_expect_eq(s.span, 0u);
  cr_expect_eq(tf_randint_from_bits(&s, 123u, 0u), INT32_MIN);
  cr_expect_eq(tf_randint_from_bits(&s, 0u, 0xFFFFFFFFu), INT32_MAX);
  /* maxval just past int32: span grows by one */
  tf_randint_setup(0, (int64_t)INT32_MAX + 1, &s);
  cr_expect_eq(s.span, 0x80000000u);
  tf_randint(k, 64, 0, (int64_t)1 << 40, r);
  for (int i = 0; i < 64; i++) cr_expect(r[i] >= 0);
  /* large span (> 2**16): the multiplier product wraps in uint32 like XLA */
  tf_randint_setup(0, 100000, &s);
  cr_expect_eq(s.multiplier, (uint32_t)(((65536u % 100000u) * (65536u % 100000u)) % 100000u));
  tf_randint(k, 64, 0, 100000, r);
  for (int i = 0; i < 64; i++) cr_expect(r[i] >= 0 && r[i] < 100000);
}

/* ---- permutation ------------------------------------------------------------------- */

Test(threefry, shuffle_rounds) {
  cr_expect_eq(tf_shuffle_rounds(0), 0);
  cr_expect_eq(tf_shuffle_rounds(1), 0);
  cr_expect_eq(tf_shuffle_rounds(2), 1);
  cr_expect_eq(tf_shuffle_rounds(1625), 1);
  cr_expect_eq(tf_shuffle_rounds(1626), 2);
  cr_expect_eq(tf_shuffle_rounds(2642245), 2);
  cr_expect_eq(tf_shuffle_rounds(2642246), 3);
}

static void perm_of(const uint32_t k[2], uint64_t n, int64_t *perm) {
  uint32_t *bits = malloc(n * 4 + 4), *tb = malloc(n * 4 + 4);
  int64_t *tmp = malloc(n * 8 + 8);
  tf_permutation(k, n, perm, bits, tb, tmp);
  free(bits);
  free(tb);
  free(tmp);
}

Test(threefry, permutation_is_sort_by_bits) {
  /* One round: the permutation sorts arange(n) by the bits of the second
   * key of split(key), ties kept in order. */
  uint32_t k[2], a[2], sub[2];
  key_of(0, k);
  enum { N = 10 };
  int64_t perm[N];
  perm_of(k, N, perm);
  split_pair(k, a, sub);
  uint32_t bits[N];
  tf_random_bits(sub, N, bits);
  int seen[N] = {0};
  for (int i = 0; i < N; i++) {
    cr_assert(perm[i] >= 0 && perm[i] < N);
    seen[perm[i]]++;
    if (i > 0) cr_expect(bits[perm[i - 1]] <= bits[perm[i]]);
  }
  for (int i = 0; i < N; i++) cr_expect_eq(seen[i], 1);
}

Test(threefry, permutation_two_rounds_is_a_permutation) {
  uint32_t k[2];
  key_of(3, k);
  uint64_t n = 5000; /* 2 rounds */
  int64_t *perm = malloc(n * 8);
  perm_of(k, n, perm);
  char *seen = calloc(n, 1);
  for (uint64_t i = 0; i < n; i++) {
    cr_assert(perm[i] >= 0 && (uint64_t)perm[i] < n);
    cr_assert(!seen[perm[i]]);
    seen[perm[i]] = 1;
  }
  free(seen);
  free(perm);
}

/* Reference shuffle: each round qsorts (bits, position) pairs, i.e. a
 * stable sort by bits, as XLA's stable sort_key_val. */
typedef struct {
  uint32_t bits;
  uint64_t pos;
  int64_t val;
} RefItem;
static int ref_cmp(const void *a, const void *b) {
  const RefItem *x = a, *y = b;
  if (x->bits != y->bits) return x->bits < y->bits ? -1 : 1;
  return x->pos < y->pos ? -1 : x->pos > y->pos;
}

Test(threefry, permutation_matches_reference_shuffle) {
  uint32_t k[2];
  key_of(11, k);
  const uint64_t n = 3000; /* 2 rounds */
  int64_t *perm = malloc(n * 8);
  perm_of(k, n, perm);
  RefItem *it = malloc(n * sizeof *it);
  uint32_t *bits = malloc(n * 4);
  for (uint64_t i = 0; i < n; i++) it[i].val = (int64_t)i;
  uint32_t kk[2] = {k[0], k[1]};
  for (int r = 0; r < tf_shuffle_rounds(n); r++) {
    uint32_t next[2], sub[2];
    split_pair(kk, next, sub);
    kk[0] = next[0];
    kk[1] = next[1];
    tf_random_bits(sub, n, bits);
    for (uint64_t i = 0; i < n; i++) {
      it[i].bits = bits[i];
      it[i].pos = i;
    }
    qsort(it, n, sizeof *it, ref_cmp);
  }
  for (uint64_t i = 0; i < n; i++) cr_assert_eq(perm[i], it[i].val, "perm[%lu]", (unsigned long)i);
  free(bits);
  free(it);
  free(perm);
}

Test(threefry, permutation_small) {
  uint32_t k[2] = {1, 2};
  int64_t p[1] = {99};
  perm_of(k, 1, p);
  cr_expect_eq(p[0], 0);
  perm_of(k, 0, p);
}
