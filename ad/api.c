/* api.c — the A_* short forms of jx_bind (see api.h). */
#include "api.h"

#include <string.h>

#define CHECK1(x) \
  if (IS_EXC(x)) return v_exc()

Value A_un(Interp *I, PrimId id, Value x) {
  CHECK1(x);
  return jx_bind(I, id, &x, NULL);
}

Value A_bin(Interp *I, PrimId id, Value x, Value y) {
  CHECK1(x);
  CHECK1(y);
  Value in[2] = {x, y};
  return jx_bind(I, id, in, NULL);
}

Value A_ipow(Interp *I, Value x, int64_t n) {
  CHECK1(x);
  Params p = PARAMS_INIT;
  p.i0 = n;
  return jx_bind(I, P_integer_pow, &x, &p);
}

Value A_select(Interp *I, Value c, Value a, Value b) {
  CHECK1(c);
  CHECK1(a);
  CHECK1(b);
  Value in[3] = {c, a, b};
  return jx_bind(I, P_select, in, NULL);
}

Value A_convert(Interp *I, Value x, DType dt) {
  CHECK1(x);
  Params p = PARAMS_INIT;
  p.i0 = dt;
  return jx_bind(I, P_convert, &x, &p);
}

Value A_stop(Interp *I, Value x) {
  CHECK1(x);
  return jx_bind(I, P_stop_gradient, &x, NULL);
}

Value A_reshape(Interp *I, Value x, int ndim, const int64_t *shape) {
  CHECK1(x);
  Aval av;
  if (val_aval(I, x, &av) < 0) return v_exc();
  if (av.ndim == ndim && memcmp(av.shape, shape, sizeof(int64_t) * (size_t)ndim) == 0)
    return v_incref(x);
  Params p = PARAMS_INIT;
  p.n = ndim;
  memcpy(p.a, shape, sizeof(int64_t) * (size_t)ndim);
  return jx_bind(I, P_reshape, &x, &p);
}

Value A_broadcast_in_dim(Interp *I, Value x, int ndim, const int64_t *shape, int nd,
                         const int64_t *dims) {
  CHECK1(x);
  Params p = PARAMS_INIT;
  p.n = ndim;
  memcpy(p.a, shape, sizeof(int64_t) * (size_t)ndim);
  p.m = nd;
  memcpy(p.b, dims, sizeof(int64_t) * (size_t)nd);
  return jx_bind(I, P_broadcast_in_dim, &x, &p);
}

Value A_broadcast(Interp *I, Value x, int ndim, const int64_t *shape) {
  CHECK1(x);
  Aval av;
  if (val_aval(I, x, &av) < 0) return v_exc();
  if (av.ndim == ndim && memcmp(av.shape, shape, sizeof(int64_t) * (size_t)ndim) == 0)
    return v_incref(x);
  if (av.ndim > ndim)
    return jx_raise(I, E_SHAPE, "cannot broadcast a rank-%d value to rank %d", av.ndim, ndim);
  int64_t dims[JX_MAXDIM];
  for (int i = 0; i < av.ndim; i++) dims[i] = ndim - av.ndim + i;
  return A_broadcast_in_dim(I, x, ndim, shape, av.ndim, dims);
}

Value A_transpose(Interp *I, Value x, int ndim, const int64_t *perm) {
  CHECK1(x);
  bool ident = true;
  for (int i = 0; i < ndim; i++) ident &= perm[i] == i;
  if (ident) return v_incref(x);
  Params p = PARAMS_INIT;
  p.n = ndim;
  memcpy(p.a, perm, sizeof(int64_t) * (size_t)ndim);
  return jx_bind(I, P_transpose, &x, &p);
}

Value A_moveaxis(Interp *I, Value x, int from, int to) {
  CHECK1(x);
  if (from == to) return v_incref(x);
  Aval av;
  if (val_aval(I, x, &av) < 0) return v_exc();
  int64_t perm[JX_MAXDIM];
  int k = 0;
  for (int i = 0; i < av.ndim; i++)
    if (i != from) perm[k++] = i;
  /* insert 'from' at position 'to' */
  for (int i = av.ndim - 1; i > to; i--) perm[i] = perm[i - 1];
  perm[to] = from;
  return A_transpose(I, x, av.ndim, perm);
}

Value A_reduce(Interp *I, PrimId id, Value x, int naxes, const int64_t *axes) {
  CHECK1(x);
  if (naxes == 0) return v_incref(x);
  Params p = PARAMS_INIT;
  p.n = naxes;
  memcpy(p.a, axes, sizeof(int64_t) * (size_t)naxes);
  return jx_bind(I, id, &x, &p);
}

Value A_sum_all(Interp *I, Value x) {
  CHECK1(x);
  Aval av;
  if (val_aval(I, x, &av) < 0) return v_exc();
  int64_t axes[JX_MAXDIM];
  for (int i = 0; i < av.ndim; i++) axes[i] = i;
  return A_reduce(I, P_reduce_sum, x, av.ndim, axes);
}

Value A_unbroadcast(Interp *I, Value g, const Aval *to) {
  CHECK1(g);
  Aval ga;
  if (val_aval(I, g, &ga) < 0) return v_exc();
  if (ga.ndim == to->ndim &&
      memcmp(ga.shape, to->shape, sizeof(int64_t) * (size_t)ga.ndim) == 0)
    return v_incref(g);
  int64_t axes[JX_MAXDIM];
  int n = 0;
  int lead = ga.ndim - to->ndim;
  for (int i = 0; i < ga.ndim; i++) {
    if (i < lead) axes[n++] = i;
    else if (to->shape[i - lead] == 1 && ga.shape[i] != 1) axes[n++] = i;
  }
  Value s = A_reduce(I, P_reduce_sum, g, n, axes);
  Value r = A_reshape(I, s, to->ndim, to->shape);
  v_decref(s);
  return r;
}

Value A_full(Interp *I, const Aval *av, double v) {
  if (av->ndim == 0) {
    if (av->dtype == DT_FLOAT) return v_float(v);
    if (av->dtype == DT_INT) return v_int((int64_t)v);
    return v_bool(v != 0);
  }
  Array *a = arr_alloc(I, (DType)av->dtype, av->ndim, av->shape);
  if (!a) return v_exc();
  for (int64_t i = 0; i < a->size; i++) {
    if (av->dtype == DT_FLOAT) ARR_F(a)[i] = v;
    else if (av->dtype == DT_INT) ARR_I(a)[i] = (int64_t)v;
    else ARR_B(a)[i] = v != 0;
  }
  return arr_normalize(I, a);
}

Value A_zeros(Interp *I, const Aval *av) { return A_full(I, av, 0.0); }

Value A_zeros_like(Interp *I, Value x) {
  CHECK1(x);
  Aval av;
  if (val_aval(I, x, &av) < 0) return v_exc();
  av.dtype = DT_FLOAT;
  return A_full(I, &av, 0.0);
}

Value A_ones_like(Interp *I, Value x) {
  CHECK1(x);
  Aval av;
  if (val_aval(I, x, &av) < 0) return v_exc();
  av.dtype = DT_FLOAT;
  return A_full(I, &av, 1.0);
}

Value A_dot_general(Interp *I, Value a, Value b, const Params *p) {
  CHECK1(a);
  CHECK1(b);
  Value in[2] = {a, b};
  return jx_bind(I, P_dot_general, in, p);
}
