/* fault_oom.c — out-of-memory injection (the fault table's last row; Lua's
 * ltests and SQLite's OOM tests in spirit).
 *
 * usage: fault_oom [--full] [--budget N] [--at N] [-v] [SCENARIO...]
 *
 * Each scenario is a list of REPL-like commands (definitions, arithmetic,
 * arrays, printing, f-strings, dicts, grad, vmap, jit, jvp, control flow,
 * random, errors).  For N = 1, 2, 3, …: a new interpreter (its start-up is
 * scenario "startup"), then the commands run as the REPL runs them (echo
 * through repr, errors formatted then cleared) with the N-th allocation
 * failing (jx_fail_after).  The command during which it fails must end
 * with a MemoryError, or succeed, or raise the error it raises without the
 * failure; no command may crash; afterwards the interpreter must be idle
 * (no pending error, call depth 0, empty trace stack) and still work (a
 * check command computing with a closure, an array, grad and vmap); then
 * it is freed.  The loop stops at the first N past the scenario's last
 * allocation.  LeakSanitizer (the ASan build) checks at exit that every
 * failed path released what it held.
 *
 * By default each scenario tries about --budget points (default 300):
 * every N up to a third of it, then an even stride over the rest of the
 * scenario's allocations; --full tries every N; --at N only that N (to
 * debug a finding: fault_oom --at N -v SCENARIO).  Ends with `N passed, N failed` (one test per
 * scenario) after a line with the number of injection points covered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../ad/ad.h"
#include "../../eval/eval.h"

typedef struct {
  const char *src;
  ErrKind expect; /* E_NONE: succeeds without the failure */
} Cmd;

typedef struct {
  const char *name;
  Cmd cmds[16];
} Scenario;

#define OK E_NONE
static const Scenario scenarios[] = {
    {"startup", {{NULL, OK}}},
    {"basics",
     {{"let a = 1 + 2 * 3", OK},
      {"def sq(x) = x * x", OK},
      {"sq(a) - 7", OK},
      {"let t = (1, 2.5, \"s\", None, True)", OK},
      {"t", OK},
      {"let d = {'w': 1.5, 'b': (2, 3)}", OK},
      {"d['w'] + d['b'][1]", OK},
      {"f\"a={a} t={t} d={d} {3.14159:.2f} {a:>6d}\"", OK},
      {"let s = 'ab'; s += 'cd'; s", OK},
      {"def fact(n) = if n <= 1 { 1 } else { n * fact(n - 1) }", OK},
      {"fact(15)", OK},
      {"let k = 0; for i in range(50) { k += i }; while k > 10 { k //= 2 }; k", OK},
      {"fn(x, y=2) => x + y", OK},
      {"print(a, t, d); print(fact)", OK},
      {NULL, OK}}},
    {"errors",
     {{"undefined_name + 1", E_NAME},
      {"1 +", E_SYNTAX},
      {"(1, 2)[5]", E_INDEX},
      {"{'a': 1}['b']", E_KEY},
      {"1 // 0", E_VALUE},
      {"def f(x) = x + nope; f(1)", E_NAME},
      {"def deep(n) = deep(n + 1); deep(0)", E_RECURSION},
      {"assert(1 == 2, 'no')", E_ASSERTION},
      {"array([1.0, 2.0]) + array([1.0, 2.0, 3.0])", E_SHAPE},
      {"'a' + 1", E_TYPE},
      {"zeros((10**12, 10**12))", E_MEMORY},
      {NULL, OK}}},
    {"arrays",
     {{"let v = array([1.0, 2.0, 3.0])", OK},
      {"v * 2.0 + 1.0", OK},
      {"let m = reshape(arange(6.0), (2, 3))", OK},
      {"m @ transpose(m)", OK},
      {"sum(m, axis=0) + mean(m) - max(v)", OK},
      {"m[1, 1:] * v[:2]", OK},
      {"concatenate([v, v]) > 2.0", OK},
      {"where(v > 1.5, v, -v)", OK},
      {"linalg.inv(array([[2.0, 1.0], [1.0, 3.0]]))", OK},
      {"zeros((3, 4)) + ones(4)", OK},
      {"exp(v) / sum(exp(v))", OK},
      {"v.at[1].set(7.0)", OK},
      {"print(arange(2000.0))", OK},
      {NULL, OK}}},
    {"transforms",
     {{"def f(x) = sum(sin(x) * x + x ** 2.0)", OK},
      {"let v = array([0.5, 1.0, 2.0])", OK},
      {"grad(f)(v)", OK},
      {"grad(fn(x) => x * x * x)(2.0)", OK},
      {"grad(grad(fn(x) => sin(x) * x))(1.0)", OK},
      {"vmap(fn(x) => x * 2.0 + sin(x))(v)", OK},
      {"vmap(grad(fn(x) => tanh(x) * x))(v)", OK},
      {"jit(fn(x) => sum(tanh(x) ** 2.0))(v)", OK},
      {"jvp(sin, (1.0,), (1.0,))", OK},
      {"vjp(fn(x) => x * 3.0, 2.0)[1](1.0)", OK},
      {"make_jaxpr(fn(x) => sin(x) * 2.0)(1.0)", OK},
      {"grad(fn(p) => p['w'] * 2.0 + p['b'])({'w': 1.0, 'b': 2.0})", OK},
      {"vmap(fn(x) => if x > 1.0 { x } else { -x })(v)", OK},
      {"grad(fn(x) => x * undefined_q)(1.0)", E_NAME},
      {"vmap(fn(x, y) => x)(array([1.0]), array([1.0, 2.0]))", E_VALUE},
      {NULL, OK}}},
    {"control_custom",
     {{"def cs(x) = scan(fn(c, y) => (c * y + x, c), x, array([1.0, 2.0, 3.0]))[0]", OK},
      {"def cd(x) = cond(x > 1.0, fn(v) => v ** 3, fn(v) => sin(v), x)", OK},
      {"def fl(x) = fori_loop(0, 4, fn(i, s) => s * x + i, 1.0)", OK},
      {"(grad(cs)(0.5), grad(cd)(2.0), grad(fl)(0.7), jit(fl)(0.7))", OK},
      {"while_loop(fn(v) => v < 10.0, fn(v) => v * 2.0, 1.0)", OK},
      {"vmap(fn(x) => cond(x > 0.0, fn(v) => v * 2.0, fn(v) => -v, x))(array([-1.0, 2.0]))", OK},
      {"def sf(x) = 1 / (1 + exp(-x))", OK},
      {"let sg = custom_jvp(sf, fn(p, t) => (sf(p[0]), sf(p[0]) * (1 - sf(p[0])) * t[0]))", OK},
      {"(grad(sg)(0.5), jvp(sg, (2.0,), (3.0,)))", OK},
      {"let cr = custom_vjp(fn(x) => maximum(0.0, x), fn(x) => (maximum(0.0, x), x), "
       "fn(x, g) => (where(x > 0.0, g, 0.0),))",
       OK},
      {"grad(fn(x) => sum(cr(x)))(array([-1.0, 0.5, 2.0]))", OK},
      {"(jacfwd(fn(x) => sin(x) * x)(array([1.0, 2.0])), jacrev(fn(x) => x ** 2.0)(array([1.0, "
       "3.0])))",
       OK},
      {"hessian(fn(x) => sum(x ** 3.0))(array([1.0, 2.0]))", OK},
      {"value_and_grad(fn(x) => sum(tanh(x)))(array([0.1, 0.2]))", OK},
      {"check_grads(fn(x) => sin(x) * x, (0.3,), order=2)", OK},
      {NULL, OK}}},
    {"library",
     {{"let m = array([[4.0, 1.0], [1.0, 3.0]])", OK},
      {"(linalg.solve(m, array([1.0, 2.0])), linalg.det(m), linalg.cholesky(m), linalg.slogdet(m))",
       OK},
      {"einsum('ij,jk->ik', m, m) + tensordot(m, m, 1) + outer(m[0], m[1])", OK},
      {"(cumsum(arange(5.0)), logsumexp(arange(3.0)), var(m), std(m, axis=1), argmax(m))", OK},
      {"(stack([m, m]), tile(m, (2, 1)), repeat(m, 2, axis=0), flip(m), roll(m, 1), pad(m, 1))",
       OK},
      {"(split(arange(6.0), 3), take(arange(5.0), array([0, 2])), diag(m), trace(m), eye(3))", OK},
      {"tree_map(fn(x) => x * 2.0, {'a': (1.0, m), 'b': [2.0]})", OK},
      {"(keys({'a': 1, 'b': 2}), items({'a': 1}), list_sum = 0)", E_SYNTAX},
      {"let acc = 0; for (i, v) in enumerate(zip((1, 2), (3, 4))) { acc += i * v[0] * v[1] }; acc",
       OK},
      {"f\"{1e300 * 10:.3e} {-0.0} {2**62:,d} {'x':>5} {m!r}\"", OK},
      {"str(m) + repr('q') + format(3.5, '08.3f')", OK},
      {"(nn.one_hot(array([0, 2]), 3), nn.gelu(m), nn.log_softmax(m, axis=1))", OK},
      {"(random.permutation(random.PRNGKey(1), 5), random.randint(random.PRNGKey(2), (3,), 0, 9))",
       OK},
      {"make_jaxpr(fn(x, y) => sum(x @ y) + cond(True, fn(v) => v, fn(v) => -v, 1.0))(m, m)", OK},
      {"print(arange(1200.0).reshape((40, 30)))", OK},
      {NULL, OK}}},
    {"printing_errors",
     {{"print(reshape(arange(24.0), (2, 3, 4)), array([True, False]), arange(5) * 3, zeros((0, "
       "3)))",
       OK},
      {"print(array([1e-10, 1e10, nan, -inf]), array([[1.5, -2.25], [1e5, 3.0]]))", OK},
      {"print(f\"{'%s':>10}|{12345.678:,.2f}|{0.000123:e}|{255:#x}|{-7:+05d}|{3:b}|{1e300:g}\")",
       OK},
      {"print(str((1, 'a', (None, True), {'k': [1.0, 2.0]})), repr(\"q'uote\\n\"))", OK},
      {"def lvl3(x) = x + nope_var", OK},
      {"def lvl2(x) = lvl3(x) * 2", OK},
      {"def lvl1(x) = lvl2(x) - 1", OK},
      {"lvl1(1)", E_NAME},
      {"grad(fn(x) => lvl1(x))(1.0)", E_NAME},
      {"vmap(lvl1)(array([1.0, 2.0]))", E_NAME},
      {"print(make_jaxpr(fn(x) => sum(sin(x) * x) + cond(x[0] > 0.0, fn(v) => v, fn(v) => -v, "
       "x[1]))(array([1.0, 2.0])))",
       OK},
      {"explain(grad(fn(x) => sin(x) * x))(1.0)", OK},
      {"print(range(3), fn(a, b=2) => a, print, random.PRNGKey(3))", OK},
      {NULL, OK}}},
    {"more_library",
     {{"let p = {'w': array([[1.0, 2.0], [3.0, 4.0]]), 'b': array([0.5, -0.5])}", OK},
      {"def loss(p, x) = sum(tanh(x @ p['w'] + p['b']) ** 2.0)", OK},
      {"grad(loss)(p, array([[1.0, 0.0], [0.0, 1.0]]))", OK},
      {"vmap(grad(loss), in_axes=(None, 0))(p, array([[[1.0, 0.0]], [[0.0, 1.0]]]))", OK},
      {"(jacfwd(fn(x) => x * x)(array([1.0, 2.0])), linearize(sin, 1.0)[1](2.0))", OK},
      {"jit(grad(loss))(p, array([[1.0, 1.0]]))", OK},
      {"jit(grad(loss))(p, array([[1.0, 1.0], [2.0, 2.0]]))", OK},
      {"tree_map(fn(a, b) => a + b, p, p)", OK},
      {"(sum(p['w'], axis=1, keepdims=True), transpose(p['w']), p['w'][::-1, 1:], ravel(p['w']))",
       OK},
      {"(squeeze(expand_dims(p['b'], 0)), moveaxis(zeros((2, 3, 4)), 0, 2).shape, "
       "vstack([p['b'], p['b']]), hstack([p['b'], p['b']]))",
       OK},
      {"let s = 0.0; for (i, v) in enumerate(p['b']) { s += v * i }; s", OK},
      {"let acc = (); for k in keys(p) { acc = acc + (k,) }; acc", OK},
      {"(int(3.7), float(2), bool(0.0), len('héllo'), str(1e100), abs(-3), max(array([1, 2])), "
       "maximum(3.0, 2))",
       OK},
      {"stop_gradient(p['b']) * 2.0 + nn.sigmoid(p['b'])", OK},
      {NULL, OK}}},
    {"random_nn",
     {{"let key = random.PRNGKey(0)", OK},
      {"let k1, k2 = random.split(key)", OK},
      {"random.normal(k1, (3,))", OK},
      {"random.uniform(k2, (2, 2))", OK},
      {"nn.relu(array([-1.0, 2.0]))", OK},
      {"nn.softmax(array([1.0, 2.0, 3.0]))", OK},
      {NULL, OK}}},
};
#define NSCEN (sizeof scenarios / sizeof scenarios[0])

static int verbose, full;
static long budget = 300, only_n = 0;

static void discard(void *ud, const char *s, size_t n) {
  (void)ud;
  (void)s;
  (void)n;
}

static void echo(Interp *I, Value v, void *ud) {
  (void)ud;
  if (v.tag == T_NONE) return;
  StrBuf sb;
  sb_init(&sb);
  jx_repr(I, v, &sb);
  sb_free(&sb);
  /* the REPL then binds `_`; a failure there is cleared (repl.c) */
  if (eval_set_global(I, "_", v) < 0) jx_err_clear(I);
}

/* Run one command as the REPL does; returns the error kind (E_NONE). */
static ErrKind run_cmd(Interp *I, const char *src) {
  Value r = eval_string(I, "<stdin>", src, strlen(src), echo, NULL, NULL);
  if (!IS_EXC(r)) {
    v_decref(r);
    return I->err.kind; /* E_NONE unless something left an error behind */
  }
  ErrKind k = I->err.kind;
  StrBuf sb;
  sb_init(&sb);
  eval_format_error(I, &sb);
  sb_free(&sb);
  jx_err_clear(I);
  return k == E_NONE ? E__COUNT : k; /* failed without an error: a bug */
}

static Interp *start(void) {
  Interp *I = jx_new();
  if (!I) return NULL;
  I->out = discard;
  if (eval_init(I) < 0 || eval_prelude(I) < 0) {
    jx_free_interp(I);
    return NULL;
  }
  return I;
}

/* The check command: the interpreter still works. NULL if fine. */
static const char *check_works(Interp *I) {
  if (I->err.kind != E_NONE) return "an error is pending";
  if (I->depth != 0) return "call depth is not 0";
  if (trace_depth(I) != 0) return "the trace stack is not empty";
  static const char chk[] =
      "def _chk(x) = sum(x * x) + 1.0\n"
      "_chk(array([1.0, 2.0])) + grad(_chk)(3.0) + sum(vmap(fn(z) => z * 2.0)(array([1.0, 2.0])))";
  Value r = eval_string(I, "<check>", chk, sizeof chk - 1, NULL, NULL, NULL);
  if (IS_EXC(r)) {
    static char why[256];
    snprintf(why, sizeof why, "the check command fails: %s: %s", err_kind_name(I->err.kind),
             I->err.msg ? I->err.msg : "");
    jx_err_clear(I);
    return why;
  }
  bool ok = r.tag == T_FLOAT && r.u.f == 6.0 + 6.0 + 6.0;
  v_decref(r);
  return ok ? NULL : "the check command gives a wrong value";
}

/* One injection run; returns 1 if the failure happened, 0 if N is past the
 * scenario's allocations, -1 on a finding (printed). */
static int inject(const Scenario *sc, long N) {
  const char *why = NULL;
  int where = -1;
  ErrKind got = E_NONE;
  if (!sc->cmds[0].src) { /* startup */
    jx_fail_after(N);
    Interp *I = start();
    bool fired = jx_fail_pending() == 0;
    jx_fail_after(0);
    if (I) {
      if (fired && I->err.kind != E_NONE) why = "start-up succeeded with an error pending";
      if (!why) why = check_works(I);
      jx_free_interp(I);
    } else if (!fired) {
      why = "start-up failed without an injected failure";
    }
    if (why) {
      printf("FAIL %s N=%ld: %s\n", sc->name, N, why);
      return -1;
    }
    return fired;
  }
  Interp *I = start();
  if (!I) {
    printf("FAIL %s: cannot start an interpreter\n", sc->name);
    return -1;
  }
  jx_fail_after(N);
  bool fired = false;
  for (int c = 0; sc->cmds[c].src; c++) {
    long pb = jx_fail_pending();
    ErrKind k = run_cmd(I, sc->cmds[c].src);
    long pa = jx_fail_pending();
    if (verbose && N > 0)
      printf("     N=%ld command %d: %s%s\n", N, c, k == E_NONE ? "ok" : err_kind_name(k),
             I->err.kind != E_NONE ? " (error left pending)" : "");
    if (k == E__COUNT) {
      why = "a command failed without an error";
      where = c;
      break;
    }
    if (N > 0 && pb > 0 && pa == 0) { /* the failure happened in this command */
      fired = true;
      where = c;
      got = k;
      if (k != E_NONE && k != E_MEMORY && k != sc->cmds[c].expect) {
        why = "the failure surfaced as another error";
        break;
      }
      if (k == E_NONE && sc->cmds[c].expect != E_NONE) {
        why = "an erroneous command succeeded";
        break;
      }
    } else if (N == 0 || pa > 0) {
      /* no failure yet: the command must behave as without injection */
      if (k != sc->cmds[c].expect) {
        why = "wrong result (no failure injected yet)";
        where = c;
        got = k;
        break;
      }
    }
  }
  jx_fail_after(0);
  if (!why) why = check_works(I);
  jx_free_interp(I);
  if (why) {
    printf("FAIL %s N=%ld: %s", sc->name, N, why);
    if (where >= 0)
      printf(" (command %d `%s`: %s, expected %s or MemoryError)", where, sc->cmds[where].src,
             got == E_NONE ? "success" : err_kind_name(got),
             sc->cmds[where].expect == E_NONE ? "success" : err_kind_name(sc->cmds[where].expect));
    printf("\n");
    fflush(stdout);
    return -1;
  }
  return fired;
}

int main(int argc, char **argv) {
  const char *only[16];
  int nonly = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--full"))
      full = 1;
    else if (!strcmp(argv[i], "-v"))
      verbose = 1;
    else if (!strcmp(argv[i], "--budget") && i + 1 < argc)
      budget = atol(argv[++i]);
    else if (!strcmp(argv[i], "--at") && i + 1 < argc)
      only_n = atol(argv[++i]);
    else if (nonly < 16)
      only[nonly++] = argv[i];
  }
  long total_points = 0;
  int passed = 0, failed = 0;
  for (size_t s = 0; s < NSCEN; s++) {
    const Scenario *sc = &scenarios[s];
    if (nonly) {
      bool want = false;
      for (int i = 0; i < nonly; i++) want |= !strcmp(only[i], sc->name);
      if (!want) continue;
    }
    /* the scenario must run cleanly without injection */
    int r0 = inject(sc, 0);
    if (r0 < 0) {
      failed++;
      continue;
    }
    /* how many allocations the scenario makes */
    const long BIG = 1000000000L;
    long total;
    if (!sc->cmds[0].src) {
      jx_fail_after(BIG);
      Interp *I = start();
      total = BIG - jx_fail_pending();
      jx_fail_after(0);
      jx_free_interp(I);
    } else {
      Interp *I = start();
      jx_fail_after(BIG);
      for (int c = 0; sc->cmds[c].src; c++) run_cmd(I, sc->cmds[c].src);
      total = BIG - jx_fail_pending();
      jx_fail_after(0);
      jx_free_interp(I);
    }
    /* every N up to the budget, then an even stride over the rest */
    long dense = full || total <= budget ? total + 1 : budget / 3;
    long stride = full || total <= budget ? 1 : (total - dense) / (budget - dense) + 1;
    long points = 0, findings = 0, N = only_n ? only_n : 1, last = 0;
    for (;;) {
      int r = inject(sc, N);
      if (r == 0) break;
      points++;
      last = N;
      if (r < 0 && ++findings >= 10) {
        printf("     %s: stopping after 10 findings\n", sc->name);
        break;
      }
      N += N < dense ? 1 : stride;
      if (only_n) break;
    }
    if (verbose) printf("     %s: %ld allocations, stride %ld\n", sc->name, total, stride);
    total_points += points;
    printf("%s %s: %ld injection points of %ld allocations (last N=%ld)%s\n",
           findings ? "FAIL" : "ok  ", sc->name, points, total, last,
           findings ? "" : ", all clean");
    fflush(stdout);
    if (findings)
      failed++;
    else
      passed++;
  }
  printf("fault_oom: %ld injection points covered\n", total_points);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
