/* threefry.h — JAX's classic threefry-2x32 PRNG and its samplers, in pure C.
 *
 * Owns: the threefry-2x32 block function and everything JAX builds on it in
 * its classic (non-partitionable) scheme with 32-bit draws: seeding,
 * split, fold_in, random bits, and the float32 uniform / normal / bernoulli,
 * the int32 randint and the sort-based permutation.  No interpreter types
 * and no allocation: callers pass every buffer (see each function).
 *
 * A key is two uint32 words, key[0] and key[1] (JAX's uint32[2]).
 *
 * JAX reference (jax/_src/prng.py, jax/_src/random.py, JAX 0.3/0.4 with
 * jax_threefry_partitionable=False and jax_enable_x64=False):
 *   threefry_2x32(key, count): the counts are flattened, padded with one 0
 *     if their number is odd, cut into two halves x0 | x1, hashed pairwise
 *     (x0[i], x1[i]) and the two output halves concatenated (pad dropped).
 *   PRNGKey(seed)       = [0, seed mod 2**32] (seed narrowed to int32)
 *   random_bits(key, n) = threefry_2x32(key, iota(n))
 *   split(key, num)     = threefry_2x32(key, iota(2*num)) as num rows of 2
 *   fold_in(key, d)     = threefry_2x32(key, [0, d])
 *   uniform: float32 from the top 23 bits OR'ed into 1.0f, minus 1, then
 *     max(lo, u * (hi - lo) + lo), all in float32.
 *   normal:  sqrt(2)_f32 * erf_inv_f32(uniform(nextafter(-1, 0), 1)) with
 *     XLA's float32 ErfInv polynomial.
 */
#ifndef JX_THREEFRY_H
#define JX_THREEFRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One threefry-2x32 block (20 rounds) of the counter pair (*x0, *x1) under
 * key (k0, k1); the result replaces the counters. */
void tf_block(uint32_t k0, uint32_t k1, uint32_t *x0, uint32_t *x1);

/* JAX's threefry_2x32(key, count) on n flat counts: out[n] (out may alias
 * count only if out == count). */
void tf_hash(const uint32_t key[2], const uint32_t *count, uint64_t n,
             uint32_t *out);

/* Element i of threefry_2x32(key, iota(n)) (0 <= i < n). */
uint32_t tf_hash_iota_at(const uint32_t key[2], uint64_t n, uint64_t i);

/* PRNGKey(seed) as JAX makes it by default (jax_enable_x64 off): the seed
 * is narrowed to 32 bits first, so key = [0, seed & 0xFFFFFFFF]
 * (JAX tests/random_test.py test_prng_seeds_and_keys: PRNGKey(-1) is
 * [0, 4294967295]). */
void tf_seed(int64_t seed, uint32_t key[2]);
/* The same with jax_enable_x64 on: key = [seed >> 32, seed & 0xFFFFFFFF]
 * (the high word of the two's-complement bit pattern). */
void tf_seed_x64(int64_t seed, uint32_t key[2]);

/* split(key, num): out[2*num], row r = (out[2r], out[2r+1]). */
void tf_split(const uint32_t key[2], uint64_t num, uint32_t *out);
/* One row of split(key, num) without computing the others. */
void tf_split_row(const uint32_t key[2], uint64_t num, uint64_t row,
                  uint32_t out[2]);

/* fold_in(key, data) for a 32-bit data word. */
void tf_fold_in(const uint32_t key[2], uint32_t data, uint32_t out[2]);

/* random_bits(key, 32, (n,)): out[n].  Handles JAX's block scheme for
 * n >= 2**32 - 1 too. */
void tf_random_bits(const uint32_t key[2], uint64_t n, uint32_t *out);

/* ---- float32 samplers (elementwise on random bits) ------------------- */

/* The float32 in [0, 1) that JAX makes from 32 random bits. */
float tf_bits_to_unit(uint32_t bits);
/* uniform in [lo, hi): max(lo, unit * (hi - lo) + lo) in float32. */
float tf_uniform_from_bits(uint32_t bits, float lo, float hi);
/* XLA's float32 erf_inv (Giles' polynomial); +-1 give +-inf. */
float tf_erf_inv(float x);
/* A standard normal from 32 random bits, as JAX's _normal_real. */
float tf_normal_from_bits(uint32_t bits);

/* Convenience: fill out[n] for one key (random bits computed inside, one
 * block at a time; no allocation). */
void tf_uniform(const uint32_t key[2], uint64_t n, float lo, float hi, float *out);
void tf_normal(const uint32_t key[2], uint64_t n, float *out);
/* bernoulli with one probability p (already float32): out[i] = u < p. */
void tf_bernoulli(const uint32_t key[2], uint64_t n, float p, uint8_t *out);

/* ---- randint (int32, JAX's two-draw algorithm) ----------------------- */

/* The span/multiplier of randint for one (minval, maxval) pair.  minval
 * and maxval are clipped to int32 as JAX does for its default int32. */
typedef struct {
  int32_t lo;          /* clipped minval */
  uint32_t span;       /* 0 means 2**32 (full range) */
  uint32_t multiplier; /* 2**32 % span, computed as JAX does */
} TfRandint;
void tf_randint_setup(int64_t minval, int64_t maxval, TfRandint *r);
/* The value from the two draws: hi from the first split key, lo from the second. */
int32_t tf_randint_from_bits(const TfRandint *r, uint32_t hi, uint32_t lo);
/* randint(key, (n,), minval, maxval): out[n]. */
void tf_randint(const uint32_t key[2], uint64_t n, int64_t minval, int64_t maxval,
                int32_t *out);

/* ---- permutation (JAX's _shuffle) ------------------------------------ */

/* Number of sort rounds JAX uses for n items: ceil(3 ln(max(1,n)) / ln(2**32-1)). */
int tf_shuffle_rounds(uint64_t n);
/* permutation(key, n) as JAX computes _shuffle(key, arange(n)): perm[n]
 * receives the permuted indices.  Scratch: bits[n] (uint32) and tmp[n]
 * (int64) plus tbits[n] (uint32) for the stable merge sort. */
void tf_permutation(const uint32_t key[2], uint64_t n, int64_t *perm,
                    uint32_t *bits, uint32_t *tbits, int64_t *tmp);

#endif
