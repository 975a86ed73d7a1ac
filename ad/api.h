/* api.h — short forms of jx_bind for writing rules and library code.
 *
 * Every A_* function: arguments borrowed, result owned; if any argument is
 * v_exc() it returns v_exc() at once without doing anything (so calls can
 * be chained and checked once).  T_UNSET arguments (symbolic zeros) are
 * not accepted: rules handle zeros before calling.
 */
#ifndef JX_API_H
#define JX_API_H

#include "ad.h"

Value A_un(Interp *I, PrimId id, Value x);           /* unary elementwise prim */
Value A_bin(Interp *I, PrimId id, Value x, Value y); /* binary elementwise prim */
#define A_add(I, x, y) A_bin(I, P_add, x, y)
#define A_sub(I, x, y) A_bin(I, P_sub, x, y)
#define A_mul(I, x, y) A_bin(I, P_mul, x, y)
#define A_div(I, x, y) A_bin(I, P_div, x, y)
#define A_pow(I, x, y) A_bin(I, P_pow, x, y)
#define A_max(I, x, y) A_bin(I, P_max, x, y)
#define A_min(I, x, y) A_bin(I, P_min, x, y)
#define A_eq(I, x, y) A_bin(I, P_eq, x, y)
#define A_ne(I, x, y) A_bin(I, P_ne, x, y)
#define A_gt(I, x, y) A_bin(I, P_gt, x, y)
#define A_ge(I, x, y) A_bin(I, P_ge, x, y)
#define A_lt(I, x, y) A_bin(I, P_lt, x, y)
#define A_le(I, x, y) A_bin(I, P_le, x, y)
#define A_neg(I, x) A_un(I, P_neg, x)
#define A_exp(I, x) A_un(I, P_exp, x)
#define A_log(I, x) A_un(I, P_log, x)
#define A_sin(I, x) A_un(I, P_sin, x)
#define A_cos(I, x) A_un(I, P_cos, x)
#define A_sqrt(I, x) A_un(I, P_sqrt, x)
#define A_tanh(I, x) A_un(I, P_tanh, x)
#define A_sign(I, x) A_un(I, P_sign, x)
Value A_ipow(Interp *I, Value x, int64_t n);          /* x ** n */
Value A_select(Interp *I, Value c, Value a, Value b); /* where(c, a, b) */
Value A_convert(Interp *I, Value x, DType dt);
Value A_stop(Interp *I, Value x);                     /* stop_gradient */
/* Scalars. */
static inline Value A_f(double f) { return v_float(f); }

/* Shape helpers. */
Value A_reshape(Interp *I, Value x, int ndim, const int64_t *shape);
/* numpy broadcasting of x to shape (x's dims align to the right). */
Value A_broadcast(Interp *I, Value x, int ndim, const int64_t *shape);
/* broadcast_in_dim with an explicit dims map. */
Value A_broadcast_in_dim(Interp *I, Value x, int ndim, const int64_t *shape,
                         int nd, const int64_t *dims);
Value A_transpose(Interp *I, Value x, int ndim, const int64_t *perm);
Value A_moveaxis(Interp *I, Value x, int from, int to);
Value A_reduce(Interp *I, PrimId id, Value x, int naxes, const int64_t *axes);
Value A_sum_all(Interp *I, Value x);
/* Sum g down to the shape of aval 'to' (undo numpy broadcasting). */
Value A_unbroadcast(Interp *I, Value g, const Aval *to);
Value A_zeros(Interp *I, const Aval *av);
Value A_zeros_like(Interp *I, Value x);   /* float zeros of x's shape */
Value A_ones_like(Interp *I, Value x);
Value A_full(Interp *I, const Aval *av, double v);
Value A_dot_general(Interp *I, Value a, Value b, const Params *p);

/* Aval helpers. */
bool aval_eq(const Aval *a, const Aval *b);
void aval_str(const Aval *a, char *buf, size_t n); /* "f64[3,4]" */
int aval_of(Interp *I, Value v, Aval *out);        /* = val_aval */

#endif
