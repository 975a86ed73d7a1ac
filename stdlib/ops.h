/* ops.h — the language's operators on values, as the evaluator calls them.
 *
 * Owns: operator semantics (arithmetic, comparison, indexing, attributes,
 * truth, iteration) for every value kind.  Numeric work on arrays and
 * tracers goes through jx_bind (ad/prim.h); plain int/float/bool scalars
 * take a fast path that never allocates.  Strings, tuples and dicts are
 * handled here directly.
 *
 * Arguments borrowed, results owned, v_exc() on error (see eval/value.h).
 */
#ifndef JX_OPS_H
#define JX_OPS_H

#include "../eval/value.h"

typedef enum {
  OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_FLOORDIV, OP_MOD, OP_POW, OP_MATMUL,
  OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
  OP_BITAND, OP_BITOR,
  OP__BINCOUNT
} BinOp;

typedef enum { UOP_NEG, UOP_POS, UOP_INVERT } UnOp;

Value jx_binop(Interp *I, BinOp op, Value a, Value b);
Value jx_unop(Interp *I, UnOp op, Value a);

/* Truth value for if/while/and/or/not.  Returns 0/1, or -1 with an error
 * raised (TypeError for non-scalar arrays suggesting all/any/&).  Returns 2
 * when the value is a batched tracer whose lanes may differ (the evaluator
 * then runs both branches; see issue 9). */
int jx_truth(Interp *I, Value v);

/* x[idx]: idx is the evaluated index expression; a tuple for x[i, j],
 * with slices as Slice objects (slice_new) and None for new axes. */
Value jx_index(Interp *I, Value x, Value idx);
/* slice object for a:b:c (each may be None). */
Value slice_new(Interp *I, Value start, Value stop, Value step);
bool is_slice(Value v);

/* x.name (attributes and bound methods: .shape .T .sum .at …). */
Value jx_getattr(Interp *I, Value x, const char *name);

/* len(x) for strings, tuples, dicts, arrays (first axis).  -1 on error. */
int64_t jx_len(Interp *I, Value x);
/* Item k of an iterable (tuple, array first axis, string char, dict key)
 * for `for x in e` and destructuring. */
Value jx_iter_item(Interp *I, Value x, int64_t k);

#endif
