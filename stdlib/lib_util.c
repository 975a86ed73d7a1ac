/* lib_util.c — the composition layer and argument parsers shared by the
 * array library (see lib_internal.h for the stealing convention).
 *
 * Owns nothing persistent.  Every numeric step goes through jx_bind; only
 * concrete arguments (shapes, axes, dtypes) are inspected here.
 */
#include "lib_internal.h"

#include <stdio.h>
#include <string.h>

/* ---- composition helpers -------------------------------------------- */

static void release(int n, Value *in) {
  for (int k = 0; k < n; k++)
    if (!IS_EXC(in[k])) v_decref(in[k]);
}

Value lib_prim(Interp *I, PrimId id, int nin, Value *in, const Params *p) {
  for (int k = 0; k < nin; k++)
    if (IS_EXC(in[k])) {
      release(nin, in);
      return v_exc();
    }
  Params empty = PARAMS_INIT;
  Value r = jx_bind(I, id, in, p ? p : &empty);
  release(nin, in);
  return r;
}

Value lib_un(Interp *I, PrimId id, Value x) { return lib_prim(I, id, 1, &x, NULL); }

Value lib_unp(Interp *I, PrimId id, Value x, const Params *p) {
  return lib_prim(I, id, 1, &x, p);
}

Value lib_bin(Interp *I, PrimId id, Value a, Value b) {
  Value in[2] = {a, b};
  return lib_prim(I, id, 2, in, NULL);
}

Value lib_select(Interp *I, Value c, Value a, Value b) {
  Value in[3] = {c, a, b};
  return lib_prim(I, P_select, 3, in, NULL);
}

Value lib_sg(Interp *I, Value x) { return lib_un(I, P_stop_gradient, x); }

/* Aval of an owned value that may be an exception. */
static int aval_of(Interp *I, Value x, Aval *a) {
  if (IS_EXC(x)) return -1;
  return val_aval(I, x, a);
}

Value lib_convert(Interp *I, Value x, DType dt) {
  Aval a;
  if (aval_of(I, x, &a) < 0) {
    if (!IS_EXC(x)) v_decref(x);
    return v_exc();
  }
  if (a.dtype == dt) return x;
  Params p = PARAMS_INIT;
  p.i0 = dt;
  return lib_unp(I, P_convert, x, &p);
}

Value lib_to_float(Interp *I, Value x) { return lib_convert(I, x, DT_FLOAT); }

static bool same_shape(int n1, const int64_t *s1, int n2, const int64_t *s2) {
  if (n1 != n2) return false;
  for (int k = 0; k < n1; k++)
    if (s1[k] != s2[k]) return false;
  return true;
}

Value lib_reshape(Interp *I, Value x, int nd, const int64_t *sh) {
  Aval a;
  if (aval_of(I, x, &a) < 0) {
    if (!IS_EXC(x)) v_decref(x);
    return v_exc();
  }
  if (same_shape(a.ndim, a.shape, nd, sh)) return x;
  Params p = PARAMS_INIT;
  p.n = nd;
  memcpy(p.a, sh, sizeof(int64_t) * (size_t)nd);
  return lib_unp(I, P_reshape, x, &p);
}

Value lib_bcast_dims(Interp *I, Value x, int nd, const int64_t *sh,
                     const int64_t *dims) {
  Aval a;
  if (aval_of(I, x, &a) < 0) {
    if (!IS_EXC(x)) v_decref(x);
    return v_exc();
  }
  bool ident = a.ndim == nd;
  for (int k = 0; ident && k < a.ndim; k++)
    if (dims[k] != k || a.shape[k] != sh[k]) ident = false;
  if (ident) return x;
  Params p = PARAMS_INIT;
  p.n = nd;
  memcpy(p.a, sh, sizeof(int64_t) * (size_t)nd);
  p.m = a.ndim;
  memcpy(p.b, dims, sizeof(int64_t) * (size_t)a.ndim);
  return lib_unp(I, P_broadcast_in_dim, x, &p);
}

Value lib_bcast(Interp *I, Value x, int nd, const int64_t *sh) {
  Aval a;
  if (aval_of(I, x, &a) < 0) {
    if (!IS_EXC(x)) v_decref(x);
    return v_exc();
  }
  if (same_shape(a.ndim, a.shape, nd, sh)) return x;
  int64_t dims[JX_MAXDIM];
  for (int k = 0; k < a.ndim; k++) dims[k] = nd - a.ndim + k;
  return lib_bcast_dims(I, x, nd, sh, dims);
}

Value lib_transpose(Interp *I, Value x, int nd, const int64_t *perm) {
  if (IS_EXC(x)) return x;
  bool ident = true;
  for (int k = 0; k < nd; k++)
    if (perm[k] != k) ident = false;
  if (ident) return x;
  Params p = PARAMS_INIT;
  p.n = nd;
  memcpy(p.a, perm, sizeof(int64_t) * (size_t)nd);
  return lib_unp(I, P_transpose, x, &p);
}

Value lib_reduce(Interp *I, PrimId id, Value x, int naxes, const int64_t *axes) {
  if (IS_EXC(x)) return x;
  if (naxes == 0) {
    /* Nothing to reduce: only the result dtype changes. */
    if (id == P_reduce_sum || id == P_reduce_prod) {
      Aval a;
      if (val_aval(I, x, &a) < 0) {
        v_decref(x);
        return v_exc();
      }
      return a.dtype == DT_BOOL ? lib_convert(I, x, DT_INT) : x;
    }
    if (id == P_reduce_and || id == P_reduce_or) return lib_convert(I, x, DT_BOOL);
    return x;
  }
  Params p = PARAMS_INIT;
  p.n = naxes;
  memcpy(p.a, axes, sizeof(int64_t) * (size_t)naxes);
  /* sort ascending (insertion sort; at most JX_MAXDIM entries) */
  for (int i = 1; i < naxes; i++)
    for (int j = i; j > 0 && p.a[j - 1] > p.a[j]; j--) {
      int64_t t = p.a[j];
      p.a[j] = p.a[j - 1];
      p.a[j - 1] = t;
    }
  return lib_unp(I, id, x, &p);
}

Value lib_reduce_kd(Interp *I, PrimId id, Value x, const Aval *in, int naxes,
                    const int64_t *axes, bool keepdims) {
  Value r = lib_reduce(I, id, x, naxes, axes);
  if (!keepdims || IS_EXC(r)) return r;
  int64_t sh[JX_MAXDIM];
  memcpy(sh, in->shape, sizeof(int64_t) * (size_t)in->ndim);
  for (int k = 0; k < naxes; k++) sh[axes[k]] = 1;
  return lib_reshape(I, r, in->ndim, sh);
}

Value lib_slice(Interp *I, Value x, int nd, const int64_t *start,
                const int64_t *stop, const int64_t *step) {
  if (IS_EXC(x)) return x;
  Params p = PARAMS_INIT;
  p.n = p.m = p.k = nd;
  memcpy(p.a, start, sizeof(int64_t) * (size_t)nd);
  memcpy(p.b, stop, sizeof(int64_t) * (size_t)nd);
  memcpy(p.c, step, sizeof(int64_t) * (size_t)nd);
  return lib_unp(I, P_slice, x, &p);
}

Value lib_dot_general(Interp *I, Value a, Value b, int nc, const int64_t *ca,
                      const int64_t *cb, int nb, const int64_t *ba,
                      const int64_t *bb) {
  Params p = PARAMS_INIT;
  p.n = p.m = nc;
  memcpy(p.a, ca, sizeof(int64_t) * (size_t)nc);
  memcpy(p.b, cb, sizeof(int64_t) * (size_t)nc);
  p.k = nb;
  /* operands of different dtypes are promoted first */
  Aval aa, ab;
  if (!IS_EXC(a) && !IS_EXC(b) && val_aval(I, a, &aa) == 0 && val_aval(I, b, &ab) == 0 &&
      aa.dtype != ab.dtype) {
    DType dt = dtype_promote((DType)aa.dtype, (DType)ab.dtype);
    a = lib_convert(I, a, dt);
    b = lib_convert(I, b, dt);
  }
  if (nb) {
    memcpy(p.c, ba, sizeof(int64_t) * (size_t)nb);
    memcpy(p.d, bb, sizeof(int64_t) * (size_t)nb);
  }
  Value in[2] = {a, b};
  return lib_prim(I, P_dot_general, 2, in, &p);
}

/* ---- inspection ----------------------------------------------------- */

bool lib_is_num(Value v) {
  switch (v.tag) {
  case T_BOOL: case T_INT: case T_FLOAT: case T_ARRAY: case T_TRACER:
    return true;
  default:
    return false;
  }
}

bool lib_is_missing(Value v) { return v.tag == T_NONE || v.tag == T_UNSET; }

int lib_aval(Interp *I, Value v, const char *fname, const char *pname, Aval *out) {
  if (!lib_is_num(v)) {
    if (v.tag == T_UNSET)
      return jx_raisei(I, E_TYPE, "%s: missing argument '%s'", fname, pname);
    return jx_raisei(I, E_TYPE, "%s: argument '%s' must be an array or a number, not %s%s",
                     fname, pname, type_name(v),
                     v.tag == T_TUPLE ? " (array(t) makes an array from a tuple)" : "");
  }
  return val_aval(I, v, out);
}

int64_t lib_aval_size(const Aval *a) {
  int64_t n = 1;
  for (int k = 0; k < a->ndim; k++) n *= a->shape[k];
  return n;
}

const char *lib_shape_str(char *buf, int nd, const int64_t *sh) {
  size_t pos = 0;
  buf[pos++] = '(';
  for (int k = 0; k < nd; k++)
    pos += (size_t)snprintf(buf + pos, 24, k ? ", %lld" : "%lld", (long long)sh[k]);
  if (nd == 1) buf[pos++] = ',';
  buf[pos++] = ')';
  buf[pos] = 0;
  return buf;
}

int lib_bshape(Interp *I, const char *fname, int n1, const int64_t *s1,
               int n2, const int64_t *s2, int *nd, int64_t *out) {
  int n = n1 > n2 ? n1 : n2;
  for (int k = 0; k < n; k++) {
    int64_t d1 = k < n - n1 ? 1 : s1[k - (n - n1)];
    int64_t d2 = k < n - n2 ? 1 : s2[k - (n - n2)];
    if (d1 != d2 && d1 != 1 && d2 != 1) {
      char b1[LIB_SHBUF], b2[LIB_SHBUF];
      return jx_raisei(I, E_SHAPE, "%s: shapes %s and %s cannot be broadcast together",
                       fname, lib_shape_str(b1, n1, s1), lib_shape_str(b2, n2, s2));
    }
    out[k] = d1 == 1 ? d2 : d1;
  }
  *nd = n;
  return 0;
}

/* ---- argument parsing ----------------------------------------------- */

static int dtype_from_name(const char *s) {
  static const char *const fl[] = {"float64", "float32", "float16", "float", "f8",
                                   "f4", "double", "float_", "bfloat16", NULL};
  static const char *const in[] = {"int64", "int32", "int16", "int8", "int",
                                   "uint8", "uint16", "uint32", "uint64", "i8",
                                   "i4", "int_", "long", NULL};
  static const char *const bo[] = {"bool", "bool_", "?", NULL};
  for (int k = 0; fl[k]; k++)
    if (!strcmp(s, fl[k])) return DT_FLOAT;
  for (int k = 0; in[k]; k++)
    if (!strcmp(s, in[k])) return DT_INT;
  for (int k = 0; bo[k]; k++)
    if (!strcmp(s, bo[k])) return DT_BOOL;
  return -1;
}

int lib_dtype_arg(Interp *I, Value v, const char *fname, const char *pname, int *dt) {
  *dt = -1;
  if (lib_is_missing(v)) return 0;
  const char *name = NULL;
  if (v.tag == T_STR)
    name = AS_STR(v)->s;
  else if (v.tag == T_CFUNC && AS_CFUNC(v)->def && AS_CFUNC(v)->def->name) {
    name = AS_CFUNC(v)->def->name;
    const char *dot = strrchr(name, '.');
    if (dot) name = dot + 1;
  }
  if (name) {
    *dt = dtype_from_name(name);
    if (*dt >= 0) return 0;
    return jx_raisei(I, E_TYPE, "%s: unknown dtype '%s' for '%s' (use float64, int64 or bool)",
                     fname, name, pname);
  }
  return jx_raisei(I, E_TYPE, "%s: '%s' must be a dtype such as \"float64\", not %s", fname,
                   pname, type_name(v));
}

int lib_int_arg(Interp *I, Value v, const char *fname, const char *pname, int64_t *out) {
  if (v.tag == T_INT || v.tag == T_BOOL) {
    *out = v.u.i;
    return 0;
  }
  if (v.tag == T_TRACER)
    return jx_raisei(I, E_TYPE,
                     "%s: '%s' must be a concrete int, not a traced value "
                     "(it fixes a shape, so it cannot depend on a transformed argument)",
                     fname, pname);
  if (v.tag == T_UNSET) return jx_raisei(I, E_TYPE, "%s: missing argument '%s'", fname, pname);
  return jx_raisei(I, E_TYPE, "%s: '%s' must be an int, not %s", fname, pname, type_name(v));
}

int lib_float_arg(Interp *I, Value v, const char *fname, const char *pname, double *out) {
  if (v.tag == T_INT || v.tag == T_BOOL) {
    *out = (double)v.u.i;
    return 0;
  }
  if (v.tag == T_FLOAT) {
    *out = v.u.f;
    return 0;
  }
  if (v.tag == T_TRACER)
    return jx_raisei(I, E_TYPE, "%s: '%s' must be a concrete number, not a traced value",
                     fname, pname);
  return jx_raisei(I, E_TYPE, "%s: '%s' must be a number, not %s", fname, pname, type_name(v));
}

int lib_bool_arg(Interp *I, Value v, const char *fname, const char *pname, bool *out) {
  if (v.tag == T_BOOL || v.tag == T_INT) {
    *out = v.u.i != 0;
    return 0;
  }
  if (lib_is_missing(v)) {
    *out = false;
    return 0;
  }
  return jx_raisei(I, E_TYPE, "%s: '%s' must be True or False, not %s", fname, pname,
                   type_name(v));
}

int lib_shape_arg(Interp *I, Value v, const char *fname, const char *pname,
                  int *nd, int64_t *sh) {
  int64_t n;
  if (v.tag == T_INT || v.tag == T_BOOL) {
    n = 1;
    sh[0] = v.u.i;
  } else if (v.tag == T_TUPLE) {
    Tuple *t = AS_TUPLE(v);
    if (t->n > JX_MAXDIM)
      return jx_raisei(I, E_VALUE, "%s: '%s' has %lld dimensions; at most %d are supported",
                       fname, pname, (long long)t->n, JX_MAXDIM);
    n = t->n;
    for (int64_t k = 0; k < n; k++) {
      Value e = t->items[k];
      if (e.tag != T_INT && e.tag != T_BOOL)
        return jx_raisei(I, E_TYPE, "%s: '%s' must be an int or a tuple of ints, "
                         "but element %lld is %s", fname, pname, (long long)k,
                         type_name(e));
      sh[k] = e.u.i;
    }
  } else if (v.tag == T_ARRAY && AS_ARRAY(v)->ndim == 1 && AS_ARRAY(v)->dtype != DT_FLOAT) {
    Array *a = AS_ARRAY(v);
    if (a->size > JX_MAXDIM)
      return jx_raisei(I, E_VALUE, "%s: '%s' has %lld dimensions; at most %d are supported",
                       fname, pname, (long long)a->size, JX_MAXDIM);
    n = a->size;
    for (int64_t k = 0; k < n; k++) sh[k] = arr_get_i(a, k);
  } else if (v.tag == T_TRACER) {
    return jx_raisei(I, E_TYPE, "%s: '%s' must be concrete, not a traced value", fname, pname);
  } else if (v.tag == T_UNSET) {
    return jx_raisei(I, E_TYPE, "%s: missing argument '%s'", fname, pname);
  } else {
    return jx_raisei(I, E_TYPE, "%s: '%s' must be an int or a tuple of ints, not %s", fname,
                     pname, type_name(v));
  }
  for (int64_t k = 0; k < n; k++)
    if (sh[k] < 0)
      return jx_raisei(I, E_VALUE, "%s: negative dimensions are not allowed (got %lld in '%s')",
                       fname, (long long)sh[k], pname);
  *nd = (int)n;
  int64_t size;
  return shape_size(I, *nd, sh, &size);
}

int lib_axis_arg(Interp *I, Value v, int ndim, const char *fname, const char *pname,
                 int64_t *ax) {
  int64_t a;
  if (lib_int_arg(I, v, fname, pname, &a) < 0) return -1;
  if (a < -(int64_t)ndim || a >= ndim)
    return jx_raisei(I, E_VALUE, "%s: axis %lld is out of bounds for array of dimension %d",
                     fname, (long long)a, ndim);
  *ax = a < 0 ? a + ndim : a;
  return 0;
}

int lib_axes_arg(Interp *I, Value v, int ndim, const char *fname, const char *pname,
                 bool sort, int *naxes, int64_t *axes, bool *all) {
  *all = false;
  if (lib_is_missing(v)) {
    *all = true;
    *naxes = ndim;
    for (int k = 0; k < ndim; k++) axes[k] = k;
    return 0;
  }
  int n = 0;
  if (v.tag == T_ARRAY && AS_ARRAY(v)->ndim == 1 && AS_ARRAY(v)->dtype != DT_FLOAT) {
    /* a concrete int array such as [1, 0] */
    Array *a = AS_ARRAY(v);
    for (int64_t k = 0; k < a->size; k++) {
      if (n >= JX_MAXDIM)
        return jx_raisei(I, E_VALUE, "%s: too many entries in '%s'", fname, pname);
      int64_t ax = arr_get_i(a, k);
      if (ax < -(int64_t)ndim || ax >= ndim)
        return jx_raisei(I, E_VALUE, "%s: axis %lld is out of bounds for array of dimension %d",
                         fname, (long long)ax, ndim);
      if (ax < 0) ax += ndim;
      for (int j = 0; j < n; j++)
        if (axes[j] == ax) return jx_raisei(I, E_VALUE, "%s: duplicate value in 'axis'", fname);
      axes[n++] = ax;
    }
  } else if (v.tag == T_TUPLE) {
    Tuple *t = AS_TUPLE(v);
    for (int64_t k = 0; k < t->n; k++) {
      int64_t a;
      if (lib_axis_arg(I, t->items[k], ndim, fname, pname, &a) < 0) return -1;
      for (int j = 0; j < n; j++)
        if (axes[j] == a) return jx_raisei(I, E_VALUE, "%s: duplicate value in 'axis'", fname);
      axes[n++] = a;
    }
  } else {
    if (lib_axis_arg(I, v, ndim, fname, pname, &axes[0]) < 0) return -1;
    n = 1;
  }
  if (sort)
    for (int i = 1; i < n; i++)
      for (int j = i; j > 0 && axes[j - 1] > axes[j]; j--) {
        int64_t t = axes[j];
        axes[j] = axes[j - 1];
        axes[j - 1] = t;
      }
  *naxes = n;
  return 0;
}

/* Nested tuple of ints from a concrete int/bool array (new reference);
 * any other value is returned as a new reference unchanged. */
static Value tuplify(Interp *I, Array *a, int dim, int64_t *off) {
  Value t = tuple_new(I, a->shape[dim]);
  if (IS_EXC(t)) return t;
  for (int64_t k = 0; k < a->shape[dim]; k++) {
    Value e;
    if (dim == a->ndim - 1) e = v_int(arr_get_i(a, (*off)++));
    else e = tuplify(I, a, dim + 1, off);
    if (IS_EXC(e)) {
      v_decref(t);
      return e;
    }
    AS_TUPLE(t)->items[k] = e;
  }
  return t;
}

Value lib_tuplify(Interp *I, Value v) {
  if (v.tag != T_ARRAY || AS_ARRAY(v)->dtype == DT_FLOAT) return K(v);
  int64_t off = 0;
  return tuplify(I, AS_ARRAY(v), 0, &off);
}

Value lib_call_tuplified(Interp *I, Value *args, int nargs, Value self, unsigned mask, CFn fn) {
  Value local[JX_MAX_PARAMS + 1];
  if (nargs > JX_MAX_PARAMS + 1) return fn(I, args, nargs, self);
  for (int k = 0; k < nargs; k++) {
    local[k] = (mask >> k) & 1 ? lib_tuplify(I, args[k]) : args[k];
    if (IS_EXC(local[k])) {
      for (int j = 0; j < k; j++)
        if ((mask >> j) & 1) v_decref(local[j]);
      return v_exc();
    }
  }
  Value r = fn(I, local, nargs, self);
  for (int k = 0; k < nargs; k++)
    if ((mask >> k) & 1) v_decref(local[k]);
  return r;
}

/* ---- shared building blocks ----------------------------------------- */

Value lib_ravel(Interp *I, Value x) {
  Aval a;
  if (val_aval(I, x, &a) < 0) return v_exc();
  int64_t n = lib_aval_size(&a);
  return lib_reshape(I, K(x), 1, &n);
}

Value lib_expand(Interp *I, Value x, int naxes, const int64_t *axes) {
  Aval a;
  if (val_aval(I, x, &a) < 0) return v_exc();
  int nd = a.ndim + naxes;
  int64_t sh[JX_MAXDIM];
  int src = 0, ai = 0;
  for (int k = 0; k < nd; k++) {
    if (ai < naxes && axes[ai] == k) {
      sh[k] = 1;
      ai++;
    } else {
      sh[k] = a.shape[src++];
    }
  }
  return lib_reshape(I, K(x), nd, sh);
}

Value lib_moveaxis1(Interp *I, Value x, int src, int dst) {
  Aval a;
  if (val_aval(I, x, &a) < 0) return v_exc();
  int64_t perm[JX_MAXDIM];
  int j = 0;
  for (int k = 0; k < a.ndim; k++)
    if (k != src) perm[j++] = k;
  /* insert src at dst */
  for (int k = a.ndim - 1; k > dst; k--) perm[k] = perm[k - 1];
  perm[dst] = src;
  return lib_transpose(I, K(x), a.ndim, perm);
}

Value lib_sum_axes(Interp *I, Value x, int naxes, const int64_t *axes, bool keepdims) {
  Aval a;
  if (val_aval(I, x, &a) < 0) return v_exc();
  return lib_reduce_kd(I, P_reduce_sum, K(x), &a, naxes, axes, keepdims);
}

Value lib_max_axes(Interp *I, Value x, int naxes, const int64_t *axes, bool keepdims) {
  Aval a;
  if (val_aval(I, x, &a) < 0) return v_exc();
  return lib_reduce_kd(I, P_reduce_max, K(x), &a, naxes, axes, keepdims);
}

/* log(sum(exp(x))) over axes, with the max shifted out under
 * stop_gradient (non-finite maxima replaced by 0), as JAX does. */
Value lib_logsumexp(Interp *I, Value x, int naxes, const int64_t *axes, bool keepdims) {
  Aval a;
  if (val_aval(I, x, &a) < 0) return v_exc();
  Value xf = lib_to_float(I, K(x));
  if (IS_EXC(xf)) return xf;
  Value m = lib_reduce_kd(I, P_reduce_max, K(xf), &a, naxes, axes, true);
  if (IS_EXC(m)) {
    v_decref(xf);
    return m;
  }
  Value fin = lib_un(I, P_isfinite, K(m));
  m = lib_sg(I, lib_select(I, fin, m, F(0.0)));
  Value s = lib_reduce_kd(I, P_reduce_sum, lib_un(I, P_exp, lib_bin(I, P_sub, xf, K(m))),
                          &a, naxes, axes, keepdims);
  Value ls = lib_un(I, P_log, s);
  if (!keepdims) {
    int64_t sh[JX_MAXDIM];
    int nd = 0, ai = 0;
    int64_t sorted[JX_MAXDIM];
    memcpy(sorted, axes, sizeof(int64_t) * (size_t)naxes);
    for (int i = 1; i < naxes; i++)
      for (int j = i; j > 0 && sorted[j - 1] > sorted[j]; j--) {
        int64_t t = sorted[j];
        sorted[j] = sorted[j - 1];
        sorted[j - 1] = t;
      }
    for (int k = 0; k < a.ndim; k++) {
      if (ai < naxes && sorted[ai] == k) {
        ai++;
        continue;
      }
      sh[nd++] = a.shape[k];
    }
    m = lib_reshape(I, m, nd, sh);
  }
  return lib_bin(I, P_add, ls, m);
}

Value lib_concat(Interp *I, const char *fname, int n, const Value *xs, int64_t axis) {
  if (n == 0) return jx_raise(I, E_VALUE, "%s: need at least one array to concatenate", fname);
  Aval a0;
  if (lib_aval(I, xs[0], fname, "arrays", &a0) < 0) return v_exc();
  if (a0.ndim == 0)
    return jx_raise(I, E_VALUE, "%s: zero-dimensional arrays cannot be concatenated", fname);
  if (axis < -(int64_t)a0.ndim || axis >= a0.ndim)
    return jx_raise(I, E_VALUE, "%s: axis %lld is out of bounds for array of dimension %d",
                    fname, (long long)axis, a0.ndim);
  if (axis < 0) axis += a0.ndim;
  DType dt = (DType)a0.dtype;
  for (int i = 1; i < n; i++) {
    Aval ai;
    if (lib_aval(I, xs[i], fname, "arrays", &ai) < 0) return v_exc();
    if (ai.ndim != a0.ndim)
      return jx_raise(I, E_SHAPE,
                      "%s: all the input arrays must have same number of dimensions, but the "
                      "array at index 0 has %d dimension(s) and the array at index %d has %d "
                      "dimension(s)", fname, a0.ndim, i, ai.ndim);
    for (int k = 0; k < a0.ndim; k++)
      if (k != axis && ai.shape[k] != a0.shape[k])
        return jx_raise(I, E_SHAPE,
                        "%s: all the input array dimensions except for the concatenation axis "
                        "must match exactly, but along dimension %d, the array at index 0 has "
                        "size %lld and the array at index %d has size %lld",
                        fname, k, (long long)a0.shape[k], i, (long long)ai.shape[k]);
    dt = dtype_promote(dt, (DType)ai.dtype);
  }
  if (n == 1) return lib_convert(I, K(xs[0]), dt);
  Value *in = jx_malloc(I, sizeof(Value) * (size_t)n);
  if (!in) return v_exc();
  for (int i = 0; i < n; i++) in[i] = lib_convert(I, K(xs[i]), dt);
  Params p = PARAMS_INIT;
  p.nin = n;
  p.i0 = axis;
  Value r = lib_prim(I, P_concatenate, n, in, &p);
  jx_free(in);
  return r;
}
