/* stage.h — the staged program (IR) shared by stage.c, jaxpr.c and jit.c. */
#ifndef JX_STAGE_H
#define JX_STAGE_H

#include "transforms.h"

#define EQN_INLINE 3

/* One equation: out = prim[p](in…).  Atoms: a variable id >= 0, or a
 * constant -(k+1) (consts[k]). */
/* The staged while loop is the one equation that is not a row of
 * prims.def: prim == P_WHILE, sub[0] the condition and sub[1] the body
 * programs, nout carries (outputs out, out+1, …). */
#define P_WHILE ((PrimId)P__COUNT)

typedef struct {
  PrimId prim;
  int nin;
  int64_t in_i[EQN_INLINE];
  int64_t *in;
  int64_t out;
  int nout;             /* outputs out .. out+nout-1 (1 except for while) */
  Params *p;            /* NULL: no params */
  struct Stage *sub[2]; /* while: cond, body (owned) */
  int ncarry;           /* while: the first ncarry inputs are the carries */
  int ncap0;            /* while: then ncap0 captures of cond, then body's */
  bool mask;            /* recorded by the per-lane mask bookkeeping of a
                         * native if/while, not by the user's code */
} Eqn;

typedef struct FuseGroup FuseGroup;
typedef struct FusePlan {
  FuseGroup *groups;
  int ngroups;
  int32_t *group_of; /* per eqn: its group, or -1 */
} FusePlan;

struct Stage {
  int32_t rc;
  Aval *vars;
  int64_t nvars, capvars;
  Eqn *eqns;
  int64_t neqns, capeqns;
  Value *consts;
  int64_t nconsts, capconsts;
  int64_t *invars;
  int ninvars;
  int64_t *outs; /* atoms, one per numeric output leaf */
  int nouts;
  Value out_tree; /* output template: numeric leaves replaced by T_UNSET */
  bool impure;    /* captured a tracer of an outer transformation */
  bool unstageable; /* hit control flow that cannot be staged */
  FusePlan *fuse;   /* jit's fusion plan (NULL: none) */
  int64_t *last_use; /* per variable: last equation using it (computed on first run) */
  bool caps_allowed; /* a sub-program: values of enclosing stages become inputs */
  Value *caps;       /* those values (owned), in order */
  int64_t *capvar;   /* and the input variables standing for them */
  int ncaps;
};

Stage *stage_new(Interp *I);
int64_t stage_var(Interp *I, Stage *s, const Aval *av);
int64_t stage_const(Interp *I, Stage *s, Value v);
/* Trace f on args (a tuple) into a new Stage; NULL on error. */
Stage *stage_trace(Interp *I, Value f, Value args, bool *unstageable);
/* Record that tracing met control flow it cannot stage (v: a staged tracer). */
void stage_mark_unstageable(Interp *I, Value v);
/* Stage a while_loop whose condition is traced by this stage (control.c). */
Value stage_while(Interp *I, Trace *t, Value cf, Value bf, Value init);
/* The same with C callbacks (the evaluator's native while): each gets
 * ctx and the carry (borrowed) and returns an owned value. */
typedef AdLoopFn StageLoopFn;
Value stage_while_c(Interp *I, Trace *t, StageLoopFn cf, StageLoopFn bf, void *ctx, Value init);
/* The trace a loop on condition c is staged into (the innermost trace,
 * when it stages and c is its value or that of an enclosing stage), or
 * NULL when the loop cannot be staged there. */
Trace *stage_while_trace(Interp *I, Value c);
/* A carry leaf the loop can take in: not a tracer of grad/jvp/vmap. */
bool stage_carry_ok(Value v);
/* Where the innermost staging trace's program stands; rolling back drops
 * the equations (and captures) recorded since, e.g. a condition evaluated
 * once to find out that it is traced. */
typedef AdStageMark StageMark;
void stage_mark(Interp *I, StageMark *m);
void stage_rollback(Interp *I, const StageMark *m);
/* Print in JAX's jaxpr style. */
void jaxpr_print(Interp *I, Stage *s, StrBuf *sb);
/* Run a stage on concrete input leaves (borrowed); returns the outputs'
 * leaves in out[nouts] (owned). */
int stage_run(Interp *I, Stage *s, const Value *inputs, Value *out);
/* Fusion (ad/fuse.c): plan runs of elementwise equations; run one group. */
FusePlan *fuse_plan(Interp *I, Stage *s);
void fuse_free(FusePlan *fp);
int fuse_run(Interp *I, Stage *s, FusePlan *fp, int g, Value *reg, const int64_t *last_use);
int64_t fuse_group_first(FusePlan *fp, int g);
int64_t fuse_group_last(FusePlan *fp, int g);
/* Simplify in place: common subexpressions, dead code. */
int stage_optimize(Interp *I, Stage *s);
/* The same restricted to the equations of the per-lane mask bookkeeping
 * (Eqn.mask): repeats merged, unread ones dropped, every other equation
 * kept as traced (make_jaxpr shows the user's program). */
int stage_optimize_masks(Interp *I, Stage *s);

#endif
