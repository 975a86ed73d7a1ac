/* test_teach.c — the teaching helpers (stdlib/teach.h): the :explain
 * rewrite, explain/graph/plot through the evaluator, and .npy round trips
 * under allocation failure. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "stdlib/builtins.h"
#include "stdlib/teach.h"

static Interp *I;
static StrBuf out;

static void capture(void *ud, const char *s, size_t n) {
  (void)ud;
  sb_putn(&out, s, n);
}

static void setup(void) {
  I = jx_new();
  cr_assert(I && eval_init(I) == 0 && eval_prelude(I) == 0);
  sb_init(&out);
  I->out = capture;
}
static void teardown(void) {
  sb_free(&out);
  jx_free_interp(I);
}

TestSuite(teach, .init = setup, .fini = teardown);

static void rewrite_is(const char *in, const char *want) {
  char *got = explain_rewrite(in);
  if (!want) {
    cr_assert_null(got, "%s -> %s", in, got);
    return;
  }
  cr_assert_not_null(got, "%s", in);
  cr_assert_str_eq(got, want);
  free(got);
}

Test(teach, explain_rewrite) {
  rewrite_is("f(1.0)", "explain(f)(1.0)");
  rewrite_is("grad(f)(0.5)", "explain(grad(f))(0.5)");
  rewrite_is("  grad(f, argnums=1)(1.0, 2.0) ; ", "explain(  grad(f, argnums=1))(1.0, 2.0)");
  rewrite_is("(fn(x) => x * 2)(3.0)", "explain((fn(x) => x * 2))(3.0)");
  rewrite_is("g(\")(\")", "explain(g)(\")(\")");
  rewrite_is("f(array([1.0, 2.0]))", "explain(f)(array([1.0, 2.0]))");
  rewrite_is("f", NULL);
  rewrite_is("(1.0)", NULL);
  rewrite_is("", NULL);
}

static Value run(const char *src) {
  return eval_string(I, "<test>", src, strlen(src), NULL, NULL, NULL);
}

Test(teach, explain_returns_gradient) {
  Value v = run("explain(grad(fn(x) => x * x))(3.0)");
  cr_assert_eq(v.tag, T_FLOAT);
  cr_assert_float_eq(v.u.f, 6.0, 1e-15);
  cr_assert(out.s && strstr(out.s, "backward pass"));
  cr_assert(strstr(out.s, "ct_a"));
}

Test(teach, graph_is_dot) {
  Value v = run("graph(fn(x) => sin(x) * x)(1.0)");
  cr_assert_eq(v.tag, T_STR);
  cr_assert(strncmp(AS_STR(v)->s, "digraph", 7) == 0);
  cr_assert(strstr(AS_STR(v)->s, "sin"));
  v_decref(v);
}

Test(teach, plot_writes_braille) {
  Value v = run("plot(sin, -1.0, 1.0, width=10, height=3)");
  cr_assert_eq(v.tag, T_NONE);
  cr_assert(out.s && strstr(out.s, "\xe2\xa0")); /* U+28xx */
}

/* every allocation failing in turn: errors, never crashes, hangs or leaks */
static void alloc_failures(const char *src, long upto) {
  for (long n = 1; n < upto; n++) {
    jx_fail_after(n);
    Value v = run(src);
    jx_fail_after(0);
    if (IS_EXC(v))
      jx_err_clear(I);
    else
      v_decref(v);
  }
}

Test(teach, npy_alloc_failures) {
  const char *src = "save_npy(\"/tmp/jx_unit_teach.npy\", array([[1.0, 2.0], [3.0, 4.0]]))\n"
                    "load_npy(\"/tmp/jx_unit_teach.npy\")";
  alloc_failures(src, 200);
  Value v = run(src);
  cr_assert_eq(v.tag, T_ARRAY);
  v_decref(v);
}

Test(teach, csv_alloc_failures) {
  alloc_failures("save_csv(\"/tmp/jx_unit_teach.csv\", eye(3), header=\"a,b,c\")\n"
                 "load_csv(\"/tmp/jx_unit_teach.csv\", skip_header=1)",
                 200);
}

Test(teach, explain_alloc_failures) {
  alloc_failures("explain(grad(fn(p) => sum(p[\"w\"] * sin(p[\"w\"])) + p[\"b\"]))"
                 "({\"w\": array([1.0, 2.0]), \"b\": 0.5})",
                 400);
  alloc_failures("explain(fn(x) => x * 2.0)(1.0)", 200);
}

Test(teach, graph_plot_alloc_failures) {
  alloc_failures("graph(grad(fn(x) => x * sin(x)))(1.0)", 300);
  alloc_failures("plot((sin, cos), -1.0, 1.0, width=12, height=4)", 300);
}
