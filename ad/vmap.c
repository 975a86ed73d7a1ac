/* vmap.c — vmap, and the Jacobians built on it (jacfwd, jacrev, hessian). */
#include "transforms.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* in_axes walking                                                      */

typedef struct {
  int64_t size;     /* -1 until the first mapped leaf */
  int first_arg;
  StrBuf msg;       /* accumulated description of every mapped axis */
  bool mismatch;
  int nmapped;
  int argi;
  Trace *t;         /* pass 2 */
} AxCtx;

static bool is_num(Value v) { return is_numeric(v) || v.tag == T_TRACER; }

/* mode 0: collect sizes; mode 1: wrap leaves into tracers of c->t. */
static Value walk_in(Interp *I, Value arg, Value spec, int mode, AxCtx *c, int depth) {
  if (depth > 200) return jx_raise(I, E_RECURSION, "vmap: pytree nested too deeply");
  if (spec.tag == T_TUPLE || spec.tag == T_DICT) {
    if (!tree_same_structure(arg.tag == spec.tag ? arg : v_none(), spec) && arg.tag != spec.tag) {
      return jx_raise(I, E_VALUE, "vmap: in_axes entry for argument %d is a %s but the argument is a %s",
                      c->argi, type_name(spec), type_name(arg));
    }
    if (spec.tag == T_TUPLE) {
      Tuple *s = AS_TUPLE(spec), *a = AS_TUPLE(arg);
      if (s->n != a->n)
        return jx_raise(I, E_VALUE, "vmap: in_axes tuple of length %lld for a tuple argument of length %lld",
                        (long long)s->n, (long long)a->n);
      Value r = mode ? tuple_new(I, a->n) : v_none();
      if (IS_EXC(r)) return r;
      for (int64_t i = 0; i < a->n; i++) {
        Value x = walk_in(I, a->items[i], s->items[i], mode, c, depth + 1);
        if (IS_EXC(x)) {
          v_decref(r);
          return x;
        }
        if (mode) AS_TUPLE(r)->items[i] = x;
      }
      return r;
    }
    Dict *s = AS_DICT(spec), *a = AS_DICT(arg);
    Value r = mode ? dict_new(I) : v_none();
    if (IS_EXC(r)) return r;
    for (int64_t i = 0; i < a->n; i++) {
      Value *sp = dict_getv(spec, a->e[i].key);
      if (!sp) {
        v_decref(r);
        return jx_raise(I, E_VALUE, "vmap: in_axes dict has no entry for key '%s'", AS_STR(a->e[i].key)->s);
      }
      (void)s;
      Value x = walk_in(I, a->e[i].val, *sp, mode, c, depth + 1);
      if (IS_EXC(x) || (mode && dict_set(I, r, a->e[i].key, x) < 0)) {
        v_decref(x);
        v_decref(r);
        return v_exc();
      }
      v_decref(x);
    }
    return r;
  }
  /* spec is int or None: applies to every leaf of arg */
  if (arg.tag == T_TUPLE || arg.tag == T_DICT) {
    if (arg.tag == T_TUPLE) {
      Tuple *a = AS_TUPLE(arg);
      Value r = mode ? tuple_new(I, a->n) : v_none();
      if (IS_EXC(r)) return r;
      for (int64_t i = 0; i < a->n; i++) {
        Value x = walk_in(I, a->items[i], spec, mode, c, depth + 1);
        if (IS_EXC(x)) {
          v_decref(r);
          return x;
        }
        if (mode) AS_TUPLE(r)->items[i] = x;
      }
      return r;
    }
    Dict *a = AS_DICT(arg);
    Value r = mode ? dict_new(I) : v_none();
    if (IS_EXC(r)) return r;
    for (int64_t i = 0; i < a->n; i++) {
      Value x = walk_in(I, a->e[i].val, spec, mode, c, depth + 1);
      if (IS_EXC(x) || (mode && dict_set(I, r, a->e[i].key, x) < 0)) {
        v_decref(x);
        v_decref(r);
        return v_exc();
      }
      v_decref(x);
    }
    return r;
  }
  if (spec.tag == T_NONE || !is_num(arg)) {
    if (spec.tag != T_NONE && spec.tag != T_INT)
      return jx_raise(I, E_TYPE, "vmap: in_axes entries must be ints or None, got %s", type_name(spec));
    return mode ? v_incref(arg) : v_none();
  }
  if (spec.tag != T_INT)
    return jx_raise(I, E_TYPE, "vmap: in_axes entries must be ints or None, got %s", type_name(spec));
  Aval av;
  if (val_aval(I, arg, &av) < 0) return v_exc();
  int64_t ax = spec.u.i < 0 ? spec.u.i + av.ndim : spec.u.i;
  if (ax < 0 || ax >= av.ndim || av.ndim == 0) {
    if (av.ndim == 0)
      return jx_raise(I, E_VALUE,
                      "vmap was asked to map axis %lld of argument %d, but it is a scalar "
                      "(use in_axes=None for unmapped arguments)",
                      (long long)spec.u.i, c->argi);
    return jx_raise(I, E_VALUE, "vmap: axis %lld is out of range for argument %d of rank %d",
                    (long long)spec.u.i, c->argi, av.ndim);
  }
  if (mode == 0) {
    int64_t sz = av.shape[ax];
    if (c->size < 0) {
      c->size = sz;
      c->first_arg = c->argi;
    } else if (c->size != sz) {
      c->mismatch = true;
    }
    sb_printf(&c->msg, "%sargument %d has axis %lld of size %lld", c->nmapped ? ", " : "",
              c->argi, (long long)ax, (long long)sz);
    c->nmapped++;
    return v_none();
  }
  for (int i = (int)ax; i < av.ndim - 1; i++) av.shape[i] = av.shape[i + 1];
  av.ndim--;
  return tracer_new(I, c->t, &av, v_incref(arg), v_unset(), ax);
}

/* Output: move the batch axis to out_axes (or add it for unbatched outputs). */
typedef struct {
  Trace *t;
  int64_t size;
} OutCtx;

static Value place_out(Interp *I, Value leaf, Value spec, OutCtx *c) {
  bool mine = leaf.tag == T_TRACER && AS_TRACER(leaf)->trace == c->t;
  if (!is_num(leaf)) return v_incref(leaf);
  if (spec.tag == T_NONE) {
    if (mine)
      return jx_raise(I, E_VALUE,
                      "vmap: out_axes is None for an output that varies across the batch");
    return v_incref(leaf);
  }
  if (spec.tag != T_INT) return jx_raise(I, E_TYPE, "vmap: out_axes entries must be ints or None");
  Aval av;
  if (val_aval(I, leaf, &av) < 0) return v_exc();
  int64_t oa = spec.u.i < 0 ? spec.u.i + av.ndim + 1 : spec.u.i;
  if (oa < 0 || oa > av.ndim)
    return jx_raise(I, E_VALUE, "vmap: out_axes %lld is out of range for an output of rank %d",
                    (long long)spec.u.i, av.ndim);
  if (mine) return A_moveaxis(I, AS_TRACER(leaf)->a, (int)AS_TRACER(leaf)->id, (int)oa);
  int64_t shape[JX_MAXDIM], dims[JX_MAXDIM];
  if (av.ndim + 1 > JX_MAXDIM) return jx_raise(I, E_SHAPE, "vmap: too many dimensions");
  int k = 0;
  for (int i = 0; i <= av.ndim; i++) {
    if (i == oa) shape[i] = c->size;
    else {
      shape[i] = av.shape[k];
      dims[k] = i;
      k++;
    }
  }
  Value x = leaf;
  Value conv = v_unset();
  return A_broadcast_in_dim(I, x, av.ndim + 1, shape, av.ndim, dims);
  (void)conv;
}

static Value walk_out(Interp *I, Value out, Value spec, OutCtx *c, int depth) {
  if (depth > 200) return jx_raise(I, E_RECURSION, "vmap: pytree nested too deeply");
  if (out.tag == T_TUPLE) {
    Tuple *o = AS_TUPLE(out);
    if (spec.tag == T_TUPLE && AS_TUPLE(spec)->n != o->n)
      return jx_raise(I, E_VALUE, "vmap: out_axes tuple does not match the output structure");
    Value r = tuple_new(I, o->n);
    if (IS_EXC(r)) return r;
    for (int64_t i = 0; i < o->n; i++) {
      Value sp = spec.tag == T_TUPLE ? AS_TUPLE(spec)->items[i] : spec;
      Value x = walk_out(I, o->items[i], sp, c, depth + 1);
      if (IS_EXC(x)) {
        v_decref(r);
        return x;
      }
      AS_TUPLE(r)->items[i] = x;
    }
    return r;
  }
  if (out.tag == T_DICT) {
    Dict *o = AS_DICT(out);
    Value r = dict_new(I);
    if (IS_EXC(r)) return r;
    for (int64_t i = 0; i < o->n; i++) {
      Value sp = spec;
      if (spec.tag == T_DICT) {
        Value *p = dict_getv(spec, o->e[i].key);
        if (!p) {
          v_decref(r);
          return jx_raise(I, E_VALUE, "vmap: out_axes dict lacks key '%s'", AS_STR(o->e[i].key)->s);
        }
        sp = *p;
      }
      Value x = walk_out(I, o->e[i].val, sp, c, depth + 1);
      if (IS_EXC(x) || dict_set(I, r, o->e[i].key, x) < 0) {
        v_decref(x);
        v_decref(r);
        return v_exc();
      }
      v_decref(x);
    }
    return r;
  }
  return place_out(I, out, spec, c);
}

Value tf_vmap_call(Interp *I, Value f, Value in_axes, Value out_axes, Value args) {
  Tuple *a = AS_TUPLE(args);
  if (in_axes.tag == T_TUPLE && AS_TUPLE(in_axes)->n != a->n) {
    if (!(a->n == 1 && AS_TUPLE(in_axes)->n != 1))
      return jx_raise(I, E_VALUE,
                      "vmap: in_axes has %lld entries but the function was called with %lld "
                      "argument%s",
                      (long long)AS_TUPLE(in_axes)->n, (long long)a->n, a->n == 1 ? "" : "s");
  }
  AxCtx c;
  memset(&c, 0, sizeof c);
  c.size = -1;
  sb_init(&c.msg);
  for (int64_t i = 0; i < a->n; i++) {
    Value sp = in_axes.tag == T_TUPLE && AS_TUPLE(in_axes)->n == a->n ? AS_TUPLE(in_axes)->items[i]
                                                                      : in_axes;
    c.argi = (int)i;
    Value r = walk_in(I, a->items[i], sp, 0, &c, 0);
    if (IS_EXC(r)) {
      sb_free(&c.msg);
      return r;
    }
  }
  if (c.nmapped == 0) {
    sb_free(&c.msg);
    return jx_raise(I, E_VALUE,
                    "vmap needs at least one mapped argument: in_axes is None for every "
                    "argument (or the arguments hold no arrays)");
  }
  if (c.mismatch) {
    jx_raise(I, E_VALUE, "vmap got inconsistent sizes for array axes to be mapped: %s",
             c.msg.s ? c.msg.s : "");
    sb_free(&c.msg);
    return v_exc();
  }
  sb_free(&c.msg);
  Trace *t = trace_push(I, TK_BATCH);
  if (!t) return v_exc();
  t->axis_size = c.size;
  c.t = t;
  Value result = v_exc();
  Value out = v_unset();
  Value wargs = tuple_new(I, a->n);
  if (IS_EXC(wargs)) goto done;
  for (int64_t i = 0; i < a->n; i++) {
    Value sp = in_axes.tag == T_TUPLE && AS_TUPLE(in_axes)->n == a->n ? AS_TUPLE(in_axes)->items[i]
                                                                      : in_axes;
    c.argi = (int)i;
    Value w = walk_in(I, a->items[i], sp, 1, &c, 0);
    if (IS_EXC(w)) goto done;
    AS_TUPLE(wargs)->items[i] = w;
  }
  out = jx_call(I, f, (int)a->n, AS_TUPLE(wargs)->items, 0, NULL, NULL);
  if (IS_EXC(out)) goto done;
  {
    OutCtx oc = {t, c.size};
    result = walk_out(I, out, out_axes, &oc, 0);
  }
done:
  v_decref(out);
  v_decref(wargs);
  trace_pop(I, t);
  return result;
}

static Value vmapped_apply(Interp *I, Value *args, int nargs, Value self) {
  Tuple *d = AS_TUPLE(AS_CFUNC(self)->data);
  return tf_vmap_call(I, d->items[0], d->items[1], d->items[2], args[0]);
}
static const BuiltinDef vmapped_def = {"vmap", vmapped_apply, "*args", NULL};

Value tf_vmap_make(Interp *I, Value f, Value in_axes, Value out_axes) {
  Value items[3] = {f, in_axes, out_axes};
  Value data = tuple_of(I, 3, items);
  if (IS_EXC(data)) return data;
  Value c = tf_closure(I, &vmapped_def, data, "vmap", f);
  v_decref(data);
  return c;
}

static bool is_fn(Value f) { return f.tag == T_FUNC || f.tag == T_CFUNC || f.tag == T_OBJ; }

Value bi_vmap(Interp *I, Value *args, int nargs, Value self) {
  if (!is_fn(args[0])) return jx_raise(I, E_TYPE, "vmap: expected a function, got %s", type_name(args[0]));
  Value ia = args[1].tag == T_UNSET ? v_int(0) : args[1];
  Value oa = args[2].tag == T_UNSET ? v_int(0) : args[2];
  return tf_vmap_make(I, args[0], ia, oa);
}

/* ------------------------------------------------------------------ */
/* Jacobians                                                            */

/* partial(f, args, k)(x) = f(*args with args[k] = x) */
static Value partial_apply(Interp *I, Value *args, int nargs, Value self) {
  Tuple *d = AS_TUPLE(AS_CFUNC(self)->data);
  Tuple *fa = AS_TUPLE(d->items[1]);
  int64_t k = d->items[2].u.i;
  Value na = tuple_of(I, fa->n, fa->items);
  if (IS_EXC(na)) return na;
  v_decref(AS_TUPLE(na)->items[k]);
  AS_TUPLE(na)->items[k] = v_incref(args[0]);
  Value r = jx_call(I, d->items[0], (int)fa->n, AS_TUPLE(na)->items, 0, NULL, NULL);
  v_decref(na);
  return r;
}
static const BuiltinDef partial_def = {"partial", partial_apply, "x", NULL};

/* pushforward(g, x)(t) = jvp(g, (x,), (t,))[1] */
static Value pushfwd_apply(Interp *I, Value *args, int nargs, Value self) {
  Tuple *d = AS_TUPLE(AS_CFUNC(self)->data);
  Value p = tuple_of(I, 1, &d->items[1]);
  Value t = tuple_of(I, 1, &args[0]);
  Value r = (IS_EXC(p) || IS_EXC(t)) ? v_exc() : tf_jvp(I, d->items[0], p, t);
  v_decref(p);
  v_decref(t);
  if (IS_EXC(r)) return r;
  Value out = v_incref(AS_TUPLE(r)->items[1]);
  v_decref(r);
  return out;
}
static const BuiltinDef pushfwd_def = {"pushforward", pushfwd_apply, "t", NULL};

/* eye(n) reshaped to (n,) + shape */
static Value basis(Interp *I, const Aval *av) {
  int64_t n = 1;
  for (int i = 0; i < av->ndim; i++) n *= av->shape[i];
  int64_t shape[JX_MAXDIM];
  if (av->ndim + 1 > JX_MAXDIM) return jx_raise(I, E_SHAPE, "too many dimensions");
  shape[0] = n;
  for (int i = 0; i < av->ndim; i++) shape[i + 1] = av->shape[i];
  Array *e = arr_zeros(I, DT_FLOAT, av->ndim + 1, shape);
  if (!e) return v_exc();
  for (int64_t i = 0; i < n; i++) ARR_F(e)[i * n + i] = 1.0;
  return arr_normalize(I, e);
}

typedef struct {
  Aval in;
  int fwd;
} JacCtx;

/* (n,) + out.shape  ->  out.shape + in.shape  (forward)
 * (m,) + in.shape   ->  out.shape + in.shape  (reverse; out given) */
static Value jac_fwd_leaf(Interp *I, Value leaf, void *ctx) {
  JacCtx *c = ctx;
  if (!is_num(leaf)) return v_incref(leaf);
  Aval av;
  if (val_aval(I, leaf, &av) < 0) return v_exc();
  Value m = A_moveaxis(I, leaf, 0, av.ndim - 1);
  int64_t shape[JX_MAXDIM];
  int nd = 0;
  for (int i = 1; i < av.ndim; i++) shape[nd++] = av.shape[i];
  if (nd + c->in.ndim > JX_MAXDIM) {
    v_decref(m);
    return jx_raise(I, E_SHAPE, "Jacobian has too many dimensions");
  }
  for (int i = 0; i < c->in.ndim; i++) shape[nd++] = c->in.shape[i];
  Value r = A_reshape(I, m, nd, shape);
  v_decref(m);
  return r;
}

static Value jac_one(Interp *I, Value f, Value args, int64_t k, bool fwd) {
  Value x = AS_TUPLE(args)->items[k];
  const char *who = fwd ? "jacfwd" : "jacrev";
  if (!is_num(x))
    return jx_raise(I, E_TYPE, "%s: argument %lld must be an array or a float, got %s", who,
                    (long long)k, type_name(x));
  Aval xa;
  if (val_aval(I, x, &xa) < 0) return v_exc();
  if (xa.dtype != DT_FLOAT)
    return jx_raise(I, E_TYPE, "%s requires float inputs, but argument %lld has dtype %s; use a float such as 3.0",
                    who, (long long)k, dtype_name((DType)xa.dtype));
  Value items[3] = {f, args, v_int(k)};
  Value pd = tuple_of(I, 3, items);
  Value g = IS_EXC(pd) ? pd : tf_closure(I, &partial_def, pd, "partial", f);
  v_decref(pd);
  if (IS_EXC(g)) return g;
  Value result = v_exc();
  if (fwd) {
    Value it2[2] = {g, x};
    Value d2 = tuple_of(I, 2, it2);
    Value pf = IS_EXC(d2) ? d2 : tf_closure(I, &pushfwd_def, d2, "pushforward", f);
    v_decref(d2);
    Value B = basis(I, &xa);
    Value bt = IS_EXC(B) ? B : tuple_of(I, 1, &B);
    Value cols = (IS_EXC(pf) || IS_EXC(bt)) ? v_exc() : tf_vmap_call(I, pf, v_int(0), v_int(0), bt);
    v_decref(pf);
    v_decref(B);
    v_decref(bt);
    if (!IS_EXC(cols)) {
      JacCtx c = {xa, 1};
      result = tree_map_c(I, cols, jac_fwd_leaf, &c);
      v_decref(cols);
    }
  } else {
    Value xt = tuple_of(I, 1, &x);
    Value yb = IS_EXC(xt) ? xt : tf_vjp(I, g, xt);
    v_decref(xt);
    if (!IS_EXC(yb)) {
      Value y = AS_TUPLE(yb)->items[0], back = AS_TUPLE(yb)->items[1];
      if (!is_num(y)) {
        jx_raise(I, E_TYPE, "jacrev: the function must return an array, got %s", type_name(y));
      } else {
        Aval ya;
        if (val_aval(I, y, &ya) == 0) {
          Value B = basis(I, &ya);
          Value bt = IS_EXC(B) ? B : tuple_of(I, 1, &B);
          Value rows = IS_EXC(bt) ? bt : tf_vmap_call(I, back, v_int(0), v_int(0), bt);
          v_decref(B);
          v_decref(bt);
          if (!IS_EXC(rows)) {
            Value r0 = AS_TUPLE(rows)->items[0];
            int64_t shape[JX_MAXDIM];
            int nd = 0;
            if (ya.ndim + xa.ndim > JX_MAXDIM) {
              jx_raise(I, E_SHAPE, "Jacobian has too many dimensions");
            } else {
              for (int i = 0; i < ya.ndim; i++) shape[nd++] = ya.shape[i];
              for (int i = 0; i < xa.ndim; i++) shape[nd++] = xa.shape[i];
              result = A_reshape(I, r0, nd, shape);
            }
            v_decref(rows);
          }
        }
      }
      v_decref(yb);
    }
  }
  v_decref(g);
  return result;
}

static Value jac_apply(Interp *I, Value *args, int nargs, Value self) {
  Tuple *d = AS_TUPLE(AS_CFUNC(self)->data);
  Value f = d->items[0], argnums = d->items[1];
  bool fwd = d->items[2].u.i != 0;
  Value a = args[0];
  int64_t na = AS_TUPLE(a)->n;
  if (argnums.tag == T_INT) {
    int64_t k = argnums.u.i < 0 ? argnums.u.i + na : argnums.u.i;
    if (k < 0 || k >= na)
      return jx_raise(I, E_VALUE, "%s: argnums %lld out of range for %lld arguments",
                      fwd ? "jacfwd" : "jacrev", (long long)argnums.u.i, (long long)na);
    return jac_one(I, f, a, k, fwd);
  }
  if (argnums.tag != T_TUPLE) return jx_raise(I, E_TYPE, "argnums must be an int or a tuple of ints");
  Tuple *an = AS_TUPLE(argnums);
  Value r = tuple_new(I, an->n);
  if (IS_EXC(r)) return r;
  for (int64_t i = 0; i < an->n; i++) {
    if (an->items[i].tag != T_INT) {
      v_decref(r);
      return jx_raise(I, E_TYPE, "argnums must be an int or a tuple of ints");
    }
    int64_t k = an->items[i].u.i < 0 ? an->items[i].u.i + na : an->items[i].u.i;
    if (k < 0 || k >= na) {
      v_decref(r);
      return jx_raise(I, E_VALUE, "argnums %lld out of range", (long long)an->items[i].u.i);
    }
    Value j = jac_one(I, f, a, k, fwd);
    if (IS_EXC(j)) {
      v_decref(r);
      return j;
    }
    AS_TUPLE(r)->items[i] = j;
  }
  return r;
}
static const BuiltinDef jac_def = {"jacobian", jac_apply, "*args", NULL};

static Value make_jac(Interp *I, Value f, Value argnums, bool fwd) {
  if (!is_fn(f))
    return jx_raise(I, E_TYPE, "%s: expected a function, got %s", fwd ? "jacfwd" : "jacrev", type_name(f));
  Value items[3] = {f, argnums.tag == T_UNSET ? v_int(0) : argnums, v_bool(fwd)};
  Value data = tuple_of(I, 3, items);
  if (IS_EXC(data)) return data;
  Value c = tf_closure(I, &jac_def, data, fwd ? "jacfwd" : "jacrev", f);
  v_decref(data);
  return c;
}

Value bi_jacfwd(Interp *I, Value *args, int nargs, Value self) {
  return make_jac(I, args[0], args[1], true);
}
Value bi_jacrev(Interp *I, Value *args, int nargs, Value self) {
  return make_jac(I, args[0], args[1], false);
}
Value bi_hessian(Interp *I, Value *args, int nargs, Value self) {
  Value inner = make_jac(I, args[0], args[1], false);
  if (IS_EXC(inner)) return inner;
  Value h = make_jac(I, inner, args[1], true);
  v_decref(inner);
  if (!IS_EXC(h)) {
    Value nm = v_unset();
    (void)nm;
  }
  return h;
}
