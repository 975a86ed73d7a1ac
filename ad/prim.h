/* prim.h — primitives: their parameters, the table, and bind.
 *
 * Owns: the Prim enum (from prims.def), Params, the per-row rule
 * signatures, and jx_bind(), the single entry point through which every
 * numeric operation is applied.  The concrete implementations and shape
 * rules live in stdlib/prims_impl.c; the JVP/VJP/batching rules in
 * ad/rules_*.c; the traces that call them in ad/.
 */
#ifndef JX_PRIM_H
#define JX_PRIM_H

#include "../stdlib/array.h"

typedef enum { PK_UNARY, PK_BINARY, PK_CMP, PK_OTHER } PrimKind;

typedef enum {
#define PRIM(id, name, nin, kind) P_##id,
#include "prims.def"
#undef PRIM
  P__COUNT
} PrimId;

/* Parameters of one primitive application.  Which fields a primitive uses
 * is documented on its row in prims.def; unused fields are zero.  Always
 * initialise with PARAMS_INIT (or memset 0). */
typedef struct Params {
  int n, m, k;               /* lengths of a[], b[], c[]/d[] */
  int64_t a[JX_MAXDIM];
  int64_t b[JX_MAXDIM];
  int64_t c[JX_MAXDIM];
  int64_t d[JX_MAXDIM];
  int64_t i0, i1;
  double f0, f1;
  int nin;                   /* for variadic prims (concatenate) */
} Params;
#define PARAMS_INIT {0}

/* Abstract value: dtype + shape (what staging knows of a value). */
typedef struct Aval {
  uint8_t dtype;
  int ndim;
  int64_t shape[JX_MAXDIM];
} Aval;

/* Concrete implementation: inputs are concrete values (scalars/arrays).
 * Validates shapes/dtypes itself (raising ShapeError/TypeError naming the
 * shapes), computes, returns an owned value (scalar for 0-d results). */
typedef Value (*ImplFn)(Interp *I, const Value *in, const Params *p);
/* Shape rule: output aval from input avals; -1 with error raised if the
 * inputs are invalid (same messages as impl). */
typedef int (*ShapeFn)(Interp *I, const Aval *in, const Params *p, Aval *out);

typedef struct Prim {
  const char *name;
  int nin;
  PrimKind kind;
  ImplFn impl;
  ShapeFn shape;
} Prim;

extern const Prim jx_prims[P__COUNT];

/* Implementations / shape rules (stdlib/prims_impl.c), one pair per row:
 *   Value impl_<id>(Interp*, const Value*, const Params*);
 *   int   shape_<id>(Interp*, const Aval*, const Params*, Aval*);          */
#define PRIM(id, name, nin, kind)                                      \
  Value impl_##id(Interp *I, const Value *in, const Params *p);        \
  int shape_##id(Interp *I, const Aval *in, const Params *p, Aval *out);
#include "prims.def"
#undef PRIM

/* Apply primitive 'id' to nin inputs (borrowed).  With no tracer among the
 * inputs this is impl(); otherwise the innermost (highest-level) trace
 * processes it.  Returns an owned value or v_exc(). */
Value jx_bind(Interp *I, PrimId id, const Value *in, const Params *p);
/* Convenience forms. */
Value jx_bind1(Interp *I, PrimId id, Value x, const Params *p);
Value jx_bind2(Interp *I, PrimId id, Value x, Value y, const Params *p);

/* Aval of a concrete value or tracer. -1 with TypeError if not numeric. */
int val_aval(Interp *I, Value v, Aval *out);

#endif
