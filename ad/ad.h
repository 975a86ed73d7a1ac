/* ad.h — tracers, the trace stack, and the rule signatures.
 *
 * Owns: Trace and Tracer objects, the stack of active traces (levels),
 * the processing of a primitive by each kind of trace (forward mode,
 * reverse-mode tape, batching, staging), and the rule tables built from
 * prims.def.  Transformations (grad, vmap, …) are in ad/transforms.c; the
 * rules themselves in ad/rules_*.c; pytrees in ad/pytree.c.
 *
 * The mechanism (after JAX's Autodidax): every transformation pushes a
 * Trace with a fresh level, wraps its inputs in Tracers of that trace,
 * calls the user function, unwraps and pops.  jx_bind hands a primitive to
 * the trace of the highest level among its inputs; inputs of lower levels
 * (or plain values) are constants to that trace.  Rules are written with
 * jx_bind, so the ops a rule performs are seen by the traces below.
 */
#ifndef JX_AD_H
#define JX_AD_H

#include "prim.h"

typedef enum { TK_JVP, TK_VJP, TK_BATCH, TK_STAGE } TraceKind;

typedef struct Tape Tape;
typedef struct Stage Stage;

typedef struct Trace {
  int32_t rc;       /* tracers and the stack hold references */
  TraceKind kind;
  int level;
  bool alive;       /* false once the transformation returned */
  int64_t axis_size;/* TK_BATCH */
  Tape *tape;       /* TK_VJP */
  Stage *stage;     /* TK_STAGE */
} Trace;

typedef struct Tracer {
  Obj hdr;
  Trace *trace;     /* owned reference */
  Aval aval;        /* dtype and shape as the user sees them */
  Value a;          /* JVP: primal; VJP: primal; BATCH: batched value; STAGE: unused */
  Value b;          /* JVP: tangent (T_UNSET: zero) */
  int64_t id;       /* VJP: tape node; BATCH: batch dim (>= 0); STAGE: variable */
} Tracer;

static inline Tracer *AS_TRACER(Value v) { return (Tracer *)v.u.o; }
static inline bool is_tracer(Value v) { return v.tag == T_TRACER; }

#define JX_MAX_TRACES 256

struct TraceState {
  Trace *stack[JX_MAX_TRACES];
  int n;
  int next_level;
  int mask_ops; /* > 0 while per-lane mask bookkeeping binds (staged
                 * equations are tagged: make_jaxpr drops the dead ones) */
};

/* Push a new trace of kind k (fresh level). NULL on error. The stack holds
 * one reference; trace_pop releases it and marks the trace dead. */
Trace *trace_push(Interp *I, TraceKind k);
void trace_pop(Interp *I, Trace *t);
/* Depth of the trace stack (tests assert it returns to 0 after errors). */
int trace_depth(Interp *I);

/* A new tracer of trace t (aval from 'a' for JVP/VJP/BATCH). Consumes a
 * and b (owned).  Returns v_exc() on error (and releases a, b). */
Value tracer_new(Interp *I, Trace *t, const Aval *aval, Value a, Value b, int64_t id);

/* Truth value of a tracer (ops.c's jx_truth calls this): 0/1 from the
 * concrete primal, 2 for a batched condition whose lanes differ, -1 on
 * error (staged values). */
int ad_truth(Interp *I, Value v);
/* Concrete value behind JVP/VJP tracers (borrowed), or v unchanged. */
Value ad_primal(Value v);

/* ---- per-lane control flow (the evaluator's if/while under vmap) ----- */
/* Masks are bool values that may vary across a vmapped batch.  For an
 * "active" mask T_UNSET means every lane; for a "set" of lanes (returned,
 * broken out) T_UNSET means none.  All take borrowed values and return
 * owned ones. */
int ad_cond_truth(Interp *I, Value c);      /* 0/1; 2 if per-lane or staged; -1 */
bool ad_is_staged(Value v);                 /* a value traced by jit/make_jaxpr */
void ad_mark_unstageable(Interp *I, Value v);
Value ad_select_tree(Interp *I, Value mask, Value a, Value b, const char *who);
Value ad_mask_and(Interp *I, Value active, Value c);   /* active & c */
Value ad_mask_minus(Interp *I, Value active, Value set); /* active & ~set */
Value ad_mask_union(Interp *I, Value set, Value active); /* set | active */
int ad_mask_any(Interp *I, Value m);        /* 0 if no lane is set, else 1; -1 */

/* ---- the evaluator's native while on a jit/make_jaxpr-traced condition */
/* Staged as one while equation (like while_loop), the loop variables being
 * the carry.  A mark taken before evaluating the condition lets the
 * condition's probe equations be dropped from the enclosing program. */
typedef struct {
  Trace *trace; /* the innermost staging trace then (NULL: none) */
  int level;
  int64_t neqns;
  int ncaps, ninvars;
} AdStageMark;
void ad_stage_mark(Interp *I, AdStageMark *m);
/* A callback of the staged loop: gets ctx and the carry (a tuple,
 * borrowed), returns an owned value (the condition, or the next carry). */
typedef Value (*AdLoopFn)(Interp *I, void *ctx, Value carry);
/* Can a while whose condition c is staged be staged here as a loop? */
bool ad_while_stageable(Interp *I, Value c);
/* Stage it.  init: a tuple, one value per loop variable, names[i] the
 * variables' names (for errors).  Returns the loop's result tuple, or
 * v_exc() with the enclosing jit told to run unstaged. */
Value ad_stage_while(Interp *I, Value c, const AdStageMark *m, AdLoopFn cond, AdLoopFn body,
                     void *ctx, Value init, const char *const *names);

/* ---- rules ---------------------------------------------------------- */
/* Forward mode.  x: primals, t: tangents (T_UNSET = symbolic zero, never
 * all zero).  Sets *out (primal output) and *tout (tangent, T_UNSET for
 * zero), both owned.  0 or -1. */
typedef int (*JvpFn)(Interp *I, const Value *x, const Value *t, const Params *p,
                     Value *out, Value *tout);
/* Reverse mode.  x: primal inputs, y: primal output, g: output cotangent.
 * For each i with need[i], set ct[i] (owned; T_UNSET for zero). 0 or -1. */
typedef int (*VjpFn)(Interp *I, const Value *x, Value y, Value g, const Params *p,
                     const bool *need, Value *ct);
/* Batching.  x: values, bd: batch dim of each (-1: not batched, at least
 * one >= 0), size: the batch size.  Sets *out and *obd (-1 if unbatched). */
typedef int (*BatchFn)(Interp *I, const Value *x, const int *bd, int64_t size,
                       const Params *p, Value *out, int *obd);

extern const JvpFn jx_jvp_rules[P__COUNT];
extern const VjpFn jx_vjp_rules[P__COUNT];
extern const BatchFn jx_batch_rules[P__COUNT];

/* Rules, one set per row of prims.def:
 *   int jvp_<id>(…), vjp_<id>(…), batch_<id>(…) — NULL-able via the
 *   JX_NO_RULE marker tables in the rules files. */
#define PRIM(id, name, nin, kind)                                                 \
  int jvp_##id(Interp *I, const Value *x, const Value *t, const Params *p,        \
               Value *out, Value *tout);                                          \
  int vjp_##id(Interp *I, const Value *x, Value y, Value g, const Params *p,      \
               const bool *need, Value *ct);                                      \
  int batch_##id(Interp *I, const Value *x, const int *bd, int64_t size,          \
                 const Params *p, Value *out, int *obd);
#include "prims.def"
#undef PRIM

/* ---- a scope for rule writers -------------------------------------- */
/* Collects intermediate owned values so a rule can release them all at
 * once.  Every A_* helper (ad/api.h) returns v_exc() immediately when an
 * input is v_exc(), so a rule may chain calls and check once at the end. */
#define SCOPE_CAP 64
void scope_overflow(void) __attribute__((noreturn)); /* a rule bug: aborts */
typedef struct {
  Value v[SCOPE_CAP];
  int n;
} Scope;
static inline Value S(Scope *s, Value v) {
  if (!IS_EXC(v) && IS_HEAP(v)) {
    if (s->n >= SCOPE_CAP) scope_overflow();
    s->v[s->n++] = v;
  }
  return v;
}
static inline void scope_release(Scope *s) {
  for (int i = 0; i < s->n; i++) v_decref(s->v[i]);
  s->n = 0;
}

#endif
