/* lib.h — the user-level array library (numpy/JAX-style builtins).
 *
 * Owns: the builtin rows of array_builtins[] (creation, elementwise math,
 * reductions, shape manipulation, linear algebra, nn.*), implemented in
 * stdlib/lib_*.c as compositions of primitives through jx_bind, so every
 * transformation works on them.  The entry points below are for other
 * modules (operators, methods) that want the same semantics from C.
 *
 * Arguments borrowed, results owned, v_exc() on error (eval/value.h).
 */
#ifndef JX_LIB_H
#define JX_LIB_H

#include "array.h"

/* numpy matmul (the @ operator): 1-d promotion, batched broadcasting.
 * Errors name "matmul". */
Value lib_matmul(Interp *I, Value a, Value b);
/* numpy dot. */
Value lib_dot(Interp *I, Value a, Value b);
/* x.T: all axes reversed. */
Value lib_T(Interp *I, Value x);
/* array(x, dtype): from numbers, arrays, tracers or nested tuples of them
 * (dt < 0: infer). */
Value lib_array(Interp *I, Value x, int dt);
/* x.astype(dt) (works on tracers). */
Value lib_astype(Interp *I, Value x, DType dt);

#endif
