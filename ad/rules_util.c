/* rules_util.c — helpers shared by the JVP and VJP rules (see
 * rules_util.h).  Only jx_bind / A_* on the values; constants (masks) are
 * built as fresh concrete arrays. */
#include "rules_util.h"

#include <math.h>
#include <string.h>

int ru_aval(Interp *I, Value v, Aval *out) {
  if (IS_EXC(v)) return -1;
  return val_aval(I, v, out);
}

bool ru_is_zero(Value v) { return v.tag == T_UNSET; }

static bool same_shape(const Aval *a, const Aval *b) {
  return a->ndim == b->ndim &&
         memcmp(a->shape, b->shape, sizeof(int64_t) * (size_t)a->ndim) == 0;
}

Value ru_tadd(Interp *I, Value a, Value b) {
  if (IS_EXC(a) || IS_EXC(b)) return v_exc();
  if (a.tag == T_UNSET) return v_incref(b);
  if (b.tag == T_UNSET) return v_incref(a);
  return A_add(I, a, b);
}

Value ru_tsub(Interp *I, Value a, Value b) {
  if (IS_EXC(a) || IS_EXC(b)) return v_exc();
  if (b.tag == T_UNSET) return v_incref(a);
  if (a.tag == T_UNSET) return A_neg(I, b);
  return A_sub(I, a, b);
}

Value ru_float(Interp *I, Value x) {
  Aval a;
  if (ru_aval(I, x, &a) < 0) return v_exc();
  if (a.dtype == DT_FLOAT) return v_incref(x);
  return A_convert(I, x, DT_FLOAT);
}

Value ru_fit_aval(Interp *I, Value t, const Aval *av) {
  if (IS_EXC(t) || t.tag == T_UNSET) return t;
  Aval ta;
  if (val_aval(I, t, &ta) < 0) return v_exc();
  if (same_shape(&ta, av)) {
    if (ta.dtype == DT_FLOAT) return v_incref(t);
    return A_convert(I, t, DT_FLOAT);
  }
  Value f = ta.dtype == DT_FLOAT ? v_incref(t) : A_convert(I, t, DT_FLOAT);
  Value r = A_broadcast(I, f, av->ndim, av->shape);
  v_decref(f);
  return r;
}

Value ru_fit(Interp *I, Value t, Value like) {
  if (IS_EXC(t) || IS_EXC(like)) return v_exc();
  if (t.tag == T_UNSET) return t;
  Aval la;
  if (val_aval(I, like, &la) < 0) return v_exc();
  return ru_fit_aval(I, t, &la);
}

Value ru_unb(Interp *I, Value g, Value x) {
  if (IS_EXC(g) || IS_EXC(x)) return v_exc();
  if (g.tag == T_UNSET) return g;
  Aval xa, ga;
  if (val_aval(I, x, &xa) < 0 || val_aval(I, g, &ga) < 0) return v_exc();
  Value f = ga.dtype == DT_FLOAT ? v_incref(g) : A_convert(I, g, DT_FLOAT);
  if (same_shape(&ga, &xa)) return f;
  Value r = A_unbroadcast(I, f, &xa);
  v_decref(f);
  return r;
}

Value ru_zeros_like(Interp *I, Value x) { return A_zeros_like(I, x); }

Value ru_or_zeros(Interp *I, Value v, Value x) {
  if (IS_EXC(v)) return v;
  if (v.tag != T_UNSET) return v_incref(v);
  return A_zeros_like(I, x);
}

/* ------------------------------------------------------------------ */
/* unary derivatives                                                    */

Value ru_unary_lin(Interp *I, PrimId id, Value x, Value y, const Params *p, Value v) {
  if (IS_EXC(v) || IS_EXC(x) || IS_EXC(y)) return v_exc();
  RU_SCOPE(s);
  Value r;
  switch (id) {
  case P_neg: return A_neg(I, v);
  case P_exp: return A_mul(I, v, y);
  case P_log: return A_div(I, v, x);
  case P_log1p: r = A_div(I, v, S(&s, A_add(I, x, A_f(1.0)))); break;
  case P_expm1: r = A_mul(I, v, S(&s, A_add(I, y, A_f(1.0)))); break;
  case P_sqrt: /* 1 / (2 sqrt x): inf at 0, as in JAX */
    r = A_div(I, v, S(&s, A_mul(I, y, A_f(2.0))));
    break;
  case P_sin: r = A_mul(I, v, S(&s, A_cos(I, x))); break;
  case P_cos: r = A_neg(I, S(&s, A_mul(I, v, S(&s, A_sin(I, x))))); break;
  case P_tan: /* 1 + tan² */
    r = A_mul(I, v, S(&s, A_add(I, S(&s, A_ipow(I, y, 2)), A_f(1.0))));
    break;
  case P_asin:
  case P_acos: {
    Value d = S(&s, A_sqrt(I, S(&s, A_sub(I, A_f(1.0), S(&s, A_ipow(I, x, 2))))));
    r = A_div(I, id == P_asin ? v : S(&s, A_neg(I, v)), d);
    break;
  }
  case P_atan: r = A_div(I, v, S(&s, A_add(I, S(&s, A_ipow(I, x, 2)), A_f(1.0)))); break;
  case P_sinh: r = A_mul(I, v, S(&s, A_un(I, P_cosh, x))); break;
  case P_cosh: r = A_mul(I, v, S(&s, A_un(I, P_sinh, x))); break;
  case P_tanh: /* 1 - tanh² */
    r = A_mul(I, v, S(&s, A_sub(I, A_f(1.0), S(&s, A_ipow(I, y, 2)))));
    break;
  case P_logistic: /* y (1 - y) */
    r = A_mul(I, v, S(&s, A_mul(I, y, S(&s, A_sub(I, A_f(1.0), y)))));
    break;
  case P_erf: /* 2/sqrt(pi) exp(-x²) */
    r = A_mul(I, v,
              S(&s, A_mul(I, S(&s, A_exp(I, S(&s, A_neg(I, S(&s, A_ipow(I, x, 2)))))),
                          A_f(M_2_SQRTPI))));
    break;
  case P_abs: /* JAX: select(x >= 0, v, -v), so abs'(0) = 1 */
    r = A_mul(I, v, S(&s, A_select(I, S(&s, A_ge(I, x, A_f(0.0))), A_f(1.0), A_f(-1.0))));
    break;
  case P_integer_pow: {
    int64_t n = p ? p->i0 : 0;
    if (n == 0) return v_unset();
    if (n == 1) return v_incref(v);
    if (n == 2) {
      r = A_mul(I, v, S(&s, A_mul(I, x, A_f(2.0))));
      break;
    }
    r = A_mul(I, v, S(&s, A_mul(I, S(&s, A_ipow(I, x, n - 1)), A_f((double)n))));
    break;
  }
  default:
    return jx_raise(I, E_TYPE, "internal: no unary derivative for %s", jx_prims[id].name);
  }
  scope_release(&s);
  return r;
}

Value ru_maxmin_coef(Interp *I, PrimId id, Value x0, Value x1) {
  RU_SCOPE(s);
  Value win = S(&s, id == P_max ? A_gt(I, x0, x1) : A_lt(I, x0, x1));
  Value tie = S(&s, A_eq(I, x0, x1));
  Value half = S(&s, A_select(I, tie, A_f(0.5), A_f(0.0)));
  Value r = A_select(I, win, A_f(1.0), half);
  scope_release(&s);
  return r;
}

Value ru_pow_dbase(Interp *I, Value x0, Value x1) {
  /* x1 * x0 ** (x1 - 1), and 0 where x1 == 0 (so 0 ** 0 has slope 0) */
  RU_SCOPE(s);
  Value e1 = S(&s, A_sub(I, x1, A_f(1.0)));
  Value d = S(&s, A_mul(I, x1, S(&s, A_pow(I, x0, e1))));
  Value z = S(&s, A_eq(I, x1, A_f(0.0)));
  Value r = A_select(I, z, A_f(0.0), d);
  scope_release(&s);
  return r;
}

Value ru_pow_dexp(Interp *I, Value x0, Value y) {
  /* log(x0) * y with x0 == 0 replaced by 1 (JAX's _replace_zero) */
  RU_SCOPE(s);
  Value z = S(&s, A_eq(I, x0, A_f(0.0)));
  Value safe = S(&s, A_select(I, z, A_f(1.0), x0));
  Value r = A_mul(I, S(&s, A_log(I, safe)), y);
  scope_release(&s);
  return r;
}

/* ------------------------------------------------------------------ */
/* shapes                                                               */

Params ru_params_axes(int n, const int64_t *axes) {
  Params p = PARAMS_INIT;
  p.n = n;
  if (n > 0) memcpy(p.a, axes, sizeof(int64_t) * (size_t)n);
  return p;
}

Value ru_slice_axis(Interp *I, Value x, int axis, int64_t start, int64_t stop) {
  Aval a;
  if (ru_aval(I, x, &a) < 0) return v_exc();
  if (start == 0 && stop == a.shape[axis]) return v_incref(x);
  Params p = PARAMS_INIT;
  p.n = p.m = p.k = a.ndim;
  for (int d = 0; d < a.ndim; d++) {
    p.a[d] = d == axis ? start : 0;
    p.b[d] = d == axis ? stop : a.shape[d];
    p.c[d] = 1;
  }
  return jx_bind(I, P_slice, &x, &p);
}

Value ru_concat(Interp *I, const Value *xs, int n, int axis) {
  for (int i = 0; i < n; i++)
    if (IS_EXC(xs[i])) return v_exc();
  if (n == 1) return v_incref(xs[0]);
  Params p = PARAMS_INIT;
  p.nin = n;
  p.i0 = axis;
  return jx_bind(I, P_concatenate, xs, &p);
}

/* dims of x kept by a reduction over p's axes */
static int kept_dims(const Aval *xa, const Params *p, int64_t *dims) {
  bool red[JX_MAXDIM] = {false};
  for (int k = 0; k < p->n; k++)
    if (p->a[k] >= 0 && p->a[k] < xa->ndim) red[p->a[k]] = true;
  int m = 0;
  for (int d = 0; d < xa->ndim; d++)
    if (!red[d]) dims[m++] = d;
  return m;
}

Value ru_unreduce(Interp *I, Value g, const Aval *xa, const Params *p) {
  if (IS_EXC(g)) return g;
  if (p->n == 0) return v_incref(g);
  int64_t dims[JX_MAXDIM];
  int m = kept_dims(xa, p, dims);
  return A_broadcast_in_dim(I, g, xa->ndim, xa->shape, m, dims);
}

Value ru_tie_mask(Interp *I, Value x, Value y, const Params *p) {
  Aval xa;
  if (ru_aval(I, x, &xa) < 0 || IS_EXC(y)) return v_exc();
  RU_SCOPE(s);
  Value yb = S(&s, ru_unreduce(I, y, &xa, p));
  Value r = A_convert(I, S(&s, A_eq(I, x, yb)), DT_FLOAT);
  scope_release(&s);
  return r;
}

/* ------------------------------------------------------------------ */
/* linear algebra                                                       */

Value ru_mT(Interp *I, Value a) {
  Aval av;
  if (ru_aval(I, a, &av) < 0) return v_exc();
  int64_t perm[JX_MAXDIM];
  for (int i = 0; i < av.ndim; i++) perm[i] = i;
  perm[av.ndim - 2] = av.ndim - 1;
  perm[av.ndim - 1] = av.ndim - 2;
  return A_transpose(I, a, av.ndim, perm);
}

Value ru_matmul(Interp *I, Value a, bool ta, Value b, bool tb, bool bvec) {
  Aval aa;
  if (ru_aval(I, a, &aa) < 0 || IS_EXC(b)) return v_exc();
  int nb = aa.ndim - 2;
  Params p = PARAMS_INIT;
  p.n = p.m = 1;
  p.a[0] = ta ? nb : nb + 1;
  p.b[0] = bvec ? nb : (tb ? nb + 1 : nb);
  p.k = nb;
  for (int i = 0; i < nb; i++) p.c[i] = p.d[i] = i;
  RU_SCOPE(s);
  Value fa = S(&s, ru_float(I, a)), fb = S(&s, ru_float(I, b));
  Value r = A_dot_general(I, fa, fb, &p);
  scope_release(&s);
  return r;
}

Value ru_outer(Interp *I, Value u, Value v) {
  Aval ua, va;
  if (ru_aval(I, u, &ua) < 0 || ru_aval(I, v, &va) < 0) return v_exc();
  if (ua.ndim + 1 > JX_MAXDIM) return jx_raise(I, E_SHAPE, "too many dimensions");
  int64_t su[JX_MAXDIM], sv[JX_MAXDIM];
  memcpy(su, ua.shape, sizeof(int64_t) * (size_t)ua.ndim);
  su[ua.ndim] = 1;
  memcpy(sv, va.shape, sizeof(int64_t) * (size_t)va.ndim);
  sv[va.ndim] = sv[va.ndim - 1];
  sv[va.ndim - 1] = 1;
  RU_SCOPE(s);
  Value r = A_mul(I, S(&s, A_reshape(I, u, ua.ndim + 1, su)),
                  S(&s, A_reshape(I, v, va.ndim + 1, sv)));
  scope_release(&s);
  return r;
}

Value ru_tri_mask(Interp *I, int64_t n, bool lower, double diag) {
  int64_t sh[2] = {n, n};
  Array *m = arr_alloc(I, DT_FLOAT, 2, sh);
  if (!m) return v_exc();
  double *d = ARR_F(m);
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < n; j++)
      d[i * n + j] = i == j ? diag : ((lower ? i > j : i < j) ? 1.0 : 0.0);
  return arr_normalize(I, m);
}

Value ru_bcast_batch(Interp *I, Value x, int nb, const int64_t *bs, int core) {
  Aval a;
  if (ru_aval(I, x, &a) < 0) return v_exc();
  int64_t sh[JX_MAXDIM];
  memcpy(sh, bs, sizeof(int64_t) * (size_t)nb);
  for (int i = 0; i < core; i++) sh[nb + i] = a.shape[a.ndim - core + i];
  return A_broadcast(I, x, nb + core, sh);
}

Value ru_trisolve(Interp *I, Value a, Value b, bool lower, bool trans) {
  if (IS_EXC(a) || IS_EXC(b)) return v_exc();
  Params p = PARAMS_INIT;
  p.i0 = lower ? 1 : 0;
  p.i1 = trans ? 1 : 0;
  Value in[2] = {a, b};
  return jx_bind(I, P_la_triangular_solve, in, &p);
}

/* ------------------------------------------------------------------ */
/* reduce_prod geometry                                                 */

void ru_prod_geom(const Aval *xa, const Params *p, RuProd *G) {
  bool red[JX_MAXDIM] = {false};
  for (int k = 0; k < p->n; k++)
    if (p->a[k] >= 0 && p->a[k] < xa->ndim) red[p->a[k]] = true;
  G->nd = xa->ndim;
  G->n = 1;
  G->r = 1;
  G->nout = 0;
  int k = 0;
  for (int d = 0; d < xa->ndim; d++)
    if (red[d]) {
      G->perm[k++] = d;
      G->n *= xa->shape[d];
    }
  for (int d = 0; d < xa->ndim; d++)
    if (!red[d]) {
      G->perm[k++] = d;
      G->r *= xa->shape[d];
      G->oshape[G->nout++] = xa->shape[d];
    }
  for (int i = 0; i < xa->ndim; i++) {
    G->inv[G->perm[i]] = i;
    G->tshape[i] = xa->shape[G->perm[i]];
  }
}

Value ru_prod_to2d(Interp *I, Value v, const RuProd *G) {
  if (IS_EXC(v)) return v;
  Value t = A_transpose(I, v, G->nd, G->perm);
  int64_t sh[2] = {G->n, G->r};
  Value r = A_reshape(I, t, 2, sh);
  v_decref(t);
  return r;
}

Value ru_prod_from2d(Interp *I, Value v, const RuProd *G) {
  if (IS_EXC(v)) return v;
  Value t = A_reshape(I, v, G->nd, G->tshape);
  Value r = A_transpose(I, t, G->nd, G->inv);
  v_decref(t);
  return r;
}
