/* lib_linalg.c — products and linear algebra: dot vdot matmul outer inner
 * tensordot trace diagonal diag, linalg.solve/inv/det/cholesky/slogdet
 * (linalg.norm lives with the reductions).
 *
 * Products are dot_general (with reshape/broadcast where numpy's rules
 * need them); decompositions are the linalg_* primitives.
 */
#include "lib_internal.h"
#include "../ad/api.h"

#include <stdio.h>
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

LIB_FN_TUPLIFIED(bi_tensordot, 1u << 2) {
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
  /* an offset past the matrix gives an empty diagonal (and must not overflow) */
  if (offset > m) offset = m;
  if (offset < -n) offset = -n;
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
  if (k > INT64_MAX - a.shape[0] || k < -(INT64_MAX - a.shape[0]))
    return jx_raise(I, E_VALUE, "diag: the result is too large");
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
LIB_FN(bi_cholesky) {
  /* like jnp.linalg.cholesky: factor the symmetric part (A + A^T) / 2, so
   * the gradient is symmetric, as JAX's */
  Aval a;
  if (lib_aval(I, args[0], "linalg.cholesky", "a", &a) < 0 ||
      check_square(I, &a, "linalg.cholesky") < 0)
    return v_exc();
  Value x = lib_to_float(I, v_incref(args[0])); /* consumes its argument */
  if (IS_EXC(x)) return x;
  int64_t perm[JX_MAXDIM];
  for (int i = 0; i < a.ndim; i++) perm[i] = i;
  perm[a.ndim - 2] = a.ndim - 1;
  perm[a.ndim - 1] = a.ndim - 2;
  Value xt = A_transpose(I, x, a.ndim, perm);
  Value s = A_add(I, x, xt);
  Value h = A_mul(I, s, v_float(0.5));
  v_decref(x);
  v_decref(xt);
  v_decref(s);
  if (IS_EXC(h)) return h;
  Value r = jx_bind1(I, P_la_cholesky, h, NULL);
  v_decref(h);
  return r;
}

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

/* ---- einsum ------------------------------------------------------------------
 * Subscripts are letters (and one "..." per operand, aligned from the
 * right across operands).  Repeated letters in one operand take a
 * diagonal; letters used by one operand only are summed first; then the
 * operands are contracted left to right with dot_general (a shared letter
 * is a batch dimension while the output or a later operand still needs
 * it, else it is contracted); the result is transposed into the output
 * order.  Size-1 dimensions broadcast against the letter's size. */

#define EIN_MAXOP 32
#define EIN_ELL 256 /* labels >= EIN_ELL: ellipsis dims, EIN_ELL + k from the right */

typedef struct {
  Value v;          /* owned */
  int n;            /* number of labels == ndim */
  int lab[JX_MAXDIM];
} EinOp;

static int ein_count(const EinOp *ops, int nops, int from, int label) {
  int c = 0;
  for (int i = from; i < nops; i++)
    for (int k = 0; k < ops[i].n; k++)
      if (ops[i].lab[k] == label) c++;
  return c;
}

static bool ein_in(const int *labs, int n, int label) {
  for (int k = 0; k < n; k++)
    if (labs[k] == label) return true;
  return false;
}

static const char *ein_name(int label, char *buf) {
  if (label >= EIN_ELL) snprintf(buf, 16, "...[%d]", label - EIN_ELL);
  else snprintf(buf, 16, "%c", (char)label);
  return buf;
}

/* parse one term into labels; ndim is the operand's (for the ellipsis) */
static int ein_term(Interp *I, const char *s, size_t len, int ndim, int *lab, int *n,
                    int *nell) {
  int k = 0, ell_at = -1, nexp = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '.') {
      if (ell_at >= 0 || i + 2 >= len + 0 || s[i + 1] != '.' || s[i + 2] != '.')
        return jx_raisei(I, E_VALUE, "einsum: invalid ellipsis in subscripts");
      ell_at = nexp;
      i += 2;
    } else if ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')) {
      nexp++;
    } else {
      return jx_raisei(I, E_VALUE, "einsum: invalid character '%c' in subscripts", s[i]);
    }
  }
  int ne = ndim >= 0 ? ndim - nexp : 0;
  if (ndim >= 0 && (ne < 0 || (ell_at < 0 && ne != 0)))
    return jx_raisei(I, E_VALUE, "einsum: subscripts '%.*s' give %d dimension(s) for an operand "
                     "with %d", (int)len, s, nexp, ndim);
  *nell = ell_at >= 0 ? (ndim >= 0 ? ne : -1) : 0;
  int seen = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '.') {
      i += 2;
      if (ndim >= 0)
        for (int e = ne - 1; e >= 0; e--) {
          if (k >= JX_MAXDIM) return jx_raisei(I, E_VALUE, "einsum: too many dimensions");
          lab[k++] = EIN_ELL + e;
        }
      else
        lab[k++] = -1; /* output: placeholder for all ellipsis dims */
      continue;
    }
    if (k >= JX_MAXDIM) return jx_raisei(I, E_VALUE, "einsum: too many dimensions");
    lab[k++] = (unsigned char)s[i];
    seen++;
  }
  *n = k;
  return 0;
}

LIB_FN(bi_einsum) {
  if (args[0].tag != T_STR)
    return jx_raise(I, E_TYPE, "einsum: 'subscripts' must be a string, not %s",
                    type_name(args[0]));
  Value opsv = args[1];
  int nops = opsv.tag == T_TUPLE ? (int)AS_TUPLE(opsv)->n : 0;
  if (nops == 0) return jx_raise(I, E_VALUE, "einsum: at least one operand is required");
  if (nops > EIN_MAXOP) return jx_raise(I, E_VALUE, "einsum: at most %d operands", EIN_MAXOP);
  /* subscripts without spaces */
  char spec[512];
  size_t sl = 0;
  for (const char *c = AS_STR(args[0])->s; *c; c++)
    if (*c != ' ') {
      if (sl + 1 >= sizeof spec) return jx_raise(I, E_VALUE, "einsum: subscripts too long");
      spec[sl++] = *c;
    }
  spec[sl] = 0;
  const char *arrow = strstr(spec, "->");
  size_t inlen = arrow ? (size_t)(arrow - spec) : sl;
  EinOp ops[EIN_MAXOP];
  int nready = 0;
  Value r = v_exc();
  int out[JX_MAXDIM + 1], nout = 0, maxell = 0;
  int64_t lsize[EIN_ELL + JX_MAXDIM];
  for (int k = 0; k < EIN_ELL + JX_MAXDIM; k++) lsize[k] = -1;
  /* operands and their labels */
  size_t pos = 0;
  for (int i = 0; i < nops; i++) {
    size_t end = pos;
    while (end < inlen && spec[end] != ',') end++;
    if (end == inlen && i < nops - 1) {
      jx_raise(I, E_VALUE, "einsum: %d operands given but the subscripts name fewer", nops);
      goto done;
    }
    Value x = AS_TUPLE(opsv)->items[i];
    Aval a;
    if (lib_aval(I, x, "einsum", "operands", &a) < 0) goto done;
    int nell;
    if (ein_term(I, spec + pos, end - pos, a.ndim, ops[i].lab, &ops[i].n, &nell) < 0) goto done;
    if (nell > maxell) maxell = nell;
    for (int k = 0; k < a.ndim; k++) {
      int l = ops[i].lab[k];
      if (lsize[l] < 0 || lsize[l] == 1) lsize[l] = a.shape[k];
      else if (a.shape[k] != 1 && a.shape[k] != lsize[l]) {
        char nb[16];
        jx_raise(I, E_SHAPE, "einsum: operands disagree on the size of '%s' (%lld vs %lld)",
                 ein_name(l, nb), (long long)lsize[l], (long long)a.shape[k]);
        goto done;
      }
    }
    ops[i].v = K(x);
    nready = i + 1;
    pos = end + 1;
  }
  if (pos <= inlen) {
    jx_raise(I, E_VALUE, "einsum: the subscripts name more operands than the %d given", nops);
    goto done;
  }
  /* output labels */
  if (arrow) {
    int tmp[JX_MAXDIM + 1], nt, ne;
    if (ein_term(I, arrow + 2, strlen(arrow + 2), -1, tmp, &nt, &ne) < 0) goto done;
    for (int k = 0; k < nt; k++) {
      if (tmp[k] == -1) {
        for (int e = maxell - 1; e >= 0; e--) out[nout++] = EIN_ELL + e;
      } else {
        if (lsize[tmp[k]] < 0) {
          jx_raise(I, E_VALUE, "einsum: output subscript '%c' does not appear in the inputs",
                   (char)tmp[k]);
          goto done;
        }
        if (ein_in(out, nout, tmp[k])) {
          jx_raise(I, E_VALUE, "einsum: output subscript '%c' appears more than once", (char)tmp[k]);
          goto done;
        }
        out[nout++] = tmp[k];
      }
      if (nout > JX_MAXDIM) {
        jx_raise(I, E_VALUE, "einsum: too many output dimensions");
        goto done;
      }
    }
    if (maxell > 0 && !ein_in(tmp, nt, -1))
      for (int e = 0; e < maxell; e++)
        if (lsize[EIN_ELL + e] > 1) {
          jx_raise(I, E_VALUE, "einsum: output has no '...' for the operands' ellipsis dims");
          goto done;
        }
  } else {
    for (int e = maxell - 1; e >= 0; e--) out[nout++] = EIN_ELL + e;
    for (int l = 'A'; l <= 'z'; l++)
      if (lsize[l] >= 0 && ein_count(ops, nops, 0, l) == 1) {
        if (nout >= JX_MAXDIM) {
          jx_raise(I, E_VALUE, "einsum: too many output dimensions");
          goto done;
        }
        out[nout++] = l;
      }
  }
  /* broadcast size-1 dims, take diagonals of repeated labels */
  for (int i = 0; i < nops; i++) {
    EinOp *o = &ops[i];
    int64_t sh[JX_MAXDIM];
    bool need = false;
    Aval a;
    if (val_aval(I, o->v, &a) < 0) goto done;
    for (int k = 0; k < o->n; k++) {
      sh[k] = lsize[o->lab[k]];
      if (a.shape[k] != sh[k]) need = true;
    }
    if (need) {
      o->v = lib_bcast(I, o->v, o->n, sh);
      if (IS_EXC(o->v)) {
        o->v = v_none();
        goto done;
      }
    }
    for (;;) {
      int a1 = -1, a2 = -1;
      for (int k = 0; k < o->n && a1 < 0; k++)
        for (int j = k + 1; j < o->n; j++)
          if (o->lab[k] == o->lab[j]) {
            a1 = k;
            a2 = j;
            break;
          }
      if (a1 < 0) break;
      int lab = o->lab[a1];
      Value d = diagonal(I, o->v, 0, v_int(a1), v_int(a2), "einsum");
      if (IS_EXC(d)) goto done;
      v_decref(o->v);
      o->v = d;
      int j = 0;
      for (int k = 0; k < o->n; k++)
        if (k != a1 && k != a2) o->lab[j++] = o->lab[k];
      o->lab[j++] = lab;
      o->n = j;
    }
  }
  /* sum labels used by one operand only and not in the output */
  for (int i = 0; i < nops; i++) {
    EinOp *o = &ops[i];
    int64_t axes[JX_MAXDIM];
    int na = 0, j = 0;
    int keep[JX_MAXDIM];
    for (int k = 0; k < o->n; k++) {
      int l = o->lab[k];
      if (!ein_in(out, nout, l) && ein_count(ops, nops, 0, l) == 1) axes[na++] = k;
      else keep[j++] = l;
    }
    if (na) {
      o->v = lib_reduce(I, P_reduce_sum, o->v, na, axes);
      if (IS_EXC(o->v)) {
        o->v = v_none();
        goto done;
      }
      memcpy(o->lab, keep, sizeof(int) * (size_t)j);
      o->n = j;
    }
  }
  /* contract left to right */
  for (int i = 1; i < nops; i++) {
    EinOp *a = &ops[0], *b = &ops[i];
    int64_t ca[JX_MAXDIM], cb[JX_MAXDIM], ba[JX_MAXDIM], bb[JX_MAXDIM];
    int nc = 0, nb = 0, lab[3 * JX_MAXDIM], nl = 0;
    for (int k = 0; k < a->n; k++) {
      int l = a->lab[k];
      for (int j = 0; j < b->n; j++)
        if (b->lab[j] == l) {
          bool later = ein_in(out, nout, l) || ein_count(ops, nops, i + 1, l) > 0;
          if (later) {
            ba[nb] = k;
            bb[nb++] = j;
            lab[nl++] = l;
          } else {
            ca[nc] = k;
            cb[nc++] = j;
          }
        }
    }
    for (int k = 0; k < a->n; k++)
      if (!ein_in(b->lab, b->n, a->lab[k])) lab[nl++] = a->lab[k];
    for (int j = 0; j < b->n; j++)
      if (!ein_in(a->lab, a->n, b->lab[j])) lab[nl++] = b->lab[j];
    if (nl > JX_MAXDIM) {
      jx_raise(I, E_VALUE, "einsum: intermediate result has too many dimensions");
      goto done;
    }
    Value c = lib_dot_general(I, a->v, b->v, nc, ca, cb, nb, ba, bb);
    a->v = v_none();
    b->v = v_none();
    if (IS_EXC(c)) goto done;
    a->v = c;
    memcpy(a->lab, lab, sizeof(int) * (size_t)nl);
    a->n = nl;
  }
  {
    /* leftover labels (not in the output) are summed, then transpose */
    EinOp *o = &ops[0];
    int64_t axes[JX_MAXDIM];
    int na = 0, j = 0, keep[JX_MAXDIM];
    for (int k = 0; k < o->n; k++) {
      if (!ein_in(out, nout, o->lab[k])) axes[na++] = k;
      else keep[j++] = o->lab[k];
    }
    Value v = o->v;
    o->v = v_none();
    if (na) {
      v = lib_reduce(I, P_reduce_sum, v, na, axes);
      if (IS_EXC(v)) goto done;
    }
    int64_t perm[JX_MAXDIM];
    for (int q = 0; q < nout; q++)
      for (int k = 0; k < j; k++)
        if (keep[k] == out[q]) perm[q] = k;
    r = lib_transpose(I, v, nout, perm);
  }
done:
  for (int i = 0; i < nready; i++) v_decref(ops[i].v);
  return r;
}
