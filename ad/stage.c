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
  }
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
    s->eqns = ne;
    s->capeqns = cap;
  }
  Eqn *e = &s->eqns[s->neqns];
  memset(e, 0, sizeof *e);
  e->nin = nin;
  if (nin <= EQN_INLINE) e->in = e->in_i;
  else {
    e->in = jx_malloc(I, (size_t)nin * sizeof(int64_t));
    if (!e->in) return NULL;
  }
  s->neqns++;
  return e;
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
    if (in[i].tag == T_TRACER && AS_TRACER(in[i])->trace == t) {
      atoms[i] = AS_TRACER(in[i])->id;
    } else {
      if (in[i].tag == T_TRACER) s->impure = true; /* a tracer of an outer transformation */
      atoms[i] = stage_const(I, s, in[i]);
      if (atoms[i] == 0) return v_exc();
    }
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
  int64_t atom;
  if (leaf.tag == T_TRACER && AS_TRACER(leaf)->trace == c->t) atom = AS_TRACER(leaf)->id;
  else {
    if (leaf.tag == T_TRACER) s->impure = true;
    atom = stage_const(I, s, leaf);
    if (atom == 0) return v_exc();
  }
  int64_t *no = jx_realloc(I, s->outs, (size_t)(s->nouts + 1) * sizeof(int64_t));
  if (!no) return v_exc();
  s->outs = no;
  s->outs[s->nouts++] = atom;
  return v_unset(); /* placeholder in the output template */
}

void stage_mark_unstageable(Interp *I, Value v) {
  if (v.tag == T_TRACER && AS_TRACER(v)->trace->stage) AS_TRACER(v)->trace->stage->unstageable = true;
}

Stage *stage_trace(Interp *I, Value f, Value args, bool *unstageable) {
  if (unstageable) *unstageable = false;
  Stage *s = stage_new(I);
  if (!s) return NULL;
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
    out = jx_call(I, f, (int)AS_TUPLE(wargs)->n, AS_TUPLE(wargs)->items, 0, NULL, NULL);
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
  trace_pop(I, t);
  if (!ok) {
    if (unstageable) *unstageable = s->unstageable;
    stage_release(s);
    return NULL;
  }
  return s;
}
