/* rules_batch.c — the vmap (batching) rule of every primitive, the per-lane
 * fallback for rows without one, and the truth value of a batched
 * condition.
 *
 * A rule receives the physical values x[i] with the batch axis at bd[i]
 * (-1: not batched), computes the batched result with jx_bind / A_* only
 * (the values may be tracers of outer transformations, so no rule reads
 * data), and reports where the batch axis of the result is.  The Params
 * are those of the unbatched primitive; rules translate axes and shapes
 * ("logical" dims, as the user sees them) into "physical" dims (with the
 * batch axis present).
 */
#include "trace_internal.h"

#include <stdio.h>
#include <string.h>

/* Rows without a rule go through batch_fallback (one bind per lane): the
 * random primitives take exactly one key. */
#define batch_rng_bits NULL
#define batch_rng_split NULL
#define batch_rng_fold_in NULL
#define batch_rng_uniform NULL
#define batch_rng_normal NULL

/* ------------------------------------------------------------------ */
/* helpers                                                              */

/* Physical position of logical dim j of a value whose batch axis is bd. */
static inline int64_t phys(int64_t j, int bd) { return (bd >= 0 && j >= bd) ? j + 1 : j; }

static int aval_chk(Interp *I, Value x, Aval *a) {
  if (IS_EXC(x)) return -1;
  return val_aval(I, x, a);
}

/* An unbatched x broadcast to have a batch axis of 'size' at position pos. */
static Value bcast_batch_at(Interp *I, Value x, int64_t size, int pos) {
  Aval a;
  if (aval_chk(I, x, &a) < 0) return v_exc();
  if (a.ndim + 1 > JX_MAXDIM) return jx_raise(I, E_SHAPE, "vmap: too many dimensions");
  int64_t shape[JX_MAXDIM], dims[JX_MAXDIM];
  for (int i = 0, k = 0; i <= a.ndim; i++) {
    if (i == pos) shape[i] = size;
    else {
      shape[i] = a.shape[k];
      dims[k] = i;
      k++;
    }
  }
  return A_broadcast_in_dim(I, x, a.ndim + 1, shape, a.ndim, dims);
}

/* x with its batch axis at position pos (broadcast in if x is unbatched). */
static Value batch_to(Interp *I, Value x, int bd, int64_t size, int pos) {
  if (IS_EXC(x)) return x;
  if (bd < 0) return bcast_batch_at(I, x, size, pos);
  return A_moveaxis(I, x, bd, pos);
}

/* Concrete int array of shape (size, 1, …, 1) (rank nd >= 1) holding
 * k * scale in lane k. */
static Value lane_offsets(Interp *I, int64_t size, int64_t scale, int nd) {
  int64_t shape[JX_MAXDIM];
  shape[0] = size;
  for (int i = 1; i < nd; i++) shape[i] = 1;
  Array *a = arr_alloc(I, DT_INT, nd, shape);
  if (!a) return v_exc();
  for (int64_t k = 0; k < size; k++) ARR_I(a)[k] = k * scale;
  return arr_normalize(I, a);
}

static Value bind_n(Interp *I, PrimId id, const Value *in, int n, const Params *p) {
  for (int i = 0; i < n; i++)
    if (IS_EXC(in[i])) return v_exc();
  return jx_bind(I, id, in, p);
}

/* Finish a rule: set *out (owned) and *obd; release the scope. */
static int finish(Scope *s, Value r, int bdim, Value *out, int *obd) {
  scope_release(s);
  if (IS_EXC(r)) return -1;
  *out = r;
  *obd = bdim;
  return 0;
}

/* ------------------------------------------------------------------ */
/* elementwise                                                          */

/* Unary elementwise (and convert, stop_gradient, integer_pow): the batch
 * axis stays where it is. */
static int batch_elementwise1(Interp *I, PrimId id, const Value *x, const int *bd,
                              const Params *p, Value *out, int *obd) {
  Value r = jx_bind(I, id, x, p);
  if (IS_EXC(r)) return -1;
  *out = r;
  *obd = bd[0];
  return 0;
}

/* n operands with numpy broadcasting (binary ops, comparisons, select). */
static int batch_broadcasting(Interp *I, PrimId id, const Value *x, const int *bd, int n,
                              const Params *p, Value *out, int *obd) {
  Aval a[3];
  int r[3], R = 0;
  for (int i = 0; i < n; i++) {
    if (val_aval(I, x[i], &a[i]) < 0) return -1;
    r[i] = a[i].ndim - (bd[i] >= 0);
    if (r[i] > R) R = r[i];
  }
  /* Fast path: every batched operand has the full rank and the same batch
   * axis, and no unbatched operand reaches that axis when right-aligned. */
  int common = -1;
  bool fast = true;
  for (int i = 0; i < n && fast; i++) {
    if (bd[i] < 0) continue;
    if (r[i] != R || (common >= 0 && bd[i] != common)) fast = false;
    common = bd[i];
  }
  for (int i = 0; i < n && fast; i++)
    if (bd[i] < 0 && r[i] > R - common) fast = false;
  if (fast) {
    Value v = jx_bind(I, id, x, p);
    if (IS_EXC(v)) return -1;
    *out = v;
    *obd = common;
    return 0;
  }
  /* General case: batch axes to the front, batched operands padded with 1s
   * so their logical dims right-align with the output's. */
  Scope s = {.n = 0};
  Value y[3];
  for (int i = 0; i < n; i++) {
    if (bd[i] < 0) {
      y[i] = x[i];
      continue;
    }
    Value m = S(&s, A_moveaxis(I, x[i], bd[i], 0));
    if (r[i] < R) {
      int64_t shape[JX_MAXDIM];
      int k = 0;
      shape[k++] = a[i].shape[bd[i]];
      for (int j = r[i]; j < R; j++) shape[k++] = 1;
      for (int j = 0; j < a[i].ndim; j++)
        if (j != bd[i]) shape[k++] = a[i].shape[j];
      m = S(&s, A_reshape(I, m, R + 1, shape));
    }
    y[i] = m;
  }
  return finish(&s, bind_n(I, id, y, n, p), 0, out, obd);
}

#define UNARY_RULE(id)                                                                   \
  int batch_##id(Interp *I, const Value *x, const int *bd, int64_t size, const Params *p, \
                 Value *out, int *obd) {                                                 \
    (void)size;                                                                          \
    return batch_elementwise1(I, P_##id, x, bd, p, out, obd);                            \
  }
#define BCAST_RULE(id, n)                                                                \
  int batch_##id(Interp *I, const Value *x, const int *bd, int64_t size, const Params *p, \
                 Value *out, int *obd) {                                                 \
    (void)size;                                                                          \
    return batch_broadcasting(I, P_##id, x, bd, n, p, out, obd);                         \
  }

UNARY_RULE(neg)
UNARY_RULE(exp)
UNARY_RULE(log)
UNARY_RULE(log1p)
UNARY_RULE(expm1)
UNARY_RULE(sqrt)
UNARY_RULE(sin)
UNARY_RULE(cos)
UNARY_RULE(tan)
UNARY_RULE(asin)
UNARY_RULE(acos)
UNARY_RULE(atan)
UNARY_RULE(sinh)
UNARY_RULE(cosh)
UNARY_RULE(tanh)
UNARY_RULE(logistic)
UNARY_RULE(erf)
UNARY_RULE(abs)
UNARY_RULE(sign)
UNARY_RULE(floor)
UNARY_RULE(ceil)
UNARY_RULE(round)
UNARY_RULE(isnan)
UNARY_RULE(isinf)
UNARY_RULE(isfinite)
UNARY_RULE(not)
UNARY_RULE(integer_pow)
UNARY_RULE(convert)
UNARY_RULE(stop_gradient)

BCAST_RULE(add, 2)
BCAST_RULE(sub, 2)
BCAST_RULE(mul, 2)
BCAST_RULE(div, 2)
BCAST_RULE(floordiv, 2)
BCAST_RULE(mod, 2)
BCAST_RULE(pow, 2)
BCAST_RULE(max, 2)
BCAST_RULE(min, 2)
BCAST_RULE(atan2, 2)
BCAST_RULE(and, 2)
BCAST_RULE(or, 2)
BCAST_RULE(eq, 2)
BCAST_RULE(ne, 2)
BCAST_RULE(lt, 2)
BCAST_RULE(le, 2)
BCAST_RULE(gt, 2)
BCAST_RULE(ge, 2)
BCAST_RULE(select, 3)

/* ------------------------------------------------------------------ */
/* reductions and scans                                                 */

static int batch_reduce(Interp *I, PrimId id, const Value *x, const int *bd,
                        const Params *p, Value *out, int *obd) {
  Params q = *p;
  int before = 0; /* reduced axes in front of the batch axis */
  for (int i = 0; i < p->n; i++) {
    q.a[i] = phys(p->a[i], bd[0]);
    if (q.a[i] < bd[0]) before++;
  }
  Value r = jx_bind(I, id, x, &q);
  if (IS_EXC(r)) return -1;
  *out = r;
  *obd = bd[0] - before;
  return 0;
}

#define REDUCE_RULE(id)                                                                  \
  int batch_##id(Interp *I, const Value *x, const int *bd, int64_t size, const Params *p, \
                 Value *out, int *obd) {                                                 \
    (void)size;                                                                          \
    return batch_reduce(I, P_##id, x, bd, p, out, obd);                                  \
  }
REDUCE_RULE(reduce_sum)
REDUCE_RULE(reduce_max)
REDUCE_RULE(reduce_min)
REDUCE_RULE(reduce_prod)
REDUCE_RULE(reduce_and)
REDUCE_RULE(reduce_or)

static int batch_argext(Interp *I, PrimId id, const Value *x, const int *bd, int64_t size,
                        const Params *p, Value *out, int *obd) {
  Scope s = {.n = 0};
  Params q = *p;
  if (p->i1) {
    /* over the flattened input: (B, prod(rest)) and the argument along 1 */
    Aval a;
    if (val_aval(I, x[0], &a) < 0) return -1;
    int64_t n = 1;
    for (int i = 0; i < a.ndim; i++)
      if (i != bd[0]) n *= a.shape[i];
    int64_t shape[2] = {size, n};
    Value m = S(&s, A_moveaxis(I, x[0], bd[0], 0));
    m = S(&s, A_reshape(I, m, 2, shape));
    q.i1 = 0;
    q.i0 = 1;
    Value r = IS_EXC(m) ? v_exc() : jx_bind(I, id, &m, &q);
    return finish(&s, r, 0, out, obd);
  }
  q.i0 = phys(p->i0, bd[0]);
  Value r = jx_bind(I, id, x, &q);
  return finish(&s, r, q.i0 < bd[0] ? bd[0] - 1 : bd[0], out, obd);
}

int batch_argmax(Interp *I, const Value *x, const int *bd, int64_t size, const Params *p,
                 Value *out, int *obd) {
  return batch_argext(I, P_argmax, x, bd, size, p, out, obd);
}
int batch_argmin(Interp *I, const Value *x, const int *bd, int64_t size, const Params *p,
                 Value *out, int *obd) {
  return batch_argext(I, P_argmin, x, bd, size, p, out, obd);
}

int batch_cumsum(Interp *I, const Value *x, const int *bd, int64_t size, const Params *p,
                 Value *out, int *obd) {
  (void)size;
  Params q = *p;
  q.i0 = phys(p->i0, bd[0]);
  Value r = jx_bind(I, P_cumsum, x, &q);
  if (IS_EXC(r)) return -1;
  *out = r;
  *obd = bd[0];
  return 0;
}

/* ------------------------------------------------------------------ */
/* shape ops                                                            */

int batch_broadcast_in_dim(Interp *I, const Value *x, const int *bd, int64_t size,
                           const Params *p, Value *out, int *obd) {
  if (p->n + 1 > JX_MAXDIM) return jx_raisei(I, E_SHAPE, "vmap: too many dimensions");
  /* Put the batch axis of the output right after the output dim of the
   * logical input dim before it: the dims map stays increasing. */
  int b = bd[0];
  int q = b == 0 ? 0 : (int)p->b[b - 1] + 1;
  Params r = *p;
  r.n = p->n + 1;
  for (int i = 0, k = 0; i < r.n; i++) r.a[i] = i == q ? size : p->a[k++];
  r.m = p->m + 1;
  for (int j = 0; j < r.m; j++) {
    if (j == b) r.b[j] = q;
    else {
      int64_t d = p->b[j < b ? j : j - 1];
      r.b[j] = d >= q ? d + 1 : d;
    }
  }
  Value v = jx_bind(I, P_broadcast_in_dim, x, &r);
  if (IS_EXC(v)) return -1;
  *out = v;
  *obd = q;
  return 0;
}

int batch_reshape(Interp *I, const Value *x, const int *bd, int64_t size, const Params *p,
                  Value *out, int *obd) {
  if (p->n + 1 > JX_MAXDIM) return jx_raisei(I, E_SHAPE, "vmap: too many dimensions");
  Scope s = {.n = 0};
  int64_t shape[JX_MAXDIM];
  shape[0] = size;
  for (int i = 0; i < p->n; i++) shape[i + 1] = p->a[i];
  Value m = S(&s, A_moveaxis(I, x[0], bd[0], 0));
  return finish(&s, A_reshape(I, m, p->n + 1, shape), 0, out, obd);
}

int batch_transpose(Interp *I, const Value *x, const int *bd, int64_t size, const Params *p,
                    Value *out, int *obd) {
  (void)size;
  int64_t perm[JX_MAXDIM];
  perm[0] = bd[0];
  for (int i = 0; i < p->n; i++) perm[i + 1] = phys(p->a[i], bd[0]);
  Value r = A_transpose(I, x[0], p->n + 1, perm);
  if (IS_EXC(r)) return -1;
  *out = r;
  *obd = 0;
  return 0;
}

/* Insert v at position pos of arr[0..n). */
static void ins(int64_t *arr, int n, int pos, int64_t v) {
  for (int i = n; i > pos; i--) arr[i] = arr[i - 1];
  arr[pos] = v;
}

int batch_slice(Interp *I, const Value *x, const int *bd, int64_t size, const Params *p,
                Value *out, int *obd) {
  Params q = *p;
  int nd = p->n;
  ins(q.a, nd, bd[0], 0);
  ins(q.b, nd, bd[0], size);
  ins(q.c, nd, bd[0], 1);
  q.n = q.m = q.k = nd + 1;
  Value r = jx_bind(I, P_slice, x, &q);
  if (IS_EXC(r)) return -1;
  *out = r;
  *obd = bd[0];
  return 0;
}

int batch_pad(Interp *I, const Value *x, const int *bd, int64_t size, const Params *p,
              Value *out, int *obd) {
  (void)size;
  Params q = *p;
  int nd = p->n;
  ins(q.a, nd, bd[0], 0);
  ins(q.b, nd, bd[0], 0);
  ins(q.c, nd, bd[0], 0);
  q.n = q.m = q.k = nd + 1;
  Value r = jx_bind(I, P_pad, x, &q);
  if (IS_EXC(r)) return -1;
  *out = r;
  *obd = bd[0];
  return 0;
}

int batch_rev(Interp *I, const Value *x, const int *bd, int64_t size, const Params *p,
              Value *out, int *obd) {
  (void)size;
  Params q = *p;
  for (int i = 0; i < p->n; i++) q.a[i] = phys(p->a[i], bd[0]);
  Value r = jx_bind(I, P_rev, x, &q);
  if (IS_EXC(r)) return -1;
  *out = r;
  *obd = bd[0];
  return 0;
}

int batch_concatenate(Interp *I, const Value *x, const int *bd, int64_t size, const Params *p,
                      Value *out, int *obd) {
  int n = p->nin;
  Value *y = jx_calloc(I, (size_t)(n > 0 ? n : 1), sizeof(Value));
  if (!y) return -1;
  int rc = -1;
  int i;
  for (i = 0; i < n; i++) {
    y[i] = batch_to(I, x[i], bd[i], size, 0);
    if (IS_EXC(y[i])) break;
  }
  if (i == n) {
    Params q = *p;
    q.i0 = p->i0 + 1;
    Value r = jx_bind(I, P_concatenate, y, &q);
    if (!IS_EXC(r)) {
      *out = r;
      *obd = 0;
      rc = 0;
    }
  }
  for (int j = 0; j < i; j++) v_decref(y[j]);
  jx_free(y);
  return rc;
}

/* ------------------------------------------------------------------ */
/* gather / scatter                                                     */

/* Both x and idx batched: x with its batch axis at 'ax' (right before the
 * indexed axis) is reshaped so that lane k's axis occupies positions
 * [k*N, (k+1)*N) of one merged axis of length B*N; idx gets k*N added in
 * lane k.  Sets *xm (merged x), *im (offset indices, batch axis 0). */
static int merge_lanes(Interp *I, Scope *s, Value xb, Value idx, int bdi, int ax, int64_t size,
                       Value *xm, Value *im, Aval *xa) {
  /* xb: batch axis already at ax */
  if (val_aval(I, xb, xa) < 0) return -1;
  int64_t N = xa->shape[ax + 1];
  int64_t shape[JX_MAXDIM];
  int k = 0;
  for (int i = 0; i < xa->ndim; i++) {
    if (i == ax) shape[k++] = size * N;
    else if (i != ax + 1) shape[k++] = xa->shape[i];
  }
  *xm = S(s, A_reshape(I, xb, xa->ndim - 1, shape));
  Value i0 = S(s, A_moveaxis(I, idx, bdi, 0));
  Aval ia;
  if (aval_chk(I, i0, &ia) < 0) return -1;
  Value off = S(s, lane_offsets(I, size, N, ia.ndim));
  *im = S(s, A_add(I, i0, off));
  return IS_EXC(*xm) || IS_EXC(*im) ? -1 : 0;
}

int batch_gather(Interp *I, const Value *x, const int *bd, int64_t size, const Params *p,
                 Value *out, int *obd) {
  int ax = (int)p->i0;
  Scope s = {.n = 0};
  if (bd[1] < 0) {
    /* only x batched: index its physical axis */
    Aval ia;
    if (val_aval(I, x[1], &ia) < 0) return -1;
    Params q = *p;
    q.i0 = phys(ax, bd[0]);
    Value r = jx_bind(I, P_gather, x, &q);
    return finish(&s, r, bd[0] < q.i0 ? bd[0] : bd[0] - 1 + ia.ndim, out, obd);
  }
  if (bd[0] < 0) {
    /* only idx batched: its dims land at position ax */
    Value r = jx_bind(I, P_gather, x, p);
    return finish(&s, r, ax + bd[1], out, obd);
  }
  Value xb = S(&s, A_moveaxis(I, x[0], bd[0], ax));
  Value xm, im;
  Aval xa;
  if (IS_EXC(xb) || merge_lanes(I, &s, xb, x[1], bd[1], ax, size, &xm, &im, &xa) < 0) {
    scope_release(&s);
    return -1;
  }
  Value r = jx_bind2(I, P_gather, xm, im, p); /* pre + (B, idx…) + rest */
  return finish(&s, r, ax, out, obd);
}

static int batch_scatter_any(Interp *I, PrimId id, const Value *x, const int *bd, int64_t size,
                             const Params *p, Value *out, int *obd) {
  int ax = (int)p->i0;
  Scope s = {.n = 0};
  if (bd[1] < 0) {
    /* indices shared by all lanes: x and upd get the batch axis in front */
    Value in[3];
    in[0] = S(&s, batch_to(I, x[0], bd[0], size, 0));
    in[1] = x[1];
    in[2] = S(&s, batch_to(I, x[2], bd[2], size, 0));
    Params q = *p;
    q.i0 = ax + 1;
    return finish(&s, bind_n(I, id, in, 3, &q), 0, out, obd);
  }
  /* per-lane indices: merge the lanes into the scattered axis */
  Value xb = S(&s, batch_to(I, x[0], bd[0], size, ax));
  Value ub = S(&s, batch_to(I, x[2], bd[2], size, ax));
  Value xm, im;
  Aval xa;
  if (IS_EXC(xb) || IS_EXC(ub) ||
      merge_lanes(I, &s, xb, x[1], bd[1], ax, size, &xm, &im, &xa) < 0) {
    scope_release(&s);
    return -1;
  }
  Value in[3] = {xm, im, ub};
  Value r = S(&s, jx_bind(I, id, in, p));
  return finish(&s, IS_EXC(r) ? r : A_reshape(I, r, xa.ndim, xa.shape), ax, out, obd);
}

int batch_scatter_add(Interp *I, const Value *x, const int *bd, int64_t size, const Params *p,
                      Value *out, int *obd) {
  return batch_scatter_any(I, P_scatter_add, x, bd, size, p, out, obd);
}
int batch_scatter(Interp *I, const Value *x, const int *bd, int64_t size, const Params *p,
                  Value *out, int *obd) {
  return batch_scatter_any(I, P_scatter, x, bd, size, p, out, obd);
}

/* ------------------------------------------------------------------ */
/* dot_general                                                          */

int batch_dot_general(Interp *I, const Value *x, const int *bd, int64_t size, const Params *p,
                      Value *out, int *obd) {
  (void)size;
  Aval aa, ab;
  if (val_aval(I, x[0], &aa) < 0 || val_aval(I, x[1], &ab) < 0) return -1;
  Params q = *p;
  for (int i = 0; i < p->n; i++) q.a[i] = phys(p->a[i], bd[0]);
  for (int i = 0; i < p->m; i++) q.b[i] = phys(p->b[i], bd[1]);
  for (int i = 0; i < p->k; i++) {
    q.c[i] = phys(p->c[i], bd[0]);
    q.d[i] = phys(p->d[i], bd[1]);
  }
  int where;
  if (bd[0] >= 0 && bd[1] >= 0) {
    /* a new pair of batch dims, first: output dim 0 */
    if (p->k + 1 > JX_MAXDIM) return jx_raisei(I, E_SHAPE, "vmap: too many dimensions");
    ins(q.c, p->k, 0, bd[0]);
    ins(q.d, p->k, 0, bd[1]);
    q.k = p->k + 1;
    where = 0;
  } else {
    /* the batch axis is a free dim of its operand; free dims keep their
     * order: batch dims, a's free dims, b's free dims */
    int side = bd[0] >= 0 ? 0 : 1;
    int b = bd[side];
    const int64_t *con = side == 0 ? q.a : q.b;
    const int64_t *bat = side == 0 ? q.c : q.d;
    int ncon = side == 0 ? q.n : q.m;
    where = q.k;
    if (side == 1) /* a's free dims come first */
      where += aa.ndim - p->n - p->k;
    for (int j = 0; j < b; j++) {
      bool used = false;
      for (int i = 0; i < ncon; i++) used |= con[i] == j;
      for (int i = 0; i < q.k; i++) used |= bat[i] == j;
      if (!used) where++;
    }
  }
  Value r = jx_bind(I, P_dot_general, x, &q);
  if (IS_EXC(r)) return -1;
  *out = r;
  *obd = where;
  return 0;
}

/* ------------------------------------------------------------------ */
/* linear algebra: the primitives take leading batch axes themselves    */

static int batch_la_matrix(Interp *I, PrimId id, const Value *x, const int *bd,
                           const Params *p, Value *out, int *obd) {
  Scope s = {.n = 0};
  Value m = S(&s, A_moveaxis(I, x[0], bd[0], 0));
  Value r = IS_EXC(m) ? v_exc() : jx_bind(I, id, &m, p);
  return finish(&s, r, 0, out, obd);
}

int batch_la_inv(Interp *I, const Value *x, const int *bd, int64_t size, const Params *p,
                 Value *out, int *obd) {
  (void)size;
  return batch_la_matrix(I, P_la_inv, x, bd, p, out, obd);
}
int batch_la_det(Interp *I, const Value *x, const int *bd, int64_t size, const Params *p,
                 Value *out, int *obd) {
  (void)size;
  return batch_la_matrix(I, P_la_det, x, bd, p, out, obd);
}
int batch_la_cholesky(Interp *I, const Value *x, const int *bd, int64_t size, const Params *p,
                      Value *out, int *obd) {
  (void)size;
  return batch_la_matrix(I, P_la_cholesky, x, bd, p, out, obd);
}

/* a (..., n, n) and b (..., n) or (..., n, k): the leading dims broadcast.
 * Both operands get the same number of leading dims (L + 1, the first the
 * batch axis, size 1 for an unbatched operand), which also keeps
 * triangular_solve's rank test (vector rhs iff b.ndim == a.ndim - 1). */
static int batch_la_rhs(Interp *I, PrimId id, const Value *x, const int *bd, int64_t size,
                        const Params *p, Value *out, int *obd) {
  Aval av[2];
  int r[2], core[2], lead[2];
  for (int i = 0; i < 2; i++) {
    if (val_aval(I, x[i], &av[i]) < 0) return -1;
    r[i] = av[i].ndim - (bd[i] >= 0);
  }
  core[0] = 2;
  core[1] = id == P_la_solve ? (p->i0 == 1 ? 1 : 2) : (r[1] == r[0] - 1 ? 1 : 2);
  int L = 0;
  for (int i = 0; i < 2; i++) {
    lead[i] = r[i] - core[i];
    if (lead[i] < 0) lead[i] = 0; /* invalid: the primitive will say so */
    if (lead[i] > L) L = lead[i];
  }
  if (L + 3 > JX_MAXDIM) return jx_raisei(I, E_SHAPE, "vmap: too many dimensions");
  Scope s = {.n = 0};
  Value y[2];
  for (int i = 0; i < 2; i++) {
    Value m = bd[i] >= 0 ? S(&s, A_moveaxis(I, x[i], bd[i], 0)) : x[i];
    int64_t shape[JX_MAXDIM];
    int k = 0;
    shape[k++] = bd[i] >= 0 ? size : 1;
    for (int j = lead[i]; j < L; j++) shape[k++] = 1;
    for (int j = 0; j < av[i].ndim; j++)
      if (j != bd[i]) shape[k++] = av[i].shape[j];
    y[i] = S(&s, A_reshape(I, m, k, shape));
  }
  return finish(&s, bind_n(I, id, y, 2, p), 0, out, obd);
}

int batch_la_solve(Interp *I, const Value *x, const int *bd, int64_t size, const Params *p,
                   Value *out, int *obd) {
  return batch_la_rhs(I, P_la_solve, x, bd, size, p, out, obd);
}
int batch_la_triangular_solve(Interp *I, const Value *x, const int *bd, int64_t size,
                              const Params *p, Value *out, int *obd) {
  return batch_la_rhs(I, P_la_triangular_solve, x, bd, size, p, out, obd);
}

/* ------------------------------------------------------------------ */
/* the table                                                            */

const BatchFn jx_batch_rules[P__COUNT] = {
#define PRIM(id, name, nin, kind) [P_##id] = batch_##id,
#include "prims.def"
#undef PRIM
};

/* ------------------------------------------------------------------ */
/* fallback: one bind per lane                                          */

/* Lane k of x (batch axis bd): slice [k, k+1) and drop the axis. */
static Value take_lane(Interp *I, Value x, int bd, int64_t k) {
  Aval a;
  if (val_aval(I, x, &a) < 0) return v_exc();
  Params q = PARAMS_INIT;
  q.n = q.m = q.k = a.ndim;
  for (int i = 0; i < a.ndim; i++) {
    q.a[i] = i == bd ? k : 0;
    q.b[i] = i == bd ? k + 1 : a.shape[i];
    q.c[i] = 1;
  }
  Value sl = jx_bind(I, P_slice, &x, &q);
  if (IS_EXC(sl)) return sl;
  int64_t shape[JX_MAXDIM];
  int n = 0;
  for (int i = 0; i < a.ndim; i++)
    if (i != bd) shape[n++] = a.shape[i];
  Value r = A_reshape(I, sl, n, shape);
  v_decref(sl);
  return r;
}

/* Concatenate the n values v[] (owned; consumed) along axis 0, in groups
 * small enough for any trace (a trace takes at most 64 operands). */
#define CAT_GROUP 32
static Value cat_all(Interp *I, Value *v, int64_t n) {
  while (n > 1) {
    int64_t m = 0;
    for (int64_t i = 0; i < n; i += CAT_GROUP) {
      int64_t g = n - i < CAT_GROUP ? n - i : CAT_GROUP;
      Value r;
      if (g == 1) {
        r = v[i];
      } else {
        Params q = PARAMS_INIT;
        q.nin = (int)g;
        q.i0 = 0;
        r = jx_bind(I, P_concatenate, v + i, &q);
        for (int64_t j = i; j < i + g; j++) v_decref(v[j]);
      }
      v[m++] = r;
      if (IS_EXC(r)) {
        for (int64_t j = i + g; j < n; j++) v_decref(v[j]);
        for (int64_t j = 0; j < m - 1; j++) v_decref(v[j]);
        return v_exc();
      }
    }
    n = m;
  }
  return v[0];
}

int batch_fallback(Interp *I, PrimId id, const Value *x, const int *bd, int nin, int64_t size,
                   const Params *p, Value *out, int *obd) {
  if (size == 0) {
    /* no lane to run: the shape rule gives the per-lane result */
    Aval in[64], o;
    if (nin > 64) return jx_raisei(I, E_VALUE, "too many operands (%d)", nin);
    for (int i = 0; i < nin; i++) {
      if (val_aval(I, x[i], &in[i]) < 0) return -1;
      if (bd[i] >= 0) {
        for (int j = bd[i]; j < in[i].ndim - 1; j++) in[i].shape[j] = in[i].shape[j + 1];
        in[i].ndim--;
      }
    }
    if (!jx_prims[id].shape)
      return jx_raisei(I, E_VALUE, "vmap of %s over an empty batch is not supported",
                       jx_prims[id].name);
    if (jx_prims[id].shape(I, in, p, &o) < 0) return -1;
    if (o.ndim + 1 > JX_MAXDIM) return jx_raisei(I, E_SHAPE, "vmap: too many dimensions");
    for (int j = o.ndim; j > 0; j--) o.shape[j] = o.shape[j - 1];
    o.shape[0] = 0;
    o.ndim++;
    Value r = A_zeros(I, &o);
    if (IS_EXC(r)) return -1;
    *out = r;
    *obd = 0;
    return 0;
  }
  Value *res = jx_calloc(I, (size_t)size, sizeof(Value));
  Value *lane = jx_calloc(I, (size_t)(nin > 0 ? nin : 1), sizeof(Value));
  if (!res || !lane) {
    jx_free(res);
    jx_free(lane);
    return -1;
  }
  int64_t k;
  int rc = -1;
  for (k = 0; k < size; k++) {
    int i;
    for (i = 0; i < nin; i++) {
      lane[i] = bd[i] >= 0 ? take_lane(I, x[i], bd[i], k) : v_incref(x[i]);
      if (IS_EXC(lane[i])) break;
    }
    Value r = i == nin ? jx_bind(I, id, lane, p) : v_exc();
    for (int j = 0; j < i; j++) v_decref(lane[j]);
    if (!IS_EXC(r)) {
      Aval ra;
      Value e = v_exc();
      if (val_aval(I, r, &ra) == 0) {
        if (ra.ndim + 1 > JX_MAXDIM) {
          jx_raise(I, E_SHAPE, "vmap: too many dimensions");
        } else {
          int64_t shape[JX_MAXDIM];
          shape[0] = 1;
          memcpy(shape + 1, ra.shape, sizeof(int64_t) * (size_t)ra.ndim);
          e = A_reshape(I, r, ra.ndim + 1, shape);
        }
      }
      v_decref(r);
      r = e;
    }
    if (IS_EXC(r)) break;
    res[k] = r;
  }
  if (k == size) {
    Value r = cat_all(I, res, size);
    if (!IS_EXC(r)) {
      *out = r;
      *obd = 0;
      rc = 0;
    }
  } else {
    for (int64_t j = 0; j < k; j++) v_decref(res[j]);
  }
  jx_free(res);
  jx_free(lane);
  return rc;
}

/* ------------------------------------------------------------------ */
/* truth of a batched condition                                         */

static int elem_truth(Array *a, int64_t k) {
  switch ((DType)a->dtype) {
  case DT_BOOL: return ARR_B(a)[k] != 0;
  case DT_INT: return ARR_I(a)[k] != 0;
  case DT_FLOAT: return ARR_F(a)[k] != 0; /* nan is true, as in Python */
  }
  return 0;
}

int batch_truth(Interp *I, Tracer *t) {
  if (t->aval.ndim != 0) {
    char buf[256];
    size_t k = 0;
    buf[k++] = '(';
    for (int i = 0; i < t->aval.ndim && k < sizeof buf - 24; i++)
      k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%lld", i ? ", " : "",
                            (long long)t->aval.shape[i]);
    snprintf(buf + k, sizeof buf - k, "%s)", t->aval.ndim == 1 ? "," : "");
    return jx_raisei(I, E_TYPE,
                     "the truth value of an array of shape %s is ambiguous: use all(x) or any(x) "
                     "to reduce it, or & and | for elementwise logic (under vmap, each "
                     "example's condition must be a scalar)",
                     buf);
  }
  /* Strip JVP/VJP layers, and nested batch layers: every element of the
   * concrete value underneath is the condition of one lane. */
  Value v = ad_primal(t->a);
  while (v.tag == T_TRACER && AS_TRACER(v)->trace->kind == TK_BATCH) v = ad_primal(AS_TRACER(v)->a);
  if (v.tag == T_TRACER) return 2; /* staged: not known now */
  if (v.tag == T_BOOL || v.tag == T_INT) return v.u.i != 0;
  if (v.tag == T_FLOAT) return v.u.f != 0;
  if (v.tag != T_ARRAY)
    return jx_raisei(I, E_TYPE, "a condition must be a number or a bool, got %s", type_name(v));
  Array *a = AS_ARRAY(v);
  if (a->size == 0) return 0; /* no lane: nothing runs */
  int first = elem_truth(a, 0);
  for (int64_t k = 1; k < a->size; k++)
    if (elem_truth(a, k) != first) return 2;
  return first;
}
