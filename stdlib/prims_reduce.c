/* prims_reduce.c — impl_/shape_ for the reductions (reduce_sum, _max,
 * _min, _prod, _and, _or over any set of axes), argmax/argmin along one
 * axis, and cumsum.
 *
 * A reduction collapses the input into alternating groups of kept and
 * reduced dimensions and removes one reduced group per pass, innermost
 * first, each pass a (outer, R, inner) -> (outer, inner) kernel: rows
 * (inner == 1) or accumulation of whole rows (inner > 1).  Float sums
 * are pairwise (rows) or blocked (row accumulation) for accuracy.
 */
#include "arr_internal.h"

#include <stdlib.h>

#pragma GCC optimize("O3")

static const Params P0;
#define PRM(p) ((p) ? (p) : &P0)

/* ------------------------------------------------------------------ */
/* kernels                                                             */

/* Pairwise sum: blocks of up to 256 summed with 8 accumulators, blocks
 * combined by recursive halving. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
double sum_f64(const double *x, int64_t n) {
  if (n < 8) {
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) s += x[i];
    return s;
  }
  if (n <= 256) {
    double r[8];
    for (int j = 0; j < 8; j++) r[j] = x[j];
    int64_t i = 8;
    for (; i + 8 <= n; i += 8)
      for (int j = 0; j < 8; j++) r[j] += x[i + j];
    double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) s += x[i];
    return s;
  }
  int64_t h = (n / 2) & ~(int64_t)7;
  return sum_f64(x, h) + sum_f64(x + h, n - h);
}

static int64_t sum_i64(const int64_t *x, int64_t n) {
  uint64_t s = 0;
  for (int64_t i = 0; i < n; i++) s += (uint64_t)x[i];
  return (int64_t)s;
}

/* max/min of a row with NaN propagation: SIMD max/min (which drop NaNs)
 * plus an unordered-compare mask remembering whether a NaN was seen.
 * AVX2 when the CPU has it (chosen at run time), else SSE2, else scalar.
 * Returns the max/min of x[0..m) in *r for the m = n rounded down to the
 * vector block, and whether a NaN was seen. */
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_X86_REDUCE 1
__attribute__((target("avx2"))) static int64_t maxblock_avx2(const double *x, int64_t n,
                                                             bool ismax, double *r, bool *nan) {
  if (n < 16) return 0;
  __m256d m0 = _mm256_loadu_pd(x), m1 = _mm256_loadu_pd(x + 4), m2 = _mm256_loadu_pd(x + 8),
          m3 = _mm256_loadu_pd(x + 12);
  __m256d bad = _mm256_or_pd(_mm256_cmp_pd(m0, m1, _CMP_UNORD_Q), _mm256_cmp_pd(m2, m3, _CMP_UNORD_Q));
  int64_t i = 16;
  if (ismax) {
    for (; i + 16 <= n; i += 16) {
      __m256d v0 = _mm256_loadu_pd(x + i), v1 = _mm256_loadu_pd(x + i + 4),
              v2 = _mm256_loadu_pd(x + i + 8), v3 = _mm256_loadu_pd(x + i + 12);
      m0 = _mm256_max_pd(v0, m0), m1 = _mm256_max_pd(v1, m1);
      m2 = _mm256_max_pd(v2, m2), m3 = _mm256_max_pd(v3, m3);
      bad = _mm256_or_pd(bad, _mm256_or_pd(_mm256_cmp_pd(v0, v1, _CMP_UNORD_Q),
                                           _mm256_cmp_pd(v2, v3, _CMP_UNORD_Q)));
    }
    m0 = _mm256_max_pd(_mm256_max_pd(m0, m1), _mm256_max_pd(m2, m3));
  } else {
    for (; i + 16 <= n; i += 16) {
      __m256d v0 = _mm256_loadu_pd(x + i), v1 = _mm256_loadu_pd(x + i + 4),
              v2 = _mm256_loadu_pd(x + i + 8), v3 = _mm256_loadu_pd(x + i + 12);
      m0 = _mm256_min_pd(v0, m0), m1 = _mm256_min_pd(v1, m1);
      m2 = _mm256_min_pd(v2, m2), m3 = _mm256_min_pd(v3, m3);
      bad = _mm256_or_pd(bad, _mm256_or_pd(_mm256_cmp_pd(v0, v1, _CMP_UNORD_Q),
                                           _mm256_cmp_pd(v2, v3, _CMP_UNORD_Q)));
    }
    m0 = _mm256_min_pd(_mm256_min_pd(m0, m1), _mm256_min_pd(m2, m3));
  }
  *nan = _mm256_movemask_pd(bad) != 0;
  double t[4];
  _mm256_storeu_pd(t, m0);
  double v = t[0];
  for (int k = 1; k < 4; k++) v = ismax ? (t[k] > v ? t[k] : v) : (t[k] < v ? t[k] : v);
  *r = v;
  return i;
}

__attribute__((target("avx512f"))) static int64_t maxblock_avx512(const double *x, int64_t n,
                                                                   bool ismax, double *r,
                                                                   bool *nan) {
  if (n < 32) return 0;
  __m512d m0 = _mm512_loadu_pd(x), m1 = _mm512_loadu_pd(x + 8), m2 = _mm512_loadu_pd(x + 16),
          m3 = _mm512_loadu_pd(x + 24);
  __mmask8 bad = _mm512_cmp_pd_mask(m0, m1, _CMP_UNORD_Q) | _mm512_cmp_pd_mask(m2, m3, _CMP_UNORD_Q);
  int64_t i = 32;
  if (ismax) {
    for (; i + 32 <= n; i += 32) {
      __m512d v0 = _mm512_loadu_pd(x + i), v1 = _mm512_loadu_pd(x + i + 8),
              v2 = _mm512_loadu_pd(x + i + 16), v3 = _mm512_loadu_pd(x + i + 24);
      m0 = _mm512_max_pd(v0, m0), m1 = _mm512_max_pd(v1, m1);
      m2 = _mm512_max_pd(v2, m2), m3 = _mm512_max_pd(v3, m3);
      bad |= _mm512_cmp_pd_mask(v0, v1, _CMP_UNORD_Q) | _mm512_cmp_pd_mask(v2, v3, _CMP_UNORD_Q);
    }
    m0 = _mm512_max_pd(_mm512_max_pd(m0, m1), _mm512_max_pd(m2, m3));
    *r = _mm512_reduce_max_pd(m0);
  } else {
    for (; i + 32 <= n; i += 32) {
      __m512d v0 = _mm512_loadu_pd(x + i), v1 = _mm512_loadu_pd(x + i + 8),
              v2 = _mm512_loadu_pd(x + i + 16), v3 = _mm512_loadu_pd(x + i + 24);
      m0 = _mm512_min_pd(v0, m0), m1 = _mm512_min_pd(v1, m1);
      m2 = _mm512_min_pd(v2, m2), m3 = _mm512_min_pd(v3, m3);
      bad |= _mm512_cmp_pd_mask(v0, v1, _CMP_UNORD_Q) | _mm512_cmp_pd_mask(v2, v3, _CMP_UNORD_Q);
    }
    m0 = _mm512_min_pd(_mm512_min_pd(m0, m1), _mm512_min_pd(m2, m3));
    *r = _mm512_reduce_min_pd(m0);
  }
  /* a NaN that sat in an accumulator lane from the start */
  bad |= _mm512_cmp_pd_mask(m0, m0, _CMP_UNORD_Q);
  *nan = bad != 0;
  return i;
}

static int64_t maxblock_sse2(const double *x, int64_t n, bool ismax, double *r, bool *nan) {
  if (n < 8) return 0;
  __m128d m0 = _mm_loadu_pd(x), m1 = _mm_loadu_pd(x + 2), m2 = _mm_loadu_pd(x + 4),
          m3 = _mm_loadu_pd(x + 6);
  __m128d bad = _mm_or_pd(_mm_cmpunord_pd(m0, m1), _mm_cmpunord_pd(m2, m3));
  int64_t i = 8;
  for (; i + 8 <= n; i += 8) {
    __m128d v0 = _mm_loadu_pd(x + i), v1 = _mm_loadu_pd(x + i + 2), v2 = _mm_loadu_pd(x + i + 4),
            v3 = _mm_loadu_pd(x + i + 6);
    if (ismax) {
      m0 = _mm_max_pd(v0, m0), m1 = _mm_max_pd(v1, m1);
      m2 = _mm_max_pd(v2, m2), m3 = _mm_max_pd(v3, m3);
    } else {
      m0 = _mm_min_pd(v0, m0), m1 = _mm_min_pd(v1, m1);
      m2 = _mm_min_pd(v2, m2), m3 = _mm_min_pd(v3, m3);
    }
    bad = _mm_or_pd(bad, _mm_or_pd(_mm_cmpunord_pd(v0, v1), _mm_cmpunord_pd(v2, v3)));
  }
  if (ismax) m0 = _mm_max_pd(_mm_max_pd(m0, m1), _mm_max_pd(m2, m3));
  else m0 = _mm_min_pd(_mm_min_pd(m0, m1), _mm_min_pd(m2, m3));
  *nan = _mm_movemask_pd(bad) != 0;
  double t[2];
  _mm_storeu_pd(t, m0);
  *r = ismax ? (t[0] > t[1] ? t[0] : t[1]) : (t[0] < t[1] ? t[0] : t[1]);
  return i;
}

/* 0: SSE2, 1: AVX2, 2: AVX-512 (a process-wide CPU property) */
static int simd_level(void) {
  static int v = -1;
  if (v < 0) {
    __builtin_cpu_init();
    v = __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
  }
  return v;
}
#endif

static double maxrow_f(const double *x, int64_t n, bool ismax) {
  int64_t i = 0;
  double r = x[0];
  bool nan = false;
#ifdef HAVE_X86_REDUCE
  switch (simd_level()) {
  case 2: i = maxblock_avx512(x, n, ismax, &r, &nan); break;
  case 1: i = maxblock_avx2(x, n, ismax, &r, &nan); break;
  default: i = maxblock_sse2(x, n, ismax, &r, &nan); break;
  }
#endif
  if (nan) return NAN;
  for (; i < n; i++) {
    double v = x[i];
    if (v != v) return v;
    r = ismax ? (v > r ? v : r) : (v < r ? v : r);
  }
  return r;
}

typedef enum { R_SUM, R_PROD, R_MAX, R_MIN } ROp;

#define SUM_BLOCK 1024
/* d = sum of the R >= 1 rows of x (each of length inner), four rows per
 * pass over d. */
static void sum_rows(const double *restrict x, int64_t R, int64_t inner, double *restrict d) {
  memcpy(d, x, (size_t)inner * sizeof(double));
  int64_t r = 1;
  for (; r + 3 < R; r += 4) {
    const double *a = x + r * inner, *b = a + inner, *c = b + inner, *e = c + inner;
    for (int64_t j = 0; j < inner; j++) d[j] += (a[j] + b[j]) + (c[j] + e[j]);
  }
  for (; r < R; r++) {
    const double *a = x + r * inner;
    for (int64_t j = 0; j < inner; j++) d[j] += a[j];
  }
}

/* Reduce (outer, R, inner) -> (outer, inner), dtype dt, R >= 1. 0 or -1 (OOM). */
static int reduce_mid(Interp *I, ROp op, DType dt, int64_t outer, int64_t R, int64_t inner,
                      const void *src, void *dst) {
  if (inner == 1) {
    for (int64_t o = 0; o < outer; o++) {
      if (dt == DT_FLOAT) {
        const double *x = (const double *)src + o * R;
        double *d = (double *)dst + o;
        if (op == R_SUM) *d = sum_f64(x, R);
        else if (op == R_PROD) {
          double s = 1.0;
          for (int64_t i = 0; i < R; i++) s *= x[i];
          *d = s;
        } else *d = maxrow_f(x, R, op == R_MAX);
      } else if (dt == DT_INT) {
        const int64_t *x = (const int64_t *)src + o * R;
        int64_t *d = (int64_t *)dst + o;
        if (op == R_SUM) *d = sum_i64(x, R);
        else if (op == R_PROD) {
          uint64_t s = 1;
          for (int64_t i = 0; i < R; i++) s *= (uint64_t)x[i];
          *d = (int64_t)s;
        } else if (op == R_MAX) {
          int64_t m = x[0];
          for (int64_t i = 1; i < R; i++) m = x[i] > m ? x[i] : m;
          *d = m;
        } else {
          int64_t m = x[0];
          for (int64_t i = 1; i < R; i++) m = x[i] < m ? x[i] : m;
          *d = m;
        }
      } else {
        const uint8_t *x = (const uint8_t *)src + o * R;
        uint8_t *d = (uint8_t *)dst + o;
        uint8_t m = x[0];
        if (op == R_MAX)
          for (int64_t i = 1; i < R; i++) m |= x[i];
        else
          for (int64_t i = 1; i < R; i++) m &= x[i];
        *d = m;
      }
    }
    return 0;
  }
  /* accumulate rows */
  double *tmp = NULL;
  if (dt == DT_FLOAT && op == R_SUM && R > SUM_BLOCK) {
    tmp = jx_malloc(I, (size_t)inner * sizeof(double));
    if (!tmp) return -1;
  }
  for (int64_t o = 0; o < outer; o++) {
    if (dt == DT_FLOAT) {
      const double *x = (const double *)src + o * R * inner;
      double *d = (double *)dst + o * inner;
      if (op == R_SUM) {
        /* four rows per pass over d; blocks of SUM_BLOCK rows summed
         * separately (into tmp) for accuracy on tall inputs */
        if (!tmp) {
          sum_rows(x, R, inner, d);
          continue;
        }
        memset(d, 0, (size_t)inner * sizeof(double));
        for (int64_t r0 = 0; r0 < R; r0 += SUM_BLOCK) {
          int64_t nr = R - r0 < SUM_BLOCK ? R - r0 : SUM_BLOCK;
          sum_rows(x + r0 * inner, nr, inner, tmp);
          for (int64_t j = 0; j < inner; j++) d[j] += tmp[j];
        }
        continue;
      }
      memcpy(d, x, (size_t)inner * sizeof(double));
      for (int64_t r = 1; r < R; r++) {
        const double *row = x + r * inner;
        switch (op) {
        case R_SUM:
          for (int64_t j = 0; j < inner; j++) d[j] += row[j];
          break;
        case R_PROD:
          for (int64_t j = 0; j < inner; j++) d[j] *= row[j];
          break;
        case R_MAX:
          for (int64_t j = 0; j < inner; j++) {
            double v = row[j];
            d[j] = (v > d[j] || v != v) ? v : d[j];
          }
          break;
        case R_MIN:
          for (int64_t j = 0; j < inner; j++) {
            double v = row[j];
            d[j] = (v < d[j] || v != v) ? v : d[j];
          }
          break;
        }
      }
    } else if (dt == DT_INT) {
      const int64_t *x = (const int64_t *)src + o * R * inner;
      int64_t *d = (int64_t *)dst + o * inner;
      memcpy(d, x, (size_t)inner * sizeof(int64_t));
      for (int64_t r = 1; r < R; r++) {
        const int64_t *row = x + r * inner;
        switch (op) {
        case R_SUM:
          for (int64_t j = 0; j < inner; j++) d[j] = iwrap_add(d[j], row[j]);
          break;
        case R_PROD:
          for (int64_t j = 0; j < inner; j++) d[j] = iwrap_mul(d[j], row[j]);
          break;
        case R_MAX:
          for (int64_t j = 0; j < inner; j++) d[j] = row[j] > d[j] ? row[j] : d[j];
          break;
        case R_MIN:
          for (int64_t j = 0; j < inner; j++) d[j] = row[j] < d[j] ? row[j] : d[j];
          break;
        }
      }
    } else {
      const uint8_t *x = (const uint8_t *)src + o * R * inner;
      uint8_t *d = (uint8_t *)dst + o * inner;
      memcpy(d, x, (size_t)inner);
      for (int64_t r = 1; r < R; r++) {
        const uint8_t *row = x + r * inner;
        if (op == R_MAX)
          for (int64_t j = 0; j < inner; j++) d[j] |= row[j];
        else
          for (int64_t j = 0; j < inner; j++) d[j] &= row[j];
      }
    }
  }
  jx_free(tmp);
  return 0;
}

/* ------------------------------------------------------------------ */
/* reductions                                                          */

static const char *rname(PrimId id) { return jx_prims[id].name; }

/* Validate p's axes against ndim into red[]. */
static int red_axes(Interp *I, PrimId id, int ndim, const Params *p, bool *red) {
  for (int i = 0; i < ndim; i++) red[i] = false;
  if (p->n < 0 || p->n > JX_MAXDIM)
    return jx_raisei(I, E_VALUE, "%s: bad number of axes %d", rname(id), p->n);
  for (int k = 0; k < p->n; k++) {
    int64_t ax = p->a[k];
    if (ax < 0 || ax >= ndim)
      return jx_raisei(I, E_VALUE, "%s: axis %lld is out of bounds for array of dimension %d",
                       rname(id), (long long)ax, ndim);
    if (red[ax]) return jx_raisei(I, E_VALUE, "%s: repeated axis %lld", rname(id), (long long)ax);
    red[ax] = true;
  }
  return 0;
}

static DType red_dtype(PrimId id, DType in) {
  switch (id) {
  case P_reduce_sum:
  case P_reduce_prod: return in == DT_BOOL ? DT_INT : in;
  case P_reduce_and:
  case P_reduce_or: return DT_BOOL;
  default: return in;
  }
}

static int red_shape(Interp *I, PrimId id, const Aval *in, const Params *p, Aval *out) {
  bool red[JX_MAXDIM];
  p = PRM(p);
  if (red_axes(I, id, in->ndim, p, red) < 0) return -1;
  out->dtype = red_dtype(id, (DType)in->dtype);
  out->ndim = 0;
  bool empty = false;
  for (int i = 0; i < in->ndim; i++) {
    if (red[i]) empty |= in->shape[i] == 0;
    else out->shape[out->ndim++] = in->shape[i];
  }
  if (empty && (id == P_reduce_max || id == P_reduce_min))
    return jx_raisei(I, E_VALUE, "%s: zero-size array to reduction operation %s which has no "
                     "identity", rname(id), id == P_reduce_max ? "max" : "min");
  return 0;
}

static Value reduce_apply(Interp *I, PrimId id, const Value *in, const Params *p) {
  p = PRM(p);
  Opnd x;
  if (opnd_get(I, in[0], &x, rname(id)) < 0) return v_exc();
  Aval ia, oa;
  opnd_aval(&x, &ia);
  if (red_shape(I, id, &ia, p, &oa) < 0) return v_exc();
  bool red[JX_MAXDIM];
  red_axes(I, id, x.ndim, p, red);
  DType dt = (DType)oa.dtype; /* compute dtype == output dtype */
  ROp op = id == P_reduce_sum ? R_SUM
           : id == P_reduce_prod ? R_PROD
           : (id == P_reduce_max || id == P_reduce_or) ? R_MAX
                                                       : R_MIN;
  int64_t osize = shape_prod(oa.ndim, oa.shape);
  if (x.ndim == 0 || p->n == 0) {
    /* nothing reduced: only the dtype may change */
    Value r = arr_astype(I, in[0], dt);
    return r;
  }
  Array *res = arr_alloc(I, dt, oa.ndim, oa.shape);
  if (!res) return v_exc();
  if (osize == 0) return arr_normalize(I, res);
  if (x.size == 0) {
    /* empty reduced extent with an identity */
    if (dt == DT_FLOAT) {
      double v = op == R_PROD ? 1.0 : 0.0;
      for (int64_t i = 0; i < osize; i++) ARR_F(res)[i] = v;
    } else if (dt == DT_INT) {
      int64_t v = op == R_PROD ? 1 : 0;
      for (int64_t i = 0; i < osize; i++) ARR_I(res)[i] = v;
    } else {
      memset(res->data, op == R_MIN, (size_t)osize);
    }
    return arr_normalize(I, res);
  }
  if (opnd_cast(I, &x, dt) < 0) {
    v_decref(v_obj(&res->hdr));
    return v_exc();
  }
  /* groups of kept/reduced dims (extent-1 dims dropped) */
  int ng = 0;
  int64_t ext[JX_MAXDIM];
  bool gred[JX_MAXDIM];
  for (int i = 0; i < x.ndim; i++) {
    if (x.shape[i] == 1) continue;
    if (ng > 0 && gred[ng - 1] == red[i]) {
      ext[ng - 1] *= x.shape[i];
      continue;
    }
    ext[ng] = x.shape[i];
    gred[ng] = red[i];
    ng++;
  }
  int nred = 0;
  for (int g = 0; g < ng; g++) nred += gred[g];
  size_t es = dtype_size(dt);
  if (nred == 0) {
    memcpy(res->data, x.data, (size_t)osize * es);
    opnd_release(&x);
    return arr_normalize(I, res);
  }
  const void *cur = x.data;
  void *tmp = NULL;
  while (nred > 0) {
    int g = ng - 1;
    while (!gred[g]) g--;
    int64_t outer = 1, inner = 1;
    for (int k = 0; k < g; k++) outer *= ext[k];
    for (int k = g + 1; k < ng; k++) inner *= ext[k];
    void *dst = nred == 1 ? res->data : jx_malloc(I, (size_t)(outer * inner) * es);
    if (!dst || reduce_mid(I, op, dt, outer, ext[g], inner, cur, dst) < 0) {
      if (dst && dst != res->data) jx_free(dst);
      jx_free(tmp);
      opnd_release(&x);
      v_decref(v_obj(&res->hdr));
      return v_exc();
    }
    jx_free(tmp);
    tmp = dst == res->data ? NULL : dst;
    cur = dst;
    /* remove group g, merging its kept neighbours */
    for (int k = g; k < ng - 1; k++) ext[k] = ext[k + 1], gred[k] = gred[k + 1];
    ng--;
    nred--;
    if (g > 0 && g < ng && !gred[g - 1] && !gred[g]) {
      ext[g - 1] *= ext[g];
      for (int k = g; k < ng - 1; k++) ext[k] = ext[k + 1], gred[k] = gred[k + 1];
      ng--;
    }
  }
  jx_free(tmp);
  opnd_release(&x);
  return arr_normalize(I, res);
}

#define REDUCE_PRIM(id)                                                             \
  Value impl_##id(Interp *I, const Value *in, const Params *p) {                    \
    return reduce_apply(I, P_##id, in, p);                                          \
  }                                                                                 \
  int shape_##id(Interp *I, const Aval *in, const Params *p, Aval *out) {           \
    return red_shape(I, P_##id, in, p, out);                                        \
  }
REDUCE_PRIM(reduce_sum)
REDUCE_PRIM(reduce_max)
REDUCE_PRIM(reduce_min)
REDUCE_PRIM(reduce_prod)
REDUCE_PRIM(reduce_and)
REDUCE_PRIM(reduce_or)

/* ------------------------------------------------------------------ */
/* argmax / argmin                                                     */

/* (outer, R, inner) view for an axis; flat when i1 == 1. */
static int arg_geom(Interp *I, PrimId id, const Aval *in, const Params *p, Aval *out,
                    int64_t *outer, int64_t *R, int64_t *inner) {
  p = PRM(p);
  out->dtype = DT_INT;
  int64_t size = shape_prod(in->ndim, in->shape);
  if (p->i1 == 1) {
    out->ndim = 0;
    *outer = *inner = 1;
    *R = size;
  } else {
    int64_t ax = p->i0;
    if (ax < 0 || ax >= in->ndim)
      return jx_raisei(I, E_VALUE, "%s: axis %lld is out of bounds for array of dimension %d",
                       rname(id), (long long)ax, in->ndim);
    out->ndim = 0;
    *outer = *inner = 1;
    for (int i = 0; i < in->ndim; i++) {
      if (i == ax) continue;
      out->shape[out->ndim++] = in->shape[i];
      if (i < ax) *outer *= in->shape[i];
      else *inner *= in->shape[i];
    }
    *R = in->shape[ax];
  }
  if (*R == 0)
    return jx_raisei(I, E_VALUE, "%s: attempt to get %s of an empty sequence", rname(id),
                     rname(id));
  return 0;
}

static int arg_shape(Interp *I, PrimId id, const Aval *in, const Params *p, Aval *out) {
  int64_t a, b, c;
  return arg_geom(I, id, in, p, out, &a, &b, &c);
}

#define ARGLOOP(T, BETTER, ISNAN)                                                    \
  for (int64_t o = 0; o < outer; o++)                                               \
    for (int64_t j = 0; j < inner; j++) {                                           \
      const T *xs = (const T *)xv + o * R * inner + j;                              \
      T best = xs[0];                                                               \
      int64_t bi = 0;                                                               \
      if (!(ISNAN(best)))                                                           \
        for (int64_t r = 1; r < R; r++) {                                           \
          T v = xs[r * inner];                                                      \
          if (ISNAN(v)) {                                                           \
            bi = r;                                                                 \
            break;                                                                  \
          }                                                                         \
          if (BETTER(v, best)) best = v, bi = r;                                    \
        }                                                                           \
      d[o * inner + j] = bi;                                                        \
    }
#define GT_(a, b) ((a) > (b))
#define LT_(a, b) ((a) < (b))
#define NONAN(v) 0
#define FNAN(v) ((v) != (v))

static Value arg_apply(Interp *I, PrimId id, const Value *in, const Params *p) {
  Opnd x;
  if (opnd_get(I, in[0], &x, rname(id)) < 0) return v_exc();
  Aval ia, oa;
  opnd_aval(&x, &ia);
  int64_t outer = 1, R = 1, inner = 1;
  if (arg_geom(I, id, &ia, p, &oa, &outer, &R, &inner) < 0) return v_exc();
  Array *res = arr_alloc(I, DT_INT, oa.ndim, oa.shape);
  if (!res) return v_exc();
  int64_t *d = ARR_I(res);
  const void *xv = x.data;
  bool mx = id == P_argmax;
  if (x.dt == DT_FLOAT) {
    if (mx) ARGLOOP(double, GT_, FNAN) else ARGLOOP(double, LT_, FNAN)
  } else if (x.dt == DT_INT) {
    if (mx) ARGLOOP(int64_t, GT_, NONAN) else ARGLOOP(int64_t, LT_, NONAN)
  } else {
    if (mx) ARGLOOP(uint8_t, GT_, NONAN) else ARGLOOP(uint8_t, LT_, NONAN)
  }
  return arr_normalize(I, res);
}

Value impl_argmax(Interp *I, const Value *in, const Params *p) { return arg_apply(I, P_argmax, in, p); }
Value impl_argmin(Interp *I, const Value *in, const Params *p) { return arg_apply(I, P_argmin, in, p); }
int shape_argmax(Interp *I, const Aval *in, const Params *p, Aval *out) {
  return arg_shape(I, P_argmax, in, p, out);
}
int shape_argmin(Interp *I, const Aval *in, const Params *p, Aval *out) {
  return arg_shape(I, P_argmin, in, p, out);
}

/* ------------------------------------------------------------------ */
/* cumsum                                                              */

int shape_cumsum(Interp *I, const Aval *in, const Params *p, Aval *out) {
  p = PRM(p);
  if (p->i0 < 0 || p->i0 >= in->ndim)
    return jx_raisei(I, E_VALUE, "cumsum: axis %lld is out of bounds for array of dimension %d",
                     (long long)p->i0, in->ndim);
  *out = *in;
  if (out->dtype == DT_BOOL) out->dtype = DT_INT;
  return 0;
}

Value impl_cumsum(Interp *I, const Value *in, const Params *p) {
  p = PRM(p);
  Opnd x;
  if (opnd_get(I, in[0], &x, "cumsum") < 0) return v_exc();
  Aval ia, oa;
  opnd_aval(&x, &ia);
  if (shape_cumsum(I, &ia, p, &oa) < 0) return v_exc();
  DType dt = (DType)oa.dtype;
  Array *res = arr_alloc(I, dt, oa.ndim, oa.shape);
  if (!res) return v_exc();
  if (res->size == 0) return arr_normalize(I, res);
  if (opnd_cast(I, &x, dt) < 0) {
    v_decref(v_obj(&res->hdr));
    return v_exc();
  }
  int64_t ax = p->i0, outer = 1, inner = 1, R = x.shape[ax];
  for (int i = 0; i < x.ndim; i++) {
    if (i < ax) outer *= x.shape[i];
    else if (i > ax) inner *= x.shape[i];
  }
  for (int64_t o = 0; o < outer; o++) {
    if (dt == DT_FLOAT) {
      const double *s = (const double *)x.data + o * R * inner;
      double *d = ARR_F(res) + o * R * inner;
      memcpy(d, s, (size_t)inner * sizeof(double));
      for (int64_t r = 1; r < R; r++)
        for (int64_t j = 0; j < inner; j++) d[r * inner + j] = d[(r - 1) * inner + j] + s[r * inner + j];
    } else {
      const int64_t *s = (const int64_t *)x.data + o * R * inner;
      int64_t *d = ARR_I(res) + o * R * inner;
      memcpy(d, s, (size_t)inner * sizeof(int64_t));
      for (int64_t r = 1; r < R; r++)
        for (int64_t j = 0; j < inner; j++)
          d[r * inner + j] = iwrap_add(d[(r - 1) * inner + j], s[r * inner + j]);
    }
  }
  opnd_release(&x);
  return arr_normalize(I, res);
}
