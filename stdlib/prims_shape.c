/* prims_shape.c — impl_/shape_ for the shape primitives: broadcast_in_dim,
 * reshape, transpose, slice, pad, rev, concatenate, gather, scatter_add
 * and scatter.
 *
 * reshape and contiguous slices (e.g. rows x[i], x[2:5]) return views that
 * share the input's buffer; everything else copies through strided_copy
 * (which tiles transposes).
 */
#include "arr_internal.h"

#pragma GCC optimize("O3")

static const Params P0;
#define PRM(p) ((p) ? (p) : &P0)

static Value numeric_only(Interp *I, const char *what, Value v) {
  return jx_raise(I, E_TYPE, "%s: expected a number or an array, got %s", what, type_name(v));
}

/* ------------------------------------------------------------------ */
/* broadcast_in_dim                                                    */

int shape_broadcast_in_dim(Interp *I, const Aval *in, const Params *p, Aval *out) {
  p = PRM(p);
  char b1[SHBUF], b2[SHBUF];
  if (p->n < 0 || p->n > JX_MAXDIM)
    return jx_raisei(I, E_SHAPE, "broadcast_in_dim: bad target rank %d", p->n);
  if (p->m != in->ndim)
    return jx_raisei(I, E_SHAPE, "broadcast_in_dim: %d dimension map entries for an operand of "
                     "shape %s", p->m, shape_str(b1, in->ndim, in->shape));
  for (int k = 0; k < p->m; k++) {
    int64_t d = p->b[k];
    if (d < 0 || d >= p->n || (k > 0 && d <= p->b[k - 1]) ||
        (in->shape[k] != 1 && in->shape[k] != p->a[d]))
      return jx_raisei(I, E_SHAPE, "broadcast_in_dim: cannot broadcast shape %s to %s",
                       shape_str(b1, in->ndim, in->shape), shape_str(b2, p->n, p->a));
  }
  if (check_out_shape(I, "broadcast_in_dim", p->n, p->a) < 0) return -1;
  out->dtype = in->dtype;
  out->ndim = p->n;
  memcpy(out->shape, p->a, sizeof(int64_t) * (size_t)p->n);
  return 0;
}

Value impl_broadcast_in_dim(Interp *I, const Value *in, const Params *p) {
  p = PRM(p);
  Opnd x;
  if (opnd_get(I, in[0], &x, "broadcast_in_dim") < 0) return v_exc();
  Aval ia, oa;
  opnd_aval(&x, &ia);
  if (shape_broadcast_in_dim(I, &ia, p, &oa) < 0) return v_exc();
  int64_t osize = shape_prod(oa.ndim, oa.shape);
  if (osize == x.size && x.ndim > 0 && in[0].tag == T_ARRAY) {
    /* only unit dims inserted: a view */
    Array *v = arr_view(I, AS_ARRAY(in[0]), oa.ndim, oa.shape, 0);
    return v ? arr_normalize(I, v) : v_exc();
  }
  Array *r = arr_alloc(I, (DType)x.dt, oa.ndim, oa.shape);
  if (!r) return v_exc();
  int64_t st[JX_MAXDIM], xst[JX_MAXDIM];
  contig_strides(x.ndim, x.shape, xst);
  for (int i = 0; i < oa.ndim; i++) st[i] = 0;
  for (int k = 0; k < x.ndim; k++)
    if (x.shape[k] != 1) st[p->b[k]] = xst[k];
  strided_copy(dtype_size((DType)x.dt), oa.ndim, oa.shape, x.data, st, r->data);
  return arr_normalize(I, r);
}

/* ------------------------------------------------------------------ */
/* reshape                                                             */

int shape_reshape(Interp *I, const Aval *in, const Params *p, Aval *out) {
  p = PRM(p);
  char b1[SHBUF], b2[SHBUF];
  if (p->n < 0 || p->n > JX_MAXDIM)
    return jx_raisei(I, E_SHAPE, "reshape: bad rank %d", p->n);
  int64_t ns;
  if (shape_size(I, p->n, p->a, &ns) < 0) return -1;
  int64_t os = shape_prod(in->ndim, in->shape);
  if (ns != os)
    return jx_raisei(I, E_SHAPE, "cannot reshape array of shape %s (size %lld) into shape %s",
                     shape_str(b1, in->ndim, in->shape), (long long)os,
                     shape_str(b2, p->n, p->a));
  out->dtype = in->dtype;
  out->ndim = p->n;
  memcpy(out->shape, p->a, sizeof(int64_t) * (size_t)p->n);
  return 0;
}

Value impl_reshape(Interp *I, const Value *in, const Params *p) {
  p = PRM(p);
  Opnd x;
  if (opnd_get(I, in[0], &x, "reshape") < 0) return v_exc();
  Aval ia, oa;
  opnd_aval(&x, &ia);
  if (shape_reshape(I, &ia, p, &oa) < 0) return v_exc();
  if (oa.ndim == 0) return scalar_at((DType)x.dt, x.data);
  if (in[0].tag == T_ARRAY) {
    if (dims_equal(oa.ndim, oa.shape, x.ndim, x.shape)) return v_incref(in[0]);
    Array *v = arr_view(I, AS_ARRAY(in[0]), oa.ndim, oa.shape, 0);
    return v ? v_obj(&v->hdr) : v_exc();
  }
  Array *r = arr_alloc(I, (DType)x.dt, oa.ndim, oa.shape);
  if (!r) return v_exc();
  memcpy(r->data, x.data, dtype_size((DType)x.dt));
  return v_obj(&r->hdr);
}

/* ------------------------------------------------------------------ */
/* transpose                                                           */

int shape_transpose(Interp *I, const Aval *in, const Params *p, Aval *out) {
  p = PRM(p);
  bool seen[JX_MAXDIM] = {false};
  bool ok = p->n == in->ndim;
  for (int k = 0; ok && k < p->n; k++) {
    int64_t d = p->a[k];
    if (d < 0 || d >= in->ndim || seen[d]) ok = false;
    else seen[d] = true;
  }
  if (!ok) {
    char b1[SHBUF], b2[SHBUF];
    return jx_raisei(I, E_SHAPE, "transpose: axes %s are not a permutation of the axes of an "
                     "array of shape %s", shape_str(b1, p->n > 0 ? p->n : 0, p->a),
                     shape_str(b2, in->ndim, in->shape));
  }
  out->dtype = in->dtype;
  out->ndim = in->ndim;
  for (int k = 0; k < in->ndim; k++) out->shape[k] = in->shape[p->a[k]];
  return 0;
}

Value impl_transpose(Interp *I, const Value *in, const Params *p) {
  p = PRM(p);
  Opnd x;
  if (opnd_get(I, in[0], &x, "transpose") < 0) return v_exc();
  Aval ia, oa;
  opnd_aval(&x, &ia);
  if (shape_transpose(I, &ia, p, &oa) < 0) return v_exc();
  bool ident = true;
  for (int k = 0; k < oa.ndim; k++) ident &= p->a[k] == k;
  if (ident) return v_incref(in[0]);
  Array *r = arr_alloc(I, (DType)x.dt, oa.ndim, oa.shape);
  if (!r) return v_exc();
  int64_t xst[JX_MAXDIM], st[JX_MAXDIM];
  contig_strides(x.ndim, x.shape, xst);
  for (int k = 0; k < oa.ndim; k++) st[k] = xst[p->a[k]];
  strided_copy(dtype_size((DType)x.dt), oa.ndim, oa.shape, x.data, st, r->data);
  return arr_normalize(I, r);
}

/* ------------------------------------------------------------------ */
/* slice                                                               */

int shape_slice(Interp *I, const Aval *in, const Params *p, Aval *out) {
  p = PRM(p);
  char b1[SHBUF];
  if (p->n != in->ndim)
    return jx_raisei(I, E_SHAPE, "slice: %d start indices for an array of shape %s", p->n,
                     shape_str(b1, in->ndim, in->shape));
  out->dtype = in->dtype;
  out->ndim = in->ndim;
  for (int k = 0; k < in->ndim; k++) {
    int64_t s = p->a[k], e = p->b[k], st = p->k > 0 ? p->c[k] : 1;
    if (p->k == 0) st = 1; /* steps omitted: 1 */
    if (st < 1 || s < 0 || e < s || e > in->shape[k])
      return jx_raisei(I, E_INDEX, "slice: [%lld:%lld:%lld] is out of range for axis %d of an "
                       "array of shape %s", (long long)s, (long long)e, (long long)st, k,
                       shape_str(b1, in->ndim, in->shape));
    out->shape[k] = (e - s + st - 1) / st;
  }
  return 0;
}

Value impl_slice(Interp *I, const Value *in, const Params *p) {
  p = PRM(p);
  Opnd x;
  if (opnd_get(I, in[0], &x, "slice") < 0) return v_exc();
  Aval ia, oa;
  opnd_aval(&x, &ia);
  if (shape_slice(I, &ia, p, &oa) < 0) return v_exc();
  if (x.ndim == 0) return v_incref(in[0]);
  int64_t xst[JX_MAXDIM], st[JX_MAXDIM], off = 0;
  contig_strides(x.ndim, x.shape, xst);
  for (int k = 0; k < x.ndim; k++) {
    int64_t step = p->k > 0 ? p->c[k] : 1;
    off += p->a[k] * xst[k];
    st[k] = xst[k] * step;
  }
  size_t es = dtype_size((DType)x.dt);
  if (dims_equal(oa.ndim, oa.shape, x.ndim, x.shape)) return v_incref(in[0]);
  /* contiguous? leading extent-1 dims, then one dim with step 1 (or
   * extent 1), then full dims */
  int k = 0;
  while (k < x.ndim && oa.shape[k] == 1) k++;
  bool contig = true;
  if (k < x.ndim) {
    int64_t step = p->k > 0 ? p->c[k] : 1;
    if (step != 1) contig = false;
    for (int j = k + 1; contig && j < x.ndim; j++)
      if (oa.shape[j] != x.shape[j]) contig = false;
  }
  int64_t osize = shape_prod(oa.ndim, oa.shape);
  if (contig && osize > 0) {
    Array *v = arr_view(I, AS_ARRAY(in[0]), oa.ndim, oa.shape, (size_t)off * es);
    return v ? v_obj(&v->hdr) : v_exc();
  }
  Array *r = arr_alloc(I, (DType)x.dt, oa.ndim, oa.shape);
  if (!r) return v_exc();
  if (osize > 0)
    strided_copy(es, oa.ndim, oa.shape, (const char *)x.data + off * (int64_t)es, st, r->data);
  return v_obj(&r->hdr);
}

/* ------------------------------------------------------------------ */
/* pad                                                                 */

int shape_pad(Interp *I, const Aval *in, const Params *p, Aval *out) {
  p = PRM(p);
  char b1[SHBUF];
  if (p->n != in->ndim)
    return jx_raisei(I, E_SHAPE, "pad: %d padding entries for an array of shape %s", p->n,
                     shape_str(b1, in->ndim, in->shape));
  out->dtype = in->dtype;
  out->ndim = in->ndim;
  for (int k = 0; k < in->ndim; k++) {
    int64_t lo = p->a[k], hi = p->b[k], it = p->c[k], n = in->shape[k];
    if (it < 0) return jx_raisei(I, E_VALUE, "pad: interior padding must be >= 0, got %lld",
                                 (long long)it);
    int64_t core = n == 0 ? 0 : n + (n - 1) * it, tot;
    if (__builtin_add_overflow(core, lo, &tot) || __builtin_add_overflow(tot, hi, &tot) ||
        tot < 0)
      return jx_raisei(I, E_SHAPE, "pad: negative or overflowing result size on axis %d of %s",
                       k, shape_str(b1, in->ndim, in->shape));
    out->shape[k] = tot;
  }
  return check_out_shape(I, "pad", out->ndim, out->shape);
}

/* Recursively place input elements (dims >= k). */
static void pad_rec(size_t es, int k, int nd, const int64_t *ish, const int64_t *ost,
                    const int64_t *lo, const int64_t *step, const int64_t *osh, const char *src,
                    const int64_t *ist, char *dst) {
  for (int64_t i = 0; i < ish[k]; i++) {
    int64_t o = lo[k] + i * step[k];
    if (o < 0 || o >= osh[k]) continue;
    const char *s = src + i * ist[k] * (int64_t)es;
    char *d = dst + o * ost[k] * (int64_t)es;
    if (k == nd - 1) memcpy(d, s, es);
    else pad_rec(es, k + 1, nd, ish, ost, lo, step, osh, s, ist, d);
  }
}

Value impl_pad(Interp *I, const Value *in, const Params *p) {
  p = PRM(p);
  Opnd x;
  if (opnd_get(I, in[0], &x, "pad") < 0) return v_exc();
  Aval ia, oa;
  opnd_aval(&x, &ia);
  if (shape_pad(I, &ia, p, &oa) < 0) return v_exc();
  if (x.ndim == 0) return scalar_at((DType)x.dt, x.data);
  Array *r = arr_zeros(I, (DType)x.dt, oa.ndim, oa.shape);
  if (!r) return v_exc();
  if (r->size > 0 && x.size > 0) {
    int64_t ost[JX_MAXDIM], ist[JX_MAXDIM], step[JX_MAXDIM];
    contig_strides(oa.ndim, oa.shape, ost);
    contig_strides(x.ndim, x.shape, ist);
    for (int k = 0; k < x.ndim; k++) step[k] = p->c[k] + 1;
    pad_rec(dtype_size((DType)x.dt), 0, x.ndim, x.shape, ost, p->a, step, oa.shape, x.data, ist,
            r->data);
  }
  return v_obj(&r->hdr);
}

/* ------------------------------------------------------------------ */
/* rev                                                                 */

int shape_rev(Interp *I, const Aval *in, const Params *p, Aval *out) {
  p = PRM(p);
  bool seen[JX_MAXDIM] = {false};
  for (int k = 0; k < p->n; k++) {
    int64_t d = p->a[k];
    if (d < 0 || d >= in->ndim || seen[d])
      return jx_raisei(I, E_VALUE, "rev: bad axis %lld for an array of dimension %d",
                       (long long)d, in->ndim);
    seen[d] = true;
  }
  *out = *in;
  return 0;
}

Value impl_rev(Interp *I, const Value *in, const Params *p) {
  p = PRM(p);
  Opnd x;
  if (opnd_get(I, in[0], &x, "rev") < 0) return v_exc();
  Aval ia, oa;
  opnd_aval(&x, &ia);
  if (shape_rev(I, &ia, p, &oa) < 0) return v_exc();
  if (p->n == 0 || x.ndim == 0) return v_incref(in[0]);
  Array *r = arr_alloc(I, (DType)x.dt, x.ndim, x.shape);
  if (!r) return v_exc();
  if (r->size > 0) {
    int64_t st[JX_MAXDIM], off = 0;
    contig_strides(x.ndim, x.shape, st);
    for (int k = 0; k < p->n; k++) {
      int64_t d = p->a[k];
      off += (x.shape[d] - 1) * st[d];
      st[d] = -st[d];
    }
    size_t es = dtype_size((DType)x.dt);
    strided_copy(es, x.ndim, x.shape, (const char *)x.data + off * (int64_t)es, st, r->data);
  }
  return v_obj(&r->hdr);
}

/* ------------------------------------------------------------------ */
/* concatenate                                                         */

static int concat_check(Interp *I, int nin, const Aval *in, const Params *p, Aval *out) {
  if (nin < 1) return jx_raisei(I, E_VALUE, "concatenate: need at least one array");
  int64_t ax = p->i0;
  const Aval *a0 = &in[0];
  if (a0->ndim == 0) return jx_raisei(I, E_SHAPE, "concatenate: zero-dimensional arrays cannot "
                                      "be concatenated");
  if (ax < 0 || ax >= a0->ndim)
    return jx_raisei(I, E_VALUE, "concatenate: axis %lld is out of bounds for array of "
                     "dimension %d", (long long)ax, a0->ndim);
  *out = *a0;
  out->shape[ax] = 0;
  for (int i = 0; i < nin; i++) {
    const Aval *a = &in[i];
    bool ok = a->ndim == a0->ndim;
    for (int k = 0; ok && k < a0->ndim; k++)
      if (k != ax && a->shape[k] != a0->shape[k]) ok = false;
    if (!ok) {
      char b1[SHBUF], b2[SHBUF];
      return jx_raisei(I, E_SHAPE, "concatenate: shapes %s and %s do not match outside axis %lld",
                       shape_str(b1, a0->ndim, a0->shape), shape_str(b2, a->ndim, a->shape),
                       (long long)ax);
    }
    if (__builtin_add_overflow(out->shape[ax], a->shape[ax], &out->shape[ax]))
      return jx_raisei(I, E_MEMORY, "concatenate: result too large");
    out->dtype = dtype_promote((DType)out->dtype, (DType)a->dtype);
  }
  return check_out_shape(I, "concatenate", out->ndim, out->shape);
}

int shape_concatenate(Interp *I, const Aval *in, const Params *p, Aval *out) {
  p = PRM(p);
  return concat_check(I, p->nin, in, p, out);
}

Value impl_concatenate(Interp *I, const Value *in, const Params *p) {
  p = PRM(p);
  int nin = p->nin;
  if (nin < 1) return jx_raise(I, E_VALUE, "concatenate: need at least one array");
  Aval *av = jx_malloc(I, sizeof(Aval) * (size_t)nin);
  if (!av) return v_exc();
  for (int i = 0; i < nin; i++) {
    DType dt;
    if (val_dtype(in[i], &dt) < 0) {
      jx_free(av);
      return numeric_only(I, "concatenate", in[i]);
    }
    av[i].dtype = (uint8_t)dt;
    val_shape(in[i], &av[i].ndim, av[i].shape);
  }
  Aval oa;
  if (concat_check(I, nin, av, p, &oa) < 0) {
    jx_free(av);
    return v_exc();
  }
  Array *r = arr_alloc(I, (DType)oa.dtype, oa.ndim, oa.shape);
  if (!r) {
    jx_free(av);
    return v_exc();
  }
  int64_t ax = p->i0, outer = 1, inner = 1;
  for (int k = 0; k < oa.ndim; k++) {
    if (k < ax) outer *= oa.shape[k];
    else if (k > ax) inner *= oa.shape[k];
  }
  size_t es = dtype_size((DType)oa.dtype);
  int64_t col = 0; /* offset along the axis, in elements of one outer row */
  int64_t orow = oa.shape[ax] * inner;
  for (int i = 0; i < nin; i++) {
    Opnd x;
    opnd_get(I, in[i], &x, "concatenate");
    int64_t chunk = av[i].shape[ax] * inner;
    if (chunk > 0 && outer > 0) {
      if (opnd_cast(I, &x, (DType)oa.dtype) < 0) {
        jx_free(av);
        v_decref(v_obj(&r->hdr));
        return v_exc();
      }
      for (int64_t o = 0; o < outer; o++)
        memcpy((char *)r->data + (o * orow + col) * (int64_t)es,
               (const char *)x.data + o * chunk * (int64_t)es, (size_t)chunk * es);
      opnd_release(&x);
    }
    col += chunk;
  }
  jx_free(av);
  return v_obj(&r->hdr);
}

/* ------------------------------------------------------------------ */
/* gather / scatter                                                    */

static int gather_check(Interp *I, const char *what, const Aval *x, const Aval *idx,
                        const Params *p, Aval *out) {
  char b1[SHBUF];
  if (x->ndim == 0) return jx_raisei(I, E_INDEX, "%s: cannot index a scalar", what);
  int64_t ax = p->i0;
  if (ax < 0 || ax >= x->ndim)
    return jx_raisei(I, E_VALUE, "%s: axis %lld is out of bounds for array of dimension %d",
                     what, (long long)ax, x->ndim);
  if (idx->dtype != DT_INT)
    return jx_raisei(I, E_TYPE, "%s: indices must be integers, got %s", what,
                     dtype_name((DType)idx->dtype));
  int nd = x->ndim - 1 + idx->ndim;
  if (nd > JX_MAXDIM)
    return jx_raisei(I, E_SHAPE, "%s: result would have %d dimensions (at most %d)", what, nd,
                     JX_MAXDIM);
  out->dtype = x->dtype;
  out->ndim = 0;
  for (int k = 0; k < ax; k++) out->shape[out->ndim++] = x->shape[k];
  for (int k = 0; k < idx->ndim; k++) out->shape[out->ndim++] = idx->shape[k];
  for (int k = (int)ax + 1; k < x->ndim; k++) out->shape[out->ndim++] = x->shape[k];
  (void)b1;
  return check_out_shape(I, what, out->ndim, out->shape);
}

int shape_gather(Interp *I, const Aval *in, const Params *p, Aval *out) {
  return gather_check(I, "gather", &in[0], &in[1], PRM(p), out);
}

static int check_indices(Interp *I, const Opnd *idx, int64_t n, int64_t ax) {
  const int64_t *ix = idx->data;
  for (int64_t j = 0; j < idx->size; j++)
    if (ix[j] < 0 || ix[j] >= n)
      return jx_raisei(I, E_INDEX, "index %lld is out of bounds for axis %lld with size %lld",
                       (long long)ix[j], (long long)ax, (long long)n);
  return 0;
}

Value impl_gather(Interp *I, const Value *in, const Params *p) {
  p = PRM(p);
  Opnd x, idx;
  if (opnd_get(I, in[0], &x, "gather") < 0 || opnd_get(I, in[1], &idx, "gather") < 0)
    return v_exc();
  Aval xa, ia, oa;
  opnd_aval(&x, &xa);
  opnd_aval(&idx, &ia);
  if (gather_check(I, "gather", &xa, &ia, p, &oa) < 0) return v_exc();
  int64_t ax = p->i0, n = x.shape[ax], outer = 1, inner = 1;
  for (int k = 0; k < x.ndim; k++) {
    if (k < ax) outer *= x.shape[k];
    else if (k > ax) inner *= x.shape[k];
  }
  if (check_indices(I, &idx, n, ax) < 0) return v_exc();
  Array *r = arr_alloc(I, (DType)x.dt, oa.ndim, oa.shape);
  if (!r) return v_exc();
  size_t es = dtype_size((DType)x.dt);
  const int64_t *ix = idx.data;
  int64_t ni = idx.size;
  if (r->size > 0) {
    if (inner == 1 && es == 8) {
      for (int64_t o = 0; o < outer; o++) {
        const int64_t *s = (const int64_t *)x.data + o * n;
        int64_t *d = (int64_t *)r->data + o * ni;
        for (int64_t j = 0; j < ni; j++) d[j] = s[ix[j]];
      }
    } else {
      size_t row = (size_t)inner * es;
      for (int64_t o = 0; o < outer; o++) {
        const char *s = (const char *)x.data + o * n * (int64_t)row;
        char *d = (char *)r->data + o * ni * (int64_t)row;
        for (int64_t j = 0; j < ni; j++) memcpy(d + j * (int64_t)row, s + ix[j] * (int64_t)row, row);
      }
    }
  }
  return arr_normalize(I, r);
}

static int scatter_shape_impl(Interp *I, const char *what, const Aval *in, const Params *p,
                              Aval *out) {
  Aval g;
  if (gather_check(I, what, &in[0], &in[1], p, &g) < 0) return -1;
  if (!dims_equal(g.ndim, g.shape, in[2].ndim, in[2].shape)) {
    char b1[SHBUF], b2[SHBUF];
    return jx_raisei(I, E_SHAPE, "%s: updates of shape %s do not match the indexed shape %s",
                     what, shape_str(b1, in[2].ndim, in[2].shape), shape_str(b2, g.ndim, g.shape));
  }
  *out = in[0];
  out->dtype = dtype_promote((DType)in[0].dtype, (DType)in[2].dtype);
  return 0;
}

int shape_scatter_add(Interp *I, const Aval *in, const Params *p, Aval *out) {
  return scatter_shape_impl(I, "scatter_add", in, PRM(p), out);
}
int shape_scatter(Interp *I, const Aval *in, const Params *p, Aval *out) {
  return scatter_shape_impl(I, "scatter", in, PRM(p), out);
}

static Value scatter_apply(Interp *I, const Value *in, const Params *p, bool add) {
  const char *what = add ? "scatter_add" : "scatter";
  p = PRM(p);
  Opnd x, idx, u;
  if (opnd_get(I, in[0], &x, what) < 0 || opnd_get(I, in[1], &idx, what) < 0 ||
      opnd_get(I, in[2], &u, what) < 0)
    return v_exc();
  Aval av[3], oa;
  opnd_aval(&x, &av[0]);
  opnd_aval(&idx, &av[1]);
  opnd_aval(&u, &av[2]);
  if (scatter_shape_impl(I, what, av, p, &oa) < 0) return v_exc();
  int64_t ax = p->i0, n = x.shape[ax], outer = 1, inner = 1;
  for (int k = 0; k < x.ndim; k++) {
    if (k < ax) outer *= x.shape[k];
    else if (k > ax) inner *= x.shape[k];
  }
  if (check_indices(I, &idx, n, ax) < 0) return v_exc();
  DType dt = (DType)oa.dtype;
  Array *r = arr_alloc(I, dt, oa.ndim, oa.shape);
  if (!r) return v_exc();
  conv_buf((DType)x.dt, x.data, dt, r->data, x.size);
  if (opnd_cast(I, &u, dt) < 0) {
    v_decref(v_obj(&r->hdr));
    return v_exc();
  }
  const int64_t *ix = idx.data;
  int64_t ni = idx.size;
  size_t es = dtype_size(dt);
  for (int64_t o = 0; o < outer; o++) {
    for (int64_t j = 0; j < ni; j++) {
      int64_t dst0 = (o * n + ix[j]) * inner, src0 = (o * ni + j) * inner;
      if (!add) {
        memcpy((char *)r->data + dst0 * (int64_t)es, (const char *)u.data + src0 * (int64_t)es,
               (size_t)inner * es);
      } else if (dt == DT_FLOAT) {
        double *d = ARR_F(r) + dst0;
        const double *s = (const double *)u.data + src0;
        for (int64_t k = 0; k < inner; k++) d[k] += s[k];
      } else if (dt == DT_INT) {
        int64_t *d = ARR_I(r) + dst0;
        const int64_t *s = (const int64_t *)u.data + src0;
        for (int64_t k = 0; k < inner; k++) d[k] = iwrap_add(d[k], s[k]);
      } else {
        uint8_t *d = ARR_B(r) + dst0;
        const uint8_t *s = (const uint8_t *)u.data + src0;
        for (int64_t k = 0; k < inner; k++) d[k] |= s[k];
      }
    }
  }
  opnd_release(&u);
  return v_obj(&r->hdr);
}

Value impl_scatter_add(Interp *I, const Value *in, const Params *p) {
  return scatter_apply(I, in, p, true);
}
Value impl_scatter(Interp *I, const Value *in, const Params *p) {
  return scatter_apply(I, in, p, false);
}
