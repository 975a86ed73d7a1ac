/* stage.c — the staging trace, the IR (jaxpr), make_jaxpr and jit.
 *
 * A staging trace records every primitive applied to its tracers as an
 * equation `out = prim[params] in…` over typed variables.  make_jaxpr
 * returns the program as a printable value; jit caches one program per
 * argument signature, simplifies it (dead code, common subexpressions) and
 * replays it with a register-based executor calling the primitives'
 * implementations directly: no AST walk, no name lookup. */
#include "stage.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* the IR builder                                                       */

Stage *stage_new(Interp *I) {
  Stage *s = jx_calloc(I, 1, sizeof(Stage));
  if (s) s->rc = 1;
  return s;
}

void stage_release(Stage *s) {
  if (!s || --s->rc > 0) return;
  for (int64_t i = 0; i < s->neqns; i++) {
    jx_free(s->eqns[i].p);
    if (s->eqns[i].in != s->eqns[i].in_i) jx_free(s->eqns[i].in);
    stage_release(s->eqns[i].sub[0]);
    stage_release(s->eqns[i].sub[1]);
  }
  for (int i = 0; i < s->ncaps; i++) v_decref(s->caps[i]);
  jx_free(s->caps);
  jx_free(s->capvar);
  jx_free(s->eqns);
  for (int64_t i = 0; i < s->nconsts; i++) v_decref(s->consts[i]);
  jx_free(s->consts);
  jx_free(s->vars);
  jx_free(s->invars);
  jx_free(s->outs);
  fuse_free(s->fuse);
  jx_free(s->last_use);
  v_decref(s->out_tree);
  jx_free(s);
}

int64_t stage_var(Interp *I, Stage *s, const Aval *av) {
  if (s->nvars == s->capvars) {
    int64_t cap = s->capvars ? s->capvars * 2 : 32;
    Aval *nv = jx_realloc(I, s->vars, (size_t)cap * sizeof(Aval));
    if (!nv) return -1;
    s->vars = nv;
    s->capvars = cap;
  }
  s->vars[s->nvars] = *av;
  return s->nvars++;
}

/* constants are atoms < 0: -(k+1) */
int64_t stage_const(Interp *I, Stage *s, Value v) {
  if (s->nconsts == s->capconsts) {
    int64_t cap = s->capconsts ? s->capconsts * 2 : 16;
    Value *nc = jx_realloc(I, s->consts, (size_t)cap * sizeof(Value));
    if (!nc) return 0;
    s->consts = nc;
    s->capconsts = cap;
  }
  s->consts[s->nconsts++] = v_incref(v);
  return -s->nconsts;
}

static Eqn *stage_eqn(Interp *I, Stage *s, int nin) {
  if (s->neqns == s->capeqns) {
    int64_t cap = s->capeqns ? s->capeqns * 2 : 32;
    Eqn *ne = jx_realloc(I, s->eqns, (size_t)cap * sizeof(Eqn));
    if (!ne) return NULL;
    /* inline operand arrays moved with the equations: re-point them */
    for (int64_t i = 0; i < s->neqns; i++)
      if (ne[i].nin <= EQN_INLINE) ne[i].in = ne[i].in_i;
    s->eqns = ne;
    s->capeqns = cap;
  }
  Eqn *e = &s->eqns[s->neqns];
  memset(e, 0, sizeof *e);
  e->nin = nin;
  e->nout = 1;
  e->mask = I->ts && I->ts->mask_ops > 0;
  if (nin <= EQN_INLINE) e->in = e->in_i;
  else {
    e->in = jx_malloc(I, (size_t)nin * sizeof(int64_t));
    if (!e->in) return NULL;
  }
  s->neqns++;
  return e;
}

/* The atom for value v in the stage of trace t: its variable, a captured
 * value of an enclosing stage (sub-programs of while), or a constant.
 * INT64_MIN on error. */
static int64_t stage_atom(Interp *I, Trace *t, Value v) {
  Stage *s = t->stage;
  if (v.tag == T_TRACER && AS_TRACER(v)->trace == t) return AS_TRACER(v)->id;
  if (v.tag == T_TRACER && AS_TRACER(v)->trace->kind == TK_STAGE && AS_TRACER(v)->trace->alive &&
      s->caps_allowed) {
    /* a value of an enclosing stage: a new input of this sub-program */
    for (int i = 0; i < s->ncaps; i++)
      if (s->caps[i].u.o == v.u.o) return s->capvar[i];
    Value *nc = jx_realloc(I, s->caps, (size_t)(s->ncaps + 1) * sizeof(Value));
    if (!nc) return INT64_MIN;
    s->caps = nc;
    int64_t *cv = jx_realloc(I, s->capvar, (size_t)(s->ncaps + 1) * sizeof(int64_t));
    if (!cv) return INT64_MIN;
    s->capvar = cv;
    int64_t var = stage_var(I, s, &AS_TRACER(v)->aval);
    if (var < 0) return INT64_MIN;
    int64_t *ni = jx_realloc(I, s->invars, (size_t)(s->ninvars + 1) * sizeof(int64_t));
    if (!ni) return INT64_MIN;
    s->invars = ni;
    s->invars[s->ninvars++] = var;
    s->caps[s->ncaps] = v_incref(v);
    s->capvar[s->ncaps] = var;
    s->ncaps++;
    return var;
  }
  if (v.tag == T_TRACER) s->impure = true; /* a tracer of an outer transformation */
  int64_t a = stage_const(I, s, v);
  return a == 0 ? INT64_MIN : a;
}

Value stage_process(Interp *I, Trace *t, PrimId id, const Value *in, int nin, const Params *p) {
  Stage *s = t->stage;
  Aval avs[64];
  int64_t atoms[64];
  static const Params zero = PARAMS_INIT;
  if (!p) p = &zero;
  if (nin > 64) return jx_raise(I, E_VALUE, "too many operands");
  for (int i = 0; i < nin; i++) {
    if (val_aval(I, in[i], &avs[i]) < 0) return v_exc();
    atoms[i] = stage_atom(I, t, in[i]);
    if (atoms[i] == INT64_MIN) return v_exc();
  }
  Aval out;
  memset(&out, 0, sizeof out);
  if (jx_prims[id].shape(I, avs, p, &out) < 0) return v_exc();
  int64_t var = stage_var(I, s, &out);
  if (var < 0) return v_exc();
  Eqn *e = stage_eqn(I, s, nin);
  if (!e) return v_exc();
  e->prim = id;
  e->out = var;
  memcpy(e->in, atoms, (size_t)nin * sizeof(int64_t));
  if (p != &zero) {
    e->p = jx_malloc(I, sizeof(Params));
    if (!e->p) return v_exc();
    *e->p = *p;
  }
  return tracer_new(I, t, &out, v_none(), v_none(), var);
}

int stage_truth(Interp *I, Tracer *t) {
  if (t->trace->stage) t->trace->stage->unstageable = true;
  return jx_raisei(I, E_TYPE,
                   "this condition depends on a value traced by jit/make_jaxpr, so it has no "
                   "concrete truth value here; use where(c, a, b) or cond(c, f, g, x) instead");
}

/* ------------------------------------------------------------------ */
/* tracing a function into a Stage                                      */

typedef struct {
  Trace *t;
  Stage *s;
} InCtx;

static bool is_num(Value v) { return is_numeric(v) || v.tag == T_TRACER; }

static Value stage_in_leaf(Interp *I, Value leaf, void *ctx) {
  InCtx *c = ctx;
  if (!is_num(leaf)) return v_incref(leaf);
  Aval av;
  if (val_aval(I, leaf, &av) < 0) return v_exc();
  int64_t v = stage_var(I, c->s, &av);
  if (v < 0) return v_exc();
  int64_t *ni = jx_realloc(I, c->s->invars, (size_t)(c->s->ninvars + 1) * sizeof(int64_t));
  if (!ni) return v_exc();
  c->s->invars = ni;
  c->s->invars[c->s->ninvars++] = v;
  return tracer_new(I, c->t, &av, v_none(), v_none(), v);
}

static Value stage_out_leaf(Interp *I, Value leaf, void *ctx) {
  InCtx *c = ctx;
  Stage *s = c->s;
  if (!is_num(leaf)) return v_incref(leaf);
  int64_t atom = stage_atom(I, c->t, leaf);
  if (atom == INT64_MIN) return v_exc();
  int64_t *no = jx_realloc(I, s->outs, (size_t)(s->nouts + 1) * sizeof(int64_t));
  if (!no) return v_exc();
  s->outs = no;
  s->outs[s->nouts++] = atom;
  return v_unset(); /* placeholder in the output template */
}

void stage_mark_unstageable(Interp *I, Value v) {
  if (v.tag == T_TRACER && AS_TRACER(v)->trace->stage) AS_TRACER(v)->trace->stage->unstageable = true;
}

/* What a trace runs: a jx function, or a C callback on one argument
 * (the evaluator's native while loop). */
typedef struct {
  Value f;
  StageLoopFn cfn;
  void *ctx;
} StageFnRef;

static Stage *stage_trace_ex(Interp *I, const StageFnRef *f, Value args, bool *unstageable, bool sub);

Stage *stage_trace(Interp *I, Value f, Value args, bool *unstageable) {
  StageFnRef r = {f, NULL, NULL};
  return stage_trace_ex(I, &r, args, unstageable, false);
}

static Value call_ref(Interp *I, const StageFnRef *f, Tuple *a) {
  if (f->cfn) return f->cfn(I, f->ctx, a->items[0]);
  return jx_call(I, f->f, (int)a->n, a->items, 0, NULL, NULL);
}

static Stage *stage_trace_ex(Interp *I, const StageFnRef *f, Value args, bool *unstageable, bool sub) {
  if (unstageable) *unstageable = false;
  Stage *s = stage_new(I);
  if (!s) return NULL;
  s->caps_allowed = sub;
  Trace *t = trace_push(I, TK_STAGE);
  if (!t) {
    stage_release(s);
    return NULL;
  }
  t->stage = s;
  s->rc++; /* the trace's reference */
  InCtx c = {t, s};
  Value wargs = tree_map_c(I, args, stage_in_leaf, &c);
  Value out = v_unset();
  bool ok = false;
  if (!IS_EXC(wargs)) {
    out = call_ref(I, f, AS_TUPLE(wargs));
    if (!IS_EXC(out)) {
      Value tmpl = tree_map_c(I, out, stage_out_leaf, &c);
      if (!IS_EXC(tmpl)) {
        s->out_tree = tmpl;
        ok = true;
      }
    }
  }
  v_decref(out);
  v_decref(wargs);
  /* the trace is over: drop its reference to the stage, or the cycle
   * stage -> sub-program -> captured tracer -> trace -> stage (a while
   * loop capturing a value of this stage) would never be freed */
  t->stage = NULL;
  s->rc--;
  trace_pop(I, t);
  if (!ok) {
    if (unstageable) *unstageable = s->unstageable;
    stage_release(s);
    return NULL;
  }
  return s;
}

/* ------------------------------------------------------------------ */
/* while_loop staged as one equation with two sub-programs             */

static bool num_leaf(Value v) { return is_numeric(v) || v.tag == T_TRACER; }

static Value stage_while_ex(Interp *I, Trace *t, const StageFnRef *cf, const StageFnRef *bf, Value init);

Value stage_while(Interp *I, Trace *t, Value cf, Value bf, Value init) {
  StageFnRef c = {cf, NULL, NULL}, b = {bf, NULL, NULL};
  return stage_while_ex(I, t, &c, &b, init);
}

Value stage_while_c(Interp *I, Trace *t, StageLoopFn cf, StageLoopFn bf, void *ctx, Value init) {
  StageFnRef c = {v_none(), cf, ctx}, b = {v_none(), bf, ctx};
  return stage_while_ex(I, t, &c, &b, init);
}

Trace *stage_while_trace(Interp *I, Value c) {
  TraceState *ts = I->ts;
  if (c.tag != T_TRACER || AS_TRACER(c)->trace->kind != TK_STAGE || !ts || ts->n == 0) return NULL;
  Trace *top = ts->stack[ts->n - 1];
  /* the loop is staged where its body's operations would be recorded: in
   * the innermost trace, which must be a staging one (a grad or vmap trace
   * above it would see the carry as constants) */
  if (top->kind != TK_STAGE || !top->stage) return NULL;
  if (AS_TRACER(c)->trace != top && !top->stage->caps_allowed) return NULL;
  return top;
}

bool stage_carry_ok(Value v) {
  if (v.tag != T_TRACER) return true;
  Trace *t = AS_TRACER(v)->trace;
  return t->kind == TK_STAGE && t->alive;
}

void stage_mark(Interp *I, StageMark *m) {
  TraceState *ts = I->ts;
  m->trace = NULL;
  if (!ts || ts->n == 0) return;
  Trace *top = ts->stack[ts->n - 1];
  if (top->kind != TK_STAGE || !top->stage) return;
  m->trace = top;
  m->level = top->level;
  m->neqns = top->stage->neqns;
  m->ncaps = top->stage->ncaps;
  m->ninvars = top->stage->ninvars;
}

void stage_rollback(Interp *I, const StageMark *m) {
  TraceState *ts = I->ts;
  if (!m->trace || !ts || ts->n == 0) return;
  Trace *top = ts->stack[ts->n - 1];
  if (top != m->trace || top->level != m->level || !top->stage) return;
  Stage *s = top->stage;
  if (s->neqns < m->neqns || s->ncaps < m->ncaps || s->ninvars < m->ninvars) return;
  /* the equations recorded since the mark only fed the dropped value;
   * their variables stay allocated (unused) so live ids keep their meaning */
  for (int64_t i = m->neqns; i < s->neqns; i++) {
    Eqn *e = &s->eqns[i];
    jx_free(e->p);
    if (e->in != e->in_i) jx_free(e->in);
    stage_release(e->sub[0]);
    stage_release(e->sub[1]);
  }
  s->neqns = m->neqns;
  for (int i = m->ncaps; i < s->ncaps; i++) v_decref(s->caps[i]);
  s->ncaps = m->ncaps;
  s->ninvars = m->ninvars;
}

static Value stage_while_ex(Interp *I, Trace *t, const StageFnRef *cf, const StageFnRef *bf, Value init) {
  Stage *s = t->stage;
  Value args = tuple_of(I, 1, &init);
  if (IS_EXC(args)) return args;
  bool unst = false;
  Stage *cs = stage_trace_ex(I, cf, args, &unst, true);
  Stage *bs = cs ? stage_trace_ex(I, bf, args, &unst, true) : NULL;
  v_decref(args);
  if (cs && bs && (cs->impure || bs->impure)) s->impure = true;
  VVec il = {0};
  Value result = v_exc();
  int64_t *in = NULL;
  if (!cs || !bs) {
    if (unst) s->unstageable = true;
    goto done;
  }
  if (tree_flatten(I, init, &il) < 0) goto done;
  int nc = 0;
  for (int64_t i = 0; i < il.n; i++) nc += num_leaf(il.v[i]);
  /* the condition: one scalar; the body: init's structure, dtypes, shapes */
  if (cs->nouts != 1 || cs->out_tree.tag != T_UNSET) {
    jx_raise(I, E_TYPE, "while_loop: cond_fun must return a scalar boolean");
    goto done;
  }
  {
    Aval ca;
    int64_t a = cs->outs[0];
    if (a >= 0) ca = cs->vars[a];
    else if (val_aval(I, cs->consts[-a - 1], &ca) < 0) goto done;
    if (ca.ndim != 0) {
      jx_raise(I, E_TYPE, "while_loop: cond_fun must return a scalar, got an array of rank %d", ca.ndim);
      goto done;
    }
  }
  if (!tree_same_structure(bs->out_tree, init) || bs->nouts != nc) {
    jx_raise(I, E_TYPE, "while_loop: body_fun must return a value with the structure of init");
    goto done;
  }
  {
    int k = 0;
    for (int64_t i = 0; i < il.n; i++) {
      if (!num_leaf(il.v[i])) continue;
      Aval ia, oa;
      if (val_aval(I, il.v[i], &ia) < 0) goto done;
      int64_t a = bs->outs[k];
      if (a >= 0) oa = bs->vars[a];
      else if (val_aval(I, bs->consts[-a - 1], &oa) < 0) goto done;
      if (!aval_eq(&ia, &oa)) {
        char b1[128], b2[128];
        aval_str(&ia, b1, sizeof b1);
        aval_str(&oa, b2, sizeof b2);
        jx_raise(I, E_TYPE,
                 "while_loop: body_fun changes a carry from %s to %s; the carry must keep its "
                 "dtype and shape (use .astype(...) on the initial value)",
                 b1, b2);
        goto done;
      }
      k++;
    }
  }
  if (stage_optimize(I, cs) < 0 || stage_optimize(I, bs) < 0) goto done;
  int nin = nc + cs->ncaps + bs->ncaps;
  in = jx_malloc(I, (size_t)(nin ? nin : 1) * sizeof(int64_t));
  if (!in) goto done;
  {
    int k = 0;
    for (int64_t i = 0; i < il.n; i++)
      if (num_leaf(il.v[i])) {
        in[k] = stage_atom(I, t, il.v[i]);
        if (in[k] == INT64_MIN) goto done;
        k++;
      }
    for (int i = 0; i < cs->ncaps; i++, k++)
      if ((in[k] = stage_atom(I, t, cs->caps[i])) == INT64_MIN) goto done;
    for (int i = 0; i < bs->ncaps; i++, k++)
      if ((in[k] = stage_atom(I, t, bs->caps[i])) == INT64_MIN) goto done;
  }
  {
    /* output variables: consecutive, with the carries' avals */
    int64_t first = s->nvars;
    int k = 0;
    for (int64_t i = 0; i < il.n; i++) {
      if (!num_leaf(il.v[i])) continue;
      Aval av;
      if (val_aval(I, il.v[i], &av) < 0 || stage_var(I, s, &av) < 0) goto done;
      k++;
    }
    Eqn *e = stage_eqn(I, s, nin);
    if (!e) goto done;
    e->prim = P_WHILE;
    memcpy(e->in, in, (size_t)nin * sizeof(int64_t));
    e->out = first;
    e->nout = nc;
    e->ncarry = nc;
    e->ncap0 = cs->ncaps;
    e->sub[0] = cs;
    e->sub[1] = bs;
    cs = bs = NULL;
    /* the result: init with tracers of the loop's outputs */
    k = 0;
    for (int64_t i = 0; i < il.n; i++) {
      if (!num_leaf(il.v[i])) continue;
      Value tr = tracer_new(I, t, &s->vars[first + k], v_none(), v_none(), first + k);
      if (IS_EXC(tr)) goto done;
      v_decref(il.v[i]);
      il.v[i] = tr;
      k++;
    }
    int64_t pos = 0;
    result = tree_unflatten(I, init, il.v, il.n, &pos);
  }
done:
  jx_free(in);
  vvec_free(&il);
  stage_release(cs);
  stage_release(bs);
  return result;
}
