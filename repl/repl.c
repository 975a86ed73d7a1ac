/* repl.c — the interactive REPL (LANGUAGE.md §8), see repl.h.
 *
 * With a terminal, input goes through GNU readline's callback interface
 * and select(), so that Ctrl-C at the prompt cancels the line cleanly;
 * without one (pipes), lines are read plainly and no prompt is shown.
 * Ctrl-C during a computation sets I->interrupted, which the evaluator
 * polls; the computation stops with an Interrupted error and the bindings
 * stay intact. */
#include "repl.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "../eval/eval.h"
#include "../parser/parser.h"
#include "../stdlib/builtins.h"
#include "../stdlib/teach.h"

#define PROMPT ">>> "
#define PROMPT2 "... "
#define HISTORY_MAX 2000
#ifndef JX_VERSION
#define JX_VERSION "0.1.0"
#endif

/* Signal state: a signal handler can only reach statics. */
static volatile int *g_interrupted;
static volatile sig_atomic_t g_sigint;
static volatile sig_atomic_t g_in_repl;

static void on_sigint(int sig) {
  (void)sig;
  if (!g_in_repl && g_interrupted && *g_interrupted) {
    /* a script that does not respond to the first Ctrl-C: give up */
    signal(SIGINT, SIG_DFL);
    raise(SIGINT);
    return;
  }
  if (g_interrupted) *g_interrupted = 1;
  g_sigint = 1;
}

void repl_install_sigint(Interp *I) {
  g_interrupted = &I->interrupted;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0; /* no SA_RESTART: select/read return EINTR */
  sigaction(SIGINT, &sa, NULL);
}

void repl_print_error(Interp *I, FILE *f) {
  StrBuf sb;
  sb_init(&sb);
  eval_format_error(I, &sb);
  fflush(stdout);
  if (sb.s) fputs(sb.s, f);
  fflush(f);
  sb_free(&sb);
  jx_err_clear(I);
}

/* ------------------------------------------------------------------ */
/* state                                                               */

typedef struct {
  Interp *I;
  StrBuf pending; /* lines of a multi-line entry so far */
  bool tty;
  bool done;
  int status;
  char *history_path;
} Repl;

static Repl *g_repl; /* for readline's callbacks */

static void echo_value(Interp *I, Value v, void *ud) {
  (void)ud;
  if (v.tag == T_NONE) return;
  StrBuf sb;
  sb_init(&sb);
  jx_repr(I, v, &sb);
  sb_putc(&sb, '\n');
  if (sb.oom) fprintf(stderr, "MemoryError: out of memory printing the value\n");
  else if (sb.s) jx_write(I, sb.s, sb.len);
  sb_free(&sb);
  if (I->err.kind == E_IO) { /* stdout is gone: stop */
    repl_print_error(I, stderr);
    if (g_repl) {
      g_repl->done = true;
      g_repl->status = 1;
    }
    return;
  }
  fflush(stdout);
  if (eval_set_global(I, "_", v) < 0) jx_err_clear(I);
}

static void run_code(Repl *R, const char *file, const char *src, size_t len, bool echo) {
  Interp *I = R->I;
  I->interrupted = 0;
  g_sigint = 0;
  Value r = eval_string(I, file, src, len, echo ? echo_value : NULL, NULL, NULL);
  fflush(stdout);
  if (IS_EXC(r))
    repl_print_error(I, stderr);
  else
    v_decref(r);
  I->interrupted = 0;
  g_sigint = 0;
}

/* ------------------------------------------------------------------ */
/* commands                                                            */

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t') s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
    s[--n] = 0;
  return s;
}

extern const char jx_prelude_src[] __attribute__((weak));

/* Help for a builtin written in jx: the comment lines right above its
 * `def NAME` / `let NAME` in the prelude. */
static void prelude_doc(const char *name) {
  if (!jx_prelude_src) return;
  size_t nl = strlen(name);
  const char *p = jx_prelude_src;
  const char *doc_start = NULL; /* first comment line of the current run */
  while (*p) {
    const char *e = strchr(p, '\n');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len >= 1 && p[0] == '#') {
      if (!doc_start) doc_start = p;
    } else {
      const char *q = NULL;
      if (len > 4 && !strncmp(p, "def ", 4))
        q = p + 4;
      else if (len > 4 && !strncmp(p, "let ", 4))
        q = p + 4;
      if (q && !strncmp(q, name, nl) && (q[nl] == '(' || q[nl] == ' ' || q[nl] == '=')) {
        if (doc_start) {
          printf("\n");
          for (const char *d = doc_start; d < p;) {
            const char *de = strchr(d, '\n');
            size_t dl = de ? (size_t)(de - d) : strlen(d);
            const char *t = d + 1;
            if (dl > 1 && *t == ' ') t++;
            printf("%.*s\n", (int)(dl - (size_t)(t - d)), t);
            d = de ? de + 1 : d + dl;
          }
        }
        return;
      }
      doc_start = NULL;
    }
    p = e ? e + 1 : p + len;
  }
}

static void cmd_help(Repl *R, const char *arg) {
  Interp *I = R->I;
  if (!*arg) {
    printf("Commands:\n"
           "  :help [name]   this text, or the help of a builtin (:help grad, :help jnp.sum)\n"
           "  :timeit EXPR   time an expression (loops, runs, mean ± std per loop)\n"
           "  :explain F(X)  show F's steps and values (and, for grad(f)(x), the backward pass)\n"
           "  :load FILE     run a file here, keeping its bindings\n"
           "  :reset         forget every binding made in this session\n"
           "  :quit          leave (Ctrl-D does too)\n"
           "Enter an expression to see its value (`_` is the last one). Ctrl-C cancels the\n"
           "line or interrupts a computation. Tab completes names.\n"
           "Builtins:");
    int col = 0;
    for (int k = 0;; k++) {
      const BuiltinDef *d = builtins_at(k);
      if (!d) break;
      int w = (int)strlen(d->name) + 1;
      if (col + w > 78) {
        printf("\n ");
        col = 1;
      } else if (col == 0) {
        printf("\n ");
        col = 1;
      }
      printf(" %s", d->name);
      col += w;
    }
    printf("\n");
    return;
  }
  const BuiltinDef *d = builtins_find(arg);
  if (d) {
    printf("%s(%s)\n\n%s\n", d->name, d->sig ? d->sig : "", d->doc ? d->doc : "(no documentation)");
    return;
  }
  Value *v = dict_get(I->globals, arg, strlen(arg));
  bool builtin = false;
  if (!v) {
    v = dict_get(I->builtins, arg, strlen(arg));
    builtin = v != NULL;
  }
  if (v) {
    StrBuf sb;
    sb_init(&sb);
    jx_repr(I, *v, &sb);
    printf("%s: %s\n", arg, sb.s ? sb.s : "");
    sb_free(&sb);
    if (builtin) prelude_doc(arg);
    return;
  }
  printf("no help for '%s' (:help lists the builtins)\n", arg);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void fmt_time(double t, char *buf, size_t n) {
  const char *unit;
  double v;
  if (t >= 1.0)
    v = t, unit = "s";
  else if (t >= 1e-3)
    v = t * 1e3, unit = "ms";
  else if (t >= 1e-6)
    v = t * 1e6, unit = "\xc2\xb5s";
  else
    v = t * 1e9, unit = "ns";
  snprintf(buf, n, "%.3g %s", v, unit);
}

static void cmd_timeit(Repl *R, const char *expr) {
  Interp *I = R->I;
  if (!*expr) {
    printf("usage: :timeit EXPR\n");
    return;
  }
  const char *kf, *ks;
  if (eval_keep_source(I, "<timeit>", expr, strlen(expr), &kf, &ks) < 0) {
    repl_print_error(I, stderr);
    return;
  }
  Chunk *c = parse_program(I, kf, ks, strlen(expr), 0, NULL);
  if (!c || eval_keep_chunk(I, c) < 0) {
    repl_print_error(I, stderr);
    return;
  }
  /* freed with its source before the next entry runs (release_chunks only
   * acts between top-level runs, never inside this loop) */
  c->finished = true;
  I->interrupted = 0;
  long loops = 1;
  double total = 0;
  /* find a loop count taking at least 0.2 s */
  for (;;) {
    double t0 = now();
    for (long k = 0; k < loops; k++) {
      Value r = eval_run_chunk(I, c, NULL, NULL);
      if (IS_EXC(r)) {
        repl_print_error(I, stderr);
        I->interrupted = 0;
        return;
      }
      v_decref(r);
    }
    total = now() - t0;
    if (total >= 0.2 || loops >= 100000000) break;
    loops *= 10;
  }
  int runs = 7;
  double times[7];
  for (int r = 0; r < runs; r++) {
    double t0 = now();
    for (long k = 0; k < loops; k++) {
      Value v = eval_run_chunk(I, c, NULL, NULL);
      if (IS_EXC(v)) {
        repl_print_error(I, stderr);
        I->interrupted = 0;
        return;
      }
      v_decref(v);
    }
    times[r] = (now() - t0) / (double)loops;
  }
  double mean = 0, var = 0;
  for (int r = 0; r < runs; r++) mean += times[r];
  mean /= runs;
  for (int r = 0; r < runs; r++) var += (times[r] - mean) * (times[r] - mean);
  double sd = sqrt(var / runs);
  char m[32], s[32], lp[32];
  fmt_time(mean, m, sizeof m);
  fmt_time(sd, s, sizeof s);
  /* loops with thousands separators, as IPython prints them */
  char raw[24];
  snprintf(raw, sizeof raw, "%ld", loops);
  size_t rl = strlen(raw), k = 0;
  for (size_t i = 0; i < rl; i++) {
    if (i && (rl - i) % 3 == 0) lp[k++] = ',';
    lp[k++] = raw[i];
  }
  lp[k] = 0;
  printf("%s \xc2\xb1 %s per loop (mean \xc2\xb1 std. dev. of %d runs, %s loop%s each)\n", m, s,
         runs, lp, loops == 1 ? "" : "s");
}

static void cmd_load(Repl *R, const char *path) {
  if (!*path) {
    printf("usage: :load FILE\n");
    return;
  }
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "IOError: cannot open '%s': %s\n", path, strerror(errno));
    return;
  }
  StrBuf sb;
  sb_init(&sb);
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) sb_putn(&sb, buf, n);
  bool bad = ferror(f);
  fclose(f);
  if (bad || sb.oom) {
    fprintf(stderr, "IOError: cannot read '%s'\n", path);
    sb_free(&sb);
    return;
  }
  run_code(R, path, sb.s ? sb.s : "", sb.len, false);
  sb_free(&sb);
}

/* :explain F(ARGS) runs explain(F)(ARGS) (ad/explain.c) */
static void cmd_explain(Repl *R, const char *expr) {
  char *src = explain_rewrite(expr);
  if (!src) {
    printf("usage: :explain F(ARGS), e.g. :explain grad(f)(0.5)\n");
    return;
  }
  run_code(R, "<stdin>", src, strlen(src), false);
  free(src);
}

static void command(Repl *R, char *line) {
  char *cmd = trim(line + 1);
  char *arg = cmd;
  while (*arg && *arg != ' ' && *arg != '\t') arg++;
  if (*arg) *arg++ = 0;
  arg = trim(arg);
  if (!strcmp(cmd, "help") || !strcmp(cmd, "h") || !strcmp(cmd, "?"))
    cmd_help(R, arg);
  else if (!strcmp(cmd, "timeit"))
    cmd_timeit(R, arg);
  else if (!strcmp(cmd, "explain"))
    cmd_explain(R, arg);
  else if (!strcmp(cmd, "load"))
    cmd_load(R, arg);
  else if (!strcmp(cmd, "reset")) {
    eval_clear_globals(R->I);
    printf("(all bindings cleared)\n");
  } else if (!strcmp(cmd, "quit") || !strcmp(cmd, "q") || !strcmp(cmd, "exit")) {
    R->done = true;
  } else {
    printf("unknown command ':%s' (:help lists the commands)\n", cmd);
  }
  fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* input                                                               */

static bool blank(const char *s) {
  for (; *s; s++) {
    if (*s == '#') return true;
    if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n') return false;
  }
  return true;
}

/* Handle one input line.  Returns true when more lines are needed. */
static bool handle_line(Repl *R, char *line) {
  Interp *I = R->I;
  if (R->pending.len == 0) {
    char *t = line;
    while (*t == ' ' || *t == '\t') t++;
    if (*t == ':') {
      if (R->tty) add_history(line);
      command(R, t);
      return false;
    }
    if (blank(line)) return false;
  }
  sb_puts(&R->pending, line);
  sb_putc(&R->pending, '\n');
  if (R->pending.oom) {
    fprintf(stderr, "MemoryError: input too long\n");
    sb_free(&R->pending);
    return false;
  }
  /* complete?  parse without keeping anything */
  bool incomplete = false;
  Chunk *c = parse_chunk(I, "<stdin>", R->pending.s, R->pending.len, 0, &incomplete);
  if (c) chunk_free(c);
  jx_err_clear(I);
  if (!c && incomplete) return true;
  if (R->tty) {
    /* one history entry per (multi-line) entry */
    size_t n = R->pending.len;
    char *h = malloc(n);
    if (h) {
      memcpy(h, R->pending.s, n - 1);
      h[n - 1] = 0;
      add_history(h);
      free(h);
    }
  }
  char *src = sb_take(&R->pending);
  size_t len = strlen(src);
  run_code(R, "<stdin>", src, len, true);
  free(src);
  return false;
}

/* ---- completion ------------------------------------------------------- */

static const char *const keywords[] = {
    "let",   "def",      "fn",  "lambda", "if",  "else", "for",   "in",   "while", "return",
    "break", "continue", "and", "or",     "not", "True", "False", "None", NULL};
static const char *const commands[] = {":help", ":timeit", ":explain", ":load", ":reset", ":quit", NULL};

typedef struct {
  char **v;
  int n, cap, at;
} Matches;
static Matches g_matches;

static void add_match(const char *prefix, const char *name, const char *text) {
  size_t pl = strlen(prefix), nl = strlen(name);
  size_t tl = strlen(text);
  char *m = malloc(pl + nl + 1);
  if (!m) return;
  memcpy(m, prefix, pl);
  memcpy(m + pl, name, nl + 1);
  if (strncmp(m, text, tl) != 0) {
    free(m);
    return;
  }
  for (int i = 0; i < g_matches.n; i++)
    if (!strcmp(g_matches.v[i], m)) {
      free(m);
      return;
    }
  if (g_matches.n == g_matches.cap) {
    int cap = g_matches.cap ? g_matches.cap * 2 : 64;
    char **nv = realloc(g_matches.v, (size_t)cap * sizeof(char *));
    if (!nv) {
      free(m);
      return;
    }
    g_matches.v = nv;
    g_matches.cap = cap;
  }
  g_matches.v[g_matches.n++] = m;
}

static void add_dict_keys(Value d, const char *prefix, const char *text) {
  if (d.tag != T_DICT) return;
  Dict *dd = AS_DICT(d);
  for (int64_t i = 0; i < dd->n; i++) add_match(prefix, AS_STR(dd->e[i].key)->s, text);
}

static void collect(Interp *I, const char *text) {
  for (int i = 0; i < g_matches.n; i++) free(g_matches.v[i]);
  g_matches.n = 0;
  g_matches.at = 0;
  if (text[0] == ':') {
    for (int i = 0; commands[i]; i++) add_match("", commands[i], text);
    return;
  }
  const char *dot = strrchr(text, '.');
  if (dot) {
    /* resolve the dotted prefix through namespaces */
    size_t plen = (size_t)(dot - text) + 1;
    char *prefix = malloc(plen + 1);
    if (!prefix) return;
    memcpy(prefix, text, plen);
    prefix[plen] = 0;
    Value cur = v_unset();
    const char *p = text;
    bool ok = true;
    while (p < dot && ok) {
      const char *e = memchr(p, '.', (size_t)(dot - p) + 1);
      size_t n = (size_t)(e - p);
      Value *v = NULL;
      if (cur.tag == T_UNSET) {
        v = dict_get(I->globals, p, n);
        if (!v) v = dict_get(I->builtins, p, n);
      } else if (cur.tag == T_NS) {
        v = dict_get(((Namespace *)cur.u.o)->dict, p, n);
      }
      if (v && v->tag == T_NS)
        cur = *v;
      else
        ok = false;
      p = e + 1;
    }
    if (ok && cur.tag == T_NS) add_dict_keys(((Namespace *)cur.u.o)->dict, prefix, text);
    free(prefix);
    return;
  }
  for (int i = 0; keywords[i]; i++) add_match("", keywords[i], text);
  add_dict_keys(I->globals, "", text);
  add_dict_keys(I->builtins, "", text);
}

static char *generator(const char *text, int state) {
  if (state == 0) collect(g_repl->I, text);
  if (g_matches.at < g_matches.n) return strdup(g_matches.v[g_matches.at++]);
  return NULL;
}

static char **complete(const char *text, int start, int end) {
  (void)start;
  (void)end;
  rl_attempted_completion_over = 1; /* no filename completion */
  return rl_completion_matches(text, generator);
}

/* ---- the readline loop -------------------------------------------------- */

static void on_line(char *line) {
  Repl *R = g_repl;
  if (!line) {
    R->done = true;
    printf("\n");
    rl_callback_handler_remove();
    return;
  }
  bool more = handle_line(R, line);
  free(line);
  if (R->done) {
    rl_callback_handler_remove();
    return;
  }
  rl_set_prompt(more ? PROMPT2 : PROMPT);
}

static void cancel_line(Repl *R) {
  /* Ctrl-C at the prompt: drop the line (and any pending entry) */
  rl_free_line_state();
  rl_callback_sigcleanup();
  rl_cleanup_after_signal();
  rl_replace_line("", 0);
  rl_point = rl_end = rl_mark = 0;
  sb_free(&R->pending);
  printf("^C\n");
  fflush(stdout);
  rl_callback_handler_remove();
  rl_callback_handler_install(PROMPT, on_line);
}

static void loop_tty(Repl *R) {
  rl_catch_signals = 0;
  rl_readline_name = "jx";
  rl_attempted_completion_function = complete;
  rl_completer_word_break_characters = " \t\n\"'`@$><=;|&{}()[],+-*/%~!^";
  rl_completion_append_character = '\0';
  rl_callback_handler_install(PROMPT, on_line);
  while (!R->done) {
    /* a Ctrl-C may also land while readline itself reads (then select sees
     * no EINTR): check the flag before waiting, and wake up now and then */
    if (g_sigint) {
      g_sigint = 0;
      R->I->interrupted = 0;
      cancel_line(R);
      continue;
    }
    fd_set fds;
    FD_ZERO(&fds);
    int fd = fileno(rl_instream ? rl_instream : stdin);
    FD_SET(fd, &fds);
    struct timeval tv = {0, 200000};
    int r = select(fd + 1, &fds, NULL, NULL, &tv);
    if (r == 0) continue;
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    rl_callback_read_char();
  }
  if (!R->done) rl_callback_handler_remove();
}

static void loop_plain(Repl *R) {
  char *line = NULL;
  size_t cap = 0;
  while (!R->done) {
    errno = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n < 0) {
      if (errno == EINTR || g_sigint) {
        clearerr(stdin);
        g_sigint = 0;
        R->I->interrupted = 0;
        sb_free(&R->pending);
        continue;
      }
      break;
    }
    if (n > 0 && line[n - 1] == '\n') line[--n] = 0;
    if (memchr(line, 0, (size_t)n)) {
      fprintf(stderr, "SyntaxError: NUL byte in input\n");
      continue;
    }
    handle_line(R, line);
  }
  if (R->pending.len && !R->done) {
    /* input ended inside an entry: run it for its error message */
    char *src = sb_take(&R->pending);
    run_code(R, "<stdin>", src, strlen(src), true);
    free(src);
  }
  free(line);
}

int repl_run(Interp *I) {
  Repl R;
  memset(&R, 0, sizeof R);
  R.I = I;
  R.tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
  g_repl = &R;
  g_in_repl = 1;
  repl_install_sigint(I);
  if (R.tty) {
    const char *home = getenv("HOME");
    if (home && *home) {
      size_t n = strlen(home) + 16;
      R.history_path = malloc(n);
      if (R.history_path) {
        snprintf(R.history_path, n, "%s/.jx_history", home);
        using_history();
        stifle_history(HISTORY_MAX);
        read_history(R.history_path);
      }
    }
    printf("jx %s — :help for help, Ctrl-D to quit\n", JX_VERSION);
    fflush(stdout);
    loop_tty(&R);
    if (R.history_path) {
      write_history(R.history_path);
      free(R.history_path);
    }
  } else {
    loop_plain(&R);
  }
  sb_free(&R.pending);
  for (int i = 0; i < g_matches.n; i++) free(g_matches.v[i]);
  free(g_matches.v);
  memset(&g_matches, 0, sizeof g_matches);
  g_in_repl = 0;
  g_repl = NULL;
  return R.status;
}
