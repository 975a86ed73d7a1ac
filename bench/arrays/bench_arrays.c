/* bench_arrays.c — the array engine against numpy (see bench/arrays/run).
 *
 * A C driver calling the primitives' eager implementations directly (the
 * path jx_bind takes when no tracer is involved), so it runs even while
 * the language front end is incomplete.  Workloads (float64, one thread):
 *   matmul  C = A @ B, 1000 x 1000 (BENCHMARKS.md W9 inputs)
 *   w8      sum(tanh(x) * exp(-x)), x = linspace(0, 1, 1e7)
 *   chain   sum((x * 2.0 + 1.0) * x - 3.0) over 1e7 elements
 *   sum     sum(x), 1e7 elements
 *   max     max(x), 1e7 elements
 *   sum0    sum(X, axis=0), X of shape (1000, 10000)
 * Prints `RESULT <workload> jx-engine <mean> ms checksum=<value>` lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ad/prim.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static Interp *I;

static Value P1(PrimId id, Value x, const Params *p) {
  Value r = jx_prims[id].impl(I, &x, p);
  if (IS_EXC(r)) {
    fprintf(stderr, "error: %s\n", I->err.msg);
    exit(1);
  }
  return r;
}
static Value P2(PrimId id, Value x, Value y, const Params *p) {
  Value in[2] = {x, y};
  Value r = jx_prims[id].impl(I, in, p);
  if (IS_EXC(r)) {
    fprintf(stderr, "error: %s\n", I->err.msg);
    exit(1);
  }
  return r;
}
static Value sum_all(Value x) {
  Params p = PARAMS_INIT;
  int nd;
  int64_t sh[JX_MAXDIM];
  val_shape(x, &nd, sh);
  p.n = nd;
  for (int k = 0; k < nd; k++) p.a[k] = k;
  return P1(P_reduce_sum, x, &p);
}
static double fval(Value v) { return v.tag == T_FLOAT ? v.u.f : (double)v.u.i; }

/* det(n, a, c)[k] = ((a*k + c) mod 1009) / 1009 - 0.5 */
static Value det(int64_t n, int64_t a, int64_t c, int nd, const int64_t *shape) {
  Array *r = arr_alloc(I, DT_FLOAT, nd, shape);
  for (int64_t k = 0; k < n; k++) ARR_F(r)[k] = (double)((a * k + c) % 1009) / 1009.0 - 0.5;
  return v_obj(&r->hdr);
}

typedef Value (*Work)(void *ctx);

static void run(const char *name, Work f, void *ctx, int warm, int reps) {
  double check = 0;
  for (int i = 0; i < warm; i++) {
    Value v = f(ctx);
    v_decref(v);
  }
  double best = 1e30, tot = 0;
  for (int i = 0; i < reps; i++) {
    double t0 = now();
    Value v = f(ctx);
    double t = now() - t0;
    check = v.tag == T_ARRAY ? 0 : fval(v);
    if (v.tag == T_ARRAY) {
      Value s = sum_all(v);
      check = fval(s);
    }
    v_decref(v);
    tot += t;
    if (t < best) best = t;
  }
  printf("RESULT %s jx-engine %.3f ms checksum=%.17g min=%.3f\n", name, tot / reps * 1e3, check,
         best * 1e3);
  fflush(stdout);
}

static Value w_matmul(void *ctx) {
  Value *ab = ctx;
  Params p = PARAMS_INIT;
  p.n = p.m = 1;
  p.a[0] = 1;
  p.b[0] = 0;
  return P2(P_dot_general, ab[0], ab[1], &p);
}
static Value w_w8(void *ctx) {
  Value x = *(Value *)ctx;
  Value t = P1(P_tanh, x, NULL), nx = P1(P_neg, x, NULL);
  Value e = P1(P_exp, nx, NULL);
  v_decref(nx);
  Value m = P2(P_mul, t, e, NULL);
  v_decref(t), v_decref(e);
  Value s = sum_all(m);
  v_decref(m);
  return s;
}
static Value w_chain(void *ctx) {
  Value x = *(Value *)ctx;
  Value a = P2(P_mul, x, v_float(2.0), NULL);
  Value b = P2(P_add, a, v_float(1.0), NULL);
  v_decref(a);
  Value c = P2(P_mul, b, x, NULL);
  v_decref(b);
  Value d = P2(P_sub, c, v_float(3.0), NULL);
  v_decref(c);
  Value s = sum_all(d);
  v_decref(d);
  return s;
}
static Value w_sum(void *ctx) { return sum_all(*(Value *)ctx); }
static Value w_max(void *ctx) {
  Params p = PARAMS_INIT;
  p.n = 1;
  return P1(P_reduce_max, *(Value *)ctx, &p);
}
static Value w_sum0(void *ctx) {
  Params p = PARAMS_INIT;
  p.n = 1;
  p.a[0] = 0;
  return P1(P_reduce_sum, *(Value *)ctx, &p);
}

int main(int argc, char **argv) {
  I = jx_new();
  if (!I) return 1;
  const char *only = argc > 1 ? argv[1] : NULL;
  int64_t sq[2] = {1000, 1000};
  if (!only || !strcmp(only, "matmul")) {
    Value ab[2] = {det(1000000, 7919, 19, 2, sq), det(1000000, 6007, 23, 2, sq)};
    run("matmul", w_matmul, ab, 2, 10);
    v_decref(ab[0]), v_decref(ab[1]);
  }
  int64_t n = 10000000;
  Array *xa = arr_alloc(I, DT_FLOAT, 1, &n);
  for (int64_t k = 0; k < n; k++) ARR_F(xa)[k] = (double)k / (double)(n - 1);
  Value x = v_obj(&xa->hdr);
  if (!only || !strcmp(only, "w8")) run("w8", w_w8, &x, 1, 10);
  if (!only || !strcmp(only, "chain")) run("chain", w_chain, &x, 1, 10);
  if (!only || !strcmp(only, "sum")) run("sum", w_sum, &x, 1, 20);
  if (!only || !strcmp(only, "max")) run("max", w_max, &x, 1, 20);
  if (!only || !strcmp(only, "sum0")) {
    int64_t sh[2] = {1000, 10000};
    Value X = det(n, 7919, 1, 2, sh);
    run("sum0", w_sum0, &X, 1, 20);
    v_decref(X);
  }
  v_decref(x);
  jx_free_interp(I);
  return 0;
}
