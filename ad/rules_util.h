/* rules_util.h — helpers shared by the differentiation rules
 * (ad/rules_jvp.c, ad/rules_vjp.c): symbolic zeros, fitting a tangent to
 * an output's shape, undoing broadcasting, the derivative of every unary
 * elementwise primitive, batched matrix products, triangle masks, and the
 * pairwise-product tree used for reduce_prod.
 *
 * Everything here is written with jx_bind / A_* only (never reads array
 * data of its arguments), so it is traced by outer transformations.
 * Arguments are borrowed, results owned; v_exc() in means v_exc() out.
 * T_UNSET stands for a symbolic zero where a comment says so.
 */
#ifndef JX_RULES_UTIL_H
#define JX_RULES_UTIL_H

#include "api.h"

/* A scope without zeroing its 64 slots (rules run on the scalar hot path). */
#define RU_SCOPE(s) \
  Scope s;          \
  s.n = 0

/* Aval of v; -1 (error pending) if v is v_exc() or not numeric. */
int ru_aval(Interp *I, Value v, Aval *out);
bool ru_is_zero(Value v); /* T_UNSET */

/* a + b, either may be T_UNSET (zero): T_UNSET if both are. */
Value ru_tadd(Interp *I, Value a, Value b);
/* a - b, either may be T_UNSET. */
Value ru_tsub(Interp *I, Value a, Value b);
/* t (T_UNSET allowed: stays T_UNSET) broadcast to the shape of 'like'
 * (numpy rules), as float. */
Value ru_fit(Interp *I, Value t, Value like);
Value ru_fit_aval(Interp *I, Value t, const Aval *av);
/* g (T_UNSET allowed) summed down to x's shape, as float. */
Value ru_unb(Interp *I, Value g, Value x);
/* x as float (convert unless it already is). */
Value ru_float(Interp *I, Value x);
/* Float zeros of x's shape (for a zero tangent that must be materialised). */
Value ru_zeros_like(Interp *I, Value x);
/* v, or float zeros of x's shape if v is T_UNSET. */
Value ru_or_zeros(Interp *I, Value v, Value x);

/* Derivative of unary elementwise primitive id applied to v:
 * v * f'(x) (y = f(x)).  Used by both JVP (v = tangent) and VJP (v =
 * cotangent): the Jacobian is diagonal.  T_UNSET when f' is identically 0
 * (integer_pow with exponent 0). */
Value ru_unary_lin(Interp *I, PrimId id, Value x, Value y, const Params *p, Value v);

/* max/min: d out / d x0 as a float array of the output shape (1 where x0
 * wins, 0.5 at ties, 0 where x1 wins). */
Value ru_maxmin_coef(Interp *I, PrimId id, Value x0, Value x1);
/* pow: d(x0**x1)/dx0 (0 where x1 == 0) and d/dx1 = log(x0 or 1 at 0) * y. */
Value ru_pow_dbase(Interp *I, Value x0, Value x1);
Value ru_pow_dexp(Interp *I, Value x0, Value y);

/* ---- shapes and params ---- */
Params ru_params_axes(int n, const int64_t *axes);
/* slice along one axis [start, stop) (step 1) of a value of rank nd. */
Value ru_slice_axis(Interp *I, Value x, int axis, int64_t start, int64_t stop);
/* concatenate n values along axis. */
Value ru_concat(Interp *I, const Value *xs, int n, int axis);
/* reduce_max / reduce_min helpers: the tie mask (float) of x against y. */
Value ru_tie_mask(Interp *I, Value x, Value y, const Params *p);
/* Broadcast g (shape of x with the axes p->a removed) back to x's shape. */
Value ru_unreduce(Interp *I, Value g, const Aval *xa, const Params *p);

/* ---- linear algebra (matrices on the last two axes) ---- */
/* Swap the last two axes. */
Value ru_mT(Interp *I, Value a);
/* op(a) @ op(b) over leading batch axes (which must be equal); ta/tb
 * transpose the last two axes.  bvec: b is a batch of vectors (…, n) and
 * the result a batch of vectors. */
Value ru_matmul(Interp *I, Value a, bool ta, Value b, bool tb, bool bvec);
/* Outer product of two batches of vectors (…, n), (…, m) -> (…, n, m). */
Value ru_outer(Interp *I, Value u, Value v);
/* Constant (n, n) float matrix: 1 on the strict lower triangle (upper if
 * !lower), 'diag' on the diagonal, 0 elsewhere. */
Value ru_tri_mask(Interp *I, int64_t n, bool lower, double diag);
/* x broadcast to batch shape (nb, bs) + its last 'core' dims. */
Value ru_bcast_batch(Interp *I, Value x, int nb, const int64_t *bs, int core);
/* triangular_solve(a, b) with the given flags. */
Value ru_trisolve(Interp *I, Value a, Value b, bool lower, bool trans);

/* ---- reduce_prod: pairwise product tree ---- */
typedef struct {
  int nd;             /* rank of x */
  int64_t perm[JX_MAXDIM], inv[JX_MAXDIM];
  int64_t tshape[JX_MAXDIM]; /* x's shape permuted (reduced axes first) */
  int64_t n, r;       /* reduced and kept sizes */
  int nout;           /* rank of the output */
  int64_t oshape[JX_MAXDIM];
} RuProd;
/* Geometry of reduce_prod over p's axes of x (aval xa). */
void ru_prod_geom(const Aval *xa, const Params *p, RuProd *G);
/* v (shape of x) -> (n, r), reduced axes first; and back. */
Value ru_prod_to2d(Interp *I, Value v, const RuProd *G);
Value ru_prod_from2d(Interp *I, Value v, const RuProd *G);

#endif
