/* fuzz_common.c — interpreter set-up, limits and invariant checks shared by
 * the fuzz targets; see fuzz_common.h. */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "../../ad/ad.h"
#include "../../eval/eval.h"

typedef struct {
  char *buf; /* plain malloc: outside the allocation hooks */
  size_t len, cap;
  size_t total;
} FzOut;

/* The interpreter whose run is being timed (a signal handler reaches only
 * statics). */
static Interp *volatile g_running;

static void on_cpu_timer(int sig) {
  (void)sig;
  Interp *I = g_running;
  if (I) I->interrupted = 1;
}

static void fz_out(void *ud, const char *s, size_t n) {
  FzOut *o = ud;
  o->total += n;
  if (o->len + n > FZ_MAX_OUTPUT) n = o->len < FZ_MAX_OUTPUT ? FZ_MAX_OUTPUT - o->len : 0;
  if (!n) return;
  if (o->len + n + 1 > o->cap) {
    size_t cap = o->cap ? o->cap : 256;
    while (cap < o->len + n + 1) cap *= 2;
    char *b = realloc(o->buf, cap);
    if (!b) return;
    o->buf = b;
    o->cap = cap;
  }
  memcpy(o->buf + o->len, s, n);
  o->len += n;
  o->buf[o->len] = 0;
}

int fz_verbose(void) {
  static int v = -1;
  if (v < 0) v = getenv("JX_FUZZ_VERBOSE") != NULL;
  return v;
}

void fz_fail(const char *what, const char *src, size_t n, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "\n*** fuzz finding (%s): ", what);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  if (src) {
    fprintf(stderr, "\n*** input (%zu bytes):\n", n);
    fwrite(src, 1, n > 4000 ? 4000 : n, stderr);
  }
  fprintf(stderr, "\n");
  abort();
}

Interp *fz_new(void) {
  static int installed;
  if (!installed) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_cpu_timer;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGVTALRM, &sa, NULL);
    installed = 1;
  }
  jx_alloc_limit(0);
  Interp *I = jx_new();
  if (!I || eval_init(I) < 0 || eval_prelude(I) < 0)
    fz_fail("setup", NULL, 0, "cannot make an interpreter: %s",
            I && I->err.msg ? I->err.msg : "(no message)");
  FzOut *o = calloc(1, sizeof *o);
  if (!o) abort();
  I->out = fz_out;
  I->out_ud = o;
  I->max_depth = FZ_MAX_DEPTH;
  return I;
}

const char *fz_output(Interp *I, size_t *len) {
  FzOut *o = I->out_ud;
  if (len) *len = o->len;
  return o->buf ? o->buf : "";
}

static void check_idle(Interp *I, const char *src, size_t n) {
  if (I->err.kind != E_NONE)
    fz_fail("invariant", src, n, "an error is still pending: %s: %s", err_kind_name(I->err.kind),
            I->err.msg ? I->err.msg : "");
  if (I->depth != 0) fz_fail("invariant", src, n, "call depth is %d after the run", I->depth);
  if (trace_depth(I) != 0)
    fz_fail("invariant", src, n, "the trace stack holds %d traces after the run", trace_depth(I));
}

static void check_error(Interp *I, const char *src, size_t n) {
  ErrKind k = I->err.kind;
  if (k <= E_NONE || k >= E__COUNT)
    fz_fail("invariant", src, n, "failed without an error (kind %d)", (int)k);
  if (I->err.line < 0 || I->err.col < 0 || (I->err.line > 0 && I->err.col == 0))
    fz_fail("invariant", src, n, "bad error location %d:%d", I->err.line, I->err.col);
  if (k == E_SYNTAX && (I->err.line <= 0 || I->err.col <= 0))
    fz_fail("invariant", src, n, "a SyntaxError without line:col (%s)",
            I->err.msg ? I->err.msg : "");
  /* formatting the error must work too */
  StrBuf sb;
  sb_init(&sb);
  eval_format_error(I, &sb);
  sb_free(&sb);
}

static void arm(Interp *I) {
  jx_alloc_limit(FZ_ALLOC_LIMIT);
  I->interrupted = 0;
  g_running = I;
  struct itimerval it = {{0, 0}, {FZ_CPU_MS / 1000, (FZ_CPU_MS % 1000) * 1000}};
  setitimer(ITIMER_VIRTUAL, &it, NULL);
}

static void disarm(Interp *I) {
  struct itimerval it = {{0, 0}, {0, 0}};
  setitimer(ITIMER_VIRTUAL, &it, NULL);
  g_running = NULL;
  I->interrupted = 0;
  jx_alloc_limit(0);
}

Value fz_eval(Interp *I, const char *src, size_t n, ErrKind *kind) {
  if (kind) *kind = E_NONE;
  arm(I);
  Value r = eval_string(I, "<fuzz>", src, n, NULL, NULL, NULL);
  disarm(I);
  if (IS_EXC(r)) {
    check_error(I, src, n);
    if (kind) *kind = I->err.kind;
    if (fz_verbose())
      fprintf(stderr, "  -> %s: %s\n", err_kind_name(I->err.kind), I->err.msg ? I->err.msg : "");
    jx_err_clear(I);
  } else if (I->err.kind != E_NONE) {
    /* a success may leave a cleared-then-reraised error only by mistake */
    fz_fail("invariant", src, n, "success with an error pending: %s", I->err.msg ? I->err.msg : "");
  }
  check_idle(I, src, n);
  return r;
}

int fz_run(Interp *I, const char *file, const char *src, size_t n, ErrKind *kind) {
  (void)file;
  Value r = fz_eval(I, src, n, kind);
  if (IS_EXC(r)) return 0;
  v_decref(r);
  return 1;
}

void fz_free(Interp *I) {
  check_idle(I, NULL, 0);
  static const char probe[] = "def _fz_probe_q7(x) = x * 2 + 1\n_fz_probe_q7(20)";
  Value r = eval_string(I, "<probe>", probe, sizeof probe - 1, NULL, NULL, NULL);
  if (IS_EXC(r) || r.tag != T_INT || r.u.i != 41)
    fz_fail("invariant", NULL, 0, "the interpreter is broken after the run: %s",
            IS_EXC(r) && I->err.msg ? I->err.msg : "wrong value");
  FzOut *o = I->out_ud;
  jx_free_interp(I);
  free(o->buf);
  free(o);
}
