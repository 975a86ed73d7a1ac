/* rules_vjp.c — the reverse-mode (VJP) rule of every differentiable
 * primitive, and the table jx_vjp_rules[] generated from prims.def.
 *
 * A rule receives the primal inputs x[], the primal output y and the
 * output cotangent g (y's shape, float), and sets ct[i] for each need[i]:
 * the cotangent of input i with exactly x[i]'s shape, float, or T_UNSET
 * for zero.  The reverse sweep runs rules through jx_bind, so rules use
 * jx_bind / A_* only (grad of grad, vmap of grad).  Rows with a NULL rule
 * have zero derivative and are not recorded on the tape.
 */
#include "rules_util.h"

#include <string.h>

/* ---- rows without a derivative ---- */
#define vjp_sign NULL
#define vjp_floor NULL
#define vjp_ceil NULL
#define vjp_round NULL
#define vjp_isnan NULL
#define vjp_isinf NULL
#define vjp_isfinite NULL
#define vjp_not NULL
#define vjp_floordiv NULL
#define vjp_and NULL
#define vjp_or NULL
#define vjp_eq NULL
#define vjp_ne NULL
#define vjp_lt NULL
#define vjp_le NULL
#define vjp_gt NULL
#define vjp_ge NULL
#define vjp_stop_gradient NULL
#define vjp_reduce_and NULL
#define vjp_reduce_or NULL
#define vjp_argmax NULL
#define vjp_argmin NULL
#define vjp_rng_bits NULL
#define vjp_rng_split NULL
#define vjp_rng_fold_in NULL
#define vjp_rng_uniform NULL
#define vjp_rng_normal NULL

#define VJP_ARGS                                                                         \
  Interp *I, const Value *x, Value y, Value g, const Params *p, const bool *need, Value *ct
#define UNSET(v) ((v).tag == T_UNSET)

/* Finish a rule with n inputs: release the scope; if any needed
 * cotangent is an error, release them all (left T_UNSET) and fail. */
static int finish(Scope *s, int n, const bool *need, Value *ct) {
  scope_release(s);
  bool bad = false;
  for (int i = 0; i < n; i++)
    if (need[i] && IS_EXC(ct[i])) bad = true;
  if (!bad) return 0;
  for (int i = 0; i < n; i++) {
    v_decref(ct[i]);
    ct[i] = v_unset();
  }
  return -1;
}

/* ------------------------------------------------------------------ */
/* unary elementwise: the Jacobian is diagonal                          */

static int vjp_unary(Interp *I, PrimId id, const Value *x, Value y, Value g, const Params *p,
                     const bool *need, Value *ct) {
  RU_SCOPE(s);
  if (need[0]) ct[0] = ru_unary_lin(I, id, x[0], y, p, g);
  return finish(&s, 1, need, ct);
}

#define UNARY_VJP(id) \
  int vjp_##id(VJP_ARGS) { return vjp_unary(I, P_##id, x, y, g, p, need, ct); }
UNARY_VJP(neg)
UNARY_VJP(exp)
UNARY_VJP(log)
UNARY_VJP(log1p)
UNARY_VJP(expm1)
UNARY_VJP(sqrt)
UNARY_VJP(sin)
UNARY_VJP(cos)
UNARY_VJP(tan)
UNARY_VJP(asin)
UNARY_VJP(acos)
UNARY_VJP(atan)
UNARY_VJP(sinh)
UNARY_VJP(cosh)
UNARY_VJP(tanh)
UNARY_VJP(logistic)
UNARY_VJP(erf)
UNARY_VJP(abs)
UNARY_VJP(integer_pow)

/* ------------------------------------------------------------------ */
/* binary elementwise (cotangents summed back over broadcast dims)      */

int vjp_add(VJP_ARGS) {
  RU_SCOPE(s);
  if (need[0]) ct[0] = ru_unb(I, g, x[0]);
  if (need[1]) ct[1] = ru_unb(I, g, x[1]);
  return finish(&s, 2, need, ct);
}

int vjp_sub(VJP_ARGS) {
  RU_SCOPE(s);
  if (need[0]) ct[0] = ru_unb(I, g, x[0]);
  if (need[1]) ct[1] = A_neg(I, S(&s, ru_unb(I, g, x[1])));
  return finish(&s, 2, need, ct);
}

int vjp_mul(VJP_ARGS) {
  RU_SCOPE(s);
  if (need[0]) ct[0] = ru_unb(I, S(&s, A_mul(I, g, x[1])), x[0]);
  if (need[1]) ct[1] = ru_unb(I, S(&s, A_mul(I, x[0], g)), x[1]);
  return finish(&s, 2, need, ct);
}

int vjp_div(VJP_ARGS) {
  RU_SCOPE(s);
  Value gx = S(&s, A_div(I, g, x[1])); /* g / x1 */
  if (need[0]) ct[0] = ru_unb(I, gx, x[0]);
  if (need[1]) /* -g x0 / x1² = -(g / x1) y */
    ct[1] = A_neg(I, S(&s, ru_unb(I, S(&s, A_mul(I, gx, y)), x[1])));
  return finish(&s, 2, need, ct);
}

int vjp_mod(VJP_ARGS) {
  RU_SCOPE(s);
  if (need[0]) ct[0] = ru_unb(I, g, x[0]);
  if (need[1])
    ct[1] = A_neg(I, S(&s, ru_unb(I, S(&s, A_mul(I, g, S(&s, A_bin(I, P_floordiv, x[0], x[1])))),
                                  x[1])));
  return finish(&s, 2, need, ct);
}

int vjp_pow(VJP_ARGS) {
  RU_SCOPE(s);
  if (need[0])
    ct[0] = ru_unb(I, S(&s, A_mul(I, g, S(&s, ru_pow_dbase(I, x[0], x[1])))), x[0]);
  if (need[1]) ct[1] = ru_unb(I, S(&s, A_mul(I, g, S(&s, ru_pow_dexp(I, x[0], y)))), x[1]);
  return finish(&s, 2, need, ct);
}

static int vjp_maxmin(Interp *I, PrimId id, const Value *x, Value g, const bool *need,
                      Value *ct) {
  RU_SCOPE(s);
  Value c = S(&s, ru_maxmin_coef(I, id, x[0], x[1]));
  if (need[0]) ct[0] = ru_unb(I, S(&s, A_mul(I, g, c)), x[0]);
  if (need[1]) ct[1] = ru_unb(I, S(&s, A_mul(I, g, S(&s, A_sub(I, A_f(1.0), c)))), x[1]);
  return finish(&s, 2, need, ct);
}
int vjp_max(VJP_ARGS) { return vjp_maxmin(I, P_max, x, g, need, ct); }
int vjp_min(VJP_ARGS) { return vjp_maxmin(I, P_min, x, g, need, ct); }

int vjp_atan2(VJP_ARGS) {
  RU_SCOPE(s);
  Value den = S(&s, A_add(I, S(&s, A_ipow(I, x[0], 2)), S(&s, A_ipow(I, x[1], 2))));
  Value gd = S(&s, A_div(I, g, den));
  if (need[0]) ct[0] = ru_unb(I, S(&s, A_mul(I, gd, x[1])), x[0]);
  if (need[1]) ct[1] = A_neg(I, S(&s, ru_unb(I, S(&s, A_mul(I, gd, x[0])), x[1])));
  return finish(&s, 2, need, ct);
}

/* ------------------------------------------------------------------ */
/* select, convert                                                      */

int vjp_select(VJP_ARGS) {
  RU_SCOPE(s);
  if (need[1]) ct[1] = ru_unb(I, S(&s, A_select(I, x[0], g, A_f(0.0))), x[1]);
  if (need[2]) ct[2] = ru_unb(I, S(&s, A_select(I, x[0], A_f(0.0), g)), x[2]);
  return finish(&s, 3, need, ct);
}

int vjp_convert(VJP_ARGS) {
  RU_SCOPE(s);
  if (need[0]) {
    Aval xa;
    if (ru_aval(I, x[0], &xa) < 0) ct[0] = v_exc();
    else if (p->i0 == DT_FLOAT && xa.dtype == DT_FLOAT) ct[0] = v_incref(g);
  }
  return finish(&s, 1, need, ct);
}

/* ------------------------------------------------------------------ */
/* reductions                                                           */

int vjp_reduce_sum(VJP_ARGS) {
  RU_SCOPE(s);
  if (need[0]) {
    Aval xa;
    ct[0] = ru_aval(I, x[0], &xa) < 0 ? v_exc() : ru_unreduce(I, g, &xa, p);
  }
  return finish(&s, 1, need, ct);
}

static int vjp_reduce_chooser(Interp *I, const Value *x, Value y, Value g, const Params *p,
                              const bool *need, Value *ct) {
  RU_SCOPE(s);
  if (!need[0]) return 0;
  if (p->n == 0) {
    ct[0] = v_incref(g);
    return 0;
  }
  /* split equally among the tied extrema */
  Aval xa;
  if (ru_aval(I, x[0], &xa) < 0) {
    ct[0] = v_exc();
    return finish(&s, 1, need, ct);
  }
  Value mask = S(&s, ru_tie_mask(I, x[0], y, p));
  Value cnt = S(&s, A_reduce(I, P_reduce_sum, mask, p->n, p->a));
  Value gc = S(&s, A_div(I, g, cnt));
  ct[0] = A_mul(I, mask, S(&s, ru_unreduce(I, gc, &xa, p)));
  return finish(&s, 1, need, ct);
}
int vjp_reduce_max(VJP_ARGS) { return vjp_reduce_chooser(I, x, y, g, p, need, ct); }
int vjp_reduce_min(VJP_ARGS) { return vjp_reduce_chooser(I, x, y, g, p, need, ct); }

/* The transpose of the pairwise product tree of jvp_reduce_prod: at each
 * level (a, b) -> a * b, the cotangent c goes to (c b, c a). */
#define PROD_MAX_LEVELS 64
int vjp_reduce_prod(VJP_ARGS) {
  RU_SCOPE(s);
  if (!need[0]) return 0;
  if (p->n == 0) {
    ct[0] = v_incref(g);
    return 0;
  }
  Aval xa;
  if (ru_aval(I, x[0], &xa) < 0) {
    ct[0] = v_exc();
    return finish(&s, 1, need, ct);
  }
  RuProd G;
  ru_prod_geom(&xa, p, &G);
  if (G.n == 0) return 0; /* empty product: constant 1 */
  Value la[PROD_MAX_LEVELS], lb[PROD_MAX_LEVELS];
  bool padded[PROD_MAX_LEVELS];
  int64_t len[PROD_MAX_LEVELS];
  int nl = 0;
  Value xv = ru_prod_to2d(I, x[0], &G);
  int64_t n = G.n;
  Value one = v_unset();
  if (n > 1 && (n & (n - 1))) {
    Aval oa = {DT_FLOAT, 2, {1, G.r}};
    one = A_full(I, &oa, 1.0);
  }
  while (n > 1 && !IS_EXC(xv)) {
    padded[nl] = n & 1;
    len[nl] = n;
    if (n & 1) {
      Value xs[2] = {xv, one};
      Value nx = ru_concat(I, xs, 2, 0);
      v_decref(xv);
      xv = nx;
      n++;
    }
    int64_t h = n / 2;
    la[nl] = ru_slice_axis(I, xv, 0, 0, h);
    lb[nl] = ru_slice_axis(I, xv, 0, h, n);
    Value nx = A_mul(I, la[nl], lb[nl]);
    nl++;
    v_decref(xv);
    xv = nx;
    n = h;
  }
  v_decref(one);
  bool err = IS_EXC(xv);
  v_decref(xv);
  int64_t sh[2] = {1, G.r};
  Value c = err ? v_exc() : A_reshape(I, g, 2, sh);
  for (int l = nl - 1; l >= 0; l--) {
    Value parts[2] = {A_mul(I, c, lb[l]), A_mul(I, c, la[l])};
    Value nc = ru_concat(I, parts, 2, 0);
    v_decref(parts[0]);
    v_decref(parts[1]);
    v_decref(c);
    c = nc;
    if (padded[l]) {
      nc = ru_slice_axis(I, c, 0, 0, len[l]);
      v_decref(c);
      c = nc;
    }
  }
  for (int l = 0; l < nl; l++) {
    v_decref(la[l]);
    v_decref(lb[l]);
  }
  ct[0] = ru_prod_from2d(I, c, &G);
  v_decref(c);
  return finish(&s, 1, need, ct);
}

int vjp_cumsum(VJP_ARGS) {
  /* reverse cumulative sum */
  RU_SCOPE(s);
  if (need[0]) {
    Params r = PARAMS_INIT;
    r.n = 1;
    r.a[0] = p->i0;
    Value rg = S(&s, IS_EXC(g) ? v_exc() : jx_bind(I, P_rev, &g, &r));
    Value cs = S(&s, IS_EXC(rg) ? v_exc() : jx_bind(I, P_cumsum, &rg, p));
    ct[0] = IS_EXC(cs) ? v_exc() : jx_bind(I, P_rev, &cs, &r);
  }
  return finish(&s, 1, need, ct);
}

/* ------------------------------------------------------------------ */
/* shape primitives                                                     */

int vjp_broadcast_in_dim(VJP_ARGS) {
  RU_SCOPE(s);
  if (!need[0]) return 0;
  Aval xa;
  if (ru_aval(I, x[0], &xa) < 0) {
    ct[0] = v_exc();
    return finish(&s, 1, need, ct);
  }
  /* sum over the new dims and the expanded size-1 dims, then reshape */
  bool keep[JX_MAXDIM] = {false};
  for (int k = 0; k < p->m; k++)
    if (!(xa.shape[k] == 1 && p->a[p->b[k]] != 1)) keep[p->b[k]] = true;
  int64_t axes[JX_MAXDIM];
  int na = 0;
  for (int d = 0; d < p->n; d++)
    if (!keep[d]) axes[na++] = d;
  Value r = S(&s, A_reduce(I, P_reduce_sum, g, na, axes));
  ct[0] = A_reshape(I, r, xa.ndim, xa.shape);
  return finish(&s, 1, need, ct);
}

int vjp_reshape(VJP_ARGS) {
  RU_SCOPE(s);
  if (need[0]) {
    Aval xa;
    ct[0] = ru_aval(I, x[0], &xa) < 0 ? v_exc() : A_reshape(I, g, xa.ndim, xa.shape);
  }
  return finish(&s, 1, need, ct);
}

int vjp_transpose(VJP_ARGS) {
  RU_SCOPE(s);
  if (need[0]) {
    int64_t inv[JX_MAXDIM];
    for (int i = 0; i < p->n; i++) inv[p->a[i]] = i;
    ct[0] = A_transpose(I, g, p->n, inv);
  }
  return finish(&s, 1, need, ct);
}

int vjp_slice(VJP_ARGS) {
  /* pad g back: low = start, interior = step - 1, high = what is left */
  RU_SCOPE(s);
  if (!need[0]) return 0;
  Aval xa, ga;
  if (ru_aval(I, x[0], &xa) < 0 || ru_aval(I, g, &ga) < 0) {
    ct[0] = v_exc();
    return finish(&s, 1, need, ct);
  }
  bool empty = false;
  for (int d = 0; d < xa.ndim; d++) empty |= ga.shape[d] == 0;
  if (empty || xa.ndim == 0) {
    ct[0] = xa.ndim == 0 ? v_incref(g) : A_zeros_like(I, x[0]);
    return finish(&s, 1, need, ct);
  }
  Params q = PARAMS_INIT;
  q.n = q.m = q.k = xa.ndim;
  for (int d = 0; d < xa.ndim; d++) {
    int64_t step = p->k > 0 ? p->c[d] : 1;
    int64_t last = p->a[d] + (ga.shape[d] - 1) * step; /* index of the last element taken */
    q.a[d] = p->a[d];
    q.c[d] = step - 1;
    q.b[d] = xa.shape[d] - 1 - last;
  }
  ct[0] = jx_bind(I, P_pad, &g, &q);
  return finish(&s, 1, need, ct);
}

int vjp_pad(VJP_ARGS) {
  /* slice g: start = low, step = interior + 1 (negative low/high: pad g
   * back out first) */
  RU_SCOPE(s);
  if (!need[0]) return 0;
  Aval xa;
  if (ru_aval(I, x[0], &xa) < 0) {
    ct[0] = v_exc();
    return finish(&s, 1, need, ct);
  }
  bool empty = false, neg = false;
  for (int d = 0; d < xa.ndim; d++) {
    empty |= xa.shape[d] == 0;
    neg |= p->a[d] < 0 || p->b[d] < 0;
  }
  if (xa.ndim == 0) {
    ct[0] = v_incref(g);
    return finish(&s, 1, need, ct);
  }
  if (empty) {
    ct[0] = A_zeros_like(I, x[0]);
    return finish(&s, 1, need, ct);
  }
  Value gg = g;
  int64_t lo[JX_MAXDIM];
  for (int d = 0; d < xa.ndim; d++) lo[d] = p->a[d];
  if (neg) {
    Params q = PARAMS_INIT;
    q.n = q.m = q.k = xa.ndim;
    for (int d = 0; d < xa.ndim; d++) {
      q.a[d] = p->a[d] < 0 ? -p->a[d] : 0;
      q.b[d] = p->b[d] < 0 ? -p->b[d] : 0;
      q.c[d] = 0;
      if (lo[d] < 0) lo[d] = 0;
    }
    gg = S(&s, IS_EXC(g) ? v_exc() : jx_bind(I, P_pad, &g, &q));
  }
  Params q = PARAMS_INIT;
  q.n = q.m = q.k = xa.ndim;
  for (int d = 0; d < xa.ndim; d++) {
    int64_t step = p->c[d] + 1;
    q.a[d] = lo[d];
    q.b[d] = lo[d] + (xa.shape[d] - 1) * step + 1;
    q.c[d] = step;
  }
  ct[0] = IS_EXC(gg) ? v_exc() : jx_bind(I, P_slice, &gg, &q);
  return finish(&s, 1, need, ct);
}

int vjp_rev(VJP_ARGS) {
  RU_SCOPE(s);
  if (need[0]) ct[0] = jx_bind(I, P_rev, &g, p);
  return finish(&s, 1, need, ct);
}

int vjp_concatenate(VJP_ARGS) {
  RU_SCOPE(s);
  int n = p->nin, ax = (int)p->i0;
  int64_t off = 0;
  for (int i = 0; i < n; i++) {
    Aval xa;
    if (ru_aval(I, x[i], &xa) < 0) {
      ct[i] = v_exc();
      break;
    }
    int64_t w = xa.shape[ax];
    if (need[i]) {
      ct[i] = xa.dtype == DT_FLOAT ? ru_slice_axis(I, g, ax, off, off + w) : v_unset();
    }
    off += w;
  }
  /* finish over all n inputs */
  scope_release(&s);
  bool bad = false;
  for (int i = 0; i < n; i++)
    if (IS_EXC(ct[i])) bad = true;
  if (!bad) return 0;
  for (int i = 0; i < n; i++) {
    v_decref(ct[i]);
    ct[i] = v_unset();
  }
  return -1;
}

/* ------------------------------------------------------------------ */
/* gather / scatter                                                     */

int vjp_gather(VJP_ARGS) {
  RU_SCOPE(s);
  if (need[0]) {
    Value in[3] = {S(&s, A_zeros_like(I, x[0])), x[1], g};
    ct[0] = IS_EXC(in[0]) ? v_exc() : jx_bind(I, P_scatter_add, in, p);
  }
  return finish(&s, 2, need, ct);
}

int vjp_scatter_add(VJP_ARGS) {
  RU_SCOPE(s);
  if (need[0]) ct[0] = ru_unb(I, g, x[0]);
  if (need[2]) {
    Value in[2] = {g, x[1]};
    ct[2] = jx_bind(I, P_gather, in, p);
  }
  return finish(&s, 3, need, ct);
}

/* Constant float array of shape av holding 1, 2, … in row-major order. */
static Value iota1(Interp *I, const Aval *av) {
  Array *a = arr_alloc(I, DT_FLOAT, av->ndim, av->shape);
  if (!a) return v_exc();
  for (int64_t i = 0; i < a->size; i++) ARR_F(a)[i] = (double)(i + 1);
  return arr_normalize(I, a);
}

int vjp_scatter(VJP_ARGS) {
  RU_SCOPE(s);
  Value zu = S(&s, A_zeros_like(I, x[2]));
  if (need[0]) {
    /* the overwritten positions receive nothing */
    Value in[3] = {g, x[1], zu};
    ct[0] = IS_EXC(zu) ? v_exc() : jx_bind(I, P_scatter, in, p);
  }
  if (need[2]) {
    /* only the update that won (last write among repeated indices) gets g:
     * scatter the update ids and read back which id survived */
    Aval ua;
    if (ru_aval(I, x[2], &ua) < 0) {
      ct[2] = v_exc();
    } else {
      Value ids = S(&s, iota1(I, &ua));
      Value in[3] = {S(&s, A_zeros_like(I, x[0])), x[1], ids};
      Value won = S(&s, (IS_EXC(in[0]) || IS_EXC(ids)) ? v_exc() : jx_bind(I, P_scatter, in, p));
      Value gin[2] = {won, x[1]};
      Value back = S(&s, IS_EXC(won) ? v_exc() : jx_bind(I, P_gather, gin, p));
      Value mask = S(&s, A_eq(I, back, ids));
      Value gg[2] = {g, x[1]};
      Value gathered = S(&s, jx_bind(I, P_gather, gg, p));
      ct[2] = A_select(I, mask, gathered, A_f(0.0));
    }
  }
  return finish(&s, 3, need, ct);
}

/* ------------------------------------------------------------------ */
/* dot_general (JAX's _dot_general_transpose_lhs / _rhs)                */

/* Dims of 0..nd-1 not in a[0..na) nor b[0..nb), ascending. */
static int remaining(int nd, const int64_t *a, int na, const int64_t *b, int nb, int64_t *out) {
  int m = 0;
  for (int d = 0; d < nd; d++) {
    bool used = false;
    for (int i = 0; i < na; i++) used |= a[i] == d;
    for (int i = 0; i < nb; i++) used |= b[i] == d;
    if (!used) out[m++] = d;
  }
  return m;
}

/* Cotangent of the lhs x of dot_general(x, y) (or of the rhs, with the
 * dimension numbers swapped and swap_ans). */
static Value dg_transpose_lhs(Interp *I, Value g, const Aval *xa, Value y, int nc,
                              const int64_t *xc, const int64_t *yc, int nbt, const int64_t *xb,
                              const int64_t *yb, bool swap_ans) {
  Aval ya;
  if (ru_aval(I, y, &ya) < 0 || IS_EXC(g)) return v_exc();
  int64_t xk[JX_MAXDIM], yk[JX_MAXDIM];
  int nxk = remaining(xa->ndim, xc, nc, xb, nbt, xk);
  int nyk = remaining(ya.ndim, yc, nc, yb, nbt, yk);
  /* g's dims: batch, then (x kept, y kept) or (y kept, x kept) */
  int ystart = swap_ans ? nbt : nbt + nxk;
  Params q = PARAMS_INIT;
  q.n = q.m = nyk;
  for (int i = 0; i < nyk; i++) {
    q.a[i] = ystart + i;
    q.b[i] = yk[i];
  }
  q.k = nbt;
  for (int i = 0; i < nbt; i++) {
    q.c[i] = i;
    q.d[i] = yb[i];
  }
  /* result dims: batch, x kept, then y's contracting dims in y order,
   * which pair with x's contracting dims sorted by their y partner */
  int64_t L[JX_MAXDIM];
  int k = 0;
  for (int i = 0; i < nbt; i++) L[k++] = xb[i];
  for (int i = 0; i < nxk; i++) L[k++] = xk[i];
  for (int d = 0; d < ya.ndim; d++)
    for (int i = 0; i < nc; i++)
      if (yc[i] == d) L[k++] = xc[i];
  int64_t perm[JX_MAXDIM];
  for (int j = 0; j < k; j++) perm[L[j]] = j;
  Value yf = ru_float(I, y);
  Value r = A_dot_general(I, g, yf, &q);
  v_decref(yf);
  Value out = A_transpose(I, r, k, perm);
  v_decref(r);
  return out;
}

int vjp_dot_general(VJP_ARGS) {
  RU_SCOPE(s);
  Aval xa0, xa1;
  if (ru_aval(I, x[0], &xa0) < 0 || ru_aval(I, x[1], &xa1) < 0) {
    for (int i = 0; i < 2; i++)
      if (need[i]) ct[i] = v_exc();
    return finish(&s, 2, need, ct);
  }
  if (need[0])
    ct[0] = dg_transpose_lhs(I, g, &xa0, x[1], p->n, p->a, p->b, p->k, p->c, p->d, false);
  if (need[1])
    ct[1] = dg_transpose_lhs(I, g, &xa1, x[0], p->n, p->b, p->a, p->k, p->d, p->c, true);
  return finish(&s, 2, need, ct);
}

/* ------------------------------------------------------------------ */
/* linear algebra                                                       */

int vjp_la_solve(VJP_ARGS) {
  /* x = A⁻¹ b:  gb = A⁻ᵀ g,  gA = -gb xᵀ */
  RU_SCOPE(s);
  bool vec = p->i0 == 1;
  Value in[2] = {S(&s, ru_mT(I, x[0])), g};
  Value gb = S(&s, IS_EXC(in[0]) ? v_exc() : jx_bind(I, P_la_solve, in, p));
  if (need[1]) ct[1] = ru_unb(I, gb, x[1]);
  if (need[0]) {
    Value o = S(&s, vec ? ru_outer(I, gb, y) : ru_matmul(I, gb, false, y, true, false));
    ct[0] = A_neg(I, S(&s, ru_unb(I, o, x[0])));
  }
  return finish(&s, 2, need, ct);
}

int vjp_la_inv(VJP_ARGS) {
  /* -Yᵀ G Yᵀ */
  RU_SCOPE(s);
  if (need[0]) {
    Value a = S(&s, ru_matmul(I, y, true, g, false, false));
    ct[0] = A_neg(I, S(&s, ru_matmul(I, a, false, y, true, false)));
  }
  return finish(&s, 1, need, ct);
}

int vjp_la_det(VJP_ARGS) {
  /* g det A⁻ᵀ */
  RU_SCOPE(s);
  if (need[0]) {
    Aval ya;
    if (ru_aval(I, y, &ya) < 0) {
      ct[0] = v_exc();
      return finish(&s, 1, need, ct);
    }
    int64_t sh[JX_MAXDIM];
    memcpy(sh, ya.shape, sizeof(int64_t) * (size_t)ya.ndim);
    sh[ya.ndim] = sh[ya.ndim + 1] = 1;
    Value gd = S(&s, A_reshape(I, S(&s, A_mul(I, g, y)), ya.ndim + 2, sh));
    Value inv = S(&s, A_un(I, P_la_inv, x[0]));
    ct[0] = A_mul(I, gd, S(&s, ru_mT(I, inv)));
  }
  return finish(&s, 1, need, ct);
}

int vjp_la_cholesky(VJP_ARGS) {
  /* transpose of jvp_la_cholesky: Ā = L⁻ᵀ Φ(Lᵀ Ḡ) L⁻¹, then onto the
   * lower triangle that chol reads: tril(Ā) + tril(Āᵀ, -1) */
  RU_SCOPE(s);
  if (!need[0]) return 0;
  Aval aa;
  if (ru_aval(I, x[0], &aa) < 0) {
    ct[0] = v_exc();
    return finish(&s, 1, need, ct);
  }
  int64_t n = aa.shape[aa.ndim - 1];
  Value L = y;
  Value low = S(&s, ru_tri_mask(I, n, true, 1.0));
  Value strict = S(&s, ru_tri_mask(I, n, true, 0.0));
  Value phi = S(&s, ru_tri_mask(I, n, true, 0.5));
  Value X = S(&s, A_mul(I, S(&s, ru_matmul(I, L, true, g, false, false)), phi));
  Value Y = S(&s, ru_trisolve(I, L, X, true, true));                             /* L⁻ᵀ X */
  Value A = S(&s, ru_mT(I, S(&s, ru_trisolve(I, L, S(&s, ru_mT(I, Y)), true, true)))); /* Y L⁻¹ */
  Value r = S(&s, A_add(I, S(&s, A_mul(I, A, low)), S(&s, A_mul(I, S(&s, ru_mT(I, A)), strict))));
  ct[0] = ru_unb(I, r, x[0]);
  return finish(&s, 1, need, ct);
}

int vjp_la_triangular_solve(VJP_ARGS) {
  /* X = op(T)⁻¹ B:  B̄ = op(T)⁻ᵀ Ḡ;  Ā = -tri(B̄ Xᵀ) (or -tri(X B̄ᵀ) if op = ᵀ) */
  RU_SCOPE(s);
  Aval aa, ba;
  if (ru_aval(I, x[0], &aa) < 0 || ru_aval(I, x[1], &ba) < 0) {
    for (int i = 0; i < 2; i++)
      if (need[i]) ct[i] = v_exc();
    return finish(&s, 2, need, ct);
  }
  bool vec = ba.ndim == aa.ndim - 1, lower = p->i0 == 1, trans = p->i1 == 1;
  Value gb = S(&s, ru_trisolve(I, x[0], g, lower, !trans));
  if (need[1]) ct[1] = ru_unb(I, gb, x[1]);
  if (need[0]) {
    Value o;
    if (vec) o = trans ? ru_outer(I, y, gb) : ru_outer(I, gb, y);
    else o = trans ? ru_matmul(I, y, false, gb, true, false) : ru_matmul(I, gb, false, y, true, false);
    S(&s, o);
    Value m = S(&s, ru_tri_mask(I, aa.shape[aa.ndim - 1], lower, 1.0));
    ct[0] = A_neg(I, S(&s, ru_unb(I, S(&s, A_mul(I, o, m)), x[0])));
  }
  return finish(&s, 2, need, ct);
}

/* ------------------------------------------------------------------ */

const VjpFn jx_vjp_rules[P__COUNT] = {
#define PRIM(id, name, nin, kind) [P_##id] = vjp_##id,
#include "prims.def"
#undef PRIM
};
