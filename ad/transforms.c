/* transforms.c — the user-facing transformations: grad, value_and_grad,
 * jvp, vjp, linearize, vmap, jacfwd, jacrev, hessian, stop_gradient,
 * custom_jvp, custom_vjp.  Each pushes a trace, wraps the inputs' leaves
 * in tracers, calls the function, unwraps the outputs and pops the trace
 * on every path (errors included). */
#include "transforms.h"

#include <string.h>

/* ------------------------------------------------------------------ */
/* small helpers                                                        */

static Value fn_name_str(Interp *I, Value f) {
  StrBuf sb;
  sb_init(&sb);
  if (f.tag == T_CFUNC) {
    CFunc *c = AS_CFUNC(f);
    sb_puts(&sb, c->display ? c->display : c->def->name);
  } else if (f.tag == T_FUNC) {
    StrBuf r;
    sb_init(&r);
    func_repr(I, f.u.o, &r);
    /* "<fn name(params)>" -> name */
    const char *s = r.s ? r.s : "";
    if (!strncmp(s, "<fn ", 4)) s += 4;
    size_t n = strcspn(s, "(");
    sb_putn(&sb, s, n);
    sb_free(&r);
  } else {
    sb_puts(&sb, "f");
  }
  Value v = str_new(I, sb.s ? sb.s : "", sb.len);
  sb_free(&sb);
  return v;
}

/* A C closure: def called with data; display "what(fname)". */
Value tf_closure(Interp *I, const BuiltinDef *def, Value data, const char *what, Value f) {
  Value c = cfunc_new(I, def, data);
  if (IS_EXC(c)) return c;
  Value nm = fn_name_str(I, f);
  if (!IS_EXC(nm)) {
    size_t L = strlen(what) + AS_STR(nm)->len + 3;
    char *d = jx_malloc(I, L);
    if (d) {
      snprintf(d, L, "%s(%s)", what, AS_STR(nm)->s);
      AS_CFUNC(c)->display = d;
    }
    v_decref(nm);
  }
  jx_err_clear(I); /* a failed display name is not an error */
  return c;
}

static bool is_num(Value v) { return is_numeric(v) || v.tag == T_TRACER; }

/* Normalise argnums (int or tuple of ints) against nargs. */
static int norm_argnums(Interp *I, Value argnums, int64_t nargs, int64_t *out, int *n,
                        bool *is_tuple, const char *who) {
  *n = 0;
  *is_tuple = argnums.tag == T_TUPLE;
  int64_t cnt = *is_tuple ? AS_TUPLE(argnums)->n : 1;
  if (cnt > JX_MAX_PARAMS * 4) return jx_raisei(I, E_VALUE, "%s: too many argnums", who);
  for (int64_t i = 0; i < cnt; i++) {
    Value a = *is_tuple ? AS_TUPLE(argnums)->items[i] : argnums;
    if (a.tag != T_INT)
      return jx_raisei(I, E_TYPE, "%s: argnums must be an int or a tuple of ints, got %s", who,
                       type_name(a));
    int64_t k = a.u.i < 0 ? a.u.i + nargs : a.u.i;
    if (k < 0 || k >= nargs)
      return jx_raisei(I, E_VALUE,
                       "%s: argnums %lld is out of range for a call with %lld positional "
                       "argument%s",
                       who, (long long)a.u.i, (long long)nargs, nargs == 1 ? "" : "s");
    out[(*n)++] = k;
  }
  if (cnt == 0) return jx_raisei(I, E_VALUE, "%s: argnums is an empty tuple", who);
  return 0;
}

/* Replace t-tracers in a tree by their primal/value (for outputs). */
typedef struct {
  Trace *t;
  int which; /* 0: a (primal), 1: tangent (zeros if none) */
} UnwrapCtx;

static Value unwrap_leaf(Interp *I, Value leaf, void *ctx) {
  UnwrapCtx *u = ctx;
  if (leaf.tag == T_TRACER && AS_TRACER(leaf)->trace == u->t) {
    Tracer *tr = AS_TRACER(leaf);
    if (u->which == 0) return v_incref(tr->a);
    if (tr->b.tag != T_UNSET) return v_incref(tr->b);
    Aval av = tr->aval;
    av.dtype = DT_FLOAT;
    return A_zeros(I, &av);
  }
  if (u->which == 0) return v_incref(leaf);
  if (!is_num(leaf)) return v_incref(leaf);
  return A_zeros_like(I, leaf);
}

Value tf_unwrap(Interp *I, Trace *t, Value tree, int which) {
  UnwrapCtx u = {t, which};
  return tree_map_c(I, tree, unwrap_leaf, &u);
}

/* call f with a varargs tuple */
static Value call_tuple(Interp *I, Value f, Value args) {
  Tuple *a = AS_TUPLE(args);
  return jx_call(I, f, (int)a->n, a->items, 0, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* grad / value_and_grad                                                */

typedef struct {
  Trace *t;
  VVec *nodes; /* int64 ids stored as v_int */
  const char *who;
  int argnum;
} WrapCtx;

static Value wrap_vjp_leaf(Interp *I, Value leaf, void *ctx) {
  WrapCtx *w = ctx;
  if (!is_num(leaf))
    return jx_raise(I, E_TYPE, "%s: argument %d contains a %s where an array was expected",
                    w->who, w->argnum, type_name(leaf));
  Aval av;
  if (val_aval(I, leaf, &av) < 0) return v_exc();
  if (av.dtype != DT_FLOAT)
    return jx_raise(I, E_TYPE,
                    "%s requires float inputs, but argument %d has dtype %s; "
                    "use a float such as 3.0 (or .astype(\"float64\"))",
                    w->who, w->argnum, dtype_name((DType)av.dtype));
  int64_t node = tape_leaf(I, w->t->tape);
  if (node < 0 || vvec_push(I, w->nodes, v_int(node)) < 0) return v_exc();
  return tracer_new(I, w->t, &av, v_incref(leaf), v_unset(), node);
}

static Value grad_apply(Interp *I, Value *args, int nargs, Value self) {
  Tuple *d = AS_TUPLE(AS_CFUNC(self)->data);
  Value f = d->items[0];
  bool has_aux = d->items[2].u.i != 0;
  bool value_too = d->items[3].u.i != 0;
  const char *who = value_too ? "value_and_grad" : "grad";
  Tuple *a = AS_TUPLE(args[0]);
  int64_t argn[JX_MAX_PARAMS * 4];
  int nan;
  bool tup;
  if (norm_argnums(I, d->items[1], a->n, argn, &nan, &tup, who) < 0) return v_exc();

  Trace *t = trace_push(I, TK_VJP);
  if (!t) return v_exc();
  Value result = v_exc();
  Value wargs = tuple_of(I, a->n, a->items);
  VVec nodes = {0};
  Value out = v_unset();
  Value *cts = NULL;
  if (IS_EXC(wargs)) goto done;
  for (int k = 0; k < nan; k++) {
    WrapCtx w = {t, &nodes, who, (int)argn[k]};
    Value wa = tree_map_c(I, a->items[argn[k]], wrap_vjp_leaf, &w);
    if (IS_EXC(wa)) goto done;
    v_decref(AS_TUPLE(wargs)->items[argn[k]]);
    AS_TUPLE(wargs)->items[argn[k]] = wa;
  }
  out = call_tuple(I, f, wargs);
  if (IS_EXC(out)) goto done;
  Value main = out;
  if (has_aux) {
    if (out.tag != T_TUPLE || AS_TUPLE(out)->n != 2) {
      jx_raise(I, E_TYPE, "%s(has_aux=True): the function must return a pair (output, aux), got %s",
               who, type_name(out));
      goto done;
    }
    main = AS_TUPLE(out)->items[0];
  }
  if (!is_num(main)) {
    jx_raise(I, E_TYPE,
             "Gradient only defined for scalar-output functions. Output was a %s, not a scalar; "
             "use sum(...) to reduce it%s",
             type_name(main), has_aux ? "" : ", or has_aux=True to return extra values");
    goto done;
  }
  Aval oav;
  if (val_aval(I, main, &oav) < 0) goto done;
  if (oav.ndim != 0) {
    StrBuf sb;
    sb_init(&sb);
    sb_putc(&sb, '(');
    for (int i = 0; i < oav.ndim; i++) sb_printf(&sb, "%s%lld", i ? ", " : "", (long long)oav.shape[i]);
    if (oav.ndim == 1) sb_putc(&sb, ',');
    sb_putc(&sb, ')');
    jx_raise(I, E_TYPE,
             "Gradient only defined for scalar-output functions. Output had shape: %s. "
             "Reduce it with sum(...) first, or use jacrev for the full Jacobian.",
             sb.s ? sb.s : "()");
    sb_free(&sb);
    goto done;
  }
  if (oav.dtype != DT_FLOAT) {
    jx_raise(I, E_TYPE, "%s requires a float output, but the function returned a %s value",
             who, dtype_name((DType)oav.dtype));
    goto done;
  }
  int64_t seed_node = (main.tag == T_TRACER && AS_TRACER(main)->trace == t) ? AS_TRACER(main)->id : -1;
  Value seed = v_float(1.0);
  int64_t nl = nodes.n;
  int64_t *leaf_nodes = jx_malloc(I, (size_t)(nl ? nl : 1) * sizeof(int64_t));
  cts = jx_malloc(I, (size_t)(nl ? nl : 1) * sizeof(Value));
  if (!leaf_nodes || !cts) {
    jx_free(leaf_nodes);
    jx_free(cts); /* its items are not initialised yet */
    cts = NULL;
    goto done;
  }
  for (int64_t i = 0; i < nl; i++) {
    leaf_nodes[i] = nodes.v[i].u.i;
    cts[i] = v_unset();
  }
  int r = tape_backward(I, t->tape, 1, &seed_node, &seed, (int)nl, leaf_nodes, cts);
  jx_free(leaf_nodes);
  if (r < 0) goto done;
  /* zeros for unreached leaves */
  {
    int64_t pos = 0;
    VVec leaves = {0};
    bool all_set = true;
    for (int64_t i = 0; i < nl; i++) all_set &= cts[i].tag != T_UNSET;
    for (int k = 0; k < nan && !all_set; k++)
      if (tree_flatten(I, AS_TUPLE(wargs)->items[argn[k]], &leaves) < 0) {
        vvec_free(&leaves);
        goto done;
      }
    for (int64_t i = 0; i < nl; i++) {
      if (cts[i].tag == T_UNSET) {
        cts[i] = A_zeros(I, &AS_TRACER(leaves.v[i])->aval);
        if (IS_EXC(cts[i])) {
          cts[i] = v_unset();
          vvec_free(&leaves);
          goto done;
        }
      }
    }
    vvec_free(&leaves);
    Value grads = tup ? tuple_new(I, nan) : v_none();
    if (IS_EXC(grads)) goto done;
    for (int k = 0; k < nan; k++) {
      Value g = tree_unflatten(I, a->items[argn[k]], cts, nl, &pos);
      if (IS_EXC(g)) {
        v_decref(grads);
        goto done;
      }
      if (tup) AS_TUPLE(grads)->items[k] = g;
      else grads = g;
    }
    Value val = v_none(), aux = v_none();
    if (value_too || has_aux) {
      val = tf_unwrap(I, t, main, 0);
      if (has_aux) aux = tf_unwrap(I, t, AS_TUPLE(out)->items[1], 0);
      if (IS_EXC(val) || IS_EXC(aux)) {
        v_decref(val);
        v_decref(aux);
        v_decref(grads);
        goto done;
      }
    }
    Value parts[2];
    if (value_too) {
      if (has_aux) {
        Value va[2] = {val, aux};
        parts[0] = tuple_of(I, 2, va);
      } else {
        parts[0] = v_incref(val);
      }
      parts[1] = grads;
      result = IS_EXC(parts[0]) ? v_exc() : tuple_of(I, 2, parts);
      v_decref(parts[0]);
    } else if (has_aux) {
      parts[0] = grads;
      parts[1] = aux;
      result = tuple_of(I, 2, parts);
    } else {
      result = v_incref(grads);
    }
    v_decref(grads);
    v_decref(val);
    v_decref(aux);
  }
done:
  if (cts) {
    for (int64_t i = 0; i < nodes.n; i++) v_decref(cts[i]);
    jx_free(cts);
  }
  vvec_free(&nodes);
  v_decref(out);
  v_decref(wargs);
  trace_pop(I, t);
  return result;
}

static const BuiltinDef grad_fn_def = {"grad", grad_apply, "*args", NULL};

static Value make_grad(Interp *I, Value *args, bool value_too) {
  Value f = args[0];
  if (f.tag != T_FUNC && f.tag != T_CFUNC && f.tag != T_OBJ)
    return jx_raise(I, E_TYPE, "%s: expected a function, got %s",
                    value_too ? "value_and_grad" : "grad", type_name(f));
  Value argnums = args[1].tag == T_UNSET ? v_int(0) : args[1];
  bool has_aux = false;
  if (args[2].tag != T_UNSET && args[2].tag != T_NONE) {
    if (args[2].tag != T_BOOL) return jx_raise(I, E_TYPE, "has_aux must be True or False");
    has_aux = args[2].u.i != 0;
  }
  Value items[4] = {f, argnums, v_bool(has_aux), v_bool(value_too)};
  Value data = tuple_of(I, 4, items);
  if (IS_EXC(data)) return data;
  Value c = tf_closure(I, &grad_fn_def, data, value_too ? "value_and_grad" : "grad", f);
  v_decref(data);
  return c;
}

static Value bi_grad(Interp *I, Value *args, int nargs, Value self) {
  return make_grad(I, args, false);
}
static Value bi_value_and_grad(Interp *I, Value *args, int nargs, Value self) {
  return make_grad(I, args, true);
}

/* ------------------------------------------------------------------ */
/* jvp                                                                  */

typedef struct {
  Trace *t;
  const Value *tangents;
  int64_t n, pos;
} JvpWrapCtx;

static Value wrap_jvp_leaf(Interp *I, Value leaf, void *ctx) {
  JvpWrapCtx *w = ctx;
  if (w->pos >= w->n) return jx_raise(I, E_VALUE, "jvp: fewer tangents than primals");
  Value tg = w->tangents[w->pos++];
  if (!is_num(leaf)) return v_incref(leaf);
  Aval pa, ta;
  if (val_aval(I, leaf, &pa) < 0) return v_exc();
  if (!is_num(tg)) return jx_raise(I, E_TYPE, "jvp: tangent is a %s, expected an array", type_name(tg));
  if (val_aval(I, tg, &ta) < 0) return v_exc();
  if (pa.ndim != ta.ndim || memcmp(pa.shape, ta.shape, sizeof(int64_t) * (size_t)pa.ndim)) {
    char b1[128], b2[128];
    aval_str(&pa, b1, sizeof b1);
    aval_str(&ta, b2, sizeof b2);
    return jx_raise(I, E_VALUE, "jvp: primal and tangent shapes differ: primal %s, tangent %s", b1, b2);
  }
  if (pa.dtype != DT_FLOAT) return v_incref(leaf); /* int primals carry no tangent */
  Value tf = ta.dtype == DT_FLOAT ? v_incref(tg) : A_convert(I, tg, DT_FLOAT);
  if (IS_EXC(tf)) return tf;
  return tracer_new(I, w->t, &pa, v_incref(leaf), tf, 0);
}

/* jvp of f at primals (tuple) with tangents (tuple); returns (out, tout). */
Value tf_jvp(Interp *I, Value f, Value primals, Value tangents) {
  if (primals.tag != T_TUPLE || tangents.tag != T_TUPLE)
    return jx_raise(I, E_TYPE, "jvp: primals and tangents must be tuples, e.g. jvp(f, (x,), (v,))");
  if (!tree_same_structure(primals, tangents)) {
    StrBuf a, b;
    sb_init(&a);
    sb_init(&b);
    tree_structure_str(primals, &a);
    tree_structure_str(tangents, &b);
    jx_raise(I, E_VALUE, "jvp: primals %s and tangents %s have different structures",
             a.s ? a.s : "", b.s ? b.s : "");
    sb_free(&a);
    sb_free(&b);
    return v_exc();
  }
  VVec tl = {0};
  if (tree_flatten(I, tangents, &tl) < 0) {
    vvec_free(&tl);
    return v_exc();
  }
  Trace *t = trace_push(I, TK_JVP);
  if (!t) {
    vvec_free(&tl);
    return v_exc();
  }
  Value result = v_exc();
  JvpWrapCtx w = {t, tl.v, tl.n, 0};
  Value wp = tree_map_c(I, primals, wrap_jvp_leaf, &w);
  Value out = v_unset();
  if (IS_EXC(wp)) goto done;
  out = call_tuple(I, f, wp);
  if (IS_EXC(out)) goto done;
  {
    Value o[2];
    o[0] = tf_unwrap(I, t, out, 0);
    o[1] = tf_unwrap(I, t, out, 1);
    if (!IS_EXC(o[0]) && !IS_EXC(o[1])) result = tuple_of(I, 2, o);
    v_decref(o[0]);
    v_decref(o[1]);
  }
done:
  v_decref(out);
  v_decref(wp);
  vvec_free(&tl);
  trace_pop(I, t);
  return result;
}

static Value bi_jvp(Interp *I, Value *args, int nargs, Value self) {
  return tf_jvp(I, args[0], args[1], args[2]);
}

/* linearize(f, *primals) -> (out, jvp_fn) */
static Value linearized_apply(Interp *I, Value *args, int nargs, Value self) {
  Tuple *d = AS_TUPLE(AS_CFUNC(self)->data);
  Value r = tf_jvp(I, d->items[0], d->items[1], args[0]);
  if (IS_EXC(r)) return r;
  Value t = v_incref(AS_TUPLE(r)->items[1]);
  v_decref(r);
  return t;
}
static const BuiltinDef linearized_def = {"linearized", linearized_apply, "*tangents", NULL};

static Value bi_linearize(Interp *I, Value *args, int nargs, Value self) {
  Value f = args[0], primals = args[1];
  VVec pl = {0};
  if (tree_flatten(I, primals, &pl) < 0) {
    vvec_free(&pl);
    return v_exc();
  }
  /* value: evaluate once with zero tangents */
  Value zeros = v_exc();
  {
    Value *z = jx_malloc(I, (size_t)(pl.n ? pl.n : 1) * sizeof(Value));
    if (z) {
      int64_t i;
      for (i = 0; i < pl.n; i++) {
        z[i] = A_zeros_like(I, pl.v[i]);
        if (IS_EXC(z[i])) break;
      }
      if (i == pl.n) {
        int64_t pos = 0;
        zeros = tree_unflatten(I, primals, z, pl.n, &pos);
      }
      for (int64_t j = 0; j < i; j++) v_decref(z[j]);
      jx_free(z);
    }
  }
  vvec_free(&pl);
  if (IS_EXC(zeros)) return zeros;
  Value r = tf_jvp(I, f, primals, zeros);
  v_decref(zeros);
  if (IS_EXC(r)) return r;
  Value items[2] = {f, primals};
  Value data = tuple_of(I, 2, items);
  Value fn = IS_EXC(data) ? data : tf_closure(I, &linearized_def, data, "linearize", f);
  v_decref(data);
  if (IS_EXC(fn)) {
    v_decref(r);
    return fn;
  }
  Value res[2] = {AS_TUPLE(r)->items[0], fn};
  Value out = tuple_of(I, 2, res);
  v_decref(r);
  v_decref(fn);
  return out;
}

/* ------------------------------------------------------------------ */
/* vjp                                                                  */

typedef struct {
  GenObj g;
  Tape *tape;
  Value out;        /* unwrapped output tree (template) */
  Value primals;    /* primals tuple (template) */
  int64_t nout, nleaf;
  int64_t *out_nodes;
  int64_t *leaf_nodes;
  Aval *leaf_avals;
  Aval *out_avals;
} VjpObj;

static void vjpobj_free(Obj *o) {
  VjpObj *v = (VjpObj *)o;
  if (v->tape) tape_release(v->tape);
  v_decref(v->out);
  v_decref(v->primals);
  jx_free(v->out_nodes);
  jx_free(v->leaf_nodes);
  jx_free(v->leaf_avals);
  jx_free(v->out_avals);
  jx_free(v);
}
static const ObjOps vjpobj_ops = {"vjp_state", vjpobj_free, NULL, NULL, NULL, NULL};

static Value vjp_fn_apply(Interp *I, Value *args, int nargs, Value self) {
  VjpObj *v = (VjpObj *)AS_CFUNC(self)->data.u.o;
  Value ct = args[0];
  /* a single-output function takes its cotangent bare; a tuple output takes a tuple */
  if (!tree_same_structure(ct, v->out)) {
    StrBuf a, b;
    sb_init(&a);
    sb_init(&b);
    tree_structure_str(v->out, &a);
    tree_structure_str(ct, &b);
    jx_raise(I, E_VALUE, "vjp function: cotangent structure %s does not match the output %s",
             b.s ? b.s : "", a.s ? a.s : "");
    sb_free(&a);
    sb_free(&b);
    return v_exc();
  }
  VVec cl = {0};
  if (tree_flatten(I, ct, &cl) < 0) {
    vvec_free(&cl);
    return v_exc();
  }
  if (cl.n != v->nout) {
    vvec_free(&cl);
    return jx_raise(I, E_VALUE, "vjp function: wrong number of cotangents");
  }
  for (int64_t i = 0; i < cl.n; i++) {
    if (v->out_nodes[i] < 0) continue;
    Aval ca;
    if (val_aval(I, cl.v[i], &ca) < 0) {
      vvec_free(&cl);
      return v_exc();
    }
    if (ca.ndim != v->out_avals[i].ndim ||
        memcmp(ca.shape, v->out_avals[i].shape, sizeof(int64_t) * (size_t)ca.ndim)) {
      char b1[128], b2[128];
      aval_str(&ca, b1, sizeof b1);
      aval_str(&v->out_avals[i], b2, sizeof b2);
      vvec_free(&cl);
      return jx_raise(I, E_VALUE, "vjp function: cotangent has shape %s but the output has %s", b1, b2);
    }
  }
  Value *cts = jx_malloc(I, (size_t)(v->nleaf ? v->nleaf : 1) * sizeof(Value));
  if (!cts) {
    vvec_free(&cl);
    return v_exc();
  }
  int r = tape_backward(I, v->tape, (int)cl.n, v->out_nodes, cl.v, (int)v->nleaf, v->leaf_nodes, cts);
  vvec_free(&cl);
  if (r < 0) {
    jx_free(cts);
    return v_exc();
  }
  Value result = v_exc();
  int64_t i;
  for (i = 0; i < v->nleaf; i++) {
    if (cts[i].tag == T_UNSET) {
      Aval av = v->leaf_avals[i];
      av.dtype = DT_FLOAT;
      cts[i] = A_zeros(I, &av);
      if (IS_EXC(cts[i])) break;
    }
  }
  if (i == v->nleaf) {
    int64_t pos = 0;
    result = tree_unflatten(I, v->primals, cts, v->nleaf, &pos);
  }
  for (int64_t j = 0; j < v->nleaf; j++)
    if (!IS_EXC(cts[j])) v_decref(cts[j]);
  jx_free(cts);
  return result;
}
static const BuiltinDef vjp_fn_def = {"vjp_fn", vjp_fn_apply, "ct", NULL};

static Value wrap_vjp_any_leaf(Interp *I, Value leaf, void *ctx) {
  WrapCtx *w = ctx;
  int64_t node = -1;
  Aval av;
  memset(&av, 0, sizeof av);
  if (is_num(leaf)) {
    if (val_aval(I, leaf, &av) < 0) return v_exc();
  }
  if (is_num(leaf) && av.dtype == DT_FLOAT) {
    node = tape_leaf(I, w->t->tape);
    if (node < 0) return v_exc();
  }
  if (vvec_push(I, w->nodes, v_int(node)) < 0) return v_exc();
  if (node < 0) return v_incref(leaf);
  return tracer_new(I, w->t, &av, v_incref(leaf), v_unset(), node);
}

/* vjp(f, primals tuple) -> (out, vjp_fn) */
Value tf_vjp(Interp *I, Value f, Value primals) {
  Trace *t = trace_push(I, TK_VJP);
  if (!t) return v_exc();
  Value result = v_exc();
  VVec nodes = {0}, outl = {0}, primleaves = {0};
  WrapCtx w = {t, &nodes, "vjp", 0};
  Value wp = tree_map_c(I, primals, wrap_vjp_any_leaf, &w);
  Value out = v_unset(), uout = v_unset();
  VjpObj *vo = NULL;
  if (IS_EXC(wp)) goto done;
  out = call_tuple(I, f, wp);
  if (IS_EXC(out)) goto done;
  uout = tf_unwrap(I, t, out, 0);
  if (IS_EXC(uout)) goto done;
  if (tree_flatten(I, out, &outl) < 0 || tree_flatten(I, primals, &primleaves) < 0) goto done;
  vo = obj_new(I, T_OBJ, sizeof(VjpObj));
  if (!vo) goto done;
  memset((char *)vo + sizeof(Obj), 0, sizeof(VjpObj) - sizeof(Obj));
  vo->g.ops = &vjpobj_ops;
  vo->out = v_incref(uout);
  vo->primals = v_incref(primals);
  vo->tape = t->tape;
  tape_retain(t->tape);
  vo->nout = outl.n;
  vo->nleaf = nodes.n;
  vo->out_nodes = jx_malloc(I, (size_t)(outl.n ? outl.n : 1) * sizeof(int64_t));
  vo->out_avals = jx_calloc(I, (size_t)(outl.n ? outl.n : 1), sizeof(Aval));
  vo->leaf_nodes = jx_malloc(I, (size_t)(nodes.n ? nodes.n : 1) * sizeof(int64_t));
  vo->leaf_avals = jx_calloc(I, (size_t)(nodes.n ? nodes.n : 1), sizeof(Aval));
  if (!vo->out_nodes || !vo->leaf_nodes || !vo->leaf_avals || !vo->out_avals) goto done;
  for (int64_t i = 0; i < outl.n; i++) {
    Value o = outl.v[i];
    vo->out_nodes[i] = (o.tag == T_TRACER && AS_TRACER(o)->trace == t) ? AS_TRACER(o)->id : -1;
    if (is_num(o) && val_aval(I, o, &vo->out_avals[i]) < 0) goto done;
  }
  for (int64_t i = 0; i < nodes.n; i++) {
    vo->leaf_nodes[i] = nodes.v[i].u.i;
    if (is_num(primleaves.v[i]) && val_aval(I, primleaves.v[i], &vo->leaf_avals[i]) < 0) goto done;
  }
  {
    Value vov = v_obj(&vo->g.hdr);
    Value fn = tf_closure(I, &vjp_fn_def, vov, "vjp", f);
    v_decref(vov);
    vo = NULL;
    if (IS_EXC(fn)) goto done;
    Value res[2] = {uout, fn};
    result = tuple_of(I, 2, res);
    v_decref(fn);
  }
done:
  if (vo) {
    Value vov = v_obj(&vo->g.hdr);
    v_decref(vov);
  }
  vvec_free(&nodes);
  vvec_free(&outl);
  vvec_free(&primleaves);
  v_decref(out);
  v_decref(uout);
  v_decref(wp);
  trace_pop(I, t);
  return result;
}

static Value bi_vjp(Interp *I, Value *args, int nargs, Value self) {
  return tf_vjp(I, args[0], args[1]);
}

/* ------------------------------------------------------------------ */
/* stop_gradient                                                        */

static Value stop_leaf(Interp *I, Value leaf, void *ctx) {
  if (!is_num(leaf)) return v_incref(leaf);
  return A_stop(I, leaf);
}
static Value bi_stop_gradient(Interp *I, Value *args, int nargs, Value self) {
  return tree_map_c(I, args[0], stop_leaf, NULL);
}

/* ------------------------------------------------------------------ */
/* the table                                                            */

Value bi_vmap(Interp *I, Value *args, int nargs, Value self);
Value bi_jacfwd(Interp *I, Value *args, int nargs, Value self);
Value bi_jacrev(Interp *I, Value *args, int nargs, Value self);
Value bi_hessian(Interp *I, Value *args, int nargs, Value self);
Value bi_custom_jvp(Interp *I, Value *args, int nargs, Value self);
Value bi_custom_vjp(Interp *I, Value *args, int nargs, Value self);
Value bi_check_grads(Interp *I, Value *args, int nargs, Value self);
Value bi_assert_close(Interp *I, Value *args, int nargs, Value self);
Value bi_jit(Interp *I, Value *args, int nargs, Value self);
Value bi_make_jaxpr(Interp *I, Value *args, int nargs, Value self);
Value bi_cond(Interp *I, Value *args, int nargs, Value self);
Value bi_while_loop(Interp *I, Value *args, int nargs, Value self);
Value bi_fori_loop(Interp *I, Value *args, int nargs, Value self);
Value bi_scan(Interp *I, Value *args, int nargs, Value self);

const BuiltinDef ad_builtins[] = {
    {"grad", bi_grad, "f, argnums=0, has_aux=False",
     "grad(f, argnums=0, has_aux=False) returns a function computing the gradient of f "
     "with respect to the argument(s) named by argnums; f must return a float scalar. "
     "Arguments may be pytrees (tuples/dicts of arrays): the gradient has the same structure. "
     "Example: grad(fn(x) => x ** 3)(2.0) gives 12.0."},
    {"value_and_grad", bi_value_and_grad, "f, argnums=0, has_aux=False",
     "value_and_grad(f, argnums=0, has_aux=False) returns a function giving (f(x), grad(f)(x)) "
     "in one pass. Example: value_and_grad(fn(x) => x * x)(3.0) gives (9.0, 6.0)."},
    {"jvp", bi_jvp, "f, primals, tangents",
     "jvp(f, primals, tangents) evaluates f at the tuple primals and pushes the tuple "
     "tangents forward: returns (f(*primals), J·tangents). "
     "Example: jvp(sin, (0.0,), (1.0,)) gives (0.0, 1.0)."},
    {"vjp", bi_vjp, "f, *primals",
     "vjp(f, *primals) returns (f(*primals), vjp_fn); vjp_fn(ct) pulls a cotangent of the "
     "output back to a tuple with one cotangent per primal. "
     "Example: let (y, back) = vjp(fn(x) => x * x, 3.0); back(1.0) gives (6.0,)."},
    {"linearize", bi_linearize, "f, *primals",
     "linearize(f, *primals) returns (f(*primals), jvp_fn) where jvp_fn(*tangents) is the "
     "Jacobian-vector product at primals. Example: linearize(sin, 0.0)[1](2.0) gives 2.0."},
    {"vmap", bi_vmap, "f, in_axes=0, out_axes=0",
     "vmap(f, in_axes=0, out_axes=0) maps f over an axis of its arguments: in_axes is an "
     "int, None (not mapped) or a tuple with one entry per argument. An if or while whose "
     "condition differs across the batch runs per lane. "
     "Example: vmap(fn(x) => x * 2)(array([1.0, 2.0])) gives [2. 4.]."},
    {"jacfwd", bi_jacfwd, "f, argnums=0",
     "jacfwd(f, argnums=0) returns a function computing the Jacobian of f by forward mode; "
     "its shape is out.shape + in.shape. Example: jacfwd(fn(x) => x * x)(array([1.0, 2.0])) "
     "gives [[2. 0.] [0. 4.]]."},
    {"jacrev", bi_jacrev, "f, argnums=0",
     "jacrev(f, argnums=0) returns a function computing the Jacobian of f by reverse mode "
     "(one pullback per output element, batched with vmap). "
     "Example: jacrev(fn(x) => sum(x ** 2))(array([1.0, 2.0])) gives [2. 4.]."},
    {"hessian", bi_hessian, "f, argnums=0",
     "hessian(f, argnums=0) is jacfwd(jacrev(f)): the matrix of second derivatives. "
     "Example: hessian(fn(x) => sum(x ** 3))(array([1.0, 2.0])) gives [[ 6.  0.] [ 0. 12.]]."},
    {"stop_gradient", bi_stop_gradient, "x",
     "stop_gradient(x) returns x unchanged but with zero derivative: transformations treat "
     "it as a constant. Example: grad(fn(x) => x * stop_gradient(x))(3.0) gives 3.0."},
    {"custom_jvp", bi_custom_jvp, "f, jvp",
     "custom_jvp(f, jvp) returns f with a custom forward-mode rule: jvp(primals, tangents) "
     "must return (f(*primals), tangent_out). Reverse mode transposes the rule. "
     "Example: custom_jvp(fn(x) => log(1.0 + exp(x)), fn(p, t) => (log(1.0 + exp(p[0])), "
     "t[0] * (1.0 - 1.0 / (1.0 + exp(p[0])))))."},
    {"custom_vjp", bi_custom_vjp, "f, fwd, bwd",
     "custom_vjp(f, fwd, bwd) returns f with a custom reverse-mode rule: fwd(*args) returns "
     "(out, residuals) and bwd(residuals, g) returns a tuple with one cotangent per argument. "
     "Example: custom_vjp(fn(x) => x, fn(x) => (x, None), fn(r, g) => (2.0 * g,))."},
    {"check_grads", bi_check_grads, "f, args, order=1, modes=None, eps=None, atol=None, rtol=None",
     "check_grads(f, args, order=1, modes=(\"fwd\", \"rev\")) compares f's derivatives from "
     "automatic differentiation with central finite differences, to the given order; it "
     "returns None or raises an AssertionError naming the worst mismatch. "
     "Example: check_grads(sin, (0.5,), order=2)."},
    {"assert_close", bi_assert_close, "a, b, rtol=1e-7, atol=0.0",
     "assert_close(a, b, rtol=1e-7, atol=0) raises an AssertionError unless every element "
     "satisfies |a - b| <= atol + rtol * |b| (numpy's assert_allclose; NaNs must match). "
     "Works on arrays, scalars and pytrees. Example: assert_close(sin(0.1), 0.0998334166, rtol=1e-9)."},
    {"jit", bi_jit, "f, static_argnums=None",
     "jit(f) traces f once per argument signature (shapes, dtypes, structure) into a "
     "program and replays it on later calls without re-running the interpreter. "
     "Example: let g = jit(fn(x) => sin(x) * 2.0); g(1.0)."},
    {"make_jaxpr", bi_make_jaxpr, "f",
     "make_jaxpr(f)(*args) traces f on args and returns the program, which prints in JAX's "
     "jaxpr style. Example: make_jaxpr(sin)(1.0) prints { lambda ; a:f64[]. let b:f64[] = "
     "sin a in (b,) }."},
    {"cond", bi_cond, "pred, true_fun, false_fun, *operands",
     "cond(pred, true_fun, false_fun, *operands) calls true_fun(*operands) if pred else "
     "false_fun(*operands). Under vmap with a per-example pred both branches run and the "
     "results are selected lane by lane. Example: cond(x > 0, fn(x) => x, fn(x) => -x, x)."},
    {"while_loop", bi_while_loop, "cond_fun, body_fun, init_val",
     "while_loop(cond_fun, body_fun, init) repeats val = body_fun(val) while cond_fun(val). "
     "Under vmap each example stops at its own step. "
     "Example: while_loop(fn(v) => v < 10, fn(v) => v * 2, 1) gives 16."},
    {"fori_loop", bi_fori_loop, "lower, upper, body_fun, init_val",
     "fori_loop(lower, upper, body_fun, init) runs val = body_fun(i, val) for i in "
     "range(lower, upper). Example: fori_loop(0, 5, fn(i, s) => s + i, 0) gives 10."},
    {"scan", bi_scan, "f, init, xs, length=None",
     "scan(f, init, xs) runs (carry, y) = f(carry, x) over the leading axis of xs and "
     "returns (final carry, stacked ys). "
     "Example: scan(fn(c, x) => (c + x, c + x), 0.0, array([1.0, 2.0, 3.0])) gives "
     "(6.0, [1. 3. 6.])."},
    {NULL, NULL, NULL, NULL}};
