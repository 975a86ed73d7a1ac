/* tape.c — the reverse-mode tape: one per grad/vjp call.  A node records a
 * primitive application (inputs' nodes, input primals and output primal as
 * residuals, params); the reverse sweep runs each node's VJP rule through
 * jx_bind, so the sweep itself is traced by any transformation below. */
#include "trace_internal.h"

#include <stdlib.h>
#include <string.h>

#define NODE_INLINE 3

typedef struct {
  int32_t prim; /* PrimId; -1 leaf; -2 custom */
  int32_t nin;
  int64_t in_i[NODE_INLINE];
  Value x_i[NODE_INLINE];
  int64_t *in_h; /* heap arrays when nin > NODE_INLINE (nodes move on growth, */
  Value *x_h;    /* so inline storage is never pointed to) */
  Value y;
  Params *p;
  CustomBwd bwd;
  Value data;
} TapeNode;

#define NODE_IN(nd) ((nd)->nin <= NODE_INLINE ? (nd)->in_i : (nd)->in_h)
#define NODE_X(nd) ((nd)->nin <= NODE_INLINE ? (nd)->x_i : (nd)->x_h)

struct Tape {
  int32_t rc;
  int64_t n, cap;
  TapeNode *nodes;
};

/* One spare tape (with its node storage) is kept for the next grad call:
 * a scalar grad then allocates no tape memory.  Process-wide on purpose:
 * it is a memory cache, not interpreter state. */
static Tape *spare_tape;

Tape *tape_new(Interp *I) {
  if (spare_tape) {
    Tape *t = spare_tape;
    spare_tape = NULL;
    t->rc = 1;
    return t;
  }
  Tape *t = jx_calloc(I, 1, sizeof(Tape));
  if (t) t->rc = 1;
  return t;
}

void tape_retain(Tape *t) { t->rc++; }

void tape_cache_free(void) {
  if (spare_tape) {
    jx_free(spare_tape->nodes);
    jx_free(spare_tape);
    spare_tape = NULL;
  }
}

static void node_clear(TapeNode *nd) {
  Value *x = NODE_X(nd);
  if (x)
    for (int j = 0; j < nd->nin; j++) v_decref(x[j]);
  jx_free(nd->x_h);
  jx_free(nd->in_h);
  v_decref(nd->y);
  v_decref(nd->data);
  jx_free(nd->p);
}

void tape_release(Tape *t) {
  if (--t->rc > 0) return;
  for (int64_t i = 0; i < t->n; i++) node_clear(&t->nodes[i]);
  t->n = 0;
  if (!spare_tape && t->cap <= 4096) {
    spare_tape = t;
    return;
  }
  jx_free(t->nodes);
  jx_free(t);
}

static TapeNode *node_new(Interp *I, Tape *t, int nin) {
  if (t->n == t->cap) {
    int64_t cap = t->cap ? t->cap * 2 : 16;
    TapeNode *nn = jx_realloc(I, t->nodes, (size_t)cap * sizeof(TapeNode));
    if (!nn) return NULL;
    t->nodes = nn;
    t->cap = cap;
  }
  TapeNode *nd = &t->nodes[t->n];
  memset(nd, 0, sizeof *nd);
  nd->y = v_none();
  nd->data = v_none();
  nd->nin = nin;
  if (nin > NODE_INLINE) {
    nd->in_h = jx_malloc(I, (size_t)nin * sizeof(int64_t));
    nd->x_h = jx_malloc(I, (size_t)nin * sizeof(Value));
    if (!nd->in_h || !nd->x_h) {
      jx_free(nd->in_h);
      jx_free(nd->x_h);
      return NULL;
    }
  }
  Value *x = NODE_X(nd);
  int64_t *in = NODE_IN(nd);
  for (int j = 0; j < nin; j++) {
    x[j] = v_none();
    in[j] = -1;
  }
  t->n++;
  return nd;
}

int64_t tape_leaf(Interp *I, Tape *t) {
  TapeNode *nd = node_new(I, t, 0);
  if (!nd) return -1;
  nd->prim = -1;
  return t->n - 1;
}

int64_t tape_add(Interp *I, Tape *t, PrimId id, int nin, const Value *x, const int64_t *in_nodes,
                 Value y, const Params *p) {
  Params *pc = NULL;
  if (p) {
    pc = jx_malloc(I, sizeof(Params));
    if (!pc) return -1;
    *pc = *p;
  }
  TapeNode *nd = node_new(I, t, nin);
  if (!nd) {
    jx_free(pc);
    return -1;
  }
  nd->prim = (int32_t)id;
  for (int j = 0; j < nin; j++) {
    NODE_X(nd)[j] = v_incref(x[j]);
    NODE_IN(nd)[j] = in_nodes[j];
  }
  nd->y = v_incref(y);
  nd->p = pc;
  return t->n - 1;
}

int64_t tape_add_custom(Interp *I, Tape *t, CustomBwd bwd, Value data, int nin,
                        const int64_t *in_nodes) {
  TapeNode *nd = node_new(I, t, nin);
  if (!nd) return -1;
  nd->prim = -2;
  nd->bwd = bwd;
  nd->data = v_incref(data);
  for (int j = 0; j < nin; j++) NODE_IN(nd)[j] = in_nodes[j];
  return t->n - 1;
}

static int accumulate(Interp *I, Value *slot, Value ct) {
  if (slot->tag == T_UNSET) {
    *slot = ct; /* takes ownership */
    return 0;
  }
  Value s = A_add(I, *slot, ct);
  v_decref(ct);
  if (IS_EXC(s)) return -1;
  v_decref(*slot);
  *slot = s;
  return 0;
}

int tape_backward(Interp *I, Tape *t, int nseed, const int64_t *seed_nodes, const Value *seeds,
                  int nleaf, const int64_t *leaf_nodes, Value *out) {
  static const Params zero = PARAMS_INIT;
  int64_t n = t->n;
  for (int k = 0; k < nleaf; k++) out[k] = v_unset();
  if (n == 0) return 0;
  Value ct_small[64];
  Value *ct = n <= 64 ? ct_small : jx_malloc(I, (size_t)n * sizeof(Value));
  if (!ct) return -1;
  for (int64_t i = 0; i < n; i++) ct[i] = v_unset();
  int64_t top = -1;
  int rc = 0;
  for (int s = 0; s < nseed; s++) {
    if (seed_nodes[s] < 0 || seeds[s].tag == T_UNSET) continue;
    if (accumulate(I, &ct[seed_nodes[s]], v_incref(seeds[s])) < 0) {
      rc = -1;
      goto done;
    }
    if (seed_nodes[s] > top) top = seed_nodes[s];
  }
  for (int64_t i = top; i >= 0; i--) {
    TapeNode *nd = &t->nodes[i];
    if (ct[i].tag == T_UNSET || nd->prim == -1) continue;
    if (jx_check_interrupt(I) < 0) {
      rc = -1;
      goto done;
    }
    int nin = nd->nin;
    bool need_i[NODE_INLINE];
    Value cts_i[NODE_INLINE];
    bool *need = nin <= NODE_INLINE ? need_i : jx_malloc(I, (size_t)nin * sizeof(bool));
    Value *cts = nin <= NODE_INLINE ? cts_i : jx_malloc(I, (size_t)nin * sizeof(Value));
    if (!need || !cts) {
      if (need != need_i) jx_free(need);
      if (cts != cts_i) jx_free(cts);
      rc = -1;
      goto done;
    }
    bool any = false;
    for (int j = 0; j < nin; j++) {
      need[j] = NODE_IN(nd)[j] >= 0;
      any |= need[j];
      cts[j] = v_unset();
    }
    int r = 0;
    if (any) {
      /* hold the node's residuals locally: a bind inside the rule may grow
       * (and move) this tape */
      Value xl_i[NODE_INLINE];
      Value *xl = nin <= NODE_INLINE ? xl_i : jx_malloc(I, (size_t)nin * sizeof(Value));
      if (!xl) {
        r = -1;
      } else {
        for (int j = 0; j < nin; j++) xl[j] = v_incref(NODE_X(nd)[j]);
        Value yl = v_incref(nd->y), dl = v_incref(nd->data);
        Params pl;
        const Params *pp = &zero;
        if (nd->p) {
          pl = *nd->p;
          pp = &pl;
        }
        int32_t prim = nd->prim;
        CustomBwd bwd = nd->bwd;
        if (prim == -2)
          r = bwd(I, dl, ct[i], nin, need, cts);
        else
          r = jx_vjp_rules[prim](I, xl, yl, ct[i], pp, need, cts);
        for (int j = 0; j < nin; j++) v_decref(xl[j]);
        v_decref(yl);
        v_decref(dl);
        if (xl != xl_i) jx_free(xl);
      }
    }
    v_decref(ct[i]);
    ct[i] = v_unset();
    /* the rule's binds may have appended to this very tape (when its trace
     * is still live), moving the nodes: fetch the node again */
    nd = &t->nodes[i];
    for (int j = 0; j < nin; j++) {
      if (r == 0 && need[j] && cts[j].tag != T_UNSET && !IS_EXC(cts[j])) {
        if (accumulate(I, &ct[NODE_IN(nd)[j]], cts[j]) < 0) r = -1;
      } else {
        v_decref(cts[j]);
      }
    }
    if (need != need_i) jx_free(need);
    if (cts != cts_i) jx_free(cts);
    if (r < 0) {
      rc = -1;
      goto done;
    }
  }
  for (int k = 0; k < nleaf; k++) {
    int64_t L = leaf_nodes[k];
    if (L >= 0 && L < n) {
      out[k] = ct[L];
      ct[L] = v_unset();
    }
  }
done:
  for (int64_t i = 0; i < n; i++) v_decref(ct[i]);
  if (ct != ct_small) jx_free(ct);
  if (rc < 0)
    for (int k = 0; k < nleaf; k++) {
      v_decref(out[k]);
      out[k] = v_unset();
    }
  return rc;
}
