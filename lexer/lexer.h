/* lexer.h — jx tokens, the lexer, and the bump arena the front end
 * allocates from.
 *
 * Owns: turning source bytes into tokens (LANGUAGE.md §2): comments,
 * newlines, numbers (int64 with overflow checks, float64, `_`
 * separators), strings with escapes, f-strings split into literal and
 * expression parts, keywords, operators.  Every token carries its line and
 * column (1-based; columns count code points).  The source must be valid
 * UTF-8 without NUL bytes: lex_check_source() reports the first offence.
 *
 * The lexer never decides where statements end: it always emits NEWLINE
 * tokens (except after a backslash continuation) and the parser skips them
 * inside brackets, dict literals and after operators.
 *
 * Ownership: decoded strings and f-string parts live in the Arena passed
 * to lex_init (freed with the arena); IDENT tokens point into the source.
 * Errors: lex_next returns -1 with a SyntaxError (located) in I->err.
 */
#ifndef JX_LEXER_H
#define JX_LEXER_H

#include "../eval/value.h"

typedef enum {
#define TOK(id, text) TK_##id,
#define KW(id, text) TK_##id,
#define PUNCT(id, text) TK_##id,
#include "tokens.def"
#undef TOK
#undef KW
#undef PUNCT
  TK__COUNT
} TokKind;

/* Human-readable description of a token kind ("'('", "name", "'let'"). */
const char *tok_kind_desc(TokKind k);

/* ---- arena ---------------------------------------------------------- */
typedef struct ArenaBlock ArenaBlock;
typedef struct {
  ArenaBlock *head;
  Interp *I;
} Arena;
void arena_init(Arena *a, Interp *I);
/* Zeroed memory of n bytes, aligned for any type; NULL with MemoryError. */
void *arena_alloc(Arena *a, size_t n);
/* Copy of s[0..n) with a terminating NUL. */
char *arena_strndup(Arena *a, const char *s, size_t n);
void arena_free(Arena *a);

/* ---- f-string parts ------------------------------------------------- */
typedef struct FPart {
  bool is_expr;
  /* literal part (decoded) */
  char *text;
  size_t len;
  /* expression part: the source span of the expression, its position,
   * the optional conversion ('r' or 's', 0 if none) and format spec. */
  size_t epos, elen;
  int eline, ecol;
  char conv;
  char *spec; /* NULL if none */
  size_t speclen;
} FPart;

/* ---- tokens ---------------------------------------------------------- */
typedef struct {
  TokKind kind;
  int line, col;   /* of the first character */
  size_t pos, len; /* byte span in the source */
  int64_t ival;    /* TK_INT */
  double fval;     /* TK_FLOAT */
  const char *str; /* TK_IDENT: into the source; TK_STRING: decoded (arena) */
  size_t slen;
  FPart *parts; /* TK_FSTRING */
  int nparts;
  bool nl_before; /* a NEWLINE was skipped right before (unused by the lexer) */
} Token;

typedef struct {
  Interp *I;
  Arena *arena;
  const char *file;
  const char *src;
  size_t pos, end;
  int line, col;
  /* set with an "unterminated string" error when the input ended right
   * after a backslash-newline inside the string: the REPL reads on */
  bool eof_in_string;
} Lexer;

/* Lex src[start..end); the first character is at (line, col). */
void lex_init(Lexer *L, Interp *I, Arena *arena, const char *file, const char *src, size_t start,
              size_t end, int line, int col);
/* Next token into *t. 0, or -1 with SyntaxError raised and located. */
int lex_next(Lexer *L, Token *t);

/* Check that src[0..n) is valid UTF-8 without NUL bytes.  0, or -1 with a
 * located SyntaxError. */
int lex_check_source(Interp *I, const char *file, const char *src, size_t n);

/* Raise a SyntaxError located at (line, col); returns -1. */
int lex_error_at(Interp *I, const char *file, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Is s[0..n) a keyword?  Returns its kind or TK_IDENT. */
TokKind lex_keyword(const char *s, size_t n);

#endif
