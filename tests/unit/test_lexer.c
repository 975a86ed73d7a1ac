/* test_lexer.c — lexer/lexer.c: tokens, positions, numbers, strings,
 * f-strings, keywords, errors with locations, big inputs. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "eval/value.h"
#include "lexer/lexer.h"

static Interp *I;
static Arena A;

static void setup(void) {
  I = jx_new();
  cr_assert(I != NULL);
  arena_init(&A, I);
}
static void teardown(void) {
  arena_free(&A);
  jx_free_interp(I);
}
TestSuite(lexer, .init = setup, .fini = teardown);

#define MAXT 64
static Token toks[MAXT];

/* Lex src into toks (up to EOF); returns the count, or -1 on error. */
static int lex_all(const char *src) {
  Lexer L;
  lex_init(&L, I, &A, "t.jx", src, 0, strlen(src), 1, 1);
  for (int n = 0; n < MAXT; n++) {
    if (lex_next(&L, &toks[n]) < 0) return -1;
    if (toks[n].kind == TK_EOF) return n + 1;
  }
  return MAXT;
}

static void expect_kinds(const char *src, const TokKind *kinds, int n) {
  int got = lex_all(src);
  cr_assert_eq(got, n + 1, "%s: %d tokens, expected %d", src, got, n + 1);
  for (int i = 0; i < n; i++)
    cr_assert_eq(toks[i].kind, kinds[i], "%s: token %d is %s, expected %s", src, i,
                 tok_kind_desc(toks[i].kind), tok_kind_desc(kinds[i]));
  cr_assert_eq(toks[n].kind, TK_EOF);
}

static void expect_error(const char *src, int line, int col, const char *msg) {
  cr_assert_eq(lex_all(src), -1, "%s: expected a lexing error", src);
  cr_assert_eq(I->err.kind, E_SYNTAX);
  cr_assert_eq(I->err.line, line, "%s: error at line %d, expected %d (%s)", src, I->err.line, line,
               I->err.msg);
  cr_assert_eq(I->err.col, col, "%s: error at col %d, expected %d (%s)", src, I->err.col, col,
               I->err.msg);
  cr_assert(strstr(I->err.msg, msg), "%s: message '%s' lacks '%s'", src, I->err.msg, msg);
  jx_err_clear(I);
}

Test(lexer, punctuation_longest_match) {
  TokKind k[] = {TK_DSTAREQ, TK_DSTAR,   TK_STAR,   TK_DSLASHEQ, TK_DSLASH,    TK_SLASH, TK_EQ,
                 TK_ARROW,   TK_ASSIGN,  TK_NE,     TK_LE,       TK_GE,        TK_LT,    TK_GT,
                 TK_PLUSEQ,  TK_MINUSEQ, TK_STAREQ, TK_SLASHEQ,  TK_PERCENTEQ, TK_ATEQ,  TK_AT,
                 TK_PIPE,    TK_AMP,     TK_TILDE,  TK_DOT,      TK_COLON,     TK_SEMI,  TK_COMMA};
  expect_kinds("**= ** * //= // / == => = != <= >= < > += -= *= /= %= @= @ | & ~ . : ; ,", k,
               (int)(sizeof k / sizeof k[0]));
}

Test(lexer, keywords_and_names) {
  TokKind k[] = {TK_LET,   TK_DEF,    TK_FN,    TK_LAMBDA,   TK_IF,    TK_ELSE, TK_FOR, TK_IN,
                 TK_WHILE, TK_RETURN, TK_BREAK, TK_CONTINUE, TK_AND,   TK_OR,   TK_NOT, TK_TRUE,
                 TK_FALSE, TK_NONE,   TK_IDENT, TK_IDENT,    TK_IDENT, TK_IDENT};
  expect_kinds("let def fn lambda if else for in while return break continue and or not "
               "True False None lets _x1 true Fn",
               k, (int)(sizeof k / sizeof k[0]));
  cr_assert_eq(toks[19].slen, 3);
  cr_assert(!memcmp(toks[19].str, "_x1", 3));
}

Test(lexer, integers) {
  cr_assert_eq(lex_all("0 42 1_000_000 9223372036854775807"), 5);
  cr_assert_eq(toks[0].kind, TK_INT);
  cr_assert_eq(toks[0].ival, 0);
  cr_assert_eq(toks[1].ival, 42);
  cr_assert_eq(toks[2].ival, 1000000);
  cr_assert_eq(toks[3].ival, INT64_MAX);
  expect_error("x = 9223372036854775808", 1, 5, "too large for int64");
  expect_error("1__0", 1, 2, "invalid '_'");
  expect_error("10_", 1, 3, "invalid '_'");
  expect_error("3abc", 1, 2, "invalid number literal");
}

Test(lexer, floats) {
  cr_assert_eq(lex_all("3.0 3. .5 1e-3 2.5E+4 1_000.5 1e1_0 0.1"), 9);
  double want[] = {3.0, 3.0, 0.5, 1e-3, 2.5e4, 1000.5, 1e10, 0.1};
  for (int i = 0; i < 8; i++) {
    cr_assert_eq(toks[i].kind, TK_FLOAT, "token %d", i);
    cr_assert_eq(toks[i].fval, want[i], "token %d: %g", i, toks[i].fval);
  }
  expect_error("1e", 1, 2, "invalid exponent");
  expect_error("1e+", 1, 2, "invalid exponent");
}

Test(lexer, number_then_dot) {
  /* 3. is a float, but 1.T would be an attribute: the dot stays */
  TokKind k[] = {TK_INT, TK_DOT, TK_IDENT};
  expect_kinds("1.shape", k, 3);
  TokKind k2[] = {TK_FLOAT, TK_LBRACE};
  expect_kinds("3.{", k2, 2);
  TokKind k3[] = {TK_IDENT, TK_LBRACKET, TK_INT, TK_COLON, TK_INT, TK_RBRACKET};
  expect_kinds("x[1:2]", k3, 6);
}

Test(lexer, strings_and_escapes) {
  cr_assert_eq(lex_all("\"a\\tb\\n\" 'it\\'s' \"q\\\"\" \"\\\\\" \"\\u00e9\\x41\" ''"), 7);
  cr_assert_eq(toks[0].kind, TK_STRING);
  cr_assert_str_eq(toks[0].str, "a\tb\n");
  cr_assert_str_eq(toks[1].str, "it's");
  cr_assert_str_eq(toks[2].str, "q\"");
  cr_assert_str_eq(toks[3].str, "\\");
  cr_assert_str_eq(toks[4].str, "\xc3\xa9"
                                "A");
  cr_assert_eq(toks[5].slen, 0);
  expect_error("let s = \"abc", 1, 9, "unterminated string");
  expect_error("x\ny = 'ab\ncd'", 2, 5, "opened at line 2");
  expect_error("\"a\\qb\"", 1, 3, "invalid escape");
}

Test(lexer, fstrings) {
  cr_assert_eq(lex_all("f\"a{x}b{y:.4f}{{c}}{z!r}\""), 2);
  Token *t = &toks[0];
  cr_assert_eq(t->kind, TK_FSTRING);
  cr_assert_eq(t->nparts, 6);
  cr_assert(!t->parts[0].is_expr);
  cr_assert_str_eq(t->parts[0].text, "a");
  cr_assert(t->parts[1].is_expr);
  cr_assert_eq(t->parts[1].elen, 1);
  cr_assert_eq(t->parts[1].ecol, 5);
  cr_assert_str_eq(t->parts[2].text, "b");
  cr_assert(t->parts[3].is_expr);
  cr_assert_str_eq(t->parts[3].spec, ".4f");
  cr_assert_str_eq(t->parts[4].text, "{c}");
  cr_assert_eq(t->parts[5].conv, 'r');
  /* nested brackets, strings and colons inside an expression */
  cr_assert_eq(lex_all("f'{d[\"k\"][1:2]} {g(a, (b))!s:>5}'"), 2);
  cr_assert_eq(toks[0].nparts, 3);
  cr_assert_eq(toks[0].parts[0].elen, strlen("d[\"k\"][1:2]"));
  cr_assert_str_eq(toks[0].parts[2].spec, ">5");
  cr_assert_eq(toks[0].parts[2].conv, 's');
  expect_error("f\"{x\"", 1, 3, "f-string: expecting '}'");
  expect_error("f\"{}\"", 1, 3, "empty expression");
  expect_error("f\"a}b\"", 1, 4, "single '}'");
  expect_error("f\"abc", 1, 1, "unterminated f-string");
}

Test(lexer, newlines_comments_continuation) {
  TokKind k[] = {TK_IDENT, TK_NEWLINE, TK_NEWLINE, TK_IDENT, TK_SEMI,
                 TK_IDENT, TK_NEWLINE, TK_INT,     TK_PLUS,  TK_INT};
  expect_kinds("a # comment\n\nb; c # x\n1 \\\n + 2", k, (int)(sizeof k / sizeof k[0]));
  cr_assert_eq(toks[7].line, 4);
  cr_assert_eq(toks[9].line, 5);
  cr_assert_eq(toks[9].col, 4);
  /* CRLF line ends */
  TokKind k2[] = {TK_IDENT, TK_NEWLINE, TK_IDENT};
  expect_kinds("a\r\nb", k2, 3);
  cr_assert_eq(toks[2].line, 2);
  cr_assert_eq(toks[2].col, 1);
}

Test(lexer, positions_count_code_points) {
  cr_assert_eq(lex_all("let s = \"h\xc3\xa9llo\" + x\n  y"), 9);
  cr_assert_eq(toks[3].col, 9);
  cr_assert_eq(toks[4].col, 17); /* "héllo" is 7 code points wide */
  cr_assert_eq(toks[5].col, 19);
  cr_assert_eq(toks[7].line, 2);
  cr_assert_eq(toks[7].col, 3);
}

Test(lexer, bad_characters) {
  expect_error("a $ b", 1, 3, "invalid character '$'");
  expect_error("let \xc3\xa9 = 1", 1, 5, "U+00E9");
  expect_error("if !x", 1, 4, "use 'not'");
  expect_error("a \\ b", 1, 3, "line continuation");
}

Test(lexer, source_check) {
  cr_assert_eq(lex_check_source(I, "f", "ok \xe2\x88\x91\n", 7), 0);
  cr_assert_eq(lex_check_source(I, "f", "ab\ncd\xffx", 7), -1);
  cr_assert_eq(I->err.kind, E_SYNTAX);
  cr_assert_eq(I->err.line, 2);
  cr_assert_eq(I->err.col, 3);
  cr_assert(strstr(I->err.msg, "0xff"));
  jx_err_clear(I);
  cr_assert_eq(lex_check_source(I, "f", "a\0b", 3), -1);
  cr_assert(strstr(I->err.msg, "NUL"));
  cr_assert_eq(I->err.col, 2);
  jx_err_clear(I);
  /* overlong encoding and surrogates are invalid */
  cr_assert_eq(lex_check_source(I, "f", "\xc0\xaf", 2), -1);
  jx_err_clear(I);
  cr_assert_eq(lex_check_source(I, "f", "\xed\xa0\x80", 3), -1);
  jx_err_clear(I);
  /* truncated sequence */
  cr_assert_eq(lex_check_source(I, "f", "ab\xe2\x88", 4), -1);
  jx_err_clear(I);
}

Test(lexer, huge_identifier_and_line) {
  size_t n = 1 << 20;
  char *src = malloc(n + 16);
  memcpy(src, "let ", 4);
  memset(src + 4, 'a', n);
  strcpy(src + 4 + n, " = 1");
  cr_assert_eq(lex_all(src), 5);
  cr_assert_eq(toks[1].kind, TK_IDENT);
  cr_assert_eq(toks[1].slen, n);
  cr_assert_eq(toks[2].col, (int)n + 6);
  free(src);
  /* a 10 MB string literal on one line */
  size_t m = 10u << 20;
  char *s2 = malloc(m + 3);
  s2[0] = '"';
  memset(s2 + 1, 'x', m);
  s2[m + 1] = '"';
  s2[m + 2] = 0;
  cr_assert_eq(lex_all(s2), 2);
  cr_assert_eq(toks[0].kind, TK_STRING);
  cr_assert_eq(toks[0].slen, m);
  free(s2);
}

Test(lexer, bom_is_skipped) {
  TokKind k[] = {TK_IDENT};
  expect_kinds("\xef\xbb\xbf"
               "abc",
               k, 1);
  cr_assert_eq(toks[0].col, 1);
}

Test(lexer, keyword_lookup) {
  cr_assert_eq(lex_keyword("lambda", 6), TK_LAMBDA);
  cr_assert_eq(lex_keyword("lambdas", 7), TK_IDENT);
  cr_assert_eq(lex_keyword("x", 1), TK_IDENT);
  cr_assert_str_eq(tok_kind_desc(TK_LPAREN), "'('");
  cr_assert_str_eq(tok_kind_desc(TK_IDENT), "name");
}

Test(lexer, arena) {
  void *p = arena_alloc(&A, 10);
  cr_assert(p != NULL);
  cr_assert_eq(((uintptr_t)p) % 16, 0);
  void *big = arena_alloc(&A, 1 << 20);
  cr_assert(big != NULL);
  char *s = arena_strndup(&A, "hello", 3);
  cr_assert_str_eq(s, "hel");
}
