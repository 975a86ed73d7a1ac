/* control.h — structured control flow helpers shared within ad/. */
#ifndef JX_CONTROL_H
#define JX_CONTROL_H

#include "stage.h"

/* Truth of a predicate: 0/1 concrete, 2 when it differs across a vmapped
 * batch or is staged by jit; -1 on error. */
int ctl_truth(Interp *I, Value p, const char *who);
/* where(p, a, b) over two trees of one structure. */
Value ctl_select_tree(Interp *I, Value p, Value a, Value b, const char *who);
/* stack n values of one shape along a new leading axis */
Value ctl_stack(Interp *I, const Value *xs, int64_t n);
Value ctl_concat0(Interp *I, const Value *xs, int64_t n);

#endif
