/* arr_test_util.h — helpers shared by test_array.c, test_prims.c and
 * test_ops.c (building arrays from C literals, comparing, checking
 * errors).  Header-only: each test binary includes it once. */
#ifndef JX_ARR_TEST_UTIL_H
#define JX_ARR_TEST_UTIL_H

#include <criterion/criterion.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ad/prim.h"
#include "eval/value.h"
#include "stdlib/array.h"

static Interp *I;

static __attribute__((unused)) void setup(void) {
  I = jx_new();
  cr_assert(I != NULL);
}
static __attribute__((unused)) void teardown(void) {
  jx_free_interp(I);
  I = NULL;
}

#define SH(...) ((const int64_t[]){__VA_ARGS__})
#define DV(...) ((const double[]){__VA_ARGS__})
#define IV(...) ((const int64_t[]){__VA_ARGS__})

/* A float/int/bool array (nd >= 1) or scalar (nd == 0) from C data. */
static __attribute__((unused)) Value mkf(int nd, const int64_t *sh, const double *d) {
  if (nd == 0) return v_float(d[0]);
  Array *a = arr_alloc(I, DT_FLOAT, nd, sh);
  cr_assert(a != NULL);
  if (a->size) memcpy(a->data, d, sizeof(double) * (size_t)a->size);
  return v_obj(&a->hdr);
}
static __attribute__((unused)) Value mki(int nd, const int64_t *sh, const int64_t *d) {
  if (nd == 0) return v_int(d[0]);
  Array *a = arr_alloc(I, DT_INT, nd, sh);
  cr_assert(a != NULL);
  if (a->size) memcpy(a->data, d, sizeof(int64_t) * (size_t)a->size);
  return v_obj(&a->hdr);
}
static __attribute__((unused)) Value mkb(int nd, const int64_t *sh, const int64_t *d) {
  if (nd == 0) return v_bool(d[0] != 0);
  Array *a = arr_alloc(I, DT_BOOL, nd, sh);
  cr_assert(a != NULL);
  for (int64_t k = 0; k < a->size; k++) ARR_B(a)[k] = d[k] != 0;
  return v_obj(&a->hdr);
}
/* 0, 1, 2, … (times scale, plus off) as float array of shape sh. */
static __attribute__((unused)) Value iotaf(int nd, const int64_t *sh, double scale, double off) {
  Array *a = arr_alloc(I, DT_FLOAT, nd, sh);
  cr_assert(a != NULL);
  for (int64_t k = 0; k < a->size; k++) ARR_F(a)[k] = (double)k * scale + off;
  return nd == 0 ? arr_normalize(I, a) : v_obj(&a->hdr);
}

static __attribute__((unused)) void drop(Value v) {
  if (!IS_EXC(v)) v_decref(v);
}

/* Primitive application through the table's implementation. */
static __attribute__((unused)) Value pim(PrimId id, int n, const Value *in, const Params *p) {
  static const Params zero = PARAMS_INIT;
  (void)n;
  return jx_prims[id].impl(I, in, p ? p : &zero);
}
static __attribute__((unused)) Value p1(PrimId id, Value x, const Params *p) { return pim(id, 1, &x, p); }
static __attribute__((unused)) Value p2(PrimId id, Value x, Value y, const Params *p) {
  Value in[2] = {x, y};
  return pim(id, 2, in, p);
}

static __attribute__((unused)) const char *err_msg(void) { return I->err.msg ? I->err.msg : ""; }
static __attribute__((unused)) bool msg_has(const char *sub) { return !sub || strstr(err_msg(), sub) != NULL; }

/* v must be an error of kind k whose message contains sub (if non-NULL). */
#define EXPECT_ERR(v, k, sub)                                                          \
  do {                                                                                 \
    Value ev_ = (v);                                                                   \
    cr_assert(IS_EXC(ev_), "expected %s, got a value of type %s", err_kind_name(k),    \
              type_name(ev_));                                                         \
    cr_assert_eq(I->err.kind, (k), "expected %s, got %s: %s", err_kind_name(k),        \
                 err_kind_name(I->err.kind), err_msg());                               \
    cr_assert(msg_has(sub), "message '%s' lacks '%s'", err_msg(), (sub) ? (sub) : "");  \
    jx_err_clear(I);                                                                   \
  } while (0)

#define OK(v)                                                                          \
  ({                                                                                   \
    Value ok_ = (v);                                                                   \
    cr_assert(!IS_EXC(ok_), "unexpected error: %s: %s", err_kind_name(I->err.kind),   \
              err_msg());                                                              \
    ok_;                                                                               \
  })

static __attribute__((unused)) bool close_to(double a, double b, double rtol, double atol) {
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
  if (isinf(a) || isinf(b)) return a == b;
  return fabs(a - b) <= atol + rtol * fabs(b);
}

/* Check v's dtype, shape and values (as doubles). Consumes v. */
static __attribute__((unused)) void check_arr(Value v, DType dt, int nd, const int64_t *sh, const double *want,
                      double rtol) {
  cr_assert(!IS_EXC(v), "unexpected error: %s: %s", err_kind_name(I->err.kind), err_msg());
  DType got;
  int gnd;
  int64_t gsh[JX_MAXDIM];
  cr_assert_eq(val_dtype(v, &got), 0);
  cr_assert_eq(got, dt, "dtype %s, want %s", dtype_name(got), dtype_name(dt));
  val_shape(v, &gnd, gsh);
  cr_assert_eq(gnd, nd, "ndim %d, want %d", gnd, nd);
  for (int k = 0; k < nd; k++) cr_assert_eq(gsh[k], sh[k], "dim %d: %lld, want %lld", k,
                                            (long long)gsh[k], (long long)sh[k]);
  if (nd == 0) {
    cr_assert(v.tag != T_ARRAY, "0-d result must be a scalar Value");
    double x = v.tag == T_FLOAT ? v.u.f : (double)v.u.i;
    cr_assert(close_to(x, want[0], rtol, 0), "scalar %.17g, want %.17g", x, want[0]);
  } else {
    Array *a = AS_ARRAY(v);
    for (int64_t k = 0; k < a->size; k++) {
      double x = arr_get_f(a, k);
      cr_assert(close_to(x, want[k], rtol, rtol),
                "element %lld: %.17g, want %.17g", (long long)k, x, want[k]);
    }
  }
  v_decref(v);
}
#define CHECK(v, dt, nd, sh, ...) check_arr((v), (dt), (nd), (sh), DV(__VA_ARGS__), 0)
#define CHECKR(v, dt, nd, sh, rtol, ...) check_arr((v), (dt), (nd), (sh), DV(__VA_ARGS__), (rtol))

static __attribute__((unused)) Params axes_p(int n, const int64_t *ax) {
  Params p = PARAMS_INIT;
  p.n = n;
  for (int k = 0; k < n; k++) p.a[k] = ax[k];
  return p;
}

/* Aval of a concrete value. */
static __attribute__((unused)) Aval aval_of_value(Value v) {
  Aval a;
  DType dt;
  memset(&a, 0, sizeof a);
  cr_assert_eq(val_dtype(v, &dt), 0);
  a.dtype = (uint8_t)dt;
  val_shape(v, &a.ndim, a.shape);
  return a;
}

/* The shape rule must agree with the implementation's result. */
static __attribute__((unused)) void check_shape_rule(PrimId id, int nin, const Value *in, const Params *p, Value out) {
  Aval av[8], o;
  for (int k = 0; k < nin; k++) av[k] = aval_of_value(in[k]);
  static const Params zero = PARAMS_INIT;
  int r = jx_prims[id].shape(I, av, p ? p : &zero, &o);
  cr_assert_eq(r, 0, "shape rule of %s failed: %s", jx_prims[id].name, err_msg());
  Aval w = aval_of_value(out);
  cr_assert_eq(o.dtype, w.dtype, "%s: shape rule dtype %d, impl %d", jx_prims[id].name, o.dtype,
               w.dtype);
  cr_assert_eq(o.ndim, w.ndim, "%s: shape rule ndim %d, impl %d", jx_prims[id].name, o.ndim,
               w.ndim);
  for (int k = 0; k < o.ndim; k++) cr_assert_eq(o.shape[k], w.shape[k]);
}

#endif
