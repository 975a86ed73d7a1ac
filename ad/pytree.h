/* pytree.h — tuples and dicts of leaves, nested freely.
 *
 * A tree is described by itself: flattening collects its leaves in order
 * (tuples in order, dicts in insertion order) and rebuilding takes any
 * tree of the same structure as the template.  Leaves are every value
 * that is not a tuple or a dict.
 */
#ifndef JX_PYTREE_H
#define JX_PYTREE_H

#include "../eval/value.h"

typedef struct {
  Value *v;
  int64_t n, cap;
} VVec;

void vvec_free(VVec *vv);            /* releases the held references */
int vvec_push(Interp *I, VVec *vv, Value v); /* increfs v; 0 or -1 */

/* Leaves of tree (increfed into out). 0 or -1. */
int tree_flatten(Interp *I, Value tree, VVec *out);
/* A tree shaped like 'like' whose leaves are leaves[*pos…] (increfed). */
Value tree_unflatten(Interp *I, Value like, const Value *leaves, int64_t nleaves, int64_t *pos);
/* Apply fn to each leaf; fn returns owned values. */
typedef Value (*LeafFn)(Interp *I, Value leaf, void *ctx);
Value tree_map_c(Interp *I, Value tree, LeafFn fn, void *ctx);
/* Same structure? (tuples of same length, dicts with same keys in order) */
bool tree_same_structure(Value a, Value b);
void tree_structure_str(Value t, StrBuf *sb);

#endif
