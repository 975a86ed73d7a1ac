/* fuzz_parse.c — fuzz target: the lexer, the parser and the resolver on
 * arbitrary bytes.
 *
 * The input is parsed as it is (an exact-size heap copy, so that reading
 * one byte past the end is an ASan report) with parse_program, twice: as a
 * script and as REPL input (the `incomplete` answer).  It must give a
 * resolved chunk or a clean error: a SyntaxError located at a line:col
 * inside the text, a RecursionError (nesting limits), a NameError (the
 * resolver's rebinding rules) or a MemoryError.  A successful parse is also
 * dumped (ast_dump), and every line of the text is then lexed on its own,
 * token by token, to the end or to the first error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../eval/eval.h"
#include "../../lexer/lexer.h"
#include "../../parser/parser.h"
#include "fuzz_common.h"

/* The parser needs no prelude: one bare interpreter for the process.  The
 * input's text is not kept (eval_keep_source would grow the interpreter at
 * every input), so errors are formatted without their source line here;
 * fuzz_eval and tests/fault/fault_parse.c cover the caret line. */
static Interp *g_I;

static void free_interp_at_exit(void) {
  if (g_I) jx_free_interp(g_I);
  g_I = NULL;
}

static Interp *parse_interp(void) {
  if (!g_I) {
    g_I = jx_new();
    if (!g_I || eval_init(g_I) < 0) fz_fail("setup", NULL, 0, "cannot make an interpreter");
    atexit(free_interp_at_exit);
  }
  return g_I;
}

static void check_parse_error(Interp *I, const char *src, size_t n) {
  ErrKind k = I->err.kind;
  if (k != E_SYNTAX && k != E_RECURSION && k != E_NAME && k != E_MEMORY)
    fz_fail("parse", src, n, "parse failed with %s: %s", err_kind_name(k),
            I->err.msg ? I->err.msg : "(no message)");
  if (!I->err.msg) fz_fail("parse", src, n, "an error without a message");
  if (k == E_SYNTAX || k == E_RECURSION) {
    if (I->err.line <= 0 || I->err.col <= 0)
      fz_fail("parse", src, n, "%s without line:col: %s", err_kind_name(k), I->err.msg);
    int lines = 1;
    for (size_t i = 0; i < n; i++) lines += src[i] == '\n';
    if (I->err.line > lines)
      fz_fail("parse", src, n, "error at line %d of a %d-line text: %s", I->err.line, lines,
              I->err.msg);
  }
  StrBuf sb;
  sb_init(&sb);
  eval_format_error(I, &sb); /* the caret line must be printable */
  sb_free(&sb);
  jx_err_clear(I);
}

int fuzz_parse_one(const uint8_t *data, size_t size) {
  Interp *I = parse_interp();
  char *src = malloc(size ? size : 1);
  if (!src) return 0;
  memcpy(src, data, size);
  const char *kf = "<fuzz>";
  for (int repl = 0; repl < 2; repl++) {
    bool incomplete = false;
    Chunk *c = parse_program(I, kf, src, size, 0, repl ? &incomplete : NULL);
    if (c) {
      if (I->err.kind != E_NONE)
        fz_fail("parse", src, size, "a parse succeeded with an error pending: %s", I->err.msg);
      if (repl == 0) {
        StrBuf sb;
        sb_init(&sb);
        ast_dump(c->body, &sb);
        sb_free(&sb);
      }
      chunk_free(c);
    } else {
      if (incomplete && I->err.kind != E_SYNTAX && I->err.kind != E_MEMORY)
        fz_fail("parse", src, size, "incomplete input reported as %s", err_kind_name(I->err.kind));
      check_parse_error(I, src, size);
    }
  }
  /* the lexer alone, line by line (valid UTF-8 only: that is its contract) */
  if (lex_check_source(I, kf, src, size) == 0) {
    Arena a;
    arena_init(&a, I);
    Lexer L;
    lex_init(&L, I, &a, kf, src, 0, size, 1, 1);
    for (int k = 0; k < 1000000; k++) {
      Token t;
      if (lex_next(&L, &t) < 0) {
        check_parse_error(I, src, size);
        break;
      }
      if (t.line <= 0 || t.col <= 0 || t.pos > size || t.pos + t.len > size)
        fz_fail("lex", src, size, "token %d has a bad position %d:%d [%zu+%zu]", k, t.line, t.col,
                t.pos, t.len);
      if (t.kind == TK_EOF) break;
    }
    arena_free(&a);
  } else {
    check_parse_error(I, src, size);
  }
  if (I->err.kind != E_NONE) fz_fail("parse", src, size, "an error left pending");
  if (I->depth != 0) fz_fail("parse", src, size, "call depth %d after a parse", I->depth);
  free(src);
  return 0;
}

#ifdef JX_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_parse_one(data, size); }
#endif
