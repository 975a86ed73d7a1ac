/* fault_parse.c — malformed syntax at every position (the fault table's
 * first row).
 *
 * usage: fault_parse [--stride K] [--max-parses N] [-v] FILE...
 *
 * For every FILE (the test programs: tests/jx/..., ../shared/conformance,
 * examples) it parses and resolves, with the real front end
 * (parse_program), every prefix src[0..k) and every text with one byte
 * deleted (k = 0, K, 2K, … with --stride K; K = 1 by default; a file
 * whose positions would take more than N parses gets a larger stride).  Each must
 * give a chunk or a clean error: a SyntaxError (or a RecursionError from a
 * nesting limit) located at a line:col that exists in the text, or a
 * NameError from the resolver; formatted as "FILE:LINE:COL: Kind: …" with
 * the source line and a caret.  A prefix parsed as REPL input that is
 * reported incomplete must be a SyntaxError.  The sanitizers watch for the
 * rest.  Ends with `N passed, N failed` (one test per FILE).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../eval/eval.h"
#include "../../parser/parser.h"

static int verbose;
static long nparses, nerrors;

static int read_all(const char *path, char **out, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  size_t cap = 4096, n = 0, k;
  char *b = malloc(cap);
  if (!b) abort();
  while ((k = fread(b + n, 1, cap - n, f)) > 0) {
    n += k;
    if (n == cap && !(b = realloc(b, cap *= 2))) abort();
  }
  fclose(f);
  *out = b;
  *len = n;
  return 0;
}

/* Number of code points on each line of s (lines from 1); returns nlines. */
static int line_widths(const char *s, size_t n, int **w) {
  int lines = 1;
  for (size_t i = 0; i < n; i++) lines += s[i] == '\n';
  *w = calloc((size_t)lines + 2, sizeof(int));
  if (!*w) abort();
  int l = 1;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '\n')
      l++;
    else if (((unsigned char)s[i] & 0xC0) != 0x80)
      (*w)[l]++;
  }
  return lines;
}

typedef struct {
  const char *path;
  int failures;
} FileCtx;

static void failure(FileCtx *fc, const char *what, size_t k, const char *why, Interp *I) {
  fc->failures++;
  if (fc->failures <= 5 || verbose)
    fprintf(stderr, "FAIL %s: %s %zu: %s (%s: %s at %d:%d)\n", fc->path, what, k, why,
            err_kind_name(I->err.kind), I->err.msg ? I->err.msg : "(no message)", I->err.line,
            I->err.col);
}

static void check_one(Interp *I, FileCtx *fc, const char *what, size_t k, char *src, size_t n,
                      bool repl) {
  bool incomplete = false;
  nparses++;
  Chunk *c = parse_program(I, "<mutant>", src, n, 0, repl ? &incomplete : NULL);
  if (c) {
    if (I->err.kind != E_NONE) failure(fc, what, k, "success with an error pending", I);
    chunk_free(c);
    jx_err_clear(I);
    return;
  }
  nerrors++;
  ErrKind kind = I->err.kind;
  if (kind != E_SYNTAX && kind != E_RECURSION && kind != E_NAME) {
    failure(fc, what, k, "unexpected error kind", I);
  } else if (!I->err.msg) {
    failure(fc, what, k, "no message", I);
  } else if (incomplete && kind != E_SYNTAX) {
    failure(fc, what, k, "incomplete input but not a SyntaxError", I);
  } else if (kind != E_NAME || I->err.line) {
    int *w;
    int lines = line_widths(src, n, &w);
    if (I->err.line < 1 || I->err.line > lines || I->err.col < 1 || I->err.col > w[I->err.line] + 1)
      failure(fc, what, k, "error location outside the text", I);
    else if (!I->err.file || strcmp(I->err.file, "<mutant>") != 0)
      failure(fc, what, k, "error names another file", I);
    free(w);
    /* the message as the user sees it */
    char head[64];
    snprintf(head, sizeof head, "<mutant>:%d:%d: %s: ", I->err.line, I->err.col,
             err_kind_name(kind));
    StrBuf sb;
    sb_init(&sb);
    eval_format_error(I, &sb);
    if (!sb.s || strncmp(sb.s, head, strlen(head)) != 0)
      failure(fc, what, k, sb.s ? "badly formatted message" : "no message text", I);
    sb_free(&sb);
  }
  jx_err_clear(I);
}

int main(int argc, char **argv) {
  size_t stride = 1, max_parses = 0;
  int nfiles = 0, passed = 0, failed = 0;
  for (int a = 1; a < argc; a++) {
    if (!strcmp(argv[a], "--stride") && a + 1 < argc) {
      stride = (size_t)atol(argv[++a]);
      if (!stride) stride = 1;
      continue;
    }
    if (!strcmp(argv[a], "--max-parses") && a + 1 < argc) {
      max_parses = (size_t)atol(argv[++a]);
      continue;
    }
    if (!strcmp(argv[a], "-v")) {
      verbose = 1;
      continue;
    }
    char *src;
    size_t n;
    if (read_all(argv[a], &src, &n) < 0) {
      fprintf(stderr, "FAIL %s: cannot read it\n", argv[a]);
      failed++;
      continue;
    }
    nfiles++;
    Interp *I = jx_new();
    if (!I || eval_init(I) < 0) {
      fprintf(stderr, "fault_parse: cannot make an interpreter\n");
      return 1;
    }
    /* keep a copy under the name errors use, for the caret line */
    const char *kf, *ks;
    FileCtx fc = {argv[a], 0};
    char *buf = malloc(n + 1);
    if (!buf) abort();
    /* the mutant's text is kept too (the formatter looks it up by name):
     * keep the original once; the caret line may then show the original
     * line, which is fine for this test */
    if (eval_keep_source(I, "<mutant>", src, n, &kf, &ks) < 0) abort();
    size_t fstride = stride;
    if (max_parses && 2 * (n + 1) / fstride > max_parses) fstride = 2 * (n + 1) / max_parses + 1;
    for (size_t k = 0; k <= n; k += fstride) {
      /* prefix, in an exact-size buffer */
      char *p = malloc(k ? k : 1);
      if (!p) abort();
      memcpy(p, src, k);
      check_one(I, &fc, "prefix", k, p, k, true);
      free(p);
      if (k < n) {
        memcpy(buf, src, k);
        memcpy(buf + k, src + k + 1, n - k - 1);
        check_one(I, &fc, "deletion at", k, buf, n - 1, false);
      }
    }
    free(buf);
    free(src);
    jx_free_interp(I);
    if (fc.failures) {
      failed++;
      fprintf(stderr, "FAIL %s: %d bad results\n", argv[a], fc.failures);
    } else {
      passed++;
      if (verbose) printf("ok   %s\n", argv[a]);
    }
  }
  printf("fault_parse: %d files, %ld parses (%ld errors), stride %zu\n", nfiles, nparses, nerrors,
         stride);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
