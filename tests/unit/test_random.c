/* test_random.c — the random.* builtins and the rng_* primitives against
 * values JAX printed (seed notebooks, JAX docs and tests/random_test.py),
 * their errors, and their behaviour under allocation failure.
 *
 * The pure generator (stdlib/threefry.c) has its own known-answer tests in
 * test_threefry.c; here the values go through the interpreter's types:
 * keys as int64 arrays of shape (2,), samples widened to float64.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "ad/prim.h"
#include "eval/value.h"
#include "stdlib/array.h"
#include "stdlib/builtins.h"
#include "stdlib/random.h"

static Interp *I;

/* Values a test hands over to be released at teardown (tuples built inline). */
static Value owned[256];
static int nowned;
static Value own(Value v) {
  cr_assert(nowned < 256);
  owned[nowned++] = v;
  return v;
}

static void setup(void) {
  I = jx_new();
  cr_assert(I != NULL);
  nowned = 0;
}
static void teardown(void) {
  for (int i = 0; i < nowned; i++) v_decref(owned[i]);
  nowned = 0;
  jx_free_interp(I);
  I = NULL;
}

TestSuite(random, .init = setup, .fini = teardown);

static const BuiltinDef *row(const char *name) {
  for (const BuiltinDef *d = random_builtins; d->name; d++)
    if (strcmp(d->name, name) == 0) return d;
  cr_assert_fail("no builtin %s", name);
  return NULL;
}

/* Call a random.* builtin with nargs arguments (borrowed); the remaining
 * parameters are passed unset, as the binder does for missing ones. */
static Value call(const char *name, int nargs, ...) {
  const BuiltinDef *d = row(name);
  Value self = cfunc_new(I, d, v_none());
  cr_assert(!IS_EXC(self));
  Value args[JX_MAX_PARAMS];
  for (int i = 0; i < JX_MAX_PARAMS; i++) args[i] = v_unset();
  va_list ap;
  va_start(ap, nargs);
  for (int i = 0; i < nargs; i++) args[i] = va_arg(ap, Value);
  va_end(ap);
  Value r = d->fn(I, args, AS_CFUNC(self)->nparams, self);
  v_decref(self);
  return r;
}

static Value ints(int n, const int64_t *v) {
  int64_t sh[1] = {n};
  Array *a = arr_alloc(I, DT_INT, 1, sh);
  cr_assert(a);
  memcpy(a->data, v, sizeof(int64_t) * (size_t)n);
  return v_obj(&a->hdr);
}

static Value key(int64_t seed) {
  Value k = call("random.PRNGKey", 1, v_int(seed));
  cr_assert(!IS_EXC(k));
  return k;
}

static Value tup(int n, ...) {
  Value t = tuple_new(I, n);
  va_list ap;
  va_start(ap, n);
  for (int i = 0; i < n; i++) AS_TUPLE(t)->items[i] = va_arg(ap, Value);
  va_end(ap);
  return own(t);
}

static void expect_key(Value k, uint32_t w0, uint32_t w1) {
  cr_assert_eq(k.tag, T_ARRAY);
  Array *a = AS_ARRAY(k);
  cr_assert(a->dtype == DT_INT && a->ndim == 1 && a->shape[0] == 2);
  cr_expect_eq(ARR_I(a)[0], (int64_t)w0);
  cr_expect_eq(ARR_I(a)[1], (int64_t)w1);
}

static void expect_err(Value r, ErrKind kind, const char *substr) {
  cr_assert(IS_EXC(r), "expected an error");
  cr_expect_eq(I->err.kind, kind, "kind %d, message: %s", I->err.kind,
               I->err.msg ? I->err.msg : "");
  cr_expect(I->err.msg && strstr(I->err.msg, substr), "message '%s' lacks '%s'",
            I->err.msg ? I->err.msg : "", substr);
  jx_err_clear(I);
}

/* float32 literal as JAX printed it, widened */
static double f32(double x) { return (double)(float)x; }

/* ---- keys --------------------------------------------------------------- */

Test(random, prngkey) {
  Value k = key(0);
  expect_key(k, 0, 0);
  v_decref(k);
  k = key(42);
  expect_key(k, 0, 42);
  v_decref(k);
  /* jax_enable_x64 off: the seed is narrowed to 32 bits */
  k = key(-1);
  expect_key(k, 0, 4294967295u);
  v_decref(k);
  k = call("random.key", 1, v_int(((int64_t)5 << 32) + 7));
  expect_key(k, 0, 7);
  v_decref(k);
  k = call("random.PRNGKey", 1, v_bool(true));
  expect_key(k, 0, 1);
  v_decref(k);
}

Test(random, prngkey_errors) {
  expect_err(call("random.PRNGKey", 1, v_float(3.5)), E_TYPE, "must be an integer");
  Value s = str_from(I, "x");
  expect_err(call("random.key", 1, s), E_TYPE, "random.key");
  v_decref(s);
  int64_t w[2] = {1, 2};
  Value a = ints(2, w);
  expect_err(call("random.PRNGKey", 1, a), E_TYPE, "scalar seed");
  v_decref(a);
}

Test(random, split) {
  Value k = key(0);
  Value s = call("random.split", 1, k);
  cr_assert_eq(s.tag, T_ARRAY);
  Array *a = AS_ARRAY(s);
  cr_assert(a->ndim == 2 && a->shape[0] == 2 && a->shape[1] == 2 && a->dtype == DT_INT);
  const int64_t want[4] = {4146024105, 967050713, 2718843009, 1272950319};
  for (int i = 0; i < 4; i++) cr_expect_eq(ARR_I(a)[i], want[i]);
  v_decref(s);
  s = call("random.split", 2, k, v_int(4));
  a = AS_ARRAY(s);
  cr_assert(a->shape[0] == 4 && a->shape[1] == 2);
  const int64_t want4[8] = {2285895361, 1501764800, 1518642379, 4090693311,
                            433833334,  4221794875, 839183663,  3740430601};
  for (int i = 0; i < 8; i++) cr_expect_eq(ARR_I(a)[i], want4[i]);
  v_decref(s);
  s = call("random.split", 2, k, v_int(0));
  cr_assert_eq(s.tag, T_ARRAY);
  cr_expect(AS_ARRAY(s)->shape[0] == 0 && AS_ARRAY(s)->shape[1] == 2);
  v_decref(s);
  expect_err(call("random.split", 2, k, v_int(-1)), E_VALUE, "non-negative");
  v_decref(k);
}

Test(random, fold_in) {
  Value k = key(0);
  Value f = call("random.fold_in", 2, k, v_int(4));
  expect_key(f, 2285895361u, 433833334u);
  v_decref(f);
  /* data wraps to its low 32 bits */
  Value g = call("random.fold_in", 2, k, v_int(((int64_t)1 << 32) + 4));
  expect_key(g, 2285895361u, 433833334u);
  v_decref(g);
  expect_err(call("random.fold_in", 2, k, v_float(1.0)), E_TYPE, "must be an int");
  v_decref(k);
}

Test(random, key_validation) {
  expect_err(call("random.normal", 1, v_float(1.0)), E_TYPE,
             "random.normal: expected a PRNG key (int array of shape (2,)), got float");
  int64_t w3[3] = {0, 0, 0};
  Value a3 = ints(3, w3);
  expect_err(call("random.split", 1, a3), E_TYPE, "got int64 array of shape (3,)");
  v_decref(a3);
  int64_t neg[2] = {0, -1};
  Value an = ints(2, neg);
  expect_err(call("random.uniform", 1, an), E_VALUE, "32-bit words");
  v_decref(an);
  expect_err(call("random.bernoulli", 1, tup(2, v_int(0), v_int(0))), E_TYPE, "got tuple");
  int64_t fsh[1] = {2};
  Array *fa = arr_zeros(I, DT_FLOAT, 1, fsh);
  Value fv = v_obj(&fa->hdr);
  expect_err(call("random.randint", 4, fv, tup(0), v_int(0), v_int(3)), E_TYPE,
             "got float64 array of shape (2,)");
  v_decref(fv);
  /* the primitives check too */
  Params p = PARAMS_INIT;
  Value in[1] = {v_int(3)};
  expect_err(impl_rng_normal(I, in, &p), E_TYPE, "expected a PRNG key");
}

/* ---- normal -------------------------------------------------------------- */

Test(random, normal_scalar) {
  Value k = key(0);
  Value x = call("random.normal", 1, k);
  cr_assert_eq(x.tag, T_FLOAT);
  cr_expect_eq(x.u.f, -0.2058422565460205);
  cr_expect_eq(x.u.f, f32(-0.20584226));
  Value y = call("random.normal", 2, k, tup(0));
  cr_expect(y.tag == T_FLOAT && y.u.f == x.u.f);
  v_decref(k);
}

Test(random, normal_seed_logreg) {
  /* key, W_key, b_key = random.split(random.PRNGKey(0), 3) */
  Value k = key(0);
  Value ks = call("random.split", 2, k, v_int(3));
  cr_assert_eq(ks.tag, T_ARRAY);
  uint32_t w[6];
  for (int i = 0; i < 6; i++) w[i] = (uint32_t)ARR_I(AS_ARRAY(ks))[i];
  Value kk = rng_key_value(I, w), wk = rng_key_value(I, w + 2), bk = rng_key_value(I, w + 4);
  Value W = call("random.normal", 2, wk, v_int(3));
  cr_assert_eq(W.tag, T_ARRAY);
  const double Wx[3] = {-0.36838785, -2.27568889, 0.01144757};
  for (int i = 0; i < 3; i++) cr_expect(fabs(ARR_F(AS_ARRAY(W))[i] - Wx[i]) < 5e-9);
  Value b = call("random.normal", 2, bk, tup(0));
  cr_assert_eq(b.tag, T_FLOAT);
  cr_expect_eq(b.u.f, 0.8535516262054443);
  /* key, subkey = random.split(key); v = random.normal(subkey, W.shape) */
  Value s2 = call("random.split", 1, kk);
  uint32_t w2[4];
  for (int i = 0; i < 4; i++) w2[i] = (uint32_t)ARR_I(AS_ARRAY(s2))[i];
  Value sub = rng_key_value(I, w2 + 2);
  Value v = call("random.normal", 2, sub, tup(1, v_int(3)));
  const double vx[3] = {0.96724623, -0.56278366, 0.37913179};
  for (int i = 0; i < 3; i++) cr_expect(fabs(ARR_F(AS_ARRAY(v))[i] - vx[i]) < 5e-9);
  Value items[] = {k, ks, kk, wk, bk, W, b, s2, sub, v};
  for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) v_decref(items[i]);
}

Test(random, normal_quickstart_and_shape) {
  Value k = key(0);
  Value x = call("random.normal", 2, k, tup(2, v_int(2), v_int(5)));
  cr_assert_eq(x.tag, T_ARRAY);
  Array *a = AS_ARRAY(x);
  cr_assert(a->ndim == 2 && a->shape[0] == 2 && a->shape[1] == 5 && a->dtype == DT_FLOAT);
  const double want[10] = {-0.3721109,  0.26423115, -0.18252768, -0.7368197, -0.44030377,
                           -0.1521442, -0.67135346, -0.5908641,  0.73168886, 0.5673026};
  for (int i = 0; i < 10; i++) cr_expect_eq(ARR_F(a)[i], f32(want[i]), "x[%d]", i);
  v_decref(x);
  Value e = call("random.normal", 2, k, tup(2, v_int(0), v_int(3)));
  cr_assert_eq(e.tag, T_ARRAY);
  cr_expect_eq(AS_ARRAY(e)->size, 0);
  v_decref(e);
  Value bad = call("random.normal", 2, k, v_int(-2));
  cr_expect(IS_EXC(bad), "a negative dimension is an error");
  jx_err_clear(I);
  v_decref(k);
}

/* ---- uniform --------------------------------------------------------------- */

Test(random, uniform) {
  Value k = key(0);
  Value u = call("random.uniform", 1, k);
  cr_assert_eq(u.tag, T_FLOAT);
  cr_expect_eq(u.u.f, f32(0.41845703));
  Value v = call("random.uniform", 2, k, v_int(3));
  const double want[3] = {0.9653214, 0.31468165, 0.63302994};
  for (int i = 0; i < 3; i++) cr_expect_eq(ARR_F(AS_ARRAY(v))[i], f32(want[i]));
  v_decref(v);
  /* minval/maxval (jnp.fix docstring, 2 decimals) */
  Value r = call("random.uniform", 4, k, tup(2, v_int(3), v_int(3)), v_int(-5), v_float(5.0));
  const double r2[9] = {-1.45, 1.04, -0.72, -2.69, 1.74, -0.6, -2.49, -2.23, 2.68};
  for (int i = 0; i < 9; i++) cr_expect(fabs(ARR_F(AS_ARRAY(r))[i] - r2[i]) <= 0.005 + 1e-7);
  v_decref(r);
  v_decref(k);
}

Test(random, uniform_defaults_from_signature) {
  /* the binder passes parsed defaults: shape=() as an empty tuple, floats */
  Value k = key(0);
  Value u = call("random.uniform", 4, k, tup(0), v_float(0.0), v_float(1.0));
  cr_assert_eq(u.tag, T_FLOAT);
  cr_expect_eq(u.u.f, f32(0.41845703));
  v_decref(k);
}

Test(random, uniform_bounds_errors) {
  Value k = key(0);
  int64_t w[2] = {0, 1};
  Value a = ints(2, w);
  expect_err(call("random.uniform", 3, k, tup(0), a), E_TYPE, "minval must be a number");
  v_decref(a);
  v_decref(k);
}

/* ---- bernoulli / randint / bits ---------------------------------------------- */

Test(random, bernoulli) {
  Value k = key(1612777541); /* adler32("bernoullithreefry2x32") */
  Value b = call("random.bernoulli", 3, k, v_float(0.5), v_int(5));
  cr_assert_eq(b.tag, T_ARRAY);
  cr_assert_eq(AS_ARRAY(b)->dtype, DT_BOOL);
  const uint8_t want[5] = {0, 1, 1, 1, 0};
  for (int i = 0; i < 5; i++) cr_expect_eq(ARR_B(AS_ARRAY(b))[i], want[i]);
  v_decref(b);
  /* default p = 0.5, default shape = p's shape: a scalar bool */
  Value s = call("random.bernoulli", 1, k);
  cr_expect_eq(s.tag, T_BOOL);
  v_decref(k);
}

Test(random, bernoulli_shape_mismatch) {
  Value k = key(0);
  int64_t sh[1] = {3};
  Array *p = arr_zeros(I, DT_FLOAT, 1, sh);
  Value pv = v_obj(&p->hdr);
  expect_err(call("random.bernoulli", 3, k, pv, v_int(2)), E_VALUE, "does not broadcast");
  v_decref(pv);
  v_decref(k);
}

Test(random, randint) {
  Value k = key(0);
  Value r = call("random.randint", 4, k, tup(2, v_int(3), v_int(3)), v_int(0), v_int(8));
  cr_assert_eq(r.tag, T_ARRAY);
  cr_assert_eq(AS_ARRAY(r)->dtype, DT_INT);
  const int64_t want[9] = {2, 1, 3, 6, 1, 5, 6, 3, 4};
  for (int i = 0; i < 9; i++) cr_expect_eq(ARR_I(AS_ARRAY(r))[i], want[i]);
  v_decref(r);
  Value k2 = key(1319372649); /* adler32("randintthreefry2x32") */
  r = call("random.randint", 4, k2, v_int(5), v_int(0), v_int(10));
  const int64_t want2[5] = {0, 5, 7, 7, 5};
  for (int i = 0; i < 5; i++) cr_expect_eq(ARR_I(AS_ARRAY(r))[i], want2[i]);
  v_decref(r);
  Value s = call("random.randint", 4, k, tup(0), v_int(-3), v_float(2.9));
  cr_expect(s.tag == T_INT && s.u.i >= -3 && s.u.i < 2);
  v_decref(k2);
  v_decref(k);
}

Test(random, bits) {
  Value k = key(1701);
  Value b = call("random.bits", 2, k, v_int(3));
  cr_assert_eq(b.tag, T_ARRAY);
  const int64_t want[3] = {56197195, 4200222568, 961309823};
  for (int i = 0; i < 3; i++) cr_expect_eq(ARR_I(AS_ARRAY(b))[i], want[i]);
  v_decref(b);
  v_decref(k);
}

/* ---- permutation ---------------------------------------------------------------- */

Test(random, permutation_int) {
  Value k = key(0);
  Value p = call("random.permutation", 2, k, v_int(10));
  cr_assert_eq(p.tag, T_ARRAY);
  Array *a = AS_ARRAY(p);
  cr_assert(a->dtype == DT_INT && a->ndim == 1 && a->shape[0] == 10);
  int seen[10] = {0};
  for (int i = 0; i < 10; i++) {
    cr_assert(ARR_I(a)[i] >= 0 && ARR_I(a)[i] < 10);
    seen[ARR_I(a)[i]]++;
  }
  for (int i = 0; i < 10; i++) cr_expect_eq(seen[i], 1);
  v_decref(p);
  Value e = call("random.permutation", 2, k, v_int(0));
  cr_expect(e.tag == T_ARRAY && AS_ARRAY(e)->size == 0);
  v_decref(e);
  expect_err(call("random.permutation", 2, k, v_float(3.0)), E_TYPE, "1-dimensional");
  v_decref(k);
}

Test(random, permutation_array_rows) {
  /* permuting an array takes its rows in the order of permutation(key, n) */
  Value k = key(7);
  int64_t sh[2] = {6, 2};
  Array *x = arr_alloc(I, DT_FLOAT, 2, sh);
  for (int i = 0; i < 12; i++) ARR_F(x)[i] = i;
  Value xv = v_obj(&x->hdr);
  Value idx = call("random.permutation", 2, k, v_int(6));
  Value px = call("random.permutation", 2, k, xv);
  if (IS_EXC(px)) {
    /* needs the gather primitive (stdlib/prims_*.c) */
    cr_log_warn("gather unavailable: %s", I->err.msg ? I->err.msg : "");
    jx_err_clear(I);
  } else {
    Array *pa = AS_ARRAY(px);
    cr_assert(pa->ndim == 2 && pa->shape[0] == 6 && pa->shape[1] == 2);
    for (int r = 0; r < 6; r++) {
      int64_t src = ARR_I(AS_ARRAY(idx))[r];
      cr_expect_eq(ARR_F(pa)[2 * r], (double)(2 * src));
      cr_expect_eq(ARR_F(pa)[2 * r + 1], (double)(2 * src + 1));
    }
    v_decref(px);
  }
  v_decref(idx);
  v_decref(xv);
  v_decref(k);
}

/* ---- primitives directly ----------------------------------------------------------- */

Test(random, prim_shape_rules) {
  Aval in[2], out;
  memset(in, 0, sizeof in);
  in[0].dtype = DT_INT;
  in[0].ndim = 1;
  in[0].shape[0] = 2;
  Params p = PARAMS_INIT;
  p.n = 2;
  p.a[0] = 3;
  p.a[1] = 4;
  cr_assert_eq(shape_rng_normal(I, in, &p, &out), 0);
  cr_expect(out.dtype == DT_FLOAT && out.ndim == 2 && out.shape[0] == 3 && out.shape[1] == 4);
  cr_assert_eq(shape_rng_bits(I, in, &p, &out), 0);
  cr_expect(out.dtype == DT_INT);
  p.i0 = 5;
  cr_assert_eq(shape_rng_split(I, in, &p, &out), 0);
  cr_expect(out.ndim == 2 && out.shape[0] == 5 && out.shape[1] == 2);
  in[1].dtype = DT_INT;
  in[1].ndim = 0;
  cr_assert_eq(shape_rng_fold_in(I, in, &p, &out), 0);
  cr_expect(out.ndim == 1 && out.shape[0] == 2);
  in[1].dtype = DT_FLOAT;
  cr_expect_eq(shape_rng_fold_in(I, in, &p, &out), -1);
  jx_err_clear(I);
  in[0].dtype = DT_FLOAT;
  cr_expect_eq(shape_rng_uniform(I, in, &p, &out), -1);
  cr_expect(strstr(I->err.msg, "random.uniform: expected a PRNG key"));
  jx_err_clear(I);
}

Test(random, prim_uniform_bounds_are_float32) {
  Value k = key(0);
  Params p = PARAMS_INIT;
  p.f0 = 0.1; /* becomes float32(0.1) */
  p.f1 = 0.1;
  Value u = impl_rng_uniform(I, &k, &p);
  cr_assert_eq(u.tag, T_FLOAT);
  cr_expect_eq(u.u.f, (double)0.1f);
  v_decref(k);
}

/* ---- allocation failures ------------------------------------------------------------- */

Test(random, out_of_memory_is_clean) {
  /* the n-th allocation from the call on fails: MemoryError, nothing leaks */
  Value k = own(key(3));
  struct {
    const char *name;
    int nargs;
    Value a[4];
  } cases[] = {
      {"random.split", 2, {k, v_int(7)}},
      {"random.fold_in", 2, {k, v_int(7)}},
      {"random.normal", 2, {k, v_int(7)}},
      {"random.uniform", 2, {k, v_int(7)}},
      {"random.bits", 2, {k, v_int(7)}},
      {"random.bernoulli", 3, {k, v_float(0.3), v_int(7)}},
      {"random.randint", 4, {k, v_int(7), v_int(0), v_int(5)}},
      {"random.permutation", 2, {k, v_int(7)}},
      {"random.PRNGKey", 1, {v_int(7)}},
  };
  for (size_t j = 0; j < sizeof cases / sizeof cases[0]; j++) {
    const BuiltinDef *d = row(cases[j].name);
    Value self = own(cfunc_new(I, d, v_none()));
    Value args[JX_MAX_PARAMS];
    for (int i = 0; i < JX_MAX_PARAMS; i++) args[i] = i < cases[j].nargs ? cases[j].a[i] : v_unset();
    bool succeeded = false;
    for (long n = 1; n < 16 && !succeeded; n++) {
      jx_fail_after(n);
      Value r = d->fn(I, args, AS_CFUNC(self)->nparams, self);
      jx_fail_after(0);
      if (IS_EXC(r)) {
        cr_expect_eq(I->err.kind, E_MEMORY, "%s: %s", cases[j].name, I->err.msg);
        jx_err_clear(I);
      } else {
        v_decref(r);
        succeeded = true;
      }
    }
    cr_expect(succeeded, "%s never succeeded", cases[j].name);
  }
}
