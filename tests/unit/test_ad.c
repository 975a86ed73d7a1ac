/* test_ad.c — the transformation machinery: trace state after errors at
 * every depth, escaped tracers, perturbation confusion, jit caching,
 * memory held by grad over long loops. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
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

/* ---- the fault table: an error of every kind at every depth of
 * grad(vmap(grad(f))) (and with jit, jvp, custom rules, control flow)
 * leaves the trace stack empty and the interpreter working. */

/* One check: src fails with `kind`; then trace depth 0, call depth 0, and
 * a nested transformation still gives the right value. */
static void fails_clean(const char *src, ErrKind kind) {
  expect_error(src, kind, NULL);
  cr_assert_eq(I->depth, 0, "call depth %d after %s", I->depth, src);
  cr_assert_float_eq(run_f("grad(fn(x) => sum(vmap(grad(fn(y) => y * y * x))(array([1.0, 2.0]))))(1.0)"),
                     6.0, 1e-12, "transformations broken after %s", src);
  cr_assert_eq(trace_depth(I), 0);
}

Test(ad, every_error_kind_at_every_depth) {
  run("def gvg(f) = fn(x) => grad(fn(z) => sum(vmap(grad(f))(z * x)))(x)");
  static const struct {
    const char *body; /* the inner function's body, of y */
    ErrKind kind;
  } errs[] = {
      {"y + undefined_q", E_NAME},
      {"y + 'a'", E_TYPE},
      {"y * zeros((10**12,))", E_MEMORY},
      {"y + array([1.0, 2.0, 3.0])[7]", E_INDEX},
      {"y + {'a': 1.0}['b']", E_KEY},
      {"y + float(1 // 0)", E_VALUE},
      {"y + sum(array([1.0, 2.0]) + array([1.0, 2.0, 3.0]))", E_SHAPE},
      {"y + deep_q(y)", E_RECURSION},
      {"y + (assert(False, 'no') or 0.0)", E_ASSERTION},
  };
  run("def deep_q(v) = deep_q(v) + 1.0");
  char buf[512];
  for (size_t k = 0; k < sizeof errs / sizeof errs[0]; k++) {
    /* innermost (inside grad inside vmap inside grad) */
    snprintf(buf, sizeof buf, "gvg(fn(y) => %s)(array([1.0, 2.0]))", errs[k].body);
    fails_clean(buf, errs[k].kind);
    /* at the vmap level, at the outer grad level, and at the top */
    snprintf(buf, sizeof buf,
             "grad(fn(x) => sum(vmap(fn(y) => %s)(x)))(array([1.0, 2.0]))", errs[k].body);
    fails_clean(buf, errs[k].kind);
    snprintf(buf, sizeof buf, "grad(fn(y) => sum(%s))(array([1.0, 2.0]))", errs[k].body);
    fails_clean(buf, errs[k].kind);
    /* under jit, jvp, vjp, a custom rule and control flow */
    snprintf(buf, sizeof buf, "jit(vmap(fn(y) => %s))(array([1.0, 2.0]))", errs[k].body);
    fails_clean(buf, errs[k].kind);
    snprintf(buf, sizeof buf, "jvp(fn(y) => vmap(grad(fn(y) => %s))(y), (array([1.0]),), (array([1.0]),))",
             errs[k].body);
    fails_clean(buf, errs[k].kind);
    snprintf(buf, sizeof buf, "vjp(fn(y) => sum(%s), array([1.0]))[1](1.0)", errs[k].body);
    fails_clean(buf, errs[k].kind);
    snprintf(buf, sizeof buf,
             "grad(custom_jvp(fn(y) => y * 1.0, fn(p, t) => (p[0], (fn(y) => %s)(p[0]) * t[0])))(1.0)",
             errs[k].body);
    fails_clean(buf, errs[k].kind);
    snprintf(buf, sizeof buf,
             "grad(fn(x) => while_loop(fn(v) => v < 3.0, fn(y) => %s, x))(1.0)", errs[k].body);
    fails_clean(buf, errs[k].kind);
    snprintf(buf, sizeof buf,
             "vmap(fn(x) => cond(x > 1.0, fn(y) => %s, fn(y) => y, x))(array([1.0, 2.0]))",
             errs[k].body);
    fails_clean(buf, errs[k].kind);
  }
}

Test(ad, interrupt_at_every_depth) {
  /* Ctrl-C (I->interrupted) while a nested transformation runs */
  static const char *const progs[] = {
      "grad(fn(x) => sum(vmap(grad(fn(y) => y * y * x))(array([1.0, 2.0]))))(1.0)",
      "jit(fn(x) => grad(fn(y) => y * x)(x))(2.0)",
      "vmap(fn(x) => while_loop(fn(v) => v < 5.0, fn(v) => v + 1.0, x))(array([1.0, 2.0]))",
  };
  for (size_t k = 0; k < sizeof progs / sizeof progs[0]; k++) {
    I->interrupted = 1;
    Value v = run(progs[k]);
    cr_assert(IS_EXC(v), "%s ran through an interrupt", progs[k]);
    cr_assert_eq(I->err.kind, E_INTERRUPTED, "%s: %s", progs[k], I->err.msg);
    jx_err_clear(I);
    cr_assert_eq(trace_depth(I), 0, "trace stack not clean after an interrupt in %s", progs[k]);
    cr_assert_eq(I->depth, 0);
    cr_assert_eq(I->interrupted, 0);
  }
  cr_assert_float_eq(run_f("grad(fn(x) => x * x)(3.0)"), 6.0, 1e-12);
}

Test(ad, out_of_memory_at_every_allocation_of_grad_vmap_grad) {
  /* the N-th allocation of a nested transformation fails, for every N:
   * a MemoryError (or success), and a clean trace stack each time */
  run("def inner(y) = sin(y) * y * y");
  const char *src = "grad(fn(x) => sum(vmap(grad(inner))(x * 2.0)))(array([0.5, 1.0, 1.5]))";
  int fired = 0;
  for (long n = 1; n < 100000; n++) {
    jx_fail_after(n);
    Value v = run(src);
    bool hit = jx_fail_pending() == 0;
    jx_fail_after(0);
    if (IS_EXC(v)) {
      cr_assert_eq(I->err.kind, E_MEMORY, "allocation %ld: %s: %s", n, err_kind_name(I->err.kind),
                   I->err.msg);
      jx_err_clear(I);
    } else {
      v_decref(v);
      cr_assert_eq(I->err.kind, E_NONE, "allocation %ld: success with an error pending", n);
    }
    cr_assert_eq(trace_depth(I), 0, "trace stack not clean after allocation %ld failed", n);
    cr_assert_eq(I->depth, 0);
    if (!hit) break; /* n is past the last allocation */
    fired++;
  }
  cr_assert(fired > 10, "only %d allocations?", fired);
  cr_assert_float_eq(run_f("grad(fn(x) => x * x)(3.0)"), 6.0, 1e-12);
}
