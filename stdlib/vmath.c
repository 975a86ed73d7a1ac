/* vmath.c — elementwise transcendental functions over float64 buffers.
 *
 * Uses glibc's libmvec vector variants (_ZGVeN8v_* with AVX-512,
 * _ZGVdN4v_* with AVX2; chosen at run time from the CPU, so valgrind —
 * which hides AVX-512 — gets the AVX2 path) for buffers of at least VM_MIN
 * elements, and scalar libm otherwise or on other platforms.  libmvec is
 * accurate to a few ulp; small buffers (and all scalars) use libm so that
 * printed small results match Python's.  libmvec is linked through glibc's
 * libm.so linker script (AS_NEEDED), so -lm suffices.
 */
#include "arr_internal.h"

#include <math.h>

#define VM_MIN 16

typedef double (*ScalarFn)(double);
static const ScalarFn scalar_fns[VM__COUNT] = {
    exp, log, log1p, expm1, sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, erf};

double vm_scalar(VmFn f, double x) { return scalar_fns[f](x); }

static void vm_libm(VmFn f, int64_t n, const double *x, double *y) {
  ScalarFn fn = scalar_fns[f];
  for (int64_t i = 0; i < n; i++) y[i] = fn(x[i]);
}

#if defined(__x86_64__) && defined(__GLIBC__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35)) && !defined(JX_NO_LIBMVEC)
#define HAVE_MVEC 1
#include <immintrin.h>

#define MVEC_FUNCS(X) \
  X(exp) X(log) X(log1p) X(expm1) X(sin) X(cos) X(tan) X(asin) X(acos) X(atan) X(sinh) \
  X(cosh) X(tanh) X(erf)

/* ---- AVX-512 ---- */
#pragma GCC push_options
#pragma GCC target("avx512f")
#define DECL512(f) __m512d _ZGVeN8v_##f(__m512d);
MVEC_FUNCS(DECL512)
typedef __m512d (*V8Fn)(__m512d);
static void run512(V8Fn fn, int64_t n, const double *x, double *y) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm512_storeu_pd(y + i, fn(_mm512_loadu_pd(x + i)));
  if (i < n) {
    double buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    memcpy(buf, x + i, (size_t)(n - i) * sizeof(double));
    _mm512_storeu_pd(buf, fn(_mm512_loadu_pd(buf)));
    memcpy(y + i, buf, (size_t)(n - i) * sizeof(double));
  }
}
#define REF512(f) _ZGVeN8v_##f,
static const V8Fn fns512[VM__COUNT] = {MVEC_FUNCS(REF512)};
static void apply512(VmFn f, int64_t n, const double *x, double *y) { run512(fns512[f], n, x, y); }
#pragma GCC pop_options

/* ---- AVX2 ---- */
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#define DECL256(f) __m256d _ZGVdN4v_##f(__m256d);
MVEC_FUNCS(DECL256)
typedef __m256d (*V4Fn)(__m256d);
static void run256(V4Fn fn, int64_t n, const double *x, double *y) {
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, fn(_mm256_loadu_pd(x + i)));
  if (i < n) {
    double buf[4] = {0, 0, 0, 0};
    memcpy(buf, x + i, (size_t)(n - i) * sizeof(double));
    _mm256_storeu_pd(buf, fn(_mm256_loadu_pd(buf)));
    memcpy(y + i, buf, (size_t)(n - i) * sizeof(double));
  }
}
#define REF256(f) _ZGVdN4v_##f,
static const V4Fn fns256[VM__COUNT] = {MVEC_FUNCS(REF256)};
static void apply256(VmFn f, int64_t n, const double *x, double *y) { run256(fns256[f], n, x, y); }
#pragma GCC pop_options

/* 0 = libm only, 1 = AVX2, 2 = AVX-512 (process-wide CPU property). */
static int cpu_level(void) {
  static int level = -1;
  if (level < 0) {
    __builtin_cpu_init();
    level = __builtin_cpu_supports("avx512f") ? 2
            : (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ? 1
                                                                                 : 0;
  }
  return level;
}
#endif

void vm_apply(VmFn f, int64_t n, const double *x, double *y) {
#ifdef HAVE_MVEC
  if (n >= VM_MIN) {
    /* chunks keep the work interruptible-friendly and cache-resident */
    switch (cpu_level()) {
    case 2: apply512(f, n, x, y); return;
    case 1: apply256(f, n, x, y); return;
    default: break;
    }
  }
#endif
  vm_libm(f, n, x, y);
}
