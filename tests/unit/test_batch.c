/* test_batch.c — the vmap rules of ad/rules_batch.c.
 *
 * For every row of the primitive table (a row without a case fails the
 * coverage test) and a few parameterisations of each, vmap of a C closure
 * that binds the primitive is compared with running the primitive lane by
 * lane and stacking the results:
 *   - one level of vmap, every in_axes combination of {None, 0, 1, last}
 *     over the operands (at least one mapped), batch size 3;
 *   - vmap of vmap, every combination of {unmapped, outer only, inner only,
 *     both at 0, both last};
 *   - vmap of a JVP (jvp inside vmap), tangents mapped like the primals;
 *   - each rule called directly against batch_fallback (no vmap machinery).
 * Plus the truth value of batched conditions (batch_truth).
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ad/ad.h"
#include "ad/trace_internal.h"
#include "eval/value.h"
#include "stdlib/array.h"
#include "stdlib/builtins.h"

static Interp *I;

static void setup(void) {
  I = jx_new();
  cr_assert(I != NULL);
}
static void teardown(void) {
  jx_free_interp(I);
  I = NULL;
}
TestSuite(batch, .init = setup, .fini = teardown);

/* ------------------------------------------------------------------ */
/* cases                                                                */

typedef enum {
  G_F,    /* float in [-2, 2] */
  G_POS,  /* float in [0.5, 2.5] */
  G_I,    /* int in [1, 4] */
  G_B,    /* bool */
  G_IDX,  /* int in [0, range) */
  G_SPD,  /* symmetric positive definite (last two dims) */
  G_DIAG, /* diagonally dominant (last two dims) */
  G_KEY,  /* uint32 words */
} Gen;

#define MAXI 4
typedef struct {
  const char *label;
  PrimId id;
  int nin;
  int nd[MAXI];
  int64_t sh[MAXI][JX_MAXDIM];
  Gen g[MAXI];
  int64_t range[MAXI];
  Params p;
} Case;

#define MAXCASES 600
static Case cases[MAXCASES];
static int ncases;

static const char *const prim_names[P__COUNT] = {
#define PRIM(id, name, nin, kind) [P_##id] = #id,
#include "ad/prims.def"
#undef PRIM
};
static const int prim_kind[P__COUNT] = {
#define PRIM(id, name, nin, kind) [P_##id] = kind,
#include "ad/prims.def"
#undef PRIM
};

/* "2,3" -> dims; "" -> none */
static int parse_list(const char *s, int64_t *out) {
  int n = 0;
  while (*s) {
    char *end;
    out[n++] = strtoll(s, &end, 10);
    s = end;
    if (*s == ',') s++;
  }
  return n;
}

static Case *mk(PrimId id, const char *label) {
  cr_assert(ncases < MAXCASES);
  Case *c = &cases[ncases++];
  memset(c, 0, sizeof *c);
  c->id = id;
  c->label = label;
  return c;
}
static Case *in(Case *c, Gen g, const char *shape) {
  int i = c->nin++;
  c->g[i] = g;
  c->nd[i] = parse_list(shape, c->sh[i]);
  c->range[i] = 1;
  return c;
}
static Case *idx(Case *c, const char *shape, int64_t range) {
  in(c, G_IDX, shape);
  c->range[c->nin - 1] = range;
  return c;
}
static void pa(Case *c, const char *s) { c->p.n = parse_list(s, c->p.a); }
static void pb(Case *c, const char *s) { c->p.m = parse_list(s, c->p.b); }
static void pc(Case *c, const char *s) { c->p.k = parse_list(s, c->p.c); }
static void pd(Case *c, const char *s) { parse_list(s, c->p.d); }

static void build_cases(void) {
  if (ncases) return;
  static const char *bshapes[][2] = {{"2,3", "2,3"}, {"", "2,3"}, {"3", "2,3"}, {"2,1", "1,3"},
                                     {"2,3", ""},    {"", ""},    {"4", ""},    {"3,1", "2"}};
  int nbs = (int)(sizeof bshapes / sizeof bshapes[0]);
  for (int id = 0; id < P__COUNT; id++) {
    if (prim_kind[id] == PK_UNARY) {
      Gen g = id == P_not ? G_B : G_F;
      if (id == P_integer_pow) {
        Case *c = in(mk((PrimId)id, "x**3"), G_F, "2,3");
        c->p.i0 = 3;
        c = in(mk((PrimId)id, "x**-2"), G_POS, "4");
        c->p.i0 = -2;
        c = in(mk((PrimId)id, "scalar x**2"), G_F, "");
        c->p.i0 = 2;
        continue;
      }
      in(mk((PrimId)id, "scalar"), g, "");
      in(mk((PrimId)id, "vector"), g, "4");
      in(mk((PrimId)id, "matrix"), g, "2,3");
      if (id == P_neg || id == P_abs || id == P_sign || id == P_floor || id == P_ceil)
        in(mk((PrimId)id, "int"), G_I, "3");
    } else if (prim_kind[id] == PK_BINARY || prim_kind[id] == PK_CMP) {
      Gen g0 = G_F, g1 = G_F;
      if (id == P_and || id == P_or) g0 = g1 = G_B;
      if (id == P_pow) g0 = G_POS;
      for (int k = 0; k < nbs; k++) in(in(mk((PrimId)id, bshapes[k][0]), g0, bshapes[k][0]), g1, bshapes[k][1]);
      if (id == P_floordiv || id == P_mod || prim_kind[id] == PK_CMP || id == P_add ||
          id == P_and || id == P_or)
        in(in(mk((PrimId)id, "int"), G_I, "2,3"), G_I, "3");
    }
  }
  Case *c;
  /* select */
  in(in(in(mk(P_select, "same"), G_B, "2,3"), G_F, "2,3"), G_F, "2,3");
  in(in(in(mk(P_select, "scalar c"), G_B, ""), G_F, "3"), G_F, "2,3");
  in(in(in(mk(P_select, "mixed"), G_B, "2,1"), G_F, ""), G_F, "3");
  in(in(in(mk(P_select, "scalar b"), G_B, "3"), G_F, "3"), G_F, "");
  /* convert */
  c = in(mk(P_convert, "f->i"), G_F, "2,3");
  c->p.i0 = DT_INT;
  c = in(mk(P_convert, "i->f"), G_I, "3");
  c->p.i0 = DT_FLOAT;
  c = in(mk(P_convert, "b->f"), G_B, "2");
  c->p.i0 = DT_FLOAT;
  c = in(mk(P_convert, "scalar f->b"), G_F, "");
  c->p.i0 = DT_BOOL;
  c = in(mk(P_convert, "f->f"), G_F, "3");
  c->p.i0 = DT_FLOAT;
  /* stop_gradient */
  in(mk(P_stop_gradient, "matrix"), G_F, "2,3");
  in(mk(P_stop_gradient, "scalar"), G_F, "");
  /* reductions */
  static const PrimId reds[] = {P_reduce_sum, P_reduce_max, P_reduce_min,
                                P_reduce_prod, P_reduce_and, P_reduce_or};
  static const char *raxes[] = {"0", "1", "2", "0,2", "1,2", "0,1,2"};
  for (int r = 0; r < 6; r++) {
    Gen g = (reds[r] == P_reduce_and || reds[r] == P_reduce_or) ? G_B : G_F;
    for (int k = 0; k < 6; k++) {
      c = in(mk(reds[r], raxes[k]), g, "2,3,4");
      pa(c, raxes[k]);
    }
    c = in(mk(reds[r], "vector"), g, "5");
    pa(c, "0");
  }
  c = in(mk(P_reduce_sum, "int"), G_I, "3,2");
  pa(c, "1");
  c = in(mk(P_reduce_sum, "bool"), G_B, "3,2");
  pa(c, "0,1");
  /* argmax / argmin */
  for (int r = 0; r < 2; r++) {
    PrimId id = r ? P_argmin : P_argmax;
    c = in(mk(id, "axis 0"), G_F, "2,3,4");
    c->p.i0 = 0;
    c = in(mk(id, "axis 2"), G_F, "2,3,4");
    c->p.i0 = 2;
    c = in(mk(id, "axis 1"), G_F, "2,3,4");
    c->p.i0 = 1;
    c = in(mk(id, "flat"), G_F, "2,3,4");
    c->p.i1 = 1;
    c = in(mk(id, "vector"), G_F, "5");
    c = in(mk(id, "vector flat"), G_I, "5");
    c->p.i1 = 1;
  }
  /* cumsum */
  c = in(mk(P_cumsum, "axis 0"), G_F, "2,3");
  c = in(mk(P_cumsum, "axis 1"), G_F, "2,3");
  c->p.i0 = 1;
  c = in(mk(P_cumsum, "vector"), G_I, "4");
  /* broadcast_in_dim */
  c = in(mk(P_broadcast_in_dim, "3->2,3"), G_F, "3");
  pa(c, "2,3");
  pb(c, "1");
  c = in(mk(P_broadcast_in_dim, "2,1->2,4"), G_F, "2,1");
  pa(c, "2,4");
  pb(c, "0,1");
  c = in(mk(P_broadcast_in_dim, "scalar->2,3"), G_F, "");
  pa(c, "2,3");
  c = in(mk(P_broadcast_in_dim, "3->3,2"), G_F, "3");
  pa(c, "3,2");
  pb(c, "0");
  c = in(mk(P_broadcast_in_dim, "2,3->2,4,3"), G_F, "2,3");
  pa(c, "2,4,3");
  pb(c, "0,2");
  c = in(mk(P_broadcast_in_dim, "1->5"), G_F, "1");
  pa(c, "5");
  pb(c, "0");
  c = in(mk(P_broadcast_in_dim, "2,3 same"), G_F, "2,3");
  pa(c, "2,3");
  pb(c, "0,1");
  /* reshape */
  c = in(mk(P_reshape, "2,3->3,2"), G_F, "2,3");
  pa(c, "3,2");
  c = in(mk(P_reshape, "2,3->6"), G_F, "2,3");
  pa(c, "6");
  c = in(mk(P_reshape, "scalar->1,1"), G_F, "");
  pa(c, "1,1");
  c = in(mk(P_reshape, "2,3,1->6"), G_F, "2,3,1");
  pa(c, "6");
  c = in(mk(P_reshape, "1->scalar"), G_F, "1");
  pa(c, "");
  /* transpose */
  c = in(mk(P_transpose, "201"), G_F, "2,3,4");
  pa(c, "2,0,1");
  c = in(mk(P_transpose, "10"), G_F, "2,3");
  pa(c, "1,0");
  c = in(mk(P_transpose, "021"), G_F, "2,3,4");
  pa(c, "0,2,1");
  c = in(mk(P_transpose, "identity"), G_F, "2,3");
  pa(c, "0,1");
  /* slice */
  c = in(mk(P_slice, "strided"), G_F, "5,4");
  pa(c, "1,0");
  pb(c, "4,4");
  pc(c, "2,1");
  c = in(mk(P_slice, "vector"), G_F, "6");
  pa(c, "0");
  pb(c, "6");
  pc(c, "3");
  c = in(mk(P_slice, "3d"), G_F, "3,4,2");
  pa(c, "0,1,0");
  pb(c, "3,3,1");
  pc(c, "1,1,1");
  /* pad */
  c = in(mk(P_pad, "2d"), G_F, "3,2");
  pa(c, "1,0");
  pb(c, "0,2");
  pc(c, "1,0");
  c = in(mk(P_pad, "vector"), G_F, "4");
  pa(c, "2");
  pb(c, "1");
  pc(c, "0");
  c = in(mk(P_pad, "interior"), G_F, "2,3");
  pa(c, "0,1");
  pb(c, "1,0");
  pc(c, "2,1");
  /* rev */
  c = in(mk(P_rev, "axis 0"), G_F, "3,4");
  pa(c, "0");
  c = in(mk(P_rev, "both"), G_F, "3,4");
  pa(c, "0,1");
  c = in(mk(P_rev, "axis 1"), G_F, "3,4");
  pa(c, "1");
  c = in(mk(P_rev, "vector"), G_F, "5");
  pa(c, "0");
  /* concatenate */
  c = in(in(mk(P_concatenate, "axis 0"), G_F, "2,3"), G_F, "4,3");
  c->p.nin = 2;
  c = in(in(in(mk(P_concatenate, "axis 1 of 3"), G_F, "2,1"), G_F, "2,2"), G_F, "2,3");
  c->p.nin = 3;
  c->p.i0 = 1;
  c = in(in(mk(P_concatenate, "vectors"), G_F, "3"), G_F, "2");
  c->p.nin = 2;
  c = in(mk(P_concatenate, "one"), G_F, "3");
  c->p.nin = 1;
  c = in(in(mk(P_concatenate, "int"), G_I, "3"), G_I, "2");
  c->p.nin = 2;
  /* gather */
  c = idx(in(mk(P_gather, "rows"), G_F, "5,3"), "4", 5);
  c = idx(in(mk(P_gather, "axis 1, 2-d idx"), G_F, "3,5"), "2,2", 5);
  c->p.i0 = 1;
  c = idx(in(mk(P_gather, "scalar idx"), G_F, "5"), "", 5);
  c = idx(in(mk(P_gather, "middle axis"), G_F, "4,3,2"), "3", 3);
  c->p.i0 = 1;
  c = idx(in(mk(P_gather, "last axis scalar idx"), G_F, "4,3"), "", 3);
  c->p.i0 = 1;
  c = idx(in(mk(P_gather, "int x"), G_I, "6"), "2,3", 6);
  /* scatter_add / scatter */
  for (int r = 0; r < 2; r++) {
    PrimId id = r ? P_scatter : P_scatter_add;
    c = in(idx(in(mk(id, "rows"), G_F, "5,3"), "4", 5), G_F, "4,3");
    c = in(idx(in(mk(id, "axis 1"), G_F, "3,5"), "2", 5), G_F, "3,2");
    c->p.i0 = 1;
    c = in(idx(in(mk(id, "scalar idx"), G_F, "5"), "", 5), G_F, "");
    c = in(idx(in(mk(id, "middle axis 2-d idx"), G_F, "4,3,2"), "2,2", 3), G_F, "4,2,2,2");
    c->p.i0 = 1;
    c = in(idx(in(mk(id, "repeats"), G_F, "2"), "5", 2), G_F, "5");
  }
  /* dot_general */
  c = in(in(mk(P_dot_general, "matmul"), G_F, "2,3"), G_F, "3,4");
  pa(c, "1");
  pb(c, "0");
  c = in(in(mk(P_dot_general, "vdot"), G_F, "3"), G_F, "3");
  pa(c, "0");
  pb(c, "0");
  c = in(in(mk(P_dot_general, "batched matmul"), G_F, "2,3,4"), G_F, "2,4,5");
  pa(c, "2");
  pb(c, "1");
  pc(c, "0");
  pd(c, "0");
  c = in(in(mk(P_dot_general, "vecmat"), G_F, "3"), G_F, "3,4");
  pa(c, "0");
  pb(c, "0");
  c = in(in(mk(P_dot_general, "outer"), G_F, "2,3"), G_F, "4");
  c = in(in(mk(P_dot_general, "a @ b.T"), G_F, "4,3"), G_F, "2,3");
  pa(c, "1");
  pb(c, "1");
  c = in(in(mk(P_dot_general, "batch middle"), G_F, "3,2,4"), G_F, "2,4,5");
  pa(c, "2");
  pb(c, "1");
  pc(c, "1");
  pd(c, "0");
  c = in(in(mk(P_dot_general, "matvec"), G_F, "2,3"), G_F, "3");
  pa(c, "1");
  pb(c, "0");
  c = in(in(mk(P_dot_general, "contract first"), G_F, "3,2"), G_F, "3,4");
  pa(c, "0");
  pb(c, "0");
  c = in(in(mk(P_dot_general, "int"), G_I, "2,3"), G_I, "3");
  pa(c, "1");
  pb(c, "0");
  /* linear algebra */
  c = in(in(mk(P_la_solve, "vector rhs"), G_DIAG, "3,3"), G_F, "3");
  c->p.i0 = 1;
  c = in(in(mk(P_la_solve, "matrix rhs"), G_DIAG, "3,3"), G_F, "3,2");
  c = in(in(mk(P_la_solve, "stacked a, vector rhs"), G_DIAG, "2,3,3"), G_F, "3");
  c->p.i0 = 1;
  c = in(in(mk(P_la_solve, "stacked rhs vectors"), G_DIAG, "3,3"), G_F, "2,3");
  c->p.i0 = 1;
  c = in(in(mk(P_la_solve, "stacked both"), G_DIAG, "2,3,3"), G_F, "2,3,2");
  in(mk(P_la_inv, "3x3"), G_DIAG, "3,3");
  in(mk(P_la_inv, "stack"), G_DIAG, "2,3,3");
  in(mk(P_la_cholesky, "stack"), G_SPD, "2,3,3");
  in(mk(P_la_det, "3x3"), G_F, "3,3");
  in(mk(P_la_det, "stack"), G_F, "2,2,2");
  in(mk(P_la_cholesky, "3x3"), G_SPD, "3,3");
  c = in(in(mk(P_la_triangular_solve, "lower"), G_DIAG, "3,3"), G_F, "3,2");
  c->p.i0 = 1;
  c = in(in(mk(P_la_triangular_solve, "upper, transposed"), G_DIAG, "3,3"), G_F, "3,2");
  c->p.i1 = 1;
  c = in(in(mk(P_la_triangular_solve, "vector rhs"), G_DIAG, "3,3"), G_F, "3");
  c->p.i0 = 1;
  c = in(in(mk(P_la_triangular_solve, "stacked a, matrix rhs"), G_DIAG, "2,3,3"), G_F, "1,3,2");
  c->p.i0 = 1;
  /* random */
  c = in(mk(P_rng_bits, "2x3"), G_KEY, "2");
  pa(c, "2,3");
  c = in(mk(P_rng_split, "3"), G_KEY, "2");
  c->p.i0 = 3;
  c = in(in(mk(P_rng_fold_in, "int"), G_KEY, "2"), G_I, "");
  c = in(mk(P_rng_uniform, "4"), G_KEY, "2");
  pa(c, "4");
  c->p.f0 = -1;
  c->p.f1 = 2;
  c = in(mk(P_rng_normal, "2x2"), G_KEY, "2");
  pa(c, "2,2");
  c = in(mk(P_rng_normal, "scalar"), G_KEY, "2");
}

/* ------------------------------------------------------------------ */
/* concrete arrays                                                      */

static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}
static double urand(void) { return (double)(rnd() >> 11) / 9007199254740992.0; }

static Value gen_value(Gen g, int nd, const int64_t *sh, int64_t range) {
  DType dt = (g == G_I || g == G_IDX || g == G_KEY) ? DT_INT : g == G_B ? DT_BOOL : DT_FLOAT;
  Array *a = arr_alloc(I, dt, nd, sh);
  cr_assert(a);
  for (int64_t k = 0; k < a->size; k++) {
    switch (g) {
    case G_F: case G_SPD: case G_DIAG: ARR_F(a)[k] = 4 * urand() - 2; break;
    case G_POS: ARR_F(a)[k] = 0.5 + 2 * urand(); break;
    case G_I: ARR_I(a)[k] = 1 + (int64_t)(rnd() % 4); break;
    case G_B: ARR_B(a)[k] = rnd() & 1; break;
    case G_IDX: ARR_I(a)[k] = (int64_t)(rnd() % (uint64_t)range); break;
    case G_KEY: ARR_I(a)[k] = (int64_t)(rnd() & 0xffffffffu); break;
    }
  }
  if ((g == G_SPD || g == G_DIAG) && nd >= 2) {
    int64_t n = sh[nd - 1], mats = a->size / (n * n);
    double *tmp = malloc(sizeof(double) * (size_t)(n * n));
    for (int64_t m = 0; m < mats; m++) {
      double *M = ARR_F(a) + m * n * n;
      if (g == G_SPD) {
        for (int64_t i = 0; i < n; i++)
          for (int64_t j = 0; j < n; j++) {
            double s = 0;
            for (int64_t l = 0; l < n; l++) s += M[i * n + l] * M[j * n + l];
            tmp[i * n + j] = s + (i == j ? (double)n : 0);
          }
        memcpy(M, tmp, sizeof(double) * (size_t)(n * n));
      } else {
        for (int64_t i = 0; i < n; i++) M[i * n + i] += 4 * (M[i * n + i] < 0 ? -1 : 1) + 4;
      }
    }
    free(tmp);
  }
  return arr_normalize(I, a);
}

/* Stack equally shaped values along a new axis ax. */
static Value stack_at(const Value *lanes, int64_t B, int ax) {
  Array *l0 = arr_from_value(I, lanes[0]);
  cr_assert(l0);
  int nd = l0->ndim;
  int64_t sh[JX_MAXDIM];
  for (int i = 0, k = 0; i <= nd; i++) sh[i] = i == ax ? B : l0->shape[k++];
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < nd; i++) {
    if (i < ax) outer *= l0->shape[i];
    else inner *= l0->shape[i];
  }
  size_t es = dtype_size((DType)l0->dtype);
  Array *r = arr_alloc(I, (DType)l0->dtype, nd + 1, sh);
  cr_assert(r);
  for (int64_t k = 0; k < B; k++) {
    Array *l = arr_from_value(I, lanes[k]);
    cr_assert(l && l->dtype == l0->dtype && l->size == l0->size);
    for (int64_t o = 0; o < outer; o++)
      memcpy((char *)r->data + ((o * B + k) * inner) * es, (char *)l->data + o * inner * es,
             (size_t)inner * es);
    v_decref(v_obj(&l->hdr));
  }
  v_decref(v_obj(&l0->hdr));
  return arr_normalize(I, r);
}

/* Lane k of x along axis ax. */
static Value lane_of(Value x, int ax, int64_t k) {
  Array *a = arr_from_value(I, x);
  cr_assert(a && ax < a->ndim);
  int64_t sh[JX_MAXDIM], outer = 1, inner = 1, B = a->shape[ax];
  int nd = 0;
  for (int i = 0; i < a->ndim; i++) {
    if (i != ax) sh[nd++] = a->shape[i];
    if (i < ax) outer *= a->shape[i];
    if (i > ax) inner *= a->shape[i];
  }
  size_t es = dtype_size((DType)a->dtype);
  Array *r = arr_alloc(I, (DType)a->dtype, nd, sh);
  cr_assert(r);
  for (int64_t o = 0; o < outer; o++)
    memcpy((char *)r->data + o * inner * es, (char *)a->data + ((o * B + k) * inner) * es,
           (size_t)inner * es);
  v_decref(v_obj(&a->hdr));
  return arr_normalize(I, r);
}

/* Stack trees (tuples of arrays) lane-wise along axis 0. */
static Value stack_tree(const Value *lanes, int64_t B) {
  if (lanes[0].tag == T_TUPLE) {
    int64_t n = AS_TUPLE(lanes[0])->n;
    Value t = tuple_new(I, n);
    Value *sub = malloc(sizeof(Value) * (size_t)B);
    for (int64_t i = 0; i < n; i++) {
      for (int64_t k = 0; k < B; k++) sub[k] = AS_TUPLE(lanes[k])->items[i];
      AS_TUPLE(t)->items[i] = stack_tree(sub, B);
    }
    free(sub);
    return t;
  }
  return stack_at(lanes, B, 0);
}

/* Compare; on mismatch write a reason into why. */
static bool same(Value got, Value want, char *why, size_t n) {
  if (want.tag == T_TUPLE) {
    if (got.tag != T_TUPLE || AS_TUPLE(got)->n != AS_TUPLE(want)->n) {
      snprintf(why, n, "expected a tuple, got %s", type_name(got));
      return false;
    }
    for (int64_t i = 0; i < AS_TUPLE(want)->n; i++)
      if (!same(AS_TUPLE(got)->items[i], AS_TUPLE(want)->items[i], why, n)) return false;
    return true;
  }
  if (!is_numeric(got)) {
    snprintf(why, n, "got a %s", type_name(got));
    return false;
  }
  Aval ga, wa;
  val_aval(I, got, &ga);
  val_aval(I, want, &wa);
  if (!aval_eq(&ga, &wa)) {
    char b1[128], b2[128];
    aval_str(&ga, b1, sizeof b1);
    aval_str(&wa, b2, sizeof b2);
    snprintf(why, n, "got %s, expected %s", b1, b2);
    return false;
  }
  Array *g = arr_from_value(I, got), *w = arr_from_value(I, want);
  bool ok = true;
  for (int64_t k = 0; k < w->size && ok; k++) {
    if (w->dtype == DT_FLOAT) {
      double x = ARR_F(g)[k], y = ARR_F(w)[k];
      if (isnan(y) ? !isnan(x) : !(x == y || fabs(x - y) <= 1e-12 + 1e-9 * fabs(y))) {
        snprintf(why, n, "element %lld: got %.17g, expected %.17g", (long long)k, x, y);
        ok = false;
      }
    } else {
      int64_t x = arr_get_i(g, k), y = arr_get_i(w, k);
      if (x != y) {
        snprintf(why, n, "element %lld: got %lld, expected %lld", (long long)k, (long long)x,
                 (long long)y);
        ok = false;
      }
    }
  }
  v_decref(v_obj(&g->hdr));
  v_decref(v_obj(&w->hdr));
  return ok;
}

/* ------------------------------------------------------------------ */
/* the functions under test                                             */

static const BuiltinDef *ad_row(const char *name) {
  for (const BuiltinDef *d = ad_builtins; d->name; d++)
    if (strcmp(d->name, name) == 0) return d;
  cr_assert_fail("no builtin %s", name);
  return NULL;
}

/* primf(*args): bind the case's primitive (data = case index). */
static Value primf_apply(Interp *In, Value *args, int nargs, Value self) {
  (void)nargs;
  const Case *c = &cases[AS_CFUNC(self)->data.u.i];
  Tuple *t = AS_TUPLE(args[0]);
  if (t->n != c->nin) return jx_raise(In, E_VALUE, "primf: %lld args", (long long)t->n);
  return jx_bind(In, c->id, t->items, &c->p);
}
static const BuiltinDef primf_def = {"primf", primf_apply, "*args", NULL};

/* jvpf(*primals, *tangents) = jvp(primf, primals, tangents) */
static Value jvpf_apply(Interp *In, Value *args, int nargs, Value self) {
  (void)nargs;
  Value ci = AS_CFUNC(self)->data;
  const Case *c = &cases[ci.u.i];
  Tuple *t = AS_TUPLE(args[0]);
  if (t->n != 2 * c->nin) return jx_raise(In, E_VALUE, "jvpf: %lld args", (long long)t->n);
  Value f = cfunc_new(In, &primf_def, ci);
  Value pr = tuple_of(In, c->nin, t->items);
  Value tg = tuple_of(In, c->nin, t->items + c->nin);
  Value jv = cfunc_new(In, ad_row("jvp"), v_none());
  Value r = v_exc();
  if (!IS_EXC(f) && !IS_EXC(pr) && !IS_EXC(tg) && !IS_EXC(jv)) {
    Value a[3] = {f, pr, tg};
    r = jx_call(In, jv, 3, a, 0, NULL, NULL);
  }
  v_decref(f);
  v_decref(pr);
  v_decref(tg);
  v_decref(jv);
  return r;
}
static const BuiltinDef jvpf_def = {"jvpf", jvpf_apply, "*args", NULL};

static Value vmap_of(Value f, int n, const int *axes) {
  Value ia = tuple_new(I, n);
  for (int i = 0; i < n; i++) AS_TUPLE(ia)->items[i] = axes[i] < 0 ? v_none() : v_int(axes[i]);
  Value vm = cfunc_new(I, ad_row("vmap"), v_none());
  Value a[2] = {f, ia};
  Value r = jx_call(I, vm, 2, a, 0, NULL, NULL);
  v_decref(vm);
  v_decref(ia);
  return r;
}

/* ------------------------------------------------------------------ */
/* the check                                                            */

#define MAXIN2 (2 * MAXI)
#define MAXLEV 2

typedef struct {
  int n;                     /* number of function inputs */
  Gen g[MAXIN2];
  int nd[MAXIN2];
  const int64_t *sh[MAXIN2];
  int64_t range[MAXIN2];
  int nlev;
  int64_t sizes[MAXLEV];
  int axes[MAXIN2][MAXLEV];  /* per input, per level (outermost first); -1 unmapped */
} Setup;

static Value build_input(const Setup *s, int i, int level) {
  if (level == s->nlev) return gen_value(s->g[i], s->nd[i], s->sh[i], s->range[i]);
  if (s->axes[i][level] < 0) return build_input(s, i, level + 1);
  Value lanes[8];
  for (int64_t k = 0; k < s->sizes[level]; k++) lanes[k] = build_input(s, i, level + 1);
  Value r = stack_at(lanes, s->sizes[level], s->axes[i][level]);
  for (int64_t k = 0; k < s->sizes[level]; k++) v_decref(lanes[k]);
  return r;
}

static Value reference(const Setup *s, Value f, const Value *x, int level) {
  if (level == s->nlev) return jx_call(I, f, s->n, x, 0, NULL, NULL);
  Value res[8] = {{0}};
  int64_t B = s->sizes[level];
  for (int64_t k = 0; k < B; k++) {
    Value lx[MAXIN2];
    for (int i = 0; i < s->n; i++)
      lx[i] = s->axes[i][level] >= 0 ? lane_of(x[i], s->axes[i][level], k) : v_incref(x[i]);
    res[k] = reference(s, f, lx, level + 1);
    for (int i = 0; i < s->n; i++) v_decref(lx[i]);
    if (IS_EXC(res[k])) {
      for (int64_t j = 0; j < k; j++) v_decref(res[j]);
      return res[k];
    }
  }
  Value r = stack_tree(res, B);
  for (int64_t k = 0; k < B; k++) v_decref(res[k]);
  return r;
}

static int nfail, nrun;

static void describe(const Case *c, const Setup *s, const char *what, char *buf, size_t n) {
  size_t k = (size_t)snprintf(buf, n, "%s %s [%s] in_axes", what, prim_names[c->id], c->label);
  for (int l = 0; l < s->nlev && k < n; l++) {
    k += (size_t)snprintf(buf + k, n - k, " (");
    for (int i = 0; i < s->n && k < n; i++) {
      if (s->axes[i][l] < 0) k += (size_t)snprintf(buf + k, n - k, "%sN", i ? "," : "");
      else k += (size_t)snprintf(buf + k, n - k, "%s%d", i ? "," : "", s->axes[i][l]);
    }
    if (k < n) k += (size_t)snprintf(buf + k, n - k, ")");
  }
}

/* Run one setup: vmap (nested per s->nlev) of base vs the lane-by-lane reference. */
static void run_setup(const Case *c, const Setup *s, Value base, const char *what) {
  nrun++;
  Value x[MAXIN2];
  for (int i = 0; i < s->n; i++) x[i] = build_input(s, i, 0);
  Value want = reference(s, base, x, 0);
  char desc[512], why[256];
  describe(c, s, what, desc, sizeof desc);
  if (IS_EXC(want)) {
    /* the primitive itself failed on a lane: not a batching matter, but say so */
    cr_log_warn("%s: reference failed: %s", desc, I->err.msg ? I->err.msg : "?");
    jx_err_clear(I);
    for (int i = 0; i < s->n; i++) v_decref(x[i]);
    return;
  }
  Value f = v_incref(base);
  for (int l = s->nlev - 1; l >= 0; l--) {
    int ax[MAXIN2];
    for (int i = 0; i < s->n; i++) ax[i] = s->axes[i][l];
    Value g = vmap_of(f, s->n, ax);
    v_decref(f);
    f = g;
    cr_assert(!IS_EXC(f), "vmap failed: %s", I->err.msg ? I->err.msg : "");
  }
  Value got = jx_call(I, f, s->n, x, 0, NULL, NULL);
  if (IS_EXC(got)) {
    if (nfail++ < 60) cr_log_error("%s: error: %s", desc, I->err.msg ? I->err.msg : "?");
    jx_err_clear(I);
  } else if (!same(got, want, why, sizeof why)) {
    if (nfail++ < 60) cr_log_error("%s: %s", desc, why);
  }
  if (trace_depth(I) != 0) {
    if (nfail++ < 60) cr_log_error("%s: trace stack not empty (%d)", desc, trace_depth(I));
  }
  v_decref(got);
  v_decref(f);
  v_decref(want);
  for (int i = 0; i < s->n; i++) v_decref(x[i]);
}

static void setup_inputs(const Case *c, Setup *s, bool with_tangents) {
  memset(s, 0, sizeof *s);
  s->n = c->nin * (with_tangents ? 2 : 1);
  for (int i = 0; i < s->n; i++) {
    int j = i % c->nin;
    s->g[i] = i < c->nin ? c->g[j] : G_F;
    if (i >= c->nin && c->g[j] == G_IDX) s->g[i] = G_IDX;
    if (i >= c->nin && (c->g[j] == G_I || c->g[j] == G_KEY || c->g[j] == G_B)) s->g[i] = c->g[j];
    s->nd[i] = c->nd[j];
    s->sh[i] = c->sh[j];
    s->range[i] = c->range[j];
  }
}

/* axis choice k for an input of logical rank r (physical r+1): 0 None, 1 -> 0,
 * 2 -> 1, 3 -> last.  -2 if invalid / duplicate. */
static int axis_choice(int k, int r) {
  switch (k) {
  case 0: return -1;
  case 1: return 0;
  case 2: return r >= 1 ? 1 : -2;
  case 3: return r >= 2 ? r : -2; /* r == 0: same as 0; r == 1: same as 1 */
  }
  return -2;
}

/* One level of vmap.  Plain: every operand takes one of {None, 0, 1, last}.
 * jvp: primals and tangents are mapped independently, each one of
 * {None, 0, last} (so jacfwd-like batched tangents over fixed primals too). */
static void check_single(const Case *c, int ci, bool jvp) {
  static const int plain_choices[] = {0, 1, 2, 3}, jvp_choices[] = {0, 1, 3};
  const int *choices = jvp ? jvp_choices : plain_choices;
  int nch = jvp ? 3 : 4;
  Value base = cfunc_new(I, jvp ? &jvpf_def : &primf_def, v_int(ci));
  int nslots = c->nin * (jvp ? 2 : 1);
  int combos = 1;
  for (int i = 0; i < nslots; i++) combos *= nch;
  for (int m = 0; m < combos; m++) {
    Setup s;
    setup_inputs(c, &s, jvp);
    s.nlev = 1;
    s.sizes[0] = 3;
    bool ok = true, any = false;
    for (int i = 0, mm = m; i < nslots; i++, mm /= nch) {
      int a = axis_choice(choices[mm % nch], c->nd[i % c->nin]);
      if (a == -2) ok = false;
      s.axes[i][0] = a;
      any |= a >= 0;
    }
    if (!ok || !any) continue;
    run_setup(c, &s, base, jvp ? "vmap(jvp)" : "vmap");
  }
  v_decref(base);
}

static void check_nested(const Case *c, int ci) {
  Value base = cfunc_new(I, &primf_def, v_int(ci));
  int nin = c->nin;
  int combos = 1;
  for (int i = 0; i < nin; i++) combos *= 5;
  for (int m = 0; m < combos; m++) {
    Setup s;
    setup_inputs(c, &s, false);
    s.nlev = 2;
    s.sizes[0] = 2;
    s.sizes[1] = 3;
    bool outer = false, inner = false;
    for (int i = 0, mm = m; i < nin; i++, mm /= 5) {
      int r = c->nd[i];
      int o = -1, n = -1;
      switch (mm % 5) {
      case 1: o = 0; break;
      case 2: n = 0; break;
      case 3: o = 0; n = 0; break;
      case 4: n = r; o = r + 1; break;
      }
      s.axes[i][0] = o;
      s.axes[i][1] = n;
      outer |= o >= 0;
      inner |= n >= 0;
    }
    if (!outer || !inner) continue;
    run_setup(c, &s, base, "vmap(vmap)");
  }
  v_decref(base);
}

/* ------------------------------------------------------------------ */
/* tests                                                                */

Test(batch, every_row_has_a_case) {
  build_cases();
  for (int id = 0; id < P__COUNT; id++) {
    bool found = false;
    for (int k = 0; k < ncases; k++) found |= cases[k].id == (PrimId)id;
    cr_expect(found, "primitive %s has no batching test case", prim_names[id]);
  }
}

Test(batch, table_has_every_rule) {
  /* NULL only where the per-lane fallback is intended */
  for (int id = 0; id < P__COUNT; id++) {
    bool fallback = !strncmp(prim_names[id], "rng_", 4);
    if (!fallback) cr_expect(jx_batch_rules[id] != NULL, "no batch rule for %s", prim_names[id]);
  }
}

Test(batch, vmap_single_level) {
  build_cases();
  nfail = nrun = 0;
  for (int k = 0; k < ncases; k++) check_single(&cases[k], k, false);
  cr_log_info("vmap: %d runs, %d failures", nrun, nfail);
  cr_expect_eq(nfail, 0, "%d of %d vmap runs failed (see log)", nfail, nrun);
}

Test(batch, vmap_nested) {
  build_cases();
  nfail = nrun = 0;
  for (int k = 0; k < ncases; k++) check_nested(&cases[k], k);
  cr_log_info("vmap(vmap): %d runs, %d failures", nrun, nfail);
  cr_expect_eq(nfail, 0, "%d of %d nested vmap runs failed (see log)", nfail, nrun);
}

Test(batch, vmap_of_jvp) {
  build_cases();
  nfail = nrun = 0;
  for (int k = 0; k < ncases; k++) check_single(&cases[k], k, true);
  cr_log_info("vmap(jvp): %d runs, %d failures", nrun, nfail);
  cr_expect_eq(nfail, 0, "%d of %d vmap(jvp) runs failed (see log)", nfail, nrun);
}

/* Each rule, called directly on concrete values, against batch_fallback. */
Test(batch, rules_match_fallback) {
  build_cases();
  nfail = nrun = 0;
  for (int ci = 0; ci < ncases; ci++) {
    const Case *c = &cases[ci];
    BatchFn rule = jx_batch_rules[c->id];
    if (!rule) continue;
    int combos = 1;
    for (int i = 0; i < c->nin; i++) combos *= 4;
    for (int m = 0; m < combos; m++) {
      Setup s;
      setup_inputs(c, &s, false);
      s.nlev = 1;
      s.sizes[0] = 3;
      int bd[MAXI];
      bool ok = true, any = false;
      for (int i = 0, mm = m; i < c->nin; i++, mm /= 4) {
        bd[i] = axis_choice(mm % 4, c->nd[i]);
        if (bd[i] == -2) ok = false;
        s.axes[i][0] = bd[i];
        any |= bd[i] >= 0;
      }
      if (!ok || !any) continue;
      nrun++;
      Value x[MAXI];
      for (int i = 0; i < c->nin; i++) x[i] = build_input(&s, i, 0);
      Value r1 = v_unset(), r2 = v_unset();
      int o1 = -5, o2 = -5;
      int e2 = batch_fallback(I, c->id, x, bd, c->nin, 3, &c->p, &r2, &o2);
      char desc[512], why[256];
      describe(c, &s, "rule", desc, sizeof desc);
      if (e2 < 0) {
        jx_err_clear(I);
      } else if (rule(I, x, bd, 3, &c->p, &r1, &o1) < 0) {
        if (nfail++ < 60) cr_log_error("%s: error: %s", desc, I->err.msg ? I->err.msg : "?");
        jx_err_clear(I);
      } else {
        Aval av;
        val_aval(I, r1, &av);
        if (o1 < 0 || o1 >= av.ndim || av.shape[o1] != 3) {
          if (nfail++ < 60) cr_log_error("%s: bad batch dim %d", desc, o1);
        } else {
          Value m1 = A_moveaxis(I, r1, o1, 0);
          if (!same(m1, r2, why, sizeof why) && nfail++ < 60) cr_log_error("%s: %s", desc, why);
          v_decref(m1);
        }
      }
      v_decref(r1);
      v_decref(r2);
      for (int i = 0; i < c->nin; i++) v_decref(x[i]);
    }
  }
  cr_log_info("rules vs fallback: %d runs, %d failures", nrun, nfail);
  cr_expect_eq(nfail, 0, "%d of %d rule runs disagree with the fallback (see log)", nfail, nrun);
}

/* Fallback with an empty batch: the shape rule gives the lane shape. */
Test(batch, fallback_empty_batch) {
  int64_t sh[2] = {0, 3};
  Value x = gen_value(G_F, 2, sh, 1);
  int bd = 0, obd = -1;
  Value out = v_unset();
  Params p = PARAMS_INIT;
  int r = batch_fallback(I, P_sin, &x, &bd, 1, 0, &p, &out, &obd);
  cr_assert_eq(r, 0, "%s", I->err.msg ? I->err.msg : "");
  Aval av;
  val_aval(I, out, &av);
  cr_expect(av.ndim == 2 && av.shape[0] == 0 && av.shape[1] == 3 && obd == 0);
  v_decref(out);
  v_decref(x);
}

/* Fallback with more lanes than a trace takes operands (concatenate in groups). */
Test(batch, fallback_many_lanes) {
  int64_t sh[2] = {150, 2};
  Value x = gen_value(G_F, 2, sh, 1);
  int bd = 0, obd = -1;
  Value out = v_unset();
  Params p = PARAMS_INIT;
  cr_assert_eq(batch_fallback(I, P_exp, &x, &bd, 1, 150, &p, &out, &obd), 0, "%s",
               I->err.msg ? I->err.msg : "");
  Value want = jx_bind(I, P_exp, &x, &p);
  char why[256];
  cr_expect(same(out, want, why, sizeof why), "%s", why);
  v_decref(out);
  v_decref(want);
  v_decref(x);
}

/* ---- truth of batched conditions ----------------------------------- */

static Value truthf_apply(Interp *In, Value *args, int nargs, Value self) {
  (void)nargs;
  (void)self;
  int t = ad_truth(In, args[0]);
  if (t < 0) return v_exc();
  return v_int(t);
}
static const BuiltinDef truthf_def = {"truthf", truthf_apply, "x", NULL};

static Value truth_of(Value x) {
  Value f = cfunc_new(I, &truthf_def, v_none());
  int ax = 0;
  Value g = vmap_of(f, 1, &ax);
  Value r = jx_call(I, g, 1, &x, 0, NULL, NULL);
  v_decref(f);
  v_decref(g);
  return r;
}

static Value vec(DType dt, int n, const double *v) {
  int64_t sh[1] = {n};
  Array *a = arr_alloc(I, dt, 1, sh);
  for (int i = 0; i < n; i++) {
    if (dt == DT_FLOAT) ARR_F(a)[i] = v[i];
    else if (dt == DT_INT) ARR_I(a)[i] = (int64_t)v[i];
    else ARR_B(a)[i] = v[i] != 0;
  }
  return arr_normalize(I, a);
}

static void expect_truth(Value x, int64_t want) {
  Value r = truth_of(x);
  cr_assert(!IS_EXC(r), "%s", I->err.msg ? I->err.msg : "");
  /* the unbatched int result is broadcast over the lanes */
  Array *a = arr_from_value(I, r);
  cr_expect(a->size > 0 && arr_get_i(a, 0) == want, "truth %lld, expected %lld",
            (long long)arr_get_i(a, 0), (long long)want);
  v_decref(v_obj(&a->hdr));
  v_decref(r);
  v_decref(x);
}

Test(batch, truth) {
  double t3[3] = {1, 1, 1}, f3[3] = {0, 0, 0}, m3[3] = {1, 0, 1}, n3[3] = {NAN, 2, -1};
  expect_truth(vec(DT_BOOL, 3, t3), 1);
  expect_truth(vec(DT_BOOL, 3, f3), 0);
  expect_truth(vec(DT_BOOL, 3, m3), 2);
  expect_truth(vec(DT_INT, 3, m3), 2);
  expect_truth(vec(DT_FLOAT, 3, f3), 0);
  expect_truth(vec(DT_FLOAT, 3, n3), 1); /* nan is true, as in Python */
  cr_expect_eq(trace_depth(I), 0);
}

Test(batch, truth_non_scalar_lanes) {
  int64_t sh[2] = {3, 2};
  Value x = gen_value(G_B, 2, sh, 1);
  Value r = truth_of(x);
  cr_assert(IS_EXC(r));
  cr_expect_eq(I->err.kind, E_TYPE);
  cr_expect(I->err.msg && strstr(I->err.msg, "any") && strstr(I->err.msg, "all"), "%s",
            I->err.msg ? I->err.msg : "");
  jx_err_clear(I);
  v_decref(x);
  cr_expect_eq(trace_depth(I), 0);
}

/* Under jvp inside vmap the primal decides; nested vmap looks through both
 * batch layers. */
static Value truth_jvp_apply(Interp *In, Value *args, int nargs, Value self) {
  (void)nargs;
  (void)self;
  Value f = cfunc_new(In, &truthf_def, v_none());
  Value jv = cfunc_new(In, ad_row("jvp"), v_none());
  Value pr = tuple_of(In, 1, &args[0]);
  Value one = v_float(1.0);
  Value tg = tuple_of(In, 1, &one);
  Value a[3] = {f, pr, tg};
  Value r = jx_call(In, jv, 3, a, 0, NULL, NULL);
  v_decref(f);
  v_decref(jv);
  v_decref(pr);
  v_decref(tg);
  if (IS_EXC(r)) return r;
  Value out = v_incref(AS_TUPLE(r)->items[0]);
  v_decref(r);
  return out;
}
static const BuiltinDef truth_jvp_def = {"truth_jvp", truth_jvp_apply, "x", NULL};

Test(batch, truth_through_jvp_and_nesting) {
  double m3[3] = {1.5, 0, 2}, t3[3] = {1.5, 3, 2};
  Value f = cfunc_new(I, &truth_jvp_def, v_none());
  int ax = 0;
  Value g = vmap_of(f, 1, &ax);
  Value x = vec(DT_FLOAT, 3, m3);
  Value r = jx_call(I, g, 1, &x, 0, NULL, NULL);
  cr_assert(!IS_EXC(r), "%s", I->err.msg ? I->err.msg : "");
  Array *a = arr_from_value(I, r);
  cr_expect_eq(arr_get_i(a, 0), 2);
  v_decref(v_obj(&a->hdr));
  v_decref(r);
  v_decref(x);
  x = vec(DT_FLOAT, 3, t3);
  r = jx_call(I, g, 1, &x, 0, NULL, NULL);
  cr_assert(!IS_EXC(r), "%s", I->err.msg ? I->err.msg : "");
  a = arr_from_value(I, r);
  cr_expect_eq(arr_get_i(a, 0), 1);
  v_decref(v_obj(&a->hdr));
  v_decref(r);
  v_decref(x);
  v_decref(g);
  v_decref(f);
  /* vmap(vmap(truth)) over a (2, 3) array */
  f = cfunc_new(I, &truthf_def, v_none());
  Value g1 = vmap_of(f, 1, &ax);
  Value g2 = vmap_of(g1, 1, &ax);
  int64_t sh[2] = {2, 3};
  Array *b = arr_zeros(I, DT_BOOL, 2, sh);
  for (int k = 0; k < 6; k++) ARR_B(b)[k] = 1;
  x = v_obj(&b->hdr);
  r = jx_call(I, g2, 1, &x, 0, NULL, NULL);
  cr_assert(!IS_EXC(r), "%s", I->err.msg ? I->err.msg : "");
  a = arr_from_value(I, r);
  cr_expect(a->ndim == 2 && arr_get_i(a, 0) == 1);
  v_decref(v_obj(&a->hdr));
  v_decref(r);
  ARR_B(b)[4] = 0;
  r = jx_call(I, g2, 1, &x, 0, NULL, NULL);
  cr_assert(!IS_EXC(r), "%s", I->err.msg ? I->err.msg : "");
  a = arr_from_value(I, r);
  cr_expect_eq(arr_get_i(a, 0), 2);
  v_decref(v_obj(&a->hdr));
  v_decref(r);
  v_decref(x);
  v_decref(g2);
  v_decref(g1);
  v_decref(f);
  cr_expect_eq(trace_depth(I), 0);
}

/* ---- reference counts ---------------------------------------------- */

/* A leak-checking build links a malloc/free wrapper that keeps this count
 * of live allocations (gcc ... -Wl,--wrap=malloc,--wrap=calloc,
 * --wrap=realloc,--wrap=free); elsewhere the test is skipped. */
extern long batch_live_allocs __attribute__((weak));

/* Running every case a second time must not leave allocations behind: the
 * rules and the fallback release everything they create. */
Test(batch, no_leaks) {
  if (!&batch_live_allocs) cr_skip_test("needs a build with the allocation-counting wrapper");
  build_cases();
  long live[3];
  const char *only = getenv("BATCH_LEAK_ONLY"); /* a primitive's name, to narrow down */
  const char *mode = getenv("BATCH_LEAK_MODE"); /* plain, jvp or nested */
  for (int rep = 0; rep < 3; rep++) {
    rng_state = 88172645463325252ull;
    nfail = nrun = 0;
    for (int k = 0; k < ncases; k++) {
      if (only && strcmp(only, prim_names[cases[k].id])) continue;
      if (!mode || !strcmp(mode, "plain")) check_single(&cases[k], k, false);
      if (!mode || !strcmp(mode, "jvp")) check_single(&cases[k], k, true);
      if (!mode || !strcmp(mode, "nested")) check_nested(&cases[k], k);
    }
    live[rep] = batch_live_allocs;
  }
  cr_log_info("live allocations after each pass: %ld %ld %ld", live[0], live[1], live[2]);
  cr_expect_eq(live[2], live[1], "%ld allocations leaked per pass", live[2] - live[1]);
}
