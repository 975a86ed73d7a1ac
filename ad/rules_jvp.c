/* rules_jvp.c — the forward-mode (JVP) rule of every differentiable
 * primitive, and the table jx_jvp_rules[] generated from prims.def.
 *
 * A rule receives the primal inputs x[] (concrete values or tracers of
 * outer transformations: only ever passed to jx_bind / A_*) and their
 * tangents t[] (T_UNSET = symbolic zero; never all zero).  It sets *out to
 * the primal output and *tout to the output tangent — exactly the output's
 * shape, float — or T_UNSET for a zero tangent.  Derivative conventions at
 * kinks are JAX's (LANGUAGE.md §7).  Rows with a NULL rule have zero
 * derivative: the trace does not even call them.
 */
#include "rules_util.h"

#include <string.h>

/* ---- rows without a derivative ---- */
#define jvp_sign NULL
#define jvp_floor NULL
#define jvp_ceil NULL
#define jvp_round NULL
#define jvp_isnan NULL
#define jvp_isinf NULL
#define jvp_isfinite NULL
#define jvp_not NULL
#define jvp_floordiv NULL
#define jvp_and NULL
#define jvp_or NULL
#define jvp_eq NULL
#define jvp_ne NULL
#define jvp_lt NULL
#define jvp_le NULL
#define jvp_gt NULL
#define jvp_ge NULL
#define jvp_stop_gradient NULL
#define jvp_reduce_and NULL
#define jvp_reduce_or NULL
#define jvp_argmax NULL
#define jvp_argmin NULL
#define jvp_rng_bits NULL
#define jvp_rng_split NULL
#define jvp_rng_fold_in NULL
#define jvp_rng_uniform NULL
#define jvp_rng_normal NULL

#define JVP_ARGS                                                                        \
  Interp *I, const Value *x, const Value *t, const Params *p, Value *out, Value *tout
#define UNSET(v) ((v).tag == T_UNSET)

/* Finish a rule: take tangent r (owned, T_UNSET allowed), release the
 * scope; on error release everything and leave out and tout unset. */
static int finish(Interp *I, Scope *s, Value r, Value *out, Value *tout) {
  (void)I;
  scope_release(s);
  if (IS_EXC(r) || IS_EXC(*out)) {
    v_decref(r);
    v_decref(*out);
    *out = v_unset();
    *tout = v_unset();
    return -1;
  }
  *tout = r;
  return 0;
}

/* Primal output by bind; -1 on error. */
static int primal(Interp *I, PrimId id, const Value *x, const Params *p, Value *out) {
  *out = jx_bind(I, id, x, p);
  if (IS_EXC(*out)) {
    *out = v_unset();
    return -1;
  }
  return 0;
}

/* ------------------------------------------------------------------ */
/* unary elementwise                                                    */

static int jvp_unary(Interp *I, PrimId id, const Value *x, const Value *t, const Params *p,
                     Value *out, Value *tout) {
  if (primal(I, id, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  return finish(I, &s, ru_unary_lin(I, id, x[0], *out, p, t[0]), out, tout);
}

#define UNARY_JVP(id) \
  int jvp_##id(JVP_ARGS) { return jvp_unary(I, P_##id, x, t, p, out, tout); }
UNARY_JVP(neg)
UNARY_JVP(exp)
UNARY_JVP(log)
UNARY_JVP(log1p)
UNARY_JVP(expm1)
UNARY_JVP(sqrt)
UNARY_JVP(sin)
UNARY_JVP(cos)
UNARY_JVP(tan)
UNARY_JVP(asin)
UNARY_JVP(acos)
UNARY_JVP(atan)
UNARY_JVP(sinh)
UNARY_JVP(cosh)
UNARY_JVP(tanh)
UNARY_JVP(logistic)
UNARY_JVP(erf)
UNARY_JVP(abs)
UNARY_JVP(integer_pow)

/* ------------------------------------------------------------------ */
/* binary elementwise                                                   */

int jvp_add(JVP_ARGS) {
  if (primal(I, P_add, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  Value r = S(&s, ru_tadd(I, t[0], t[1]));
  return finish(I, &s, ru_fit(I, r, *out), out, tout);
}

int jvp_sub(JVP_ARGS) {
  if (primal(I, P_sub, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  Value r = S(&s, ru_tsub(I, t[0], t[1]));
  return finish(I, &s, ru_fit(I, r, *out), out, tout);
}

int jvp_mul(JVP_ARGS) {
  if (primal(I, P_mul, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  Value a = UNSET(t[0]) ? v_unset() : S(&s, A_mul(I, t[0], x[1]));
  Value b = UNSET(t[1]) ? v_unset() : S(&s, A_mul(I, x[0], t[1]));
  Value r = S(&s, ru_tadd(I, a, b));
  return finish(I, &s, ru_fit(I, r, *out), out, tout);
}

int jvp_div(JVP_ARGS) {
  if (primal(I, P_div, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  Value r;
  /* d(x0/x1) = (t0 - y t1) / x1 */
  Value num = UNSET(t[1]) ? t[0] : S(&s, ru_tsub(I, t[0], S(&s, A_mul(I, *out, t[1]))));
  r = S(&s, A_div(I, num, x[1]));
  return finish(I, &s, ru_fit(I, r, *out), out, tout);
}

int jvp_mod(JVP_ARGS) {
  /* x0 - x1 * floor(x0 / x1): d/dx0 = 1, d/dx1 = -(x0 // x1) */
  if (primal(I, P_mod, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  Value b = UNSET(t[1]) ? v_unset()
                        : S(&s, A_mul(I, t[1], S(&s, A_bin(I, P_floordiv, x[0], x[1]))));
  Value r = S(&s, ru_tsub(I, t[0], b));
  return finish(I, &s, ru_fit(I, r, *out), out, tout);
}

int jvp_pow(JVP_ARGS) {
  if (primal(I, P_pow, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  Value a = UNSET(t[0]) ? v_unset()
                        : S(&s, A_mul(I, t[0], S(&s, ru_pow_dbase(I, x[0], x[1]))));
  Value b = UNSET(t[1]) ? v_unset()
                        : S(&s, A_mul(I, t[1], S(&s, ru_pow_dexp(I, x[0], *out))));
  Value r = S(&s, ru_tadd(I, a, b));
  return finish(I, &s, ru_fit(I, r, *out), out, tout);
}

static int jvp_maxmin(Interp *I, PrimId id, const Value *x, const Value *t, const Params *p,
                      Value *out, Value *tout) {
  if (primal(I, id, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  Value c = S(&s, ru_maxmin_coef(I, id, x[0], x[1]));
  Value a = UNSET(t[0]) ? v_unset() : S(&s, A_mul(I, t[0], c));
  Value b = UNSET(t[1]) ? v_unset()
                        : S(&s, A_mul(I, t[1], S(&s, A_sub(I, A_f(1.0), c))));
  Value r = S(&s, ru_tadd(I, a, b));
  return finish(I, &s, ru_fit(I, r, *out), out, tout);
}
int jvp_max(JVP_ARGS) { return jvp_maxmin(I, P_max, x, t, p, out, tout); }
int jvp_min(JVP_ARGS) { return jvp_maxmin(I, P_min, x, t, p, out, tout); }

int jvp_atan2(JVP_ARGS) {
  /* atan2(x0, x1): (t0 x1 - t1 x0) / (x0² + x1²) */
  if (primal(I, P_atan2, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  Value den = S(&s, A_add(I, S(&s, A_ipow(I, x[0], 2)), S(&s, A_ipow(I, x[1], 2))));
  Value a = UNSET(t[0]) ? v_unset() : S(&s, A_mul(I, t[0], x[1]));
  Value b = UNSET(t[1]) ? v_unset() : S(&s, A_mul(I, t[1], x[0]));
  Value r = S(&s, A_div(I, S(&s, ru_tsub(I, a, b)), den));
  return finish(I, &s, ru_fit(I, r, *out), out, tout);
}

/* ------------------------------------------------------------------ */
/* select, convert                                                      */

int jvp_select(JVP_ARGS) {
  if (primal(I, P_select, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  Value r;
  if (UNSET(t[1]) && UNSET(t[2])) {
    r = v_unset(); /* a tangent on the condition alone */
  } else {
    Value a = UNSET(t[1]) ? A_f(0.0) : t[1];
    Value b = UNSET(t[2]) ? A_f(0.0) : t[2];
    r = S(&s, A_select(I, x[0], a, b));
  }
  return finish(I, &s, ru_fit(I, r, *out), out, tout);
}

int jvp_convert(JVP_ARGS) {
  if (primal(I, P_convert, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  /* float -> float: identity; to int/bool: zero (int inputs carry none) */
  Value r = p->i0 == DT_FLOAT ? v_incref(t[0]) : v_unset();
  return finish(I, &s, r, out, tout);
}

/* ------------------------------------------------------------------ */
/* linear one-input primitives: the tangent goes through the same op    */

static int jvp_linear1(Interp *I, PrimId id, const Value *x, const Value *t, const Params *p,
                       Value *out, Value *tout) {
  if (primal(I, id, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  return finish(I, &s, jx_bind(I, id, t, p), out, tout);
}
#define LINEAR1_JVP(id) \
  int jvp_##id(JVP_ARGS) { return jvp_linear1(I, P_##id, x, t, p, out, tout); }
LINEAR1_JVP(reduce_sum)
LINEAR1_JVP(cumsum)
LINEAR1_JVP(broadcast_in_dim)
LINEAR1_JVP(reshape)
LINEAR1_JVP(transpose)
LINEAR1_JVP(slice)
LINEAR1_JVP(pad)
LINEAR1_JVP(rev)

/* ------------------------------------------------------------------ */
/* reductions                                                           */

static int jvp_reduce_chooser(Interp *I, PrimId id, const Value *x, const Value *t,
                              const Params *p, Value *out, Value *tout) {
  if (primal(I, id, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  if (p->n == 0) return finish(I, &s, v_incref(t[0]), out, tout);
  /* the tangent is averaged over the tied extrema */
  Value mask = S(&s, ru_tie_mask(I, x[0], *out, p));
  Value cnt = S(&s, A_reduce(I, P_reduce_sum, mask, p->n, p->a));
  Value num = S(&s, A_reduce(I, P_reduce_sum, S(&s, A_mul(I, t[0], mask)), p->n, p->a));
  return finish(I, &s, A_div(I, num, cnt), out, tout);
}
int jvp_reduce_max(JVP_ARGS) { return jvp_reduce_chooser(I, P_reduce_max, x, t, p, out, tout); }
int jvp_reduce_min(JVP_ARGS) { return jvp_reduce_chooser(I, P_reduce_min, x, t, p, out, tout); }

/* Product over the reduced axes by a tree of pairwise products (first
 * half times second half, a 1 appended to odd lengths), carrying the
 * tangent along: exact when some factors are zero. */
int jvp_reduce_prod(JVP_ARGS) {
  if (primal(I, P_reduce_prod, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  if (p->n == 0) return finish(I, &s, v_incref(t[0]), out, tout);
  Aval xa;
  if (ru_aval(I, x[0], &xa) < 0) return finish(I, &s, v_exc(), out, tout);
  RuProd G;
  ru_prod_geom(&xa, p, &G);
  if (G.n == 0) return finish(I, &s, v_unset(), out, tout);
  Value xv = ru_prod_to2d(I, x[0], &G);
  Value tv = ru_prod_to2d(I, t[0], &G);
  int64_t n = G.n;
  Value one = v_unset();
  if (n > 1 && (n & (n - 1))) {
    Aval oa = {DT_FLOAT, 2, {1, G.r}};
    one = A_full(I, &oa, 1.0);
  }
  while (n > 1 && !IS_EXC(xv) && !IS_EXC(tv)) {
    if (n & 1) {
      Value xs[2] = {xv, one};
      Value nx = ru_concat(I, xs, 2, 0);
      Value ts[2] = {tv, S(&s, A_zeros_like(I, one))};
      Value nt = ru_concat(I, ts, 2, 0);
      v_decref(xv);
      v_decref(tv);
      xv = nx;
      tv = nt;
      n++;
      scope_release(&s);
    }
    int64_t h = n / 2;
    Value xa0 = ru_slice_axis(I, xv, 0, 0, h), xb0 = ru_slice_axis(I, xv, 0, h, n);
    Value ta0 = ru_slice_axis(I, tv, 0, 0, h), tb0 = ru_slice_axis(I, tv, 0, h, n);
    Value nx = A_mul(I, xa0, xb0);
    Value p1 = A_mul(I, ta0, xb0), p2 = A_mul(I, xa0, tb0);
    Value nt = A_add(I, p1, p2);
    v_decref(xa0), v_decref(xb0), v_decref(ta0), v_decref(tb0), v_decref(p1), v_decref(p2);
    v_decref(xv);
    v_decref(tv);
    xv = nx;
    tv = nt;
    n = h;
  }
  v_decref(one);
  v_decref(xv);
  Value r = A_reshape(I, tv, G.nout, G.oshape);
  v_decref(tv);
  return finish(I, &s, r, out, tout);
}

/* ------------------------------------------------------------------ */
/* concatenate, gather, scatter                                         */

int jvp_concatenate(JVP_ARGS) {
  if (primal(I, P_concatenate, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  int n = p->nin;
  Value ts[64];
  if (n > 64) return finish(I, &s, jx_raise(I, E_VALUE, "concatenate: too many operands"), out,
                            tout);
  Value r = v_exc();
  int k;
  for (k = 0; k < n; k++) {
    ts[k] = ru_or_zeros(I, t[k], x[k]);
    if (IS_EXC(ts[k])) break;
  }
  if (k == n) r = jx_bind(I, P_concatenate, ts, p);
  for (int j = 0; j < k; j++) v_decref(ts[j]);
  return finish(I, &s, r, out, tout);
}

int jvp_gather(JVP_ARGS) {
  if (primal(I, P_gather, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  Value in[2] = {t[0], x[1]};
  return finish(I, &s, jx_bind(I, P_gather, in, p), out, tout);
}

int jvp_scatter_add(JVP_ARGS) {
  if (primal(I, P_scatter_add, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  Value r;
  if (UNSET(t[2])) {
    r = S(&s, v_incref(t[0]));
  } else {
    Value in[3] = {S(&s, ru_or_zeros(I, t[0], x[0])), x[1], t[2]};
    r = IS_EXC(in[0]) ? v_exc() : S(&s, jx_bind(I, P_scatter_add, in, p));
  }
  return finish(I, &s, ru_fit(I, r, *out), out, tout);
}

int jvp_scatter(JVP_ARGS) {
  /* the same writes (same winners among repeated indices) on the tangents */
  if (primal(I, P_scatter, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  Value in[3] = {S(&s, ru_or_zeros(I, t[0], x[0])), x[1], S(&s, ru_or_zeros(I, t[2], x[2]))};
  Value r = (IS_EXC(in[0]) || IS_EXC(in[2])) ? v_exc() : S(&s, jx_bind(I, P_scatter, in, p));
  return finish(I, &s, ru_fit(I, r, *out), out, tout);
}

/* ------------------------------------------------------------------ */
/* dot_general                                                          */

int jvp_dot_general(JVP_ARGS) {
  if (primal(I, P_dot_general, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  Value a = UNSET(t[0]) ? v_unset()
                        : S(&s, A_dot_general(I, t[0], S(&s, ru_float(I, x[1])), p));
  Value b = UNSET(t[1]) ? v_unset()
                        : S(&s, A_dot_general(I, S(&s, ru_float(I, x[0])), t[1], p));
  return finish(I, &s, ru_tadd(I, a, b), out, tout);
}

/* ------------------------------------------------------------------ */
/* linear algebra                                                       */

/* Batch shape of a linear-algebra output (its leading dims). */
static int batch_of(Interp *I, Value y, int core, int *nb, int64_t *bs) {
  Aval a;
  if (ru_aval(I, y, &a) < 0) return -1;
  *nb = a.ndim - core;
  memcpy(bs, a.shape, sizeof(int64_t) * (size_t)*nb);
  return 0;
}

int jvp_la_solve(JVP_ARGS) {
  /* x = A⁻¹ b:  dx = A⁻¹ (db - dA x) */
  if (primal(I, P_la_solve, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  bool vec = p->i0 == 1;
  int nb;
  int64_t bs[JX_MAXDIM];
  if (batch_of(I, *out, vec ? 1 : 2, &nb, bs) < 0) return finish(I, &s, v_exc(), out, tout);
  Value rhs = UNSET(t[1]) ? v_unset() : S(&s, ru_bcast_batch(I, t[1], nb, bs, vec ? 1 : 2));
  if (!UNSET(t[0])) {
    Value dA = S(&s, ru_bcast_batch(I, t[0], nb, bs, 2));
    rhs = S(&s, ru_tsub(I, rhs, S(&s, ru_matmul(I, dA, false, *out, false, vec))));
  }
  Value in[2] = {x[0], rhs};
  Value r = IS_EXC(rhs) ? v_exc() : jx_bind(I, P_la_solve, in, p);
  return finish(I, &s, r, out, tout);
}

int jvp_la_inv(JVP_ARGS) {
  /* dY = -Y dA Y */
  if (primal(I, P_la_inv, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  Value ya = S(&s, ru_matmul(I, *out, false, t[0], false, false));
  Value r = A_neg(I, S(&s, ru_matmul(I, ya, false, *out, false, false)));
  return finish(I, &s, r, out, tout);
}

int jvp_la_det(JVP_ARGS) {
  /* d det = det * tr(A⁻¹ dA) = det * sum(A⁻ᵀ ⊙ dA) */
  if (primal(I, P_la_det, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  Aval aa;
  if (ru_aval(I, x[0], &aa) < 0) return finish(I, &s, v_exc(), out, tout);
  Value inv = S(&s, A_un(I, P_la_inv, x[0]));
  Value prod = S(&s, A_mul(I, S(&s, ru_mT(I, inv)), t[0]));
  int64_t axes[2] = {aa.ndim - 2, aa.ndim - 1};
  Value tr = S(&s, A_reduce(I, P_reduce_sum, prod, 2, axes));
  return finish(I, &s, A_mul(I, *out, tr), out, tout);
}

int jvp_la_cholesky(JVP_ARGS) {
  /* L = chol(A) reads A's lower triangle: the tangent seen is
   * S = tril(dA) + tril(dA, -1)ᵀ; dL = L Φ(L⁻¹ S L⁻ᵀ), Φ = lower part
   * with the diagonal halved (JAX's cholesky_jvp_rule). */
  if (primal(I, P_la_cholesky, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  Aval aa;
  if (ru_aval(I, x[0], &aa) < 0) return finish(I, &s, v_exc(), out, tout);
  int64_t n = aa.shape[aa.ndim - 1];
  Value L = *out;
  Value low = S(&s, ru_tri_mask(I, n, true, 1.0));
  Value strict = S(&s, ru_tri_mask(I, n, true, 0.0));
  Value phi = S(&s, ru_tri_mask(I, n, true, 0.5));
  Value S1 = S(&s, A_add(I, S(&s, A_mul(I, t[0], low)),
                         S(&s, ru_mT(I, S(&s, A_mul(I, t[0], strict))))));
  Value Z = S(&s, ru_trisolve(I, L, S1, true, false));                         /* L⁻¹ S */
  Value W = S(&s, ru_mT(I, S(&s, ru_trisolve(I, L, S(&s, ru_mT(I, Z)), true, false))));
  Value r = ru_matmul(I, L, false, S(&s, A_mul(I, W, phi)), false, false);
  return finish(I, &s, r, out, tout);
}

int jvp_la_triangular_solve(JVP_ARGS) {
  /* X = op(T)⁻¹ B, T = tri(A):  dX = op(T)⁻¹ (dB - op(tri(dA)) X) */
  if (primal(I, P_la_triangular_solve, x, p, out) < 0) return -1;
  RU_SCOPE(s);
  Aval aa, ba;
  if (ru_aval(I, x[0], &aa) < 0 || ru_aval(I, x[1], &ba) < 0)
    return finish(I, &s, v_exc(), out, tout);
  bool vec = ba.ndim == aa.ndim - 1, lower = p->i0 == 1, trans = p->i1 == 1;
  int nb;
  int64_t bs[JX_MAXDIM];
  if (batch_of(I, *out, vec ? 1 : 2, &nb, bs) < 0) return finish(I, &s, v_exc(), out, tout);
  Value rhs = UNSET(t[1]) ? v_unset() : S(&s, ru_bcast_batch(I, t[1], nb, bs, vec ? 1 : 2));
  if (!UNSET(t[0])) {
    int64_t n = aa.shape[aa.ndim - 1];
    Value m = S(&s, ru_tri_mask(I, n, lower, 1.0));
    Value dA = S(&s, ru_bcast_batch(I, S(&s, A_mul(I, t[0], m)), nb, bs, 2));
    rhs = S(&s, ru_tsub(I, rhs, S(&s, ru_matmul(I, dA, trans, *out, false, vec))));
  }
  Value r = ru_trisolve(I, x[0], rhs, lower, trans);
  return finish(I, &s, r, out, tout);
}

/* ------------------------------------------------------------------ */
/* random: not differentiable */

/* ------------------------------------------------------------------ */

const JvpFn jx_jvp_rules[P__COUNT] = {
#define PRIM(id, name, nin, kind) [P_##id] = jvp_##id,
#include "prims.def"
#undef PRIM
};
