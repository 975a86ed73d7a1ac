/* trace_internal.h — shared between the files of ad/ only. */
#ifndef JX_TRACE_INTERNAL_H
#define JX_TRACE_INTERNAL_H

#include "ad.h"
#include "api.h"
#include "../stdlib/ops.h"

void trace_release(Trace *t);

/* ---- tape (ad/tape.c) ---- */
/* A custom node's backward: given the output cotangent, produce the
 * cotangents of its inputs (ct[i] for need[i]). */
typedef int (*CustomBwd)(Interp *I, Value data, Value g, int nin, const bool *need, Value *ct);
Tape *tape_new(Interp *I);
void tape_retain(Tape *t);
void tape_cache_free(void);
void tape_release(Tape *t);
/* Leaf (input variable) node. */
int64_t tape_leaf(Interp *I, Tape *t);
/* Node of primitive id; x, y borrowed (increfed). */
int64_t tape_add(Interp *I, Tape *t, PrimId id, int nin, const Value *x, const int64_t *in_nodes,
                 Value y, const Params *p);
/* Node with a custom backward; data borrowed (increfed). */
int64_t tape_add_custom(Interp *I, Tape *t, CustomBwd bwd, Value data, int nin,
                        const int64_t *in_nodes);
/* Reverse sweep: seed cotangents (borrowed) at nseed nodes, and collect
 * the cotangents at nleaf leaf nodes into out[] (owned; T_UNSET for zero). */
int tape_backward(Interp *I, Tape *t, int nseed, const int64_t *seed_nodes,
                  const Value *seeds, int nleaf, const int64_t *leaf_nodes, Value *out);

/* ---- batching (ad/rules_batch.c) ---- */
int batch_truth(Interp *I, Tracer *t);
int batch_fallback(Interp *I, PrimId id, const Value *x, const int *bd, int nin, int64_t size,
                   const Params *p, Value *out, int *obd);
Value batch_wrap(Interp *I, Trace *t, Value out, int obd);

/* ---- staging (ad/stage.c) ---- */
void stage_release(Stage *s);
Value stage_process(Interp *I, Trace *t, PrimId id, const Value *in, int nin, const Params *p);
int stage_truth(Interp *I, Tracer *t);

#endif
