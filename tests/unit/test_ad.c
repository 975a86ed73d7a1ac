/* test_ad.c — the transformation machinery: trace state after errors at
 * every depth, escaped tracers, perturbation confusion, jit caching,
 * memory held by grad over long loops. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "ad/ad.h"
#include "eval/eval.h"

static Interp *I;

static void setup(void) {
  I = jx_new();
  cr_assert(I);
  cr_assert(eval_init(I) == 0);
  cr_assert(eval_prelude(I) == 0);
}
static void teardown(void) { jx_free_interp(I); }

/* Run src; return its value (owned) or v_exc(). */
static Value run(const char *src) {
  return eval_string(I, "<test>", src, strlen(src), NULL, NULL, NULL);
}

static double run_f(const char *src) {
  Value v = run(src);
  cr_assert(!IS_EXC(v), "error running: %s\n%s", src, I->err.msg ? I->err.msg : "");
  cr_assert(v.tag == T_FLOAT, "expected a float from %s, got %s", src, type_name(v));
  return v.u.f;
}

static void expect_error(const char *src, ErrKind kind, const char *needle) {
  Value v = run(src);
  cr_assert(IS_EXC(v), "expected an error from %s", src);
  cr_assert_eq(I->err.kind, kind, "kind %s, expected %s (%s)", err_kind_name(I->err.kind),
               err_kind_name(kind), I->err.msg);
  if (needle) cr_assert(strstr(I->err.msg, needle), "message '%s' lacks '%s'", I->err.msg, needle);
  cr_assert_eq(trace_depth(I), 0, "trace stack not clean after an error in %s", src);
  jx_err_clear(I);
}

TestSuite(ad, .init = setup, .fini = teardown);

Test(ad, trace_clean_after_error_at_every_depth) {
  run("def bad(x) = x + undefined_name");
  /* an error raised at each level of grad(vmap(grad(f))) */
  expect_error("grad(fn(x) => bad(x))(1.0)", E_NAME, NULL);
  expect_error("vmap(grad(fn(x) => bad(x)))(array([1.0, 2.0]))", E_NAME, NULL);
  expect_error("grad(fn(x) => sum(vmap(grad(fn(y) => bad(y)))(x)))(array([1.0, 2.0]))", E_NAME, NULL);
  expect_error("grad(fn(x) => sum(vmap(fn(z) => grad(fn(y) => y * z)(bad(z)))(x)))(array([1.0]))",
               E_NAME, NULL);
  expect_error("grad(fn(x) => sum(vmap(grad(fn(y) => y))(x)) + bad(x))(array([1.0]))", E_NAME, NULL);
  expect_error("jit(fn(x) => grad(bad)(x))(1.0)", E_NAME, NULL);
  expect_error("jvp(fn(x) => vmap(bad)(x), (array([1.0]),), (array([1.0]),))", E_NAME, NULL);
  /* and the interpreter keeps working afterwards */
  cr_assert_float_eq(run_f("grad(fn(x) => x * x)(3.0)"), 6.0, 1e-12);
  cr_assert_eq(trace_depth(I), 0);
}

Test(ad, grad_errors_are_typed) {
  expect_error("grad(fn(x) => x * array([1.0, 2.0]))(1.0)", E_TYPE, "Output had shape: (2,)");
  expect_error("grad(fn(x) => x * 2.0)(3)", E_TYPE, "3.0");
  expect_error("vmap(fn(x, y) => x + y)(array([1.0, 2.0]), array([1.0, 2.0, 3.0]))", E_VALUE,
               "size 3");
  expect_error("vmap(fn(x) => x, in_axes=None)(1.0)", E_VALUE, NULL);
}

Test(ad, escaped_tracer) {
  run("let r = grad(fn(x) => (x * 2.0, fn(y) => x * y), has_aux=True)(1.0)");
  expect_error("r[1](2.0)", E_TYPE, "escaped");
}

Test(ad, no_perturbation_confusion) {
  cr_assert_float_eq(run_f("grad(fn(x) => x * grad(fn(y) => x + y)(1.0))(1.0)"), 1.0, 1e-12);
  /* closure over the outer tracer inside a nested jvp */
  cr_assert_float_eq(
      run_f("grad(fn(x) => jvp(fn(y) => x * y, (2.0,), (1.0,))[1])(5.0)"), 1.0, 1e-12);
  /* forward over reverse of a product of the two variables */
  cr_assert_float_eq(
      run_f("jvp(fn(x) => grad(fn(y) => x * y * y)(3.0), (2.0,), (1.0,))[1]"), 6.0, 1e-12);
}

Test(ad, higher_order) {
  double x = 0.5, t = tanh(x);
  double d3 = -2 * (1 - t * t) * (1 - t * t) + 4 * t * t * (1 - t * t);
  cr_assert_float_eq(run_f("grad(grad(grad(tanh)))(0.5)"), d3, 1e-12);
  cr_assert_float_eq(run_f("grad(grad(fn(x) => x ** 4))(2.0)"), 48.0, 1e-12);
}

Test(ad, jit_caches_per_signature) {
  run("let calls = 0");
  run("def f(x) = sin(x) * 2.0");
  run("let g = jit(f)");
  cr_assert_float_eq(run_f("g(1.0)"), sin(1.0) * 2.0, 1e-15);
  cr_assert_float_eq(run_f("g(2.0)"), sin(2.0) * 2.0, 1e-15);
  cr_assert_float_eq(run_f("float(sum(g(array([1.0, 2.0]))))"), (sin(1.0) + sin(2.0)) * 2.0, 1e-14);
  cr_assert_float_eq(run_f("jit(grad(f))(1.0)"), cos(1.0) * 2.0, 1e-15);
  cr_assert_float_eq(run_f("grad(jit(f))(1.0)"), cos(1.0) * 2.0, 1e-15);
}

Test(ad, long_loop_under_grad) {
  /* a 10^4-step loop under grad: the tape grows and is released */
  double v = run_f("grad(fn(x) { let s = 0.0; for i in range(10000) { s += x * 0.001 }; s })(1.0)");
  cr_assert_float_eq(v, 10.0, 1e-9);
  cr_assert_eq(trace_depth(I), 0);
}
