/* arr_internal.h — private helpers shared by the array engine files
 * (stdlib/array.c, stdlib/prims_*.c, stdlib/blas.c, stdlib/ops.c).
 *
 * Owns: the Opnd view of a concrete numeric value (scalars need no
 * allocation), shape formatting, broadcasting of shapes, the strided copy
 * routine, dtype conversion of buffers, the scalar semantics of the
 * Python-style integer/float operators (shared by the kernels and by the
 * scalar fast paths of ops.c so both agree exactly), and the vector math
 * entry points (stdlib/vmath.c).  Nothing here knows tracers.
 */
#ifndef JX_ARR_INTERNAL_H
#define JX_ARR_INTERNAL_H

#include <math.h>
#include <string.h>

#include "../ad/prim.h"
#include "array.h"

/* ---- operands ------------------------------------------------------- */
/* A read-only view of a concrete numeric value.  For scalars, data points
 * at sc inside the struct: never copy an Opnd by value. */
typedef struct {
  uint8_t dt;
  int ndim;
  int64_t size;
  int64_t shape[JX_MAXDIM];
  void *data;
  union {
    double f;
    int64_t i;
    uint8_t b;
  } sc;
  Array *tmp; /* owned temporary (after opnd_cast), or NULL */
} Opnd;

/* Fill o from v; TypeError naming 'what' if v is not a concrete number. */
int opnd_get(Interp *I, Value v, Opnd *o, const char *what);
/* Convert o's data to dtype dt (scalars in place; arrays into an owned
 * temporary released by opnd_release). */
int opnd_cast(Interp *I, Opnd *o, DType dt);
void opnd_release(Opnd *o);
static inline void opnd_aval(const Opnd *o, Aval *a) {
  a->dtype = o->dt;
  a->ndim = o->ndim;
  memcpy(a->shape, o->shape, sizeof(int64_t) * (size_t)o->ndim);
}

/* A scalar Value of dtype dt from the element at p. */
static inline Value scalar_at(DType dt, const void *p) {
  switch (dt) {
  case DT_BOOL: return v_bool(*(const uint8_t *)p != 0);
  case DT_INT: return v_int(*(const int64_t *)p);
  default: return v_float(*(const double *)p);
  }
}

/* ---- shapes --------------------------------------------------------- */
#define SHBUF (24 * JX_MAXDIM + 8)
/* "(2, 3)", "(4,)", "()" */
const char *shape_str(char *buf, int nd, const int64_t *sh);
static inline int64_t shape_prod(int nd, const int64_t *sh) {
  int64_t s = 1;
  for (int i = 0; i < nd; i++) s *= sh[i];
  return s;
}
static inline bool dims_equal(int n1, const int64_t *s1, int n2, const int64_t *s2) {
  if (n1 != n2) return false;
  for (int i = 0; i < n1; i++)
    if (s1[i] != s2[i]) return false;
  return true;
}
/* numpy broadcasting of two shapes; ShapeError "operands could not be
 * broadcast together with shapes (3,) (4,)" on mismatch. */
int bcast_shapes(Interp *I, int n1, const int64_t *s1, int n2, const int64_t *s2, int *nd,
                 int64_t *out);
/* Element strides of a shape of ndim 'n' right-aligned in an output of
 * ndim 'nd' (0 for broadcast dims). */
void bcast_strides(int n, const int64_t *sh, int nd, const int64_t *out, int64_t *st);
/* Check an output aval's rank and size (ShapeError/MemoryError). */
int check_out_shape(Interp *I, const char *what, int nd, const int64_t *sh);

/* ---- arrays --------------------------------------------------------- */
/* A view of 'base' (any Array; its root owner is referenced) with dtype,
 * shape and a byte offset into its data.  NULL on error. */
Array *arr_view(Interp *I, Array *base, int nd, const int64_t *shape, size_t byte_off);
/* Free the cached large blocks (see array.c); optional, e.g. at exit. */
void arr_cache_clear(void);
/* Convert n elements from (sdt, src) to (ddt, dst). */
void conv_buf(DType sdt, const void *src, DType ddt, void *dst, int64_t n);
/* Copy from a strided source into a contiguous destination of the given
 * shape (element strides, may be 0 or negative). */
void strided_copy(size_t esz, int nd, const int64_t *shape, const char *src,
                  const int64_t *sstr, char *dst);
/* Contiguous row-major element strides. */
static inline void contig_strides(int nd, const int64_t *sh, int64_t *st) {
  int64_t s = 1;
  for (int i = nd - 1; i >= 0; i--) {
    st[i] = s;
    s *= sh[i];
  }
}
/* Value of an Array of shape sh holding a copy of o converted to dt
 * (no copy when o is already an Array of dtype dt: incref). */
Value opnd_to_value(Interp *I, Value v, const Opnd *o);

/* ---- Python/numpy scalar semantics ------------------------------------ */
static inline int64_t iwrap_add(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static inline int64_t iwrap_sub(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }
static inline int64_t iwrap_mul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }
/* Python a // b, b != 0. */
static inline int64_t ipy_floordiv(int64_t a, int64_t b) {
  if (b == -1) return (int64_t)(0 - (uint64_t)a);
  int64_t q = a / b, r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) q--;
  return q;
}
/* Python a % b, b != 0. */
static inline int64_t ipy_mod(int64_t a, int64_t b) {
  if (b == -1) return 0;
  int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}
/* a ** b for b >= 0, wrapping like int64. */
static inline int64_t ipy_pow(int64_t a, int64_t b) {
  uint64_t r = 1, x = (uint64_t)a;
  while (b > 0) {
    if (b & 1) r *= x;
    x *= x;
    b >>= 1;
  }
  return (int64_t)r;
}
/* Python float a % b (numpy semantics for b == 0: nan). */
static inline double fpy_mod(double a, double b) {
  if (b == 0) return fmod(a, b);
  double m = fmod(a, b);
  if (m != 0) {
    if ((b < 0) != (m < 0)) m += b;
  } else {
    m = copysign(0.0, b);
  }
  return m;
}
/* Python float a // b (numpy semantics for b == 0: a / b). */
static inline double fpy_floordiv(double a, double b) {
  if (b == 0) return a / b;
  double m = fmod(a, b);
  double d = (a - m) / b;
  if (m != 0 && ((b < 0) != (m < 0))) d -= 1.0;
  if (d != 0) {
    double fl = floor(d);
    if (d - fl > 0.5) fl += 1.0;
    return fl;
  }
  return copysign(0.0, a / b);
}
/* float -> int64 like numpy on x86 (out of range / nan: INT64_MIN), no UB */
static inline int64_t f2i(double x) {
  return (x >= -9223372036854775808.0 && x < 9223372036854775808.0) ? (int64_t)x : INT64_MIN;
}
/* numpy sign */
static inline double fsign(double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : x; }
/* x ** e for an integer e, by repeated squaring (integer_pow; the
 * kernels special-case |e| <= 3 with the same products) */
static inline double fipow(double x, int64_t e) {
  uint64_t m = e < 0 ? (uint64_t)0 - (uint64_t)e : (uint64_t)e;
  double r = 1.0, b = x;
  for (uint64_t k = m; k; k >>= 1) {
    if (k & 1) r *= b;
    b *= b;
  }
  return e < 0 ? 1.0 / r : r;
}
/* numerically stable 1/(1+exp(-x)) */
static inline double flogistic(double x) {
  if (x >= 0) return 1.0 / (1.0 + exp(-x));
  double e = exp(x);
  return e / (1.0 + e);
}

/* ---- vector math (stdlib/vmath.c) --------------------------------------
 * y[i] = f(x[i]) for i < n; x and y may be the same buffer.  Uses glibc's
 * libmvec (AVX-512 / AVX2, chosen at run time) for n >= VM_MIN, else libm. */
typedef enum {
  VM_EXP, VM_LOG, VM_LOG1P, VM_EXPM1, VM_SIN, VM_COS, VM_TAN, VM_ASIN, VM_ACOS,
  VM_ATAN, VM_SINH, VM_COSH, VM_TANH, VM_ERF, VM__COUNT
} VmFn;
void vm_apply(VmFn f, int64_t n, const double *x, double *y);
double vm_scalar(VmFn f, double x);

/* ---- reductions shared with other files ------------------------------- */
double sum_f64(const double *x, int64_t n);

#endif
