/* lib_linalg.c — products and linear algebra: dot vdot matmul outer inner
 * tensordot trace diagonal diag, linalg.solve/inv/det/cholesky/slogdet
 * (linalg.norm lives with the reductions).
 *
 * Products are dot_general (with reshape/broadcast where numpy's rules
 * need them); decompositions are the linalg_* primitives.
 */
#include "lib_internal.h"

#include <string.h>

static Value not_aligned(Interp *I, const char *fname, const Aval *a, const Aval *b,
                         int64_t da, int64_t db) {
  char b1[LIB_SHBUF], b2[LIB_SHBUF];
  return jx_raise(I, E_SHAPE, "%s: shapes %s and %s not aligned: %lld (dim %lld) != %lld (dim %lld)",
                  fname, lib_shape_str(b1, a->ndim, a->shape),
                  lib_shape_str(b2, b->ndim, b->shape), (long long)a->shape[da], (long long)da,
                  (long long)b->shape[db], (long long)db);
}

static Value contract1(Interp *I, Value a, Value b, int64_t ca, int64_t cb) {
  return lib_dot_general(I, K(a), K(b), 1, &ca, &cb, 0, NULL, NULL);
}

Value lib_matmul(Interp *I, Value a, Value b) {
  const char *fname = "matmul";
  Aval A, B;
  if (lib_aval(I, a, fname, "a", &A) < 0 || lib_aval(I, b, fname, "b", &B) < 0) return v_exc();
  if (A.ndim == 0 || B.ndim == 0)
    return jx_raise(I, E_VALUE, "%s: operand %d is a scalar (0-d); use * to multiply by a scalar",
                    fname, A.ndim == 0 ? 0 : 1);
  int64_t ka = A.ndim - 1, kb = B.ndim == 1 ? 0 : B.ndim - 2;
  if (A.shape[ka] != B.shape[kb]) return not_aligned(I, fname, &A, &B, ka, kb);
  /* 1-d operands, and a 2-d right operand: one contraction, no batching */
  if (B.ndim <= 2 || A.ndim == 1) return contract1(I, a, b, ka, kb);
  /* batched: broadcast the leading dims, then batch dot_general */
  int nba = A.ndim - 2, nbb = B.ndim - 2, nb;
  int64_t bs[JX_MAXDIM];
  if (lib_bshape(I, fname, nba, A.shape, nbb, B.shape, &nb, bs) < 0) return v_exc();
  if (nb + 2 > JX_MAXDIM) return jx_raise(I, E_VALUE, "%s: too many dimensions", fname);
  int64_t sa[JX_MAXDIM], sb[JX_MAXDIM], batch[JX_MAXDIM];
  memcpy(sa, bs, sizeof(int64_t) * (size_t)nb);
  memcpy(sb, bs, sizeof(int64_t) * (size_t)nb);
  sa[nb] = A.shape[A.ndim - 2];
  sa[nb + 1] = A.shape[A.ndim - 1];
  sb[nb] = B.shape[B.ndim - 2];
  sb[nb + 1] = B.shape[B.ndim - 1];
  for (int k = 0; k < nb; k++) batch[k] = k;
  int64_t ca = nb + 1, cb = nb;
  return lib_dot_general(I, lib_bcast(I, K(a), nb + 2, sa), lib_bcast(I, K(b), nb + 2, sb), 1,
                         &ca, &cb, nb, batch, batch);
}

LIB_FN(bi_matmul) { return lib_matmul(I, args[0], args[1]); }

Value lib_dot(Interp *I, Value a, Value b) {
  Aval A, B;
  if (lib_aval(I, a, "dot", "a", &A) < 0 || lib_aval(I, b, "dot", "b", &B) < 0) return v_exc();
  if (A.ndim == 0 || B.ndim == 0) return lib_bin(I, P_mul, K(a), K(b));
  int64_t ka = A.ndim - 1, kb = B.ndim == 1 ? 0 : B.ndim - 2;
  if (A.shape[ka] != B.shape[kb]) return not_aligned(I, "dot", &A, &B, ka, kb);
  return contract1(I, a, b, ka, kb);
}

LIB_FN(bi_dot) { return lib_dot(I, args[0], args[1]); }

LIB_FN(bi_vdot) {
  Aval A, B;
  if (lib_aval(I, args[0], "vdot", "a", &A) < 0 || lib_aval(I, args[1], "vdot", "b", &B) < 0)
    return v_exc();
  int64_t na = lib_aval_size(&A), nb = lib_aval_size(&B);
  if (na != nb)
    return jx_raise(I, E_SHAPE, "vdot: vectors have different sizes (%lld and %lld)",
                    (long long)na, (long long)nb);
  int64_t c = 0;
  return lib_dot_general(I, lib_ravel(I, args[0]), lib_ravel(I, args[1]), 1, &c, &c, 0, NULL,
                         NULL);
}

LIB_FN(bi_inner) {
  Aval A, B;
  if (lib_aval(I, args[0], "inner", "a", &A) < 0 || lib_aval(I, args[1], "inner", "b", &B) < 0)
    return v_exc();
  if (A.ndim == 0 || B.ndim == 0) return lib_bin(I, P_mul, K(args[0]), K(args[1]));
  int64_t ka = A.ndim - 1, kb = B.ndim - 1;
  if (A.shape[ka] != B.shape[kb]) return not_aligned(I, "inner", &A, &B, ka, kb);
  return contract1(I, args[0], args[1], ka, kb);
}

LIB_FN(bi_outer) {
  Aval A, B;
  if (lib_aval(I, args[0], "outer", "a", &A) < 0 || lib_aval(I, args[1], "outer", "b", &B) < 0)
    return v_exc();
  int64_t sh[2] = {lib_aval_size(&A), 1};
  return lib_bin(I, P_mul, lib_reshape(I, K(args[0]), 2, sh), lib_ravel(I, args[1]));
}

LIB_FN(bi_tensordot) {
  Aval A, B;
  if (lib_aval(I, args[0], "tensordot", "a", &A) < 0 ||
      lib_aval(I, args[1], "tensordot", "b", &B) < 0)
    return v_exc();
  int n = 0;
  int64_t ca[JX_MAXDIM], cb[JX_MAXDIM];
  Value ax = args[2];
  if (ax.tag == T_INT) {
    if (ax.u.i < 0 || ax.u.i > A.ndim || ax.u.i > B.ndim)
      return jx_raise(I, E_VALUE, "tensordot: axes=%lld is out of range for shapes of "
                      "dimension %d and %d", (long long)ax.u.i, A.ndim, B.ndim);
    n = (int)ax.u.i;
    for (int k = 0; k < n; k++) {
      ca[k] = A.ndim - n + k;
      cb[k] = k;
    }
  } else if (ax.tag == T_TUPLE && AS_TUPLE(ax)->n == 2) {
    Value xa = AS_TUPLE(ax)->items[0], xb = AS_TUPLE(ax)->items[1];
    int nb2;
    bool all;
    if (lib_axes_arg(I, xa, A.ndim, "tensordot", "axes", false, &n, ca, &all) < 0 ||
        lib_axes_arg(I, xb, B.ndim, "tensordot", "axes", false, &nb2, cb, &all) < 0)
      return v_exc();
    if (n != nb2)
      return jx_raise(I, E_VALUE, "tensordot: the two axes lists have different lengths");
  } else {
    return jx_raise(I, E_TYPE, "tensordot: 'axes' must be an int or a pair of axis tuples");
  }
  for (int k = 0; k < n; k++)
    if (A.shape[ca[k]] != B.shape[cb[k]]) return not_aligned(I, "tensordot", &A, &B, ca[k], cb[k]);
  return lib_dot_general(I, K(args[0]), K(args[1]), n, ca, cb, 0, NULL, NULL);
}

/* ---- diagonal / trace / diag ---------------------------------------------- */

/* The diagonal of x along (axis1, axis2) as the last axis: move the two
 * axes to the end, flatten them, and take a strided slice. */
static Value diagonal(Interp *I, Value x, int64_t offset, Value ax1v, Value ax2v,
                      const char *fname) {
  Aval a;
  if (lib_aval(I, x, fname, "x", &a) < 0) return v_exc();
  if (a.ndim < 2)
    return jx_raise(I, E_VALUE, "%s: the array must be at least 2-d (got %d-d)", fname, a.ndim);
  int64_t a1, a2;
  if (lib_axis_arg(I, ax1v, a.ndim, fname, "axis1", &a1) < 0 ||
      lib_axis_arg(I, ax2v, a.ndim, fname, "axis2", &a2) < 0)
    return v_exc();
  if (a1 == a2) return jx_raise(I, E_VALUE, "%s: axis1 and axis2 cannot be the same", fname);
  int64_t perm[JX_MAXDIM], sh[JX_MAXDIM];
  int j = 0;
  for (int k = 0; k < a.ndim; k++)
    if (k != a1 && k != a2) {
      perm[j] = k;
      sh[j] = a.shape[k];
      j++;
    }
  perm[j] = a1;
  perm[j + 1] = a2;
  int64_t n = a.shape[a1], m = a.shape[a2];
  int64_t count, start;
  if (offset >= 0) {
    count = m - offset < n ? m - offset : n;
    start = offset;
  } else {
    count = n + offset < m ? n + offset : m;
    start = -offset * m;
  }
  if (count < 0) count = 0;
  sh[j] = n * m;
  Value r = lib_transpose(I, K(x), a.ndim, perm);
  r = lib_reshape(I, r, j + 1, sh);
  int64_t st[JX_MAXDIM], sp[JX_MAXDIM], step[JX_MAXDIM];
  for (int k = 0; k < j; k++) {
    st[k] = 0;
    sp[k] = sh[k];
    step[k] = 1;
  }
  if (count == 0) {
    st[j] = sp[j] = 0;
  } else {
    st[j] = start;
    sp[j] = start + (count - 1) * (m + 1) + 1;
  }
  step[j] = m + 1;
  return lib_slice(I, r, j + 1, st, sp, step);
}

LIB_FN(bi_diagonal) {
  int64_t off;
  if (lib_int_arg(I, args[1], "diagonal", "offset", &off) < 0) return v_exc();
  return diagonal(I, args[0], off, args[2], args[3], "diagonal");
}

LIB_FN(bi_trace) {
  int64_t off;
  if (lib_int_arg(I, args[1], "trace", "offset", &off) < 0) return v_exc();
  Value d = diagonal(I, args[0], off, args[2], args[3], "trace");
  if (IS_EXC(d)) return d;
  Aval a;
  if (val_aval(I, d, &a) < 0) {
    v_decref(d);
    return v_exc();
  }
  int64_t last = a.ndim - 1;
  return lib_reduce(I, P_reduce_sum, d, 1, &last);
}

/* diag(v, k): 1-d v -> matrix with v on diagonal k; 2-d -> its diagonal k. */
LIB_FN(bi_diag) {
  Aval a;
  int64_t k;
  if (lib_aval(I, args[0], "diag", "v", &a) < 0) return v_exc();
  if (lib_int_arg(I, args[1], "diag", "k", &k) < 0) return v_exc();
  if (a.ndim == 2) return diagonal(I, args[0], k, v_int(0), v_int(1), "diag");
  if (a.ndim != 1) return jx_raise(I, E_VALUE, "diag: input must be 1-d or 2-d");
  int64_t n = a.shape[0], ak = k < 0 ? -k : k, size = n + ak;
  /* v padded with size zeros between elements lands on the main diagonal
   * of a size x size matrix; the offset shifts it. */
  Params p = PARAMS_INIT;
  p.n = p.m = p.k = 1;
  int64_t total;
  if (__builtin_mul_overflow(size, size, &total))
    return jx_raise(I, E_VALUE, "diag: the result is too large");
  if (n == 0) {
    int64_t sh[2] = {size, size};
    Array *z = arr_zeros(I, (DType)a.dtype, 2, sh);
    return z ? arr_normalize(I, z) : v_exc();
  }
  int64_t first = k >= 0 ? k : -k * size;
  p.a[0] = first;
  p.c[0] = size;
  p.b[0] = total - first - (n + (n - 1) * size);
  Value r = jx_bind1(I, P_pad, args[0], &p);
  int64_t sh[2] = {size, size};
  return lib_reshape(I, r, 2, sh);
}

/* ---- linalg ------------------------------------------------------------------ */

static int check_square(Interp *I, const Aval *a, const char *fname) {
  if (a->ndim < 2)
    return jx_raisei(I, E_VALUE, "%s: %d-dimensional array given; the array must be at least "
                     "two-dimensional", fname, a->ndim);
  if (a->shape[a->ndim - 1] != a->shape[a->ndim - 2]) {
    char b[LIB_SHBUF];
    return jx_raisei(I, E_VALUE, "%s: last 2 dimensions of the array must be square (got shape %s)",
                     fname, lib_shape_str(b, a->ndim, a->shape));
  }
  return 0;
}

static Value la_unary(Interp *I, Value x, PrimId p, const char *fname) {
  Aval a;
  if (lib_aval(I, x, fname, "a", &a) < 0 || check_square(I, &a, fname) < 0) return v_exc();
  return lib_un(I, p, lib_to_float(I, K(x)));
}
LIB_FN(bi_inv) { return la_unary(I, args[0], P_la_inv, "linalg.inv"); }
LIB_FN(bi_det) { return la_unary(I, args[0], P_la_det, "linalg.det"); }
LIB_FN(bi_cholesky) { return la_unary(I, args[0], P_la_cholesky, "linalg.cholesky"); }

LIB_FN(bi_solve) {
  const char *fname = "linalg.solve";
  Aval A, B;
  if (lib_aval(I, args[0], fname, "a", &A) < 0 || lib_aval(I, args[1], fname, "b", &B) < 0)
    return v_exc();
  if (check_square(I, &A, fname) < 0) return v_exc();
  /* numpy 1.x: b is a (batch of) vector(s) when b.ndim == a.ndim - 1 */
  bool vec = B.ndim == 1 || B.ndim == A.ndim - 1;
  int64_t n = A.shape[A.ndim - 1];
  if (B.ndim == 0 || (vec ? B.shape[B.ndim - 1] : B.shape[B.ndim - 2]) != n) {
    char b1[LIB_SHBUF], b2[LIB_SHBUF];
    return jx_raise(I, E_SHAPE, "%s: incompatible shapes %s and %s (b must have %lld rows)", fname,
                    lib_shape_str(b1, A.ndim, A.shape), lib_shape_str(b2, B.ndim, B.shape),
                    (long long)n);
  }
  /* broadcast the batch dimensions together */
  int nba = A.ndim - 2, nbb = B.ndim - (vec ? 1 : 2), nb;
  int64_t bs[JX_MAXDIM];
  if (lib_bshape(I, fname, nba, A.shape, nbb, B.shape, &nb, bs) < 0) return v_exc();
  if (nb + 2 > JX_MAXDIM) return jx_raise(I, E_VALUE, "%s: too many dimensions", fname);
  int64_t sa[JX_MAXDIM], sb[JX_MAXDIM];
  memcpy(sa, bs, sizeof(int64_t) * (size_t)nb);
  memcpy(sb, bs, sizeof(int64_t) * (size_t)nb);
  sa[nb] = sa[nb + 1] = n;
  int nbd = nb + (vec ? 1 : 2);
  sb[nb] = n;
  if (!vec) sb[nb + 1] = B.shape[B.ndim - 1];
  Params p = PARAMS_INIT;
  p.i0 = vec ? 1 : 0;
  Value in[2] = {lib_bcast(I, lib_to_float(I, K(args[0])), nb + 2, sa),
                 lib_bcast(I, lib_to_float(I, K(args[1])), nbd, sb)};
  return lib_prim(I, P_la_solve, 2, in, &p);
}

/* slogdet via det: (sign, log|det|).  Fine for moderate sizes. */
LIB_FN(bi_slogdet) {
  Value d = la_unary(I, args[0], P_la_det, "linalg.slogdet");
  if (IS_EXC(d)) return d;
  Value s = lib_un(I, P_sign, K(d));
  Value l = lib_un(I, P_log, lib_un(I, P_abs, d));
  if (IS_EXC(s) || IS_EXC(l)) {
    if (!IS_EXC(s)) v_decref(s);
    if (!IS_EXC(l)) v_decref(l);
    return v_exc();
  }
  Value t = tuple_new(I, 2);
  if (IS_EXC(t)) {
    v_decref(s);
    v_decref(l);
    return t;
  }
  AS_TUPLE(t)->items[0] = s;
  AS_TUPLE(t)->items[1] = l;
  return t;
}
