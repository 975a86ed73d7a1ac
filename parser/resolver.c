/* resolver.c — binds every name of a parsed chunk to where it lives at run
 * time, so the evaluator never hashes a local name (see parser.h).
 *
 *  - Locals (parameters, `let`, `def` and `for` names inside functions and
 *    inside top-level blocks) get a slot of their function's frame; slots
 *    of a block are reused after the block ends.
 *  - A name of an enclosing function is captured by value when the
 *    closure is created (flat closures): it becomes an upvalue index, and
 *    the Proto lists how to fetch each upvalue from the creating frame.
 *    This is sound because §5 forbids rebinding a name of an enclosing
 *    function, which the resolver enforces.
 *  - A def (or `let f = fn…`) sees its own name as SC_SELF: the running
 *    closure, so recursion needs no reference cycle.
 *  - Everything else is global (I->globals, then I->builtins) by name;
 *    names bound directly at the top level of a chunk are globals.
 */
#include <string.h>

#include "parser.h"

typedef struct {
  const char *name;
  size_t len;
  int slot;
} Local;

typedef struct FnScope {
  struct FnScope *parent;
  Proto *proto; /* NULL at the top level of the chunk */
  Local *locals;
  int nlocals, cap;
  int nslots, maxslots;
  CapDesc *caps;
  const char **capnames;
  int ncaps, capcap;
  const char *self_name;
  int loop_depth;
  int block_depth;
} FnScope;

typedef struct {
  Interp *I;
  Chunk *ch;
  bool failed;
  int depth;           /* tree depth: bounds every later recursion over the tree */
  const char **gnames; /* globals bound at the top level so far (for messages) */
  int ngnames, cgnames;
} Resolver;

static void note_global(Resolver *r, const char *name) {
  if (r->ngnames == r->cgnames) {
    int cap = r->cgnames ? r->cgnames * 2 : 16;
    const char **ng = jx_realloc(r->I, r->gnames, (size_t)cap * sizeof(char *));
    if (!ng) {
      jx_err_clear(r->I); /* only used for a better message */
      return;
    }
    r->gnames = ng;
    r->cgnames = cap;
  }
  r->gnames[r->ngnames++] = name;
}

static bool is_known_global(Resolver *r, const char *name, size_t len) {
  if (r->I->globals.tag == T_DICT && dict_get(r->I->globals, name, len)) return true;
  for (int i = 0; i < r->ngnames; i++)
    if (strlen(r->gnames[i]) == len && memcmp(r->gnames[i], name, len) == 0) return true;
  return false;
}

#ifndef RESOLVE_MAX_DEPTH
#define RESOLVE_MAX_DEPTH 1000
#endif

static int rerr(Resolver *r, ErrKind k, Node *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int rerr(Resolver *r, ErrKind k, Node *at, const char *fmt, ...) {
  if (!r->failed) {
    va_list ap;
    va_start(ap, fmt);
    jx_vraise(r->I, k, fmt, ap);
    va_end(ap);
    r->I->err.file = r->ch->file;
    r->I->err.line = at->line;
    r->I->err.col = at->col;
  }
  r->failed = true;
  return -1;
}

static bool name_eq(const char *a, size_t alen, const char *b) {
  return strlen(b) == alen && memcmp(a, b, alen) == 0;
}

static int push_local(Resolver *r, FnScope *fs, const char *name, size_t len) {
  if (fs->nlocals == fs->cap) {
    int cap = fs->cap ? fs->cap * 2 : 16;
    Local *nl = jx_realloc(r->I, fs->locals, (size_t)cap * sizeof(Local));
    if (!nl) {
      r->failed = true;
      return -1;
    }
    fs->locals = nl;
    fs->cap = cap;
  }
  int slot = fs->nslots++;
  if (fs->nslots > fs->maxslots) fs->maxslots = fs->nslots;
  fs->locals[fs->nlocals++] = (Local){name, len, slot};
  return slot;
}

/* Find a local of fs (innermost first): its slot or -1. */
static int find_local(FnScope *fs, const char *name, size_t len) {
  for (int i = fs->nlocals - 1; i >= 0; i--)
    if (fs->locals[i].len == len && memcmp(fs->locals[i].name, name, len) == 0)
      return fs->locals[i].slot;
  return -1;
}

/* Where does `name` live, seen from fs?  Adds captures as needed. */
static int lookup(Resolver *r, FnScope *fs, const char *name, size_t len, int32_t *idx) {
  int s = find_local(fs, name, len);
  if (s >= 0) {
    *idx = s;
    return SC_LOCAL;
  }
  if (fs->self_name && name_eq(name, len, fs->self_name)) {
    *idx = 0;
    return SC_SELF;
  }
  for (int i = 0; i < fs->ncaps; i++)
    if (name_eq(name, len, fs->capnames[i])) {
      *idx = i;
      return SC_UPVAL;
    }
  if (!fs->parent) return SC_GLOBAL;
  int32_t pidx;
  int k = lookup(r, fs->parent, name, len, &pidx);
  if (k == SC_GLOBAL || k < 0) return k;
  if (fs->ncaps == fs->capcap) {
    int cap = fs->capcap ? fs->capcap * 2 : 8;
    CapDesc *nc = jx_realloc(r->I, fs->caps, (size_t)cap * sizeof(CapDesc));
    if (!nc) {
      r->failed = true;
      return -1;
    }
    fs->caps = nc;
    const char **nn = jx_realloc(r->I, fs->capnames, (size_t)cap * sizeof(char *));
    if (!nn) {
      r->failed = true;
      return -1;
    }
    fs->capnames = nn;
    fs->capcap = cap;
  }
  fs->caps[fs->ncaps] = (CapDesc){(uint8_t)k, pidx};
  fs->capnames[fs->ncaps] = name; /* NUL-terminated, in the arena */
  *idx = fs->ncaps++;
  return SC_UPVAL;
}

static int make_key(Resolver *r, Node *n) {
  if (n->u.name.key.tag == T_STR) return 0;
  Value k = str_new(r->I, n->u.name.name, n->u.name.len);
  if (IS_EXC(k)) {
    r->failed = true;
    return -1;
  }
  if (chunk_own(r->I, r->ch, k) < 0) {
    v_decref(k);
    r->failed = true;
    return -1;
  }
  n->u.name.key = k;
  return 0;
}

static int resolve_read(Resolver *r, FnScope *fs, Node *n) {
  int32_t idx = 0;
  int k = lookup(r, fs, n->u.name.name, n->u.name.len, &idx);
  if (k < 0) return -1;
  n->scope = (uint8_t)k;
  n->u.name.idx = idx;
  if (k == SC_GLOBAL) return make_key(r, n);
  return 0;
}

/* Declare a NAME node as a new binding in fs. */
static int declare(Resolver *r, FnScope *fs, Node *n) {
  if (!fs->proto && fs->block_depth == 0) {
    n->scope = SC_GLOBAL;
    note_global(r, n->u.name.name);
    return make_key(r, n);
  }
  int slot = push_local(r, fs, n->u.name.name, n->u.name.len);
  if (slot < 0) return -1;
  n->scope = SC_LOCAL;
  n->u.name.idx = slot;
  return 0;
}

static int declare_pattern(Resolver *r, FnScope *fs, Node *p) {
  if (p->kind == N_NAME) return declare(r, fs, p);
  for (int i = 0; i < p->u.list.n; i++)
    if (declare_pattern(r, fs, p->u.list.items[i]) < 0) return -1;
  return 0;
}

/* Is `name` bound in an enclosing function of fs (for error messages)? */
static bool bound_outside(FnScope *fs, const char *name, size_t len) {
  for (FnScope *f = fs->parent; f; f = f->parent) {
    if (find_local(f, name, len) >= 0) return true;
    if (f->self_name && name_eq(name, len, f->self_name)) return true;
  }
  return false;
}

/* An assignment target: the name must be bound in this same function (or
 * be a global at the top level). */
static int resolve_target(Resolver *r, FnScope *fs, Node *n) {
  if (n->kind == N_PTUPLE) {
    for (int i = 0; i < n->u.list.n; i++)
      if (resolve_target(r, fs, n->u.list.items[i]) < 0) return -1;
    return 0;
  }
  const char *name = n->u.name.name;
  size_t len = n->u.name.len;
  int s = find_local(fs, name, len);
  if (s >= 0) {
    n->scope = SC_LOCAL;
    n->u.name.idx = s;
    return 0;
  }
  if (!fs->proto) {
    if (bound_outside(fs, name, len)) return rerr(r, E_NAME, n, "cannot rebind '%s' here", name);
    n->scope = SC_GLOBAL;
    note_global(r, name);
    return make_key(r, n);
  }
  if (fs->self_name && name_eq(name, len, fs->self_name))
    return rerr(r, E_NAME, n, "cannot rebind '%s' inside itself (use 'let %s = …' for a new local)",
                name, name);
  if (bound_outside(fs, name, len))
    return rerr(r, E_NAME, n,
                "cannot rebind '%s': it belongs to an enclosing function "
                "(closures capture values; use 'let %s = …' for a new local)",
                name, name);
  if (is_known_global(r, name, len))
    return rerr(r, E_NAME, n,
                "cannot rebind global '%s' inside a function (use 'let %s = …' for a local)", name,
                name);
  return rerr(r, E_NAME, n,
              "cannot assign to '%s': it is not bound in this function "
              "(use 'let %s = …' to bind a new name)",
              name, name);
}

static int res1(Resolver *r, FnScope *fs, Node *n);

/* Every node goes through here: a tree deeper than RESOLVE_MAX_DEPTH (say
 * a chain of a million additions) is a RecursionError before anything
 * recurses over it at run time. */
static int res(Resolver *r, FnScope *fs, Node *n) {
  if (!n || r->failed) return r->failed ? -1 : 0;
  if (++r->depth > RESOLVE_MAX_DEPTH) {
    int rc = rerr(r, E_RECURSION, n, "expression nested too deeply (more than %d levels)",
                  RESOLVE_MAX_DEPTH);
    r->depth--;
    return rc;
  }
  int rc = res1(r, fs, n);
  r->depth--;
  return rc;
}

static int res_block(Resolver *r, FnScope *fs, Node *b) {
  int save_n = fs->nlocals, save_s = fs->nslots;
  fs->block_depth++;
  int rc = 0;
  for (int i = 0; i < b->u.list.n && rc == 0; i++) rc = res(r, fs, b->u.list.items[i]);
  fs->block_depth--;
  fs->nlocals = save_n;
  fs->nslots = save_s;
  return rc;
}

static int res_proto(Resolver *r, FnScope *outer, Proto *pr) {
  /* defaults are evaluated where the function is created */
  for (int i = 0; i < pr->nparams; i++)
    if (pr->defaults[i] && res(r, outer, pr->defaults[i]) < 0) return -1;
  FnScope fs = {0};
  fs.parent = outer;
  fs.proto = pr;
  fs.self_name = pr->self_name;
  int rc = 0;
  for (int i = 0; i < pr->nparams && rc == 0; i++)
    if (push_local(r, &fs, pr->pnames[i], strlen(pr->pnames[i])) < 0) rc = -1;
  if (rc == 0) {
    if (pr->expr_body) {
      rc = res(r, &fs, pr->body);
    } else {
      Node *b = pr->body;
      fs.block_depth = 1;
      for (int i = 0; i < b->u.list.n && rc == 0; i++) rc = res(r, &fs, b->u.list.items[i]);
    }
  }
  if (rc == 0) {
    pr->nslots = fs.maxslots;
    pr->ncaps = fs.ncaps;
    if (fs.ncaps) {
      pr->caps = arena_alloc(&r->ch->arena, (size_t)fs.ncaps * sizeof(CapDesc));
      if (!pr->caps)
        rc = -1;
      else
        memcpy(pr->caps, fs.caps, (size_t)fs.ncaps * sizeof(CapDesc));
    }
  }
  jx_free(fs.locals);
  jx_free(fs.caps);
  jx_free(fs.capnames);
  if (rc < 0) r->failed = true;
  return rc;
}

static int res1(Resolver *r, FnScope *fs, Node *n) {
  switch ((NodeKind)n->kind) {
  case N_INT:
  case N_FLOAT:
  case N_STR:
  case N_TRUE:
  case N_FALSE:
  case N_NONE: return 0;
  case N_BREAK:
  case N_CONTINUE:
    if (fs->loop_depth == 0)
      return rerr(r, E_SYNTAX, n, "'%s' outside a loop", n->kind == N_BREAK ? "break" : "continue");
    return 0;
  case N_RETURN:
    if (!fs->proto) return rerr(r, E_SYNTAX, n, "'return' outside a function");
    return res(r, fs, n->u.k.a);
  case N_NAME: return resolve_read(r, fs, n);
  case N_FSTR:
    for (int i = 0; i < n->u.fstr.n; i++)
      if (n->u.fstr.parts[i].expr && res(r, fs, n->u.fstr.parts[i].expr) < 0) return -1;
    return 0;
  case N_TUPLE:
  case N_LIST:
    for (int i = 0; i < n->u.list.n; i++)
      if (res(r, fs, n->u.list.items[i]) < 0) return -1;
    return 0;
  case N_DICT:
    for (int i = 0; i < n->u.dict.n; i++)
      if (res(r, fs, n->u.dict.keys[i]) < 0 || res(r, fs, n->u.dict.vals[i]) < 0) return -1;
    return 0;
  case N_BINOP:
  case N_AND:
  case N_OR:
  case N_INDEX:
    if (res(r, fs, n->u.k.a) < 0) return -1;
    return res(r, fs, n->u.k.b);
  case N_UNOP:
  case N_NOT:
  case N_STARRED: return res(r, fs, n->u.k.a);
  case N_SLICE:
    if (res(r, fs, n->u.k.a) < 0 || res(r, fs, n->u.k.b) < 0) return -1;
    return res(r, fs, n->u.k.c);
  case N_CMP:
    for (int i = 0; i < n->u.cmp.n; i++)
      if (res(r, fs, n->u.cmp.items[i]) < 0) return -1;
    return 0;
  case N_CALL:
    if (res(r, fs, n->u.call.fn) < 0) return -1;
    for (int i = 0; i < n->u.call.nargs; i++)
      if (res(r, fs, n->u.call.args[i]) < 0) return -1;
    for (int i = 0; i < n->u.call.nkw; i++)
      if (res(r, fs, n->u.call.kwargs[i]) < 0) return -1;
    return 0;
  case N_ATTR: return res(r, fs, n->u.attr.obj);
  case N_FUNC: return res_proto(r, fs, n->u.func.proto);
  case N_IF:
    for (;;) { /* else-if chains iterate */
      if (res(r, fs, n->u.k.a) < 0) return -1;
      if (res_block(r, fs, n->u.k.b) < 0) return -1;
      if (!n->u.k.c) return 0;
      if (n->u.k.c->kind == N_BLOCK) return res_block(r, fs, n->u.k.c);
      n = n->u.k.c;
    }
  case N_BLOCK: return res_block(r, fs, n);
  case N_LET: {
    Node *pat = n->u.k.a, *val = n->u.k.b;
    if (pat->kind == N_NAME && val->kind == N_FUNC && !val->u.func.proto->self_name)
      val->u.func.proto->self_name = pat->u.name.name;
    if (res(r, fs, val) < 0) return -1;
    return declare_pattern(r, fs, pat);
  }
  case N_DEF:
    if (declare(r, fs, n->u.def.target) < 0) return -1;
    return res_proto(r, fs, n->u.def.proto);
  case N_ASSIGN:
    if (res(r, fs, n->u.k.b) < 0) return -1;
    return resolve_target(r, fs, n->u.k.a);
  case N_AUGASSIGN:
    if (res(r, fs, n->u.k.b) < 0) return -1;
    return resolve_target(r, fs, n->u.k.a);
  case N_FOR: {
    if (res(r, fs, n->u.k.b) < 0) return -1;
    int save_n = fs->nlocals, save_s = fs->nslots;
    fs->block_depth++;
    int rc = declare_pattern(r, fs, n->u.k.a);
    fs->loop_depth++;
    if (rc == 0) rc = res_block(r, fs, n->u.k.c);
    fs->loop_depth--;
    fs->block_depth--;
    fs->nlocals = save_n;
    fs->nslots = save_s;
    return rc;
  }
  case N_WHILE: {
    if (res(r, fs, n->u.k.a) < 0) return -1;
    fs->loop_depth++;
    int rc = res_block(r, fs, n->u.k.b);
    fs->loop_depth--;
    return rc;
  }
  case N_PTUPLE: return 0;
  default: return 0;
  }
}

int resolve_chunk(Interp *I, Chunk *c) {
  Resolver r = {I, c, false, 0, NULL, 0, 0};
  FnScope top = {0};
  int rc = 0;
  for (int i = 0; i < c->body->u.list.n && rc == 0; i++)
    rc = res(&r, &top, c->body->u.list.items[i]);
  c->nslots = top.maxslots;
  jx_free(r.gnames);
  jx_free(top.locals);
  jx_free(top.caps);
  jx_free(top.capnames);
  if (rc < 0 || r.failed) {
    if (I->err.kind == E_NONE) jx_raise(I, E_MEMORY, "out of memory while resolving names");
    return -1;
  }
  return 0;
}
