/* lib_nn.c — nn.* activations and friends: sigmoid relu relu6 softplus
 * log_sigmoid silu/swish gelu elu celu selu leaky_relu hard_tanh
 * hard_sigmoid hard_silu soft_sign mish softmax log_softmax logsumexp
 * standardize one_hot glu.
 *
 * Kinks follow JAX's conventions (relu'(0) = 0, relu6' = 0 at 0 and 6).
 * Branchy formulas use the "double where" pattern so the branch that is
 * not taken never produces inf/nan in the derivative.
 */
#include "lib_internal.h"

#include <math.h>
#include <string.h>

static Value zero_like_dtype(const Aval *a) {
  return a->dtype == DT_FLOAT ? F(0.0) : a->dtype == DT_INT ? N(0) : v_bool(false);
}

LIB_FN(bi_sigmoid) {
  Aval a;
  if (lib_aval(I, args[0], "nn.sigmoid", "x", &a) < 0) return v_exc();
  return lib_un(I, P_logistic, K(args[0]));
}

/* relu(x) = x where x > 0, else 0; nan stays nan; derivative 0 at 0. */
LIB_FN(bi_relu) {
  Aval a;
  if (lib_aval(I, args[0], "nn.relu", "x", &a) < 0) return v_exc();
  return lib_select(I, lib_bin(I, P_le, K(args[0]), N(0)), zero_like_dtype(&a), K(args[0]));
}

LIB_FN(bi_relu6) {
  Aval a;
  if (lib_aval(I, args[0], "nn.relu6", "x", &a) < 0) return v_exc();
  Value x = args[0];
  Value six = a.dtype == DT_FLOAT ? F(6.0) : N(6);
  return lib_select(I, lib_bin(I, P_le, K(x), N(0)), zero_like_dtype(&a),
                    lib_select(I, lib_bin(I, P_ge, K(x), N(6)), six, K(x)));
}

/* softplus(x) = log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)), written
 * so that softplus'(0) = 1/2 and no branch overflows. */
static Value softplus(Interp *I, Value x /* consumed, float */) {
  if (IS_EXC(x)) return x;
  Value pos = lib_bin(I, P_gt, K(x), F(0.0));
  if (IS_EXC(pos)) {
    v_decref(x);
    return pos;
  }
  Value xn = lib_select(I, K(pos), lib_un(I, P_neg, K(x)), K(x)); /* -|x| */
  return lib_bin(I, P_add, lib_select(I, pos, x, F(0.0)),
                 lib_un(I, P_log1p, lib_un(I, P_exp, xn)));
}

LIB_FN(bi_softplus) {
  Aval a;
  if (lib_aval(I, args[0], "nn.softplus", "x", &a) < 0) return v_exc();
  return softplus(I, lib_to_float(I, K(args[0])));
}

LIB_FN(bi_log_sigmoid) {
  Aval a;
  if (lib_aval(I, args[0], "nn.log_sigmoid", "x", &a) < 0) return v_exc();
  return lib_un(I, P_neg, softplus(I, lib_un(I, P_neg, lib_to_float(I, K(args[0])))));
}

LIB_FN(bi_silu) {
  Aval a;
  if (lib_aval(I, args[0], "nn.silu", "x", &a) < 0) return v_exc();
  return lib_bin(I, P_mul, K(args[0]), lib_un(I, P_logistic, K(args[0])));
}

LIB_FN(bi_mish) {
  Aval a;
  if (lib_aval(I, args[0], "nn.mish", "x", &a) < 0) return v_exc();
  return lib_bin(I, P_mul, K(args[0]),
                 lib_un(I, P_tanh, softplus(I, lib_to_float(I, K(args[0])))));
}

LIB_FN(bi_gelu) {
  Aval a;
  bool approx = true;
  if (lib_aval(I, args[0], "nn.gelu", "x", &a) < 0) return v_exc();
  if (lib_bool_arg(I, args[1], "nn.gelu", "approximate", &approx) < 0) return v_exc();
  if (lib_is_missing(args[1])) approx = true;
  Value x = lib_to_float(I, K(args[0]));
  if (IS_EXC(x)) return x;
  if (approx) {
    /* x * 0.5 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) */
    Params p3 = PARAMS_INIT;
    p3.i0 = 3;
    Value inner = lib_bin(I, P_mul, F(sqrt(2.0 / M_PI)),
                          lib_bin(I, P_add, K(x), lib_bin(I, P_mul, F(0.044715),
                                                          lib_unp(I, P_integer_pow, K(x), &p3))));
    Value cdf = lib_bin(I, P_mul, F(0.5), lib_bin(I, P_add, F(1.0), lib_un(I, P_tanh, inner)));
    return lib_bin(I, P_mul, x, cdf);
  }
  /* exact: x * (1 + erf(x / sqrt 2)) / 2 */
  Value cdf = lib_bin(I, P_mul, F(0.5),
                      lib_bin(I, P_add, F(1.0),
                              lib_un(I, P_erf, lib_bin(I, P_mul, K(x), F(M_SQRT1_2)))));
  return lib_bin(I, P_mul, x, cdf);
}

/* where(x > 0, x, alpha * expm1(where(x > 0, 0, x) / div)) */
static Value elu_like(Interp *I, Value xin, double alpha, double div) {
  Value x = lib_to_float(I, K(xin));
  if (IS_EXC(x)) return x;
  Value pos = lib_bin(I, P_gt, K(x), F(0.0));
  if (IS_EXC(pos)) {
    v_decref(x);
    return pos;
  }
  Value safe = lib_select(I, K(pos), F(0.0), K(x));
  if (div != 1.0) safe = lib_bin(I, P_div, safe, F(div));
  return lib_select(I, pos, x, lib_bin(I, P_mul, F(alpha), lib_un(I, P_expm1, safe)));
}

LIB_FN(bi_elu) {
  Aval a;
  double alpha;
  if (lib_aval(I, args[0], "nn.elu", "x", &a) < 0) return v_exc();
  if (lib_float_arg(I, args[1], "nn.elu", "alpha", &alpha) < 0) return v_exc();
  return elu_like(I, args[0], alpha, 1.0);
}

LIB_FN(bi_celu) {
  Aval a;
  double alpha;
  if (lib_aval(I, args[0], "nn.celu", "x", &a) < 0) return v_exc();
  if (lib_float_arg(I, args[1], "nn.celu", "alpha", &alpha) < 0) return v_exc();
  return elu_like(I, args[0], alpha, alpha);
}

LIB_FN(bi_selu) {
  Aval a;
  if (lib_aval(I, args[0], "nn.selu", "x", &a) < 0) return v_exc();
  const double alpha = 1.6732632423543772848170429916717;
  const double scale = 1.0507009873554804934193349852946;
  return lib_bin(I, P_mul, F(scale), elu_like(I, args[0], alpha, 1.0));
}

LIB_FN(bi_leaky_relu) {
  Aval a;
  double slope;
  if (lib_aval(I, args[0], "nn.leaky_relu", "x", &a) < 0) return v_exc();
  if (lib_float_arg(I, args[1], "nn.leaky_relu", "negative_slope", &slope) < 0) return v_exc();
  return lib_select(I, lib_bin(I, P_ge, K(args[0]), N(0)), K(args[0]),
                    lib_bin(I, P_mul, F(slope), K(args[0])));
}

LIB_FN(bi_hard_tanh) {
  Aval a;
  if (lib_aval(I, args[0], "nn.hard_tanh", "x", &a) < 0) return v_exc();
  Value x = args[0];
  return lib_select(I, lib_bin(I, P_gt, K(x), N(1)), F(1.0),
                    lib_select(I, lib_bin(I, P_lt, K(x), N(-1)), F(-1.0), K(x)));
}

static Value hard_sigmoid(Interp *I, Value x /* borrowed */) {
  /* relu6(x + 3) / 6 */
  Value y = lib_bin(I, P_add, lib_to_float(I, K(x)), F(3.0));
  if (IS_EXC(y)) return y;
  Value r = lib_select(I, lib_bin(I, P_le, K(y), F(0.0)), F(0.0),
                       lib_select(I, lib_bin(I, P_ge, K(y), F(6.0)), F(6.0), K(y)));
  v_decref(y);
  return lib_bin(I, P_div, r, F(6.0));
}

LIB_FN(bi_hard_sigmoid) {
  Aval a;
  if (lib_aval(I, args[0], "nn.hard_sigmoid", "x", &a) < 0) return v_exc();
  return hard_sigmoid(I, args[0]);
}

LIB_FN(bi_hard_silu) {
  Aval a;
  if (lib_aval(I, args[0], "nn.hard_silu", "x", &a) < 0) return v_exc();
  return lib_bin(I, P_mul, K(args[0]), hard_sigmoid(I, args[0]));
}

LIB_FN(bi_soft_sign) {
  Aval a;
  if (lib_aval(I, args[0], "nn.soft_sign", "x", &a) < 0) return v_exc();
  return lib_bin(I, P_div, K(args[0]),
                 lib_bin(I, P_add, lib_un(I, P_abs, K(args[0])), F(1.0)));
}

/* ---- softmax family ----------------------------------------------------- */

typedef struct {
  Aval a;
  int naxes;
  int64_t axes[JX_MAXDIM];
} AxisSet;

static int axis_set(Interp *I, Value x, Value axisv, const char *fname, AxisSet *s) {
  bool all;
  if (lib_aval(I, x, fname, "x", &s->a) < 0) return -1;
  if (lib_axes_arg(I, axisv, s->a.ndim, fname, "axis", true, &s->naxes, s->axes, &all) < 0)
    return -1;
  for (int k = 0; k < s->naxes; k++)
    if (s->a.shape[s->axes[k]] == 0)
      return jx_raisei(I, E_VALUE, "%s: zero-size array along axis %lld", fname,
                       (long long)s->axes[k]);
  return 0;
}

/* x - stop_gradient(max(x, axes, keepdims)) as float */
static Value shifted(Interp *I, Value x, const AxisSet *s) {
  Value xf = lib_to_float(I, K(x));
  if (IS_EXC(xf)) return xf;
  Value m = lib_sg(I, lib_reduce_kd(I, P_reduce_max, K(xf), &s->a, s->naxes, s->axes, true));
  return lib_bin(I, P_sub, xf, m);
}

Value lib_softmax(Interp *I, Value x, Value axisv, const char *fname) {
  AxisSet s;
  if (axis_set(I, x, axisv, fname, &s) < 0) return v_exc();
  Value e = lib_un(I, P_exp, shifted(I, x, &s));
  if (IS_EXC(e)) return e;
  Value tot = lib_reduce_kd(I, P_reduce_sum, K(e), &s.a, s.naxes, s.axes, true);
  return lib_bin(I, P_div, e, tot);
}

Value lib_log_softmax(Interp *I, Value x, Value axisv, const char *fname) {
  AxisSet s;
  if (axis_set(I, x, axisv, fname, &s) < 0) return v_exc();
  Value sh = shifted(I, x, &s);
  if (IS_EXC(sh)) return sh;
  Value lse = lib_un(I, P_log, lib_reduce_kd(I, P_reduce_sum, lib_un(I, P_exp, K(sh)), &s.a,
                                             s.naxes, s.axes, true));
  return lib_bin(I, P_sub, sh, lse);
}

LIB_FN(bi_softmax) { return lib_softmax(I, args[0], args[1], "nn.softmax"); }
LIB_FN(bi_log_softmax) { return lib_log_softmax(I, args[0], args[1], "nn.log_softmax"); }

LIB_FN(bi_logsumexp) {
  AxisSet s;
  bool keepdims;
  if (axis_set(I, args[0], args[1], "logsumexp", &s) < 0) return v_exc();
  if (lib_bool_arg(I, args[2], "logsumexp", "keepdims", &keepdims) < 0) return v_exc();
  return lib_logsumexp(I, args[0], s.naxes, s.axes, keepdims);
}

LIB_FN(bi_standardize) {
  AxisSet s;
  double eps;
  if (axis_set(I, args[0], args[1], "nn.standardize", &s) < 0) return v_exc();
  if (lib_float_arg(I, args[2], "nn.standardize", "epsilon", &eps) < 0) return v_exc();
  int64_t count = 1;
  for (int k = 0; k < s.naxes; k++) count *= s.a.shape[s.axes[k]];
  Value x = lib_to_float(I, K(args[0]));
  if (IS_EXC(x)) return x;
  Params p2 = PARAMS_INIT;
  p2.i0 = 2;
  Value mean = lib_bin(I, P_div, lib_reduce_kd(I, P_reduce_sum, K(x), &s.a, s.naxes, s.axes, true),
                       F((double)count));
  if (IS_EXC(mean)) {
    v_decref(x);
    return mean;
  }
  Value msq = lib_bin(I, P_div,
                      lib_reduce_kd(I, P_reduce_sum, lib_unp(I, P_integer_pow, K(x), &p2), &s.a,
                                    s.naxes, s.axes, true),
                      F((double)count));
  Value var = lib_bin(I, P_sub, msq, lib_unp(I, P_integer_pow, K(mean), &p2));
  return lib_bin(I, P_div, lib_bin(I, P_sub, x, mean),
                 lib_un(I, P_sqrt, lib_bin(I, P_add, var, F(eps))));
}

LIB_FN(bi_one_hot) {
  Aval a;
  int64_t n;
  int dt;
  if (lib_aval(I, args[0], "nn.one_hot", "x", &a) < 0) return v_exc();
  if (lib_int_arg(I, args[1], "nn.one_hot", "num_classes", &n) < 0) return v_exc();
  if (n < 0) return jx_raise(I, E_VALUE, "nn.one_hot: num_classes must be non-negative");
  if (lib_dtype_arg(I, args[2], "nn.one_hot", "dtype", &dt) < 0) return v_exc();
  if (a.ndim + 1 > JX_MAXDIM) return jx_raise(I, E_VALUE, "nn.one_hot: too many dimensions");
  int64_t ax;
  if (lib_axis_arg(I, args[3], a.ndim + 1, "nn.one_hot", "axis", &ax) < 0) return v_exc();
  Array *iota = arr_alloc(I, DT_INT, 1, &n);
  if (!iota) return v_exc();
  for (int64_t k = 0; k < n; k++) ARR_I(iota)[k] = k;
  /* x expanded at ax compared with iota broadcast along ax */
  int64_t sh[JX_MAXDIM];
  for (int k = 0; k < a.ndim + 1; k++) sh[k] = 1;
  sh[ax] = n;
  Value io = lib_reshape(I, v_obj(&iota->hdr), a.ndim + 1, sh);
  Value r = lib_bin(I, P_eq, lib_expand(I, args[0], 1, &ax), io);
  return lib_convert(I, r, dt < 0 ? DT_FLOAT : (DType)dt);
}

LIB_FN(bi_glu) {
  Aval a;
  int64_t ax;
  if (lib_aval(I, args[0], "nn.glu", "x", &a) < 0) return v_exc();
  if (lib_axis_arg(I, args[1], a.ndim, "nn.glu", "axis", &ax) < 0) return v_exc();
  int64_t n = a.shape[ax];
  if (n % 2) return jx_raise(I, E_VALUE, "nn.glu: axis %lld has odd size %lld", (long long)ax,
                             (long long)n);
  int64_t st[JX_MAXDIM], sp[JX_MAXDIM], step[JX_MAXDIM];
  for (int k = 0; k < a.ndim; k++) {
    st[k] = 0;
    sp[k] = a.shape[k];
    step[k] = 1;
  }
  sp[ax] = n / 2;
  Value x1 = lib_slice(I, K(args[0]), a.ndim, st, sp, step);
  st[ax] = n / 2;
  sp[ax] = n;
  Value x2 = lib_slice(I, K(args[0]), a.ndim, st, sp, step);
  return lib_bin(I, P_mul, x1, lib_un(I, P_logistic, x2));
}
