/* lib_shape.c — shape manipulation: reshape ravel transpose moveaxis
 * swapaxes expand_dims squeeze atleast_1d/2d concatenate stack hstack
 * vstack split array_split broadcast_to tile repeat flip roll take pad,
 * and the misc queries shape ndim size dtype.
 *
 * All data movement is reshape / transpose / broadcast_in_dim / slice /
 * concatenate / rev / gather / pad primitives; only shapes, axes and
 * counts are read concretely.
 */
#include "lib_internal.h"

#include <string.h>

/* ---- queries ----------------------------------------------------------- */

LIB_FN(bi_shape) {
  Aval a;
  if (lib_aval(I, args[0], "shape", "x", &a) < 0) return v_exc();
  Value t = tuple_new(I, a.ndim);
  if (IS_EXC(t)) return t;
  for (int k = 0; k < a.ndim; k++) AS_TUPLE(t)->items[k] = v_int(a.shape[k]);
  return t;
}

LIB_FN(bi_ndim) {
  Aval a;
  if (lib_aval(I, args[0], "ndim", "x", &a) < 0) return v_exc();
  return v_int(a.ndim);
}

LIB_FN(bi_size) {
  Aval a;
  if (lib_aval(I, args[0], "size", "x", &a) < 0) return v_exc();
  if (lib_is_missing(args[1])) return v_int(lib_aval_size(&a));
  int64_t ax;
  if (lib_axis_arg(I, args[1], a.ndim, "size", "axis", &ax) < 0) return v_exc();
  return v_int(a.shape[ax]);
}

LIB_FN(bi_dtype) {
  Aval a;
  if (lib_aval(I, args[0], "dtype", "x", &a) < 0) return v_exc();
  return str_from(I, dtype_name((DType)a.dtype));
}

/* ---- reshape ------------------------------------------------------------ */

LIB_FN_TUPLIFIED(bi_reshape, 1u << 1) {
  Aval a;
  if (lib_aval(I, args[0], "reshape", "x", &a) < 0) return v_exc();
  Value sv = args[1];
  int nd;
  int64_t sh[JX_MAXDIM];
  if (sv.tag == T_INT || sv.tag == T_BOOL) {
    nd = 1;
    sh[0] = sv.u.i;
  } else if (sv.tag == T_TUPLE) {
    Tuple *t = AS_TUPLE(sv);
    if (t->n > JX_MAXDIM)
      return jx_raise(I, E_VALUE, "reshape: at most %d dimensions are supported", JX_MAXDIM);
    nd = (int)t->n;
    for (int k = 0; k < nd; k++) {
      if (t->items[k].tag != T_INT && t->items[k].tag != T_BOOL)
        return jx_raise(I, E_TYPE, "reshape: 'shape' must be a tuple of ints, but element %d is %s",
                        k, type_name(t->items[k]));
      sh[k] = t->items[k].u.i;
    }
  } else {
    if (lib_shape_arg(I, sv, "reshape", "shape", &nd, sh) < 0) return v_exc();
  }
  int unknown = -1;
  int64_t known = 1;
  bool overflow = false;
  for (int k = 0; k < nd; k++) {
    if (sh[k] == -1) {
      if (unknown >= 0)
        return jx_raise(I, E_VALUE, "reshape: can only specify one unknown dimension (-1)");
      unknown = k;
    } else if (sh[k] < 0) {
      return jx_raise(I, E_VALUE, "reshape: negative dimension %lld in the new shape",
                      (long long)sh[k]);
    } else if (__builtin_mul_overflow(known, sh[k], &known)) {
      overflow = true;
    }
  }
  int64_t size = lib_aval_size(&a);
  char b1[LIB_SHBUF], b2[LIB_SHBUF];
  if (unknown >= 0 && !overflow) {
    if (known == 0 || size % known != 0) {
      if (known != 0 || size != 0) overflow = true;
      else sh[unknown] = 0; /* numpy rejects this as ambiguous; take 0 */
    } else {
      sh[unknown] = size / known;
      known = size;
    }
  }
  if (overflow || known != size)
    return jx_raise(I, E_SHAPE, "reshape: cannot reshape array of shape %s into shape %s",
                    lib_shape_str(b1, a.ndim, a.shape), lib_shape_str(b2, nd, sh));
  return lib_reshape(I, K(args[0]), nd, sh);
}

LIB_FN(bi_ravel) {
  Aval a;
  if (lib_aval(I, args[0], "ravel", "x", &a) < 0) return v_exc();
  return lib_ravel(I, args[0]);
}

/* ---- transpose / moveaxis / swapaxes ------------------------------------ */

Value lib_T(Interp *I, Value x) {
  Aval a;
  if (lib_aval(I, x, "transpose", "x", &a) < 0) return v_exc();
  int64_t perm[JX_MAXDIM];
  for (int k = 0; k < a.ndim; k++) perm[k] = a.ndim - 1 - k;
  return lib_transpose(I, K(x), a.ndim, perm);
}

LIB_FN(bi_transpose) {
  if (lib_is_missing(args[1])) return lib_T(I, args[0]);
  Aval a;
  if (lib_aval(I, args[0], "transpose", "x", &a) < 0) return v_exc();
  int n;
  int64_t perm[JX_MAXDIM];
  bool all;
  if (lib_axes_arg(I, args[1], a.ndim, "transpose", "axes", false, &n, perm, &all) < 0)
    return v_exc();
  if (n != a.ndim)
    return jx_raise(I, E_VALUE, "transpose: axes don't match array (%d axes given for an "
                    "array of dimension %d)", n, a.ndim);
  return lib_transpose(I, K(args[0]), a.ndim, perm);
}

LIB_FN(bi_moveaxis) {
  Aval a;
  if (lib_aval(I, args[0], "moveaxis", "x", &a) < 0) return v_exc();
  int ns, nd;
  int64_t src[JX_MAXDIM], dst[JX_MAXDIM];
  bool all;
  if (lib_axes_arg(I, args[1], a.ndim, "moveaxis", "source", false, &ns, src, &all) < 0 ||
      lib_axes_arg(I, args[2], a.ndim, "moveaxis", "destination", false, &nd, dst, &all) < 0)
    return v_exc();
  if (ns != nd)
    return jx_raise(I, E_VALUE, "moveaxis: `source` and `destination` arguments must have the "
                    "same number of elements");
  /* numpy: the other axes keep their order; each source lands at its
   * destination, inserted in order of destination. */
  int64_t perm[JX_MAXDIM];
  bool taken[JX_MAXDIM] = {false};
  bool is_src[JX_MAXDIM] = {false};
  for (int k = 0; k < ns; k++) {
    taken[dst[k]] = true;
    is_src[src[k]] = true;
    perm[dst[k]] = src[k];
  }
  int j = 0;
  for (int k = 0; k < a.ndim; k++) {
    if (is_src[k]) continue;
    while (taken[j]) j++;
    perm[j++] = k;
  }
  return lib_transpose(I, K(args[0]), a.ndim, perm);
}

LIB_FN(bi_swapaxes) {
  Aval a;
  int64_t a1, a2;
  if (lib_aval(I, args[0], "swapaxes", "x", &a) < 0) return v_exc();
  if (lib_axis_arg(I, args[1], a.ndim, "swapaxes", "axis1", &a1) < 0 ||
      lib_axis_arg(I, args[2], a.ndim, "swapaxes", "axis2", &a2) < 0)
    return v_exc();
  int64_t perm[JX_MAXDIM];
  for (int k = 0; k < a.ndim; k++) perm[k] = k;
  perm[a1] = a2;
  perm[a2] = a1;
  return lib_transpose(I, K(args[0]), a.ndim, perm);
}

/* ---- expand_dims / squeeze / atleast_nd ---------------------------------- */

LIB_FN_TUPLIFIED(bi_expand_dims, 1u << 1) {
  Aval a;
  if (lib_aval(I, args[0], "expand_dims", "x", &a) < 0) return v_exc();
  int n = 1;
  if (args[1].tag == T_TUPLE) n = (int)AS_TUPLE(args[1])->n;
  if (a.ndim + n > JX_MAXDIM)
    return jx_raise(I, E_VALUE, "expand_dims: at most %d dimensions are supported", JX_MAXDIM);
  int64_t axes[JX_MAXDIM];
  bool all;
  if (lib_axes_arg(I, args[1], a.ndim + n, "expand_dims", "axis", true, &n, axes, &all) < 0)
    return v_exc();
  if (all) return jx_raise(I, E_TYPE, "expand_dims: 'axis' is required");
  return lib_expand(I, args[0], n, axes);
}

LIB_FN(bi_squeeze) {
  Aval a;
  if (lib_aval(I, args[0], "squeeze", "x", &a) < 0) return v_exc();
  int n;
  int64_t axes[JX_MAXDIM];
  bool all, drop[JX_MAXDIM] = {false};
  if (lib_axes_arg(I, args[1], a.ndim, "squeeze", "axis", true, &n, axes, &all) < 0)
    return v_exc();
  for (int k = 0; k < n; k++) {
    if (a.shape[axes[k]] == 1) drop[axes[k]] = true;
    else if (!all)
      return jx_raise(I, E_VALUE, "squeeze: cannot select an axis to squeeze out which has size "
                      "not equal to one (axis %lld has size %lld)", (long long)axes[k],
                      (long long)a.shape[axes[k]]);
  }
  int64_t sh[JX_MAXDIM];
  int nd = 0;
  for (int k = 0; k < a.ndim; k++)
    if (!drop[k]) sh[nd++] = a.shape[k];
  return lib_reshape(I, K(args[0]), nd, sh);
}

static Value atleast(Interp *I, Value x, int want, const char *fname) {
  Aval a;
  if (lib_aval(I, x, fname, "x", &a) < 0) return v_exc();
  if (a.ndim >= want) return K(x);
  int64_t sh[3];
  /* numpy: 0-d -> (1,)/(1,1); 1-d (n,) -> (1, n) */
  int pad = want - a.ndim;
  for (int k = 0; k < pad; k++) sh[k] = 1;
  for (int k = 0; k < a.ndim; k++) sh[pad + k] = a.shape[k];
  return lib_reshape(I, K(x), want, sh);
}
LIB_FN(bi_atleast_1d) { return atleast(I, args[0], 1, "atleast_1d"); }
LIB_FN(bi_atleast_2d) { return atleast(I, args[0], 2, "atleast_2d"); }

/* ---- concatenate / stack -------------------------------------------------- */

static int tuple_items(Interp *I, Value xs, const char *fname, int64_t *n, Value **items) {
  if (xs.tag != T_TUPLE)
    return jx_raisei(I, E_TYPE, "%s: 'arrays' must be a tuple of arrays, not %s", fname,
                     type_name(xs));
  *n = AS_TUPLE(xs)->n;
  *items = AS_TUPLE(xs)->items;
  for (int64_t k = 0; k < *n; k++)
    if (!lib_is_num((*items)[k]))
      return jx_raisei(I, E_TYPE, "%s: element %lld of 'arrays' is %s, not an array", fname,
                       (long long)k, type_name((*items)[k]));
  if (*n > (1 << 20)) return jx_raisei(I, E_VALUE, "%s: too many arrays", fname);
  return 0;
}

/* rows of a (an array, maybe traced) concatenated along axis of the rows */
static Value concat_rows(Interp *I, Value x, Value axisv, const char *fname) {
  Aval a;
  if (lib_aval(I, x, fname, "arrays", &a) < 0) return v_exc();
  if (a.ndim < 2)
    return jx_raise(I, E_VALUE, "%s: zero-dimensional arrays cannot be concatenated", fname);
  int64_t ax;
  if (lib_axis_arg(I, axisv, a.ndim - 1, fname, "axis", &ax) < 0) return v_exc();
  Value m = lib_moveaxis1(I, x, 0, (int)ax);
  int64_t sh[JX_MAXDIM];
  int nd = 0;
  for (int k = 1; k < a.ndim; k++) {
    sh[nd] = a.shape[k];
    if (k - 1 == ax) sh[nd] *= a.shape[0];
    nd++;
  }
  return lib_reshape(I, m, nd, sh);
}

LIB_FN(bi_concatenate) {
  Value xs = args[0];
  if (xs.tag == T_ARRAY || xs.tag == T_TRACER) {
    if (lib_is_missing(args[1])) return lib_ravel(I, xs);
    return concat_rows(I, xs, args[1], "concatenate");
  }
  int64_t n;
  Value *items;
  if (tuple_items(I, xs, "concatenate", &n, &items) < 0) return v_exc();
  if (!lib_is_missing(args[1])) {
    int64_t ax;
    if (lib_int_arg(I, args[1], "concatenate", "axis", &ax) < 0) return v_exc();
    return lib_concat(I, "concatenate", (int)n, items, ax);
  }
  /* axis=None: flatten everything first */
  Value *flat = jx_calloc(I, (size_t)(n ? n : 1), sizeof(Value));
  if (!flat) return v_exc();
  Value r = v_exc();
  int64_t k = 0;
  for (; k < n; k++) {
    flat[k] = lib_ravel(I, items[k]);
    if (IS_EXC(flat[k])) goto done;
  }
  r = lib_concat(I, "concatenate", (int)n, flat, 0);
done:
  for (int64_t j = 0; j < k; j++) v_decref(flat[j]);
  jx_free(flat);
  return r;
}

Value lib_stack(Interp *I, const char *fname, int64_t n, const Value *items, Value axisv) {
  if (n == 0) return jx_raise(I, E_VALUE, "%s: need at least one array to stack", fname);
  Aval a0;
  if (lib_aval(I, items[0], fname, "arrays", &a0) < 0) return v_exc();
  for (int64_t k = 1; k < n; k++) {
    Aval ak;
    if (lib_aval(I, items[k], fname, "arrays", &ak) < 0) return v_exc();
    if (ak.ndim != a0.ndim || memcmp(ak.shape, a0.shape, sizeof(int64_t) * (size_t)a0.ndim)) {
      char b1[LIB_SHBUF], b2[LIB_SHBUF];
      return jx_raise(I, E_SHAPE, "%s: all input arrays must have the same shape (array 0 has "
                      "shape %s, array %lld has shape %s)", fname,
                      lib_shape_str(b1, a0.ndim, a0.shape), (long long)k,
                      lib_shape_str(b2, ak.ndim, ak.shape));
    }
  }
  if (a0.ndim + 1 > JX_MAXDIM) return jx_raise(I, E_VALUE, "%s: too many dimensions", fname);
  int64_t ax;
  if (lib_axis_arg(I, axisv, a0.ndim + 1, fname, "axis", &ax) < 0) return v_exc();
  Value *ex = jx_calloc(I, (size_t)n, sizeof(Value));
  if (!ex) return v_exc();
  Value r = v_exc();
  int64_t k = 0;
  for (; k < n; k++) {
    ex[k] = lib_expand(I, items[k], 1, &ax);
    if (IS_EXC(ex[k])) goto done;
  }
  r = lib_concat(I, fname, (int)n, ex, ax);
done:
  for (int64_t j = 0; j < k; j++) v_decref(ex[j]);
  jx_free(ex);
  return r;
}

LIB_FN(bi_stack) {
  Value xs = args[0];
  if (xs.tag == T_ARRAY || xs.tag == T_TRACER) {
    Aval a;
    if (lib_aval(I, xs, "stack", "arrays", &a) < 0) return v_exc();
    int64_t ax;
    if (lib_axis_arg(I, args[1], a.ndim, "stack", "axis", &ax) < 0) return v_exc();
    return lib_moveaxis1(I, xs, 0, (int)ax);
  }
  int64_t n;
  Value *items;
  if (tuple_items(I, xs, "stack", &n, &items) < 0) return v_exc();
  return lib_stack(I, "stack", n, items, args[1]);
}

static Value hvstack(Interp *I, Value xs, bool vertical, const char *fname) {
  if (xs.tag == T_ARRAY || xs.tag == T_TRACER) {
    Aval a;
    if (lib_aval(I, xs, fname, "arrays", &a) < 0) return v_exc();
    if (a.ndim == 1) { /* a sequence of scalars */
      if (!vertical) return K(xs);
      int64_t sh[2] = {a.shape[0], 1};
      return lib_reshape(I, K(xs), 2, sh);
    }
    if (vertical && a.ndim == 2) return K(xs); /* rows (n,) become (1, n) each */
    return concat_rows(I, xs, v_int(vertical || a.ndim == 2 ? 0 : 1), fname);
  }
  int64_t n;
  Value *items;
  if (tuple_items(I, xs, fname, &n, &items) < 0) return v_exc();
  if (n == 0) return jx_raise(I, E_VALUE, "%s: need at least one array to concatenate", fname);
  Value *parts = jx_calloc(I, (size_t)n, sizeof(Value));
  if (!parts) return v_exc();
  Value r = v_exc();
  int64_t k = 0;
  for (; k < n; k++) {
    parts[k] = atleast(I, items[k], vertical ? 2 : 1, fname);
    if (IS_EXC(parts[k])) goto done;
  }
  Aval a0;
  if (val_aval(I, parts[0], &a0) < 0) goto done;
  r = lib_concat(I, fname, (int)n, parts, vertical || a0.ndim == 1 ? 0 : 1);
done:
  for (int64_t j = 0; j < k; j++) v_decref(parts[j]);
  jx_free(parts);
  return r;
}
LIB_FN(bi_hstack) { return hvstack(I, args[0], false, "hstack"); }
LIB_FN(bi_vstack) { return hvstack(I, args[0], true, "vstack"); }

/* ---- split -------------------------------------------------------------- */

static Value split_impl(Interp *I, Value *args, bool even, const char *fname) {
  Aval a;
  if (lib_aval(I, args[0], fname, "x", &a) < 0) return v_exc();
  if (a.ndim == 0) return jx_raise(I, E_VALUE, "%s: cannot split a 0-d array", fname);
  int64_t ax;
  if (lib_axis_arg(I, args[2], a.ndim, fname, "axis", &ax) < 0) return v_exc();
  int64_t len = a.shape[ax];
  int64_t nparts;
  int64_t *bounds; /* nparts + 1 boundaries */
  Value ios = args[1];
  if (ios.tag == T_INT || ios.tag == T_BOOL) {
    nparts = ios.u.i;
    if (nparts <= 0)
      return jx_raise(I, E_VALUE, "%s: number of sections must be larger than 0", fname);
    if (nparts > (1 << 24)) return jx_raise(I, E_VALUE, "%s: too many sections", fname);
    if (even && len % nparts != 0)
      return jx_raise(I, E_VALUE, "%s: array split does not result in an equal division (%lld "
                      "into %lld sections)", fname, (long long)len, (long long)nparts);
    bounds = jx_malloc(I, sizeof(int64_t) * (size_t)(nparts + 1));
    if (!bounds) return v_exc();
    int64_t each = len / nparts, extra = len % nparts;
    bounds[0] = 0;
    for (int64_t k = 0; k < nparts; k++) bounds[k + 1] = bounds[k] + each + (k < extra);
  } else if (ios.tag == T_TUPLE) {
    Tuple *t = AS_TUPLE(ios);
    nparts = t->n + 1;
    bounds = jx_malloc(I, sizeof(int64_t) * (size_t)(nparts + 1));
    if (!bounds) return v_exc();
    bounds[0] = 0;
    for (int64_t k = 0; k < t->n; k++) {
      int64_t b;
      if (lib_int_arg(I, t->items[k], fname, "indices_or_sections", &b) < 0) {
        jx_free(bounds);
        return v_exc();
      }
      if (b < 0) b += len;
      if (b < 0) b = 0;
      if (b > len) b = len;
      bounds[k + 1] = b;
    }
    bounds[nparts] = len;
  } else {
    return jx_raise(I, E_TYPE, "%s: 'indices_or_sections' must be an int or a tuple of ints, not %s",
                    fname, type_name(ios));
  }
  Value out = tuple_new(I, nparts);
  if (IS_EXC(out)) {
    jx_free(bounds);
    return out;
  }
  int64_t st[JX_MAXDIM], sp[JX_MAXDIM], step[JX_MAXDIM];
  for (int k = 0; k < a.ndim; k++) {
    st[k] = 0;
    sp[k] = a.shape[k];
    step[k] = 1;
  }
  for (int64_t k = 0; k < nparts; k++) {
    st[ax] = bounds[k];
    sp[ax] = bounds[k + 1] < bounds[k] ? bounds[k] : bounds[k + 1];
    Value s = lib_slice(I, K(args[0]), a.ndim, st, sp, step);
    if (IS_EXC(s)) {
      v_decref(out);
      jx_free(bounds);
      return s;
    }
    AS_TUPLE(out)->items[k] = s;
  }
  jx_free(bounds);
  return out;
}
LIB_FN_TUPLIFIED(bi_split, 1u << 1) { return split_impl(I, args, true, "split"); }
LIB_FN_TUPLIFIED(bi_array_split, 1u << 1) { return split_impl(I, args, false, "array_split"); }

/* ---- broadcast_to / tile / repeat ------------------------------------------ */

LIB_FN(bi_broadcast_to) {
  Aval a;
  int nd;
  int64_t sh[JX_MAXDIM];
  if (lib_aval(I, args[0], "broadcast_to", "x", &a) < 0) return v_exc();
  if (lib_shape_arg(I, args[1], "broadcast_to", "shape", &nd, sh) < 0) return v_exc();
  bool ok = nd >= a.ndim;
  for (int k = 0; ok && k < a.ndim; k++) {
    int64_t d = a.shape[k], t = sh[nd - a.ndim + k];
    if (d != t && d != 1) ok = false;
  }
  if (!ok) {
    char b1[LIB_SHBUF], b2[LIB_SHBUF];
    return jx_raise(I, E_SHAPE, "broadcast_to: cannot broadcast an array of shape %s to shape %s",
                    lib_shape_str(b1, a.ndim, a.shape), lib_shape_str(b2, nd, sh));
  }
  return lib_bcast(I, K(args[0]), nd, sh);
}

LIB_FN(bi_tile) {
  Aval a;
  int nr;
  int64_t reps[JX_MAXDIM];
  if (lib_aval(I, args[0], "tile", "x", &a) < 0) return v_exc();
  if (lib_shape_arg(I, args[1], "tile", "reps", &nr, reps) < 0) return v_exc();
  int d = a.ndim > nr ? a.ndim : nr;
  if (2 * d > JX_MAXDIM)
    return jx_raise(I, E_VALUE, "tile: at most %d dimensions are supported", JX_MAXDIM / 2);
  int64_t xs[JX_MAXDIM], rs[JX_MAXDIM];
  for (int k = 0; k < d; k++) {
    xs[k] = k < d - a.ndim ? 1 : a.shape[k - (d - a.ndim)];
    rs[k] = k < d - nr ? 1 : reps[k - (d - nr)];
  }
  /* x (as xs) broadcast into (r0, x0, r1, x1, …), then merged pairwise */
  int64_t big[JX_MAXDIM], dims[JX_MAXDIM], out[JX_MAXDIM];
  for (int k = 0; k < d; k++) {
    big[2 * k] = rs[k];
    big[2 * k + 1] = xs[k];
    dims[k] = 2 * k + 1;
    if (__builtin_mul_overflow(rs[k], xs[k], &out[k]))
      return jx_raise(I, E_VALUE, "tile: the result is too large");
  }
  int64_t total;
  if (shape_size(I, d, out, &total) < 0) return v_exc();
  Value r = lib_reshape(I, K(args[0]), d, xs);
  r = lib_bcast_dims(I, r, 2 * d, big, dims);
  return lib_reshape(I, r, d, out);
}

LIB_FN(bi_repeat) {
  Aval a;
  if (lib_aval(I, args[0], "repeat", "x", &a) < 0) return v_exc();
  Value x = K(args[0]);
  int64_t ax;
  if (lib_is_missing(args[2]) || a.ndim == 0) {
    if (!lib_is_missing(args[2]) &&
        lib_axis_arg(I, args[2], 1, "repeat", "axis", &ax) < 0) {
      v_decref(x);
      return v_exc();
    }
    Value f = lib_ravel(I, x);
    v_decref(x);
    x = f;
    if (IS_EXC(x)) return x;
    if (val_aval(I, x, &a) < 0) {
      v_decref(x);
      return v_exc();
    }
    ax = 0;
  } else if (lib_axis_arg(I, args[2], a.ndim, "repeat", "axis", &ax) < 0) {
    v_decref(x);
    return v_exc();
  }
  Value rv = args[1];
  if (rv.tag == T_INT || rv.tag == T_BOOL) {
    int64_t r = rv.u.i;
    if (r < 0) {
      v_decref(x);
      return jx_raise(I, E_VALUE, "repeat: negative repeats are not allowed");
    }
    if (a.ndim + 1 > JX_MAXDIM) {
      v_decref(x);
      return jx_raise(I, E_VALUE, "repeat: too many dimensions");
    }
    /* (…, n, 1, …) broadcast to (…, n, r, …), merged */
    int64_t sh[JX_MAXDIM], dims[JX_MAXDIM], out[JX_MAXDIM];
    for (int k = 0, j = 0; k < a.ndim; k++) {
      dims[k] = j;
      sh[j++] = a.shape[k];
      if (k == ax) sh[j++] = r;
    }
    memcpy(out, a.shape, sizeof(int64_t) * (size_t)a.ndim);
    if (__builtin_mul_overflow(out[ax], r, &out[ax])) {
      v_decref(x);
      return jx_raise(I, E_VALUE, "repeat: the result is too large");
    }
    int64_t total;
    if (shape_size(I, a.ndim, out, &total) < 0) {
      v_decref(x);
      return v_exc();
    }
    return lib_reshape(I, lib_bcast_dims(I, x, a.ndim + 1, sh, dims), a.ndim, out);
  }
  /* per-element repeats: a concrete index vector, then gather */
  int64_t *reps = NULL;
  int64_t n = a.shape[ax];
  if (rv.tag == T_TUPLE || (rv.tag == T_ARRAY && AS_ARRAY(rv)->dtype != DT_FLOAT &&
                            AS_ARRAY(rv)->ndim == 1)) {
    int64_t cnt = rv.tag == T_TUPLE ? AS_TUPLE(rv)->n : AS_ARRAY(rv)->size;
    if (cnt != n && cnt != 1) {
      v_decref(x);
      return jx_raise(I, E_VALUE, "repeat: %lld repeats given for an axis of length %lld",
                      (long long)cnt, (long long)n);
    }
    reps = jx_malloc(I, sizeof(int64_t) * (size_t)(n ? n : 1));
    if (!reps) {
      v_decref(x);
      return v_exc();
    }
    for (int64_t k = 0; k < n; k++) {
      int64_t kk = cnt == 1 ? 0 : k, r;
      if (rv.tag == T_TUPLE) {
        if (lib_int_arg(I, AS_TUPLE(rv)->items[kk], "repeat", "repeats", &r) < 0) {
          jx_free(reps);
          v_decref(x);
          return v_exc();
        }
      } else {
        r = arr_get_i(AS_ARRAY(rv), kk);
      }
      if (r < 0) {
        jx_free(reps);
        v_decref(x);
        return jx_raise(I, E_VALUE, "repeat: negative repeats are not allowed");
      }
      reps[k] = r;
    }
  } else {
    v_decref(x);
    return jx_raise(I, E_TYPE, "repeat: 'repeats' must be a concrete int or a tuple of ints, not %s",
                    type_name(rv));
  }
  int64_t total = 0;
  for (int64_t k = 0; k < n; k++)
    if (__builtin_add_overflow(total, reps[k], &total)) {
      jx_free(reps);
      v_decref(x);
      return jx_raise(I, E_VALUE, "repeat: the result is too large");
    }
  Array *idx = arr_alloc(I, DT_INT, 1, &total);
  if (!idx) {
    jx_free(reps);
    v_decref(x);
    return v_exc();
  }
  for (int64_t k = 0, j = 0; k < n; k++)
    for (int64_t r = 0; r < reps[k]; r++) ARR_I(idx)[j++] = k;
  jx_free(reps);
  Params p = PARAMS_INIT;
  p.i0 = ax;
  Value in[2] = {x, v_obj(&idx->hdr)};
  return lib_prim(I, P_gather, 2, in, &p);
}

/* ---- flip / roll -------------------------------------------------------- */

LIB_FN(bi_flip) {
  Aval a;
  if (lib_aval(I, args[0], "flip", "x", &a) < 0) return v_exc();
  int n;
  int64_t axes[JX_MAXDIM];
  bool all;
  if (lib_axes_arg(I, args[1], a.ndim, "flip", "axis", true, &n, axes, &all) < 0)
    return v_exc();
  if (n == 0) return K(args[0]);
  Params p = PARAMS_INIT;
  p.n = n;
  memcpy(p.a, axes, sizeof(int64_t) * (size_t)n);
  return jx_bind1(I, P_rev, args[0], &p);
}

static Value flip1(Interp *I, Value x, int64_t ax, int need, const char *fname) {
  Aval a;
  if (lib_aval(I, x, fname, "x", &a) < 0) return v_exc();
  if (a.ndim < need)
    return jx_raise(I, E_VALUE, "%s: the input must be >= %d-d", fname, need);
  Params p = PARAMS_INIT;
  p.n = 1;
  p.a[0] = ax;
  return jx_bind1(I, P_rev, x, &p);
}
LIB_FN(bi_flipud) { return flip1(I, args[0], 0, 1, "flipud"); }
LIB_FN(bi_fliplr) { return flip1(I, args[0], 1, 2, "fliplr"); }

static Value roll_axis(Interp *I, Value x, const Aval *a, int64_t ax, int64_t shift) {
  int64_t n = a->shape[ax];
  if (n == 0) return x;
  int64_t s = shift % n;
  if (s < 0) s += n;
  if (s == 0) return x;
  int64_t st[JX_MAXDIM], sp[JX_MAXDIM], step[JX_MAXDIM];
  for (int k = 0; k < a->ndim; k++) {
    st[k] = 0;
    sp[k] = a->shape[k];
    step[k] = 1;
  }
  st[ax] = n - s;
  Value tail = lib_slice(I, K(x), a->ndim, st, sp, step);
  st[ax] = 0;
  sp[ax] = n - s;
  Value head = lib_slice(I, x, a->ndim, st, sp, step);
  if (IS_EXC(tail) || IS_EXC(head)) {
    if (!IS_EXC(tail)) v_decref(tail);
    if (!IS_EXC(head)) v_decref(head);
    return v_exc();
  }
  Value parts[2] = {tail, head};
  Value r = lib_concat(I, "roll", 2, parts, ax);
  v_decref(tail);
  v_decref(head);
  return r;
}

LIB_FN_TUPLIFIED(bi_roll, 1u << 1) {
  Aval a;
  if (lib_aval(I, args[0], "roll", "x", &a) < 0) return v_exc();
  if (lib_is_missing(args[2])) {
    int64_t shift;
    if (lib_int_arg(I, args[1], "roll", "shift", &shift) < 0) return v_exc();
    Value f = lib_ravel(I, args[0]);
    if (IS_EXC(f)) return f;
    Aval fa;
    if (val_aval(I, f, &fa) < 0) {
      v_decref(f);
      return v_exc();
    }
    return lib_reshape(I, roll_axis(I, f, &fa, 0, shift), a.ndim, a.shape);
  }
  int n;
  int64_t axes[JX_MAXDIM];
  bool all;
  if (lib_axes_arg(I, args[2], a.ndim, "roll", "axis", false, &n, axes, &all) < 0)
    return v_exc();
  int64_t shifts[JX_MAXDIM];
  if (args[1].tag == T_TUPLE) {
    Tuple *t = AS_TUPLE(args[1]);
    if (t->n != n)
      return jx_raise(I, E_VALUE, "roll: 'shift' and 'axis' must have the same length");
    for (int k = 0; k < n; k++)
      if (lib_int_arg(I, t->items[k], "roll", "shift", &shifts[k]) < 0) return v_exc();
  } else {
    int64_t s;
    if (lib_int_arg(I, args[1], "roll", "shift", &s) < 0) return v_exc();
    for (int k = 0; k < n; k++) shifts[k] = s;
  }
  Value r = K(args[0]);
  for (int k = 0; k < n && !IS_EXC(r); k++) r = roll_axis(I, r, &a, axes[k], shifts[k]);
  return r;
}

/* ---- take ----------------------------------------------------------------- */

/* Indices wrapped (negative count from the end).  Concrete indices are
 * checked (IndexError); traced ones are clamped into range, as JAX does. */
static Value wrap_indices(Interp *I, Value idx, int64_t n, const char *fname) {
  if (idx.tag == T_INT || idx.tag == T_BOOL) {
    int64_t i = idx.u.i;
    if (i < -n || i >= n)
      return jx_raise(I, E_INDEX, "%s: index %lld is out of bounds for axis with size %lld",
                      fname, (long long)i, (long long)n);
    return v_int(i < 0 ? i + n : i);
  }
  if (idx.tag == T_ARRAY) {
    Array *a = AS_ARRAY(idx);
    bool neg = false;
    for (int64_t k = 0; k < a->size; k++) {
      int64_t i = arr_get_i(a, k);
      if (i < -n || i >= n)
        return jx_raise(I, E_INDEX, "%s: index %lld is out of bounds for axis with size %lld",
                        fname, (long long)i, (long long)n);
      if (i < 0) neg = true;
    }
    if (a->dtype == DT_INT && !neg) return K(idx);
    Array *b = arr_alloc(I, DT_INT, a->ndim, a->shape);
    if (!b) return v_exc();
    for (int64_t k = 0; k < a->size; k++) {
      int64_t i = arr_get_i(a, k);
      ARR_I(b)[k] = i < 0 ? i + n : i;
    }
    return v_obj(&b->hdr);
  }
  /* traced */
  if (n == 0)
    return jx_raise(I, E_INDEX, "%s: cannot take from an empty axis", fname);
  Value w = lib_select(I, lib_bin(I, P_lt, K(idx), N(0)), lib_bin(I, P_add, K(idx), N(n)),
                       K(idx));
  return lib_bin(I, P_min, lib_bin(I, P_max, w, N(0)), N(n - 1));
}

Value lib_take(Interp *I, Value x, Value idx, Value axisv, const char *fname) {
  Aval a, ia;
  if (lib_aval(I, x, fname, "x", &a) < 0) return v_exc();
  Value iv;
  if (idx.tag == T_TUPLE) {
    iv = arr_from_nested(I, idx, DT_INT);
    if (IS_EXC(iv)) return iv;
  } else {
    if (lib_aval(I, idx, fname, "indices", &ia) < 0) return v_exc();
    if (ia.dtype == DT_FLOAT)
      return jx_raise(I, E_TYPE, "%s: indices must be integers, not float64", fname);
    iv = K(idx);
  }
  Value xx;
  int64_t ax;
  if (lib_is_missing(axisv)) {
    xx = lib_ravel(I, x);
    ax = 0;
    a.shape[0] = lib_aval_size(&a);
    a.ndim = 1;
  } else {
    if (a.ndim == 0) {
      v_decref(iv);
      return jx_raise(I, E_VALUE, "%s: cannot take from a 0-d array along an axis", fname);
    }
    if (lib_axis_arg(I, axisv, a.ndim, fname, "axis", &ax) < 0) {
      v_decref(iv);
      return v_exc();
    }
    xx = K(x);
  }
  if (IS_EXC(xx)) {
    v_decref(iv);
    return xx;
  }
  if (val_aval(I, iv, &ia) < 0 || ia.ndim + a.ndim - 1 > JX_MAXDIM) {
    if (ia.ndim + a.ndim - 1 > JX_MAXDIM) jx_raise(I, E_VALUE, "%s: too many dimensions", fname);
    v_decref(iv);
    v_decref(xx);
    return v_exc();
  }
  Value w = wrap_indices(I, iv, a.shape[ax], fname);
  v_decref(iv);
  Params p = PARAMS_INIT;
  p.i0 = ax;
  Value in[2] = {xx, lib_convert(I, w, DT_INT)};
  return lib_prim(I, P_gather, 2, in, &p);
}

LIB_FN(bi_take) { return lib_take(I, args[0], args[1], args[2], "take"); }

/* ---- pad ------------------------------------------------------------------ */

LIB_FN_TUPLIFIED(bi_pad, 1u << 1) {
  Aval a;
  if (lib_aval(I, args[0], "pad", "x", &a) < 0) return v_exc();
  if (!lib_is_missing(args[2]) &&
      (args[2].tag != T_STR || strcmp(AS_STR(args[2])->s, "constant") != 0))
    return jx_raise(I, E_VALUE, "pad: only mode=\"constant\" is supported");
  int64_t lo[JX_MAXDIM], hi[JX_MAXDIM], in0[JX_MAXDIM];
  Value pw = args[1];
  /* int | (b, a) | ((b0, a0), (b1, a1), …) | ((b, a),) */
  for (int k = 0; k < a.ndim; k++) in0[k] = 0;
  if (pw.tag == T_INT) {
    for (int k = 0; k < a.ndim; k++) lo[k] = hi[k] = pw.u.i;
  } else if (pw.tag == T_TUPLE && AS_TUPLE(pw)->n > 0 &&
             AS_TUPLE(pw)->items[0].tag != T_TUPLE) {
    Tuple *t = AS_TUPLE(pw);
    if (t->n > 2) return jx_raise(I, E_VALUE, "pad: 'pad_width' (before, after) has %lld entries",
                                  (long long)t->n);
    int64_t b, e;
    if (lib_int_arg(I, t->items[0], "pad", "pad_width", &b) < 0 ||
        lib_int_arg(I, t->items[t->n - 1], "pad", "pad_width", &e) < 0)
      return v_exc();
    for (int k = 0; k < a.ndim; k++) {
      lo[k] = b;
      hi[k] = e;
    }
  } else if (pw.tag == T_TUPLE) {
    Tuple *t = AS_TUPLE(pw);
    if (t->n != a.ndim && t->n != 1)
      return jx_raise(I, E_VALUE, "pad: 'pad_width' has %lld entries for an array of dimension %d",
                      (long long)t->n, a.ndim);
    for (int k = 0; k < a.ndim; k++) {
      Value e = t->items[t->n == 1 ? 0 : k];
      if (e.tag != T_TUPLE || AS_TUPLE(e)->n < 1 || AS_TUPLE(e)->n > 2)
        return jx_raise(I, E_TYPE, "pad: each entry of 'pad_width' must be a pair (before, after)");
      if (lib_int_arg(I, AS_TUPLE(e)->items[0], "pad", "pad_width", &lo[k]) < 0 ||
          lib_int_arg(I, AS_TUPLE(e)->items[AS_TUPLE(e)->n - 1], "pad", "pad_width", &hi[k]) < 0)
        return v_exc();
    }
  } else {
    return jx_raise(I, E_TYPE, "pad: 'pad_width' must be an int or a tuple, not %s",
                    type_name(pw));
  }
  for (int k = 0; k < a.ndim; k++)
    if (lo[k] < 0 || hi[k] < 0)
      return jx_raise(I, E_VALUE, "pad: negative pad widths are not allowed");
  if (a.ndim == 0) return K(args[0]);
  Params p = PARAMS_INIT;
  p.n = p.m = p.k = a.ndim;
  memcpy(p.a, lo, sizeof(int64_t) * (size_t)a.ndim);
  memcpy(p.b, hi, sizeof(int64_t) * (size_t)a.ndim);
  memcpy(p.c, in0, sizeof(int64_t) * (size_t)a.ndim);
  Value padded = jx_bind1(I, P_pad, args[0], &p);
  Value cv = args[3];
  if (lib_is_missing(cv) || IS_EXC(padded) ||
      ((cv.tag == T_INT || cv.tag == T_BOOL) && cv.u.i == 0) ||
      (cv.tag == T_FLOAT && cv.u.f == 0.0 && !__builtin_signbit(cv.u.f)))
    return padded;
  Aval ca;
  if (lib_aval(I, cv, "pad", "constant_values", &ca) < 0) {
    v_decref(padded);
    return v_exc();
  }
  /* a constant other than 0: select with a mask of the original region */
  Array *ones = arr_alloc(I, DT_BOOL, a.ndim, a.shape);
  if (!ones) {
    v_decref(padded);
    return v_exc();
  }
  memset(ones->data, 1, (size_t)ones->size);
  Value mask = lib_unp(I, P_pad, v_obj(&ones->hdr), &p);
  return lib_select(I, mask, padded, lib_convert(I, K(cv), (DType)a.dtype));
}
