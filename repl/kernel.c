/* kernel.c — `jx --kernel`: a line protocol for driving jx from another
 * program (the Jupyter kernel in editors/jupyter/ uses it).
 *
 * Requests, on stdin:
 *     \x1eCELL <n>\n  followed by exactly n bytes of jx code.
 * Each cell runs in the same interpreter (bindings persist).  A cell whose
 * first line starts with ':' is a REPL command (:help NAME, :explain F(X)).
 * Replies, on stdout, in order:
 *     text printed by the cell (print, plot, explain ...), as it comes;
 *     \x1eRESULT <n>\n + n bytes: the repr of the cell's value, if its last
 *         statement is an expression whose value is not None;
 *     \x1eERROR <n>\n + n bytes: the formatted error (§1 format), if any;
 *     \x1eEND\n
 * SIGINT interrupts the running cell (it ends with an Interrupted error).
 * The session ends at end of input. */
#include "kernel.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../eval/eval.h"
#include "../stdlib/builtins.h"
#include "../stdlib/teach.h"
#include "repl.h"

/* SIGINT only interrupts the running cell: Jupyter signals the whole
 * process group and the Python wrapper forwards the interrupt too, so two
 * may arrive at once (the script driver would give up on a second one). */
static volatile int *k_interrupted;

static void on_sigint(int sig) {
  (void)sig;
  if (k_interrupted) *k_interrupted = 1;
}

static void install_sigint(Interp *I) {
  k_interrupted = &I->interrupted;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, NULL);
}

static void frame(const char *kind, const char *s, size_t n) {
  fprintf(stdout, "\x1e%s %zu\n", kind, n);
  fwrite(s, 1, n, stdout);
}

static void end_cell(void) {
  fputs("\x1e"
        "END\n",
        stdout);
  fflush(stdout);
}

static void report_error(Interp *I) {
  StrBuf sb;
  sb_init(&sb);
  eval_format_error(I, &sb);
  jx_err_clear(I);
  fflush(stdout);
  frame("ERROR", sb.s ? sb.s : "", sb.len);
  sb_free(&sb);
}

static void run_cell(Interp *I, const char *name, const char *src, size_t len, bool result) {
  I->interrupted = 0;
  Value r = eval_string(I, name, src, len, NULL, NULL, NULL);
  fflush(stdout);
  if (IS_EXC(r)) {
    report_error(I);
  } else {
    if (result && r.tag != T_NONE) {
      StrBuf sb;
      sb_init(&sb);
      jx_repr(I, r, &sb);
      frame("RESULT", sb.s ? sb.s : "", sb.len);
      sb_free(&sb);
      if (eval_set_global(I, "_", r) < 0) jx_err_clear(I);
    }
    v_decref(r);
  }
  I->interrupted = 0;
}

static void command(Interp *I, char *line) {
  char *cmd = line + 1;
  size_t n = strcspn(cmd, "\n");
  cmd[n] = 0;
  char *arg = cmd + strcspn(cmd, " \t");
  if (*arg) *arg++ = 0;
  while (*arg == ' ' || *arg == '\t') arg++;
  if (!strcmp(cmd, "help") || !strcmp(cmd, "h") || !strcmp(cmd, "?")) {
    if (!*arg) {
      printf("In a notebook: :help NAME shows a builtin's help, :explain F(X) shows how F is "
             "computed.\nBuiltins:");
      for (int k = 0;; k++) {
        const BuiltinDef *d = builtins_at(k);
        if (!d) break;
        printf("%s%s", k % 8 ? " " : "\n  ", d->name);
      }
      printf("\n");
      return;
    }
    const BuiltinDef *d = builtins_find(arg);
    if (d)
      printf("%s(%s)\n\n%s\n", d->name, d->sig ? d->sig : "",
             d->doc ? d->doc : "(no documentation)");
    else
      printf("no help for '%s'\n", arg);
    return;
  }
  if (!strcmp(cmd, "explain")) {
    char *src = explain_rewrite(arg);
    if (!src) {
      printf("usage: :explain F(ARGS), e.g. :explain grad(f)(0.5)\n");
      return;
    }
    run_cell(I, "<cell>", src, strlen(src), false);
    free(src);
    return;
  }
  printf(":%s is not available in a notebook (try :help or :explain)\n", cmd);
}

int kernel_main(void) {
  Interp *I = jx_new();
  if (!I || eval_init(I) < 0) {
    fprintf(stderr, "jx: cannot start the interpreter (out of memory)\n");
    return 1;
  }
  install_sigint(I);
  if (eval_prelude(I) < 0) {
    repl_print_error(I, stderr);
    jx_free_interp(I);
    return 1;
  }
  char *line = NULL;
  size_t cap = 0;
  int status = 0;
  unsigned long ncell = 0;
  for (;;) {
    ssize_t k = getline(&line, &cap, stdin);
    if (k < 0) {
      if (feof(stdin)) break;
      clearerr(stdin); /* EINTR: a Ctrl-C between cells */
      continue;
    }
    size_t n;
    if (sscanf(line,
               "\x1e"
               "CELL %zu",
               &n) != 1)
      continue; /* not a request: ignore */
    char *src = malloc(n + 1);
    if (!src) {
      status = 1;
      break;
    }
    size_t got = 0;
    while (got < n) {
      size_t r = fread(src + got, 1, n - got, stdin);
      if (r == 0) {
        if (ferror(stdin)) {
          clearerr(stdin);
          continue;
        }
        break;
      }
      got += r;
    }
    src[got] = 0;
    if (got < n) {
      free(src);
      break;
    }
    ncell++;
    const char *t = src;
    while (*t == ' ' || *t == '\t' || *t == '\n' || *t == '\r') t++;
    if (*t == ':') {
      command(I, (char *)t);
      fflush(stdout);
    } else {
      char name[32];
      snprintf(name, sizeof name, "<cell %lu>", ncell);
      if (memchr(src, 0, n)) {
        printf("SyntaxError: the cell contains a NUL byte\n");
      } else {
        run_cell(I, name, src, n, true);
      }
    }
    free(src);
    end_cell();
  }
  free(line);
  jx_free_interp(I);
  return status;
}
