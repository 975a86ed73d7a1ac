/* prims_linalg.c — impl_/shape_ for dot_general and the LAPACK-backed
 * primitives (linalg_solve, linalg_inv, linalg_det, linalg_cholesky,
 * triangular_solve) over leading batch axes.
 *
 * dot_general arranges its operands as batched (B, M, K) x (B, K, N)
 * products — using BLAS transpose flags instead of copies where the
 * layout allows — and calls dgemm (dgemv / ddot for vector shapes) per
 * batch; int64 operands use a plain loop.  LAPACK works column-major: a
 * row-major buffer is the transpose, which each routine accounts for.
 */
#include "arr_internal.h"
#include "blas.h"

static const Params P0;
#define PRM(p) ((p) ? (p) : &P0)

/* ------------------------------------------------------------------ */
/* dot_general                                                         */

typedef struct {
  int64_t B, M, N, K;
  int nb, nc;
  int64_t pa[JX_MAXDIM]; /* a's dims in (batch, free, contract) order */
  int64_t pb[JX_MAXDIM]; /* b's dims in (batch, contract, free) order */
  int fa, fb;            /* number of free dims */
} DgGeom;

static int dg_check(Interp *I, const Aval *a, const Aval *b, const Params *p, Aval *out,
                    DgGeom *g) {
  char s1[SHBUF], s2[SHBUF];
  if (p->n != p->m || p->n < 0 || p->k < 0)
    return jx_raisei(I, E_VALUE, "dot_general: %d contracting dims for the left operand but %d "
                     "for the right", p->n, p->m);
  bool ua[JX_MAXDIM] = {false}, ub[JX_MAXDIM] = {false};
  for (int i = 0; i < p->n + p->k; i++) {
    int64_t da = i < p->n ? p->a[i] : p->c[i - p->n];
    int64_t db = i < p->n ? p->b[i] : p->d[i - p->n];
    if (da < 0 || da >= a->ndim || db < 0 || db >= b->ndim || ua[da] || ub[db])
      return jx_raisei(I, E_VALUE, "dot_general: bad or repeated dimension numbers for shapes "
                       "%s @ %s", shape_str(s1, a->ndim, a->shape), shape_str(s2, b->ndim, b->shape));
    ua[da] = ub[db] = true;
    if (a->shape[da] != b->shape[db])
      return jx_raisei(I, E_SHAPE, "dot_general: %s dimensions mismatch: %s @ %s",
                       i < p->n ? "contracting" : "batch", shape_str(s1, a->ndim, a->shape),
                       shape_str(s2, b->ndim, b->shape));
  }
  g->nb = p->k;
  g->nc = p->n;
  g->B = g->M = g->N = g->K = 1;
  int na = 0, nbp = 0;
  out->ndim = 0;
  for (int i = 0; i < p->k; i++) {
    g->pa[na++] = p->c[i];
    g->pb[nbp++] = p->d[i];
    g->B *= a->shape[p->c[i]];
    out->shape[out->ndim++] = a->shape[p->c[i]];
  }
  g->fa = 0;
  for (int d = 0; d < a->ndim; d++)
    if (!ua[d]) {
      g->pa[na++] = d;
      g->M *= a->shape[d];
      g->fa++;
      out->shape[out->ndim++] = a->shape[d];
    }
  for (int i = 0; i < p->n; i++) {
    g->pa[na++] = p->a[i];
    g->pb[nbp++] = p->b[i];
    g->K *= a->shape[p->a[i]];
  }
  g->fb = 0;
  for (int d = 0; d < b->ndim; d++)
    if (!ub[d]) {
      if (out->ndim >= JX_MAXDIM)
        return jx_raisei(I, E_SHAPE, "dot_general: result would have more than %d dimensions",
                         JX_MAXDIM);
      g->pb[nbp++] = d;
      g->N *= b->shape[d];
      g->fb++;
      out->shape[out->ndim++] = b->shape[d];
    }
  out->dtype = dtype_promote((DType)a->dtype, (DType)b->dtype);
  return check_out_shape(I, "dot_general", out->ndim, out->shape);
}

int shape_dot_general(Interp *I, const Aval *in, const Params *p, Aval *out) {
  DgGeom g;
  return dg_check(I, &in[0], &in[1], PRM(p), out, &g);
}

static bool is_ident(int n, const int64_t *perm) {
  for (int i = 0; i < n; i++)
    if (perm[i] != i) return false;
  return true;
}

/* Arrange operand x (dims in 'perm' order is wanted) as a buffer: either
 * x itself (*trans = false), x itself read transposed (alt order, *trans =
 * true) or a permuted copy (owned in *tmp). */
static const double *dg_layout(Interp *I, const Opnd *x, const int64_t *perm, int nlead,
                               int nmid, Array **tmp, bool *trans) {
  int nd = x->ndim;
  *tmp = NULL;
  *trans = false;
  if (is_ident(nd, perm)) return x->data;
  /* alternative: lead dims, then the last group, then the middle group */
  int64_t alt[JX_MAXDIM];
  int k = 0;
  for (int i = 0; i < nlead; i++) alt[k++] = perm[i];
  for (int i = nlead + nmid; i < nd; i++) alt[k++] = perm[i];
  for (int i = nlead; i < nlead + nmid; i++) alt[k++] = perm[i];
  if (is_ident(nd, alt)) {
    *trans = true;
    return x->data;
  }
  int64_t sh[JX_MAXDIM], st[JX_MAXDIM], xst[JX_MAXDIM];
  contig_strides(nd, x->shape, xst);
  for (int i = 0; i < nd; i++) {
    sh[i] = x->shape[perm[i]];
    st[i] = xst[perm[i]];
  }
  Array *t = arr_alloc(I, (DType)x->dt, nd, sh);
  if (!t) return NULL;
  strided_copy(dtype_size((DType)x->dt), nd, sh, x->data, st, t->data);
  *tmp = t;
  return t->data;
}

/* Row panels of a big product, so that Ctrl-C (I->interrupted) stops it
 * between two BLAS calls: about 2^26 multiply-adds per call. */
#define DG_PANEL_MACS ((int64_t)1 << 28) /* ~10-30 ms of dgemm: Ctrl-C latency vs re-packing B per panel */

/* 0, or -1 with Interrupted raised. */
static int dg_float(Interp *I, const DgGeom *g, const double *A, bool ta, const double *Bm,
                    bool tb, double *C) {
  int64_t M = g->M, N = g->N, K = g->K;
  int64_t lda = ta ? M : K, ldb = tb ? K : N;
  for (int64_t b = 0; b < g->B; b++) {
    const double *a = A + b * M * K, *bb = Bm + b * K * N;
    double *c = C + b * M * N;
    if (K == 1) {
      /* outer products (e.g. the per-example gradients of vmap(grad)) */
      for (int64_t i = 0; i < M; i++) {
        const double ai = ta ? a[i] : a[i * lda];
        double *ci = c + i * N;
        if (!tb)
          for (int64_t j = 0; j < N; j++) ci[j] = ai * bb[j];
        else
          for (int64_t j = 0; j < N; j++) ci[j] = ai * bb[j * ldb];
      }
    } else if (M * N * K <= 512 && !(M == 1 && N == 1)) {
      /* tiny products (e.g. the per-example outer products of vmap(grad)):
       * a plain loop beats the BLAS call overhead */
      for (int64_t i = 0; i < M; i++)
        for (int64_t j = 0; j < N; j++) {
          double acc = 0.0;
          for (int64_t k = 0; k < K; k++)
            acc += (ta ? a[k * lda + i] : a[i * lda + k]) * (tb ? bb[j * ldb + k] : bb[k * ldb + j]);
          c[i * N + j] = acc;
        }
    } else if (M == 1 && N == 1) {
      c[0] = blas_dot(K, a, bb);
    } else if (M == 1) {
      if (!tb) blas_gemv(true, K, N, bb, ldb, a, c);
      else blas_gemv(false, N, K, bb, ldb, a, c);
    } else if (N == 1) {
      if (!ta) blas_gemv(false, M, K, a, lda, bb, c);
      else blas_gemv(true, K, M, a, lda, bb, c);
    } else if (M * N * K <= 4 * DG_PANEL_MACS) {
      blas_gemm(ta, tb, M, N, K, a, lda, bb, ldb, c, N);
    } else {
      int64_t rows = DG_PANEL_MACS / (N * K);
      if (rows < 64) rows = 64;
      for (int64_t i0 = 0; i0 < M; i0 += rows) {
        if (jx_check_interrupt(I) < 0) return -1;
        int64_t m = M - i0 < rows ? M - i0 : rows;
        blas_gemm(ta, tb, m, N, K, ta ? a + i0 : a + i0 * lda, lda, bb, ldb, c + i0 * N, N);
      }
    }
    if (g->B > 1 && jx_check_interrupt(I) < 0) return -1;
  }
  return 0;
}

static void dg_int(const DgGeom *g, const int64_t *A, const int64_t *Bm, int64_t *C) {
  int64_t M = g->M, N = g->N, K = g->K;
  for (int64_t b = 0; b < g->B; b++) {
    const int64_t *a = A + b * M * K, *bb = Bm + b * K * N;
    int64_t *c = C + b * M * N;
    memset(c, 0, (size_t)(M * N) * sizeof(int64_t));
    for (int64_t i = 0; i < M; i++)
      for (int64_t k = 0; k < K; k++) {
        int64_t aik = a[i * K + k];
        if (!aik) continue;
        const int64_t *brow = bb + k * N;
        int64_t *crow = c + i * N;
        for (int64_t j = 0; j < N; j++) crow[j] = iwrap_add(crow[j], iwrap_mul(aik, brow[j]));
      }
  }
}

Value impl_dot_general(Interp *I, const Value *in, const Params *p) {
  p = PRM(p);
  Opnd a, b;
  if (opnd_get(I, in[0], &a, "dot_general") < 0 || opnd_get(I, in[1], &b, "dot_general") < 0)
    return v_exc();
  Aval aa, ba, oa;
  opnd_aval(&a, &aa);
  opnd_aval(&b, &ba);
  DgGeom g;
  if (dg_check(I, &aa, &ba, p, &oa, &g) < 0) return v_exc();
  DType odt = (DType)oa.dtype;
  DType cdt = odt == DT_FLOAT ? DT_FLOAT : DT_INT;
  if (cdt == DT_FLOAT && !blas_dims_ok(g.M, g.N, g.K))
    return jx_raise(I, E_VALUE, "dot_general: dimensions too large for BLAS");
  Value res = v_exc();
  Array *ta = NULL, *tb = NULL, *r = NULL;
  if (opnd_cast(I, &a, cdt) < 0 || opnd_cast(I, &b, cdt) < 0) goto done;
  r = arr_alloc(I, cdt, oa.ndim, oa.shape);
  if (!r) goto done;
  if (r->size > 0) {
    if (g.K == 0 || a.size == 0 || b.size == 0) {
      memset(r->data, 0, (size_t)r->size * 8);
    } else if (cdt == DT_FLOAT) {
      bool tra, trb;
      const double *A = dg_layout(I, &a, g.pa, g.nb, g.fa, &ta, &tra);
      if (!A) goto done;
      const double *Bm = dg_layout(I, &b, g.pb, g.nb, g.nc, &tb, &trb);
      if (!Bm) goto done;
      if (dg_float(I, &g, A, tra, Bm, trb, ARR_F(r)) < 0) goto done;
    } else {
      bool tra, trb;
      const double *A = dg_layout(I, &a, g.pa, g.nb, g.fa, &ta, &tra);
      if (!A) goto done;
      if (tra) { /* ints: always a plain (B, M, K) copy */
        int64_t sh[JX_MAXDIM], st[JX_MAXDIM], xst[JX_MAXDIM];
        contig_strides(a.ndim, a.shape, xst);
        for (int i = 0; i < a.ndim; i++) sh[i] = a.shape[g.pa[i]], st[i] = xst[g.pa[i]];
        ta = arr_alloc(I, DT_INT, a.ndim, sh);
        if (!ta) goto done;
        strided_copy(8, a.ndim, sh, a.data, st, ta->data);
        A = ta->data;
      }
      const double *Bm = dg_layout(I, &b, g.pb, g.nb, g.nc, &tb, &trb);
      if (!Bm) goto done;
      if (trb) {
        int64_t sh[JX_MAXDIM], st[JX_MAXDIM], xst[JX_MAXDIM];
        contig_strides(b.ndim, b.shape, xst);
        for (int i = 0; i < b.ndim; i++) sh[i] = b.shape[g.pb[i]], st[i] = xst[g.pb[i]];
        tb = arr_alloc(I, DT_INT, b.ndim, sh);
        if (!tb) goto done;
        strided_copy(8, b.ndim, sh, b.data, st, tb->data);
        Bm = tb->data;
      }
      dg_int(&g, (const int64_t *)A, (const int64_t *)Bm, ARR_I(r));
    }
  }
  if (odt == DT_BOOL) {
    Array *rb = arr_alloc(I, DT_BOOL, oa.ndim, oa.shape);
    if (!rb) goto done;
    conv_buf(DT_INT, r->data, DT_BOOL, rb->data, r->size);
    v_decref(v_obj(&r->hdr));
    r = rb;
  }
  res = arr_normalize(I, r);
  r = NULL;
done:
  if (r) v_decref(v_obj(&r->hdr));
  if (ta) v_decref(v_obj(&ta->hdr));
  if (tb) v_decref(v_obj(&tb->hdr));
  opnd_release(&a);
  opnd_release(&b);
  return res;
}

/* ------------------------------------------------------------------ */
/* LAPACK helpers                                                      */

static int check_square(Interp *I, const char *what, const Aval *a) {
  char s[SHBUF];
  if (a->ndim < 2 || a->shape[a->ndim - 1] != a->shape[a->ndim - 2])
    return jx_raisei(I, E_SHAPE, "%s: expected a square matrix (or a stack of them), got shape %s",
                     what, shape_str(s, a->ndim, a->shape));
  if (a->shape[a->ndim - 1] > 46340)
    return jx_raisei(I, E_VALUE, "%s: matrix too large for LAPACK", what);
  return 0;
}

/* Batch iteration over broadcast leading dims of two operands. */
typedef struct {
  int nb;
  int64_t shape[JX_MAXDIM], sa[JX_MAXDIM], sb[JX_MAXDIM];
  int64_t count;
} BatchIt;

static void batch_offsets(const BatchIt *it, int64_t t, int64_t *oa, int64_t *ob) {
  int64_t a = 0, b = 0;
  for (int d = it->nb - 1; d >= 0; d--) {
    int64_t i = t % it->shape[d];
    t /= it->shape[d];
    a += i * it->sa[d];
    b += i * it->sb[d];
  }
  *oa = a;
  *ob = b;
}

/* a (..., n, n) with b (..., n[, k]): broadcast batch shapes. */
static int la_rhs_geom(Interp *I, const char *what, const Aval *a, const Aval *b, bool vec,
                       Aval *out, BatchIt *it) {
  if (check_square(I, what, a) < 0) return -1;
  int64_t n = a->shape[a->ndim - 1];
  int bcore = vec ? 1 : 2;
  char s1[SHBUF], s2[SHBUF];
  if (b->ndim < bcore || b->shape[b->ndim - bcore] != n)
    return jx_raisei(I, E_SHAPE, "%s: incompatible shapes %s and %s", what,
                     shape_str(s1, a->ndim, a->shape), shape_str(s2, b->ndim, b->shape));
  int na = a->ndim - 2, nbb = b->ndim - bcore;
  int nb;
  int64_t bs[JX_MAXDIM];
  if (bcast_shapes(I, na, a->shape, nbb, b->shape, &nb, bs) < 0) return -1;
  it->nb = nb;
  memcpy(it->shape, bs, sizeof(int64_t) * (size_t)nb);
  bcast_strides(na, a->shape, nb, bs, it->sa);
  bcast_strides(nbb, b->shape, nb, bs, it->sb);
  it->count = shape_prod(nb, bs);
  out->dtype = DT_FLOAT;
  out->ndim = nb + bcore;
  memcpy(out->shape, bs, sizeof(int64_t) * (size_t)nb);
  out->shape[nb] = n;
  if (!vec) out->shape[nb + 1] = b->shape[b->ndim - 1];
  return check_out_shape(I, what, out->ndim, out->shape);
}

static bool tri_vec(const Aval *a, const Aval *b) { return b->ndim == a->ndim - 1; }

int shape_la_solve(Interp *I, const Aval *in, const Params *p, Aval *out) {
  BatchIt it;
  return la_rhs_geom(I, "linalg_solve", &in[0], &in[1], PRM(p)->i0 == 1, out, &it);
}

int shape_la_triangular_solve(Interp *I, const Aval *in, const Params *p, Aval *out) {
  BatchIt it;
  (void)p;
  return la_rhs_geom(I, "triangular_solve", &in[0], &in[1], tri_vec(&in[0], &in[1]), out, &it);
}

/* Solve for each batch: kind 0 = general (LU), 1 = triangular. */
static Value la_rhs_apply(Interp *I, const Value *in, const Params *p, int kind) {
  const char *what = kind ? "triangular_solve" : "linalg_solve";
  Opnd a, b;
  if (opnd_get(I, in[0], &a, what) < 0 || opnd_get(I, in[1], &b, what) < 0) return v_exc();
  Aval aa, ba, oa;
  opnd_aval(&a, &aa);
  opnd_aval(&b, &ba);
  bool vec = kind ? tri_vec(&aa, &ba) : p->i0 == 1;
  BatchIt it;
  if (la_rhs_geom(I, what, &aa, &ba, vec, &oa, &it) < 0) return v_exc();
  int n = (int)aa.shape[aa.ndim - 1];
  int k = vec ? 1 : (int)ba.shape[ba.ndim - 1];
  Value res = v_exc();
  Array *r = NULL;
  double *work = NULL;
  int *ipiv = NULL;
  if (opnd_cast(I, &a, DT_FLOAT) < 0 || opnd_cast(I, &b, DT_FLOAT) < 0) goto done;
  r = arr_alloc(I, DT_FLOAT, oa.ndim, oa.shape);
  if (!r) goto done;
  if (r->size == 0) goto ok;
  size_t nn = (size_t)n * (size_t)n, nk = (size_t)n * (size_t)k;
  work = jx_malloc(I, (nn + nk) * sizeof(double));
  ipiv = jx_malloc(I, (size_t)(n ? n : 1) * sizeof(int));
  if (!work || !ipiv) goto done;
  double *W = work, *X = work + nn;
  for (int64_t t = 0; t < it.count; t++) {
    int64_t oa_, ob_;
    batch_offsets(&it, t, &oa_, &ob_);
    const double *A = (const double *)a.data + oa_ * (int64_t)nn;
    const double *Bv = (const double *)b.data + ob_ * (int64_t)nk;
    double *out = ARR_F(r) + t * (int64_t)nk;
    memcpy(W, A, nn * sizeof(double)); /* = A^T column-major */
    /* rhs to column-major (n, k) */
    for (int i = 0; i < n; i++)
      for (int j = 0; j < k; j++) X[(size_t)j * n + i] = Bv[(size_t)i * k + j];
    int info;
    if (kind == 0) {
      info = lapack_getrf(n, W, ipiv);
      if (info > 0) {
        jx_raise(I, E_VALUE, "%s: singular matrix", what);
        goto done;
      }
      info = lapack_getrs('T', n, k, W, ipiv, X);
    } else {
      bool lower = p->i0 == 1, transa = p->i1 == 1;
      info = lapack_trtrs(lower ? 'U' : 'L', transa ? 'N' : 'T', n, k, W, X);
      if (info > 0) {
        jx_raise(I, E_VALUE, "%s: singular matrix", what);
        goto done;
      }
    }
    if (info < 0) {
      jx_raise(I, E_VALUE, "%s: LAPACK argument error %d", what, info);
      goto done;
    }
    for (int i = 0; i < n; i++)
      for (int j = 0; j < k; j++) out[(size_t)i * k + j] = X[(size_t)j * n + i];
  }
ok:
  res = arr_normalize(I, r);
  r = NULL;
done:
  if (r) v_decref(v_obj(&r->hdr));
  jx_free(work);
  jx_free(ipiv);
  opnd_release(&a);
  opnd_release(&b);
  return res;
}

Value impl_la_solve(Interp *I, const Value *in, const Params *p) {
  return la_rhs_apply(I, in, PRM(p), 0);
}
Value impl_la_triangular_solve(Interp *I, const Value *in, const Params *p) {
  return la_rhs_apply(I, in, PRM(p), 1);
}

/* ---- single-matrix routines: inv, det, cholesky ---- */
typedef enum { LA_INV, LA_DET, LA_CHOL } LaOp;
static const char *la_name(LaOp op) {
  return op == LA_INV ? "linalg_inv" : op == LA_DET ? "linalg_det" : "linalg_cholesky";
}

static int la_mat_shape(Interp *I, LaOp op, const Aval *in, Aval *out) {
  if (check_square(I, la_name(op), in) < 0) return -1;
  *out = *in;
  out->dtype = DT_FLOAT;
  if (op == LA_DET) out->ndim -= 2;
  return 0;
}

int shape_la_inv(Interp *I, const Aval *in, const Params *p, Aval *out) {
  (void)p;
  return la_mat_shape(I, LA_INV, in, out);
}
int shape_la_det(Interp *I, const Aval *in, const Params *p, Aval *out) {
  (void)p;
  return la_mat_shape(I, LA_DET, in, out);
}
int shape_la_cholesky(Interp *I, const Aval *in, const Params *p, Aval *out) {
  (void)p;
  return la_mat_shape(I, LA_CHOL, in, out);
}

static Value la_mat_apply(Interp *I, const Value *in, LaOp op) {
  const char *what = la_name(op);
  Opnd a;
  if (opnd_get(I, in[0], &a, what) < 0) return v_exc();
  Aval aa, oa;
  opnd_aval(&a, &aa);
  if (la_mat_shape(I, op, &aa, &oa) < 0) return v_exc();
  int n = (int)aa.shape[aa.ndim - 1];
  int64_t count = shape_prod(aa.ndim - 2, aa.shape);
  size_t nn = (size_t)n * (size_t)n;
  Value res = v_exc();
  Array *r = NULL;
  double *work = NULL;
  int *ipiv = NULL;
  if (opnd_cast(I, &a, DT_FLOAT) < 0) goto done;
  r = arr_alloc(I, DT_FLOAT, oa.ndim, oa.shape);
  if (!r) goto done;
  if (count == 0) goto ok;
  if (n == 0) {
    if (op == LA_DET)
      for (int64_t t = 0; t < count; t++) ARR_F(r)[t] = 1.0;
    goto ok;
  }
  int lwork = n * 64;
  work = jx_malloc(I, (nn + (size_t)lwork) * sizeof(double));
  ipiv = jx_malloc(I, (size_t)n * sizeof(int));
  if (!work || !ipiv) goto done;
  for (int64_t t = 0; t < count; t++) {
    const double *A = (const double *)a.data + t * (int64_t)nn;
    double *W = op == LA_DET ? work : ARR_F(r) + t * (int64_t)nn;
    memcpy(W, A, nn * sizeof(double));
    if (op == LA_CHOL) {
      int info = lapack_potrf('U', n, W);
      if (info > 0) {
        jx_raise(I, E_VALUE, "%s: matrix is not positive definite", what);
        goto done;
      }
      for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) W[(size_t)i * n + j] = 0.0;
      continue;
    }
    int info = lapack_getrf(n, W, ipiv);
    if (op == LA_DET) {
      double d = 1.0;
      for (int i = 0; i < n; i++) {
        d *= W[(size_t)i * n + i];
        if (ipiv[i] != i + 1) d = -d;
      }
      ARR_F(r)[t] = d;
      continue;
    }
    if (info > 0) {
      jx_raise(I, E_VALUE, "%s: singular matrix", what);
      goto done;
    }
    info = lapack_getri(n, W, ipiv, work + nn, lwork);
    if (info != 0) {
      jx_raise(I, E_VALUE, "%s: singular matrix", what);
      goto done;
    }
  }
ok:
  res = arr_normalize(I, r);
  r = NULL;
done:
  if (r) v_decref(v_obj(&r->hdr));
  jx_free(work);
  jx_free(ipiv);
  opnd_release(&a);
  return res;
}

Value impl_la_inv(Interp *I, const Value *in, const Params *p) {
  (void)p;
  return la_mat_apply(I, in, LA_INV);
}
Value impl_la_det(Interp *I, const Value *in, const Params *p) {
  (void)p;
  return la_mat_apply(I, in, LA_DET);
}
Value impl_la_cholesky(Interp *I, const Value *in, const Params *p) {
  (void)p;
  return la_mat_apply(I, in, LA_CHOL);
}
