/* parser.c — recursive descent with precedence climbing for jx
 * (LANGUAGE.md §4–§5).  Builds Nodes in the chunk's arena.  See parser.h.
 *
 * Newlines: the lexer always emits NEWLINE; the parser skips them while
 * `nl_skip` is set (inside ( ) [ ] and dict literals) and explicitly after
 * binary operators, commas, `=`, `=>` and `:`.  Inside a block { … }
 * nl_skip is off, so newlines separate statements again. */
#include "parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../stdlib/ops.h"

/* ------------------------------------------------------------------ */
/* chunks and node names                                               */

static const char *const node_names[N__COUNT] = {
#define NODE(id, name) name,
#include "ast.def"
#undef NODE
};

const char *ast_kind_name(NodeKind k) { return k < N__COUNT ? node_names[k] : "?"; }

int chunk_own(Interp *I, Chunk *c, Value v) {
  if (c->nconsts == c->cconsts) {
    int cap = c->cconsts ? c->cconsts * 2 : 16;
    Value *nv = jx_realloc(I, c->consts, (size_t)cap * sizeof(Value));
    if (!nv) return -1;
    c->consts = nv;
    c->cconsts = cap;
  }
  c->consts[c->nconsts++] = v;
  return 0;
}

void chunk_free(Chunk *c) {
  if (!c) return;
  for (int i = 0; i < c->nconsts; i++) v_decref(c->consts[i]);
  jx_free(c->consts);
  arena_free(&c->arena);
  jx_free(c);
}

/* ------------------------------------------------------------------ */
/* parser state                                                        */

typedef struct {
  Interp *I;
  Lexer L;
  Chunk *ch;
  Arena *A;
  Token *la; /* lookahead ring */
  int la_head, la_n, la_cap;
  bool nl_skip;
  int depth;
  int flags;
  bool failed;                     /* an error has been raised: keep the first */
  bool incomplete;                 /* the error is "input ended early" */
  TokKind prev_kind;               /* kind of the last consumed token */
  int prev_end_line, prev_end_col; /* just after the last consumed token */
  int fn_depth;                    /* nesting of function bodies */
  Token *opens;                    /* open brackets, innermost last (for "never closed") */
  int nopens, copens;
} Parser;

/* Note an opening bracket (a copy of its token) until expect_close. */
static void open_br(Parser *p, const Token *t) {
  if (p->nopens == p->copens) {
    int cap = p->copens ? p->copens * 2 : 16;
    Token *n = jx_realloc(p->I, p->opens, (size_t)cap * sizeof(Token));
    if (!n) {
      p->failed = true;
      return;
    }
    p->opens = n;
    p->copens = cap;
  }
  p->opens[p->nopens++] = *t;
}

static Token eof_tok;

/* Make sure k+1 raw tokens are buffered; returns the k-th. */
static Token *peek_raw(Parser *p, int k) {
  while (p->la_n <= k) {
    if (p->la_n == p->la_cap) {
      int cap = p->la_cap ? p->la_cap * 2 : 8;
      Token *nt = jx_malloc(p->I, (size_t)cap * sizeof(Token));
      if (!nt) {
        p->failed = true;
        return &eof_tok;
      }
      for (int i = 0; i < p->la_n; i++) nt[i] = p->la[(p->la_head + i) % p->la_cap];
      jx_free(p->la);
      p->la = nt;
      p->la_head = 0;
      p->la_cap = cap;
    }
    Token *t = &p->la[(p->la_head + p->la_n) % p->la_cap];
    if (p->failed) {
      *t = eof_tok;
      t->line = p->L.line;
      t->col = p->L.col;
    } else if (lex_next(&p->L, t) < 0) {
      p->failed = true;
      if (p->L.eof_in_string) p->incomplete = true; /* "abc\<newline> at the end */
      memset(t, 0, sizeof *t);
      t->kind = TK_EOF;
      t->line = p->L.line;
      t->col = p->L.col;
    }
    p->la_n++;
  }
  return &p->la[(p->la_head + k) % p->la_cap];
}

static void drop(Parser *p) {
  if (p->la_n == 0) peek_raw(p, 0);
  Token *t = &p->la[p->la_head];
  p->prev_kind = t->kind;
  if (t->kind != TK_NEWLINE && t->kind != TK_EOF) {
    /* end column: the token's code points (tokens do not span lines, except
     * a string with a backslash-newline: then this is approximate) */
    int cps = 0;
    for (size_t i = 0; i < t->len; i++)
      if (((unsigned char)p->ch->src[t->pos + i] & 0xC0) != 0x80) cps++;
    p->prev_end_line = t->line;
    p->prev_end_col = t->col + cps;
  }
  p->la_head = (p->la_head + 1) % p->la_cap;
  p->la_n--;
}

static Token *peek(Parser *p) {
  if (p->nl_skip)
    while (peek_raw(p, 0)->kind == TK_NEWLINE) drop(p);
  return peek_raw(p, 0);
}

static void skip_nl(Parser *p) {
  while (peek_raw(p, 0)->kind == TK_NEWLINE) drop(p);
}

static Token next(Parser *p) {
  Token t = *peek(p);
  drop(p);
  return t;
}

static bool check(Parser *p, TokKind k) { return peek(p)->kind == k; }

static bool accept(Parser *p, TokKind k) {
  if (peek(p)->kind != k) return false;
  drop(p);
  return true;
}

/* ---- errors ---------------------------------------------------------- */

static void *perr_at(Parser *p, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void *perr_at(Parser *p, int line, int col, const char *fmt, ...) {
  if (p->failed) return NULL;
  p->failed = true;
  va_list ap;
  va_start(ap, fmt);
  jx_vraise(p->I, E_SYNTAX, fmt, ap);
  va_end(ap);
  p->I->err.file = p->ch->file;
  p->I->err.line = line;
  p->I->err.col = col;
  return NULL;
}

static void describe(const Token *t, char *buf, size_t n) {
  switch (t->kind) {
  case TK_IDENT: snprintf(buf, n, "name '%.*s'", (int)(t->slen > 40 ? 40 : t->slen), t->str); break;
  case TK_INT: snprintf(buf, n, "integer %lld", (long long)t->ival); break;
  case TK_FLOAT: snprintf(buf, n, "number"); break;
  default: snprintf(buf, n, "%s", tok_kind_desc(t->kind));
  }
}

/* "expected X, found Y" at the current token. */
static void *unexpected(Parser *p, const char *expected) {
  Token *t = peek(p);
  if (p->failed) return NULL;
  int line = t->line, col = t->col;
  if (t->kind == TK_EOF && p->nopens > 0) {
    Token *o = &p->opens[p->nopens - 1];
    p->incomplete = true;
    return perr_at(p, o->line, o->col, "%s opened at line %d was never closed",
                   tok_kind_desc(o->kind), o->line);
  }
  if (t->kind == TK_EOF) {
    p->incomplete = true;
    if (p->prev_end_line) { /* point just after the last token */
      line = p->prev_end_line;
      col = p->prev_end_col;
    }
  }
  char d[96];
  describe(t, d, sizeof d);
  if (expected) return perr_at(p, line, col, "expected %s, found %s", expected, d);
  return perr_at(p, line, col, "invalid syntax: unexpected %s", d);
}

static bool expect(Parser *p, TokKind k, const char *what) {
  if (accept(p, k)) return true;
  unexpected(p, what ? what : tok_kind_desc(k));
  return false;
}

/* Expect the closing bracket of `open`; at end of input, name the opener. */
static bool expect_close(Parser *p, TokKind k, const Token *open) {
  if (p->nopens > 0) p->nopens--;
  if (accept(p, k)) return true;
  Token *t = peek(p);
  if (t->kind == TK_EOF && !p->failed) {
    p->incomplete = true;
    perr_at(p, open->line, open->col, "%s opened at line %d was never closed",
            tok_kind_desc(open->kind), open->line);
    return false;
  }
  char want[64];
  snprintf(want, sizeof want, "%s (to close %s at line %d)", tok_kind_desc(k),
           tok_kind_desc(open->kind), open->line);
  unexpected(p, want);
  return false;
}

static bool enter(Parser *p, const Token *at) {
  if (++p->depth > PARSE_MAX_DEPTH) {
    if (!p->failed) {
      p->failed = true;
      jx_raise(p->I, E_RECURSION, "code nested too deeply (more than %d levels)", PARSE_MAX_DEPTH);
      p->I->err.file = p->ch->file;
      p->I->err.line = at->line;
      p->I->err.col = at->col;
    }
    return false;
  }
  return true;
}
static void leave(Parser *p) { p->depth--; }

/* ---- allocation ------------------------------------------------------ */

static Node *mk(Parser *p, NodeKind k, int line, int col) {
  Node *n = arena_alloc(p->A, sizeof(Node));
  if (!n) {
    p->failed = true;
    return NULL;
  }
  n->kind = (uint8_t)k;
  n->line = line;
  n->col = col;
  return n;
}

static Node *mkt(Parser *p, NodeKind k, const Token *t) { return mk(p, k, t->line, t->col); }

/* Growable node list (heap while building, copied to the arena). */
typedef struct {
  Node **v;
  int n, cap;
} NVec;

static bool nv_push(Parser *p, NVec *nv, Node *x) {
  if (nv->n == nv->cap) {
    int cap = nv->cap ? nv->cap * 2 : 8;
    Node **v = jx_realloc(p->I, nv->v, (size_t)cap * sizeof(Node *));
    if (!v) {
      p->failed = true;
      return false;
    }
    nv->v = v;
    nv->cap = cap;
  }
  nv->v[nv->n++] = x;
  return true;
}

static Node **nv_finish(Parser *p, NVec *nv) {
  Node **out = arena_alloc(p->A, (size_t)(nv->n ? nv->n : 1) * sizeof(Node *));
  if (out && nv->n) memcpy(out, nv->v, (size_t)nv->n * sizeof(Node *));
  if (!out) p->failed = true;
  jx_free(nv->v);
  nv->v = NULL;
  return out;
}

static const char *tok_name(Parser *p, const Token *t) {
  char *s = arena_strndup(p->A, t->str, t->slen);
  if (!s) p->failed = true;
  return s;
}

/* ------------------------------------------------------------------ */
/* expressions                                                         */

static Node *parse_expr(Parser *p);
static Node *parse_block(Parser *p);
static Node *parse_unary(Parser *p);
static Node *parse_stmt(Parser *p);

/* expr (',' expr)* [','] — a bare tuple when there is a comma. */
static Node *parse_expr_list(Parser *p) {
  Token *t0 = peek(p);
  int line = t0->line, col = t0->col;
  Node *first = parse_expr(p);
  if (!first) return NULL;
  if (!check(p, TK_COMMA)) return first;
  NVec nv = {0};
  nv_push(p, &nv, first);
  while (accept(p, TK_COMMA)) {
    skip_nl(p);
    TokKind k = peek(p)->kind;
    if (k == TK_NEWLINE || k == TK_SEMI || k == TK_RBRACE || k == TK_EOF || k == TK_ASSIGN ||
        k == TK_RPAREN)
      break;
    Node *e = parse_expr(p);
    if (!e || !nv_push(p, &nv, e)) {
      jx_free(nv.v);
      return NULL;
    }
  }
  Node *n = mk(p, N_TUPLE, line, col);
  if (!n) {
    jx_free(nv.v);
    return NULL;
  }
  n->u.list.n = nv.n;
  n->u.list.items = nv_finish(p, &nv);
  return n->u.list.items ? n : NULL;
}

/* Parameters of fn(...)/def f(...) up to `close`, or of lambda up to ':'. */
static bool parse_params(Parser *p, Proto *pr, TokKind close) {
  NVec defs = {0};
  const char **names = NULL;
  int n = 0, cap = 0;
  bool seen_default = false;
  bool ok = false;
  while (!check(p, close)) {
    Token t = *peek(p);
    if (t.kind != TK_IDENT) {
      unexpected(p, "a parameter name");
      goto out;
    }
    drop(p);
    const char *nm = tok_name(p, &t);
    if (!nm) goto out;
    for (int i = 0; i < n; i++)
      if (strcmp(names[i], nm) == 0) {
        perr_at(p, t.line, t.col, "duplicate parameter '%s'", nm);
        goto out;
      }
    if (n == cap) {
      cap = cap ? cap * 2 : 4;
      const char **nn = jx_realloc(p->I, names, (size_t)cap * sizeof(char *));
      if (!nn) {
        p->failed = true;
        goto out;
      }
      names = nn;
    }
    names[n++] = nm;
    Node *d = NULL;
    if (accept(p, TK_ASSIGN)) {
      skip_nl(p);
      d = parse_expr(p);
      if (!d) goto out;
      seen_default = true;
    } else if (seen_default) {
      perr_at(p, t.line, t.col, "parameter '%s' without a default follows one with a default", nm);
      goto out;
    }
    if (!nv_push(p, &defs, d)) goto out;
    if (!accept(p, TK_COMMA)) break;
    skip_nl(p);
  }
  pr->nparams = n;
  pr->pnames = arena_alloc(p->A, (size_t)(n ? n : 1) * sizeof(char *));
  if (!pr->pnames) goto out;
  if (n) memcpy(pr->pnames, names, (size_t)n * sizeof(char *));
  pr->defaults = nv_finish(p, &defs);
  ok = pr->defaults != NULL;
out:
  jx_free(defs.v);
  jx_free(names);
  return ok && !p->failed;
}

static Proto *new_proto(Parser *p, const char *name, const Token *at) {
  Proto *pr = arena_alloc(p->A, sizeof(Proto));
  if (!pr) {
    p->failed = true;
    return NULL;
  }
  pr->name = name;
  pr->chunk = p->ch;
  pr->line = at->line;
  pr->col = at->col;
  return pr;
}

/* fn(params) => expr | fn(params) { block } */
static Node *parse_fn(Parser *p) {
  Token kw = next(p);
  Proto *pr = new_proto(p, "<lambda>", &kw);
  if (!pr) return NULL;
  Token open = *peek(p);
  if (!expect(p, TK_LPAREN, "'(' after 'fn'")) return NULL;
  open_br(p, &open);
  bool save = p->nl_skip;
  p->nl_skip = true;
  if (!parse_params(p, pr, TK_RPAREN)) return NULL;
  if (!expect_close(p, TK_RPAREN, &open)) return NULL;
  p->nl_skip = save;
  p->fn_depth++;
  if (accept(p, TK_ARROW)) {
    skip_nl(p);
    pr->body = parse_expr(p);
    pr->expr_body = true;
  } else if (check(p, TK_LBRACE)) {
    pr->body = parse_block(p);
  } else {
    unexpected(p, "'=>' or '{' after the parameters of fn");
  }
  p->fn_depth--;
  if (!pr->body) return NULL;
  Node *n = mkt(p, N_FUNC, &kw);
  if (n) n->u.func.proto = pr;
  return n;
}

/* lambda params: expr */
static Node *parse_lambda(Parser *p) {
  Token kw = next(p);
  Proto *pr = new_proto(p, "<lambda>", &kw);
  if (!pr) return NULL;
  if (!parse_params(p, pr, TK_COLON)) return NULL;
  if (!expect(p, TK_COLON, "':' after the parameters of lambda")) return NULL;
  skip_nl(p);
  p->fn_depth++;
  pr->body = parse_expr(p);
  p->fn_depth--;
  pr->expr_body = true;
  if (!pr->body) return NULL;
  Node *n = mkt(p, N_FUNC, &kw);
  if (n) n->u.func.proto = pr;
  return n;
}

/* if c { … } else if d { … } else { … } — else-if chains are built in a
 * loop, so a long chain does not nest the parser. */
static Node *parse_if(Parser *p) {
  Token kw = next(p);
  Node *first = mkt(p, N_IF, &kw), *n = first;
  if (!first) return NULL;
  if (!enter(p, &kw)) return NULL;
  bool save = p->nl_skip;
  p->nl_skip = false;
  while (n) {
    n->u.k.a = parse_expr(p);
    if (!n->u.k.a) break;
    if (!check(p, TK_LBRACE)) {
      unexpected(p, "'{' after the condition of if");
      break;
    }
    n->u.k.b = parse_block(p);
    if (!n->u.k.b) break;
    /* `else` may follow on the next line */
    int k = 0;
    while (peek_raw(p, k)->kind == TK_NEWLINE) k++;
    if (peek_raw(p, k)->kind != TK_ELSE) break;
    skip_nl(p);
    drop(p);
    if (check(p, TK_IF)) {
      Token kw2 = next(p);
      Node *e = mkt(p, N_IF, &kw2);
      n->u.k.c = e;
      n = e;
    } else if (check(p, TK_LBRACE)) {
      n->u.k.c = parse_block(p);
      break;
    } else {
      unexpected(p, "'{' or 'if' after 'else'");
      break;
    }
  }
  p->nl_skip = save;
  leave(p);
  return p->failed ? NULL : first;
}

/* After '{' in expression position: a dict literal, unless a statement
 * keyword follows (then a block expression). */
static bool brace_is_block(Parser *p) {
  int k = 1;
  while (peek_raw(p, k)->kind == TK_NEWLINE) k++;
  switch (peek_raw(p, k)->kind) {
  case TK_LET:
  case TK_DEF:
  case TK_FOR:
  case TK_WHILE:
  case TK_RETURN:
  case TK_BREAK:
  case TK_CONTINUE: return true;
  default: return false;
  }
}

static Node *parse_dict(Parser *p) {
  Token open = next(p);
  open_br(p, &open);
  Node *n = mkt(p, N_DICT, &open);
  if (!n) return NULL;
  bool save = p->nl_skip;
  p->nl_skip = true;
  NVec keys = {0}, vals = {0};
  while (!check(p, TK_RBRACE) && !p->failed) {
    Node *k = parse_expr(p);
    if (!k) break;
    if (!expect(p, TK_COLON, "':' after a dict key")) break;
    Node *v = parse_expr(p);
    if (!v) break;
    if (!nv_push(p, &keys, k) || !nv_push(p, &vals, v)) break;
    if (!accept(p, TK_COMMA)) break;
  }
  if (!p->failed) expect_close(p, TK_RBRACE, &open);
  p->nl_skip = save;
  n->u.dict.n = keys.n;
  n->u.dict.keys = nv_finish(p, &keys);
  n->u.dict.vals = nv_finish(p, &vals);
  return p->failed ? NULL : n;
}

/* The parts of an f-string: each expression is parsed by a sub-parser
 * over its span of the source. */
static Node *parse_fstring(Parser *p, const Token *t) {
  Node *n = mkt(p, N_FSTR, t);
  if (!n) return NULL;
  FStrPart *parts = arena_alloc(p->A, (size_t)(t->nparts ? t->nparts : 1) * sizeof(FStrPart));
  if (!parts) {
    p->failed = true;
    return NULL;
  }
  for (int i = 0; i < t->nparts; i++) {
    FPart *fp = &t->parts[i];
    if (!fp->is_expr) {
      parts[i].text = str_new(p->I, fp->text, fp->len);
      if (IS_EXC(parts[i].text) || chunk_own(p->I, p->ch, parts[i].text) < 0) {
        if (!IS_EXC(parts[i].text)) v_decref(parts[i].text);
        p->failed = true;
        return NULL;
      }
      continue;
    }
    Parser sub = {0};
    sub.I = p->I;
    sub.ch = p->ch;
    sub.A = p->A;
    sub.nl_skip = true;
    sub.depth = p->depth;
    sub.flags = p->flags;
    sub.fn_depth = p->fn_depth;
    lex_init(&sub.L, p->I, p->A, p->ch->file, p->ch->src, fp->epos, fp->epos + fp->elen, fp->eline,
             fp->ecol);
    Node *e = NULL;
    if (enter(&sub, t)) e = parse_expr(&sub);
    if (e && !check(&sub, TK_EOF)) {
      unexpected(&sub, "'}' to end the f-string expression");
      e = NULL;
    }
    if (sub.failed) e = NULL; /* a lexing error reads as the end of input */
    jx_free(sub.la);
    jx_free(sub.opens);
    if (!e) {
      p->failed = true;
      return NULL;
    }
    parts[i].expr = e;
    parts[i].conv = fp->conv;
    parts[i].spec = fp->spec;
  }
  n->u.fstr.parts = parts;
  n->u.fstr.n = t->nparts;
  return n;
}

static Node *parse_primary(Parser *p) {
  Token *tp = peek(p);
  Token t = *tp;
  Node *n;
  switch (t.kind) {
  case TK_INT:
    drop(p);
    if ((n = mkt(p, N_INT, &t))) n->u.i = t.ival;
    return n;
  case TK_FLOAT:
    drop(p);
    if ((n = mkt(p, N_FLOAT, &t))) n->u.f = t.fval;
    return n;
  case TK_STRING: {
    drop(p);
    /* adjacent string literals concatenate */
    if (peek(p)->kind == TK_STRING) {
      StrBuf sb;
      sb_init(&sb);
      sb_putn(&sb, t.str, t.slen);
      while (peek(p)->kind == TK_STRING) {
        Token s2 = next(p);
        sb_putn(&sb, s2.str, s2.slen);
      }
      if (sb.oom) {
        sb_free(&sb);
        jx_raise(p->I, E_MEMORY, "out of memory");
        p->failed = true;
        return NULL;
      }
      t.str = arena_strndup(p->A, sb.s ? sb.s : "", sb.len);
      t.slen = sb.len;
      sb_free(&sb);
      if (!t.str) {
        p->failed = true;
        return NULL;
      }
    }
    if (!(n = mkt(p, N_STR, &t))) return NULL;
    n->u.v = str_new(p->I, t.str, t.slen);
    if (IS_EXC(n->u.v) || chunk_own(p->I, p->ch, n->u.v) < 0) {
      if (!IS_EXC(n->u.v)) v_decref(n->u.v);
      p->failed = true;
      return NULL;
    }
    return n;
  }
  case TK_FSTRING: drop(p); return parse_fstring(p, &t);
  case TK_TRUE: drop(p); return mkt(p, N_TRUE, &t);
  case TK_FALSE: drop(p); return mkt(p, N_FALSE, &t);
  case TK_NONE: drop(p); return mkt(p, N_NONE, &t);
  case TK_IDENT:
    drop(p);
    if ((n = mkt(p, N_NAME, &t))) {
      n->u.name.name = tok_name(p, &t);
      n->u.name.len = t.slen;
      if (!n->u.name.name) return NULL;
    }
    return n;
  case TK_LPAREN: {
    drop(p);
    open_br(p, &t);
    bool save = p->nl_skip;
    p->nl_skip = true;
    if (accept(p, TK_RPAREN)) {
      p->nl_skip = save;
      p->nopens--;
      if ((n = mkt(p, N_TUPLE, &t))) {
        n->u.list.items = arena_alloc(p->A, sizeof(Node *));
        if (!n->u.list.items) return NULL;
      }
      return n;
    }
    Node *e = parse_expr(p);
    if (!e) return NULL;
    if (check(p, TK_COMMA)) {
      NVec nv = {0};
      nv_push(p, &nv, e);
      while (accept(p, TK_COMMA)) {
        if (check(p, TK_RPAREN)) break;
        Node *x = parse_expr(p);
        if (!x || !nv_push(p, &nv, x)) {
          jx_free(nv.v);
          return NULL;
        }
      }
      if (!expect_close(p, TK_RPAREN, &t)) {
        jx_free(nv.v);
        return NULL;
      }
      p->nl_skip = save;
      if (!(n = mkt(p, N_TUPLE, &t))) {
        jx_free(nv.v);
        return NULL;
      }
      n->u.list.n = nv.n;
      n->u.list.items = nv_finish(p, &nv);
      return n->u.list.items ? n : NULL;
    }
    if (!expect_close(p, TK_RPAREN, &t)) return NULL;
    p->nl_skip = save;
    return e;
  }
  case TK_LBRACKET: {
    drop(p);
    open_br(p, &t);
    bool save = p->nl_skip;
    p->nl_skip = true;
    NVec nv = {0};
    while (!check(p, TK_RBRACKET) && !p->failed) {
      Node *x = parse_expr(p);
      if (!x || !nv_push(p, &nv, x)) break;
      if (!accept(p, TK_COMMA)) break;
    }
    if (!p->failed) expect_close(p, TK_RBRACKET, &t);
    p->nl_skip = save;
    if (p->failed || !(n = mkt(p, N_LIST, &t))) {
      jx_free(nv.v);
      return NULL;
    }
    n->u.list.n = nv.n;
    n->u.list.items = nv_finish(p, &nv);
    return n->u.list.items ? n : NULL;
  }
  case TK_LBRACE:
    if (brace_is_block(p)) return parse_block(p);
    return parse_dict(p);
  case TK_IF: return parse_if(p);
  case TK_FN: return parse_fn(p);
  case TK_LAMBDA: return parse_lambda(p);
  case TK_EOF: return unexpected(p, "an expression");
  default: {
    char d[96];
    describe(&t, d, sizeof d);
    return perr_at(p, t.line, t.col, "invalid syntax: expected an expression, found %s", d);
  }
  }
}

static Node *parse_call(Parser *p, Node *fn, const Token *open) {
  open_br(p, open);
  Node *n = mkt(p, N_CALL, open);
  if (!n) return NULL;
  /* locate calls of plain names and attributes at the callee's start */
  if (fn->kind == N_NAME || fn->kind == N_ATTR) {
    n->line = fn->line;
    n->col = fn->col;
  }
  n->u.call.fn = fn;
  bool save = p->nl_skip;
  p->nl_skip = true;
  NVec args = {0}, kwargs = {0};
  const char **kwn = NULL;
  int kcap = 0;
  while (!check(p, TK_RPAREN) && !p->failed) {
    Token *a = peek(p);
    if (a->kind == TK_IDENT && peek_raw(p, 1)->kind == TK_ASSIGN) {
      Token nt = next(p);
      drop(p); /* = */
      const char *nm = tok_name(p, &nt);
      if (!nm) break;
      for (int i = 0; i < kwargs.n; i++)
        if (strcmp(kwn[i], nm) == 0) {
          perr_at(p, nt.line, nt.col, "keyword argument '%s' repeated", nm);
          break;
        }
      if (p->failed) break;
      Node *v = parse_expr(p);
      if (!v) break;
      if (kwargs.n == kcap) {
        kcap = kcap ? kcap * 2 : 4;
        const char **nk = jx_realloc(p->I, kwn, (size_t)kcap * sizeof(char *));
        if (!nk) {
          p->failed = true;
          break;
        }
        kwn = nk;
      }
      kwn[kwargs.n] = nm;
      if (!nv_push(p, &kwargs, v)) break;
    } else {
      if (kwargs.n) {
        perr_at(p, a->line, a->col, "positional argument follows keyword argument");
        break;
      }
      Node *v;
      if (a->kind == TK_STAR) {
        Token st = next(p);
        Node *inner = parse_expr(p);
        if (!inner) break;
        v = mkt(p, N_STARRED, &st);
        if (!v) break;
        v->u.k.a = inner;
        n->flags |= CALL_HAS_STAR;
      } else {
        v = parse_expr(p);
      }
      if (!v || !nv_push(p, &args, v)) break;
    }
    if (!accept(p, TK_COMMA)) break;
  }
  if (!p->failed) expect_close(p, TK_RPAREN, open);
  p->nl_skip = save;
  n->u.call.nargs = args.n;
  n->u.call.args = nv_finish(p, &args);
  n->u.call.nkw = kwargs.n;
  n->u.call.kwargs = nv_finish(p, &kwargs);
  n->u.call.kwnames = arena_alloc(p->A, (size_t)(kwargs.n ? kwargs.n : 1) * sizeof(char *));
  if (n->u.call.kwnames && kwargs.n)
    memcpy(n->u.call.kwnames, kwn, (size_t)kwargs.n * sizeof(char *));
  jx_free(kwn);
  return p->failed || !n->u.call.kwnames ? NULL : n;
}

/* One index item: expr or a slice a:b:c. */
static Node *parse_index_item(Parser *p) {
  Token *t = peek(p);
  int line = t->line, col = t->col;
  Node *lo = NULL, *hi = NULL, *st = NULL;
  if (t->kind != TK_COLON) {
    lo = parse_expr(p);
    if (!lo) return NULL;
    if (!check(p, TK_COLON)) return lo;
  }
  drop(p); /* : */
  TokKind k = peek(p)->kind;
  if (k != TK_COLON && k != TK_COMMA && k != TK_RBRACKET) {
    hi = parse_expr(p);
    if (!hi) return NULL;
  }
  if (accept(p, TK_COLON)) {
    k = peek(p)->kind;
    if (k != TK_COMMA && k != TK_RBRACKET) {
      st = parse_expr(p);
      if (!st) return NULL;
    }
  }
  Node *n = mk(p, N_SLICE, line, col);
  if (n) {
    n->u.k.a = lo;
    n->u.k.b = hi;
    n->u.k.c = st;
  }
  return n;
}

static Node *parse_postfix(Parser *p) {
  TokKind first = peek(p)->kind;
  Node *e = parse_primary(p);
  if (!e) return NULL;
  /* blocks, if-expressions and function literals take no postfix
   * operators (parenthesize them: (fn(x) => x)(1)) */
  if (e->kind == N_BLOCK || first == TK_IF || first == TK_FN || first == TK_LAMBDA) return e;
  while (1) {
    Token *t = peek(p);
    if (t->kind == TK_LPAREN) {
      Token open = next(p);
      e = parse_call(p, e, &open);
    } else if (t->kind == TK_LBRACKET) {
      Token open = next(p);
      open_br(p, &open);
      bool save = p->nl_skip;
      p->nl_skip = true;
      NVec items = {0};
      bool trailing = false;
      while (!p->failed) {
        if (check(p, TK_RBRACKET) && items.n) break;
        Node *it = parse_index_item(p);
        if (!it || !nv_push(p, &items, it)) break;
        trailing = false;
        if (!accept(p, TK_COMMA)) break;
        trailing = true;
      }
      if (!p->failed) expect_close(p, TK_RBRACKET, &open);
      p->nl_skip = save;
      Node *n = p->failed ? NULL : mkt(p, N_INDEX, &open);
      if (!n) {
        jx_free(items.v);
        return NULL;
      }
      n->u.k.a = e;
      if (items.n == 1 && !trailing) {
        n->u.k.b = items.v[0];
        jx_free(items.v);
      } else {
        Node *tu = mkt(p, N_TUPLE, &open);
        if (!tu) {
          jx_free(items.v);
          return NULL;
        }
        tu->u.list.n = items.n;
        tu->u.list.items = nv_finish(p, &items);
        if (!tu->u.list.items) return NULL;
        n->u.k.b = tu;
      }
      e = n;
    } else if (t->kind == TK_DOT) {
      drop(p);
      Token nt = *peek(p);
      if (nt.kind != TK_IDENT) {
        if (nt.kind >= TK_LET && nt.kind <= TK_NONE) {
          drop(p); /* keywords are fine as attribute names */
        } else {
          return unexpected(p, "an attribute name after '.'");
        }
      } else {
        drop(p);
      }
      Node *n = mkt(p, N_ATTR, &nt);
      if (!n) return NULL;
      n->line = e->line;
      n->col = e->col;
      n->u.attr.obj = e;
      n->u.attr.name = tok_name(p, &nt);
      if (!n->u.attr.name) return NULL;
      e = n;
    } else {
      return e;
    }
    if (!e) return NULL;
  }
}

static Node *parse_power(Parser *p) {
  Node *base = parse_postfix(p);
  if (!base) return NULL;
  if (check(p, TK_DSTAR)) {
    Token op = next(p);
    skip_nl(p);
    if (!enter(p, &op)) return NULL; /* 2 ** 2 ** … recurses here */
    Node *rhs = parse_unary(p); /* right-associative; allows 2 ** -1 */
    leave(p);
    if (!rhs) return NULL;
    Node *n = mkt(p, N_BINOP, &op);
    if (!n) return NULL;
    n->op = OP_POW;
    n->u.k.a = base;
    n->u.k.b = rhs;
    return n;
  }
  return base;
}

static Node *parse_unary(Parser *p) {
  Token *t = peek(p);
  if (t->kind == TK_MINUS || t->kind == TK_PLUS || t->kind == TK_TILDE) {
    Token op = next(p);
    if (!enter(p, &op)) return NULL;
    Node *a = parse_unary(p);
    leave(p);
    if (!a) return NULL;
    if (op.kind == TK_MINUS && a->kind == N_INT && a->u.i != INT64_MIN) {
      a->u.i = -a->u.i; /* fold negative literals */
      a->line = op.line;
      a->col = op.col;
      return a;
    }
    if (op.kind == TK_MINUS && a->kind == N_FLOAT) {
      a->u.f = -a->u.f;
      a->line = op.line;
      a->col = op.col;
      return a;
    }
    Node *n = mkt(p, N_UNOP, &op);
    if (!n) return NULL;
    n->op = op.kind == TK_MINUS ? UOP_NEG : op.kind == TK_PLUS ? UOP_POS : UOP_INVERT;
    n->u.k.a = a;
    return n;
  }
  return parse_power(p);
}

/* Binary levels above comparisons: | (1), & (2), + - (3), * / // % @ (4). */
static int binop_prec(TokKind k, int *op) {
  switch (k) {
  case TK_PIPE: *op = OP_BITOR; return 1;
  case TK_AMP: *op = OP_BITAND; return 2;
  case TK_PLUS: *op = OP_ADD; return 3;
  case TK_MINUS: *op = OP_SUB; return 3;
  case TK_STAR: *op = OP_MUL; return 4;
  case TK_SLASH: *op = OP_DIV; return 4;
  case TK_DSLASH: *op = OP_FLOORDIV; return 4;
  case TK_PERCENT: *op = OP_MOD; return 4;
  case TK_AT: *op = OP_MATMUL; return 4;
  default: return 0;
  }
}

static Node *parse_binary(Parser *p, int min_prec) {
  Node *lhs = parse_unary(p);
  if (!lhs) return NULL;
  while (1) {
    int op;
    int prec = binop_prec(peek(p)->kind, &op);
    if (prec == 0 || prec < min_prec) return lhs;
    Token ot = next(p);
    skip_nl(p);
    if (!enter(p, &ot)) return NULL;
    Node *rhs = parse_binary(p, prec + 1);
    leave(p);
    if (!rhs) return NULL;
    Node *n = mkt(p, N_BINOP, &ot);
    if (!n) return NULL;
    n->op = (uint8_t)op;
    n->u.k.a = lhs;
    n->u.k.b = rhs;
    lhs = n;
  }
}

static int cmp_op(TokKind k) {
  switch (k) {
  case TK_EQ: return OP_EQ;
  case TK_NE: return OP_NE;
  case TK_LT: return OP_LT;
  case TK_LE: return OP_LE;
  case TK_GT: return OP_GT;
  case TK_GE: return OP_GE;
  default: return -1;
  }
}

static Node *parse_cmp(Parser *p) {
  Node *a = parse_binary(p, 1);
  if (!a) return NULL;
  int op = cmp_op(peek(p)->kind);
  if (op < 0) return a;
  NVec items = {0};
  uint8_t *ops = NULL;
  int nops = 0, cap = 0;
  Token first = *peek(p);
  nv_push(p, &items, a);
  while ((op = cmp_op(peek(p)->kind)) >= 0) {
    drop(p);
    skip_nl(p);
    Node *b = parse_binary(p, 1);
    if (!b || !nv_push(p, &items, b)) goto fail;
    if (nops == cap) {
      cap = cap ? cap * 2 : 4;
      uint8_t *no = jx_realloc(p->I, ops, (size_t)cap);
      if (!no) {
        p->failed = true;
        goto fail;
      }
      ops = no;
    }
    ops[nops++] = (uint8_t)op;
  }
  if (nops == 1) {
    Node *n = mkt(p, N_BINOP, &first);
    if (!n) goto fail;
    n->op = ops[0];
    n->u.k.a = items.v[0];
    n->u.k.b = items.v[1];
    jx_free(items.v);
    jx_free(ops);
    return n;
  }
  Node *n = mkt(p, N_CMP, &first);
  if (!n) goto fail;
  n->u.cmp.n = items.n;
  n->u.cmp.items = nv_finish(p, &items);
  n->u.cmp.ops = arena_alloc(p->A, (size_t)nops);
  if (!n->u.cmp.items || !n->u.cmp.ops) {
    jx_free(ops);
    return NULL;
  }
  memcpy(n->u.cmp.ops, ops, (size_t)nops);
  jx_free(ops);
  return n;
fail:
  jx_free(items.v);
  jx_free(ops);
  return NULL;
}

static Node *parse_not(Parser *p) {
  if (check(p, TK_NOT)) {
    Token t = next(p);
    if (!enter(p, &t)) return NULL;
    Node *a = parse_not(p);
    leave(p);
    if (!a) return NULL;
    Node *n = mkt(p, N_NOT, &t);
    if (n) n->u.k.a = a;
    return n;
  }
  return parse_cmp(p);
}

static Node *parse_and(Parser *p) {
  Node *a = parse_not(p);
  while (a && check(p, TK_AND)) {
    Token t = next(p);
    skip_nl(p);
    Node *b = parse_not(p);
    if (!b) return NULL;
    Node *n = mkt(p, N_AND, &t);
    if (!n) return NULL;
    n->u.k.a = a;
    n->u.k.b = b;
    a = n;
  }
  return a;
}

static Node *parse_or(Parser *p) {
  Node *a = parse_and(p);
  while (a && check(p, TK_OR)) {
    Token t = next(p);
    skip_nl(p);
    Node *b = parse_and(p);
    if (!b) return NULL;
    Node *n = mkt(p, N_OR, &t);
    if (!n) return NULL;
    n->u.k.a = a;
    n->u.k.b = b;
    a = n;
  }
  return a;
}

static Node *parse_expr(Parser *p) {
  Token *t = peek(p);
  if (!enter(p, t)) return NULL;
  Node *n;
  if (t->kind == TK_FN)
    n = parse_fn(p);
  else if (t->kind == TK_LAMBDA)
    n = parse_lambda(p);
  else
    n = parse_or(p);
  leave(p);
  return n;
}

/* ------------------------------------------------------------------ */
/* statements                                                          */

/* A target pattern: NAME | '(' patterns ')' */
static Node *parse_pattern_list(Parser *p, bool allow_bare);

static Node *parse_pattern_atom(Parser *p) {
  Token t = *peek(p);
  if (t.kind == TK_IDENT) {
    drop(p);
    Node *n = mkt(p, N_NAME, &t);
    if (n) {
      n->u.name.name = tok_name(p, &t);
      n->u.name.len = t.slen;
      if (!n->u.name.name) return NULL;
    }
    return n;
  }
  if (t.kind == TK_LPAREN) {
    drop(p);
    open_br(p, &t);
    if (!enter(p, &t)) return NULL;
    bool save = p->nl_skip;
    p->nl_skip = true;
    Node *n = parse_pattern_list(p, true);
    if (n && !expect_close(p, TK_RPAREN, &t)) n = NULL;
    if (n && n->kind == N_PTUPLE) {
      n->line = t.line;
      n->col = t.col;
    }
    p->nl_skip = save;
    leave(p);
    return n;
  }
  return unexpected(p, "a name or '(' in a binding pattern");
}

/* pattern (',' pattern)* — a PTUPLE when there is a comma (or inside
 * parentheses with a trailing comma). */
static Node *parse_pattern_list(Parser *p, bool in_parens) {
  Token t0 = *peek(p);
  if (in_parens && t0.kind == TK_RPAREN) {
    Node *n = mkt(p, N_PTUPLE, &t0);
    if (n && !(n->u.list.items = arena_alloc(p->A, sizeof(Node *)))) return NULL;
    return n;
  }
  Node *first = parse_pattern_atom(p);
  if (!first) return NULL;
  if (!check(p, TK_COMMA)) return first;
  NVec nv = {0};
  nv_push(p, &nv, first);
  while (accept(p, TK_COMMA)) {
    TokKind k = peek(p)->kind;
    if (k == TK_RPAREN || k == TK_ASSIGN || k == TK_IN) break;
    Node *x = parse_pattern_atom(p);
    if (!x || !nv_push(p, &nv, x)) {
      jx_free(nv.v);
      return NULL;
    }
  }
  Node *n = mkt(p, N_PTUPLE, &t0);
  if (!n) {
    jx_free(nv.v);
    return NULL;
  }
  n->u.list.n = nv.n;
  n->u.list.items = nv_finish(p, &nv);
  return n->u.list.items ? n : NULL;
}

/* Turn an expression used as an assignment target into a pattern. */
static Node *to_target(Parser *p, Node *e) {
  switch (e->kind) {
  case N_NAME: return e;
  case N_TUPLE:
    for (int i = 0; i < e->u.list.n; i++)
      if (!(e->u.list.items[i] = to_target(p, e->u.list.items[i]))) return NULL;
    e->kind = N_PTUPLE;
    return e;
  case N_INDEX:
    return perr_at(p, e->line, e->col,
                   "cannot assign to an indexed element: values are immutable "
                   "(use x = x.at[i].set(v))");
  case N_ATTR:
    return perr_at(p, e->line, e->col, "cannot assign to an attribute: values are immutable");
  default: return perr_at(p, e->line, e->col, "cannot assign to %s", ast_kind_name(e->kind));
  }
}

static Node *parse_let(Parser *p) {
  Token kw = next(p);
  Node *n = mkt(p, N_LET, &kw);
  if (!n) return NULL;
  n->u.k.a = parse_pattern_list(p, false);
  if (!n->u.k.a) return NULL;
  if (!expect(p, TK_ASSIGN, "'=' in let")) return NULL;
  skip_nl(p);
  n->u.k.b = parse_expr_list(p);
  return n->u.k.b ? n : NULL;
}

static Node *parse_def(Parser *p) {
  Token kw = next(p);
  Token nt = *peek(p);
  if (nt.kind != TK_IDENT) return unexpected(p, "a function name after 'def'");
  drop(p);
  const char *name = tok_name(p, &nt);
  if (!name) return NULL;
  if ((p->flags & PARSE_PRELUDE) && check(p, TK_DOT)) {
    /* def ns.name(…) in the prelude */
    drop(p);
    Token n2 = *peek(p);
    if (n2.kind != TK_IDENT) return unexpected(p, "a name after '.'");
    drop(p);
    size_t l1 = strlen(name);
    char *full = arena_alloc(p->A, l1 + n2.slen + 2);
    if (!full) return NULL;
    memcpy(full, name, l1);
    full[l1] = '.';
    memcpy(full + l1 + 1, n2.str, n2.slen);
    name = full;
  }
  Node *target = mkt(p, N_NAME, &nt);
  Proto *pr = new_proto(p, name, &kw);
  Node *n = mkt(p, N_DEF, &kw);
  if (!target || !pr || !n) return NULL;
  target->u.name.name = name;
  target->u.name.len = strlen(name);
  pr->self_name = name;
  Token open = *peek(p);
  if (!expect(p, TK_LPAREN, "'(' after the function name")) return NULL;
  open_br(p, &open);
  bool save = p->nl_skip;
  p->nl_skip = true;
  if (!parse_params(p, pr, TK_RPAREN)) return NULL;
  if (!expect_close(p, TK_RPAREN, &open)) return NULL;
  p->nl_skip = save;
  p->fn_depth++;
  if (accept(p, TK_ASSIGN)) {
    skip_nl(p);
    pr->body = parse_expr(p);
    pr->expr_body = true;
  } else if (check(p, TK_LBRACE)) {
    pr->body = parse_block(p);
  } else {
    unexpected(p, "'{' or '=' after the parameters of def");
  }
  p->fn_depth--;
  if (!pr->body) return NULL;
  n->u.def.target = target;
  n->u.def.proto = pr;
  return n;
}

static Node *parse_for(Parser *p) {
  Token kw = next(p);
  Node *n = mkt(p, N_FOR, &kw);
  if (!n) return NULL;
  if (!enter(p, &kw)) return NULL;
  n->u.k.a = parse_pattern_list(p, false);
  if (n->u.k.a && expect(p, TK_IN, "'in' in for")) {
    n->u.k.b = parse_expr(p);
    if (n->u.k.b) {
      if (!check(p, TK_LBRACE))
        unexpected(p, "'{' to open the body of for");
      else
        n->u.k.c = parse_block(p);
    }
  }
  leave(p);
  return p->failed ? NULL : n;
}

static Node *parse_while(Parser *p) {
  Token kw = next(p);
  Node *n = mkt(p, N_WHILE, &kw);
  if (!n) return NULL;
  if (!enter(p, &kw)) return NULL;
  n->u.k.a = parse_expr(p);
  if (n->u.k.a) {
    if (!check(p, TK_LBRACE))
      unexpected(p, "'{' to open the body of while");
    else
      n->u.k.b = parse_block(p);
  }
  leave(p);
  return p->failed ? NULL : n;
}

static bool at_stmt_end(Parser *p) {
  TokKind k = peek_raw(p, 0)->kind;
  return k == TK_NEWLINE || k == TK_SEMI || k == TK_RBRACE || k == TK_EOF;
}

/* A statement starting with '{': a dict literal if it looks like one
 * ('{' '}' or '{' key ':'), else a block. */
static bool stmt_brace_is_dict(Parser *p) {
  int k = 1;
  while (peek_raw(p, k)->kind == TK_NEWLINE) k++;
  TokKind a = peek_raw(p, k)->kind;
  if (a == TK_RBRACE) return true;
  if (a == TK_STRING || a == TK_FSTRING || a == TK_IDENT || a == TK_INT || a == TK_FLOAT) {
    int j = k + 1;
    while (peek_raw(p, j)->kind == TK_NEWLINE) j++;
    return peek_raw(p, j)->kind == TK_COLON;
  }
  return false;
}

static int aug_op(TokKind k) {
  switch (k) {
  case TK_PLUSEQ: return OP_ADD;
  case TK_MINUSEQ: return OP_SUB;
  case TK_STAREQ: return OP_MUL;
  case TK_SLASHEQ: return OP_DIV;
  case TK_DSLASHEQ: return OP_FLOORDIV;
  case TK_PERCENTEQ: return OP_MOD;
  case TK_DSTAREQ: return OP_POW;
  case TK_ATEQ: return OP_MATMUL;
  default: return -1;
  }
}

static Node *parse_stmt(Parser *p) {
  Token *t = peek(p);
  switch (t->kind) {
  case TK_LET: return parse_let(p);
  case TK_DEF: return parse_def(p);
  case TK_FOR: return parse_for(p);
  case TK_WHILE: return parse_while(p);
  case TK_BREAK: {
    Token k = next(p);
    return mkt(p, N_BREAK, &k);
  }
  case TK_CONTINUE: {
    Token k = next(p);
    return mkt(p, N_CONTINUE, &k);
  }
  case TK_RETURN: {
    Token k = next(p);
    Node *n = mkt(p, N_RETURN, &k);
    if (!n) return NULL;
    if (!at_stmt_end(p)) {
      n->u.k.a = parse_expr_list(p);
      if (!n->u.k.a) return NULL;
    }
    return n;
  }
  case TK_LBRACE:
    if (!stmt_brace_is_dict(p)) return parse_block(p);
    break;
  default: break;
  }
  Node *e = parse_expr_list(p);
  if (!e) return NULL;
  Token *a = peek(p);
  if (a->kind == TK_ASSIGN) {
    Token at = next(p);
    skip_nl(p);
    Node *target = to_target(p, e);
    if (!target) return NULL;
    Node *v = parse_expr_list(p);
    if (!v) return NULL;
    Node *n = mkt(p, N_ASSIGN, &at);
    if (!n) return NULL;
    n->line = e->line;
    n->col = e->col;
    n->u.k.a = target;
    n->u.k.b = v;
    return n;
  }
  int op = aug_op(a->kind);
  if (op >= 0) {
    Token at = next(p);
    skip_nl(p);
    if (e->kind != N_NAME) {
      if (!to_target(p, e)) return NULL;
      return perr_at(p, at.line, at.col, "'%s' needs a single name on its left",
                     tok_kind_desc(at.kind));
    }
    Node *v = parse_expr_list(p);
    if (!v) return NULL;
    Node *n = mkt(p, N_AUGASSIGN, &at);
    if (!n) return NULL;
    n->op = (uint8_t)op;
    n->u.k.a = e;
    n->u.k.b = v;
    return n;
  }
  return e;
}

/* Statements until `end` (TK_RBRACE or TK_EOF). */
static Node *parse_stmts(Parser *p, TokKind end, const Token *open, int line, int col) {
  NVec nv = {0};
  Node *n = mk(p, N_BLOCK, line, col);
  if (!n) return NULL;
  bool last_expr = false;
  while (!p->failed) {
    while (peek_raw(p, 0)->kind == TK_NEWLINE || peek_raw(p, 0)->kind == TK_SEMI) drop(p);
    Token *t = peek(p);
    if (t->kind == end) break;
    if (t->kind == TK_EOF) {
      if (open)
        expect_close(p, end, open);
      else
        unexpected(p, NULL);
      break;
    }
    if (t->kind == TK_RBRACE) {
      perr_at(p, t->line, t->col, "unmatched '}'");
      break;
    }
    if (!enter(p, t)) break;
    Node *s = parse_stmt(p);
    leave(p);
    if (!s || !nv_push(p, &nv, s)) break;
    switch (s->kind) {
    case N_LET:
    case N_DEF:
    case N_ASSIGN:
    case N_AUGASSIGN:
    case N_FOR:
    case N_WHILE:
    case N_BREAK:
    case N_CONTINUE:
    case N_RETURN: last_expr = false; break;
    default: last_expr = true;
    }
    /* a statement ends at a newline, ';', '}' or after a closing '}' */
    TokKind k = peek_raw(p, 0)->kind;
    if (k == TK_NEWLINE || k == TK_SEMI || k == end || k == TK_RBRACE) continue;
    if (p->prev_kind == TK_RBRACE) continue;
    if (k == TK_EOF) continue;
    Token *bad = peek_raw(p, 0);
    char d[96];
    describe(bad, d, sizeof d);
    perr_at(p, bad->line, bad->col, "expected a newline or ';' after the statement, found %s", d);
  }
  if (p->failed) {
    jx_free(nv.v);
    return NULL;
  }
  n->u.list.n = nv.n;
  n->u.list.items = nv_finish(p, &nv);
  if (last_expr) n->flags |= BLOCK_ENDS_IN_EXPR;
  return n->u.list.items ? n : NULL;
}

static Node *parse_block(Parser *p) {
  Token open = next(p); /* { */
  open_br(p, &open);
  bool save = p->nl_skip;
  p->nl_skip = false;
  if (!enter(p, &open)) return NULL;
  Node *n = parse_stmts(p, TK_RBRACE, &open, open.line, open.col);
  leave(p);
  if (n && !expect_close(p, TK_RBRACE, &open)) n = NULL;
  p->nl_skip = save;
  return n;
}

/* ------------------------------------------------------------------ */
/* entry points                                                        */

Chunk *parse_chunk(Interp *I, const char *file, const char *src, size_t len, int flags,
                   bool *incomplete) {
  if (incomplete) *incomplete = false;
  Chunk *c = jx_calloc(I, 1, sizeof(Chunk));
  if (!c) return NULL;
  arena_init(&c->arena, I);
  c->file = file;
  c->src = src;
  c->len = len;
  c->prelude = (flags & PARSE_PRELUDE) != 0;
  if (lex_check_source(I, c->file, c->src, len) < 0) {
    chunk_free(c);
    return NULL;
  }
  Parser p = {0};
  p.I = I;
  p.ch = c;
  p.A = &c->arena;
  p.flags = flags;
  lex_init(&p.L, I, &c->arena, c->file, c->src, 0, len, 1, 1);
  c->body = parse_stmts(&p, TK_EOF, NULL, 1, 1);
  jx_free(p.la);
  jx_free(p.opens);
  if (!c->body) {
    if (I->err.kind == E_NONE) jx_raise(I, E_MEMORY, "out of memory while parsing");
    if (incomplete) *incomplete = p.incomplete;
    chunk_free(c);
    return NULL;
  }
  return c;
}

Chunk *parse_program(Interp *I, const char *file, const char *src, size_t len, int flags,
                     bool *incomplete) {
  Chunk *c = parse_chunk(I, file, src, len, flags, incomplete);
  if (!c) return NULL;
  if (resolve_chunk(I, c) < 0) {
    chunk_free(c);
    return NULL;
  }
  return c;
}

/* ------------------------------------------------------------------ */
/* dump                                                                */

static const char *const binop_txt[] = {"+",  "-",  "*", "/",  "//", "%",  "**", "@",
                                        "==", "!=", "<", "<=", ">",  ">=", "&",  "|"};

static void dump_proto(Proto *pr, StrBuf *sb) {
  sb_printf(sb, "%s (", pr->name);
  for (int i = 0; i < pr->nparams; i++) {
    if (i) sb_putc(sb, ' ');
    sb_puts(sb, pr->pnames[i]);
    if (pr->defaults[i]) {
      sb_putc(sb, '=');
      ast_dump(pr->defaults[i], sb);
    }
  }
  sb_puts(sb, ") ");
  ast_dump(pr->body, sb);
}

void ast_dump(Node *n, StrBuf *sb) {
  if (!n) {
    sb_puts(sb, "_");
    return;
  }
  switch ((NodeKind)n->kind) {
  case N_INT: sb_printf(sb, "%lld", (long long)n->u.i); return;
  case N_FLOAT: sb_printf(sb, "%.17g", n->u.f); return;
  case N_STR: jx_repr(NULL, n->u.v, sb); return;
  case N_TRUE: sb_puts(sb, "True"); return;
  case N_FALSE: sb_puts(sb, "False"); return;
  case N_NONE: sb_puts(sb, "None"); return;
  case N_NAME: sb_puts(sb, n->u.name.name); return;
  case N_BREAK: sb_puts(sb, "(break)"); return;
  case N_CONTINUE: sb_puts(sb, "(continue)"); return;
  default: break;
  }
  sb_printf(sb, "(%s", ast_kind_name((NodeKind)n->kind));
  switch ((NodeKind)n->kind) {
  case N_BINOP:
  case N_AUGASSIGN:
    sb_printf(sb, " %s", binop_txt[n->op]);
    sb_putc(sb, ' ');
    ast_dump(n->u.k.a, sb);
    sb_putc(sb, ' ');
    ast_dump(n->u.k.b, sb);
    break;
  case N_UNOP:
    sb_printf(sb, " %s ", n->op == UOP_NEG ? "-" : n->op == UOP_POS ? "+" : "~");
    ast_dump(n->u.k.a, sb);
    break;
  case N_NOT:
  case N_STARRED:
  case N_RETURN:
    sb_putc(sb, ' ');
    ast_dump(n->u.k.a, sb);
    break;
  case N_AND:
  case N_OR:
  case N_WHILE:
  case N_INDEX:
  case N_LET:
  case N_ASSIGN:
    sb_putc(sb, ' ');
    ast_dump(n->u.k.a, sb);
    sb_putc(sb, ' ');
    ast_dump(n->u.k.b, sb);
    break;
  case N_IF:
  case N_SLICE:
  case N_FOR:
    for (int i = 0; i < 3; i++) {
      sb_putc(sb, ' ');
      ast_dump(i == 0 ? n->u.k.a : i == 1 ? n->u.k.b : n->u.k.c, sb);
    }
    break;
  case N_TUPLE:
  case N_LIST:
  case N_BLOCK:
  case N_PTUPLE:
    for (int i = 0; i < n->u.list.n; i++) {
      sb_putc(sb, ' ');
      ast_dump(n->u.list.items[i], sb);
    }
    break;
  case N_CMP:
    for (int i = 0; i < n->u.cmp.n; i++) {
      if (i) sb_printf(sb, " %s", binop_txt[n->u.cmp.ops[i - 1]]);
      sb_putc(sb, ' ');
      ast_dump(n->u.cmp.items[i], sb);
    }
    break;
  case N_CALL:
    sb_putc(sb, ' ');
    ast_dump(n->u.call.fn, sb);
    for (int i = 0; i < n->u.call.nargs; i++) {
      sb_putc(sb, ' ');
      ast_dump(n->u.call.args[i], sb);
    }
    for (int i = 0; i < n->u.call.nkw; i++) {
      sb_printf(sb, " %s=", n->u.call.kwnames[i]);
      ast_dump(n->u.call.kwargs[i], sb);
    }
    break;
  case N_ATTR:
    sb_putc(sb, ' ');
    ast_dump(n->u.attr.obj, sb);
    sb_printf(sb, " %s", n->u.attr.name);
    break;
  case N_DICT:
    for (int i = 0; i < n->u.dict.n; i++) {
      sb_putc(sb, ' ');
      ast_dump(n->u.dict.keys[i], sb);
      sb_putc(sb, ':');
      ast_dump(n->u.dict.vals[i], sb);
    }
    break;
  case N_FSTR:
    for (int i = 0; i < n->u.fstr.n; i++) {
      FStrPart *fp = &n->u.fstr.parts[i];
      sb_putc(sb, ' ');
      if (!fp->expr) {
        jx_repr(NULL, fp->text, sb);
      } else {
        sb_putc(sb, '{');
        ast_dump(fp->expr, sb);
        if (fp->conv) sb_printf(sb, "!%c", fp->conv);
        if (fp->spec) sb_printf(sb, ":%s", fp->spec);
        sb_putc(sb, '}');
      }
    }
    break;
  case N_FUNC:
    sb_putc(sb, ' ');
    dump_proto(n->u.func.proto, sb);
    break;
  case N_DEF:
    sb_putc(sb, ' ');
    dump_proto(n->u.def.proto, sb);
    break;
  default: break;
  }
  sb_putc(sb, ')');
}
