/* lib_create.c — array creation builtins: array, zeros, ones, full,
 * *_like, arange, linspace, eye, identity, astype and the dtype
 * constructors (float64(x) …).
 *
 * Constant arrays whose contents depend only on concrete arguments (zeros,
 * arange, eye …) are built directly; anything that depends on a possibly
 * traced value (array of tracers, full with a traced fill, linspace of
 * traced end points) is composed from primitives.
 */
#include "lib_internal.h"

#include <math.h>
#include <string.h>

/* A constant array of the given shape filled with v. */
static Value const_fill(Interp *I, DType dt, int nd, const int64_t *sh, double v) {
  Array *a = arr_alloc(I, dt, nd, sh);
  if (!a) return v_exc();
  int64_t n = a->size;
  if (dt == DT_FLOAT) {
    double *d = ARR_F(a);
    for (int64_t k = 0; k < n; k++) d[k] = v;
  } else if (dt == DT_INT) {
    int64_t *d = ARR_I(a);
    int64_t iv = (int64_t)v;
    for (int64_t k = 0; k < n; k++) d[k] = iv;
  } else {
    memset(a->data, v != 0.0, (size_t)n);
  }
  return arr_normalize(I, a);
}

/* ---- array ------------------------------------------------------------ */

static bool has_tracer(Value v, int depth) {
  if (v.tag == T_TRACER) return true;
  if (v.tag != T_TUPLE || depth > 64) return false;
  Tuple *t = AS_TUPLE(v);
  for (int64_t k = 0; k < t->n; k++)
    if (has_tracer(t->items[k], depth + 1)) return true;
  return false;
}

static Value array_rec(Interp *I, Value x, int depth) {
  if (lib_is_num(x)) return K(x);
  if (x.tag != T_TUPLE)
    return jx_raise(I, E_TYPE, "array: cannot make an array from a value of type %s",
                    type_name(x));
  if (depth > JX_MAXDIM) return jx_raise(I, E_VALUE, "array: too deeply nested");
  Tuple *t = AS_TUPLE(x);
  if (!has_tracer(x, 0)) return arr_from_nested(I, x, -1);
  /* Some leaves are traced: stack the elements with primitives. */
  int64_t n = t->n;
  Value *parts = jx_calloc(I, (size_t)n, sizeof(Value));
  if (!parts) return v_exc();
  Value r = v_exc();
  Aval a0;
  int64_t k = 0;
  for (; k < n; k++) {
    Value e = array_rec(I, t->items[k], depth + 1);
    if (IS_EXC(e)) goto done;
    Aval ak;
    if (val_aval(I, e, &ak) < 0) {
      v_decref(e);
      goto done;
    }
    if (k == 0) a0 = ak;
    else if (ak.ndim != a0.ndim || memcmp(ak.shape, a0.shape, sizeof(int64_t) * (size_t)ak.ndim)) {
      char b1[LIB_SHBUF], b2[LIB_SHBUF];
      jx_raise(I, E_VALUE, "array: ragged nested sequence: element 0 has shape %s, element %lld has shape %s",
               lib_shape_str(b1, a0.ndim, a0.shape), (long long)k,
               lib_shape_str(b2, ak.ndim, ak.shape));
      v_decref(e);
      goto done;
    }
    if (ak.ndim + 1 > JX_MAXDIM) {
      jx_raise(I, E_VALUE, "array: too many dimensions");
      v_decref(e);
      goto done;
    }
    int64_t ax = 0;
    parts[k] = lib_expand(I, e, 1, &ax);
    v_decref(e);
    if (IS_EXC(parts[k])) goto done;
  }
  r = lib_concat(I, "array", (int)n, parts, 0);
done:
  for (int64_t j = 0; j < k; j++) v_decref(parts[j]);
  jx_free(parts);
  return r;
}

Value lib_array(Interp *I, Value x, int dt) {
  Value r;
  if (x.tag == T_TUPLE && !has_tracer(x, 0)) return arr_from_nested(I, x, dt);
  r = array_rec(I, x, 0);
  if (IS_EXC(r) || dt < 0) return r;
  return lib_convert(I, r, (DType)dt);
}

Value lib_astype(Interp *I, Value x, DType dt) {
  if (!lib_is_num(x))
    return jx_raise(I, E_TYPE, "astype: expected an array or a number, not %s", type_name(x));
  return lib_convert(I, K(x), dt);
}

LIB_FN(bi_array) {
  int dt;
  if (lib_dtype_arg(I, args[1], "array", "dtype", &dt) < 0) return v_exc();
  return lib_array(I, args[0], dt);
}

LIB_FN(bi_astype) {
  int dt;
  if (lib_dtype_arg(I, args[1], "astype", "dtype", &dt) < 0) return v_exc();
  if (dt < 0) return jx_raise(I, E_TYPE, "astype: 'dtype' is required");
  return lib_astype(I, args[0], (DType)dt);
}

static Value dtype_ctor(Interp *I, Value x, DType dt, const char *fname) {
  if (!lib_is_num(x) && x.tag != T_TUPLE)
    return jx_raise(I, E_TYPE, "%s: cannot convert a value of type %s", fname, type_name(x));
  return lib_array(I, x, dt);
}
LIB_FN(bi_float64) { return dtype_ctor(I, args[0], DT_FLOAT, "float64"); }
LIB_FN(bi_int64) { return dtype_ctor(I, args[0], DT_INT, "int64"); }
LIB_FN(bi_bool_) { return dtype_ctor(I, args[0], DT_BOOL, "bool_"); }

LIB_FN(bi_copy) {
  Aval a;
  if (lib_aval(I, args[0], "copy", "x", &a) < 0) return v_exc();
  return K(args[0]); /* values are immutable */
}

/* ---- zeros / ones / full ------------------------------------------------ */

static Value make_filled(Interp *I, Value *args, const char *fname, double v) {
  int nd, dt;
  int64_t sh[JX_MAXDIM];
  if (lib_shape_arg(I, args[0], fname, "shape", &nd, sh) < 0) return v_exc();
  if (lib_dtype_arg(I, args[1], fname, "dtype", &dt) < 0) return v_exc();
  return const_fill(I, dt < 0 ? DT_FLOAT : (DType)dt, nd, sh, v);
}
LIB_FN(bi_zeros) { return make_filled(I, args, "zeros", 0.0); }
LIB_FN(bi_ones) { return make_filled(I, args, "ones", 1.0); }
LIB_FN(bi_empty) { return make_filled(I, args, "empty", 0.0); }

/* fill broadcast to (nd, sh), converted to dt (dt < 0: fill's own dtype). */
static Value fill_to(Interp *I, const char *fname, Value fill, int dt, int nd,
                     const int64_t *sh) {
  Aval fa;
  if (lib_aval(I, fill, fname, "fill_value", &fa) < 0) return v_exc();
  int bnd;
  int64_t bsh[JX_MAXDIM];
  if (lib_bshape(I, fname, fa.ndim, fa.shape, nd, sh, &bnd, bsh) < 0) return v_exc();
  if (bnd != nd || memcmp(bsh, sh, sizeof(int64_t) * (size_t)nd)) {
    char b1[LIB_SHBUF], b2[LIB_SHBUF];
    return jx_raise(I, E_SHAPE, "%s: cannot broadcast fill_value of shape %s to shape %s", fname,
                    lib_shape_str(b1, fa.ndim, fa.shape), lib_shape_str(b2, nd, sh));
  }
  Value v = K(fill);
  if (dt >= 0) v = lib_convert(I, v, (DType)dt);
  return lib_bcast(I, v, nd, sh);
}

LIB_FN(bi_full) {
  int nd, dt;
  int64_t sh[JX_MAXDIM];
  if (lib_shape_arg(I, args[0], "full", "shape", &nd, sh) < 0) return v_exc();
  if (lib_dtype_arg(I, args[2], "full", "dtype", &dt) < 0) return v_exc();
  return fill_to(I, "full", args[1], dt, nd, sh);
}

static int like_shape(Interp *I, Value *args, int shape_idx, const char *fname, Aval *a, int *dt,
                      int dt_idx) {
  if (lib_aval(I, args[0], fname, "x", a) < 0) return -1;
  if (lib_dtype_arg(I, args[dt_idx], fname, "dtype", dt) < 0) return -1;
  if (*dt < 0) *dt = a->dtype;
  if (shape_idx >= 0 && !lib_is_missing(args[shape_idx])) {
    int nd;
    if (lib_shape_arg(I, args[shape_idx], fname, "shape", &nd, a->shape) < 0) return -1;
    a->ndim = nd;
  }
  return 0;
}

static Value filled_like(Interp *I, Value *args, const char *fname, double v) {
  Aval a;
  int dt;
  if (like_shape(I, args, 2, fname, &a, &dt, 1) < 0) return v_exc();
  return const_fill(I, (DType)dt, a.ndim, a.shape, v);
}
LIB_FN(bi_zeros_like) { return filled_like(I, args, "zeros_like", 0.0); }
LIB_FN(bi_ones_like) { return filled_like(I, args, "ones_like", 1.0); }
LIB_FN(bi_empty_like) { return filled_like(I, args, "empty_like", 0.0); }

LIB_FN(bi_full_like) {
  Aval a;
  int dt;
  if (like_shape(I, args, 3, "full_like", &a, &dt, 2) < 0) return v_exc();
  return fill_to(I, "full_like", args[1], dt, a.ndim, a.shape);
}

/* ---- arange / linspace / eye ------------------------------------------- */

static bool is_concrete_num(Value v) {
  return v.tag == T_INT || v.tag == T_FLOAT || v.tag == T_BOOL;
}

LIB_FN(bi_arange) {
  Value start = args[0], stop = args[1], step = args[2];
  int dt;
  if (lib_dtype_arg(I, args[3], "arange", "dtype", &dt) < 0) return v_exc();
  const char *names[3] = {"start", "stop", "step"};
  Value vs[3] = {start, stop, step};
  for (int k = 0; k < 3; k++) {
    if (k > 0 && lib_is_missing(vs[k])) continue;
    if (!is_concrete_num(vs[k])) {
      if (vs[k].tag == T_TRACER || vs[k].tag == T_ARRAY)
        return jx_raise(I, E_TYPE,
                        "arange: '%s' must be a concrete scalar (the length of the result "
                        "depends on it)", names[k]);
      return jx_raise(I, E_TYPE, "arange: '%s' must be a number, not %s", names[k],
                      type_name(vs[k]));
    }
  }
  if (lib_is_missing(stop)) {
    stop = start;
    start = v_int(0);
  }
  if (lib_is_missing(step)) step = v_int(1);
  bool all_int = start.tag != T_FLOAT && stop.tag != T_FLOAT && step.tag != T_FLOAT;
  if (all_int) {
    int64_t a = start.u.i, b = stop.u.i, s = step.u.i, len = 0, diff;
    if (s == 0) return jx_raise(I, E_VALUE, "arange: step must not be zero");
    if (__builtin_sub_overflow(b, a, &diff))
      return jx_raise(I, E_VALUE, "arange: the length of the result is too large");
    if ((s > 0 && diff > 0) || (s < 0 && diff < 0)) {
      if (s == -1 && diff == INT64_MIN)
        return jx_raise(I, E_VALUE, "arange: the length of the result is too large");
      len = diff / s + (diff % s != 0);
    }
    int64_t sh[1] = {len};
    Array *r = arr_alloc(I, DT_INT, 1, sh);
    if (!r) return v_exc();
    int64_t *d = ARR_I(r);
    for (int64_t k = 0; k < len; k++) d[k] = a + k * s;
    Value v = arr_normalize(I, r);
    return dt >= 0 ? lib_convert(I, v, (DType)dt) : v;
  }
  double a = start.tag == T_FLOAT ? start.u.f : (double)start.u.i;
  double b = stop.tag == T_FLOAT ? stop.u.f : (double)stop.u.i;
  double s = step.tag == T_FLOAT ? step.u.f : (double)step.u.i;
  if (s == 0.0) return jx_raise(I, E_VALUE, "arange: step must not be zero");
  double lenf = ceil((b - a) / s);
  if (isnan(lenf)) return jx_raise(I, E_VALUE, "arange: cannot compute the length (nan or inf)");
  if (lenf > 4e18) return jx_raise(I, E_VALUE, "arange: the length of the result is too large");
  int64_t len = lenf > 0 ? (int64_t)lenf : 0;
  int64_t sh[1] = {len};
  Array *r = arr_alloc(I, DT_FLOAT, 1, sh);
  if (!r) return v_exc();
  double *d = ARR_F(r);
  double delta = (a + s) - a;
  for (int64_t k = 0; k < len; k++) d[k] = a + (double)k * delta;
  if (len > 1) d[1] = a + s;
  Value v = arr_normalize(I, r);
  return dt >= 0 ? lib_convert(I, v, (DType)dt) : v;
}

LIB_FN(bi_linspace) {
  int64_t num;
  bool endpoint;
  int dt;
  if (lib_int_arg(I, args[2], "linspace", "num", &num) < 0) return v_exc();
  if (num < 0)
    return jx_raise(I, E_VALUE, "linspace: number of samples, %lld, must be non-negative",
                    (long long)num);
  if (lib_bool_arg(I, args[3], "linspace", "endpoint", &endpoint) < 0) return v_exc();
  if (lib_dtype_arg(I, args[4], "linspace", "dtype", &dt) < 0) return v_exc();
  Aval sa, ea;
  if (lib_aval(I, args[0], "linspace", "start", &sa) < 0) return v_exc();
  if (lib_aval(I, args[1], "linspace", "stop", &ea) < 0) return v_exc();
  int bnd;
  int64_t bsh[JX_MAXDIM + 1];
  if (lib_bshape(I, "linspace", sa.ndim, sa.shape, ea.ndim, ea.shape, &bnd, bsh + 1) < 0)
    return v_exc();
  if (bnd + 1 > JX_MAXDIM) return jx_raise(I, E_VALUE, "linspace: too many dimensions");
  /* iota of shape (num, 1, …, 1) */
  int64_t ish[JX_MAXDIM];
  ish[0] = num;
  for (int k = 1; k <= bnd; k++) ish[k] = 1;
  Array *io = arr_alloc(I, DT_FLOAT, bnd + 1, ish);
  if (!io) return v_exc();
  for (int64_t k = 0; k < num; k++) ARR_F(io)[k] = (double)k;
  Value iota = v_obj(&io->hdr);
  int64_t div = endpoint ? num - 1 : num;
  Value start = lib_to_float(I, K(args[0]));
  Value stop = lib_to_float(I, K(args[1]));
  Value delta = lib_bin(I, P_sub, K(stop), K(start));
  Value y;
  if (div > 0)
    y = lib_bin(I, P_add, lib_bin(I, P_mul, iota, lib_bin(I, P_div, delta, F((double)div))),
                start);
  else
    y = lib_bin(I, P_add, lib_bin(I, P_mul, iota, delta), start);
  bsh[0] = num;
  y = lib_bcast(I, y, bnd + 1, bsh);
  if (endpoint && num > 1 && !IS_EXC(y)) {
    int64_t st[JX_MAXDIM], sp[JX_MAXDIM], step[JX_MAXDIM];
    for (int k = 0; k <= bnd; k++) {
      st[k] = 0;
      sp[k] = bsh[k];
      step[k] = 1;
    }
    sp[0] = num - 1;
    Value head = lib_slice(I, y, bnd + 1, st, sp, step);
    int64_t one[JX_MAXDIM];
    one[0] = 1;
    memcpy(one + 1, bsh + 1, sizeof(int64_t) * (size_t)bnd);
    Value tail = lib_reshape(I, lib_bcast(I, stop, bnd, bsh + 1), bnd + 1, one);
    if (IS_EXC(head) || IS_EXC(tail)) {
      if (!IS_EXC(head)) v_decref(head);
      if (!IS_EXC(tail)) v_decref(tail);
      return v_exc();
    }
    Value parts[2] = {head, tail};
    y = lib_concat(I, "linspace", 2, parts, 0);
    v_decref(head);
    v_decref(tail);
  } else if (!IS_EXC(stop)) {
    v_decref(stop);
  }
  if (dt >= 0 && dt != DT_FLOAT) {
    if (dt == DT_INT) y = lib_un(I, P_floor, y);
    y = lib_convert(I, y, (DType)dt);
  }
  return y;
}

LIB_FN(bi_eye) {
  int64_t n, m, k;
  int dt;
  if (lib_int_arg(I, args[0], "eye", "N", &n) < 0) return v_exc();
  if (lib_is_missing(args[1])) m = n;
  else if (lib_int_arg(I, args[1], "eye", "M", &m) < 0) return v_exc();
  if (lib_int_arg(I, args[2], "eye", "k", &k) < 0) return v_exc();
  if (lib_dtype_arg(I, args[3], "eye", "dtype", &dt) < 0) return v_exc();
  if (n < 0 || m < 0)
    return jx_raise(I, E_VALUE, "eye: negative dimensions are not allowed");
  int64_t sh[2] = {n, m};
  Value z = const_fill(I, DT_FLOAT, 2, sh, 0.0);
  if (IS_EXC(z)) return z;
  Array *a = AS_ARRAY(z);
  for (int64_t i = 0; i < n; i++)
    if (i + k >= 0 && i + k < m) ARR_F(a)[i * m + i + k] = 1.0;
  return dt >= 0 ? lib_convert(I, z, (DType)dt) : z;
}

LIB_FN(bi_identity) {
  int64_t n;
  int dt;
  if (lib_int_arg(I, args[0], "identity", "n", &n) < 0) return v_exc();
  if (lib_dtype_arg(I, args[1], "identity", "dtype", &dt) < 0) return v_exc();
  if (n < 0) return jx_raise(I, E_VALUE, "identity: negative dimensions are not allowed");
  int64_t sh[2] = {n, n};
  Value z = const_fill(I, DT_FLOAT, 2, sh, 0.0);
  if (IS_EXC(z)) return z;
  for (int64_t i = 0; i < n; i++) ARR_F(AS_ARRAY(z))[i * n + i] = 1.0;
  return dt >= 0 ? lib_convert(I, z, (DType)dt) : z;
}

/* tri(N, M=None, k=0): lower-triangular ones (j <= i + k). */
static Value tri_mask(Interp *I, int64_t n, int64_t m, int64_t k, DType dt) {
  /* offsets past the matrix mean all or nothing (and i + k must not overflow) */
  if (k > m) k = m;
  if (k < -n - 1) k = -n - 1;
  int64_t sh[2] = {n, m};
  Array *a = arr_alloc(I, dt, 2, sh);
  if (!a) return v_exc();
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < m; j++) {
      bool on = j <= i + k;
      if (dt == DT_BOOL) ARR_B(a)[i * m + j] = on;
      else if (dt == DT_INT) ARR_I(a)[i * m + j] = on;
      else ARR_F(a)[i * m + j] = on;
    }
  return arr_normalize(I, a);
}

LIB_FN(bi_tri) {
  int64_t n, m, k;
  int dt;
  if (lib_int_arg(I, args[0], "tri", "N", &n) < 0) return v_exc();
  if (lib_is_missing(args[1])) m = n;
  else if (lib_int_arg(I, args[1], "tri", "M", &m) < 0) return v_exc();
  if (lib_int_arg(I, args[2], "tri", "k", &k) < 0) return v_exc();
  if (lib_dtype_arg(I, args[3], "tri", "dtype", &dt) < 0) return v_exc();
  if (n < 0 || m < 0) return jx_raise(I, E_VALUE, "tri: negative dimensions are not allowed");
  return tri_mask(I, n, m, k, dt < 0 ? DT_FLOAT : (DType)dt);
}

static Value tril_triu(Interp *I, Value *args, bool upper, const char *fname) {
  Aval a;
  int64_t k;
  if (lib_aval(I, args[0], fname, "x", &a) < 0) return v_exc();
  if (lib_int_arg(I, args[1], fname, "k", &k) < 0) return v_exc();
  if (a.ndim < 2)
    return jx_raise(I, E_VALUE, "%s: x must be at least 2-d, got shape with %d dimension(s)",
                    fname, a.ndim);
  int64_t n = a.shape[a.ndim - 2], m = a.shape[a.ndim - 1];
  if (k < -n - 1) k = -n - 1; /* k - 1 below must not overflow */
  /* tril keeps j <= i + k; triu keeps j >= i + k, i.e. not (j <= i + k - 1) */
  Value mask = tri_mask(I, n, m, upper ? k - 1 : k, DT_BOOL);
  if (IS_EXC(mask)) return mask;
  Value zero = a.dtype == DT_FLOAT ? F(0.0) : a.dtype == DT_INT ? N(0) : v_bool(false);
  if (upper) return lib_select(I, mask, zero, K(args[0]));
  return lib_select(I, mask, K(args[0]), zero);
}
LIB_FN(bi_tril) { return tril_triu(I, args, false, "tril"); }
LIB_FN(bi_triu) { return tril_triu(I, args, true, "triu"); }
