/* lib_internal.h — private helpers of the array library (stdlib/lib_*.c).
 *
 * Owns: the small "composition" layer the user-level array builtins are
 * written in, and the argument parsers they share.  Every numeric step is
 * a primitive applied through jx_bind (ad/prim.h), so grad/vmap/jit see
 * through every library function.  Nothing here reads array data except
 * arguments that must be concrete (shapes, axes, dtypes, counts).
 *
 * STEALING CONVENTION (lib_* composition helpers below): every Value
 * argument of a lib_ composition helper is CONSUMED (owned by the callee),
 * and an argument may be v_exc(): the helper then releases the other
 * arguments and returns v_exc() (the error is already in I->err).  This
 * lets compositions be written as nested expressions:
 *     lib_bin(I, P_mul, F(0.5), lib_un(I, P_tanh, K(x)))
 * where K(x) takes a new reference to a borrowed x and F(d) is a float.
 * Results are owned; v_exc() on error.
 *
 * CAUTION: C does not order the evaluation of sibling arguments.  A
 * variable passed as a consumed argument may be freed before a sibling
 * argument that mentions it is evaluated, so in one full expression an
 * owned variable is either consumed once and mentioned nowhere else, or
 * only ever passed as K(var) (and released afterwards).
 */
#ifndef JX_LIB_INTERNAL_H
#define JX_LIB_INTERNAL_H

#include "../ad/prim.h"
#include "lib.h"

static inline Value K(Value v) { return v_incref(v); }
static inline Value F(double d) { return v_float(d); }
static inline Value N(int64_t i) { return v_int(i); }

/* ---- composition helpers (consume their Value arguments) ------------ */
Value lib_prim(Interp *I, PrimId id, int nin, Value *in, const Params *p);
Value lib_un(Interp *I, PrimId id, Value x);
Value lib_unp(Interp *I, PrimId id, Value x, const Params *p);
Value lib_bin(Interp *I, PrimId id, Value a, Value b);
Value lib_select(Interp *I, Value c, Value a, Value b);
Value lib_sg(Interp *I, Value x);                       /* stop_gradient */
Value lib_convert(Interp *I, Value x, DType dt);        /* no-op if same */
Value lib_reshape(Interp *I, Value x, int nd, const int64_t *sh);
/* numpy broadcasting of x to shape (trailing dims align). */
Value lib_bcast(Interp *I, Value x, int nd, const int64_t *sh);
/* broadcast_in_dim: input dim k goes to output dim dims[k]. */
Value lib_bcast_dims(Interp *I, Value x, int nd, const int64_t *sh,
                     const int64_t *dims);
Value lib_transpose(Interp *I, Value x, int nd, const int64_t *perm);
/* Reduce over axes (any order, deduplicated by the caller). */
Value lib_reduce(Interp *I, PrimId id, Value x, int naxes, const int64_t *axes);
/* reduce then, with keepdims, reshape to the kept-dims shape of in_aval. */
Value lib_reduce_kd(Interp *I, PrimId id, Value x, const Aval *in, int naxes,
                    const int64_t *axes, bool keepdims);
Value lib_slice(Interp *I, Value x, int nd, const int64_t *start,
                const int64_t *stop, const int64_t *step);
Value lib_dot_general(Interp *I, Value a, Value b, int nc, const int64_t *ca,
                      const int64_t *cb, int nb, const int64_t *ba,
                      const int64_t *bb);
/* x with every element of a bool/int x made float. */
Value lib_to_float(Interp *I, Value x);

/* ---- inspection (borrowed arguments) --------------------------------- */
/* Aval of a numeric argument; TypeError naming fname/pname otherwise. */
int lib_aval(Interp *I, Value v, const char *fname, const char *pname, Aval *out);
bool lib_is_num(Value v);          /* bool/int/float/array/tracer */
bool lib_is_missing(Value v);      /* None or unset */
int64_t lib_aval_size(const Aval *a);
/* "(2, 3)", "(4,)", "()" into buf (at least 24*JX_MAXDIM bytes). */
const char *lib_shape_str(char *buf, int nd, const int64_t *sh);
#define LIB_SHBUF (24 * JX_MAXDIM + 8)
/* Broadcast two shapes (numpy); ShapeError naming fname on mismatch. */
int lib_bshape(Interp *I, const char *fname, int n1, const int64_t *s1,
               int n2, const int64_t *s2, int *nd, int64_t *out);

/* ---- argument parsing (borrowed; -1 with TypeError/ValueError naming
 *      the builtin and parameter) ---------------------------------------- */
/* dtype: None/unset -> *dt = -1; "float64"/"float32"/… strings, and the
 * builtins float/int/bool/float64/float32/int64/int32/bool_. */
int lib_dtype_arg(Interp *I, Value v, const char *fname, const char *pname, int *dt);
/* int or tuple of ints (or concrete 1-d int array); non-negative. */
int lib_shape_arg(Interp *I, Value v, const char *fname, const char *pname,
                  int *nd, int64_t *sh);
/* concrete int scalar */
int lib_int_arg(Interp *I, Value v, const char *fname, const char *pname, int64_t *out);
int lib_float_arg(Interp *I, Value v, const char *fname, const char *pname, double *out);
int lib_bool_arg(Interp *I, Value v, const char *fname, const char *pname, bool *out);
/* One axis, normalised against ndim (negatives count from the end). */
int lib_axis_arg(Interp *I, Value v, int ndim, const char *fname, const char *pname,
                 int64_t *ax);
/* None (all axes) / int / tuple of ints; normalised; duplicates are a
 * ValueError.  With sort, axes come back ascending; otherwise in the
 * order given.  *all is set for None. */
int lib_axes_arg(Interp *I, Value v, int ndim, const char *fname, const char *pname,
                 bool sort, int *naxes, int64_t *axes, bool *all);

/* Concrete int arrays ([1, 0]) where a tuple of ints is expected: the
 * builtins taking shapes/axes/indices as sequences run through
 * lib_call_tuplified, which passes args[k] (bit k of mask) as nested
 * tuples. */
Value lib_tuplify(Interp *I, Value v);
Value lib_call_tuplified(Interp *I, Value *args, int nargs, Value self, unsigned mask, CFn fn);
#define LIB_FN_TUPLIFIED(name, mask)                                          \
  static Value name##_impl(Interp *I, Value *args, int nargs, Value self);    \
  LIB_FN(name) { return lib_call_tuplified(I, args, nargs, self, mask, name##_impl); } \
  static Value name##_impl(Interp *I, Value *args, int nargs, Value self)

/* ---- shared building blocks (borrowed arguments, owned result) -------- */
Value lib_ravel(Interp *I, Value x);
Value lib_expand(Interp *I, Value x, int naxes, const int64_t *axes); /* axes of the result, sorted */
Value lib_moveaxis1(Interp *I, Value x, int src, int dst);
Value lib_sum_axes(Interp *I, Value x, int naxes, const int64_t *axes, bool keepdims);
Value lib_max_axes(Interp *I, Value x, int naxes, const int64_t *axes, bool keepdims);
Value lib_logsumexp(Interp *I, Value x, int naxes, const int64_t *axes, bool keepdims);
Value lib_concat(Interp *I, const char *fname, int n, const Value *xs, int64_t axis);

/* Shared compositions defined in the lib_*.c files (borrowed arguments). */
Value lib_power(Interp *I, Value x, Value y, const char *fname);
Value lib_logaddexp(Interp *I, Value a, Value b); /* float inputs */
Value lib_mean_axes(Interp *I, Value x, const Aval *a, int naxes, const int64_t *axes,
                    bool keepdims);
Value lib_norm(Interp *I, Value *args, const char *fname); /* x, ord, axis, keepdims */
Value lib_take(Interp *I, Value x, Value idx, Value axisv, const char *fname);
Value lib_stack(Interp *I, const char *fname, int64_t n, const Value *items, Value axisv);
Value lib_softmax(Interp *I, Value x, Value axisv, const char *fname);
Value lib_log_softmax(Interp *I, Value x, Value axisv, const char *fname);

/* The builtin functions, grouped by file.  Each: (I, args, nargs, self),
 * args bound to the row's signature. */
#define LIB_FN(name) Value name(Interp *I, Value *args, int nargs, Value self)

#endif
