/* fuse.c — loop fusion for jit: runs of float64 elementwise equations over
 * one array shape (with scalar operands), optionally ending in a full sum,
 * are executed in one pass over the data instead of one whole-array pass
 * per equation.  Memory traffic drops to one read of each input and one
 * write of each result that is needed outside the run; no temporaries are
 * allocated.  Two engines:
 *   - linear chains (each op consumes the previous op's result, e.g.
 *     sum((x * 3.0 - 1.0) * x)) run as a small program over strips of
 *     8-double vectors that stay in registers (lin_*);
 *   - any other group runs chunk by chunk (CH elements), one pass per op
 *     into L1-resident buffers (run_chunk).
 * Both prefetch their inputs ahead, and both produce the same bits as the
 * eager ops: the same IEEE operation per element, and a fused sum that
 * splits its range exactly as the eager pairwise sum (sum_f64) does.
 *
 * The plan is computed once per staged program (fuse_plan) and used by
 * stage_run for every call. */
#if defined(__GNUC__) && !defined(__clang__)
/* -O2 on gcc 12 vectorizes only loops of known trip count; the block loops
 * here need the full vectorizer */
#pragma GCC optimize("O3")
/* fused results must equal the eager ones bit for bit: no a*b+c -> fma */
#pragma GCC optimize("fp-contract=off")
#endif
#include "stage.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../stdlib/arr_internal.h"

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

/* ------------------------------------------------------------------ */
/* execution                                                           */

/* Elements per chunk: a chunk of every live member stays in L1. */
#define CH 256
/* Inputs are prefetched (into L2: hint 1) PF_AHEAD elements ahead of the
 * piece being computed: while the ops work from L1 or registers the
 * hardware prefetcher alone leaves memory idle (measured: ~55% of the
 * sum(x) bandwidth without, ~100% with).  Larger chunks or distances were
 * slower.  A prefetch past the end of an array never faults. */
#define PF_HINT 1
#define PF_AHEAD 1024

/* where an operand of a fused op comes from */
enum { SRC_ARR = -1, SRC_SCALAR = -2 }; /* else: the member that made it */

typedef struct {
  PrimId prim;
  const Params *p;
  int nin;
  int src[2];
  const double *arr[2]; /* SRC_ARR: the whole input array */
  double c[2];          /* SRC_SCALAR */
  int slot;             /* chunk buffer, or -1: written straight to out */
  double *out;          /* the materialised result (needed after the group) */
} FOp;

/* ------------------------------------------------------------------ */
/* linear chains: the running value stays in vector registers          */

/* A group in which every op takes the previous op's result (the "acc")
 * and otherwise only scalars or group inputs — e.g. sum((x * 3.0 - 1.0)
 * * x) — is run as a little program over strips of vectors: one load of
 * each input, the ops in registers, one store per materialised result,
 * and the sum accumulated as it goes.  Every op is the same IEEE
 * operation as the eager one, so the results are identical. */
typedef double v8d __attribute__((vector_size(64)));
typedef int64_t v8i __attribute__((vector_size(64)));

#define LMAX 8 /* distinct inputs / stored results of a linear program */
#define SUM_LEAF 256 /* sum_f64's leaf size */

#define LFORMS(N) L_##N##_AS, L_##N##_SA, L_##N##_AR, L_##N##_RA, L_##N##_AC
/* forms of a binary op: acc op scalar, scalar op acc, acc op array,
 * array op acc, acc op acc */
enum { F_AS, F_SA, F_AR, F_RA, F_AC, NFORMS };
enum {
  L_LOAD, L_STORE, L_NEG, L_ABS, L_SQ, L_CUBE,
  LFORMS(ADD), LFORMS(SUB), LFORMS(MUL), LFORMS(DIV), LFORMS(MAX), LFORMS(MIN)
};

typedef struct {
  uint8_t code;
  uint8_t k;  /* input (LOAD, array forms) or output (STORE) index */
  double c;   /* scalar operand */
} LOp;

typedef struct {
  LOp op[2 * FUSE_MAXOPS + 1];
  int n;
  const double *in[LMAX];
  int nin;
  double *out[LMAX];
  int nout;
} LProg;

static int lin_input(LProg *P, const double *p) {
  for (int j = 0; j < P->nin; j++)
    if (P->in[j] == p) return j;
  if (P->nin == LMAX) return -1;
  P->in[P->nin] = p;
  return P->nin++;
}

/* Build the program for the ops of R, or return false (not linear). */
static bool lin_compile(const FOp *ops, int nops, int red, LProg *P) {
  P->n = P->nin = P->nout = 0;
  if (red >= 0 && red != nops - 1) return false;
  for (int k = 0; k < nops; k++) {
    const FOp *o = &ops[k];
    int base;
    switch (o->prim) {
    case P_add: base = L_ADD_AS; break;
    case P_sub: base = L_SUB_AS; break;
    case P_mul: base = L_MUL_AS; break;
    case P_div: base = L_DIV_AS; break;
    case P_max: base = L_MAX_AS; break;
    case P_min: base = L_MIN_AS; break;
    case P_neg: base = L_NEG; break;
    case P_abs: base = L_ABS; break;
    case P_integer_pow:
      if (!o->p || (o->p->i0 != 2 && o->p->i0 != 3)) return false;
      base = o->p->i0 == 2 ? L_SQ : L_CUBE;
      break;
    default: return false;
    }
    /* operand kinds: 0 acc, 1 scalar, 2 array */
    int kind[2] = {1, 1}, idx[2] = {0, 0};
    for (int i = 0; i < o->nin; i++) {
      if (o->src[i] >= 0) {
        if (o->src[i] != k - 1) return false;
        kind[i] = 0;
      } else if (o->src[i] == SRC_ARR) {
        kind[i] = 2;
        if ((idx[i] = lin_input(P, o->arr[i])) < 0) return false;
      }
    }
    if (k == 0) { /* start by loading an input: it becomes the acc */
      int first = kind[0] == 2 ? 0 : 1;
      if (first >= o->nin || kind[first] != 2) return false;
      P->op[P->n++] = (LOp){L_LOAD, (uint8_t)idx[first], 0.0};
      kind[first] = 0;
      if (o->nin == 2 && kind[1 - first] == 2 && idx[1 - first] == idx[first]) kind[1 - first] = 0;
    }
    LOp l = {0, 0, 0.0};
    if (o->nin == 1) {
      if (kind[0] != 0) return false;
      l.code = (uint8_t)base;
    } else {
      int form;
      if (kind[0] == 0 && kind[1] == 0) form = F_AC;
      else if (kind[0] == 0) form = kind[1] == 1 ? F_AS : F_AR;
      else if (kind[1] == 0) form = kind[0] == 1 ? F_SA : F_RA;
      else return false;
      int other = kind[0] == 0 ? 1 : 0;
      l.code = (uint8_t)(base + form);
      l.c = o->c[other];
      l.k = (uint8_t)idx[other];
    }
    P->op[P->n++] = l;
    if (o->out) {
      if (P->nout == LMAX) return false;
      P->out[P->nout] = o->out;
      P->op[P->n++] = (LOp){L_STORE, (uint8_t)P->nout++, 0.0};
    }
  }
  return true;
}

/* (macros rather than functions: no vector passes through a call) */
#define V_LD(dst, p) memcpy(&(dst), (p), sizeof(v8d))
#define V_SEL(m, a, b) ((v8d)(((v8i)(a) & (m)) | ((v8i)(b) & ~(m))))
/* NaN-propagating max/min, as the eager kernels: x if (x > z or x is NaN) */
#define V_MAX(x, z) V_SEL((v8i)(((x) > (z)) | ((x) != (x))), x, z)
#define V_MIN(x, z) V_SEL((v8i)(((x) < (z)) | ((x) != (x))), x, z)

#define LBIN(N, EXPR)                                                            \
  case L_##N##_AS: for (int j = 0; j < NV; j++) { v8d x = a[j], z = cv; a[j] = (EXPR); } break; \
  case L_##N##_SA: for (int j = 0; j < NV; j++) { v8d x = cv, z = a[j]; a[j] = (EXPR); } break; \
  case L_##N##_AR: for (int j = 0; j < NV; j++) { v8d x = a[j], z; V_LD(z, in[o->k] + i + 8 * j); a[j] = (EXPR); } break; \
  case L_##N##_RA: for (int j = 0; j < NV; j++) { v8d x, z = a[j]; V_LD(x, in[o->k] + i + 8 * j); a[j] = (EXPR); } break; \
  case L_##N##_AC: for (int j = 0; j < NV; j++) { v8d x = a[j], z = a[j]; a[j] = (EXPR); } break;

/* Evaluate the program on NV vectors at element i of in[]/out[]. */
static inline __attribute__((always_inline)) void lin_eval(const LProg *P, const double *const *in,
                                                           double *const *out, int64_t i, v8d *a,
                                                           const int NV) {
  const v8i signbit = (v8i){0} + INT64_MIN;
  for (int q = 0; q < P->n; q++) {
    const LOp *o = &P->op[q];
    const v8d cv = (v8d){0} + o->c;
    switch (o->code) {
    case L_LOAD: for (int j = 0; j < NV; j++) V_LD(a[j], in[o->k] + i + 8 * j); break;
    case L_STORE: for (int j = 0; j < NV; j++) memcpy(out[o->k] + i + 8 * j, &a[j], sizeof(v8d)); break;
    case L_NEG: for (int j = 0; j < NV; j++) a[j] = (v8d)((v8i)a[j] ^ signbit); break;
    case L_ABS: for (int j = 0; j < NV; j++) a[j] = (v8d)((v8i)a[j] & ~signbit); break;
    case L_SQ: for (int j = 0; j < NV; j++) a[j] = a[j] * a[j]; break;
    case L_CUBE: for (int j = 0; j < NV; j++) a[j] = a[j] * a[j] * a[j]; break;
    LBIN(ADD, x + z)
    LBIN(SUB, x - z)
    LBIN(MUL, x * z)
    LBIN(DIV, x / z)
    LBIN(MAX, V_MAX(x, z))
    LBIN(MIN, V_MIN(x, z))
    default: break;
    }
  }
}
#undef LBIN

/* The last t (< 8) elements from lo, through padded copies; *res gets
 * the final values (lanes >= t are junk). */
static inline __attribute__((always_inline)) void lin_tail(const LProg *P, int64_t lo, int64_t t,
                                                           v8d *res) {
  double pin[LMAX][8], pout[LMAX][8];
  v8d a[1] = {{0}};
  const double *in[LMAX];
  double *out[LMAX];
  for (int j = 0; j < P->nin; j++) {
    memset(pin[j], 0, sizeof pin[j]);
    memcpy(pin[j], P->in[j] + lo, (size_t)t * sizeof(double));
    in[j] = pin[j];
  }
  for (int j = 0; j < P->nout; j++) out[j] = pout[j];
  lin_eval(P, in, out, 0, a, 1);
  for (int j = 0; j < P->nout; j++) memcpy(P->out[j] + lo, pout[j], (size_t)t * sizeof(double));
  *res = a[0];
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(JX_SANITIZE)
#define LIN_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define LIN_CLONES
#endif

/* Elements [lo, lo+n) with no sum. */
LIN_CLONES static void lin_range(const LProg *P, int64_t lo, int64_t n) {
  const double *in[LMAX];
  double *out[LMAX];
  for (int j = 0; j < P->nin; j++) in[j] = P->in[j] + lo;
  for (int j = 0; j < P->nout; j++) out[j] = P->out[j] + lo;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    v8d a[4] = {{0}};
    lin_eval(P, in, out, i, a, 4);
  }
  for (; i + 8 <= n; i += 8) {
    v8d a[1] = {{0}};
    lin_eval(P, in, out, i, a, 1);
  }
  if (i < n) {
    v8d t;
    lin_tail(P, lo + i, n - i, &t);
  }
}

/* The sum over [lo, lo+n), n <= SUM_LEAF, of the program's final value,
 * added up exactly as sum_f64 adds up a leaf: 8 lanes vector by vector,
 * the lanes pairwise, then the remaining elements one by one. */
LIN_CLONES static double lin_leaf_sum(const LProg *P, int64_t lo, int64_t n) {
  const double *in[LMAX];
  double *out[LMAX];
  for (int j = 0; j < P->nin; j++) in[j] = P->in[j] + lo;
  for (int j = 0; j < P->nout; j++) out[j] = P->out[j] + lo;
  for (int j = 0; j < P->nin; j++) {
    const char *pf = (const char *)(in[j] + PF_AHEAD);
    for (int64_t b = 0; b < n * (int64_t)sizeof(double); b += 64) __builtin_prefetch(pf + b, 0, PF_HINT);
  }
  int64_t i = 0;
  double s = 0.0;
  if (n >= 8) {
    v8d r;
    {
      v8d a[1] = {{0}};
      lin_eval(P, in, out, 0, a, 1);
      r = a[0];
    }
    for (i = 8; i + 32 <= n; i += 32) {
      v8d a[4] = {{0}};
      lin_eval(P, in, out, i, a, 4);
      r += a[0];
      r += a[1];
      r += a[2];
      r += a[3];
    }
    for (; i + 8 <= n; i += 8) {
      v8d a[1] = {{0}};
      lin_eval(P, in, out, i, a, 1);
      r += a[0];
    }
    s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
  }
  if (i < n) {
    v8d t;
    lin_tail(P, lo + i, n - i, &t);
    for (int64_t l = 0; l < n - i; l++) s += t[l];
  }
  return s;
}

typedef struct {
  Interp *I;
  FOp op[FUSE_MAXOPS];
  int nops;
  int red;              /* member whose full sum is taken, or -1 */
  const double *in[2 * FUSE_MAXOPS]; /* the distinct input arrays */
  int nin;
  double *buf;          /* nslots * CH doubles */
  int64_t chunks;       /* chunks run, for interrupt checks */
  bool linear;          /* run as the program lp */
  LProg lp;
  bool err;
} FRun;

enum { M_UN, M_VV, M_VS, M_SV };

/* y[0..n) = op(a, b); mode says which of a, b are vectors (b unused for
 * unary ops, ca/cb the scalar operands).  Compiled per instruction set. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(JX_SANITIZE)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
static void fuse_op(PrimId id, const Params *p, int mode, const double *restrict a,
                    const double *restrict b, double ca, double cb, double *restrict y, int64_t n) {
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
  /* binary: one loop per operand layout, so each vectorizes on its own */
#define BIN(EXPR)                                                   \
  do {                                                              \
    if (mode == M_VS) {                                             \
      for (int64_t i = 0; i < n; i++) {                             \
        const double x = a[i], z = cb;                              \
        y[i] = (EXPR);                                              \
      }                                                             \
    } else if (mode == M_SV) {                                      \
      for (int64_t i = 0; i < n; i++) {                             \
        const double x = ca, z = b[i];                              \
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

/* Run every elementwise member on elements [lo, lo+m) (m <= CH); mp[k]
 * receives where member k's chunk now is. */
static void run_chunk(FRun *R, int64_t lo, int64_t m, const double **mp) {
  for (int j = 0; j < R->nin; j++) {
    const char *pf = (const char *)(R->in[j] + lo + PF_AHEAD);
    for (int64_t b = 0; b < m * (int64_t)sizeof(double); b += 64) __builtin_prefetch(pf + b, 0, PF_HINT);
  }
  for (int k = 0; k < R->nops; k++) {
    const FOp *o = &R->op[k];
    const double *v[2] = {NULL, NULL};
    for (int i = 0; i < o->nin; i++) {
      if (o->src[i] >= 0) v[i] = mp[o->src[i]];
      else if (o->src[i] == SRC_ARR) v[i] = o->arr[i] + lo;
    }
    double *y = o->out ? o->out + lo : R->buf + (size_t)o->slot * CH;
    int mode = o->nin == 1 ? M_UN : !v[1] ? M_VS : !v[0] ? M_SV : M_VV;
    fuse_op(o->prim, o->p, mode, v[0], v[1], o->c[0], o->c[1], y, m);
    mp[k] = y;
  }
}

static bool chunk_tick(FRun *R) {
  if ((++R->chunks & 1023) == 0 && jx_check_interrupt(R->I) < 0) R->err = true;
  return !R->err;
}

/* The full sum of member R->red over [lo, lo+n), split exactly as the
 * eager pairwise sum_f64 splits it (halves rounded down to a multiple of
 * 8); a piece that fits a chunk is computed and handed to sum_f64, whose
 * own splitting of it is the same as on the whole array, so the result
 * has the same bits as sum() of the materialised array. */
static double fused_sum(FRun *R, int64_t lo, int64_t n) {
  if (R->linear && n <= SUM_LEAF) {
    if (!chunk_tick(R)) return 0.0;
    return lin_leaf_sum(&R->lp, lo, n);
  }
  if (!R->linear && n <= CH) {
    const double *mp[FUSE_MAXOPS];
    if (!chunk_tick(R)) return 0.0;
    run_chunk(R, lo, n, mp);
    return sum_f64(mp[R->red], n);
  }
  int64_t h = (n / 2) & ~(int64_t)7;
  double left = fused_sum(R, lo, h);
  return left + fused_sum(R, lo + h, n - h);
}

/* Run group g of stage s; reg holds the concrete registers. 0 or -1. */
int fuse_run(Interp *I, Stage *s, FusePlan *fp, int g, Value *reg, const int64_t *last_use) {
  FuseGroup *G = &fp->groups[g];
  int n = G->nops;
  int nelem = G->reduce ? n - 1 : n;
  FRun *R = jx_malloc(I, sizeof(FRun));
  if (!R) return -1;
  R->I = I;
  R->nops = nelem;
  R->red = -1;
  R->nin = 0;
  R->buf = NULL;
  R->chunks = 0;
  R->err = false;
  Array *outs[FUSE_MAXOPS];
  int inner_last[FUSE_MAXOPS]; /* last member reading member k (n: kept) */
  int free_slot[FUSE_MAXOPS], nfree = 0, nslots = 0;
  int rc = -1;
  for (int k = 0; k < nelem; k++) {
    outs[k] = NULL;
    inner_last[k] = -1;
  }
  if (G->reduce) {
    int64_t v = s->eqns[G->eqn[n - 1]].in[0];
    for (int k = 0; k < nelem; k++)
      if (s->eqns[G->eqn[k]].out == v) R->red = k;
    if (R->red < 0) { /* the plan guarantees a member is summed */
      jx_raisei(I, E_VALUE, "jit fusion: summed value not found in its group");
      goto done;
    }
    inner_last[R->red] = n;
  }
  for (int k = 0; k < nelem; k++) {
    Eqn *q = &s->eqns[G->eqn[k]];
    FOp *o = &R->op[k];
    o->prim = q->prim;
    o->p = q->p;
    o->nin = q->nin < 2 ? q->nin : 2;
    o->out = NULL;
    for (int i = 0; i < 2; i++) {
      o->src[i] = SRC_SCALAR;
      o->arr[i] = NULL;
      o->c[i] = 0.0;
    }
    for (int i = 0; i < o->nin; i++) {
      int64_t a = q->in[i];
      int src = -1;
      if (a >= 0)
        for (int j = 0; j < k; j++)
          if (s->eqns[G->eqn[j]].out == a) src = j;
      if (src >= 0) {
        o->src[i] = src;
        if (inner_last[src] < k) inner_last[src] = k;
        continue;
      }
      Value v = a >= 0 ? reg[a] : s->consts[-a - 1];
      if (v.tag == T_ARRAY && AS_ARRAY(v)->ndim == 0) {
        o->c[i] = ARR_F(AS_ARRAY(v))[0]; /* a 0-d float array: a scalar */
      } else if (v.tag == T_ARRAY) {
        o->src[i] = SRC_ARR;
        o->arr[i] = ARR_F(AS_ARRAY(v));
        int j = 0;
        while (j < R->nin && R->in[j] != o->arr[i]) j++;
        if (j == R->nin) R->in[R->nin++] = o->arr[i];
      } else {
        o->c[i] = v.tag == T_FLOAT ? v.u.f : v.tag == T_INT || v.tag == T_BOOL ? (double)v.u.i : 0.0;
      }
    }
    if (last_use[q->out] > G->last) {
      outs[k] = arr_alloc(I, DT_FLOAT, G->shape.ndim, G->shape.shape);
      if (!outs[k]) goto done;
      o->out = ARR_F(outs[k]);
    }
  }
  /* chunk buffers: a member's slot is reused once its last reader ran */
  for (int k = 0; k < nelem; k++) {
    FOp *o = &R->op[k];
    o->slot = -1;
    if (!o->out) o->slot = nfree ? free_slot[--nfree] : nslots++;
    for (int i = 0; i < o->nin; i++) {
      int j = o->src[i];
      if (j < 0 || inner_last[j] != k || R->op[j].slot < 0) continue;
      if (i == 1 && o->src[0] == j) continue; /* x op x: release once */
      free_slot[nfree++] = R->op[j].slot;
    }
  }
  R->linear = lin_compile(R->op, nelem, R->red, &R->lp);
  R->buf = jx_malloc(I, (size_t)(nslots && !R->linear ? nslots : 1) * CH * sizeof(double));
  if (!R->buf) goto done;
  if (G->reduce) {
    double total = fused_sum(R, 0, G->size);
    if (R->err) goto done;
    reg[s->eqns[G->eqn[n - 1]].out] = v_float(total);
  } else {
    const double *mp[FUSE_MAXOPS];
    for (int64_t lo = 0; R->linear && lo < G->size; lo += 4 * CH) {
      if (!chunk_tick(R)) goto done;
      lin_range(&R->lp, lo, G->size - lo < 4 * CH ? G->size - lo : 4 * CH);
    }
    for (int64_t lo = 0; !R->linear && lo < G->size; lo += CH) {
      if (!chunk_tick(R)) goto done;
      run_chunk(R, lo, G->size - lo < CH ? G->size - lo : CH, mp);
    }
  }
  for (int k = 0; k < nelem; k++)
    if (outs[k]) {
      reg[s->eqns[G->eqn[k]].out] = v_obj(&outs[k]->hdr);
      outs[k] = NULL;
    }
  rc = 0;
done:
  for (int k = 0; k < nelem; k++)
    if (outs[k]) v_decref(v_obj(&outs[k]->hdr));
  jx_free(R->buf);
  jx_free(R);
  return rc;
}

int64_t fuse_group_last(FusePlan *fp, int g) { return fp->groups[g].last; }
int64_t fuse_group_first(FusePlan *fp, int g) { return fp->groups[g].first; }
