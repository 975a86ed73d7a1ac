/* eval.h — the tree-walking evaluator: closures, frames, calls, control
 * flow, error locations and tracebacks, and the program entry points.
 *
 * Owns: T_FUNC closures (Func), the evaluator state (EvalState, private to
 * eval.c), every parsed chunk and source text (kept while a closure or a
 * pending error points into them, or the chunk runs: a finished REPL
 * entry's are freed before the next one runs), the
 * global-variable cache, jx_call (value.h), error formatting (§1,
 * eval/errors.c) and the f-string formatter (eval/format.c).
 *
 * Frames are slot arrays on the C stack; locals are resolved to slots by
 * parser/resolver.c.  Closures capture values (flat closures).  Control
 * flow (break/continue/return) travels as v_exc() with the evaluator's
 * control flag set and no error in I->err; it never crosses a call.
 *
 * Ownership: as in value.h.  Chunks and sources belong to the evaluator.
 */
#ifndef JX_EVAL_H
#define JX_EVAL_H

#include "../parser/ast.h"
#include "value.h"

/* A user closure (T_FUNC). */
typedef struct Func {
  Obj hdr;
  Proto *proto;
  struct Func *next_free; /* deferred-free list (func_free is iterative) */
  int nvals;              /* ncaps + nparams */
  Value *defaults;        /* nparams entries (T_UNSET: required), inside vals */
  Value vals[];           /* captured values, then defaults */
} Func;
static inline Func *AS_FUNC(Value v) { return (Func *)v.u.o; }

/* Called with each top-level expression statement's value (the REPL's echo). */
typedef void (*EchoFn)(Interp *I, Value v, void *ud);

/* Make the evaluator state (idempotent). 0 or -1. */
int eval_init(Interp *I);

/* Keep a copy of a source text; returns the stored file name and text
 * (-1 on OOM).  It lives while a kept chunk parsed from it does (or, with
 * no chunk, until the next top-level eval_chunk after its error is
 * cleared); the prelude's and a script's stay. */
int eval_keep_source(Interp *I, const char *file, const char *src, size_t len,
                     const char **kfile, const char **ksrc);

/* How many source texts and chunks are kept (tests: a long session stays
 * flat). */
void eval_kept(Interp *I, int *nsources, int *nchunks);

/* Parse, resolve and run src as a program named file.  Returns the value of
 * the last top-level statement if it is an expression (owned; None
 * otherwise), or v_exc() on error.  echo (may be NULL) sees each top-level
 * expression statement's value.  *incomplete (may be NULL) is set when a
 * syntax error is only that the input ended early (REPL continuation). */
Value eval_string(Interp *I, const char *file, const char *src, size_t len, EchoFn echo,
                  void *ud, bool *incomplete);

/* Run an already parsed and resolved chunk (the evaluator takes it over). */
Value eval_chunk(Interp *I, Chunk *c, EchoFn echo, void *ud);
/* The two halves of eval_chunk, to run one chunk many times (:timeit):
 * eval_keep_chunk takes ownership (frees c and returns -1 on OOM);
 * eval_run_chunk runs a kept chunk. */
int eval_keep_chunk(Interp *I, Chunk *c);
Value eval_run_chunk(Interp *I, Chunk *c, EchoFn echo, void *ud);

/* Evaluate the embedded prelude (stdlib/prelude.jx) into the builtins. 0/-1. */
int eval_prelude(Interp *I);

/* argv() of the program (copied). 0 or -1. */
int eval_set_argv(Interp *I, int argc, char **argv);

/* Bind / delete a global (keeps the lookup caches right). 0 or -1. */
int eval_set_global(Interp *I, const char *name, Value v);
void eval_clear_globals(Interp *I);
/* Notify the evaluator that I->globals or I->builtins gained or lost keys
 * behind its back (other modules adding builtins late). */
void eval_globals_changed(Interp *I);

/* Format the pending error as §1 prescribes ("FILE:LINE:COL: Kind: msg",
 * the source line, a caret, the traceback innermost first). */
void eval_format_error(Interp *I, StrBuf *sb);

/* A global or builtin name close to `name` (a typo?), or NULL.  Borrowed. */
const char *eval_suggest_name(Interp *I, const char *name);
/* The same among the keys of a dict (namespace members). */
const char *eval_suggest_key(Value dict, const char *name);

/* The text of line `line` of a kept source (NULL if unknown). */
const char *eval_source_line(Interp *I, const char *file, int line, size_t *len);

/* Truth value for if/while/and/or/not: 0/1, or -1 with an error.  A batched
 * condition (jx_truth == 2) is a TypeError for now. */
int eval_truth(Interp *I, Value v);

/* Is v the builtin range function? */
bool eval_is_range(Value v);

/* ---- f-string / format specs (eval/format.c) ---------------------------- */
/* Append v formatted with a Python-style spec ("", ".4f", ">8.2e", "+,d" …)
 * and optional conversion ('r', 's' or 0).  0 or -1 (error raised). */
int fmt_spec(Interp *I, Value v, char conv, const char *spec, StrBuf *sb);

/* ---- the range object (core_builtins.c) ------------------------------- */
typedef struct {
  GenObj g;
  int64_t start, stop, step, len;
} RangeObj;
bool is_range_obj(Value v);
Value range_new(Interp *I, int64_t start, int64_t stop, int64_t step);
/* Length of an arithmetic progression, or -1 (ValueError) on overflow. */
int64_t range_len(Interp *I, int64_t start, int64_t stop, int64_t step);

/* ---- registry helpers (stdlib/builtins.c) ----------------------------- */
/* Re-copy the global builtins into the alias namespaces (jnp. np. jax.
 * lax.) after the prelude added to them. 0 or -1. */
int builtins_sync_aliases(Interp *I);
/* Set name (possibly dotted "nn.softmax") in the builtins. 0 or -1. */
int builtins_set(Interp *I, const char *name, Value v);

#endif
