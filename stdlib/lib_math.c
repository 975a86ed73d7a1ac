/* lib_math.c — elementwise builtins: the unary functions (exp, sin, …),
 * the binary ones (add, maximum, power, arctan2, …), comparisons, logical
 * operations, where/clip/round and a few compositions (exp2, log10,
 * logaddexp, isclose …).  Each is one primitive or a composition of
 * primitives; scalars in give scalars out.
 */
#include "lib_internal.h"

#include <math.h>
#include <string.h>

static Value un1(Interp *I, Value x, PrimId p, const char *fname) {
  if (!lib_is_num(x)) {
    Aval a;
    lib_aval(I, x, fname, "x", &a);
    return v_exc();
  }
  Params empty = PARAMS_INIT;
  return jx_bind1(I, p, x, &empty);
}

static Value bin2(Interp *I, Value a, Value b, PrimId p, const char *fname, const char *na,
                  const char *nb) {
  Aval av;
  if (lib_aval(I, a, fname, na, &av) < 0 || lib_aval(I, b, fname, nb, &av) < 0) return v_exc();
  Params empty = PARAMS_INIT;
  return jx_bind2(I, p, a, b, &empty);
}

#define UNARY(fn, P, name) \
  LIB_FN(fn) { return un1(I, args[0], P, name); }
#define BINARY(fn, P, name) \
  LIB_FN(fn) { return bin2(I, args[0], args[1], P, name, "x", "y"); }

UNARY(bi_abs, P_abs, "abs")
UNARY(bi_sign, P_sign, "sign")
UNARY(bi_exp, P_exp, "exp")
UNARY(bi_log, P_log, "log")
UNARY(bi_log1p, P_log1p, "log1p")
UNARY(bi_expm1, P_expm1, "expm1")
UNARY(bi_sqrt, P_sqrt, "sqrt")
UNARY(bi_sin, P_sin, "sin")
UNARY(bi_cos, P_cos, "cos")
UNARY(bi_tan, P_tan, "tan")
UNARY(bi_arcsin, P_asin, "arcsin")
UNARY(bi_arccos, P_acos, "arccos")
UNARY(bi_arctan, P_atan, "arctan")
UNARY(bi_sinh, P_sinh, "sinh")
UNARY(bi_cosh, P_cosh, "cosh")
UNARY(bi_tanh, P_tanh, "tanh")
UNARY(bi_isnan, P_isnan, "isnan")
UNARY(bi_isinf, P_isinf, "isinf")
UNARY(bi_isfinite, P_isfinite, "isfinite")
UNARY(bi_negative, P_neg, "negative")
UNARY(bi_erf, P_erf, "erf")

BINARY(bi_subtract, P_sub, "subtract")
BINARY(bi_divide, P_div, "divide")
BINARY(bi_floor_divide, P_floordiv, "floor_divide")
BINARY(bi_mod, P_mod, "mod")
BINARY(bi_maximum, P_max, "maximum")
BINARY(bi_minimum, P_min, "minimum")
BINARY(bi_arctan2, P_atan2, "arctan2")
BINARY(bi_equal, P_eq, "equal")
BINARY(bi_not_equal, P_ne, "not_equal")
BINARY(bi_less, P_lt, "less")
BINARY(bi_less_equal, P_le, "less_equal")
BINARY(bi_greater, P_gt, "greater")
BINARY(bi_greater_equal, P_ge, "greater_equal")

/* floor/ceil of ints and bools give floats, as in numpy and JAX */
static Value round_like(Interp *I, Value x, PrimId p, const char *fname) {
  Aval a;
  if (lib_aval(I, x, fname, "x", &a) < 0) return v_exc();
  return lib_un(I, p, lib_to_float(I, K(x)));
}
LIB_FN(bi_floor) { return round_like(I, args[0], P_floor, "floor"); }
LIB_FN(bi_ceil) { return round_like(I, args[0], P_ceil, "ceil"); }
LIB_FN(bi_rint) { return round_like(I, args[0], P_round, "rint"); }

/* add/multiply of two bool arrays are logical or/and (numpy, JAX) */
static Value add_mul(Interp *I, Value *args, PrimId p, PrimId pbool, const char *fname) {
  Aval a, b;
  if (lib_aval(I, args[0], fname, "x", &a) < 0 || lib_aval(I, args[1], fname, "y", &b) < 0)
    return v_exc();
  Params empty = PARAMS_INIT;
  if (a.dtype == DT_BOOL && b.dtype == DT_BOOL) p = pbool;
  return jx_bind2(I, p, args[0], args[1], &empty);
}
LIB_FN(bi_add) { return add_mul(I, args, P_add, P_or, "add"); }
LIB_FN(bi_multiply) { return add_mul(I, args, P_mul, P_and, "multiply"); }

LIB_FN(bi_positive) {
  Aval a;
  if (lib_aval(I, args[0], "positive", "x", &a) < 0) return v_exc();
  return K(args[0]);
}

/* real/conj of real arrays: the identity */
LIB_FN(bi_real) {
  Aval a;
  if (lib_aval(I, args[0], "real", "x", &a) < 0) return v_exc();
  return K(args[0]);
}

LIB_FN(bi_square) {
  Aval a;
  if (lib_aval(I, args[0], "square", "x", &a) < 0) return v_exc();
  if (a.dtype == DT_FLOAT) {
    Params p = PARAMS_INIT;
    p.i0 = 2;
    return jx_bind1(I, P_integer_pow, args[0], &p);
  }
  return lib_bin(I, P_mul, K(args[0]), K(args[0]));
}

LIB_FN(bi_reciprocal) {
  Aval a;
  if (lib_aval(I, args[0], "reciprocal", "x", &a) < 0) return v_exc();
  return lib_bin(I, P_div, F(1.0), K(args[0]));
}

LIB_FN(bi_exp2) {
  Aval a;
  if (lib_aval(I, args[0], "exp2", "x", &a) < 0) return v_exc();
  /* pow(2, x): exact at integers (2**3 is 8.0), derivative 2**x log 2 */
  return lib_bin(I, P_pow, F(2.0), lib_to_float(I, K(args[0])));
}

static Value log_base(Interp *I, Value x, double lnb, const char *fname) {
  Aval a;
  if (lib_aval(I, x, fname, "x", &a) < 0) return v_exc();
  return lib_bin(I, P_div, lib_un(I, P_log, K(x)), F(lnb));
}
LIB_FN(bi_log2) { return log_base(I, args[0], M_LN2, "log2"); }
LIB_FN(bi_log10) { return log_base(I, args[0], M_LN10, "log10"); }

static Value scale(Interp *I, Value x, double c, const char *fname) {
  Aval a;
  if (lib_aval(I, x, fname, "x", &a) < 0) return v_exc();
  return lib_bin(I, P_mul, lib_to_float(I, K(x)), F(c));
}
LIB_FN(bi_deg2rad) { return scale(I, args[0], M_PI / 180.0, "deg2rad"); }
LIB_FN(bi_rad2deg) { return scale(I, args[0], 180.0 / M_PI, "rad2deg"); }

/* power: a Python-int exponent on a float base is integer_pow (as in JAX),
 * so x ** 2 differentiates without log(x). */
Value lib_power(Interp *I, Value x, Value y, const char *fname) {
  Aval ax, ay;
  if (lib_aval(I, x, fname, "x", &ax) < 0 || lib_aval(I, y, fname, "y", &ay) < 0)
    return v_exc();
  if (y.tag == T_INT && ax.dtype == DT_FLOAT && y.u.i >= -(1 << 30) && y.u.i <= (1 << 30)) {
    Params p = PARAMS_INIT;
    p.i0 = y.u.i;
    return jx_bind1(I, P_integer_pow, x, &p);
  }
  Params empty = PARAMS_INIT;
  return jx_bind2(I, P_pow, x, y, &empty);
}
LIB_FN(bi_power) { return lib_power(I, args[0], args[1], "power"); }

LIB_FN(bi_float_power) {
  Aval a;
  if (lib_aval(I, args[0], "float_power", "x", &a) < 0 ||
      lib_aval(I, args[1], "float_power", "y", &a) < 0)
    return v_exc();
  return lib_bin(I, P_pow, lib_to_float(I, K(args[0])), lib_to_float(I, K(args[1])));
}

LIB_FN(bi_clip) {
  Aval a;
  if (lib_aval(I, args[0], "clip", "x", &a) < 0) return v_exc();
  /* lo/hi, also under numpy's (a_min, a_max) and JAX's (min, max) names */
  Value lo = args[1], hi = args[2];
  if (lib_is_missing(lo)) lo = lib_is_missing(args[3]) ? args[5] : args[3];
  if (lib_is_missing(hi)) hi = lib_is_missing(args[4]) ? args[6] : args[4];
  if (!lib_is_missing(lo) && lib_aval(I, lo, "clip", "lo", &a) < 0) return v_exc();
  if (!lib_is_missing(hi) && lib_aval(I, hi, "clip", "hi", &a) < 0) return v_exc();
  Value r = K(args[0]);
  /* maximum/minimum split the derivative 0.5/0.5 at the bounds (JAX) */
  if (!lib_is_missing(lo)) r = lib_bin(I, P_max, r, K(lo));
  if (!lib_is_missing(hi)) r = lib_bin(I, P_min, r, K(hi));
  return r;
}

static Value to_bool(Interp *I, Value x) { return lib_convert(I, x, DT_BOOL); }

LIB_FN(bi_where) {
  Aval a;
  if (lib_aval(I, args[0], "where", "condition", &a) < 0) return v_exc();
  if (lib_is_missing(args[1]) || lib_is_missing(args[2]))
    return jx_raise(I, E_TYPE,
                    "where: the one-argument form (indices of nonzero elements) is not "
                    "supported; use where(condition, x, y)");
  if (lib_aval(I, args[1], "where", "x", &a) < 0 || lib_aval(I, args[2], "where", "y", &a) < 0)
    return v_exc();
  return lib_select(I, to_bool(I, K(args[0])), K(args[1]), K(args[2]));
}

LIB_FN(bi_logical_not) {
  Aval a;
  if (lib_aval(I, args[0], "logical_not", "x", &a) < 0) return v_exc();
  return lib_un(I, P_not, to_bool(I, K(args[0])));
}

static Value logical2(Interp *I, Value *args, PrimId p, const char *fname) {
  Aval a;
  if (lib_aval(I, args[0], fname, "x", &a) < 0 || lib_aval(I, args[1], fname, "y", &a) < 0)
    return v_exc();
  return lib_bin(I, p, to_bool(I, K(args[0])), to_bool(I, K(args[1])));
}
LIB_FN(bi_logical_and) { return logical2(I, args, P_and, "logical_and"); }
LIB_FN(bi_logical_or) { return logical2(I, args, P_or, "logical_or"); }
LIB_FN(bi_logical_xor) { return logical2(I, args, P_ne, "logical_xor"); }

LIB_FN(bi_round) {
  Aval a;
  int64_t d;
  if (lib_aval(I, args[0], "round", "x", &a) < 0) return v_exc();
  if (lib_int_arg(I, args[1], "round", "decimals", &d) < 0) return v_exc();
  if (a.dtype != DT_FLOAT && d >= 0) return K(args[0]); /* ints stay ints */
  if (d == 0) return un1(I, args[0], P_round, "round");
  if (d > 308 || d < -308) d = d > 0 ? 308 : -308;
  /* numpy: rint(x * 10**d) / 10**d (d < 0: rint(x / 10**-d) * 10**-d) */
  if (d > 0) {
    double s = pow(10.0, (double)d);
    return lib_bin(I, P_div, lib_un(I, P_round, lib_bin(I, P_mul, K(args[0]), F(s))), F(s));
  }
  double s = pow(10.0, (double)-d);
  Value r = lib_bin(I, P_mul, lib_un(I, P_round, lib_bin(I, P_div, K(args[0]), F(s))), F(s));
  return a.dtype == DT_FLOAT ? r : lib_convert(I, r, (DType)a.dtype);
}

LIB_FN(bi_trunc) {
  Aval a;
  if (lib_aval(I, args[0], "trunc", "x", &a) < 0) return v_exc();
  Value x = lib_to_float(I, K(args[0]));
  if (IS_EXC(x)) return x;
  Value r = lib_select(I, lib_bin(I, P_lt, K(x), F(0.0)), lib_un(I, P_ceil, K(x)),
                       lib_un(I, P_floor, K(x)));
  v_decref(x);
  return r;
}

/* logaddexp(a, b) = log(exp(a) + exp(b)), stable, with the derivative
 * sigmoid(a - b) for a (1/2 at ties) and no nan from the branch not taken. */
Value lib_logaddexp(Interp *I, Value a, Value b) {
  Value d = lib_bin(I, P_sub, K(a), K(b));
  if (IS_EXC(d)) return d;
  Value pos = lib_bin(I, P_gt, K(d), F(0.0));
  if (IS_EXC(pos)) {
    v_decref(d);
    return pos;
  }
  Value big = lib_select(I, K(pos), K(a), K(b));
  Value small = lib_select(I, pos, K(b), K(a));
  Value diff = lib_bin(I, P_sub, small, K(big));
  Value r = lib_bin(I, P_add, big, lib_un(I, P_log1p, lib_un(I, P_exp, diff)));
  /* a - b is nan only when both are the same infinity (or one is nan):
   * a + b is then the right answer. */
  return lib_select(I, lib_un(I, P_isnan, d), lib_bin(I, P_add, K(a), K(b)), r);
}

LIB_FN(bi_logaddexp) {
  Aval a;
  if (lib_aval(I, args[0], "logaddexp", "x", &a) < 0 ||
      lib_aval(I, args[1], "logaddexp", "y", &a) < 0)
    return v_exc();
  Value x = lib_to_float(I, K(args[0]));
  Value y = lib_to_float(I, K(args[1]));
  if (IS_EXC(x) || IS_EXC(y)) {
    if (!IS_EXC(x)) v_decref(x);
    if (!IS_EXC(y)) v_decref(y);
    return v_exc();
  }
  Value r = lib_logaddexp(I, x, y);
  v_decref(x);
  v_decref(y);
  return r;
}

/* isclose: |a - b| <= atol + rtol * |b| for finite values, a == b for
 * infinite ones; nan equal to nan only with equal_nan. */
static Value isclose(Interp *I, Value *args, const char *fname) {
  Aval a;
  double rtol, atol;
  bool equal_nan;
  if (lib_aval(I, args[0], fname, "a", &a) < 0 || lib_aval(I, args[1], fname, "b", &a) < 0)
    return v_exc();
  if (lib_float_arg(I, args[2], fname, "rtol", &rtol) < 0 ||
      lib_float_arg(I, args[3], fname, "atol", &atol) < 0 ||
      lib_bool_arg(I, args[4], fname, "equal_nan", &equal_nan) < 0)
    return v_exc();
  Value x = lib_to_float(I, K(args[0]));
  Value y = lib_to_float(I, K(args[1]));
  if (IS_EXC(x) || IS_EXC(y)) {
    if (!IS_EXC(x)) v_decref(x);
    if (!IS_EXC(y)) v_decref(y);
    return v_exc();
  }
  Value close = lib_bin(I, P_le, lib_un(I, P_abs, lib_bin(I, P_sub, K(x), K(y))),
                        lib_bin(I, P_add, F(atol), lib_bin(I, P_mul, F(rtol),
                                                          lib_un(I, P_abs, K(y)))));
  Value fin = lib_bin(I, P_and, lib_un(I, P_isfinite, K(x)), lib_un(I, P_isfinite, K(y)));
  Value r = lib_select(I, fin, close, lib_bin(I, P_eq, K(x), K(y)));
  if (equal_nan)
    r = lib_bin(I, P_or, r, lib_bin(I, P_and, lib_un(I, P_isnan, K(x)),
                                    lib_un(I, P_isnan, K(y))));
  v_decref(x);
  v_decref(y);
  return r;
}
LIB_FN(bi_isclose) { return isclose(I, args, "isclose"); }
LIB_FN(bi_allclose) {
  Value r = isclose(I, args, "allclose");
  Aval a;
  if (IS_EXC(r)) return r;
  if (val_aval(I, r, &a) < 0) {
    v_decref(r);
    return v_exc();
  }
  int64_t axes[JX_MAXDIM];
  for (int k = 0; k < a.ndim; k++) axes[k] = k;
  return lib_reduce(I, P_reduce_and, r, a.ndim, axes);
}

LIB_FN(bi_array_equal) {
  Aval a, b;
  if (lib_aval(I, args[0], "array_equal", "a", &a) < 0 ||
      lib_aval(I, args[1], "array_equal", "b", &b) < 0)
    return v_exc();
  if (a.ndim != b.ndim || memcmp(a.shape, b.shape, sizeof(int64_t) * (size_t)a.ndim))
    return v_bool(false);
  Value r = lib_bin(I, P_eq, K(args[0]), K(args[1]));
  int64_t axes[JX_MAXDIM];
  for (int k = 0; k < a.ndim; k++) axes[k] = k;
  return lib_reduce(I, P_reduce_and, r, a.ndim, axes);
}
