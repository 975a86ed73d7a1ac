/* lib_reduce.c — reductions: sum mean prod max min ptp argmax argmin var
 * std all any count_nonzero norm cumsum.
 *
 * axis is None (all axes), an int or a tuple of ints (negatives count from
 * the end); keepdims reduces and then reshapes to the kept-dims shape.  The
 * reduction primitives take sorted, unique, non-negative axes.
 */
#include "lib_internal.h"

#include <math.h>
#include <string.h>

typedef struct {
  Aval a;
  int naxes;
  int64_t axes[JX_MAXDIM];
  bool all, keepdims;
  int64_t count; /* number of elements reduced into each output */
} Red;

static int red_args(Interp *I, Value *args, const char *fname, int axis_idx, int kd_idx,
                    Red *r) {
  if (lib_aval(I, args[0], fname, "x", &r->a) < 0) return -1;
  if (lib_axes_arg(I, args[axis_idx], r->a.ndim, fname, "axis", true, &r->naxes, r->axes,
                   &r->all) < 0)
    return -1;
  r->keepdims = false;
  if (kd_idx >= 0 && lib_bool_arg(I, args[kd_idx], fname, "keepdims", &r->keepdims) < 0)
    return -1;
  r->count = 1;
  for (int k = 0; k < r->naxes; k++) r->count *= r->a.shape[r->axes[k]];
  return 0;
}

static int check_nonempty(Interp *I, const Red *r, const char *fname, const char *op) {
  for (int k = 0; k < r->naxes; k++)
    if (r->a.shape[r->axes[k]] == 0)
      return jx_raisei(I, E_VALUE,
                       "%s: zero-size array to reduction operation %s which has no identity",
                       fname, op);
  return 0;
}

/* optional dtype= conversion before reducing */
static Value with_dtype(Interp *I, Value x, Value dtv, const char *fname) {
  int dt;
  if (lib_dtype_arg(I, dtv, fname, "dtype", &dt) < 0) return v_exc();
  return dt < 0 ? K(x) : lib_convert(I, K(x), (DType)dt);
}

LIB_FN(bi_sum) {
  Red r;
  if (red_args(I, args, "sum", 1, 2, &r) < 0) return v_exc();
  Value x = with_dtype(I, args[0], args[3], "sum");
  return lib_reduce_kd(I, P_reduce_sum, x, &r.a, r.naxes, r.axes, r.keepdims);
}

LIB_FN(bi_prod) {
  Red r;
  if (red_args(I, args, "prod", 1, 2, &r) < 0) return v_exc();
  Value x = with_dtype(I, args[0], args[3], "prod");
  if (!IS_EXC(x) && r.a.dtype == DT_BOOL && lib_is_missing(args[3])) x = lib_convert(I, x, DT_INT);
  return lib_reduce_kd(I, P_reduce_prod, x, &r.a, r.naxes, r.axes, r.keepdims);
}

Value lib_mean_axes(Interp *I, Value x, const Aval *a, int naxes, const int64_t *axes,
                    bool keepdims) {
  int64_t count = 1;
  for (int k = 0; k < naxes; k++) count *= a->shape[axes[k]];
  Value s = lib_reduce_kd(I, P_reduce_sum, lib_to_float(I, K(x)), a, naxes, axes, keepdims);
  return lib_bin(I, P_div, s, F((double)count));
}

LIB_FN(bi_mean) {
  Red r;
  if (red_args(I, args, "mean", 1, 2, &r) < 0) return v_exc();
  Value x = with_dtype(I, args[0], args[3], "mean");
  if (IS_EXC(x)) return x;
  Value m = lib_mean_axes(I, x, &r.a, r.naxes, r.axes, r.keepdims);
  v_decref(x);
  return m;
}

static Value minmax(Interp *I, Value *args, PrimId p, const char *fname, const char *op) {
  Red r;
  if (red_args(I, args, fname, 1, 2, &r) < 0) return v_exc();
  if (check_nonempty(I, &r, fname, op) < 0) return v_exc();
  return lib_reduce_kd(I, p, K(args[0]), &r.a, r.naxes, r.axes, r.keepdims);
}
LIB_FN(bi_max) { return minmax(I, args, P_reduce_max, "max", "maximum"); }
LIB_FN(bi_min) { return minmax(I, args, P_reduce_min, "min", "minimum"); }

LIB_FN(bi_ptp) {
  Red r;
  if (red_args(I, args, "ptp", 1, 2, &r) < 0) return v_exc();
  if (check_nonempty(I, &r, "ptp", "maximum") < 0) return v_exc();
  return lib_bin(I, P_sub,
                 lib_reduce_kd(I, P_reduce_max, K(args[0]), &r.a, r.naxes, r.axes, r.keepdims),
                 lib_reduce_kd(I, P_reduce_min, K(args[0]), &r.a, r.naxes, r.axes, r.keepdims));
}

static Value argext(Interp *I, Value *args, PrimId p, const char *fname) {
  Aval a;
  bool keepdims;
  if (lib_aval(I, args[0], fname, "x", &a) < 0) return v_exc();
  if (lib_bool_arg(I, args[2], fname, "keepdims", &keepdims) < 0) return v_exc();
  Params prm = PARAMS_INIT;
  int64_t ax = 0;
  if (a.ndim == 0) { /* a scalar: index 0 (any axis must be 0 or -1) */
    if (!lib_is_missing(args[1]) && lib_axis_arg(I, args[1], 1, fname, "axis", &ax) < 0)
      return v_exc();
    return v_int(0);
  }
  if (lib_is_missing(args[1])) {
    if (lib_aval_size(&a) == 0)
      return jx_raise(I, E_VALUE, "%s: attempt to get %s of an empty sequence", fname, fname);
    prm.i1 = 1;
  } else {
    if (lib_axis_arg(I, args[1], a.ndim, fname, "axis", &ax) < 0) return v_exc();
    if (a.shape[ax] == 0)
      return jx_raise(I, E_VALUE, "%s: attempt to get %s of an empty sequence", fname, fname);
    prm.i0 = ax;
  }
  Value r = jx_bind1(I, p, args[0], &prm);
  if (!keepdims || IS_EXC(r)) return r;
  int64_t sh[JX_MAXDIM];
  memcpy(sh, a.shape, sizeof(int64_t) * (size_t)a.ndim);
  if (prm.i1)
    for (int k = 0; k < a.ndim; k++) sh[k] = 1;
  else
    sh[ax] = 1;
  return lib_reshape(I, r, a.ndim, sh);
}
LIB_FN(bi_argmax) { return argext(I, args, P_argmax, "argmax"); }
LIB_FN(bi_argmin) { return argext(I, args, P_argmin, "argmin"); }

/* var: mean of squared deviations from the mean, divided by n - ddof. */
static Value var_impl(Interp *I, Value *args, const char *fname, bool do_sqrt) {
  Red r;
  double ddof;
  if (red_args(I, args, fname, 1, 3, &r) < 0) return v_exc();
  if (lib_float_arg(I, args[2], fname, "ddof", &ddof) < 0) return v_exc();
  Value xf = lib_to_float(I, K(args[0]));
  if (IS_EXC(xf)) return xf;
  Value mu = lib_mean_axes(I, xf, &r.a, r.naxes, r.axes, true);
  Value c = lib_bin(I, P_sub, xf, mu);
  Params p2 = PARAMS_INIT;
  p2.i0 = 2;
  Value sq = lib_unp(I, P_integer_pow, c, &p2);
  double denom = (double)r.count - ddof;
  if (denom < 0) denom = 0;
  Value v = lib_bin(I, P_div, lib_reduce_kd(I, P_reduce_sum, sq, &r.a, r.naxes, r.axes,
                                            r.keepdims), F(denom));
  return do_sqrt ? lib_un(I, P_sqrt, v) : v;
}
LIB_FN(bi_var) { return var_impl(I, args, "var", false); }
LIB_FN(bi_std) { return var_impl(I, args, "std", true); }

static Value allany(Interp *I, Value *args, PrimId p, const char *fname) {
  Red r;
  if (red_args(I, args, fname, 1, 2, &r) < 0) return v_exc();
  return lib_reduce_kd(I, p, lib_convert(I, K(args[0]), DT_BOOL), &r.a, r.naxes, r.axes,
                       r.keepdims);
}
LIB_FN(bi_all) { return allany(I, args, P_reduce_and, "all"); }
LIB_FN(bi_any) { return allany(I, args, P_reduce_or, "any"); }

LIB_FN(bi_count_nonzero) {
  Red r;
  if (red_args(I, args, "count_nonzero", 1, 2, &r) < 0) return v_exc();
  return lib_reduce_kd(I, P_reduce_sum, lib_convert(I, K(args[0]), DT_BOOL), &r.a, r.naxes,
                       r.axes, r.keepdims);
}

LIB_FN(bi_cumsum) {
  Aval a;
  int dt;
  if (lib_aval(I, args[0], "cumsum", "x", &a) < 0) return v_exc();
  if (lib_dtype_arg(I, args[2], "cumsum", "dtype", &dt) < 0) return v_exc();
  Value x = dt < 0 ? K(args[0]) : lib_convert(I, K(args[0]), (DType)dt);
  if (IS_EXC(x)) return x;
  Params p = PARAMS_INIT;
  if (lib_is_missing(args[1]) || a.ndim == 0) {
    if (!lib_is_missing(args[1])) {
      int64_t ax;
      if (lib_axis_arg(I, args[1], 1, "cumsum", "axis", &ax) < 0) {
        v_decref(x);
        return v_exc();
      }
    }
    Value f = lib_ravel(I, x);
    v_decref(x);
    x = f;
    p.i0 = 0;
  } else {
    int64_t ax;
    if (lib_axis_arg(I, args[1], a.ndim, "cumsum", "axis", &ax) < 0) {
      v_decref(x);
      return v_exc();
    }
    p.i0 = ax;
  }
  /* bool sums as int, like numpy */
  if (!IS_EXC(x)) {
    Aval xa;
    if (val_aval(I, x, &xa) == 0 && xa.dtype == DT_BOOL) x = lib_convert(I, x, DT_INT);
  }
  return lib_unp(I, P_cumsum, x, &p);
}

/* ---- norm ------------------------------------------------------------- */

typedef enum { ORD_NONE, ORD_NUM, ORD_FRO, ORD_NUC } OrdKind;

static Value vec_norm(Interp *I, Value x, const Aval *a, int naxes, const int64_t *axes,
                      bool keepdims, OrdKind ok, double ord) {
  Value xf = lib_to_float(I, K(x));
  if (IS_EXC(xf)) return xf;
  Value r;
  if (ok == ORD_NONE || (ok == ORD_NUM && ord == 2.0)) {
    r = lib_un(I, P_sqrt, lib_reduce_kd(I, P_reduce_sum, lib_bin(I, P_mul, K(xf), K(xf)), a,
                                        naxes, axes, keepdims));
  } else if (ord == INFINITY || ord == -INFINITY) {
    for (int k = 0; k < naxes; k++)
      if (a->shape[axes[k]] == 0) {
        v_decref(xf);
        return jx_raise(I, E_VALUE, "norm: zero-size array to reduction operation %s which has no identity",
                        ord > 0 ? "maximum" : "minimum");
      }
    r = lib_reduce_kd(I, ord > 0 ? P_reduce_max : P_reduce_min, lib_un(I, P_abs, K(xf)), a,
                      naxes, axes, keepdims);
  } else if (ord == 0.0) {
    r = lib_to_float(I, lib_reduce_kd(I, P_reduce_sum, lib_bin(I, P_ne, K(xf), F(0.0)), a,
                                      naxes, axes, keepdims));
  } else if (ord == 1.0) {
    r = lib_reduce_kd(I, P_reduce_sum, lib_un(I, P_abs, K(xf)), a, naxes, axes, keepdims);
  } else {
    r = lib_bin(I, P_pow,
                lib_reduce_kd(I, P_reduce_sum,
                              lib_bin(I, P_pow, lib_un(I, P_abs, K(xf)), F(ord)), a, naxes,
                              axes, keepdims),
                F(1.0 / ord));
  }
  v_decref(xf);
  return r;
}

static Value mat_norm(Interp *I, Value x, const Aval *a, int64_t row, int64_t col,
                      bool keepdims, OrdKind ok, double ord) {
  int64_t both[2] = {row < col ? row : col, row < col ? col : row};
  if (ok == ORD_NONE || ok == ORD_FRO)
    return vec_norm(I, x, a, 2, both, keepdims, ORD_NONE, 0);
  if (ok == ORD_NUC || (ord != 1 && ord != -1 && ord != INFINITY && ord != -INFINITY))
    return jx_raise(I, E_VALUE,
                    "norm: matrix norm of this order is not supported (supported: None, "
                    "'fro', 1, -1, inf, -inf)");
  /* ord = ±1: extreme column sum (sum over rows); ±inf: extreme row sum. */
  int64_t sum_ax = (ord == 1 || ord == -1) ? row : col;
  int64_t ext_ax = (ord == 1 || ord == -1) ? col : row;
  if (a->shape[ext_ax] == 0 || a->shape[sum_ax] == 0)
    return jx_raise(I, E_VALUE, "norm: zero-size array to reduction operation");
  Value s = lib_reduce_kd(I, P_reduce_sum, lib_un(I, P_abs, lib_to_float(I, K(x))), a, 1,
                          &sum_ax, true);
  Aval sa = *a;
  sa.shape[sum_ax] = 1;
  Value r = lib_reduce_kd(I, ord > 0 ? P_reduce_max : P_reduce_min, s, &sa, 1, &ext_ax, true);
  if (keepdims || IS_EXC(r)) return r;
  int64_t sh[JX_MAXDIM];
  int nd = 0;
  for (int k = 0; k < a->ndim; k++)
    if (k != row && k != col) sh[nd++] = a->shape[k];
  return lib_reshape(I, r, nd, sh);
}

Value lib_norm(Interp *I, Value *args, const char *fname) {
  Aval a;
  bool keepdims;
  if (lib_aval(I, args[0], fname, "x", &a) < 0) return v_exc();
  if (lib_bool_arg(I, args[3], fname, "keepdims", &keepdims) < 0) return v_exc();
  OrdKind ok = ORD_NONE;
  double ord = 0;
  Value o = args[1];
  if (lib_is_missing(o)) ok = ORD_NONE;
  else if (o.tag == T_STR && !strcmp(AS_STR(o)->s, "fro")) ok = ORD_FRO;
  else if (o.tag == T_STR && !strcmp(AS_STR(o)->s, "nuc")) ok = ORD_NUC;
  else if (o.tag == T_STR)
    return jx_raise(I, E_VALUE, "%s: invalid norm order '%s'", fname, AS_STR(o)->s);
  else {
    if (lib_float_arg(I, o, fname, "ord", &ord) < 0) return v_exc();
    ok = ORD_NUM;
  }
  int naxes;
  int64_t axes[JX_MAXDIM];
  bool all;
  if (lib_axes_arg(I, args[2], a.ndim, fname, "axis", false, &naxes, axes, &all) < 0)
    return v_exc();
  if (all) {
    if (ok == ORD_NONE) return vec_norm(I, args[0], &a, a.ndim, axes, keepdims, ok, ord);
    if (a.ndim == 1) return vec_norm(I, args[0], &a, 1, axes, keepdims, ok, ord);
    if (a.ndim == 2) return mat_norm(I, args[0], &a, 0, 1, keepdims, ok, ord);
    return jx_raise(I, E_VALUE, "%s: improper number of dimensions to norm (%d) with ord given",
                    fname, a.ndim);
  }
  if (naxes == 1) {
    if (ok == ORD_FRO || ok == ORD_NUC)
      return jx_raise(I, E_VALUE, "%s: invalid norm order for vectors", fname);
    return vec_norm(I, args[0], &a, 1, axes, keepdims, ok, ord);
  }
  if (naxes == 2) return mat_norm(I, args[0], &a, axes[0], axes[1], keepdims, ok, ord);
  return jx_raise(I, E_VALUE, "%s: improper number of dimensions to norm", fname);
}

LIB_FN(bi_norm) { return lib_norm(I, args, "norm"); }
LIB_FN(bi_linalg_norm) { return lib_norm(I, args, "linalg.norm"); }
