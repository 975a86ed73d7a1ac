/* lexer.c — source bytes to tokens (LANGUAGE.md §2), the front-end arena,
 * and the UTF-8/NUL check of source text.  See lexer.h. */
#include "lexer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* token descriptions                                                  */

static const char *const tok_desc[TK__COUNT] = {
#define TOK(id, text) text,
#define KW(id, text) "'" text "'",
#define PUNCT(id, text) "'" text "'",
#include "tokens.def"
#undef TOK
#undef KW
#undef PUNCT
};

const char *tok_kind_desc(TokKind k) { return (k >= 0 && k < TK__COUNT) ? tok_desc[k] : "?"; }

static const struct {
  const char *text;
  TokKind kind;
} keywords[] = {
#define TOK(id, text)
#define KW(id, text) {text, TK_##id},
#define PUNCT(id, text)
#include "tokens.def"
#undef TOK
#undef KW
#undef PUNCT
};

TokKind lex_keyword(const char *s, size_t n) {
  if (n < 2 || n > 8) return TK_IDENT;
  for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++) {
    const char *k = keywords[i].text;
    if (strlen(k) == n && memcmp(k, s, n) == 0) return keywords[i].kind;
  }
  return TK_IDENT;
}

/* ------------------------------------------------------------------ */
/* arena                                                               */

struct ArenaBlock {
  ArenaBlock *next;
  size_t used, cap;
  _Alignas(16) unsigned char data[];
};

void arena_init(Arena *a, Interp *I) {
  a->head = NULL;
  a->I = I;
}

void *arena_alloc(Arena *a, size_t n) {
  n = (n + 15) & ~(size_t)15;
  if (n == 0) n = 16;
  ArenaBlock *b = a->head;
  if (!b || b->cap - b->used < n) {
    size_t cap = 16384;
    if (n > cap / 4) {
      /* big request: its own block, kept behind the current one */
      if (n > SIZE_MAX - sizeof(ArenaBlock)) {
        jx_raise(a->I, E_MEMORY, "out of memory");
        return NULL;
      }
      ArenaBlock *big = jx_malloc(a->I, sizeof(ArenaBlock) + n);
      if (!big) return NULL;
      big->used = big->cap = n;
      if (b) {
        big->next = b->next;
        b->next = big;
      } else {
        big->next = NULL;
        a->head = big;
      }
      memset(big->data, 0, n);
      return big->data;
    }
    b = jx_malloc(a->I, sizeof(ArenaBlock) + cap);
    if (!b) return NULL;
    b->next = a->head;
    b->used = 0;
    b->cap = cap;
    a->head = b;
  }
  void *p = b->data + b->used;
  b->used += n;
  memset(p, 0, n);
  return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n) {
  if (n == SIZE_MAX) {
    jx_raise(a->I, E_MEMORY, "out of memory");
    return NULL;
  }
  char *p = arena_alloc(a, n + 1);
  if (!p) return NULL;
  if (n) memcpy(p, s, n);
  p[n] = 0;
  return p;
}

void arena_free(Arena *a) {
  ArenaBlock *b = a->head;
  while (b) {
    ArenaBlock *n = b->next;
    jx_free(b);
    b = n;
  }
  a->head = NULL;
}

/* ------------------------------------------------------------------ */
/* errors                                                              */

int lex_error_at(Interp *I, const char *file, int line, int col, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  jx_vraise(I, E_SYNTAX, fmt, ap);
  va_end(ap);
  I->err.file = file;
  I->err.line = line;
  I->err.col = col;
  return -1;
}

/* ------------------------------------------------------------------ */
/* UTF-8 check                                                         */

/* Length of the valid UTF-8 sequence at s (n bytes available), or 0. */
static int utf8_len(const unsigned char *s, size_t n, uint32_t *cp) {
  unsigned char c = s[0];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  int len;
  uint32_t v, min;
  if (c >= 0xC2 && c <= 0xDF)
    len = 2, v = c & 0x1F, min = 0x80;
  else if (c >= 0xE0 && c <= 0xEF)
    len = 3, v = c & 0x0F, min = 0x800;
  else if (c >= 0xF0 && c <= 0xF4)
    len = 4, v = c & 0x07, min = 0x10000;
  else
    return 0;
  if ((size_t)len > n) return 0;
  for (int i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    v = (v << 6) | (s[i] & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return len;
}

int lex_check_source(Interp *I, const char *file, const char *src, size_t n) {
  const unsigned char *s = (const unsigned char *)src;
  int line = 1, col = 1;
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c == 0)
      return lex_error_at(I, file, line, col, "NUL byte in source (is this a binary file?)");
    if (c < 0x80) {
      if (c == '\n')
        line++, col = 1;
      else
        col++;
      i++;
      continue;
    }
    uint32_t cp;
    int k = utf8_len(s + i, n - i, &cp);
    if (!k)
      return lex_error_at(I, file, line, col,
                          "invalid UTF-8 byte 0x%02x in source (jx source must be UTF-8)", c);
    i += (size_t)k;
    col++;
  }
  return 0;
}

/* ------------------------------------------------------------------ */
/* the lexer                                                           */

void lex_init(Lexer *L, Interp *I, Arena *arena, const char *file, const char *src, size_t start,
              size_t end, int line, int col) {
  L->I = I;
  L->arena = arena;
  L->file = file;
  L->src = src;
  L->pos = start;
  L->end = end;
  L->line = line;
  L->col = col;
  L->eof_in_string = false;
  /* UTF-8 byte order mark at the very start of a file */
  if (start == 0 && end >= 3 && (unsigned char)src[0] == 0xEF && (unsigned char)src[1] == 0xBB &&
      (unsigned char)src[2] == 0xBF)
    L->pos = 3;
}

static inline int peekc(Lexer *L, size_t k) {
  return L->pos + k < L->end ? (unsigned char)L->src[L->pos + k] : 0;
}

static inline void adv(Lexer *L) {
  unsigned char c = (unsigned char)L->src[L->pos++];
  if (c == '\n') {
    L->line++;
    L->col = 1;
  } else if ((c & 0xC0) != 0x80) {
    L->col++;
  }
}

static inline bool is_digit(int c) { return c >= '0' && c <= '9'; }
static inline bool is_alpha(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static inline bool is_alnum(int c) { return is_alpha(c) || is_digit(c); }

static int err_here(Lexer *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int err_here(Lexer *L, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  jx_vraise(L->I, E_SYNTAX, fmt, ap);
  va_end(ap);
  L->I->err.file = L->file;
  L->I->err.line = L->line;
  L->I->err.col = L->col;
  return -1;
}

/* Describe the (non-ASCII or unexpected) character at the current position. */
static int bad_char(Lexer *L) {
  const unsigned char *s = (const unsigned char *)L->src + L->pos;
  uint32_t cp = 0;
  int k = utf8_len(s, L->end - L->pos, &cp);
  if (k > 1)
    return err_here(L, "invalid character '%.*s' (U+%04X) in source", k, (const char *)s,
                    (unsigned)cp);
  if (k == 1 && cp >= 0x20 && cp < 0x7f)
    return err_here(L, "invalid character '%c' in source", (int)cp);
  if (k == 1) return err_here(L, "invalid control character 0x%02x in source", (unsigned)cp);
  return err_here(L, "invalid UTF-8 byte 0x%02x in source", s[0]);
}

/* digits with single '_' separators between digits */
static int scan_digits(Lexer *L) {
  while (1) {
    int c = peekc(L, 0);
    if (is_digit(c)) {
      adv(L);
    } else if (c == '_') {
      if (!is_digit(peekc(L, 1))) {
        return err_here(L, "invalid '_' in number literal ('_' must separate digits)");
      }
      adv(L);
    } else {
      return 0;
    }
  }
}

static int lex_number(Lexer *L, Token *t) {
  bool is_float = false;
  if (peekc(L, 0) == '.') {
    adv(L);
    is_float = true;
    if (scan_digits(L) < 0) return -1;
  } else {
    if (scan_digits(L) < 0) return -1;
    if (peekc(L, 0) == '.') {
      int n1 = peekc(L, 1);
      bool exp_follows = (n1 == 'e' || n1 == 'E') &&
                         (is_digit(peekc(L, 2)) ||
                          ((peekc(L, 2) == '+' || peekc(L, 2) == '-') && is_digit(peekc(L, 3))));
      if (is_digit(n1)) {
        adv(L);
        is_float = true;
        if (scan_digits(L) < 0) return -1;
      } else if (!is_alpha(n1) || exp_follows) {
        adv(L);
        is_float = true;
      }
    }
  }
  int c = peekc(L, 0);
  if (c == 'e' || c == 'E') {
    int n1 = peekc(L, 1);
    if (is_digit(n1) || ((n1 == '+' || n1 == '-') && is_digit(peekc(L, 2)))) {
      adv(L);
      if (n1 == '+' || n1 == '-') adv(L);
      if (scan_digits(L) < 0) return -1;
      is_float = true;
    } else {
      return err_here(L, "invalid exponent in number literal");
    }
  }
  if (is_alnum(peekc(L, 0)))
    return err_here(L, "invalid number literal (a name cannot start with a digit)");
  size_t n = L->pos - t->pos;
  const char *s = L->src + t->pos;
  if (!is_float) {
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
      if (s[i] == '_') continue;
      int d = s[i] - '0';
      if (v > (INT64_MAX - d) / 10)
        return lex_error_at(L->I, L->file, t->line, t->col,
                            "integer literal %.*s is too large for int64", (int)(n > 40 ? 40 : n),
                            s);
      v = v * 10 + d;
    }
    t->kind = TK_INT;
    t->ival = v;
    return 0;
  }
  char *buf = jx_malloc(L->I, n + 1);
  if (!buf) return -1;
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (s[i] != '_') buf[k++] = s[i];
  buf[k] = 0;
  errno = 0;
  t->fval = strtod(buf, NULL);
  jx_free(buf);
  t->kind = TK_FLOAT;
  return 0;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static void put_utf8(StrBuf *sb, uint32_t cp) {
  char b[4];
  int n;
  if (cp < 0x80)
    b[0] = (char)cp, n = 1;
  else if (cp < 0x800)
    b[0] = (char)(0xC0 | (cp >> 6)), b[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
  else if (cp < 0x10000)
    b[0] = (char)(0xE0 | (cp >> 12)), b[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
    b[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
  else
    b[0] = (char)(0xF0 | (cp >> 18)), b[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
    b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
  sb_putn(sb, b, (size_t)n);
}

/* One escape sequence (the backslash is the current character). */
static int lex_escape(Lexer *L, StrBuf *sb) {
  int sl = L->line, sc = L->col;
  adv(L); /* backslash */
  int c = peekc(L, 0);
  switch (c) {
  case 'n':
    sb_putc(sb, '\n');
    adv(L);
    return 0;
  case 't':
    sb_putc(sb, '\t');
    adv(L);
    return 0;
  case 'r':
    sb_putc(sb, '\r');
    adv(L);
    return 0;
  case '0':
    sb_putc(sb, '\0');
    adv(L);
    return 0;
  case '\\':
    sb_putc(sb, '\\');
    adv(L);
    return 0;
  case '"':
    sb_putc(sb, '"');
    adv(L);
    return 0;
  case '\'':
    sb_putc(sb, '\'');
    adv(L);
    return 0;
  case '\n': adv(L); return 0; /* backslash-newline: continuation */
  case 'x':
  case 'u':
  case 'U': {
    int nd = c == 'x' ? 2 : c == 'u' ? 4 : 8;
    adv(L);
    uint32_t v = 0;
    for (int i = 0; i < nd; i++) {
      int h = hexval(peekc(L, 0));
      if (h < 0)
        return lex_error_at(L->I, L->file, sl, sc, "invalid \\%c escape: expected %d hex digits", c,
                            nd);
      v = v * 16 + (uint32_t)h;
      adv(L);
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (c == 'x' && v >= 0x80))
      return lex_error_at(L->I, L->file, sl, sc, "invalid character code in \\%c escape", c);
    put_utf8(sb, v);
    return 0;
  }
  default:
    if (c == 0) return lex_error_at(L->I, L->file, sl, sc, "unterminated string literal");
    return lex_error_at(L->I, L->file, sl, sc,
                        "invalid escape sequence '\\%c' (use '\\\\' for a backslash)", c);
  }
}

static int lex_string(Lexer *L, Token *t) {
  int q = peekc(L, 0);
  adv(L);
  StrBuf sb;
  sb_init(&sb);
  while (1) {
    int c = peekc(L, 0);
    if (c == q) {
      adv(L);
      break;
    }
    if (c == 0 || c == '\n') {
      sb_free(&sb);
      if (c == 0 && L->pos >= 2 && L->src[L->pos - 1] == '\n' && L->src[L->pos - 2] == '\\')
        L->eof_in_string = true;
      return lex_error_at(L->I, L->file, t->line, t->col,
                          "unterminated string literal (opened at line %d)", t->line);
    }
    if (c == '\\') {
      if (lex_escape(L, &sb) < 0) {
        sb_free(&sb);
        return -1;
      }
      continue;
    }
    size_t start = L->pos;
    while (L->pos < L->end) {
      int d = peekc(L, 0);
      if (d == q || d == '\\' || d == '\n' || d == 0) break;
      adv(L);
    }
    sb_putn(&sb, L->src + start, L->pos - start);
  }
  if (sb.oom) {
    sb_free(&sb);
    jx_raise(L->I, E_MEMORY, "out of memory");
    return -1;
  }
  t->str = arena_strndup(L->arena, sb.s ? sb.s : "", sb.len);
  t->slen = sb.len;
  sb_free(&sb);
  if (!t->str) return -1;
  t->kind = TK_STRING;
  return 0;
}

/* ---- f-strings ------------------------------------------------------ */

typedef struct {
  FPart *v;
  int n, cap;
} PartVec;

static FPart *parts_push(Lexer *L, PartVec *pv) {
  if (pv->n == pv->cap) {
    int cap = pv->cap ? pv->cap * 2 : 8;
    FPart *v = jx_realloc(L->I, pv->v, (size_t)cap * sizeof(FPart));
    if (!v) return NULL;
    pv->v = v;
    pv->cap = cap;
  }
  FPart *p = &pv->v[pv->n++];
  memset(p, 0, sizeof *p);
  return p;
}

static int flush_literal(Lexer *L, PartVec *pv, StrBuf *sb) {
  if (sb->oom) {
    jx_raise(L->I, E_MEMORY, "out of memory");
    return -1;
  }
  if (sb->len == 0) return 0;
  FPart *p = parts_push(L, pv);
  if (!p) return -1;
  p->is_expr = false;
  p->text = arena_strndup(L->arena, sb->s, sb->len);
  p->len = sb->len;
  sb->len = 0;
  return p->text ? 0 : -1;
}

/* Skip a string literal inside an f-string expression whose '{' is at
 * (bl, bc). */
static int skip_nested_string(Lexer *L, int bl, int bc) {
  int q = peekc(L, 0);
  adv(L);
  while (1) {
    int c = peekc(L, 0);
    if (c == 0 || c == '\n')
      return lex_error_at(L->I, L->file, bl, bc,
                          "f-string: expecting '}' (a quote inside the braces opens a string)");
    adv(L);
    if (c == '\\') {
      if (peekc(L, 0) == 0) continue;
      adv(L);
    } else if (c == q) {
      return 0;
    }
  }
}

static int lex_fstring(Lexer *L, Token *t) {
  adv(L); /* f */
  int q = peekc(L, 0);
  adv(L);
  PartVec pv = {0};
  StrBuf sb;
  sb_init(&sb);
  while (1) {
    int c = peekc(L, 0);
    if (c == q) {
      adv(L);
      break;
    }
    if (c == 0 || c == '\n') {
      if (c == 0 && L->pos >= 2 && L->src[L->pos - 1] == '\n' && L->src[L->pos - 2] == '\\')
        L->eof_in_string = true;
      lex_error_at(L->I, L->file, t->line, t->col, "unterminated f-string (opened at line %d)",
                   t->line);
      goto fail;
    }
    if (c == '\\') {
      if (lex_escape(L, &sb) < 0) goto fail;
      continue;
    }
    if (c == '}') {
      if (peekc(L, 1) == '}') {
        adv(L);
        adv(L);
        sb_putc(&sb, '}');
        continue;
      }
      err_here(L, "f-string: single '}' is not allowed (write '}}')");
      goto fail;
    }
    if (c != '{') {
      sb_putc(&sb, (char)c);
      adv(L);
      continue;
    }
    if (peekc(L, 1) == '{') {
      adv(L);
      adv(L);
      sb_putc(&sb, '{');
      continue;
    }
    /* an expression part */
    if (flush_literal(L, &pv, &sb) < 0) goto fail;
    int bl = L->line, bc = L->col;
    adv(L); /* { */
    FPart *p = parts_push(L, &pv);
    if (!p) goto fail;
    p->is_expr = true;
    p->epos = L->pos;
    p->eline = L->line;
    p->ecol = L->col;
    int depth = 0;
    bool all_space = true;
    while (1) {
      int d = peekc(L, 0);
      if (d == 0 || d == '\n') {
        lex_error_at(L->I, L->file, bl, bc, "f-string: '{' was never closed");
        goto fail;
      }
      if (d == '\'' || d == '"') {
        all_space = false;
        if (skip_nested_string(L, bl, bc) < 0) goto fail;
        continue;
      }
      if (depth == 0 && (d == '}' || d == ':')) break;
      if (depth == 0 && d == '!' && (peekc(L, 1) == 'r' || peekc(L, 1) == 's') &&
          (peekc(L, 2) == '}' || peekc(L, 2) == ':'))
        break;
      if (d == '(' || d == '[' || d == '{')
        depth++;
      else if ((d == ')' || d == ']' || d == '}') && depth > 0)
        depth--;
      if (d != ' ' && d != '\t') all_space = false;
      adv(L);
    }
    p->elen = L->pos - p->epos;
    if (all_space) {
      lex_error_at(L->I, L->file, bl, bc, "f-string: empty expression");
      goto fail;
    }
    if (peekc(L, 0) == '!') {
      adv(L);
      p->conv = (char)peekc(L, 0);
      adv(L);
    }
    if (peekc(L, 0) == ':') {
      adv(L);
      size_t s0 = L->pos;
      while (1) {
        int d = peekc(L, 0);
        if (d == '}') break;
        if (d == 0 || d == '\n' || d == q || d == '{') {
          lex_error_at(L->I, L->file, bl, bc, "f-string: bad format spec (expected '}')");
          goto fail;
        }
        adv(L);
      }
      p->spec = arena_strndup(L->arena, L->src + s0, L->pos - s0);
      p->speclen = L->pos - s0;
      if (!p->spec) goto fail;
    }
    adv(L); /* } */
  }
  if (flush_literal(L, &pv, &sb) < 0) goto fail;
  sb_free(&sb);
  t->kind = TK_FSTRING;
  t->nparts = pv.n;
  t->parts = NULL;
  if (pv.n) {
    t->parts = arena_alloc(L->arena, (size_t)pv.n * sizeof(FPart));
    if (!t->parts) {
      jx_free(pv.v);
      return -1;
    }
    memcpy(t->parts, pv.v, (size_t)pv.n * sizeof(FPart));
  }
  jx_free(pv.v);
  return 0;
fail:
  sb_free(&sb);
  jx_free(pv.v);
  return -1;
}

int lex_next(Lexer *L, Token *t) {
  memset(t, 0, sizeof *t);
  /* whitespace, comments, continuations */
  while (1) {
    int c = peekc(L, 0);
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      adv(L);
    } else if (c == '#') {
      while (L->pos < L->end && L->src[L->pos] != '\n') adv(L);
    } else if (c == '\\') {
      size_t k = 1;
      while (peekc(L, k) == ' ' || peekc(L, k) == '\t' || peekc(L, k) == '\r') k++;
      if (peekc(L, k) != '\n') break;
      while (k--) adv(L);
      adv(L); /* the newline */
    } else {
      break;
    }
  }
  t->line = L->line;
  t->col = L->col;
  t->pos = L->pos;
  if (L->pos >= L->end) {
    t->kind = TK_EOF;
    return 0;
  }
  int c = peekc(L, 0);
  int rc = 0;
  if (c == '\n') {
    adv(L);
    t->kind = TK_NEWLINE;
  } else if (is_digit(c) || (c == '.' && is_digit(peekc(L, 1)))) {
    rc = lex_number(L, t);
  } else if (c == 'f' && (peekc(L, 1) == '"' || peekc(L, 1) == '\'')) {
    rc = lex_fstring(L, t);
  } else if (is_alpha(c)) {
    while (is_alnum(peekc(L, 0))) adv(L);
    t->str = L->src + t->pos;
    t->slen = L->pos - t->pos;
    if ((unsigned char)peekc(L, 0) >= 0x80) return bad_char(L);
    t->kind = lex_keyword(t->str, t->slen);
  } else if (c == '"' || c == '\'') {
    rc = lex_string(L, t);
  } else {
    int c1 = peekc(L, 1), c2 = peekc(L, 2);
    TokKind k;
    int n = 1;
    switch (c) {
    case '(': k = TK_LPAREN; break;
    case ')': k = TK_RPAREN; break;
    case '[': k = TK_LBRACKET; break;
    case ']': k = TK_RBRACKET; break;
    case '{': k = TK_LBRACE; break;
    case '}': k = TK_RBRACE; break;
    case ',': k = TK_COMMA; break;
    case ';': k = TK_SEMI; break;
    case ':': k = TK_COLON; break;
    case '.': k = TK_DOT; break;
    case '~': k = TK_TILDE; break;
    case '|': k = TK_PIPE; break;
    case '&': k = TK_AMP; break;
    case '+': k = c1 == '=' ? (n = 2, TK_PLUSEQ) : TK_PLUS; break;
    case '-': k = c1 == '=' ? (n = 2, TK_MINUSEQ) : TK_MINUS; break;
    case '%': k = c1 == '=' ? (n = 2, TK_PERCENTEQ) : TK_PERCENT; break;
    case '@': k = c1 == '=' ? (n = 2, TK_ATEQ) : TK_AT; break;
    case '*':
      if (c1 == '*')
        k = c2 == '=' ? (n = 3, TK_DSTAREQ) : (n = 2, TK_DSTAR);
      else
        k = c1 == '=' ? (n = 2, TK_STAREQ) : TK_STAR;
      break;
    case '/':
      if (c1 == '/')
        k = c2 == '=' ? (n = 3, TK_DSLASHEQ) : (n = 2, TK_DSLASH);
      else
        k = c1 == '=' ? (n = 2, TK_SLASHEQ) : TK_SLASH;
      break;
    case '=':
      if (c1 == '=')
        k = TK_EQ, n = 2;
      else if (c1 == '>')
        k = TK_ARROW, n = 2;
      else
        k = TK_ASSIGN;
      break;
    case '!':
      if (c1 == '=') {
        k = TK_NE;
        n = 2;
        break;
      }
      return err_here(L, "invalid syntax '!' (use 'not' for logical negation)");
    case '<': k = c1 == '=' ? (n = 2, TK_LE) : TK_LT; break;
    case '>': k = c1 == '=' ? (n = 2, TK_GE) : TK_GT; break;
    default:
      if (c == '\\') return err_here(L, "unexpected '\\' (a line continuation must end the line)");
      if (c == '$' || c == '?' || c == '`' || c == '^')
        return err_here(L, "invalid character '%c' in source", c);
      return bad_char(L);
    }
    for (int i = 0; i < n; i++) adv(L);
    t->kind = k;
  }
  if (rc < 0) return -1;
  t->len = L->pos - t->pos;
  return 0;
}
