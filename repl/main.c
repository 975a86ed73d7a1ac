/* main.c — the jx command line (LANGUAGE.md §1):
 *   jx                      REPL
 *   jx FILE.jx [ARGS…]      run a script (argv() gives ARGS)
 *   jx -e CODE [ARGS…]      run CODE (named <string>)
 *   jx -i FILE.jx [ARGS…]   run the script, then the REPL with its bindings
 *   jx --help | --version
 * Exit status: 0 success, 1 error raised by the program, 2 bad usage or an
 * unreadable file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../eval/eval.h"
#include "kernel.h"
#include "repl.h"

#ifndef JX_VERSION
#define JX_VERSION "0.1.0"
#endif

static void usage(FILE *f) {
  fprintf(f, "usage: jx [FILE.jx [ARGS...]]\n"
             "       jx -e CODE [ARGS...]\n"
             "       jx -i FILE.jx [ARGS...]\n"
             "\n"
             "jx is a small functional language with numpy-like arrays and JAX-style\n"
             "transformations (grad, jvp, vjp, vmap, jit).\n"
             "\n"
             "  (no argument)   start the interactive REPL (:help inside it)\n"
             "  FILE.jx         run a script; argv() returns the ARGS that follow\n"
             "  -               read the script from standard input\n"
             "  -e CODE         run CODE as a script\n"
             "  -i FILE.jx      run the script, then start the REPL with its bindings\n"
             "  -h, --help      show this help\n"
             "  -V, --version   show the version\n"
             "  --kernel        serve notebook cells on stdin/stdout (the Jupyter kernel's protocol)\n"
             "\n"
             "Exit status: 0 on success, 1 if the program raised an error, 2 on bad\n"
             "usage or an unreadable file.\n");
}

/* Read a whole file. 0, or -1 after printing why (exit status 2). */
static int read_file(const char *path, char **out, size_t *len) {
  FILE *f;
  if (strcmp(path, "-") == 0) {
    f = stdin;
  } else {
    struct stat st;
    if (stat(path, &st) != 0) {
      fprintf(stderr, "jx: cannot open '%s': %s\n", path, strerror(errno));
      return -1;
    }
    if (S_ISDIR(st.st_mode)) {
      fprintf(stderr, "jx: cannot run '%s': it is a directory\n", path);
      return -1;
    }
    f = fopen(path, "rb");
    if (!f) {
      fprintf(stderr, "jx: cannot open '%s': %s\n", path, strerror(errno));
      return -1;
    }
  }
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  if (!buf) {
    fprintf(stderr, "jx: out of memory reading '%s'\n", path);
    if (f != stdin) fclose(f);
    return -1;
  }
  while (1) {
    if (n == cap) {
      if (cap > ((size_t)1 << 40)) {
        fprintf(stderr, "jx: '%s' is too large\n", path);
        free(buf);
        if (f != stdin) fclose(f);
        return -1;
      }
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        fprintf(stderr, "jx: out of memory reading '%s'\n", path);
        free(buf);
        if (f != stdin) fclose(f);
        return -1;
      }
      buf = nb;
      cap *= 2;
    }
    size_t k = fread(buf + n, 1, cap - n, f);
    n += k;
    if (k == 0) break;
  }
  int err = ferror(f);
  if (f != stdin) fclose(f);
  if (err) {
    fprintf(stderr, "jx: cannot read '%s': %s\n", path, strerror(errno ? errno : EIO));
    free(buf);
    return -1;
  }
  if (memchr(buf, 0, n)) {
    fprintf(stderr,
            "jx: cannot run '%s': it is a binary file (it contains NUL bytes), "
            "not jx source\n",
            path);
    free(buf);
    return -1;
  }
  *out = buf;
  *len = n;
  return 0;
}

static int run_source(Interp *I, const char *name, const char *src, size_t len) {
  Value r = eval_string(I, name, src, len, NULL, NULL, NULL);
  fflush(stdout);
  if (IS_EXC(r)) {
    repl_print_error(I, stderr);
    return 1;
  }
  v_decref(r);
  return 0;
}

int main(int argc, char **argv) {
  const char *file = NULL, *code = NULL;
  bool interactive = false;
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return 0;
    }
    if (!strcmp(a, "--kernel") && argc == 2) return kernel_main(); /* repl/kernel.c */
    if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
      printf("jx %s\n", JX_VERSION);
      return 0;
    }
    if (!strcmp(a, "-e")) {
      if (i + 1 >= argc) {
        fprintf(stderr, "jx: -e needs an argument (the code to run)\n");
        usage(stderr);
        return 2;
      }
      code = argv[++i];
      i++;
      break;
    }
    if (!strcmp(a, "-i")) {
      interactive = true;
      continue;
    }
    if (!strcmp(a, "--")) {
      i++;
      if (i < argc) file = argv[i++];
      break;
    }
    if (a[0] == '-' && a[1]) {
      fprintf(stderr, "jx: unknown option '%s'\n", a);
      usage(stderr);
      return 2;
    }
    file = a;
    i++;
    break;
  }
  if (interactive && !file && !code) {
    fprintf(stderr, "jx: -i needs a script to run first\n");
    usage(stderr);
    return 2;
  }
  char *src = NULL;
  size_t len = 0;
  if (file && read_file(file, &src, &len) < 0) return 2;

  Interp *I = jx_new();
  if (!I || eval_init(I) < 0) {
    fprintf(stderr, "jx: cannot start the interpreter (out of memory)\n");
    free(src);
    return 1;
  }
  repl_install_sigint(I);
  int status = 0;
  if (eval_prelude(I) < 0) {
    fprintf(stderr, "jx: the prelude failed to load:\n");
    repl_print_error(I, stderr);
    status = 1;
  } else if (eval_set_argv(I, argc - i, argv + i) < 0) {
    repl_print_error(I, stderr);
    status = 1;
  } else if (code) {
    status = run_source(I, "<string>", code, strlen(code));
    if (interactive) status = repl_run(I);
  } else if (file) {
    status = run_source(I, strcmp(file, "-") ? file : "<stdin>", src, len);
    if (interactive) status = repl_run(I);
  } else {
    status = repl_run(I);
  }
  free(src);
  if (fflush(stdout) != 0 || ferror(stdout)) {
    fprintf(stderr, "jx: cannot write to standard output: %s\n", strerror(errno ? errno : EIO));
    if (status == 0) status = 1;
  }
  jx_free_interp(I);
  return status;
}
