/* transforms.h — internal interface between the transformation files of ad/. */
#ifndef JX_TRANSFORMS_H
#define JX_TRANSFORMS_H

#include "pytree.h"
#include "trace_internal.h"
#include "../stdlib/builtins.h"

#include <stdio.h>

/* A C closure of def over data, displayed as "what(name of f)". */
Value tf_closure(Interp *I, const BuiltinDef *def, Value data, const char *what, Value f);
/* Replace tracers of t in tree by their primal (which = 0) or tangent (1). */
Value tf_unwrap(Interp *I, Trace *t, Value tree, int which);
/* jvp(f, primals, tangents) -> (out, tangent_out) */
Value tf_jvp(Interp *I, Value f, Value primals, Value tangents);
/* vjp(f, primals tuple) -> (out, vjp_fn) */
Value tf_vjp(Interp *I, Value f, Value primals);
/* vmap(f, in_axes, out_axes) applied to args (tuple). */
Value tf_vmap_call(Interp *I, Value f, Value in_axes, Value out_axes, Value args);
/* vmap(f, in_axes, out_axes) as a function value. */
Value tf_vmap_make(Interp *I, Value f, Value in_axes, Value out_axes);

#endif
