/* fuse.c — loop fusion for jit: runs of float64 elementwise equations over
 * one array shape (with scalar operands), optionally ending in a full sum,
 * are executed block by block (FB elements at a time, in cache-resident
 * buffers) instead of one whole-array pass per equation.  Memory traffic
 * drops to one read of each input and one write of each result that is
 * needed outside the run; no temporaries are allocated.
 *
 * The plan is computed once per staged program (fuse_plan) and used by
 * stage_run for every call. */
#if defined(__GNUC__) && !defined(__clang__)
/* -O2 on gcc 12 vectorizes only loops of known trip count; the block loops
 * here need the full vectorizer */
#pragma GCC optimize("O3")
#endif
#include "stage.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../stdlib/arr_internal.h"

#define FB 512            /* elements per block */
#define FUSE_MIN 2048     /* smaller arrays are not worth it */
#define FUSE_MAXOPS 64

struct FuseGroup {
  int64_t first, last;    /* eqn index range [first, last] (all members) */
  int nops;
  int64_t eqn[FUSE_MAXOPS];
  int64_t size;           /* elements of the group's shape */
  Aval shape;
  bool reduce;            /* last member is a full reduce_sum */
};

static bool fusible_ew(Stage *s, Eqn *q) {
  if (q->prim == P_WHILE) return false;
  PrimKind k = jx_prims[q->prim].kind;
  if (k != PK_UNARY && k != PK_BINARY) return false;
  switch (q->prim) {
  case P_floordiv: case P_mod: case P_and: case P_or: case P_not:
  case P_isnan: case P_isinf: case P_isfinite: case P_sign: case P_round:
  case P_atan2: case P_logistic:
    return false;
  default: break;
  }
  if (s->vars[q->out].dtype != DT_FLOAT) return false;
  return true;
}

/* is atom a float input usable by a group of shape sh? (scalar or same shape) */
static bool atom_ok(Stage *s, int64_t a, const Aval *sh) {
  Aval av;
  if (a >= 0) av = s->vars[a];
  else {
    Value c = s->consts[-a - 1];
    if (c.tag == T_FLOAT) return true;
    if (c.tag != T_ARRAY) return false;
    av.dtype = AS_ARRAY(c)->dtype;
    av.ndim = AS_ARRAY(c)->ndim;
    memcpy(av.shape, AS_ARRAY(c)->shape, sizeof(int64_t) * (size_t)av.ndim);
  }
  if (av.dtype != DT_FLOAT) return false;
  if (av.ndim == 0) return true;
  return aval_eq(&av, sh);
}

void fuse_free(FusePlan *fp) {
  if (!fp) return;
  jx_free(fp->groups);
  jx_free(fp->group_of);
  jx_free(fp);
}

FusePlan *fuse_plan(Interp *I, Stage *s) {
  FusePlan *fp = jx_calloc(I, 1, sizeof(FusePlan));
  if (!fp) return NULL;
  fp->group_of = jx_malloc(I, (size_t)(s->neqns ? s->neqns : 1) * sizeof(int32_t));
  if (!fp->group_of) {
    jx_free(fp);
    return NULL;
  }
  for (int64_t e = 0; e < s->neqns; e++) fp->group_of[e] = -1;
  FuseGroup cur;
  bool open = false;
  for (int64_t e = 0; e <= s->neqns; e++) {
    Eqn *q = e < s->neqns ? &s->eqns[e] : NULL;
    bool joined = false;
    if (q && fusible_ew(s, q)) {
      Aval *oa = &s->vars[q->out];
      if (oa->ndim > 0) {
        int64_t sz = 1;
        for (int d = 0; d < oa->ndim; d++) sz *= oa->shape[d];
        if (open && aval_eq(oa, &cur.shape) && cur.nops < FUSE_MAXOPS && !cur.reduce) {
          bool ok = true;
          for (int i = 0; i < q->nin; i++) ok &= atom_ok(s, q->in[i], &cur.shape);
          if (ok) {
            cur.eqn[cur.nops++] = e;
            cur.last = e;
            joined = true;
          }
        }
        if (!joined && sz >= FUSE_MIN) {
          bool ok = true;
          for (int i = 0; i < q->nin; i++) ok &= atom_ok(s, q->in[i], oa);
          if (ok) {
            if (open && cur.nops >= 2) goto close_then_open;
            open = true;
            memset(&cur, 0, sizeof cur);
            cur.shape = *oa;
            cur.size = sz;
            cur.first = cur.last = e;
            cur.eqn[cur.nops++] = e;
            joined = true;
          }
        }
      }
    } else if (q && open && q->prim != P_WHILE && q->prim == P_reduce_sum && !cur.reduce && cur.nops < FUSE_MAXOPS &&
               q->in[0] >= 0 && q->p && q->p->n == cur.shape.ndim &&
               s->vars[q->out].ndim == 0 && s->vars[q->out].dtype == DT_FLOAT) {
      /* a full sum of a group member */
      for (int k = 0; k < cur.nops; k++)
        if (s->eqns[cur.eqn[k]].out == q->in[0]) {
          cur.eqn[cur.nops++] = e;
          cur.last = e;
          cur.reduce = true;
          joined = true;
          break;
        }
    }
    if (joined) continue;
    if (0) {
    close_then_open:
      e--; /* re-examine this eqn after closing */
    }
    if (open) {
      if (cur.nops >= 2) {
        FuseGroup *ng = jx_realloc(I, fp->groups, (size_t)(fp->ngroups + 1) * sizeof(FuseGroup));
        if (!ng) {
          fuse_free(fp);
          return NULL;
        }
        fp->groups = ng;
        fp->groups[fp->ngroups] = cur;
        for (int k = 0; k < cur.nops; k++) fp->group_of[cur.eqn[k]] = fp->ngroups;
        fp->ngroups++;
      }
      open = false;
    }
  }
  return fp;
}

/* one operand inside a block: a pointer that advances, or a broadcast scalar */
typedef struct {
  const double *p; /* NULL: scalar */
  double c;
} Opd;

static void run_op(PrimId id, const Params *p, int nin, const double *a, const double *b, double *y,
                   int64_t n, bool bs, double bc) {
  /* b may be a scalar (bs) */
  switch (id) {
  case P_neg: for (int64_t i = 0; i < n; i++) y[i] = -a[i]; return;
  case P_abs: for (int64_t i = 0; i < n; i++) y[i] = fabs(a[i]); return;
  case P_sqrt: for (int64_t i = 0; i < n; i++) y[i] = __builtin_sqrt(a[i]); return;
  case P_floor: for (int64_t i = 0; i < n; i++) y[i] = floor(a[i]); return;
  case P_ceil: for (int64_t i = 0; i < n; i++) y[i] = ceil(a[i]); return;
  case P_exp: vm_apply(VM_EXP, n, a, y); return;
  case P_log: vm_apply(VM_LOG, n, a, y); return;
  case P_log1p: vm_apply(VM_LOG1P, n, a, y); return;
  case P_expm1: vm_apply(VM_EXPM1, n, a, y); return;
  case P_sin: vm_apply(VM_SIN, n, a, y); return;
  case P_cos: vm_apply(VM_COS, n, a, y); return;
  case P_tan: vm_apply(VM_TAN, n, a, y); return;
  case P_asin: vm_apply(VM_ASIN, n, a, y); return;
  case P_acos: vm_apply(VM_ACOS, n, a, y); return;
  case P_atan: vm_apply(VM_ATAN, n, a, y); return;
  case P_sinh: vm_apply(VM_SINH, n, a, y); return;
  case P_cosh: vm_apply(VM_COSH, n, a, y); return;
  case P_tanh: vm_apply(VM_TANH, n, a, y); return;
  case P_erf: vm_apply(VM_ERF, n, a, y); return;
  case P_integer_pow: {
    int64_t e = p ? p->i0 : 1;
    if (e == 2) {
      for (int64_t i = 0; i < n; i++) y[i] = a[i] * a[i];
    } else if (e == 3) {
      for (int64_t i = 0; i < n; i++) y[i] = a[i] * a[i] * a[i];
    } else {
      for (int64_t i = 0; i < n; i++) {
        double r = 1.0, x = a[i];
        uint64_t m = e < 0 ? (uint64_t)0 - (uint64_t)e : (uint64_t)e;
        while (m) {
          if (m & 1) r *= x;
          x *= x;
          m >>= 1;
        }
        y[i] = e < 0 ? 1.0 / r : r;
      }
    }
    return;
  }
  default: break;
  }
#define BIN(EXPR)                                                   \
  do {                                                              \
    if (bs) {                                                       \
      const double bv = bc;                                         \
      for (int64_t i = 0; i < n; i++) {                             \
        const double x = a[i], z = bv;                              \
        y[i] = (EXPR);                                              \
      }                                                             \
    } else {                                                        \
      for (int64_t i = 0; i < n; i++) {                             \
        const double x = a[i], z = b[i];                            \
        y[i] = (EXPR);                                              \
      }                                                             \
    }                                                               \
  } while (0)
  switch (id) {
  case P_add: BIN(x + z); return;
  case P_sub: BIN(x - z); return;
  case P_mul: BIN(x * z); return;
  case P_div: BIN(x / z); return;
  case P_max: BIN((x > z || x != x) ? x : z); return;
  case P_min: BIN((x < z || x != x) ? x : z); return;
  case P_pow: BIN(pow(x, z)); return;
  default: return;
  }
#undef BIN
}

/* Run group g of stage s; reg holds the concrete registers. 0 or -1. */
int fuse_run(Interp *I, Stage *s, FusePlan *fp, int g, Value *reg, const int64_t *last_use) {
  FuseGroup *G = &fp->groups[g];
  int n = G->nops;
  int nelem = G->reduce ? n - 1 : n;
  /* which members are needed outside the group */
  bool need_out[FUSE_MAXOPS];
  Array *outs[FUSE_MAXOPS];
  double *buf = jx_malloc(I, (size_t)nelem * FB * sizeof(double));
  if (!buf) return -1;
  for (int k = 0; k < n; k++) {
    outs[k] = NULL;
    need_out[k] = false;
  }
  for (int k = 0; k < nelem; k++) {
    int64_t v = s->eqns[G->eqn[k]].out;
    need_out[k] = last_use[v] > G->last;
    for (int j = k + 1; j < n && !need_out[k]; j++) {
      (void)j;
    }
    if (G->reduce) {
      /* used by the reduction only: stays in the block buffer */
    }
    if (need_out[k]) {
      outs[k] = arr_alloc(I, DT_FLOAT, G->shape.ndim, G->shape.shape);
      if (!outs[k]) {
        for (int j = 0; j < k; j++)
          if (outs[j]) v_decref(v_obj(&outs[j]->hdr));
        jx_free(buf);
        return -1;
      }
    }
  }
  /* operand sources */
  double total = 0.0;
  int64_t red_src = -1;
  if (G->reduce) {
    int64_t v = s->eqns[G->eqn[n - 1]].in[0];
    for (int k = 0; k < nelem; k++)
      if (s->eqns[G->eqn[k]].out == v) red_src = k;
  }
  for (int64_t base = 0; base < G->size; base += FB) {
    int64_t m = G->size - base < FB ? G->size - base : FB;
    if ((base & ((FB << 10) - 1)) == 0 && jx_check_interrupt(I) < 0) {
      for (int k = 0; k < n; k++)
        if (outs[k]) v_decref(v_obj(&outs[k]->hdr));
      jx_free(buf);
      return -1;
    }
    for (int k = 0; k < nelem; k++) {
      Eqn *q = &s->eqns[G->eqn[k]];
      const double *ap[2] = {NULL, NULL};
      double ac[2] = {0, 0};
      bool asc[2] = {false, false};
      for (int i = 0; i < q->nin && i < 2; i++) {
        int64_t a = q->in[i];
        /* produced inside the group? */
        int src = -1;
        if (a >= 0)
          for (int j = 0; j < k; j++)
            if (s->eqns[G->eqn[j]].out == a) src = j;
        if (src >= 0) {
          ap[i] = buf + (size_t)src * FB;
          continue;
        }
        Value v = a >= 0 ? reg[a] : s->consts[-a - 1];
        if (v.tag == T_FLOAT) {
          asc[i] = true;
          ac[i] = v.u.f;
        } else if (v.tag == T_ARRAY) {
          ap[i] = ARR_F(AS_ARRAY(v)) + base;
        } else {
          asc[i] = true;
          ac[i] = v.tag == T_INT || v.tag == T_BOOL ? (double)v.u.i : 0.0;
        }
      }
      double *y = buf + (size_t)k * FB;
      if (q->nin == 1) {
        run_op(q->prim, q->p, 1, ap[0], NULL, y, m, false, 0);
      } else if (asc[0] && !asc[1]) {
        /* scalar first operand: swap for commutative ops, else expand */
        double tmp[FB];
        for (int64_t i = 0; i < m; i++) tmp[i] = ac[0];
        run_op(q->prim, q->p, 2, tmp, ap[1], y, m, false, 0);
      } else {
        run_op(q->prim, q->p, 2, ap[0], ap[1], y, m, asc[1], ac[1]);
      }
      if (outs[k]) memcpy(ARR_F(outs[k]) + base, y, (size_t)m * sizeof(double));
    }
    if (G->reduce) {
      const double *r = buf + (size_t)red_src * FB;
      /* pairwise within the block, then into the running total */
      double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      int64_t i = 0;
      for (; i + 8 <= m; i += 8)
        for (int j = 0; j < 8; j++) acc[j] += r[i + j];
      double bs = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
      for (; i < m; i++) bs += r[i];
      total += bs;
    }
  }
  for (int k = 0; k < nelem; k++) {
    if (outs[k]) reg[s->eqns[G->eqn[k]].out] = v_obj(&outs[k]->hdr);
  }
  if (G->reduce) reg[s->eqns[G->eqn[n - 1]].out] = v_float(total);
  jx_free(buf);
  return 0;
}

int64_t fuse_group_last(FusePlan *fp, int g) { return fp->groups[g].last; }
int64_t fuse_group_first(FusePlan *fp, int g) { return fp->groups[g].first; }
