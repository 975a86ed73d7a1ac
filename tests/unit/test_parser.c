/* test_parser.c — parser/parser.c and parser/resolver.c: precedence,
 * statements, the dict-versus-block rule, newline handling, error
 * locations, depth limits, REPL continuation, name resolution. */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "eval/value.h"
#include "parser/parser.h"

static Interp *I;

static void setup(void) {
  I = jx_new();
  cr_assert(I != NULL);
}
static void teardown(void) { jx_free_interp(I); }
TestSuite(parser, .init = setup, .fini = teardown);

/* Dump of the parsed program (without the outer "(block " … ")"). */
static char *dump(const char *src) {
  Chunk *c = parse_program(I, "t.jx", src, strlen(src), 0, NULL);
  cr_assert(c != NULL, "%s: parse failed: %s", src, I->err.msg ? I->err.msg : "?");
  StrBuf sb;
  sb_init(&sb);
  for (int i = 0; i < c->body->u.list.n; i++) {
    if (i) sb_puts(&sb, " ; ");
    ast_dump(c->body->u.list.items[i], &sb);
  }
  chunk_free(c);
  return sb_take(&sb);
}

static void same(const char *src, const char *want) {
  char *got = dump(src);
  cr_assert_str_eq(got, want, "%s\n  got:  %s\n  want: %s", src, got, want);
  free(got);
}

static void fails(const char *src, ErrKind kind, int line, int col, const char *msg) {
  bool inc = false;
  Chunk *c = parse_program(I, "t.jx", src, strlen(src), 0, &inc);
  cr_assert(c == NULL, "%s: expected an error", src);
  cr_assert_eq(I->err.kind, kind, "%s: kind %s (%s)", src, err_kind_name(I->err.kind), I->err.msg);
  cr_assert_eq(I->err.line, line, "%s: line %d, expected %d (%s)", src, I->err.line, line,
               I->err.msg);
  cr_assert_eq(I->err.col, col, "%s: col %d, expected %d (%s)", src, I->err.col, col, I->err.msg);
  cr_assert(strstr(I->err.msg, msg), "%s: '%s' lacks '%s'", src, I->err.msg, msg);
  jx_err_clear(I);
}

static bool incomplete(const char *src) {
  bool inc = false;
  Chunk *c = parse_chunk(I, "t.jx", src, strlen(src), 0, &inc);
  if (c) chunk_free(c);
  jx_err_clear(I);
  return c == NULL && inc;
}

Test(parser, precedence) {
  same("1 + 2 * 3", "(binop + 1 (binop * 2 3))");
  same("(1 + 2) * 3", "(binop * (binop + 1 2) 3)");
  same("-x ** 2", "(unop - (binop ** x 2))");
  same("2 ** 3 ** 2", "(binop ** 2 (binop ** 3 2))");
  same("2 ** -1", "(binop ** 2 -1)");
  same("a - b - c", "(binop - (binop - a b) c)");
  same("a * b @ c // d % e / f", "(binop / (binop % (binop // (binop @ (binop * a b) c) d) e) f)");
  same("a | b & c", "(binop | a (binop & b c))");
  same("a < b | c", "(binop < a (binop | b c))");
  same("not a == b", "(not (binop == a b))");
  same("a or b and not c", "(or a (and b (not c)))");
  same("~a + -b", "(binop + (unop ~ a) (unop - b))");
  same("-3", "-3");
  same("- 2.5", "-2.5");
  same("+x", "(unop + x)");
}

Test(parser, comparisons) {
  same("a < b", "(binop < a b)");
  same("a < b <= c == d", "(cmp a < b <= c == d)");
  same("a != b >= c > d", "(cmp a != b >= c > d)");
}

Test(parser, postfix) {
  same("f(x)(y)", "(call (call f x) y)");
  same("a.b.c", "(attr (attr a b) c)");
  same("x[1][2]", "(index (index x 1) 2)");
  same("x[1, 2]", "(index x (tuple 1 2))");
  same("x[1,]", "(index x (tuple 1))");
  same("x[1:3]", "(index x (slice 1 3 _))");
  same("x[::2]", "(index x (slice _ _ 2))");
  same("x[:, 0]", "(index x (tuple (slice _ _ _) 0))");
  same("x[None]", "(index x None)");
  same("x[a:b:c, ::-1]", "(index x (tuple (slice a b c) (slice _ _ -1)))");
  same("x.at[i].set(v)", "(call (attr (index (attr x at) i) set) v)");
  same("jnp.sum(x, axis=0, keepdims=True)", "(call (attr jnp sum) x axis=0 keepdims=True)");
  same("f(*t, y)", "(call f (starred t) y)");
  same("f()", "(call f)");
}

Test(parser, literals) {
  same("(1,)", "(tuple 1)");
  same("()", "(tuple)");
  same("(1)", "1");
  same("[1, 2.5, [3]]", "(list 1 2.5 (list 3))");
  same("[]", "(list)");
  same("{\"a\": 1, \"b\": x}", "(dict 'a':1 'b':x)");
  same("{}", "(dict)");
  same("\"ab\" 'cd'", "'abcd'");
  same("f\"a{x + 1:.2f}b{y!r}\"", "(fstr 'a' {(binop + x 1):.2f} 'b' {y!r})");
  same("True; False; None", "True ; False ; None");
}

Test(parser, functions) {
  same("fn(x, y) => x + y", "(fn <lambda> (x y) (binop + x y))");
  same("fn(x) { let y = x; y }", "(fn <lambda> (x) (block (let y x) y))");
  same("lambda x, y: x * y", "(fn <lambda> (x y) (binop * x y))");
  same("lambda: 1", "(fn <lambda> () 1)");
  same("fn(x, scale=1.0) => x * scale", "(fn <lambda> (x scale=1) (binop * x scale))");
  same("def f(x) = x * 2", "(def f (x) (binop * x 2))");
  same("def f(a, b=2) { return a + b }", "(def f (a b=2) (block (return (binop + a b))))");
  same("f(lambda x: x, 3)", "(call f (fn <lambda> (x) x) 3)");
  same("(fn(x) => x)(1)", "(call (fn <lambda> (x) x) 1)");
  same("fn(x) => fn(y) => x + y", "(fn <lambda> (x) (fn <lambda> (y) (binop + x y)))");
}

Test(parser, statements) {
  same("let x = 1", "(let x 1)");
  same("let a, b = t", "(let (ptuple a b) t)");
  same("let (a, (b, c)) = t", "(let (ptuple a (ptuple b c)) t)");
  same("let (a,) = t", "(let (ptuple a) t)");
  same("let x = 1, 2", "(let x (tuple 1 2))");
  same("x = 1; x += 2; x -= 3; x *= 4; x /= 5; x //= 6; x %= 7; x **= 8",
       "(assign x 1) ; (augassign + x 2) ; (augassign - x 3) ; (augassign * x 4) ; "
       "(augassign / x 5) ; (augassign // x 6) ; (augassign % x 7) ; (augassign ** x 8)");
  same("a, b = b, a", "(assign (ptuple a b) (tuple b a))");
  same("for i in range(3) { print(i) }", "(for i (call range 3) (block (call print i)))");
  same("for k, v in d { }", "(for (ptuple k v) d (block))");
  same("while x < 3 { x += 1; break; continue }",
       "(while (binop < x 3) (block (augassign + x 1) (break) (continue)))");
  same("def f() { return }", "(def f () (block (return _)))");
  same("def f() { return 1, 2 }", "(def f () (block (return (tuple 1 2))))");
}

Test(parser, if_expressions) {
  same("if a { 1 }", "(if a (block 1) _)");
  same("if a { 1 } else { 2 }", "(if a (block 1) (block 2))");
  same("if a { 1 } else if b { 2 } else { 3 }", "(if a (block 1) (if b (block 2) (block 3)))");
  same("let y = if x > 3. { x ** 2 } else { 2 * x }",
       "(let y (if (binop > x 3) (block (binop ** x 2)) (block (binop * 2 x))))");
  same("if a { 1 }\nelse { 2 }", "(if a (block 1) (block 2))");
  same("if a { 1 }\n\nb", "(if a (block 1) _) ; b");
  same("let v = if c { 1 } else { 2 } + 3", "(let v (binop + (if c (block 1) (block 2)) 3))");
}

Test(parser, dict_versus_block) {
  /* a { right after if/else/for/while/fn/def opens a block ... */
  same("if c { d }", "(if c (block d) _)");
  same("let f = fn() { 1 }", "(let f (fn <lambda> () (block 1)))");
  /* ... elsewhere an expression's { is a dict literal */
  same("let d = {\"a\": 1}", "(let d (dict 'a':1))");
  same("let f = fn() => {\"k\": v}", "(let f (fn <lambda> () (dict 'k':v)))");
  same("g({\"a\": {}})", "(call g (dict 'a':(dict)))");
  /* unless a statement keyword follows: a block expression */
  same("let v = { let t = 1; t }", "(let v (block (let t 1) t))");
  /* at the start of a statement: a dict if it looks like one */
  same("{\"a\": 1}", "(dict 'a':1)");
  same("{}", "(dict)");
  same("{k: 1}", "(dict k:1)");
  same("{ x }", "(block x)");
  same("{\n  let a = 1\n  a\n}", "(block (let a 1) a)");
}

Test(parser, newlines) {
  same("f(1,\n  2)", "(call f 1 2)");
  same("[1,\n 2,\n]", "(list 1 2)");
  same("{\n\"a\":\n 1,\n}", "(dict 'a':1)");
  same("let x = 1 +\n 2", "(let x (binop + 1 2))");
  same("let x = a and\n b", "(let x (and a b))");
  same("let a, b =\n 1, 2", "(let (ptuple a b) (tuple 1 2))");
  same("x\n+1", "x ; (unop + 1)");
  same("f(fn(x) {\n let y = x\n y\n})", "(call f (fn <lambda> (x) (block (let y x) y)))");
  same("a; b\nc", "a ; b ; c");
  same("if a { 1 } b", "(if a (block 1) _) ; b");
  same("# only a comment\n", "");
  same("", "");
}

Test(parser, syntax_errors) {
  fails("let x = (1 2)", E_SYNTAX, 1, 12, "expected ')' (to close '(' at line 1), found integer 2");
  fails("print((1, 2", E_SYNTAX, 1, 7, "'(' opened at line 1 was never closed");
  fails("let t = [1,\n2,\n", E_SYNTAX, 1, 9, "'[' opened at line 1 was never closed");
  fails("def f() {\n  1\n", E_SYNTAX, 1, 9, "'{' opened at line 1 was never closed");
  fails("let = 3", E_SYNTAX, 1, 5, "expected a name or '('");
  fails("let x 3", E_SYNTAX, 1, 7, "expected '=' in let");
  fails("let x = 1 let y = 2", E_SYNTAX, 1, 11, "expected a newline or ';'");
  fails("x = = 1", E_SYNTAX, 1, 5, "expected an expression");
  fails("1 +", E_SYNTAX, 1, 4, "found end of input");
  fails("f(1)(2) = 3", E_SYNTAX, 1, 5, "cannot assign to call");
  fails("x.y = 3", E_SYNTAX, 1, 1, "cannot assign to an attribute");
  fails("x[0] = 3", E_SYNTAX, 1, 2, "immutable");
  fails("(a, b) += 1", E_SYNTAX, 1, 8, "needs a single name");
  fails("def f(a=1, b) = a", E_SYNTAX, 1, 12, "without a default");
  fails("f(a=1, 2)", E_SYNTAX, 1, 8, "positional argument follows keyword argument");
  fails("f(a=1, a=2)", E_SYNTAX, 1, 8, "repeated");
  fails("if x 1", E_SYNTAX, 1, 6, "expected '{' after the condition of if");
  fails("if x { 1 } else 2", E_SYNTAX, 1, 17, "'{' or 'if' after 'else'");
  fails("fn x => x", E_SYNTAX, 1, 4, "'(' after 'fn'");
  fails("}", E_SYNTAX, 1, 1, "unmatched '}'");
  fails("break", E_SYNTAX, 1, 1, "'break' outside a loop");
  fails("while 1 { fn() { continue } }", E_SYNTAX, 1, 18, "'continue' outside a loop");
  fails("return 1", E_SYNTAX, 1, 1, "'return' outside a function");
  fails("let s = \"abc", E_SYNTAX, 1, 9, "unterminated string");
  fails("print(f\"{1 +}\")", E_SYNTAX, 1, 13, "expected an expression");
  fails("a.(1)", E_SYNTAX, 1, 3, "attribute name");
}

Test(parser, depth_limits) {
  /* 10^5 nested parentheses: a clean RecursionError, no stack overflow */
  size_t n = 100000;
  char *s = malloc(2 * n + 2);
  memset(s, '(', n);
  s[n] = '1';
  memset(s + n + 1, ')', n);
  s[2 * n + 1] = 0;
  Chunk *c = parse_program(I, "t.jx", s, strlen(s), 0, NULL);
  cr_assert(c == NULL);
  cr_assert_eq(I->err.kind, E_RECURSION);
  jx_err_clear(I);
  free(s);
  /* a long left-deep chain parses iteratively; the resolver bounds its depth */
  size_t m = 200000;
  char *t = malloc(2 * m + 1);
  for (size_t i = 0; i < m; i++) {
    t[2 * i] = '1';
    t[2 * i + 1] = '+';
  }
  t[2 * m - 1] = 0;
  c = parse_program(I, "t.jx", t, strlen(t), 0, NULL);
  cr_assert(c == NULL);
  cr_assert_eq(I->err.kind, E_RECURSION);
  cr_assert(strstr(I->err.msg, "nested too deeply"));
  jx_err_clear(I);
  free(t);
  /* but a long else-if chain is fine */
  StrBuf sb;
  sb_init(&sb);
  sb_puts(&sb, "let y = if x == 0 { 0 }");
  for (int i = 1; i < 3000; i++) sb_printf(&sb, " else if x == %d { %d }", i, i);
  sb_puts(&sb, " else { -1 }");
  c = parse_program(I, "t.jx", sb.s, sb.len, 0, NULL);
  cr_assert(c != NULL, "%s", I->err.msg ? I->err.msg : "");
  chunk_free(c);
  sb_free(&sb);
  /* and long flat lists */
  sb_init(&sb);
  sb_puts(&sb, "let t = (");
  for (int i = 0; i < 100000; i++) sb_puts(&sb, "1, ");
  sb_puts(&sb, ")");
  c = parse_program(I, "t.jx", sb.s, sb.len, 0, NULL);
  cr_assert(c != NULL);
  cr_assert_eq(c->body->u.list.items[0]->u.k.b->u.list.n, 100000);
  chunk_free(c);
  sb_free(&sb);
}

Test(parser, repl_continuation) {
  cr_assert(incomplete("def f(x) {"));
  cr_assert(incomplete("let x = (1,"));
  cr_assert(incomplete("let x = 1 +"));
  cr_assert(incomplete("f(a,\n b"));
  cr_assert(incomplete("if x { 1 } else"));
  cr_assert(incomplete("let d = {"));
  cr_assert(incomplete("let x ="));
  cr_assert(!incomplete("let x = 1"));
  cr_assert(!incomplete("let x = (1 2"));
  cr_assert(!incomplete("let s = \"abc"));
  cr_assert(!incomplete(")"));
}

/* ---- resolver -------------------------------------------------------- */

static Chunk *ok(const char *src) {
  Chunk *c = parse_program(I, "t.jx", src, strlen(src), 0, NULL);
  cr_assert(c != NULL, "%s: %s", src, I->err.msg ? I->err.msg : "");
  return c;
}

Test(parser, resolve_slots) {
  Chunk *c = ok("def f(a, b) { let c = a; let d = b; c + d }");
  Node *def = c->body->u.list.items[0];
  Proto *p = def->u.def.proto;
  cr_assert_eq(def->u.def.target->scope, SC_GLOBAL);
  cr_assert_eq(p->nparams, 2);
  cr_assert_eq(p->nslots, 4);
  Node *let_c = p->body->u.list.items[0];
  cr_assert_eq(let_c->u.k.a->scope, SC_LOCAL);
  cr_assert_eq(let_c->u.k.a->u.name.idx, 2);
  cr_assert_eq(let_c->u.k.b->scope, SC_LOCAL);
  cr_assert_eq(let_c->u.k.b->u.name.idx, 0);
  Node *sum = p->body->u.list.items[2];
  cr_assert_eq(sum->u.k.a->u.name.idx, 2);
  cr_assert_eq(sum->u.k.b->u.name.idx, 3);
  chunk_free(c);
}

Test(parser, resolve_block_slots_are_reused) {
  Chunk *c = ok("def f() { if 1 { let a = 1 } else { let b = 2 }; let z = 3 }");
  Proto *p = c->body->u.list.items[0]->u.def.proto;
  cr_assert_eq(p->nslots, 1, "slots %d", p->nslots);
  chunk_free(c);
}

Test(parser, resolve_captures_and_self) {
  Chunk *c = ok("def outer(x) { def go(k) = if k { go(k) } else { x }; let h = fn() => go(x); h }");
  Proto *outer = c->body->u.list.items[0]->u.def.proto;
  Node *def_go = outer->body->u.list.items[0];
  Proto *go = def_go->u.def.proto;
  cr_assert_eq(def_go->u.def.target->scope, SC_LOCAL);
  cr_assert_eq(go->ncaps, 1); /* x */
  cr_assert_eq(go->caps[0].scope, SC_LOCAL);
  cr_assert_eq(go->caps[0].idx, 0);
  Node *ifn = go->body;
  Node *call_go = ifn->u.k.b->u.list.items[0];
  cr_assert_eq(call_go->u.call.fn->scope, SC_SELF);
  cr_assert_eq(ifn->u.k.c->u.list.items[0]->scope, SC_UPVAL);
  Node *let_h = outer->body->u.list.items[1];
  Proto *h = let_h->u.k.b->u.func.proto;
  cr_assert_eq(h->ncaps, 2); /* go and x */
  chunk_free(c);
}

Test(parser, resolve_globals_at_top_level) {
  Chunk *c = ok("let a = 1\nfor i in range(2) { let b = i }\nx = 2");
  Node *let_a = c->body->u.list.items[0];
  cr_assert_eq(let_a->u.k.a->scope, SC_GLOBAL);
  Node *fr = c->body->u.list.items[1];
  cr_assert_eq(fr->u.k.a->scope, SC_LOCAL);
  cr_assert_eq(fr->u.k.b->u.call.fn->scope, SC_GLOBAL);
  cr_assert_eq(c->nslots, 2);
  Node *as = c->body->u.list.items[2];
  cr_assert_eq(as->u.k.a->scope, SC_GLOBAL);
  chunk_free(c);
}

Test(parser, resolve_rebinding_rules) {
  fails("def f() { let a = 1; let g = fn() { a = 2 }; g }", E_NAME, 1, 37,
        "belongs to an enclosing function");
  fails("def f() { let a = 1; let g = fn() { a += 2 }; g }", E_NAME, 1, 37,
        "belongs to an enclosing function");
  fails("let q = 1\ndef f() { q = 2 }", E_NAME, 2, 11, "cannot rebind global 'q'");
  fails("def f() { zz = 2 }", E_NAME, 1, 11, "not bound in this function");
  fails("def f() { f = 2 }", E_NAME, 1, 11, "inside itself");
  /* a parameter or a local of the same function may be rebound */
  Chunk *c = ok("def f(x) { x = x + 1; let y = 0; y += x; y }");
  chunk_free(c);
  /* inner lets shadow rather than rebind */
  c = ok("def f() { let a = 1; let g = fn() { let a = 2; a }; g() + a }");
  chunk_free(c);
}
