/* test_eval.c — eval/eval.c, eval/core_builtins.c, eval/format.c and the
 * registry (stdlib/builtins.c): evaluation, closures, calls from C,
 * argument binding of builtins, errors with locations and tracebacks,
 * recursion and interrupt limits, caches, allocation failures. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "eval/eval.h"
#include "eval/value.h"
#include "parser/parser.h"
#include "stdlib/builtins.h"

static Interp *I;
static StrBuf out;

static void capture(void *ud, const char *s, size_t n) {
  (void)ud;
  sb_putn(&out, s, n);
}

static void setup(void) {
  I = jx_new();
  cr_assert(I != NULL);
  I->out = capture;
  sb_init(&out);
  cr_assert_eq(eval_prelude(I), 0, "%s", I->err.msg ? I->err.msg : "");
}
static void teardown(void) {
  jx_free_interp(I);
  sb_free(&out);
}
TestSuite(eval, .init = setup, .fini = teardown);

/* Run src; return what it printed (valid until the next run). */
static const char *run(const char *src) {
  out.len = 0;
  if (out.s) out.s[0] = 0;
  Value r = eval_string(I, "t.jx", src, strlen(src), NULL, NULL, NULL);
  cr_assert(!IS_EXC(r), "%s\n  raised %s: %s", src, err_kind_name(I->err.kind),
            I->err.msg ? I->err.msg : "");
  v_decref(r);
  return out.s ? out.s : "";
}

static void prints(const char *src, const char *want) {
  const char *got = run(src);
  cr_assert_str_eq(got, want, "%s\n  printed: %s\n  wanted:  %s", src, got, want);
}

/* The value of the last statement (owned). */
static Value value_of(const char *src) {
  Value r = eval_string(I, "t.jx", src, strlen(src), NULL, NULL, NULL);
  cr_assert(!IS_EXC(r), "%s: %s", src, I->err.msg ? I->err.msg : "");
  return r;
}

static void raises(const char *src, ErrKind kind, int line, int col, const char *msg) {
  out.len = 0;
  Value r = eval_string(I, "t.jx", src, strlen(src), NULL, NULL, NULL);
  cr_assert(IS_EXC(r), "%s: expected %s", src, err_kind_name(kind));
  cr_assert_eq(I->err.kind, kind, "%s: got %s: %s", src, err_kind_name(I->err.kind),
               I->err.msg ? I->err.msg : "");
  if (line) cr_assert_eq(I->err.line, line, "%s: line %d (%s)", src, I->err.line, I->err.msg);
  if (col) cr_assert_eq(I->err.col, col, "%s: col %d (%s)", src, I->err.col, I->err.msg);
  if (msg) cr_assert(strstr(I->err.msg, msg), "%s: '%s' lacks '%s'", src, I->err.msg, msg);
  cr_assert_eq(I->depth, 0, "depth %d after an error", I->depth);
  jx_err_clear(I);
}

Test(eval, fib_and_basics) {
  prints("def f(n) = if n < 2 { n } else { f(n-1) + f(n-2) }; print(f(20))", "6765\n");
  prints("print(1 + 2 * 3, 7 / 2, 7 // 2, -7 % 3, 2 ** 10, 1 < 2 < 3)", "7 3.5 3 2 1024 True\n");
  prints("let x = 0.0; for i in range(1000) { x += i * 0.5 }; print(x)", "249750.0\n");
  prints("print(\"a\" + \"b\", (1,) + (2, 3), len(\"héllo\"))", "ab (1, 2, 3) 5\n");
}

Test(eval, value_of_program) {
  Value v = value_of("let a = 2; a * 21");
  cr_assert_eq(v.tag, T_INT);
  cr_assert_eq(v.u.i, 42);
  v = value_of("let a = 1");
  cr_assert_eq(v.tag, T_NONE);
  v = value_of("if 1 > 0 { \"yes\" } else { \"no\" }");
  cr_assert_eq(v.tag, T_STR);
  cr_assert_str_eq(AS_STR(v)->s, "yes");
  v_decref(v);
}

Test(eval, closures_capture_values) {
  prints("def mk(n) = fn(x) => x + n; print(mk(1)(2), mk(10)(2))", "3 12\n");
  prints("let fs = (); for i in range(3) { fs = fs + (fn() => i,) }; "
         "print(fs[0](), fs[1](), fs[2]())",
         "0 1 2\n");
  prints("def o() { let v = 1; let f = fn() => v; v = 2; (f(), v) }; print(o())", "(1, 2)\n");
  prints("def o(n) { def go(k) = if k == 0 { 0 } else { k + go(k - 1) }; go(n) }; print(o(100))",
         "5050\n");
  prints("let fact = fn(n) => if n <= 1 { 1 } else { n * fact(n - 1) }; print(fact(15))",
         "1307674368000\n");
}

Test(eval, destructuring) {
  prints("let a, (b, c) = (1, (2, 3)); print(a + b + c)", "6\n");
  prints("let a, b = range(2); print(a, b)", "0 1\n");
  prints("let k1, k2 = {\"x\": 1, \"y\": 2}; print(k1, k2)", "x y\n");
  prints("let m = 1; let n = 2; m, n = n, m; print(m, n)", "2 1\n");
  raises("let a, b = (1, 2, 3)", E_VALUE, 1, 5, "too many values to unpack (expected 2, got 3)");
  raises("let a, b, c = (1, 2)", E_VALUE, 1, 5, "not enough values to unpack");
  raises("let a, b = 1", E_TYPE, 1, 5, "cannot unpack a value of type int");
}

Test(eval, control_flow) {
  prints("def f() { for i in range(10) { if i == 3 { return i } }; -1 }; print(f())", "3\n");
  prints("let s = 0; for i in range(10) { if i % 2 { continue }; if i > 6 { break }; s += i }; "
         "print(s)",
         "12\n");
  prints("let n = 0; while True { n += 1; if n >= 5 { break } }; print(n)", "5\n");
  prints(
      "def f(x) { let y = if x { return \"early\" } else { 1 }; y + 1 }; print(f(True), f(False))",
      "early 2\n");
  prints("for i in range(3, 0, -1) { print(i) }", "3\n2\n1\n");
  prints("for i in range(9223372036854775806, 9223372036854775807) { print(i) }",
         "9223372036854775806\n");
}

Test(eval, errors_and_locations) {
  raises("print(nope)", E_NAME, 1, 7, "name 'nope' is not defined");
  raises("let x = 5\nx(1)", E_TYPE, 2, 1, "not callable");
  raises("def f(a) = a\nf()", E_TYPE, 2, 1, "f() missing required argument 'a'");
  raises("def f(a) = a\nf(1, 2)", E_TYPE, 2, 1, "f() takes 1 argument but 2 were given");
  raises("def f(a) = a\nf(b=1)", E_TYPE, 2, 1, "unexpected keyword argument 'b'");
  raises("def f(a) = a\nf(1, a=1)", E_TYPE, 2, 1, "multiple values for argument 'a'");
  raises("len()", E_TYPE, 1, 1, "len() missing required argument 'x'");
  raises("assert(1 > 2, \"nope\")", E_ASSERTION, 1, 1, "nope");
  raises("{1: 2}", E_TYPE, 1, 2, "dict keys must be strings");
  raises("for x in 3.5 { }", E_TYPE, 1, 10, "cannot iterate");
  raises("range(1, 2, 0)", E_VALUE, 1, 1, "step must not be zero");
  raises("range(3)[5]", E_INDEX, 1, 9, "out of range");
  raises("int(\"z\")", E_VALUE, 1, 1, "invalid literal for int()");
  raises("print(f\"{1.5:d}\")", E_VALUE, 1, 10, "not for floats");
  raises("jnp.zork", E_NAME, 1, 1, "namespace 'jnp' has no member 'zork'");
  raises("let x = 1 +", E_SYNTAX, 1, 12, "end of input");
}

Test(eval, traceback) {
  Value r =
      eval_string(I, "tb.jx",
                  "def inner(x) {\n  x + \"s\"\n}\ndef outer(x) {\n  let y = inner(x)\n  y\n}\n"
                  "outer(1)\n",
                  strlen("def inner(x) {\n  x + \"s\"\n}\ndef outer(x) {\n  let y = inner(x)\n"
                         "  y\n}\nouter(1)\n"),
                  NULL, NULL, NULL);
  cr_assert(IS_EXC(r));
  cr_assert_eq(I->err.kind, E_TYPE);
  cr_assert_eq(I->err.line, 2);
  cr_assert_eq(I->err.col, 5);
  cr_assert_eq(I->err.ntrace, 2);
  cr_assert_str_eq(I->err.trace[0].fname, "inner");
  cr_assert_eq(I->err.trace[0].line, 2);
  cr_assert_str_eq(I->err.trace[1].fname, "outer");
  cr_assert_eq(I->err.trace[1].line, 5);
  StrBuf sb;
  sb_init(&sb);
  eval_format_error(I, &sb);
  cr_assert(strstr(sb.s, "tb.jx:2:5: TypeError: "), "%s", sb.s);
  cr_assert(strstr(sb.s, "\n      x + \"s\"\n        ^\n"), "%s", sb.s);
  cr_assert(strstr(sb.s, "  in inner (tb.jx:2)\n  in outer (tb.jx:5)\n"), "%s", sb.s);
  sb_free(&sb);
  jx_err_clear(I);
}

Test(eval, recursion_limit_three_times) {
  for (int i = 0; i < 3; i++) {
    raises("def down(n) = down(n + 1); down(0)", E_RECURSION, 1, 15, "maximum recursion depth");
    cr_assert_eq(I->depth, 0);
  }
  prints("def down(n) = if n == 0 { 0 } else { 1 + down(n - 1) }; print(down(500))", "500\n");
}

Test(eval, interrupt) {
  I->interrupted = 1;
  raises("let k = 0; while True { k += 1 }", E_INTERRUPTED, 1, 0, NULL);
  cr_assert_eq(I->interrupted, 0);
  I->interrupted = 1;
  raises("for i in range(1000000000) { }", E_INTERRUPTED, 0, 0, NULL);
  I->interrupted = 1;
  raises("def f(n) = f(n); f(1)", E_INTERRUPTED, 0, 0, NULL);
  prints("print(\"fine\")", "fine\n");
}

/* ---- calls from C ------------------------------------------------------- */

Test(eval, jx_call_user_function) {
  Value f = value_of("fn(x, y=10, z=100) => x + y + z");
  cr_assert_eq(f.tag, T_FUNC);
  Value args[2] = {v_int(1), v_int(2)};
  Value r = jx_call(I, f, 2, args, 0, NULL, NULL);
  cr_assert_eq(r.u.i, 103);
  const char *kn[1] = {"z"};
  Value kv[1] = {v_int(0)};
  r = jx_call(I, f, 1, args, 1, kn, kv);
  cr_assert_eq(r.u.i, 11);
  r = jx_call(I, f, 0, NULL, 0, NULL, NULL);
  cr_assert(IS_EXC(r));
  cr_assert(strstr(I->err.msg, "missing required argument 'x'"));
  jx_err_clear(I);
  StrBuf sb;
  sb_init(&sb);
  jx_repr(I, f, &sb);
  cr_assert_str_eq(sb.s, "<fn <lambda>(x, y=10, z=100)>");
  sb_free(&sb);
  v_decref(f);
}

static Value seen[JX_MAX_PARAMS];
static int seen_n;
static Value probe(Interp *Ip, Value *a, int n, Value self) {
  (void)Ip;
  (void)self;
  seen_n = n;
  for (int i = 0; i < n; i++) seen[i] = a[i];
  return v_incref(a[n - 1]);
}
static const BuiltinDef probe_def = {"probe", probe, "a, b=7, c=None, *rest", "test"};

Test(eval, cfunc_argument_binding) {
  Value f = cfunc_new(I, &probe_def, v_none());
  cr_assert(!IS_EXC(f));
  Value args[4] = {v_int(1), v_int(2), v_int(3), v_int(4)};
  Value r = jx_call(I, f, 1, args, 0, NULL, NULL);
  cr_assert_eq(seen_n, 4);
  cr_assert_eq(seen[0].u.i, 1);
  cr_assert_eq(seen[1].u.i, 7);
  cr_assert_eq(seen[2].tag, T_NONE);
  cr_assert_eq(seen[3].tag, T_TUPLE);
  cr_assert_eq(AS_TUPLE(seen[3])->n, 0);
  v_decref(r);
  r = jx_call(I, f, 4, args, 0, NULL, NULL);
  cr_assert_eq(AS_TUPLE(r)->n, 1);
  cr_assert_eq(AS_TUPLE(r)->items[0].u.i, 4);
  v_decref(r);
  const char *kn[2] = {"c", "a"};
  Value kv[2] = {v_int(30), v_int(10)};
  r = jx_call(I, f, 0, NULL, 2, kn, kv);
  cr_assert_eq(seen[0].u.i, 10);
  cr_assert_eq(seen[2].u.i, 30);
  v_decref(r);
  r = jx_call(I, f, 0, NULL, 0, NULL, NULL);
  cr_assert(IS_EXC(r));
  cr_assert(strstr(I->err.msg, "probe() missing required argument 'a'"), "%s", I->err.msg);
  jx_err_clear(I);
  const char *bad[1] = {"zz"};
  r = jx_call(I, f, 1, args, 1, bad, kv);
  cr_assert(IS_EXC(r));
  cr_assert(strstr(I->err.msg, "probe() got an unexpected keyword argument 'zz'"));
  jx_err_clear(I);
  const char *dup[1] = {"a"};
  r = jx_call(I, f, 1, args, 1, dup, kv);
  cr_assert(IS_EXC(r));
  cr_assert(strstr(I->err.msg, "multiple values for argument 'a'"));
  jx_err_clear(I);
  v_decref(f);
  /* a value that is not callable */
  r = jx_call(I, v_int(3), 0, NULL, 0, NULL, NULL);
  cr_assert(IS_EXC(r));
  cr_assert_eq(I->err.kind, E_TYPE);
  jx_err_clear(I);
}

Test(eval, builtins_from_jx) {
  prints("print(len((1, 2)), len(\"\"), len({}), len(range(5)))", "2 0 0 5\n");
  prints("print(str(1.5), repr(\"q\"), float(\"2\"), int(-1.9), bool(\"\"))",
         "1.5 'q' 2.0 -1 False\n");
  prints("print(keys({\"a\": 1}), values({\"a\": 1}), items({\"a\": 1}))",
         "('a',) (1,) (('a', 1),)\n");
  prints("print(tree_map(fn(x) => x + 1, (1, {\"a\": 2, \"n\": None})))",
         "(2, {'a': 3, 'n': None})\n");
  prints("print(type(print), type(1), type(range(2)))", "function int range\n");
  prints("print(enumerate((\"a\",)), zip((1, 2), (3, 4)))", "((0, 'a'),) ((1, 3), (2, 4))\n");
}

Test(eval, namespaces) {
  prints("print(jnp.len((1,)), np.len(()), jax.len((1, 2)), lax.len((1, 2, 3)))", "1 0 2 3\n");
  prints("print(jax.numpy == jnp, jax.random == random, jax.nn == nn, jnp.linalg == linalg)",
         "True True True True\n");
  /* the prelude's bindings are builtins, also under the aliases */
  prints("print(pi, jnp.pi, jax.numpy.pi)",
         "3.141592653589793 3.141592653589793 3.141592653589793\n");
  cr_assert(builtins_find("len") != NULL);
  cr_assert(builtins_find("jnp.len") == builtins_find("len"));
  cr_assert(builtins_find("jax.numpy.len") == builtins_find("len"));
  cr_assert(builtins_find("no_such") == NULL);
  int n = 0;
  while (builtins_at(n)) n++;
  cr_assert(n >= 19);
  for (int k = 0; k < n; k++) {
    const BuiltinDef *d = builtins_at(k);
    cr_assert(d->sig != NULL, "%s has no signature", d->name);
    cr_assert(d->doc != NULL && strlen(d->doc) > 20, "%s has no doc", d->name);
  }
}

Test(eval, global_cache_follows_shadowing) {
  prints("def f(t) = len(t); print(f((1, 2)))", "2\n");
  prints("let len = fn(t) => 99; print(f((1, 2)))", "99\n");
  cr_assert_eq(eval_set_global(I, "len", v_int(5)), 0);
  raises("f((1, 2))", E_TYPE, 1, 0, "not callable");
  eval_clear_globals(I);
  raises("f((1,))", E_NAME, 1, 1, "name 'f' is not defined");
  prints("print(len((1, 2, 3)))", "3\n");
}

Test(eval, top_level_rebinding) {
  prints("fresh = 1; fresh += 1; print(fresh)", "2\n");
  prints("for i in range(3) { fresh = fresh + i }; print(fresh)", "5\n");
  raises("def f() { fresh = 2 }", E_NAME, 1, 11, "cannot rebind global 'fresh'");
}

Test(eval, fstrings_and_format_specs) {
  prints("let l = 0.123456; let i = 3; print(f\"loss {l:.4f} at {i} {l:.6g} {i:>3}|{\"s\"!r}\")",
         "loss 0.1235 at 3 0.123456   3|'s'\n");
  StrBuf sb;
  sb_init(&sb);
  cr_assert_eq(fmt_spec(I, v_float(1234.5678), 0, ",.2f", &sb), 0);
  cr_assert_str_eq(sb.s, "1,234.57");
  sb.len = 0;
  cr_assert_eq(fmt_spec(I, v_float(-0.5), 0, "+08.3f", &sb), 0);
  cr_assert_str_eq(sb.s, "-000.500");
  sb.len = 0;
  cr_assert_eq(fmt_spec(I, v_int(42), 0, "*^8", &sb), 0);
  cr_assert_str_eq(sb.s, "***42***");
  sb.len = 0;
  cr_assert_eq(fmt_spec(I, v_float(0.0 / 0.0), 0, ".3f", &sb), 0);
  cr_assert_str_eq(sb.s, "nan");
  sb.len = 0;
  cr_assert_eq(fmt_spec(I, v_float(1e-7), 0, ".6g", &sb), 0);
  cr_assert_str_eq(sb.s, "1e-07");
  sb.len = 0;
  cr_assert_eq(fmt_spec(I, v_float(2.0), 0, ".3", &sb), 0);
  cr_assert_str_eq(sb.s, "2.0");
  sb.len = 0;
  cr_assert_eq(fmt_spec(I, v_bool(true), 0, ">6", &sb), 0);
  cr_assert_str_eq(sb.s, "  True");
  sb.len = 0;
  cr_assert_eq(fmt_spec(I, v_int(3), 0, "q", &sb), -1);
  jx_err_clear(I);
  sb_free(&sb);
}

Test(eval, deep_closure_chain_frees_iteratively) {
  /* each closure captures the previous one: freeing must not recurse */
  prints("def build(n) { let g = fn() => 0; for i in range(n) { let h = g; g = fn() => h() }; "
         "g }\nlet chain = build(200000)\nprint(\"built\")\nchain = None\nprint(\"freed\")",
         "built\nfreed\n");
}

Test(eval, deep_expression_is_a_clean_error) {
  StrBuf sb;
  sb_init(&sb);
  sb_puts(&sb, "let x = 0");
  for (int i = 0; i < 100000; i++) sb_puts(&sb, " + 1");
  Value r = eval_string(I, "t.jx", sb.s, sb.len, NULL, NULL, NULL);
  cr_assert(IS_EXC(r));
  cr_assert_eq(I->err.kind, E_RECURSION);
  jx_err_clear(I);
  sb_free(&sb);
}

Test(eval, allocation_failures_are_clean) {
  const char *prog =
      "def f(x, y=2) { let t = (x, y); let d = {\"a\": t}; f\"{d[\"a\"][0]:.2f}|{y}\" }\n"
      "let s = 0\nfor i in range(10) { s += i }\n"
      "let g = fn(z) => z + s\n"
      "let (p, q) = (g(1), f(1.5))\n"
      "print(p, q, tree_map(fn(v) => v * 2, (1, {\"k\": 2})), str((1, \"x\")))\n";
  int ok = 0, mem = 0;
  for (long n = 1; n < 400; n++) {
    out.len = 0;
    jx_fail_after(n);
    Value r = eval_string(I, "oom.jx", prog, strlen(prog), NULL, NULL, NULL);
    jx_fail_after(0);
    if (IS_EXC(r)) {
      cr_assert_eq(I->err.kind, E_MEMORY, "n=%ld: %s: %s", n, err_kind_name(I->err.kind),
                   I->err.msg ? I->err.msg : "");
      mem++;
      jx_err_clear(I);
    } else {
      v_decref(r);
      ok++;
    }
    cr_assert_eq(I->depth, 0);
  }
  cr_assert(mem > 50, "only %d allocation failures were hit", mem);
  cr_assert(ok > 0);
  prints("print(\"still fine\")", "still fine\n");
}

static void count_echo(Interp *Ip, Value v, void *ud) {
  (void)Ip;
  (void)v;
  (*(int *)ud)++;
}

Test(eval, echo_callback_sees_expression_statements) {
  int count = 0;
  Value r = eval_string(I, "t.jx", "1; let a = 2; a + 1; def f() = 1; None", 38, count_echo, &count,
                        NULL);
  cr_assert(!IS_EXC(r));
  cr_assert_eq(count, 3);
}

Test(eval, argv) {
  char *args[] = {"one", "two"};
  cr_assert_eq(eval_set_argv(I, 2, args), 0);
  prints("print(argv())", "('one', 'two')\n");
}

Test(eval, incomplete_input_flag) {
  bool inc = false;
  Value r = eval_string(I, "<stdin>", "def f(x) {", 10, NULL, NULL, &inc);
  cr_assert(IS_EXC(r));
  cr_assert(inc);
  jx_err_clear(I);
  r = eval_string(I, "<stdin>", "let x = )", 9, NULL, NULL, &inc);
  cr_assert(IS_EXC(r));
  cr_assert(!inc);
  jx_err_clear(I);
}

/* A long session keeps only what closures and pending errors need: the
 * chunks and source texts of finished entries (and of entries that did not
 * parse or raised) are freed before the next entry runs. */
Test(eval, finished_entries_are_freed) {
  int s0, c0, s1, c1;
  run("def keep(x) = x + 1");
  eval_kept(I, &s0, &c0);
  for (int i = 0; i < 300; i++) {
    run("let q = keep(1) * 2");
    raises("1 + * 2", E_SYNTAX, 1, 5, NULL);
    raises("keep(nope)", E_NAME, 1, 6, NULL);
    run("def scratch(x) = x");
  }
  run("1");
  eval_kept(I, &s1, &c1);
  /* the entry with keep's closure stays, and the last def of scratch */
  cr_assert_leq(s1, s0 + 2, "sources grew from %d to %d", s0, s1);
  cr_assert_leq(c1, c0 + 2, "chunks grew from %d to %d", c0, c1);
  /* an error inside a function from an old entry still shows its line */
  raises("keep('a')", E_TYPE, 1, 0, NULL);
  prints("print(keep(41))", "42\n");
}
