/* control.c — structured control flow: cond, while_loop, fori_loop, scan.
 *
 * With a concrete predicate they simply run (so grad and jvp see the ops
 * of the branch or iterations taken).  When the predicate differs across
 * a vmapped batch, cond runs both branches and selects lane by lane, and
 * while_loop runs until every lane is done, each lane frozen once its
 * condition is false.  Under jit a cond on a traced predicate is staged as
 * both branches and a select. */
#include "control.h"

#include <string.h>

static bool is_num(Value v) { return is_numeric(v) || v.tag == T_TRACER; }

int ctl_truth(Interp *I, Value p, const char *who) {
  Value c = ad_primal(p);
  if (c.tag == T_TRACER && AS_TRACER(c)->trace->kind == TK_STAGE) return 2;
  if (c.tag == T_TRACER && AS_TRACER(c)->trace->kind == TK_BATCH) {
    Aval av = AS_TRACER(c)->aval;
    if (av.ndim != 0)
      return jx_raisei(I, E_TYPE, "%s: the predicate must be a scalar (per example), got shape with %d dims",
                       who, av.ndim);
    return ad_truth(I, p);
  }
  if (is_numeric(c)) {
    Aval av;
    if (val_aval(I, c, &av) < 0) return -1;
    if (av.ndim != 0)
      return jx_raisei(I, E_TYPE,
                       "%s: the predicate must be a scalar, got an array with %d dimension%s; "
                       "use all(...) or any(...)",
                       who, av.ndim, av.ndim == 1 ? "" : "s");
  }
  return jx_truth(I, c);
}

/* where(p, a, b) leaf by leaf over two trees of the same structure */
Value ctl_select_tree(Interp *I, Value p, Value a, Value b, const char *who) {
  if (!tree_same_structure(a, b))
    return jx_raise(I, E_TYPE, "%s: both branches must return values of the same structure", who);
  VVec al = {0}, bl = {0};
  Value r = v_exc();
  if (tree_flatten(I, a, &al) < 0 || tree_flatten(I, b, &bl) < 0) goto done;
  for (int64_t i = 0; i < al.n; i++) {
    Value x = al.v[i], y = bl.v[i];
    if (!is_num(x) || !is_num(y)) {
      if (!values_equal(x, y)) {
        jx_raise(I, E_TYPE, "%s: branches returned different non-array values (%s and %s)", who,
                 type_name(x), type_name(y));
        goto done;
      }
      continue;
    }
    Aval xa, ya;
    if (val_aval(I, x, &xa) < 0 || val_aval(I, y, &ya) < 0) goto done;
    if (xa.ndim != ya.ndim || memcmp(xa.shape, ya.shape, sizeof(int64_t) * (size_t)xa.ndim)) {
      char b1[128], b2[128];
      aval_str(&xa, b1, sizeof b1);
      aval_str(&ya, b2, sizeof b2);
      jx_raise(I, E_SHAPE, "%s: the branches give values of different shapes (%s and %s)", who, b1, b2);
      goto done;
    }
    Value s = A_select(I, p, x, y);
    if (IS_EXC(s)) goto done;
    v_decref(al.v[i]);
    al.v[i] = s;
  }
  {
    int64_t pos = 0;
    r = tree_unflatten(I, a, al.v, al.n, &pos);
  }
done:
  vvec_free(&al);
  vvec_free(&bl);
  return r;
}

static bool is_fn(Value f) { return f.tag == T_FUNC || f.tag == T_CFUNC || f.tag == T_OBJ; }

Value bi_cond(Interp *I, Value *args, int nargs, Value self) {
  Value p = args[0], tf = args[1], ff = args[2], ops = args[3];
  if (!is_fn(tf) || !is_fn(ff)) return jx_raise(I, E_TYPE, "cond(p, true_fn, false_fn, *operands): branches must be functions");
  Tuple *o = AS_TUPLE(ops);
  int t = ctl_truth(I, p, "cond");
  if (t < 0) return v_exc();
  if (t == 1) return jx_call(I, tf, (int)o->n, o->items, 0, NULL, NULL);
  if (t == 0) return jx_call(I, ff, (int)o->n, o->items, 0, NULL, NULL);
  Value a = jx_call(I, tf, (int)o->n, o->items, 0, NULL, NULL);
  if (IS_EXC(a)) return a;
  Value b = jx_call(I, ff, (int)o->n, o->items, 0, NULL, NULL);
  if (IS_EXC(b)) {
    v_decref(a);
    return b;
  }
  Value pb = A_convert(I, p, DT_BOOL);
  Value r = IS_EXC(pb) ? pb : ctl_select_tree(I, pb, a, b, "cond");
  v_decref(pb);
  v_decref(a);
  v_decref(b);
  return r;
}

/* 1 if every numeric leaf of the carry can enter a staged loop, 0 if one
 * is a tracer of grad/jvp/vmap, -1 on error */
static int carry_stageable(Interp *I, Value carry) {
  VVec l = {0};
  if (tree_flatten(I, carry, &l) < 0) {
    vvec_free(&l);
    return -1;
  }
  int ok = 1;
  for (int64_t i = 0; i < l.n && ok; i++)
    if (!stage_carry_ok(l.v[i])) ok = 0;
  vvec_free(&l);
  return ok;
}

Value bi_while_loop(Interp *I, Value *args, int nargs, Value self) {
  Value cf = args[0], bf = args[1];
  if (!is_fn(cf) || !is_fn(bf)) return jx_raise(I, E_TYPE, "while_loop(cond_fun, body_fun, init): expected functions");
  Value val = v_incref(args[2]);
  for (;;) {
    if (jx_check_interrupt(I) < 0) break;
    StageMark mark;
    stage_mark(I, &mark);
    Value c = jx_call(I, cf, 1, &val, 0, NULL, NULL);
    if (IS_EXC(c)) break;
    int t = ctl_truth(I, c, "while_loop");
    if (t < 0 || t == 0) {
      v_decref(c);
      if (t == 0) return val;
      break;
    }
    if (t == 2) {
      Trace *st = stage_while_trace(I, c);
      if (st && carry_stageable(I, val) > 0) {
        /* the condition is traced by jit/make_jaxpr itself: stage the loop,
         * without the equations of the condition just evaluated (dead) */
        v_decref(c);
        stage_rollback(I, &mark);
        Value r = stage_while(I, st, cf, bf, val);
        v_decref(val);
        return r;
      }
      if (ad_is_staged(c)) {
        ad_mark_unstageable(I, c);
        v_decref(c);
        if (!I->err.kind)
          jx_raise(I, E_TYPE,
                   "while_loop: the loop condition depends on a value traced by jit/make_jaxpr "
                   "inside grad, jvp or vmap, where the loop cannot be staged (reverse-mode "
                   "differentiation of a staged loop is not supported); jit runs such a "
                   "function without staging");
        break;
      }
    }
    Value nv = jx_call(I, bf, 1, &val, 0, NULL, NULL);
    if (IS_EXC(nv)) {
      v_decref(c);
      break;
    }
    if (t == 2) {
      Value cb = A_convert(I, c, DT_BOOL);
      Value m = IS_EXC(cb) ? cb : ctl_select_tree(I, cb, nv, val, "while_loop");
      v_decref(cb);
      v_decref(nv);
      nv = m;
      if (IS_EXC(nv)) {
        v_decref(c);
        break;
      }
    } else if (!tree_same_structure(nv, val)) {
      v_decref(nv);
      v_decref(c);
      jx_raise(I, E_TYPE, "while_loop: body_fun must return a value with the structure of init");
      break;
    }
    v_decref(c);
    v_decref(val);
    val = nv;
  }
  v_decref(val);
  return v_exc();
}

Value bi_fori_loop(Interp *I, Value *args, int nargs, Value self) {
  int64_t lo, hi;
  Value l = ad_primal(args[0]), h = ad_primal(args[1]);
  if (l.tag != T_INT || h.tag != T_INT)
    return jx_raise(I, E_TYPE, "fori_loop(lower, upper, body_fun, init): lower and upper must be concrete ints");
  lo = l.u.i;
  hi = h.u.i;
  Value bf = args[2];
  if (!is_fn(bf)) return jx_raise(I, E_TYPE, "fori_loop: body_fun must be a function");
  Value val = v_incref(args[3]);
  for (int64_t i = lo; i < hi; i++) {
    if (jx_check_interrupt(I) < 0) {
      v_decref(val);
      return v_exc();
    }
    Value a[2] = {v_int(i), val};
    Value nv = jx_call(I, bf, 2, a, 0, NULL, NULL);
    v_decref(val);
    if (IS_EXC(nv)) return nv;
    val = nv;
  }
  return val;
}

/* x[i] along axis 0 */
static Value index0(Interp *I, Value x, int64_t i) {
  Aval av;
  if (val_aval(I, x, &av) < 0) return v_exc();
  if (av.ndim == 0) return jx_raise(I, E_TYPE, "scan: xs leaves must have a leading axis");
  Params p = PARAMS_INIT;
  p.n = av.ndim;
  for (int d = 0; d < av.ndim; d++) {
    p.a[d] = d == 0 ? i : 0;
    p.b[d] = d == 0 ? i + 1 : av.shape[d];
    p.c[d] = 1;
  }
  Value s = jx_bind(I, P_slice, &x, &p);
  Value r = A_reshape(I, s, av.ndim - 1, av.shape + 1);
  v_decref(s);
  return r;
}

/* stack values (all of one aval) along a new axis 0 */
Value ctl_stack(Interp *I, const Value *xs, int64_t n) {
  if (n == 0) return jx_raise(I, E_VALUE, "cannot stack zero values");
  Aval av;
  if (val_aval(I, xs[0], &av) < 0) return v_exc();
  if (av.ndim + 1 > JX_MAXDIM) return jx_raise(I, E_SHAPE, "too many dimensions");
  int64_t shape[JX_MAXDIM];
  shape[0] = 1;
  for (int d = 0; d < av.ndim; d++) shape[d + 1] = av.shape[d];
  Value *ex = jx_malloc(I, (size_t)n * sizeof(Value));
  if (!ex) return v_exc();
  int64_t k;
  for (k = 0; k < n; k++) {
    ex[k] = A_reshape(I, xs[k], av.ndim + 1, shape);
    if (IS_EXC(ex[k])) break;
  }
  Value r = k == n ? ctl_concat0(I, ex, n) : v_exc();
  for (int64_t j = 0; j < k; j++) v_decref(ex[j]);
  jx_free(ex);
  return r;
}

Value ctl_concat0(Interp *I, const Value *xs, int64_t n) {
  enum { CH = 32 };
  if (n == 1) return v_incref(xs[0]);
  if (n <= CH) {
    Params p = PARAMS_INIT;
    p.nin = (int)n;
    p.i0 = 0;
    return jx_bind(I, P_concatenate, xs, &p);
  }
  int64_t nch = (n + CH - 1) / CH;
  Value *parts = jx_malloc(I, (size_t)nch * sizeof(Value));
  if (!parts) return v_exc();
  int64_t k;
  for (k = 0; k < nch; k++) {
    int64_t lo = k * CH, cnt = n - lo < CH ? n - lo : CH;
    parts[k] = ctl_concat0(I, xs + lo, cnt);
    if (IS_EXC(parts[k])) break;
  }
  Value r = k == nch ? ctl_concat0(I, parts, nch) : v_exc();
  for (int64_t j = 0; j < k; j++) v_decref(parts[j]);
  jx_free(parts);
  return r;
}

typedef struct {
  int64_t i;
} IdxCtx;
static Value index_leaf(Interp *I, Value leaf, void *ctx) {
  if (!is_num(leaf)) return v_incref(leaf);
  return index0(I, leaf, ((IdxCtx *)ctx)->i);
}

Value bi_scan(Interp *I, Value *args, int nargs, Value self) {
  Value f = args[0], init = args[1], xs = args[2];
  if (!is_fn(f)) return jx_raise(I, E_TYPE, "scan(f, init, xs): f must be a function");
  int64_t n = -1;
  if (args[3].tag == T_INT) n = args[3].u.i;
  VVec xl = {0};
  if (tree_flatten(I, xs, &xl) < 0) {
    vvec_free(&xl);
    return v_exc();
  }
  for (int64_t i = 0; i < xl.n; i++) {
    if (!is_num(xl.v[i])) continue;
    Aval av;
    if (val_aval(I, xl.v[i], &av) < 0 || av.ndim == 0) {
      vvec_free(&xl);
      return I->err.kind ? v_exc() : jx_raise(I, E_TYPE, "scan: every leaf of xs needs a leading axis");
    }
    if (n < 0) n = av.shape[0];
    else if (n != av.shape[0]) {
      vvec_free(&xl);
      return jx_raise(I, E_VALUE, "scan: xs leaves have different leading sizes (%lld and %lld)",
                      (long long)n, (long long)av.shape[0]);
    }
  }
  vvec_free(&xl);
  if (n < 0) return jx_raise(I, E_VALUE, "scan: give xs with a leading axis, or length=");
  Value carry = v_incref(init);
  VVec ys = {0};
  Value ytmpl = v_unset();
  Value result = v_exc();
  for (int64_t i = 0; i < n; i++) {
    if (jx_check_interrupt(I) < 0) goto done;
    IdxCtx ic = {i};
    Value x = xs.tag == T_NONE ? v_none() : tree_map_c(I, xs, index_leaf, &ic);
    if (IS_EXC(x)) goto done;
    Value a[2] = {carry, x};
    Value r = jx_call(I, f, 2, a, 0, NULL, NULL);
    v_decref(x);
    if (IS_EXC(r)) goto done;
    if (r.tag != T_TUPLE || AS_TUPLE(r)->n != 2) {
      v_decref(r);
      jx_raise(I, E_TYPE, "scan: f must return a pair (carry, y)");
      goto done;
    }
    v_decref(carry);
    carry = v_incref(AS_TUPLE(r)->items[0]);
    Value y = AS_TUPLE(r)->items[1];
    if (ytmpl.tag == T_UNSET) ytmpl = v_incref(y);
    else if (!tree_same_structure(ytmpl, y)) {
      v_decref(r);
      jx_raise(I, E_TYPE, "scan: f returned ys of different structures");
      goto done;
    }
    if (tree_flatten(I, y, &ys) < 0) {
      v_decref(r);
      goto done;
    }
    v_decref(r);
  }
  {
    Value ysv;
    if (n == 0 || ytmpl.tag == T_UNSET) {
      ysv = v_none();
    } else {
      int64_t per = ys.n / n;
      Value *stacked = jx_malloc(I, (size_t)(per ? per : 1) * sizeof(Value));
      Value *col = jx_malloc(I, (size_t)n * sizeof(Value));
      if (!stacked || !col) {
        jx_free(stacked);
        jx_free(col);
        goto done;
      }
      int64_t k;
      for (k = 0; k < per; k++) {
        for (int64_t i = 0; i < n; i++) col[i] = ys.v[i * per + k];
        if (!is_num(col[0])) stacked[k] = v_incref(col[0]);
        else stacked[k] = ctl_stack(I, col, n);
        if (IS_EXC(stacked[k])) break;
      }
      int64_t pos = 0;
      ysv = k == per ? tree_unflatten(I, ytmpl, stacked, per, &pos) : v_exc();
      for (int64_t j = 0; j < k; j++) v_decref(stacked[j]);
      jx_free(stacked);
      jx_free(col);
      if (IS_EXC(ysv)) goto done;
    }
    Value pr[2] = {carry, ysv};
    result = tuple_of(I, 2, pr);
    v_decref(ysv);
  }
done:
  v_decref(carry);
  v_decref(ytmpl);
  vvec_free(&ys);
  return result;
}


/* ------------------------------------------------------------------ */
/* masks for the evaluator's per-lane if/while (see ad/ad.h)            */

int ad_cond_truth(Interp *I, Value c) { return ctl_truth(I, c, "condition"); }

bool ad_is_staged(Value v) {
  Value c = ad_primal(v);
  while (c.tag == T_TRACER && AS_TRACER(c)->trace->kind == TK_BATCH) c = ad_primal(AS_TRACER(c)->a);
  return c.tag == T_TRACER && AS_TRACER(c)->trace->kind == TK_STAGE;
}

void ad_mark_unstageable(Interp *I, Value v) {
  Value c = ad_primal(v);
  while (c.tag == T_TRACER && AS_TRACER(c)->trace->kind == TK_BATCH) c = ad_primal(AS_TRACER(c)->a);
  stage_mark_unstageable(I, c);
}

Value ad_select_tree(Interp *I, Value mask, Value a, Value b, const char *who) {
  return ctl_select_tree(I, mask, a, b, who);
}

static Value to_bool(Interp *I, Value c) {
  Aval av;
  if (val_aval(I, c, &av) < 0) return v_exc();
  if (av.dtype == DT_BOOL) return v_incref(c);
  return A_ne(I, c, v_int(0));
}

/* The mask operations below tag what they stage (Eqn.mask). */
static void mask_begin(Interp *I) {
  if (I->ts) I->ts->mask_ops++;
}
static Value mask_end(Interp *I, Value r) {
  if (I->ts) I->ts->mask_ops--;
  return r;
}

Value ad_mask_and(Interp *I, Value active, Value c) {
  mask_begin(I);
  Value cb = to_bool(I, c);
  if (IS_EXC(cb) || active.tag == T_UNSET) return mask_end(I, cb);
  Value r = A_bin(I, P_and, active, cb);
  v_decref(cb);
  return mask_end(I, r);
}

Value ad_mask_minus(Interp *I, Value active, Value set) {
  if (set.tag == T_UNSET) return v_incref(active);
  mask_begin(I);
  Value ns = A_un(I, P_not, set);
  if (IS_EXC(ns) || active.tag == T_UNSET) return mask_end(I, ns);
  Value r = A_bin(I, P_and, active, ns);
  v_decref(ns);
  return mask_end(I, r);
}

Value ad_mask_union(Interp *I, Value set, Value active) {
  if (active.tag == T_UNSET) return v_bool(true);
  if (set.tag == T_UNSET) return v_incref(active);
  mask_begin(I);
  return mask_end(I, A_bin(I, P_or, set, active));
}

int ad_mask_any(Interp *I, Value m) {
  if (m.tag == T_UNSET) return 1;
  Value c = ad_primal(m);
  if (c.tag == T_BOOL) return c.u.i != 0;
  int t = ctl_truth(I, m, "condition");
  if (t < 0) return -1;
  return t != 0;
}

/* ------------------------------------------------------------------ */
/* the evaluator's native while on a staged condition (see ad/ad.h)     */

void ad_stage_mark(Interp *I, AdStageMark *m) { stage_mark(I, m); }

bool ad_while_stageable(Interp *I, Value c) { return stage_while_trace(I, c) != NULL; }

typedef struct {
  AdLoopFn cond, body;
  void *ctx;
  const char *const *names;
} NativeLoop;

#define NATIVE_HINT "use while_loop(cond_fun, body_fun, init) or fori_loop, or make the variables' types fixed"

static Value native_cond(Interp *I, void *ctx, Value carry) {
  NativeLoop *nl = ctx;
  return nl->cond(I, nl->ctx, carry);
}

/* a loop variable before and after one pass of the body */
static int native_check_var(Interp *I, Value before, Value after, const char *name) {
  if (!tree_same_structure(before, after))
    return jx_raisei(I, E_TYPE,
                     "this while loop is staged (its condition depends on a value traced by "
                     "jit/make_jaxpr), but its body changes the structure of '%s' (a %s before, "
                     "a %s after); " NATIVE_HINT,
                     name, type_name(before), type_name(after));
  VVec bl = {0}, al = {0};
  int rc = -1;
  if (tree_flatten(I, before, &bl) < 0 || tree_flatten(I, after, &al) < 0) goto done;
  for (int64_t i = 0; i < al.n; i++) {
    if (!is_num(al.v[i])) {
      jx_raise(I, E_TYPE,
               "this while loop is staged (its condition depends on a value traced by "
               "jit/make_jaxpr), but its body sets '%s' to a %s: a staged loop's variables "
               "must be numbers or arrays; " NATIVE_HINT,
               name, type_name(al.v[i]));
      goto done;
    }
    Aval ba, aa;
    if (val_aval(I, bl.v[i], &ba) < 0 || val_aval(I, al.v[i], &aa) < 0) goto done;
    if (!aval_eq(&ba, &aa)) {
      char b1[128], b2[128];
      aval_str(&ba, b1, sizeof b1);
      aval_str(&aa, b2, sizeof b2);
      if (ba.dtype != aa.dtype)
        jx_raise(I, E_TYPE,
                 "this while loop is staged (its condition depends on a value traced by "
                 "jit/make_jaxpr), but its body changes the dtype of '%s' from %s to %s: a "
                 "staged loop's variables must keep their dtype and shape across iterations "
                 "(give '%s' its final dtype before the loop, e.g. 0.0 rather than 0, or use "
                 "while_loop/fori_loop)",
                 name, b1, b2, name);
      else
        jx_raise(I, E_TYPE,
                 "this while loop is staged (its condition depends on a value traced by "
                 "jit/make_jaxpr), but its body changes the shape of '%s' from %s to %s: a "
                 "staged loop's variables must keep their dtype and shape across iterations; "
                 "use while_loop or fori_loop with a fixed-size carry",
                 name, b1, b2);
      goto done;
    }
  }
  rc = 0;
done:
  vvec_free(&bl);
  vvec_free(&al);
  return rc;
}

static Value native_body(Interp *I, void *ctx, Value carry) {
  NativeLoop *nl = ctx;
  Value out = nl->body(I, nl->ctx, carry);
  if (IS_EXC(out)) return out;
  Tuple *a = AS_TUPLE(carry), *b = AS_TUPLE(out);
  for (int64_t i = 0; i < a->n; i++)
    if (native_check_var(I, a->items[i], b->items[i], nl->names[i]) < 0) {
      v_decref(out);
      return v_exc();
    }
  return out;
}

Value ad_stage_while(Interp *I, Value c, const AdStageMark *m, AdLoopFn cond, AdLoopFn body,
                     void *ctx, Value init, const char *const *names) {
  Trace *t = stage_while_trace(I, c);
  Value r = v_exc();
  VVec l = {0};
  if (!t) {
    jx_raise(I, E_TYPE, "this while loop cannot be staged here; use while_loop or fori_loop");
    goto fail;
  }
  Aval av;
  if (val_aval(I, c, &av) < 0) goto fail;
  if (av.ndim != 0) {
    jx_raise(I, E_TYPE,
             "this while condition is an array with %d dimension%s; a condition must be a "
             "scalar: use all(...) or any(...)",
             av.ndim, av.ndim == 1 ? "" : "s");
    goto fail;
  }
  Tuple *ti = AS_TUPLE(init);
  for (int64_t i = 0; i < ti->n; i++) {
    if (tree_flatten(I, ti->items[i], &l) < 0) goto fail;
    for (int64_t k = 0; k < l.n; k++) {
      if (!is_num(l.v[k])) {
        jx_raise(I, E_TYPE,
                 "this while loop's condition depends on a value traced by jit/make_jaxpr, so "
                 "the loop must be staged, but its variable '%s' holds a %s: a staged loop's "
                 "variables must be numbers or arrays; " NATIVE_HINT,
                 names[i], type_name(l.v[k]));
        goto fail;
      }
      if (!stage_carry_ok(l.v[k])) {
        jx_raise(I, E_TYPE,
                 "this while loop's condition depends on a value traced by jit/make_jaxpr, but "
                 "its variable '%s' is traced by grad, jvp or vmap inside it, where the loop "
                 "cannot be staged (reverse-mode differentiation of a staged loop is not "
                 "supported); use while_loop or fori_loop",
                 names[i]);
        goto fail;
      }
    }
    vvec_free(&l);
  }
  stage_rollback(I, m);
  {
    NativeLoop nl = {cond, body, ctx, names};
    r = stage_while_c(I, t, native_cond, native_body, &nl, init);
  }
  if (!IS_EXC(r)) return r;
fail:
  vvec_free(&l);
  /* jit runs the function unstaged instead (make_jaxpr reports the error) */
  stage_mark_unstageable(I, c);
  if (t && t->stage) t->stage->unstageable = true;
  return v_exc();
}
