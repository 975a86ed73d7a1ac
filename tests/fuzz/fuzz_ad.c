/* fuzz_ad.c — fuzz target: transformations checked against their
 * definitions on small generated programs.
 *
 * The input drives a small stack machine that writes a differentiable
 * expression e(x) over sin, cos, tanh, exp, log1p, +, -, *, /, **, sum,
 * where and negation, for a scalar x or an x of shape (n,), n <= 4, and the
 * point x0 and a batch xs of 3 points.  With def g(x) = e(x) and
 * def f(x) = sum(g(x)), it checks
 *   - grad(f)(x0) against jvp (forward mode, another rule table) and
 *     against central finite differences of f at steps h, h/2, h/4
 *     (Richardson extrapolated; a component gets no verdict where the two
 *     estimates disagree — a kink, an overflow, an oscillation faster than
 *     h — or where an intermediate value at x0 is not finite, since then
 *     the gradient is NaN in JAX too);
 *   - vmap(g)(xs)[i] == g(xs[i]) and vmap(grad(f))(xs)[i] == grad(f)(xs[i]);
 *   - jit(f)(x0) == f(x0) and jit(grad(f))(x0) == grad(f)(x0).
 * A mismatch beyond tolerance, or a transformation that fails where the
 * plain call works, is a finding (abort).  MemoryError and Interrupted are
 * resource limits, not findings. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../eval/eval.h"
#include "../../stdlib/array.h"
#include "fuzz_common.h"

#define MAX_OPS 48
#define MAX_STACK 8
#define MAX_EXPR 3000
#define MAX_N 4
#define BATCH 3

typedef struct {
  const uint8_t *d;
  size_t n, i;
} Bytes;

static unsigned byte(Bytes *b) { return b->i < b->n ? b->d[b->i++] : 0; }

/* A value in [-2, 2] on a grid of 1/64, never exactly 0 or +-1 too often. */
static double point(Bytes *b) { return ((double)byte(b) - 127.5) / 64.0; }

typedef struct {
  char *s[MAX_STACK];
  int n;
  bool overflow;
  /* every subexpression made (copies), for the finiteness check */
  char *sub[MAX_OPS + 8];
  int nsub;
} Stack;

static char *fmt(const char *f, const char *a, const char *c) {
  size_t n = strlen(f) + (a ? strlen(a) : 0) + (c ? strlen(c) : 0) * 2 + 32;
  char *s = malloc(n);
  if (!s) abort();
  if (c)
    snprintf(s, n, f, a, c);
  else
    snprintf(s, n, f, a);
  return s;
}

static void push(Stack *st, char *s) {
  if (st->n == MAX_STACK || strlen(s) > MAX_EXPR) {
    st->overflow = true;
    free(s);
    return;
  }
  st->s[st->n++] = s;
  if (st->nsub < MAX_OPS + 8) st->sub[st->nsub++] = strdup(s);
}

static char *pop(Stack *st) { return st->n ? st->s[--st->n] : strdup("x"); }

static void gen(Bytes *b, Stack *st) {
  int nops = 1 + (int)(byte(b) % MAX_OPS);
  for (int k = 0; k < nops && !st->overflow && b->i < b->n; k++) {
    unsigned op = byte(b) % 18; /* 17: x */
    char buf[64];
    if (op == 0 || st->n == 0) {
      push(st, strdup("x"));
    } else if (op == 1) {
      snprintf(buf, sizeof buf, "(%.17g)", point(b));
      push(st, strdup(buf));
    } else if (op <= 6 || op == 16) {
      static const char *const f1[] = {
          "sin(%s)", "cos(%s)", "tanh(%s)", "exp(%s)", "log1p((%s) * (%s))", "log1p(%s)"};
      char *a = pop(st);
      push(st, fmt(f1[op == 16 ? 5 : op - 2], a, op == 6 ? a : NULL));
      free(a);
    } else if (op <= 10) {
      static const char *const f2[] = {"(%s + %s)", "(%s - %s)", "(%s * %s)",
                                       "(%s / ((%s) * (%s) + 1.0))"};
      char *y = pop(st), *x = pop(st);
      size_t n = strlen(x) + 2 * strlen(y) + 32;
      char *s = malloc(n);
      if (!s) abort();
      if (op == 10)
        snprintf(s, n, f2[3], x, y, y);
      else
        snprintf(s, n, f2[op - 7], x, y);
      push(st, s);
      free(x);
      free(y);
    } else if (op == 11) {
      static const char *const pw[] = {"((%s) ** 2)", "((%s) ** 3)", "(((%s) * (%s) + 1.0) ** 0.5)",
                                       "(((%s) * (%s) + 1.0) ** -1.5)"};
      unsigned which = byte(b) % 4;
      char *a = pop(st);
      size_t n = 2 * strlen(a) + 32;
      char *s = malloc(n);
      if (!s) abort();
      snprintf(s, n, pw[which], a, a);
      push(st, s);
      free(a);
    } else if (op == 12) {
      char *a = pop(st);
      push(st, fmt("sum(%s)", a, NULL));
      free(a);
    } else if (op == 13) {
      char *y = pop(st), *x = pop(st);
      size_t n = 2 * strlen(x) + 2 * strlen(y) + 32;
      char *s = malloc(n);
      if (!s) abort();
      snprintf(s, n, "where(%s > %s, %s, %s)", x, y, x, y);
      push(st, s);
      free(x);
      free(y);
    } else if (op == 14) {
      char *a = pop(st);
      push(st, strdup(a));
      push(st, a);
    } else if (op == 15) {
      char *a = pop(st);
      push(st, fmt("(-(%s))", a, NULL));
      free(a);
    } else {
      push(st, strdup("x"));
    }
  }
}

/* Flatten a numeric value into out[0..*n). 0, or -1 if it is not numeric
 * or too big. */
static int flat(Value v, double *out, int64_t cap, int64_t *n) {
  if (v.tag == T_FLOAT)
    out[0] = v.u.f, *n = 1;
  else if (v.tag == T_INT || v.tag == T_BOOL)
    out[0] = (double)v.u.i, *n = 1;
  else if (v.tag == T_ARRAY) {
    Array *a = AS_ARRAY(v);
    if (a->size > cap) return -1;
    for (int64_t k = 0; k < a->size; k++) out[k] = arr_get_f(a, k);
    *n = a->size;
  } else {
    return -1;
  }
  return 0;
}

typedef struct {
  Interp *I;
  const char *prog;
  size_t plen;
} Ctx;

/* Evaluate expr; 1 with the numbers, 0 if it failed for a resource limit
 * (MemoryError, Interrupted, RecursionError), and -1 for another error
 * (kind in *kind). */
static int num(Ctx *c, const char *expr, double *out, int64_t cap, int64_t *n, ErrKind *kind) {
  Value v = fz_eval(c->I, expr, strlen(expr), kind);
  if (IS_EXC(v))
    return (*kind == E_MEMORY || *kind == E_INTERRUPTED || *kind == E_RECURSION) ? 0 : -1;
  int r = flat(v, out, cap, n);
  v_decref(v);
  if (r < 0) fz_fail("ad", c->prog, c->plen, "%s gave a non-numeric value", expr);
  return 1;
}

static bool close_enough(double a, double b, double rtol, double atol) {
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
  if (isinf(a) || isinf(b)) return a == b;
  return fabs(a - b) <= atol + rtol * fabs(b);
}

static void arr_text(char *buf, size_t cap, const double *x, int n, bool scalar) {
  size_t k = 0;
  if (scalar) {
    snprintf(buf, cap, "%.17g", x[0]);
    return;
  }
  k += (size_t)snprintf(buf + k, cap - k, "array([");
  for (int i = 0; i < n; i++)
    k += (size_t)snprintf(buf + k, cap - k, "%s%.17g", i ? ", " : "", x[i]);
  snprintf(buf + k, cap - k, "])");
}

/* Compare two evaluations that must agree; a failure of the transformed
 * one where the plain one worked is a finding. */
static void same(Ctx *c, const char *plain, const char *xformed, double rtol) {
  double a[64], b[64];
  int64_t na = 0, nb = 0;
  ErrKind ka, kb;
  int ra = num(c, plain, a, 64, &na, &ka);
  if (ra <= 0) return; /* the plain one fails: nothing to compare */
  int rb = num(c, xformed, b, 64, &nb, &kb);
  if (rb == 0) return;
  if (rb < 0)
    fz_fail("ad", c->prog, c->plen, "%s works but %s raises %s", plain, xformed, err_kind_name(kb));
  if (na != nb)
    fz_fail("ad", c->prog, c->plen, "%s has %lld numbers, %s has %lld", plain, (long long)na,
            xformed, (long long)nb);
  for (int64_t k = 0; k < na; k++)
    if (!close_enough(b[k], a[k], rtol, 1e-12))
      fz_fail("ad", c->prog, c->plen, "%s[%lld] = %.17g but %s[%lld] = %.17g", xformed,
              (long long)k, b[k], plain, (long long)k, a[k]);
}

int fuzz_ad_one(const uint8_t *data, size_t size) {
  Bytes b = {data, size, 0};
  unsigned shape = byte(&b);
  bool scalar = (shape & 7) == 0;
  int n = scalar ? 1 : 1 + (int)((shape >> 3) % MAX_N);
  double x0[MAX_N], xs[BATCH][MAX_N];
  for (int i = 0; i < n; i++) x0[i] = point(&b);
  for (int j = 0; j < BATCH; j++)
    for (int i = 0; i < n; i++) xs[j][i] = point(&b);
  Stack st;
  memset(&st, 0, sizeof st);
  gen(&b, &st);
  char *e = pop(&st);
  while (st.n) {
    char *y = pop(&st);
    size_t len = strlen(e) + strlen(y) + 8;
    char *s = malloc(len);
    if (!s) abort();
    snprintf(s, len, "(%s + %s)", e, y);
    free(e);
    free(y);
    e = s;
  }
  size_t plen = 2 * strlen(e) + 1024;
  char *prog = malloc(plen);
  char *x0t = malloc(256), *xst = malloc(1024), *tmp = malloc(4096);
  if (!prog || !x0t || !xst || !tmp) abort();
  arr_text(x0t, 256, x0, n, scalar);
  {
    size_t k = (size_t)snprintf(xst, 1024, "array([");
    for (int j = 0; j < BATCH; j++) {
      char row[256];
      arr_text(row, sizeof row, xs[j], n, scalar);
      k += (size_t)snprintf(xst + k, 1024 - k, "%s%s", j ? ", " : "",
                            scalar ? row : row + 6 /* drop "array(" */);
      if (!scalar) xst[--k] = 0; /* and its ")" */
    }
    snprintf(xst + k, 1024 - k, "])");
  }
  snprintf(prog, plen, "def g(x) = %s\ndef f(x) = sum(g(x))\nlet x0 = %s\nlet xs = %s\n", e, x0t,
           xst);
  free(e);
  Ctx c = {fz_new(), prog, strlen(prog)};
  if (fz_verbose()) fprintf(stderr, "%s", prog);
  ErrKind kind;
  if (!fz_run(c.I, "<fuzz>", prog, strlen(prog), &kind)) {
    if (kind == E_SYNTAX || kind == E_NAME || kind == E_TYPE)
      fz_fail("ad", prog, c.plen, "the generated program does not run (%s)", err_kind_name(kind));
    goto done;
  }
  /* grad against finite differences */
  double fx[1], g[64];
  int64_t nf, ng;
  bool fd_verdict = true;
  if (num(&c, "f(x0)", fx, 1, &nf, &kind) <= 0 || !isfinite(fx[0])) goto vmaps;
  /* Every intermediate must be finite at x0: a NaN or inf in the branch
   * where() does not select, or tanh of an overflowed exp, makes the
   * gradient NaN in jx as in JAX (0 * inf), while f stays finite.  Finite
   * differences also need every intermediate below 1e8: past that a step
   * of h in x may vanish below the intermediate's ulp (cos(sum(exp(exp(
   * exp(x))))) at 1e109 does not move at all) and they see a zero
   * derivative that AD rightly does not; grad is then checked against jvp
   * only. */
  {
    size_t fl = 64;
    for (int k = 0; k < st.nsub; k++) fl += strlen(st.sub[k]) + 32;
    char *fin = malloc(fl);
    if (!fin) abort();
    /* largest magnitude of any intermediate (NaN if one is NaN) */
    size_t k0 = (size_t)snprintf(fin, fl, "def fin(x) = max(array([0.0");
    for (int k = 0; k < st.nsub; k++)
      k0 += (size_t)snprintf(fin + k0, fl - k0, ", max(abs(%s))", st.sub[k]);
    snprintf(fin + k0, fl - k0, "]))\nfin(x0)");
    Value v = fz_eval(c.I, fin, strlen(fin), &kind);
    free(fin);
    double big = IS_EXC(v) ? NAN : v.tag == T_FLOAT ? v.u.f : v.tag == T_INT ? (double)v.u.i : NAN;
    v_decref(v);
    if (!isfinite(big)) goto vmaps;
    fd_verdict = big <= 1e8;
  }
  int rg = num(&c, "grad(f)(x0)", g, 64, &ng, &kind);
  if (rg < 0)
    fz_fail("ad", prog, c.plen, "f(x0) works but grad(f)(x0) raises %s", err_kind_name(kind));
  if (rg == 0) goto vmaps;
  if (ng != n) fz_fail("ad", prog, c.plen, "grad has %lld components, x has %d", (long long)ng, n);
  for (int i = 0; i < n; i++) {
    /* forward mode must agree with reverse mode (separate rule tables) */
    {
      char et[256], xt[256];
      double ei[MAX_N] = {0}, jv[1];
      ei[i] = 1.0;
      arr_text(et, sizeof et, ei, n, scalar);
      arr_text(xt, sizeof xt, x0, n, scalar);
      snprintf(tmp, 4096, "jvp(f, (%s,), (%s,))[1]", xt, et);
      int64_t nj;
      int rj = num(&c, tmp, jv, 1, &nj, &kind);
      if (rj < 0)
        fz_fail("ad", prog, c.plen, "grad works but %s raises %s", tmp, err_kind_name(kind));
      if (rj > 0 && !close_enough(jv[0], g[i], 1e-9, 1e-12))
        fz_fail("ad", prog, c.plen, "grad(f)(x0)[%d] = %.17g but jvp gives %.17g", i, g[i], jv[0]);
    }
    if (!fd_verdict) continue;
    /* central differences at h, h/2, h/4; a verdict only where the two
     * Richardson estimates agree closely (smooth at this scale: no kink,
     * no oscillation faster than h, no overflow) */
    double fd[3];
    bool ok = true;
    for (int s = 0; s < 3 && ok; s++) {
      double h = ldexp(1e-3, -s) * fmax(1.0, fabs(x0[i]));
      double v[2];
      for (int sign = 0; sign < 2; sign++) {
        double xp[MAX_N];
        memcpy(xp, x0, sizeof xp);
        xp[i] += sign ? -h : h;
        char xt[256];
        arr_text(xt, sizeof xt, xp, n, scalar);
        snprintf(tmp, 4096, "f(%s)", xt);
        int64_t nv;
        if (num(&c, tmp, &v[sign], 1, &nv, &kind) <= 0 || !isfinite(v[sign])) ok = false;
      }
      if (ok) fd[s] = (v[0] - v[1]) / (2 * h);
    }
    if (!ok) continue;
    double est01 = (4 * fd[1] - fd[0]) / 3, est12 = (4 * fd[2] - fd[1]) / 3; /* O(h^4) */
    double scale = 1.0 + fabs(est12) + 1e-3 * fabs(fx[0]);
    if (fabs(est01 - est12) > 1e-6 * scale) continue; /* no verdict here */
    if (!(fabs(g[i] - est12) <= 1e-4 * scale))
      fz_fail("ad", prog, c.plen,
              "grad(f)(x0)[%d] = %.17g but finite differences give %.17g (h, h/2, h/4: %.17g, "
              "%.17g, %.17g)",
              i, g[i], est12, fd[0], fd[1], fd[2]);
  }
vmaps:
  for (int j = 0; j < BATCH; j++) {
    char a[512], bb[512];
    snprintf(a, sizeof a, "g(xs[%d])", j);
    snprintf(bb, sizeof bb, "vmap(g)(xs)[%d]", j);
    same(&c, a, bb, 1e-12);
    snprintf(a, sizeof a, "grad(f)(xs[%d])", j);
    snprintf(bb, sizeof bb, "vmap(grad(f))(xs)[%d]", j);
    same(&c, a, bb, 1e-12);
  }
  same(&c, "f(x0)", "jit(f)(x0)", 1e-12);
  same(&c, "grad(f)(x0)", "jit(grad(f))(x0)", 1e-12);
done:
  for (int k = 0; k < st.nsub; k++) free(st.sub[k]);
  fz_free(c.I);
  free(prog);
  free(x0t);
  free(xst);
  free(tmp);
  return 0;
}

#ifdef JX_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_ad_one(data, size); }
#endif
