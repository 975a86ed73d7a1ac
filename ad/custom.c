/* custom.c — custom_jvp and custom_vjp.
 *
 * A custom function is processed by the innermost trace among its
 * arguments:
 *   - no tracer: call f;
 *   - forward mode: call the user's jvp rule on (primals, tangents);
 *   - reverse mode (tape): custom_vjp records fwd's residuals and calls bwd
 *     in the sweep; custom_jvp runs its rule with the tangents traced by a
 *     private tape and, in the sweep, transposes that linear map by running
 *     the private tape backwards;
 *   - batching: re-apply the custom function to vmapped f / rules;
 *   - staging: inline f.
 */
#include "transforms.h"

#include <string.h>

static bool is_num(Value v) { return is_numeric(v) || v.tag == T_TRACER; }

/* The innermost live trace among the tracers of a tree (NULL if none). */
static Trace *top_trace(Interp *I, Value args, int *err) {
  VVec l = {0};
  *err = 0;
  if (tree_flatten(I, args, &l) < 0) {
    *err = 1;
    return NULL;
  }
  Trace *top = NULL;
  for (int64_t i = 0; i < l.n; i++) {
    if (l.v[i].tag != T_TRACER) continue;
    Trace *t = AS_TRACER(l.v[i])->trace;
    if (!t->alive) {
      jx_raise(I, E_TYPE, "a traced value escaped its transformation");
      *err = 1;
      break;
    }
    if (!top || t->level > top->level) top = t;
  }
  vvec_free(&l);
  return top;
}

/* Wrap each float leaf of out with (paired leaf of tout) into tracers of t. */
static Value wrap_jvp_out(Interp *I, Trace *t, Value out, Value tout) {
  VVec ol = {0}, tl = {0};
  Value r = v_exc();
  if (!tree_same_structure(out, tout)) {
    jx_raise(I, E_TYPE, "custom_jvp rule: the tangent output has a different structure than the primal output");
    return v_exc();
  }
  if (tree_flatten(I, out, &ol) < 0 || tree_flatten(I, tout, &tl) < 0) goto done;
  for (int64_t i = 0; i < ol.n; i++) {
    Value o = ol.v[i];
    if (!is_num(o)) continue;
    Aval av, ta;
    if (val_aval(I, o, &av) < 0) goto done;
    if (av.dtype != DT_FLOAT) continue;
    Value tg = tl.v[i];
    if (!is_num(tg)) {
      jx_raise(I, E_TYPE, "custom_jvp rule: tangent output is a %s, expected an array", type_name(tg));
      goto done;
    }
    if (val_aval(I, tg, &ta) < 0) goto done;
    Value tb;
    if (ta.ndim != av.ndim || memcmp(ta.shape, av.shape, sizeof(int64_t) * (size_t)av.ndim)) {
      tb = A_broadcast(I, tg, av.ndim, av.shape);
      if (IS_EXC(tb)) {
        char b1[128], b2[128];
        aval_str(&av, b1, sizeof b1);
        aval_str(&ta, b2, sizeof b2);
        jx_raise(I, E_SHAPE, "custom_jvp rule: tangent output has shape %s but the primal output has %s", b2, b1);
        goto done;
      }
    } else {
      tb = ta.dtype == DT_FLOAT ? v_incref(tg) : A_convert(I, tg, DT_FLOAT);
      if (IS_EXC(tb)) goto done;
    }
    Value w = tracer_new(I, t, &av, v_incref(o), tb, 0);
    if (IS_EXC(w)) goto done;
    v_decref(ol.v[i]);
    ol.v[i] = w;
  }
  {
    int64_t pos = 0;
    r = tree_unflatten(I, out, ol.v, ol.n, &pos);
  }
done:
  vvec_free(&ol);
  vvec_free(&tl);
  return r;
}

/* in_axes tree for re-applying under a batch trace: bdim for t-tracers, None otherwise */
static Value axes_leaf(Interp *I, Value leaf, void *ctx) {
  Trace *t = ctx;
  if (leaf.tag == T_TRACER && AS_TRACER(leaf)->trace == t) return v_int(AS_TRACER(leaf)->id);
  return v_none();
}

static Value wrap_batch0(Interp *I, Value leaf, void *ctx) {
  Trace *t = ctx;
  if (!is_num(leaf)) return v_incref(leaf);
  return batch_wrap(I, t, v_incref(leaf), 0);
}

/* ------------------------------------------------------------------ */
/* custom_jvp                                                           */

typedef struct {
  GenObj g;
  Tape *tape;
  int64_t seed;
  int nin;
  int64_t *leaves;
} CJState;

static void cj_free(Obj *o) {
  CJState *s = (CJState *)o;
  if (s->tape) tape_release(s->tape);
  jx_free(s->leaves);
  jx_free(s);
}
static const ObjOps cj_ops = {"custom_jvp_state", cj_free, NULL, NULL, NULL, NULL};

static int cj_bwd(Interp *I, Value data, Value g, int nin, const bool *need, Value *ct) {
  CJState *s = (CJState *)data.u.o;
  if (s->seed < 0) return 0;
  return tape_backward(I, s->tape, 1, &s->seed, &g, nin, s->leaves, ct);
}

static Value custom_jvp_apply(Interp *I, Value *args, int nargs, Value self);
static const BuiltinDef custom_jvp_fn_def = {"custom_jvp", custom_jvp_apply, "*args", NULL};

static Value cj_reverse(Interp *I, Trace *t, Value f, Value rule, Value args) {
  Value result = v_exc();
  VVec al = {0}, tl = {0}, ol = {0}, tol = {0};
  int64_t *tnodes = NULL, *t2leaves = NULL;
  int nt = 0;
  Value primals = tf_unwrap(I, t, args, 0);
  Value tangents = v_unset(), r = v_unset();
  Trace *t2 = NULL;
  if (IS_EXC(primals)) goto done;
  if (tree_flatten(I, args, &al) < 0) goto done;
  tnodes = jx_malloc(I, (size_t)(al.n ? al.n : 1) * sizeof(int64_t));
  t2leaves = jx_malloc(I, (size_t)(al.n ? al.n : 1) * sizeof(int64_t));
  if (!tnodes || !t2leaves) goto done;
  t2 = trace_push(I, TK_VJP);
  if (!t2) goto done;
  for (int64_t i = 0; i < al.n; i++) {
    Value lf = al.v[i];
    Value tg;
    if (lf.tag == T_TRACER && AS_TRACER(lf)->trace == t) {
      Aval av = AS_TRACER(lf)->aval;
      int64_t node = tape_leaf(I, t2->tape);
      Value z = A_zeros(I, &av);
      if (node < 0 || IS_EXC(z)) goto done;
      tg = tracer_new(I, t2, &av, z, v_unset(), node);
      tnodes[nt] = AS_TRACER(lf)->id;
      t2leaves[nt] = node;
      nt++;
    } else if (is_num(lf)) {
      tg = A_zeros_like(I, lf);
    } else {
      tg = v_incref(lf);
    }
    if (IS_EXC(tg) || vvec_push(I, &tl, tg) < 0) {
      v_decref(tg);
      goto done;
    }
    v_decref(tg);
  }
  {
    int64_t pos = 0;
    tangents = tree_unflatten(I, args, tl.v, tl.n, &pos);
    if (IS_EXC(tangents)) goto done;
  }
  {
    Value ra[2] = {primals, tangents};
    r = jx_call(I, rule, 2, ra, 0, NULL, NULL);
  }
  if (IS_EXC(r)) goto done;
  if (r.tag != T_TUPLE || AS_TUPLE(r)->n != 2) {
    jx_raise(I, E_TYPE, "custom_jvp rule must return a pair (primal_out, tangent_out), got %s", type_name(r));
    goto done;
  }
  {
    Value out = AS_TUPLE(r)->items[0], tout = AS_TUPLE(r)->items[1];
    if (!tree_same_structure(out, tout)) {
      jx_raise(I, E_TYPE, "custom_jvp rule: tangent output has a different structure than the primal output");
      goto done;
    }
    if (tree_flatten(I, out, &ol) < 0 || tree_flatten(I, tout, &tol) < 0) goto done;
    for (int64_t i = 0; i < ol.n; i++) {
      Value o = ol.v[i];
      if (o.tag == T_TRACER && AS_TRACER(o)->trace == t2) {
        jx_raise(I, E_TYPE, "custom_jvp rule: the primal output depends on the tangents");
        goto done;
      }
      if (!is_num(o)) continue;
      Aval av;
      if (val_aval(I, o, &av) < 0) goto done;
      if (av.dtype != DT_FLOAT) continue;
      Value tg = tol.v[i];
      int64_t seed = (tg.tag == T_TRACER && AS_TRACER(tg)->trace == t2) ? AS_TRACER(tg)->id : -1;
      if (seed >= 0) {
        Aval ta = AS_TRACER(tg)->aval;
        if (!aval_eq(&ta, &av)) {
          char b1[128], b2[128];
          aval_str(&av, b1, sizeof b1);
          aval_str(&ta, b2, sizeof b2);
          jx_raise(I, E_SHAPE, "custom_jvp rule: tangent output has shape %s but the primal output has %s", b2, b1);
          goto done;
        }
      }
      CJState *s = obj_new(I, T_OBJ, sizeof(CJState));
      if (!s) goto done;
      s->g.ops = &cj_ops;
      s->tape = t2->tape;
      tape_retain(t2->tape);
      s->seed = seed;
      s->nin = nt;
      s->leaves = jx_malloc(I, (size_t)(nt ? nt : 1) * sizeof(int64_t));
      Value sv = v_obj(&s->g.hdr);
      if (!s->leaves) {
        v_decref(sv);
        goto done;
      }
      memcpy(s->leaves, t2leaves, (size_t)nt * sizeof(int64_t));
      int64_t node = tape_add_custom(I, t->tape, cj_bwd, sv, nt, tnodes);
      v_decref(sv);
      if (node < 0) goto done;
      Value w = tracer_new(I, t, &av, v_incref(o), v_unset(), node);
      if (IS_EXC(w)) goto done;
      v_decref(ol.v[i]);
      ol.v[i] = w;
    }
    int64_t pos = 0;
    result = tree_unflatten(I, out, ol.v, ol.n, &pos);
  }
done:
  if (t2) trace_pop(I, t2);
  jx_free(tnodes);
  jx_free(t2leaves);
  vvec_free(&al);
  vvec_free(&tl);
  vvec_free(&ol);
  vvec_free(&tol);
  v_decref(primals);
  v_decref(tangents);
  v_decref(r);
  return result;
}

static Value custom_jvp_apply(Interp *I, Value *args, int nargs, Value self) {
  Tuple *d = AS_TUPLE(AS_CFUNC(self)->data);
  Value f = d->items[0], rule = d->items[1];
  Value a = args[0];
  int err;
  Trace *t = top_trace(I, a, &err);
  if (err) return v_exc();
  if (!t || t->kind == TK_STAGE)
    return jx_call(I, f, (int)AS_TUPLE(a)->n, AS_TUPLE(a)->items, 0, NULL, NULL);
  if (t->kind == TK_JVP) {
    Value primals = tf_unwrap(I, t, a, 0);
    Value tangents = tf_unwrap(I, t, a, 1);
    Value r = v_exc();
    if (!IS_EXC(primals) && !IS_EXC(tangents)) {
      Value ra[2] = {primals, tangents};
      r = jx_call(I, rule, 2, ra, 0, NULL, NULL);
    }
    v_decref(primals);
    v_decref(tangents);
    if (IS_EXC(r)) return r;
    if (r.tag != T_TUPLE || AS_TUPLE(r)->n != 2) {
      v_decref(r);
      return jx_raise(I, E_TYPE, "custom_jvp rule must return a pair (primal_out, tangent_out)");
    }
    Value w = wrap_jvp_out(I, t, AS_TUPLE(r)->items[0], AS_TUPLE(r)->items[1]);
    v_decref(r);
    return w;
  }
  if (t->kind == TK_VJP) return cj_reverse(I, t, f, rule, a);
  /* batching: custom_jvp(vmap(f), vmap(rule)) applied to the unbatched values */
  Value spec = tree_map_c(I, a, axes_leaf, t);
  Value vals = tf_unwrap(I, t, a, 0);
  Value result = v_exc();
  if (!IS_EXC(spec) && !IS_EXC(vals)) {
    Value fb = tf_vmap_make(I, f, spec, v_int(0));
    Value sp2[2] = {spec, spec};
    Value rspec = tuple_of(I, 2, sp2);
    Value rb = IS_EXC(rspec) ? rspec : tf_vmap_make(I, rule, rspec, v_int(0));
    Value items[2] = {fb, rb};
    Value nd = (IS_EXC(fb) || IS_EXC(rb)) ? v_exc() : tuple_of(I, 2, items);
    Value cf = IS_EXC(nd) ? nd : cfunc_new(I, &custom_jvp_fn_def, nd);
    if (!IS_EXC(cf)) {
      Value r = jx_call(I, cf, (int)AS_TUPLE(vals)->n, AS_TUPLE(vals)->items, 0, NULL, NULL);
      if (!IS_EXC(r)) {
        result = tree_map_c(I, r, wrap_batch0, t);
        v_decref(r);
      }
    }
    v_decref(cf);
    v_decref(nd);
    v_decref(fb);
    v_decref(rb);
    v_decref(rspec);
  }
  v_decref(spec);
  v_decref(vals);
  return result;
}

static bool is_fn(Value f) { return f.tag == T_FUNC || f.tag == T_CFUNC || f.tag == T_OBJ; }

Value bi_custom_jvp(Interp *I, Value *args, int nargs, Value self) {
  if (!is_fn(args[0]) || !is_fn(args[1]))
    return jx_raise(I, E_TYPE, "custom_jvp(f, jvp): both arguments must be functions");
  Value data = tuple_of(I, 2, args);
  if (IS_EXC(data)) return data;
  Value c = tf_closure(I, &custom_jvp_fn_def, data, "custom_jvp", args[0]);
  v_decref(data);
  return c;
}

/* ------------------------------------------------------------------ */
/* custom_vjp                                                           */

typedef struct {
  GenObj g;
  Value bwd, res, out, args; /* out: output template; args: argument template */
  int64_t k;                 /* which output leaf this node stands for */
  int64_t nargleaves;
  bool *is_in;               /* which argument leaves are inputs of the node */
} CVState;

static void cv_free(Obj *o) {
  CVState *s = (CVState *)o;
  v_decref(s->bwd);
  v_decref(s->res);
  v_decref(s->out);
  v_decref(s->args);
  jx_free(s->is_in);
  jx_free(s);
}
static const ObjOps cv_ops = {"custom_vjp_state", cv_free, NULL, NULL, NULL, NULL};

static int cv_bwd(Interp *I, Value data, Value g, int nin, const bool *need, Value *ct) {
  CVState *s = (CVState *)data.u.o;
  VVec ol = {0}, cl = {0};
  int rc = -1;
  Value gt = v_unset(), r = v_unset();
  if (tree_flatten(I, s->out, &ol) < 0) goto done;
  for (int64_t i = 0; i < ol.n; i++) {
    Value z = i == s->k ? v_incref(g) : (is_num(ol.v[i]) ? A_zeros_like(I, ol.v[i]) : v_none());
    if (IS_EXC(z)) goto done;
    v_decref(ol.v[i]);
    ol.v[i] = z;
  }
  {
    int64_t pos = 0;
    gt = tree_unflatten(I, s->out, ol.v, ol.n, &pos);
    if (IS_EXC(gt)) goto done;
  }
  {
    Value ra[2] = {s->res, gt};
    r = jx_call(I, s->bwd, 2, ra, 0, NULL, NULL);
  }
  if (IS_EXC(r)) goto done;
  if (r.tag != T_TUPLE || AS_TUPLE(r)->n != AS_TUPLE(s->args)->n) {
    jx_raise(I, E_TYPE,
             "custom_vjp: bwd must return a tuple with one cotangent per argument (%lld), got %s",
             (long long)AS_TUPLE(s->args)->n, type_name(r));
    goto done;
  }
  if (tree_flatten(I, r, &cl) < 0) goto done;
  if (cl.n != s->nargleaves) {
    jx_raise(I, E_TYPE, "custom_vjp: bwd's cotangents do not match the arguments' structure");
    goto done;
  }
  {
    VVec al = {0};
    if (tree_flatten(I, s->args, &al) < 0) {
      vvec_free(&al);
      goto done;
    }
    int j = 0;
    for (int64_t i = 0; i < cl.n && j < nin; i++) {
      if (!s->is_in[i]) continue;
      Value c = cl.v[i];
      if (need[j] && c.tag != T_NONE) {
        Aval pa, ca;
        if (val_aval(I, al.v[i], &pa) < 0 || val_aval(I, c, &ca) < 0) {
          vvec_free(&al);
          goto done;
        }
        if (pa.ndim != ca.ndim || memcmp(pa.shape, ca.shape, sizeof(int64_t) * (size_t)pa.ndim)) {
          char b1[128], b2[128];
          aval_str(&pa, b1, sizeof b1);
          aval_str(&ca, b2, sizeof b2);
          vvec_free(&al);
          jx_raise(I, E_SHAPE, "custom_vjp: bwd returned a cotangent of shape %s for an argument of shape %s", b2, b1);
          goto done;
        }
        ct[j] = ca.dtype == DT_FLOAT ? v_incref(c) : A_convert(I, c, DT_FLOAT);
        if (IS_EXC(ct[j])) {
          ct[j] = v_unset();
          vvec_free(&al);
          goto done;
        }
      }
      j++;
    }
    vvec_free(&al);
  }
  rc = 0;
done:
  vvec_free(&ol);
  vvec_free(&cl);
  v_decref(gt);
  v_decref(r);
  return rc;
}

static Value custom_vjp_apply(Interp *I, Value *args, int nargs, Value self);
static const BuiltinDef custom_vjp_fn_def = {"custom_vjp", custom_vjp_apply, "*args", NULL};

static Value cv_reverse(Interp *I, Trace *t, Value fwd, Value bwd, Value a) {
  Value result = v_exc();
  VVec al = {0}, ol = {0};
  int64_t *tnodes = NULL;
  bool *is_in = NULL;
  int nt = 0;
  Value primals = tf_unwrap(I, t, a, 0);
  Value r = v_unset();
  if (IS_EXC(primals)) goto done;
  if (tree_flatten(I, a, &al) < 0) goto done;
  tnodes = jx_malloc(I, (size_t)(al.n ? al.n : 1) * sizeof(int64_t));
  is_in = jx_calloc(I, (size_t)(al.n ? al.n : 1), sizeof(bool));
  if (!tnodes || !is_in) goto done;
  for (int64_t i = 0; i < al.n; i++) {
    if (al.v[i].tag == T_TRACER && AS_TRACER(al.v[i])->trace == t) {
      tnodes[nt++] = AS_TRACER(al.v[i])->id;
      is_in[i] = true;
    }
  }
  r = jx_call(I, fwd, (int)AS_TUPLE(primals)->n, AS_TUPLE(primals)->items, 0, NULL, NULL);
  if (IS_EXC(r)) goto done;
  if (r.tag != T_TUPLE || AS_TUPLE(r)->n != 2) {
    jx_raise(I, E_TYPE, "custom_vjp: fwd must return a pair (output, residuals), got %s", type_name(r));
    goto done;
  }
  {
    Value out = AS_TUPLE(r)->items[0], res = AS_TUPLE(r)->items[1];
    if (tree_flatten(I, out, &ol) < 0) goto done;
    for (int64_t i = 0; i < ol.n; i++) {
      Value o = ol.v[i];
      if (!is_num(o)) continue;
      Aval av;
      if (val_aval(I, o, &av) < 0) goto done;
      if (av.dtype != DT_FLOAT) continue;
      CVState *s = obj_new(I, T_OBJ, sizeof(CVState));
      if (!s) goto done;
      s->g.ops = &cv_ops;
      s->bwd = v_incref(bwd);
      s->res = v_incref(res);
      s->out = v_incref(out);
      s->args = v_incref(primals);
      s->k = i;
      s->nargleaves = al.n;
      s->is_in = jx_malloc(I, (size_t)(al.n ? al.n : 1) * sizeof(bool));
      Value sv = v_obj(&s->g.hdr);
      if (!s->is_in) {
        v_decref(sv);
        goto done;
      }
      memcpy(s->is_in, is_in, (size_t)al.n * sizeof(bool));
      int64_t node = tape_add_custom(I, t->tape, cv_bwd, sv, nt, tnodes);
      v_decref(sv);
      if (node < 0) goto done;
      Value w = tracer_new(I, t, &av, v_incref(o), v_unset(), node);
      if (IS_EXC(w)) goto done;
      v_decref(ol.v[i]);
      ol.v[i] = w;
    }
    int64_t pos = 0;
    result = tree_unflatten(I, out, ol.v, ol.n, &pos);
  }
done:
  jx_free(tnodes);
  jx_free(is_in);
  vvec_free(&al);
  vvec_free(&ol);
  v_decref(primals);
  v_decref(r);
  return result;
}

static Value custom_vjp_apply(Interp *I, Value *args, int nargs, Value self) {
  Tuple *d = AS_TUPLE(AS_CFUNC(self)->data);
  Value f = d->items[0], fwd = d->items[1], bwd = d->items[2];
  Value a = args[0];
  int err;
  Trace *t = top_trace(I, a, &err);
  if (err) return v_exc();
  if (!t || t->kind == TK_STAGE)
    return jx_call(I, f, (int)AS_TUPLE(a)->n, AS_TUPLE(a)->items, 0, NULL, NULL);
  if (t->kind == TK_JVP)
    return jx_raise(I, E_TYPE,
                    "can't apply forward-mode differentiation (jvp, jacfwd, hessian) to a "
                    "custom_vjp function; use custom_jvp, or reverse mode (grad, vjp, jacrev)");
  if (t->kind == TK_VJP) return cv_reverse(I, t, fwd, bwd, a);
  /* batching */
  Value spec = tree_map_c(I, a, axes_leaf, t);
  Value vals = tf_unwrap(I, t, a, 0);
  Value result = v_exc();
  if (!IS_EXC(spec) && !IS_EXC(vals)) {
    Value fb = tf_vmap_make(I, f, spec, v_int(0));
    Value fwdb = tf_vmap_make(I, fwd, spec, v_int(0));
    Value bwdb = tf_vmap_make(I, bwd, v_int(0), v_int(0));
    Value items[3] = {fb, fwdb, bwdb};
    Value nd = (IS_EXC(fb) || IS_EXC(fwdb) || IS_EXC(bwdb)) ? v_exc() : tuple_of(I, 3, items);
    Value cf = IS_EXC(nd) ? nd : cfunc_new(I, &custom_vjp_fn_def, nd);
    if (!IS_EXC(cf)) {
      Value r = jx_call(I, cf, (int)AS_TUPLE(vals)->n, AS_TUPLE(vals)->items, 0, NULL, NULL);
      if (!IS_EXC(r)) {
        result = tree_map_c(I, r, wrap_batch0, t);
        v_decref(r);
      }
    }
    v_decref(cf);
    v_decref(nd);
    v_decref(fb);
    v_decref(fwdb);
    v_decref(bwdb);
  }
  v_decref(spec);
  v_decref(vals);
  return result;
}

Value bi_custom_vjp(Interp *I, Value *args, int nargs, Value self) {
  if (!is_fn(args[0]) || !is_fn(args[1]) || !is_fn(args[2]))
    return jx_raise(I, E_TYPE, "custom_vjp(f, fwd, bwd): all three arguments must be functions");
  Value data = tuple_of(I, 3, args);
  if (IS_EXC(data)) return data;
  Value c = tf_closure(I, &custom_vjp_fn_def, data, "custom_vjp", args[0]);
  v_decref(data);
  return c;
}
