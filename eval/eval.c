/* eval.c — the tree-walking evaluator (see eval.h).
 *
 * Hot paths: locals are slot reads; scalar int/float arithmetic and
 * comparisons are done inline without calling jx_binop (same results as
 * stdlib/ops.c: int64 wraps, int / int is a float); `for i in range(…)`
 * runs a native counter; a user call binds arguments straight into the
 * callee's slot array on the C stack.  Nothing is allocated per loop
 * iteration or per scalar operation. */
#include "eval.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "../parser/parser.h"
#include "../stdlib/builtins.h"
#include "../stdlib/ops.h"
#include "../stdlib/array.h"
#include "../ad/ad.h"

/* CTL_MASKED: every lane active in the current per-lane mask has left the
 * current block (return/break/continue under a condition that differs
 * across a vmapped batch); see "per-lane control flow" below. */
enum { CTL_NONE = 0, CTL_BREAK, CTL_CONTINUE, CTL_RETURN, CTL_MASKED };

#define NOINLINE __attribute__((noinline))

typedef struct {
  char *file;
  char *src;
  size_t len;
} Source;

struct EvalState {
  int ctl;          /* pending break/continue/return */
  Value ret;        /* value of a pending return */
  int tb_line;      /* line of the call an error is unwinding through */
  uint32_t gver;    /* bumped when globals/builtins gain or lose keys */
  Chunk **chunks;
  int nchunks, cchunks;
  Source *srcs;
  int nsrcs, csrcs;
  Value argv;
  char *stack_base;
  size_t stack_limit;
  char *stack_floor; /* stack_base - stack_limit */
  int nest;         /* active eval entries (for the stack base) */
};

/* Per-lane state of a frame once an if/while condition differed across a
 * vmapped batch (or was staged by jit): which lanes run now, which have
 * returned (and with what), broken out of or continued the innermost loop. */
typedef struct Mask {
  Value m;      /* active lanes (T_UNSET: all) */
  Value dead;   /* lanes that returned (T_UNSET: none) */
  Value ret;    /* their return values (T_UNSET: none yet) */
  Value brk;    /* lanes that left the innermost loop (T_UNSET: none) */
  Value cont;   /* lanes that continued in this iteration (T_UNSET: none) */
  bool merging; /* the store in progress is an assignment (merge per lane) */
} Mask;

typedef struct Frame {
  Value *slots;
  Func *fn;         /* NULL at the top level of a chunk */
  Chunk *chunk;
  Mask *mk;         /* NULL until per-lane control flow happens in this frame */
} Frame;

static Value ev(Interp *I, Frame *F, Node *n);
static Value ev_augassign(Interp *I, Frame *F, Node *n);
static Value recursion_error(Interp *I);
static Value call_func(Interp *I, Func *fn, int argc, Value *argv, int nkw,
                       const char *const *kwn, Value *kwv, bool owned);
static Value call_cfunc(Interp *I, Value f, int argc, const Value *argv, int nkw,
                        const char *const *kwn, const Value *kwv);

/* ------------------------------------------------------------------ */
/* state                                                               */

static size_t stack_budget(void) {
  struct rlimit rl;
  size_t lim = 8u << 20;
  if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) lim = rl.rlim_cur;
  if (lim > (256u << 20)) lim = 256u << 20;
  /* leave room for the environment, C library calls, BLAS and printing */
  size_t margin = lim / 4 > (256u << 10) ? (256u << 10) : lim / 4;
  return lim - margin;
}

int eval_init(Interp *I) {
  if (I->es) return 0;
  EvalState *es = jx_calloc(I, 1, sizeof(EvalState));
  if (!es) return -1;
  es->gver = 1;
  es->ret = v_none();
  es->argv = v_unset();
  es->stack_limit = stack_budget();
  I->es = es;
  return 0;
}

void eval_state_free(Interp *I) {
  EvalState *es = I->es;
  if (!es) return;
  /* closures point into chunks: drop the globals' values first */
  if (I->globals.tag == T_DICT) {
    Dict *d = AS_DICT(I->globals);
    for (int64_t i = 0; i < d->n; i++) {
      Value v = d->e[i].val;
      d->e[i].val = v_none();
      v_decref(v);
    }
  }
  if (I->builtins.tag == T_DICT) {
    Dict *d = AS_DICT(I->builtins);
    for (int64_t i = 0; i < d->n; i++) {
      Value v = d->e[i].val;
      if (v.tag == T_FUNC) {
        d->e[i].val = v_none();
        v_decref(v);
      } else if (v.tag == T_NS) {
        Dict *nd = AS_DICT(((Namespace *)v.u.o)->dict);
        for (int64_t j = 0; j < nd->n; j++)
          if (nd->e[j].val.tag == T_FUNC) {
            Value f = nd->e[j].val;
            nd->e[j].val = v_none();
            v_decref(f);
          }
      }
    }
  }
  v_decref(es->ret);
  v_decref(es->argv);
  /* a closure still held elsewhere (a builtin made by the prelude) frees
   * its chunk when it goes */
  for (int i = 0; i < es->nchunks; i++) {
    if (es->chunks[i]->nclosures == 0) chunk_free(es->chunks[i]);
    else es->chunks[i]->orphan = true;
  }
  jx_free(es->chunks);
  for (int i = 0; i < es->nsrcs; i++) {
    jx_free(es->srcs[i].file);
    jx_free(es->srcs[i].src);
  }
  jx_free(es->srcs);
  jx_free(es);
  I->es = NULL;
}

int eval_keep_source(Interp *I, const char *file, const char *src, size_t len,
                     const char **kfile, const char **ksrc) {
  if (eval_init(I) < 0) return -1;
  EvalState *es = I->es;
  if (es->nsrcs == es->csrcs) {
    int cap = es->csrcs ? es->csrcs * 2 : 8;
    Source *ns = jx_realloc(I, es->srcs, (size_t)cap * sizeof(Source));
    if (!ns) return -1;
    es->srcs = ns;
    es->csrcs = cap;
  }
  size_t fl = strlen(file);
  char *f = jx_malloc(I, fl + 1);
  char *s = f ? jx_malloc(I, len + 1) : NULL;
  if (!s) {
    jx_free(f);
    return -1;
  }
  memcpy(f, file, fl + 1);
  if (len) memcpy(s, src, len);
  s[len] = 0;
  es->srcs[es->nsrcs++] = (Source){f, s, len};
  *kfile = f;
  *ksrc = s;
  return 0;
}

void eval_kept(Interp *I, int *nsources, int *nchunks) {
  *nsources = I->es ? I->es->nsrcs : 0;
  *nchunks = I->es ? I->es->nchunks : 0;
}

const char *eval_source_line(Interp *I, const char *file, int line, size_t *len) {
  EvalState *es = I->es;
  if (!es || !file || line < 1) return NULL;
  for (int i = es->nsrcs - 1; i >= 0; i--) {
    Source *s = &es->srcs[i];
    if (s->file != file) continue;
    const char *p = s->src, *end = s->src + s->len;
    for (int l = 1; l < line && p < end; l++) {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      if (!nl) return NULL;
      p = nl + 1;
    }
    const char *e = memchr(p, '\n', (size_t)(end - p));
    if (!e) e = end;
    if (e > p && e[-1] == '\r') e--;
    *len = (size_t)(e - p);
    return p;
  }
  return NULL;
}

static int keep_chunk(Interp *I, Chunk *c) {
  EvalState *es = I->es;
  if (es->nchunks == es->cchunks) {
    int cap = es->cchunks ? es->cchunks * 2 : 8;
    Chunk **nc = jx_realloc(I, es->chunks, (size_t)cap * sizeof(Chunk *));
    if (!nc) return -1;
    es->chunks = nc;
    es->cchunks = cap;
  }
  es->chunks[es->nchunks++] = c;
  return 0;
}

void eval_globals_changed(Interp *I) {
  if (I->es) I->es->gver++;
}

/* ------------------------------------------------------------------ */
/* errors                                                              */

static inline void locate(Interp *I, Frame *F, Node *n) {
  if (!F->chunk->prelude) jx_err_locate(I, F->chunk->file, n->line, n->col);
}

static inline bool is_ctl(Interp *I) { return I->es->ctl != CTL_NONE; }

static void add_trace(Interp *I, Func *fn, int line) {
  JxError *e = &I->err;
  if (e->ntrace < JX_MAX_TRACE) {
    e->trace[e->ntrace].fname = fn->proto->name;
    e->trace[e->ntrace].file = fn->proto->chunk->file;
    e->trace[e->ntrace].line = line;
    e->ntrace++;
  } else {
    e->ntrace_dropped++;
  }
}

static inline bool stack_exhausted(EvalState *es) {
  return (char *)__builtin_frame_address(0) < es->stack_floor;
}

__attribute__((noinline)) static void set_stack_base(EvalState *es) {
  es->stack_base = (char *)__builtin_frame_address(0);
  es->stack_floor = (uintptr_t)es->stack_base > es->stack_limit ? es->stack_base - es->stack_limit : NULL;
}

int eval_truth(Interp *I, Value v) {
  switch (v.tag) {
  case T_BOOL:
  case T_INT: return v.u.i != 0;
  case T_FLOAT: return v.u.f != 0.0;
  case T_NONE: return 0;
  default: break;
  }
  int t = jx_truth(I, v);
  if (t == 2) {
    jx_raise(I, E_TYPE, "condition differs across the vmapped batch (not yet supported)");
    return -1;
  }
  return t;
}

/* ------------------------------------------------------------------ */
/* scalar fast paths (must agree with stdlib/ops.c)                    */

/* Each returns the result, or a T_UNSET value when the fast path does not
 * apply (results are returned in registers: no store/load round trip). */
#define FAST __attribute__((always_inline)) static inline

FAST Value fast_f(int op, double x, double y) {
  switch (op) {
  case OP_ADD: return v_float(x + y);
  case OP_SUB: return v_float(x - y);
  case OP_MUL: return v_float(x * y);
  case OP_DIV: return v_float(x / y);
  case OP_EQ: return v_bool(x == y);
  case OP_NE: return v_bool(x != y);
  case OP_LT: return v_bool(x < y);
  case OP_LE: return v_bool(x <= y);
  case OP_GT: return v_bool(x > y);
  case OP_GE: return v_bool(x >= y);
  default: return v_unset();
  }
}

FAST Value fast_i(int op, int64_t x, int64_t y) {
  switch (op) {
  case OP_ADD: return v_int((int64_t)((uint64_t)x + (uint64_t)y));
  case OP_SUB: return v_int((int64_t)((uint64_t)x - (uint64_t)y));
  case OP_MUL: return v_int((int64_t)((uint64_t)x * (uint64_t)y));
  case OP_DIV:
    if (y == 0) return v_unset();
    return v_float((double)x / (double)y);
  case OP_FLOORDIV:
  case OP_MOD: {
    if (y == 0 || (y == -1 && x == INT64_MIN)) return v_unset();
    int64_t q = x / y, r = x % y;
    if (r != 0 && ((r < 0) != (y < 0))) {
      q -= 1;
      r += y;
    }
    return v_int(op == OP_FLOORDIV ? q : r);
  }
  case OP_EQ: return v_bool(x == y);
  case OP_NE: return v_bool(x != y);
  case OP_LT: return v_bool(x < y);
  case OP_LE: return v_bool(x <= y);
  case OP_GT: return v_bool(x > y);
  case OP_GE: return v_bool(x >= y);
  default: return v_unset();
  }
}

FAST Value fast_binop(int op, Value a, Value b) {
  if (a.tag == T_FLOAT) {
    if (b.tag == T_FLOAT) return fast_f(op, a.u.f, b.u.f);
    if (b.tag == T_INT) return fast_f(op, a.u.f, (double)b.u.i);
  } else if (a.tag == T_INT) {
    if (b.tag == T_INT) return fast_i(op, a.u.i, b.u.i);
    if (b.tag == T_FLOAT) return fast_f(op, (double)a.u.i, b.u.f);
  }
  return v_unset();
}

static Value binop(Interp *I, Frame *F, Node *at, int op, Value a, Value b) {
  Value r = fast_binop(op, a, b);
  if (r.tag != T_UNSET) return r;
  r = jx_binop(I, (BinOp)op, a, b);
  if (IS_EXC(r)) locate(I, F, at);
  return r;
}

/* A scalar leaf (local or number literal) without a reference, or T_UNSET. */
FAST Value leaf(Frame *F, Node *n) {
  if (n->kind == N_NAME && n->scope == SC_LOCAL) return F->slots[n->u.name.idx];
  if (n->kind == N_FLOAT) return v_float(n->u.f);
  if (n->kind == N_INT) return v_int(n->u.i);
  return v_unset();
}

/* Operands that need no recursive call: locals, number literals, and
 * scalar arithmetic on those. */
FAST Value ev_operand(Interp *I, Frame *F, Node *n) {
  if (n->kind == N_NAME && n->scope == SC_LOCAL) {
    Value v = F->slots[n->u.name.idx];
    if (v.tag > T_UNSET) return v_incref(v);
  } else if (n->kind == N_FLOAT) {
    return v_float(n->u.f);
  } else if (n->kind == N_INT) {
    return v_int(n->u.i);
  } else if (n->kind == N_BINOP) {
    Value r = fast_binop(n->op, leaf(F, n->u.k.a), leaf(F, n->u.k.b));
    if (r.tag != T_UNSET) return r;
  }
  return ev(I, F, n);
}

/* ------------------------------------------------------------------ */
/* names                                                               */

static Value name_error(Interp *I, Frame *F, Node *n) {
  const char *name = n->u.name.name, *best = eval_suggest_name(I, name);
  if (best) jx_raise(I, E_NAME, "name '%s' is not defined (did you mean '%s'?)", name, best);
  else jx_raise(I, E_NAME, "name '%s' is not defined", name);
  locate(I, F, n);
  return v_exc();
}

static Value *global_slot(Interp *I, Frame *F, Node *n) {
  EvalState *es = I->es;
  if (n->u.name.cver == es->gver) {
    Dict *d = AS_DICT(n->u.name.cbuiltin ? I->builtins : I->globals);
    if (n->u.name.cidx < d->n && d->e[n->u.name.cidx].key.u.o == n->u.name.ckey)
      return &d->e[n->u.name.cidx].val;
  }
  for (int b = F->chunk->prelude ? 1 : 0; b < 2; b++) {
    Value dv = b ? I->builtins : I->globals;
    Value *p = dict_getv(dv, n->u.name.key);
    if (p) {
      Dict *d = AS_DICT(dv);
      int64_t idx = (int64_t)((DictEntry *)((char *)p - offsetof(DictEntry, val)) - d->e);
      n->u.name.cver = es->gver;
      n->u.name.cbuiltin = (uint8_t)b;
      n->u.name.cidx = idx;
      n->u.name.ckey = d->e[idx].key.u.o;
      return p;
    }
  }
  return NULL;
}

static inline Value load_name(Interp *I, Frame *F, Node *n) {
  Value v;
  switch (n->scope) {
  case SC_LOCAL:
    v = F->slots[n->u.name.idx];
    break;
  case SC_UPVAL:
    v = F->fn->vals[n->u.name.idx];
    break;
  case SC_SELF:
    return v_incref(v_obj(&F->fn->hdr));
  default: {
    Value *p = global_slot(I, F, n);
    if (!p) return name_error(I, F, n);
    v = *p;
  }
  }
  if (v.tag == T_UNSET) {
    jx_raise(I, E_NAME, "'%s' is used before it is bound", n->u.name.name);
    locate(I, F, n);
    return v_exc();
  }
  return v_incref(v);
}

int builtins_set(Interp *I, const char *name, Value v);

static int store_global(Interp *I, Frame *F, Node *n, Value v) {
  EvalState *es = I->es;
  if (F->chunk->prelude) {
    if (builtins_set(I, n->u.name.name, v) < 0) return -1;
    es->gver++;
    return 0;
  }
  Value *p = dict_getv(I->globals, n->u.name.key);
  if (p) {
    v_incref(v);
    v_decref(*p);
    *p = v;
    return 0;
  }
  if (dict_set(I, I->globals, n->u.name.key, v) < 0) return -1;
  es->gver++;
  return 0;
}

int eval_set_global(Interp *I, const char *name, Value v) {
  if (eval_init(I) < 0) return -1;
  Value *p = dict_get(I->globals, name, strlen(name));
  if (p) {
    v_incref(v);
    v_decref(*p);
    *p = v;
    return 0;
  }
  if (dict_sets(I, I->globals, name, v) < 0) return -1;
  I->es->gver++;
  return 0;
}

void eval_clear_globals(Interp *I) {
  if (eval_init(I) < 0) return;
  Value g = dict_new(I);
  if (IS_EXC(g)) {
    jx_err_clear(I);
    return;
  }
  Value old = I->globals;
  I->globals = g;
  v_decref(old);
  I->es->gver++;
}

/* Store an owned value into a resolved NAME target. 0 or -1. */
static int masked_merge(Interp *I, Frame *F, Node *n, Value *v, Value old) {
  Value m = ad_select_tree(I, F->mk->m, *v, old, "if");
  v_decref(*v);
  *v = m;
  if (IS_EXC(m)) {
    locate(I, F, n);
    return -1;
  }
  return 0;
}

static inline int store_name(Interp *I, Frame *F, Node *n, Value v) {
  if (F->mk && F->mk->merging && F->mk->m.tag != T_UNSET && n->scope == SC_LOCAL &&
      F->slots[n->u.name.idx].tag != T_UNSET) {
    /* an assignment under a per-lane mask: lanes outside it keep the old value */
    if (masked_merge(I, F, n, &v, F->slots[n->u.name.idx]) < 0) return -1;
  }
  if (n->scope == SC_LOCAL) {
    Value *s = &F->slots[n->u.name.idx];
    Value old = *s;
    *s = v;
    v_decref(old);
    return 0;
  }
  int rc = store_global(I, F, n, v);
  v_decref(v);
  if (rc < 0) locate(I, F, n);
  return rc;
}

/* ------------------------------------------------------------------ */
/* iteration and destructuring                                         */

static int64_t iter_len(Interp *I, Value x) {
  switch (x.tag) {
  case T_TUPLE: return AS_TUPLE(x)->n;
  case T_DICT: return AS_DICT(x)->n;
  case T_OBJ:
    if (is_range_obj(x)) return ((RangeObj *)x.u.o)->len;
    break;
  case T_NONE: case T_BOOL: case T_INT: case T_FLOAT: case T_FUNC: case T_CFUNC: case T_NS:
    jx_raise(I, E_TYPE, "cannot iterate over a value of type %s", type_name(x));
    return -1;
  default: break;
  }
  return jx_len(I, x);
}

static Value iter_item(Interp *I, Value x, int64_t k) {
  switch (x.tag) {
  case T_TUPLE: return v_incref(AS_TUPLE(x)->items[k]);
  case T_DICT: return v_incref(AS_DICT(x)->e[k].key);
  case T_OBJ:
    if (is_range_obj(x)) {
      RangeObj *r = (RangeObj *)x.u.o;
      return v_int(r->start + k * r->step);
    }
    break;
  default: break;
  }
  return jx_iter_item(I, x, k);
}

static int bind_pattern(Interp *I, Frame *F, Node *pat, Value v);

static int destructure(Interp *I, Frame *F, Node *pat, Value v) {
  int n = pat->u.list.n;
  int64_t len;
  if (v.tag == T_TUPLE) {
    len = AS_TUPLE(v)->n;
  } else if (v.tag == T_NONE || v.tag == T_BOOL || v.tag == T_INT || v.tag == T_FLOAT ||
             v.tag == T_FUNC || v.tag == T_CFUNC || v.tag == T_NS) {
    jx_raise(I, E_TYPE, "cannot unpack a value of type %s into %d names", type_name(v), n);
    locate(I, F, pat);
    v_decref(v);
    return -1;
  } else {
    len = iter_len(I, v);
    if (len < 0) {
      locate(I, F, pat);
      v_decref(v);
      return -1;
    }
  }
  if (len != n) {
    if (len > n) jx_raise(I, E_VALUE, "too many values to unpack (expected %d, got %lld)", n, (long long)len);
    else jx_raise(I, E_VALUE, "not enough values to unpack (expected %d, got %lld)", n, (long long)len);
    locate(I, F, pat);
    v_decref(v);
    return -1;
  }
  for (int i = 0; i < n; i++) {
    Value item = iter_item(I, v, i);
    if (IS_EXC(item)) {
      locate(I, F, pat);
      v_decref(v);
      return -1;
    }
    if (bind_pattern(I, F, pat->u.list.items[i], item) < 0) {
      v_decref(v);
      return -1;
    }
  }
  v_decref(v);
  return 0;
}

/* Bind an owned value to a pattern (consumes v). */
static int bind_pattern(Interp *I, Frame *F, Node *pat, Value v) {
  if (pat->kind == N_NAME) return store_name(I, F, pat, v);
  return destructure(I, F, pat, v);
}

/* ------------------------------------------------------------------ */
/* closures                                                            */

static __thread Func *pending_free;
static __thread bool freeing;

void func_free(Obj *o) {
  Func *fn = (Func *)o;
  fn->next_free = pending_free;
  pending_free = fn;
  if (freeing) return; /* the outer loop frees it: no deep recursion */
  freeing = true;
  while (pending_free) {
    Func *f = pending_free;
    pending_free = f->next_free;
    for (int i = 0; i < f->nvals; i++) v_decref(f->vals[i]);
    Chunk *ch = f->proto->chunk;
    jx_free(f);
    if (--ch->nclosures == 0 && ch->orphan) chunk_free(ch);
  }
  freeing = false;
}

void func_repr(Interp *I, Obj *o, StrBuf *sb) {
  Func *fn = (Func *)o;
  Proto *p = fn->proto;
  sb_printf(sb, "<fn %s(", p->name);
  for (int i = 0; i < p->nparams; i++) {
    if (i) sb_puts(sb, ", ");
    sb_puts(sb, p->pnames[i]);
    if (fn->defaults[i].tag != T_UNSET) {
      sb_putc(sb, '=');
      jx_repr(I, fn->defaults[i], sb);
    }
  }
  sb_puts(sb, ")>");
}

NOINLINE static Value make_closure(Interp *I, Frame *F, Proto *p) {
  int nvals = p->ncaps + p->nparams;
  Func *fn = obj_new(I, T_FUNC, sizeof(Func) + (size_t)nvals * sizeof(Value));
  if (!fn) return v_exc();
  fn->proto = p;
  p->chunk->nclosures++; /* the chunk stays while the closure lives */
  fn->next_free = NULL;
  fn->nvals = nvals;
  fn->defaults = fn->vals + p->ncaps;
  for (int i = 0; i < nvals; i++) fn->vals[i] = v_unset();
  Value fv = v_obj(&fn->hdr);
  for (int i = 0; i < p->ncaps; i++) {
    CapDesc c = p->caps[i];
    Value v;
    if (c.scope == SC_LOCAL) v = F->slots[c.idx];
    else if (c.scope == SC_UPVAL) v = F->fn->vals[c.idx];
    else v = v_obj(&F->fn->hdr);
    fn->vals[i] = v_incref(v);
  }
  for (int i = 0; i < p->nparams; i++) {
    if (!p->defaults[i]) continue;
    Value d = ev(I, F, p->defaults[i]);
    if (IS_EXC(d)) {
      v_decref(fv);
      return d;
    }
    fn->defaults[i] = d;
  }
  return fv;
}

/* ------------------------------------------------------------------ */
/* calls                                                               */

static void release(Value *v, int n) {
  for (int i = 0; i < n; i++) v_decref(v[i]);
}

static Value mask_finish(Interp *I, Frame *F, Value r);

/* Run fn with its parameters already bound in slots[0..ns) (owned; released). */
static Value run_func(Interp *I, Func *fn, Value *slots, int ns) {
  Proto *p = fn->proto;
  EvalState *es = I->es;
  Frame F = {slots, fn, p->chunk, NULL};
  Value r;
  I->depth++;
  if (p->expr_body) {
    r = ev_operand(I, &F, p->body);
  } else {
    Node *b = p->body;
    int n = b->u.list.n;
    r = v_none();
    for (int i = 0; i < n; i++) {
      v_decref(r);
      r = ev(I, &F, b->u.list.items[i]);
      if (IS_EXC(r)) break;
    }
    if (!IS_EXC(r) && !(b->flags & BLOCK_ENDS_IN_EXPR)) {
      v_decref(r);
      r = v_none();
    }
  }
  I->depth--;
  if (F.mk) r = mask_finish(I, &F, r);
  if (IS_EXC(r)) {
    if (es->ctl == CTL_RETURN) {
      es->ctl = CTL_NONE;
      r = es->ret;
      es->ret = v_none();
    } else if (!p->chunk->prelude) {
      add_trace(I, fn, I->err.ntrace == 0 && I->err.line ? I->err.line : es->tb_line);
    }
  }
  release(slots, ns);
  return r;
}

/* Bind arguments into slots (size ns, params first) and run.  Arguments are
 * moved in when owned (and released on every path), else increfed. */
static Value bind_and_run(Interp *I, Func *fn, Value *slots, int ns, int argc, Value *argv,
                          int nkw, const char *const *kwn, Value *kwv, bool owned) {
  Proto *p = fn->proto;
  Value r;
  for (int i = 0; i < argc; i++) slots[i] = owned ? argv[i] : v_incref(argv[i]);
  for (int i = argc; i < ns; i++) slots[i] = v_unset();
  for (int k = 0; k < nkw; k++) {
    int j = -1;
    for (int i = 0; i < p->nparams; i++)
      if (strcmp(p->pnames[i], kwn[k]) == 0) {
        j = i;
        break;
      }
    if (j < 0) {
      r = jx_raise(I, E_TYPE, "%s() got an unexpected keyword argument '%s'", p->name, kwn[k]);
      goto fail;
    }
    if (slots[j].tag != T_UNSET) {
      r = jx_raise(I, E_TYPE, "%s() got multiple values for argument '%s'", p->name, kwn[k]);
      goto fail;
    }
    slots[j] = owned ? kwv[k] : v_incref(kwv[k]);
    if (owned) kwv[k] = v_none();
  }
  if (owned) release(kwv, nkw);
  for (int i = 0; i < p->nparams; i++) {
    if (slots[i].tag != T_UNSET) continue;
    if (fn->defaults[i].tag == T_UNSET) {
      release(slots, ns);
      return jx_raise(I, E_TYPE, "%s() missing required argument '%s'", p->name, p->pnames[i]);
    }
    slots[i] = v_incref(fn->defaults[i]);
  }
  return run_func(I, fn, slots, ns);
fail:
  if (owned) release(kwv, nkw);
  release(slots, ns);
  return r;
}

static Value call_func(Interp *I, Func *fn, int argc, Value *argv, int nkw,
                       const char *const *kwn, Value *kwv, bool owned) {
  Proto *p = fn->proto;
  Value r;
  if (I->depth >= I->max_depth || stack_exhausted(I->es)) {
    r = recursion_error(I);
    goto fail;
  }
  if (I->interrupted && jx_check_interrupt(I) < 0) {
    r = v_exc();
    goto fail;
  }
  if (argc > p->nparams) {
    r = jx_raise(I, E_TYPE, "%s() takes %d argument%s but %d were given", p->name, p->nparams,
                 p->nparams == 1 ? "" : "s", argc);
    goto fail;
  }
  int ns = p->nslots > 0 ? p->nslots : 1;
  if (ns <= 32) {
    Value slots[ns];
    return bind_and_run(I, fn, slots, ns, argc, argv, nkw, kwn, kwv, owned);
  }
  Value *slots = jx_malloc(I, (size_t)ns * sizeof(Value));
  if (!slots) {
    r = v_exc();
    goto fail;
  }
  r = bind_and_run(I, fn, slots, ns, argc, argv, nkw, kwn, kwv, owned);
  jx_free(slots);
  return r;
fail:
  if (owned) {
    release(argv, argc);
    release(kwv, nkw);
  }
  return r;
}

/* Does parameter k of a builtin signature have a default ("name=…")? */
static bool sig_has_default(const char *sig, int k) {
  int idx = 0, depth = 0;
  char quote = 0;
  for (const char *s = sig; *s; s++) {
    char c = *s;
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '(' || c == '[') {
      depth++;
    } else if (c == ')' || c == ']') {
      depth--;
    } else if (c == ',' && depth == 0) {
      idx++;
    } else if (c == '=' && depth == 0 && idx == k) {
      return true;
    }
  }
  return false;
}

static Value call_cfunc(Interp *I, Value f, int argc, const Value *argv, int nkw,
                        const char *const *kwn, const Value *kwv) {
  CFunc *cf = AS_CFUNC(f);
  const char *name = cf->display ? cf->display : cf->def->name;
  int np = cf->nparams;
  int nfixed = cf->varargs ? np - 1 : np;
  Value args[JX_MAX_PARAMS];
  Value rest = v_none();
  if (stack_exhausted(I->es))
    return jx_raise(I, E_RECURSION, "maximum recursion depth exceeded (in %s)", name);
  if (argc > nfixed && !cf->varargs)
    return jx_raise(I, E_TYPE, "%s() takes %s%d argument%s but %d were given", name,
                    nfixed && !sig_has_default(cf->def->sig, 0) ? "" : "at most ", nfixed,
                    nfixed == 1 ? "" : "s", argc);
  for (int i = 0; i < np; i++) args[i] = v_unset();
  int npos = argc < nfixed ? argc : nfixed;
  for (int i = 0; i < npos; i++) args[i] = argv[i];
  if (cf->varargs) {
    rest = tuple_of(I, argc > nfixed ? argc - nfixed : 0, argv + npos);
    if (IS_EXC(rest)) return rest;
    args[np - 1] = rest;
  }
  for (int k = 0; k < nkw; k++) {
    int j = -1;
    for (int i = 0; i < nfixed; i++)
      if (strcmp(cf->pnames[i], kwn[k]) == 0) {
        j = i;
        break;
      }
    if (j < 0) {
      v_decref(rest);
      return jx_raise(I, E_TYPE, "%s() got an unexpected keyword argument '%s'", name, kwn[k]);
    }
    if (args[j].tag != T_UNSET) {
      v_decref(rest);
      return jx_raise(I, E_TYPE, "%s() got multiple values for argument '%s'", name, kwn[k]);
    }
    args[j] = kwv[k];
  }
  for (int i = 0; i < nfixed; i++) {
    if (args[i].tag != T_UNSET) continue;
    if (cf->defaults[i].tag != T_UNSET) {
      args[i] = cf->defaults[i];
    } else if (!sig_has_default(cf->def->sig ? cf->def->sig : "", i)) {
      v_decref(rest);
      return jx_raise(I, E_TYPE, "%s() missing required argument '%s'", name, cf->pnames[i]);
    }
  }
  Value r = cf->def->fn(I, args, np, f);
  v_decref(rest);
  return r;
}

static Value call_obj(Interp *I, Value f, int argc, const Value *argv, int nkw,
                      const char *const *kwn, const Value *kwv) {
  GenObj *g = (GenObj *)f.u.o;
  if (g->ops->call) return g->ops->call(I, f.u.o, argc, argv, nkw, kwn, kwv);
  return jx_raise(I, E_TYPE, "a value of type %s is not callable", type_name(f));
}

/* Dispatch a call with owned arguments (all released). */
static Value call_owned(Interp *I, Value f, int argc, Value *argv, int nkw,
                        const char *const *kwn, Value *kwv) {
  if (f.tag == T_FUNC) return call_func(I, AS_FUNC(f), argc, argv, nkw, kwn, kwv, true);
  Value r;
  if (f.tag == T_CFUNC) r = call_cfunc(I, f, argc, argv, nkw, kwn, kwv);
  else if (f.tag == T_OBJ) r = call_obj(I, f, argc, argv, nkw, kwn, kwv);
  else r = jx_raise(I, E_TYPE, "a value of type %s is not callable", type_name(f));
  release(argv, argc);
  release(kwv, nkw);
  return r;
}

Value jx_call(Interp *I, Value f, int argc, const Value *argv, int nkw,
              const char *const *kwnames, const Value *kwvals) {
  if (eval_init(I) < 0) return v_exc();
  EvalState *es = I->es;
  bool outer = es->nest == 0;
  if (outer) set_stack_base(es);
  es->nest++;
  Value r;
  if (f.tag == T_FUNC)
    r = call_func(I, AS_FUNC(f), argc, (Value *)argv, nkw, kwnames, (Value *)kwvals, false);
  else if (f.tag == T_CFUNC) r = call_cfunc(I, f, argc, argv, nkw, kwnames, kwvals);
  else if (f.tag == T_OBJ) r = call_obj(I, f, argc, argv, nkw, kwnames, kwvals);
  else r = jx_raise(I, E_TYPE, "a value of type %s is not callable", type_name(f));
  es->nest--;
  return r;
}

/* Evaluate the arguments of call node n and call f (owned; released). */
static Value recursion_error(Interp *I) {
  return jx_raise(I, E_RECURSION, "maximum recursion depth exceeded (%d calls deep)", I->depth);
}

/* The common call: a user function with positional arguments only.  The
 * arguments are evaluated straight into the callee's slots. */
NOINLINE static Value call_direct(Interp *I, Frame *F, Node *n, Func *fn, int argc) {
  Proto *p = fn->proto;
  int ns = p->nslots > 0 ? p->nslots : 1;
  Value slots[ns];
  for (int i = 0; i < argc; i++) {
    Value v = ev_operand(I, F, n->u.call.args[i]);
    if (IS_EXC(v)) {
      release(slots, i);
      return v;
    }
    slots[i] = v;
  }
  if (I->depth >= I->max_depth || stack_exhausted(I->es)) {
    release(slots, argc);
    return recursion_error(I);
  }
  if (I->interrupted && jx_check_interrupt(I) < 0) {
    release(slots, argc);
    return v_exc();
  }
  for (int i = argc; i < p->nparams; i++) {
    if (fn->defaults[i].tag == T_UNSET) {
      release(slots, i);
      return jx_raise(I, E_TYPE, "%s() missing required argument '%s'", p->name, p->pnames[i]);
    }
    slots[i] = v_incref(fn->defaults[i]);
  }
  for (int i = p->nparams; i < ns; i++) slots[i] = v_unset();
  return run_func(I, fn, slots, ns);
}

NOINLINE static Value ev_call_with(Interp *I, Frame *F, Node *n, Value f) {
  int argc = n->u.call.nargs, nkw = n->u.call.nkw;
  Value r;
  if (n->flags & CALL_HAS_STAR) {
    /* positional arguments with *splats: collect into a growing array */
    int cap = argc + 8, cnt = 0;
    Value *av = jx_malloc(I, (size_t)(cap + nkw) * sizeof(Value));
    if (!av) {
      v_decref(f);
      return v_exc();
    }
    for (int i = 0; i < argc; i++) {
      Node *a = n->u.call.args[i];
      Value v = ev(I, F, a->kind == N_STARRED ? a->u.k.a : a);
      if (IS_EXC(v)) goto star_fail;
      if (a->kind != N_STARRED) {
        if (cnt == cap) {
          Value *nv = jx_realloc(I, av, (size_t)(cap * 2 + nkw) * sizeof(Value));
          if (!nv) {
            v_decref(v);
            goto star_fail;
          }
          av = nv;
          cap *= 2;
        }
        av[cnt++] = v;
        continue;
      }
      int64_t len = iter_len(I, v);
      if (len < 0 || len > INT32_MAX / 2) {
        if (len >= 0) jx_raise(I, E_VALUE, "too many arguments");
        locate(I, F, a);
        v_decref(v);
        goto star_fail;
      }
      if (cnt + len > cap) {
        int ncap = (int)(cnt + len) + 8;
        Value *nv = jx_realloc(I, av, (size_t)(ncap + nkw) * sizeof(Value));
        if (!nv) {
          v_decref(v);
          goto star_fail;
        }
        av = nv;
        cap = ncap;
      }
      for (int64_t k = 0; k < len; k++) {
        Value it = iter_item(I, v, k);
        if (IS_EXC(it)) {
          locate(I, F, a);
          v_decref(v);
          goto star_fail;
        }
        av[cnt++] = it;
      }
      v_decref(v);
    }
    for (int k = 0; k < nkw; k++) {
      Value v = ev(I, F, n->u.call.kwargs[k]);
      if (IS_EXC(v)) {
        release(av + cnt, k);
        goto star_fail;
      }
      av[cnt + k] = v;
    }
    r = call_owned(I, f, cnt, av, nkw, n->u.call.kwnames, av + cnt);
    jx_free(av);
    v_decref(f);
    goto out;
  star_fail:
    release(av, cnt);
    jx_free(av);
    v_decref(f);
    return v_exc();
  }
  if (f.tag == T_FUNC && nkw == 0 && argc <= AS_FUNC(f)->proto->nparams &&
      AS_FUNC(f)->proto->nslots <= 64) {
    r = call_direct(I, F, n, AS_FUNC(f), argc);
    v_decref(f);
    goto out;
  }
  Value buf[8];
  Value *av = buf;
  if (argc + nkw > 8) {
    av = jx_malloc(I, (size_t)(argc + nkw) * sizeof(Value));
    if (!av) {
      v_decref(f);
      return v_exc();
    }
  }
  for (int i = 0; i < argc; i++) {
    Value v = ev(I, F, n->u.call.args[i]);
    if (IS_EXC(v)) {
      release(av, i);
      goto fail;
    }
    av[i] = v;
  }
  for (int k = 0; k < nkw; k++) {
    Value v = ev(I, F, n->u.call.kwargs[k]);
    if (IS_EXC(v)) {
      release(av, argc + k);
      goto fail;
    }
    av[argc + k] = v;
  }
  r = call_owned(I, f, argc, av, nkw, n->u.call.kwnames, av + argc);
  if (av != buf) jx_free(av);
  v_decref(f);
out:
  if (IS_EXC(r) && !is_ctl(I)) {
    locate(I, F, n);
    I->es->tb_line = n->line;
  }
  return r;
fail:
  if (av != buf) jx_free(av);
  v_decref(f);
  return v_exc();
}

/* ------------------------------------------------------------------ */
/* expressions                                                         */

static Value ev_index_item(Interp *I, Frame *F, Node *n) {
  if (n->kind != N_SLICE) return ev(I, F, n);
  Value parts[3];
  Node *ns[3] = {n->u.k.a, n->u.k.b, n->u.k.c};
  for (int i = 0; i < 3; i++) {
    parts[i] = ns[i] ? ev(I, F, ns[i]) : v_none();
    if (IS_EXC(parts[i])) {
      release(parts, i);
      return v_exc();
    }
  }
  Value s = slice_new(I, parts[0], parts[1], parts[2]);
  release(parts, 3);
  if (IS_EXC(s)) locate(I, F, n);
  return s;
}

NOINLINE static Value ev_index(Interp *I, Frame *F, Node *n) {
  Value x = ev(I, F, n->u.k.a);
  if (IS_EXC(x)) return x;
  Node *in = n->u.k.b;
  Value idx;
  if (in->kind == N_TUPLE) {
    int m = in->u.list.n;
    idx = tuple_new(I, m);
    if (IS_EXC(idx)) {
      v_decref(x);
      return idx;
    }
    for (int i = 0; i < m; i++) {
      Value it = ev_index_item(I, F, in->u.list.items[i]);
      if (IS_EXC(it)) {
        v_decref(idx);
        v_decref(x);
        return it;
      }
      AS_TUPLE(idx)->items[i] = it;
    }
  } else {
    idx = ev_index_item(I, F, in);
    if (IS_EXC(idx)) {
      v_decref(x);
      return idx;
    }
  }
  Value r;
  if (x.tag == T_TUPLE && idx.tag == T_INT) {
    int64_t k = idx.u.i, len = AS_TUPLE(x)->n;
    if (k < 0) k += len;
    if (k >= 0 && k < len) {
      r = v_incref(AS_TUPLE(x)->items[k]);
      v_decref(x);
      return r;
    }
  } else if (x.tag == T_DICT && idx.tag == T_STR) {
    Value *p = dict_getv(x, idx);
    if (p) {
      r = v_incref(*p);
      v_decref(x);
      v_decref(idx);
      return r;
    }
  }
  if (x.tag == T_OBJ && ((GenObj *)x.u.o)->ops->index)
    r = ((GenObj *)x.u.o)->ops->index(I, x.u.o, idx);
  else r = jx_index(I, x, idx);
  v_decref(x);
  v_decref(idx);
  if (IS_EXC(r)) locate(I, F, n);
  return r;
}

NOINLINE static Value ev_attr(Interp *I, Frame *F, Node *n) {
  Value x = ev(I, F, n->u.attr.obj);
  if (IS_EXC(x)) return x;
  const char *name = n->u.attr.name;
  Value r;
  if (x.tag == T_NS) {
    Namespace *ns = (Namespace *)x.u.o;
    Dict *d = AS_DICT(ns->dict);
    if (n->u.attr.cdict == &d->hdr && n->u.attr.cidx < d->n &&
        strcmp(AS_STR(d->e[n->u.attr.cidx].key)->s, name) == 0) {
      r = v_incref(d->e[n->u.attr.cidx].val);
      v_decref(x);
      return r;
    }
    Value *p = dict_get(ns->dict, name, strlen(name));
    if (p) {
      n->u.attr.cdict = &d->hdr;
      n->u.attr.cidx = (int64_t)((DictEntry *)((char *)p - offsetof(DictEntry, val)) - d->e);
      r = v_incref(*p);
    } else {
      const char *best = eval_suggest_key(ns->dict, name);
      if (best)
        r = jx_raise(I, E_NAME, "namespace '%s' has no member '%s' (did you mean '%s'?)",
                     ns->name, name, best);
      else r = jx_raise(I, E_NAME, "namespace '%s' has no member '%s'", ns->name, name);
    }
  } else if (x.tag == T_OBJ && ((GenObj *)x.u.o)->ops->getattr) {
    r = ((GenObj *)x.u.o)->ops->getattr(I, x.u.o, name);
    if (r.tag == T_UNSET)
      r = jx_raise(I, E_TYPE, "a value of type %s has no attribute '%s'", type_name(x), name);
  } else {
    r = jx_getattr(I, x, name);
  }
  v_decref(x);
  if (IS_EXC(r)) locate(I, F, n);
  return r;
}

/* Evaluate a list literal's items; nested list literals become nested
 * tuples so that the array is built once. */
NOINLINE static Value ev_list_items(Interp *I, Frame *F, Node *n) {
  Value t = tuple_new(I, n->u.list.n);
  if (IS_EXC(t)) return t;
  for (int i = 0; i < n->u.list.n; i++) {
    Node *it = n->u.list.items[i];
    Value v = it->kind == N_LIST ? ev_list_items(I, F, it) : ev(I, F, it);
    if (IS_EXC(v)) {
      v_decref(t);
      return v;
    }
    AS_TUPLE(t)->items[i] = v;
  }
  return t;
}

NOINLINE static Value ev_fstr(Interp *I, Frame *F, Node *n) {
  StrBuf sb;
  sb_init(&sb);
  for (int i = 0; i < n->u.fstr.n; i++) {
    FStrPart *p = &n->u.fstr.parts[i];
    if (!p->expr) {
      sb_putn(&sb, AS_STR(p->text)->s, AS_STR(p->text)->len);
      continue;
    }
    Value v = ev(I, F, p->expr);
    if (IS_EXC(v)) {
      sb_free(&sb);
      return v;
    }
    int rc = fmt_spec(I, v, p->conv, p->spec ? p->spec : "", &sb);
    v_decref(v);
    if (rc < 0) {
      sb_free(&sb);
      locate(I, F, p->expr);
      return v_exc();
    }
  }
  if (sb.oom) {
    sb_free(&sb);
    return jx_raise(I, E_MEMORY, "out of memory building an f-string");
  }
  Value s = str_new(I, sb.s ? sb.s : "", sb.len);
  sb_free(&sb);
  return s;
}

NOINLINE static Value ev_dict(Interp *I, Frame *F, Node *n) {
  Value d = dict_new(I);
  if (IS_EXC(d)) return d;
  for (int i = 0; i < n->u.dict.n; i++) {
    Value k = ev(I, F, n->u.dict.keys[i]);
    if (IS_EXC(k)) {
      v_decref(d);
      return k;
    }
    if (k.tag != T_STR) {
      jx_raise(I, E_TYPE, "dict keys must be strings, not %s", type_name(k));
      locate(I, F, n->u.dict.keys[i]);
      v_decref(k);
      v_decref(d);
      return v_exc();
    }
    Value v = ev(I, F, n->u.dict.vals[i]);
    if (IS_EXC(v)) {
      v_decref(k);
      v_decref(d);
      return v;
    }
    int rc = dict_set(I, d, k, v);
    v_decref(k);
    v_decref(v);
    if (rc < 0) {
      v_decref(d);
      return v_exc();
    }
  }
  return d;
}

NOINLINE static Value ev_cmp_chain(Interp *I, Frame *F, Node *n) {
  Value a = ev(I, F, n->u.cmp.items[0]);
  if (IS_EXC(a)) return a;
  for (int i = 1; i < n->u.cmp.n; i++) {
    Value b = ev(I, F, n->u.cmp.items[i]);
    if (IS_EXC(b)) {
      v_decref(a);
      return b;
    }
    Value r = binop(I, F, n, n->u.cmp.ops[i - 1], a, b);
    v_decref(a);
    if (IS_EXC(r) || i == n->u.cmp.n - 1) {
      v_decref(b);
      return r;
    }
    int t = eval_truth(I, r);
    if (t <= 0) {
      v_decref(b);
      if (t < 0) {
        v_decref(r);
        locate(I, F, n);
        return v_exc();
      }
      return r;
    }
    v_decref(r);
    a = b;
  }
  return a;
}

/* Run a block's statements; the value of its last expression (or None). */
NOINLINE static Value exec_block(Interp *I, Frame *F, Node *b) {
  int n = b->u.list.n;
  if (n == 0) return v_none();
  for (int i = 0; i < n - 1; i++) {
    Value v = ev(I, F, b->u.list.items[i]);
    if (IS_EXC(v)) return v;
    v_decref(v);
  }
  Value v = ev_operand(I, F, b->u.list.items[n - 1]);
  if (IS_EXC(v) || (b->flags & BLOCK_ENDS_IN_EXPR)) return v;
  v_decref(v);
  return v_none();
}

/* A loop body: 0 go on, 1 break, -1 error or return. */
static inline int run_body(Interp *I, Frame *F, Node *b) {
  int n = b->u.list.n;
  Node **items = b->u.list.items;
  for (int i = 0; i < n; i++) {
    Node *st = items[i];
    Value v = st->kind == N_AUGASSIGN ? ev_augassign(I, F, st) : ev(I, F, st);
    if (IS_EXC(v)) {
      EvalState *es = I->es;
      if (es->ctl == CTL_BREAK) {
        es->ctl = CTL_NONE;
        return 1;
      }
      if (es->ctl == CTL_CONTINUE || es->ctl == CTL_MASKED) {
        es->ctl = CTL_NONE;
        return 0;
      }
      return -1;
    }
    v_decref(v);
  }
  return 0;
}


/* ------------------------------------------------------------------ */
/* per-lane control flow                                               */
/* When an if or while condition differs across a vmapped batch (or is
 * staged by jit), the frame switches to per-lane execution: both branches
 * run, each under a mask of the lanes that take it; an assignment under a
 * mask keeps the old value in the other lanes; return/break/continue under
 * a mask retire those lanes (CTL_MASKED ends the block for all of them) and
 * the others run on.  A function's result merges every lane's return. */

static Mask *mask_get(Interp *I, Frame *F) {
  if (F->mk) return F->mk;
  Mask *mk = jx_malloc(I, sizeof(Mask));
  if (!mk) return NULL;
  mk->m = mk->dead = mk->ret = mk->brk = mk->cont = v_unset();
  mk->merging = false;
  F->mk = mk;
  return mk;
}

static void mask_set(Value *slot, Value v) {
  Value old = *slot;
  *slot = v;
  v_decref(old);
}

/* base minus the lanes that returned, broke out or continued */
static Value mask_refresh(Interp *I, Mask *mk, Value base) {
  Value a = ad_mask_minus(I, base, mk->dead);
  if (IS_EXC(a)) return a;
  Value b = ad_mask_minus(I, a, mk->brk);
  v_decref(a);
  if (IS_EXC(b)) return b;
  Value c = ad_mask_minus(I, b, mk->cont);
  v_decref(b);
  return c;
}

/* Merge the lanes' returns into the function's result (consumes r). */
static Value mask_finish(Interp *I, Frame *F, Value r) {
  Mask *mk = F->mk;
  EvalState *es = I->es;
  Value out = r;
  if (mk->ret.tag != T_UNSET) {
    if (IS_EXC(r) && es->ctl == CTL_MASKED) {
      es->ctl = CTL_NONE;
      out = v_incref(mk->ret);
    } else if (!IS_EXC(r) || es->ctl == CTL_RETURN) {
      Value live = r;
      if (IS_EXC(r)) {
        es->ctl = CTL_NONE;
        live = es->ret;
        es->ret = v_none();
      }
      if (live.tag == T_NONE && mk->ret.tag != T_NONE)
        out = jx_raise(I, E_TYPE,
                       "some lanes (vmap) or traced paths (jit) returned a value while others "
                       "reached the end of %s without one", F->fn ? F->fn->proto->name : "the program");
      else
        out = ad_select_tree(I, mk->dead, mk->ret, live, "return");
      v_decref(live);
    }
  } else if (IS_EXC(r) && es->ctl == CTL_MASKED) {
    es->ctl = CTL_NONE; /* lanes left a block with nothing to return */
    out = v_none();
  }
  v_decref(mk->m);
  v_decref(mk->dead);
  v_decref(mk->ret);
  v_decref(mk->brk);
  v_decref(mk->cont);
  jx_free(mk);
  F->mk = NULL;
  return out;
}

static bool mask_on(Frame *F) { return F->mk && F->mk->m.tag != T_UNSET; }

/* return/break/continue under a mask: retire the active lanes */
static Value masked_exit(Interp *I, Frame *F, Node *n, int kind, Value v) {
  Mask *mk = F->mk;
  if (kind == CTL_RETURN) {
    Value nr = mk->ret.tag == T_UNSET ? v_incref(v) : ad_select_tree(I, mk->m, v, mk->ret, "return");
    v_decref(v);
    if (IS_EXC(nr)) goto fail;
    mask_set(&mk->ret, nr);
  }
  Value *set = kind == CTL_RETURN ? &mk->dead : kind == CTL_BREAK ? &mk->brk : &mk->cont;
  Value u = ad_mask_union(I, *set, mk->m);
  if (IS_EXC(u)) goto fail;
  mask_set(set, u);
  I->es->ctl = CTL_MASKED;
  return v_exc();
fail:
  locate(I, F, n);
  return v_exc();
}

typedef struct {
  Value outer, brk, cont;
} LoopSave;

static void loop_enter(Frame *F, LoopSave *ls) {
  if (F->mk) {
    ls->outer = v_incref(F->mk->m);
    ls->brk = F->mk->brk;
    ls->cont = F->mk->cont;
    F->mk->brk = F->mk->cont = v_unset();
  } else {
    ls->outer = ls->brk = ls->cont = v_unset();
  }
}

/* 1: run the iteration; 0: no lane is left; -1: error */
static int loop_iter_begin(Interp *I, Frame *F, LoopSave *ls) {
  Mask *mk = F->mk;
  if (!mk) return 1;
  mask_set(&mk->cont, v_unset());
  Value m = mask_refresh(I, mk, ls->outer);
  if (IS_EXC(m)) return -1;
  mask_set(&mk->m, m);
  return ad_mask_any(I, m);
}

static int loop_exit(Interp *I, Frame *F, LoopSave *ls) {
  int rc = 0;
  Mask *mk = F->mk;
  if (mk) {
    mask_set(&mk->brk, ls->brk);
    mask_set(&mk->cont, ls->cont);
    Value m = mask_refresh(I, mk, ls->outer);
    if (IS_EXC(m)) rc = -1;
    else mask_set(&mk->m, m);
  } else {
    v_decref(ls->brk);
    v_decref(ls->cont);
  }
  v_decref(ls->outer);
  return rc;
}

static int cond_truth(Interp *I, Value v) {
  switch (v.tag) {
  case T_BOOL:
  case T_INT: return v.u.i != 0;
  case T_FLOAT: return v.u.f != 0.0;
  case T_NONE: return 0;
  case T_TRACER: return ad_cond_truth(I, v);
  default: return jx_truth(I, v);
  }
}

static Value exec_block(Interp *I, Frame *F, Node *b);
static Value ev_if(Interp *I, Frame *F, Node *n);

/* Run a branch under mask m (consumed); *sig set if its lanes all left. */
static Value masked_branch(Interp *I, Frame *F, Node *b, Value m, bool *sig) {
  mask_set(&F->mk->m, m);
  if (!b) return v_none();
  int any = ad_mask_any(I, m);
  if (any < 0) return v_exc();
  if (!any) return v_none(); /* no lane takes this branch: skip it */
  Value v = b->kind == N_IF ? ev_if(I, F, b) : exec_block(I, F, b);
  if (IS_EXC(v) && I->es->ctl == CTL_MASKED) {
    I->es->ctl = CTL_NONE;
    *sig = true;
    return v_none();
  }
  return v;
}

NOINLINE static Value masked_if(Interp *I, Frame *F, Node *n, Value c) {
  Mask *mk = mask_get(I, F);
  if (!mk) return v_exc();
  Value outer = mk->m;
  mk->m = v_unset();
  Value cb = ad_mask_and(I, v_unset(), c);
  Value mt = IS_EXC(cb) ? v_exc() : ad_mask_and(I, outer, cb);
  Value me = IS_EXC(mt) ? v_exc() : ad_mask_minus(I, outer, cb);
  Value va = v_none(), vb = v_none(), r = v_exc();
  bool sig = false, sig_a = false, sig_b = false;
  if (IS_EXC(me)) {
    v_decref(mt);
    locate(I, F, n->u.k.a);
    goto done;
  }
  va = masked_branch(I, F, n->u.k.b, mt, &sig_a);
  sig = sig_a;
  if (IS_EXC(va)) {
    v_decref(me);
    goto done;
  }
  if (sig) {
    Value m2 = mask_refresh(I, mk, me);
    v_decref(me);
    if (IS_EXC(m2)) goto done;
    me = m2;
  }
  vb = masked_branch(I, F, n->u.k.c, me, &sig_b);
  sig |= sig_b;
  if (IS_EXC(vb)) goto done;
  if (va.tag == T_NONE || vb.tag == T_NONE) r = v_none();
  else {
    r = ad_select_tree(I, cb, va, vb, "if");
    if (IS_EXC(r)) locate(I, F, n);
  }
done:
  {
    /* back to the lanes that reached the if, less those that left */
    Value m = sig ? mask_refresh(I, mk, outer) : v_incref(outer);
    if (IS_EXC(m)) {
      v_decref(r);
      r = v_exc();
    } else {
      mask_set(&mk->m, m);
      if (!IS_EXC(r) && sig_a && sig_b) {
        /* both branches left the block: every lane that reached the if has
         * (known without looking at the mask, which may be staged) */
        v_decref(r);
        r = v_exc();
        I->es->ctl = CTL_MASKED;
      } else if (!IS_EXC(r) && sig) {
        int any = ad_mask_any(I, m);
        if (any <= 0) {
          v_decref(r);
          r = v_exc();
          if (any == 0) I->es->ctl = CTL_MASKED; /* every lane here has left */
        }
      }
    }
  }
  v_decref(outer);
  v_decref(cb);
  v_decref(va);
  v_decref(vb);
  return r;
}

static inline int poll(Interp *I, Frame *F, Node *n) {
  if (I->interrupted && jx_check_interrupt(I) < 0) {
    locate(I, F, n);
    return -1;
  }
  return 0;
}

static int range_arg(Interp *I, Value v, int64_t *out) {
  if (v.tag == T_INT || v.tag == T_BOOL) {
    *out = v.u.i;
    return 0;
  }
  return jx_raisei(I, E_TYPE, "range() needs integer arguments, not %s", type_name(v));
}

NOINLINE static Value ev_for(Interp *I, Frame *F, Node *n) {
  Node *pat = n->u.k.a, *it = n->u.k.b, *body = n->u.k.c;
  Value seq;
  if (it->kind == N_CALL && it->u.call.nkw == 0 && !(it->flags & CALL_HAS_STAR) &&
      it->u.call.nargs >= 1 && it->u.call.nargs <= 3) {
    Value f = ev(I, F, it->u.call.fn);
    if (IS_EXC(f)) return f;
    if (eval_is_range(f)) {
      /* native counting loop: no range object, no allocation */
      v_decref(f);
      int64_t a[3] = {0, 0, 1};
      int na = it->u.call.nargs;
      for (int i = 0; i < na; i++) {
        Value v = ev(I, F, it->u.call.args[i]);
        if (IS_EXC(v)) return v;
        int rc = range_arg(I, v, &a[na == 1 ? 1 : i]);
        v_decref(v);
        if (rc < 0) {
          locate(I, F, it->u.call.args[i]);
          return v_exc();
        }
      }
      if (a[2] == 0) {
        jx_raise(I, E_VALUE, "range() step must not be zero");
        locate(I, F, it);
        return v_exc();
      }
      int64_t cnt = range_len(I, a[0], a[1], a[2]);
      if (cnt < 0) {
        locate(I, F, it);
        return v_exc();
      }
      bool simple = pat->kind == N_NAME && pat->scope == SC_LOCAL;
      Value *slot = simple ? &F->slots[pat->u.name.idx] : NULL;
      int64_t i = a[0];
      LoopSave ls;
      loop_enter(F, &ls);
      int err = 0;
      for (int64_t k = 0; k < cnt; k++, i = (int64_t)((uint64_t)i + (uint64_t)a[2])) {
        if (poll(I, F, n) < 0) {
          err = -1;
          break;
        }
        if (F->mk) {
          int go = loop_iter_begin(I, F, &ls);
          if (go <= 0) {
            err = go;
            break;
          }
        }
        if (simple) {
          Value old = *slot;
          *slot = v_int(i);
          v_decref(old);
        } else if (bind_pattern(I, F, pat, v_int(i)) < 0) {
          err = -1;
          break;
        }
        int rc = run_body(I, F, body);
        if (rc < 0) {
          err = -1;
          break;
        }
        if (rc > 0) break;
      }
      if (loop_exit(I, F, &ls) < 0) err = -1;
      return err < 0 ? v_exc() : v_none();
    }
    seq = ev_call_with(I, F, it, f);
  } else {
    seq = ev(I, F, it);
  }
  if (IS_EXC(seq)) return seq;
  int64_t len = iter_len(I, seq);
  if (len < 0) {
    locate(I, F, it);
    v_decref(seq);
    return v_exc();
  }
  LoopSave ls;
  loop_enter(F, &ls);
  for (int64_t k = 0; k < len; k++) {
    if (poll(I, F, n) < 0) goto fail;
    if (F->mk) {
      int go = loop_iter_begin(I, F, &ls);
      if (go < 0) goto fail;
      if (go == 0) break;
    }
    Value item = iter_item(I, seq, k);
    if (IS_EXC(item)) {
      locate(I, F, it);
      goto fail;
    }
    if (bind_pattern(I, F, pat, item) < 0) goto fail;
    int rc = run_body(I, F, body);
    if (rc < 0) goto fail;
    if (rc > 0) break;
  }
  v_decref(seq);
  if (loop_exit(I, F, &ls) < 0) return v_exc();
  return v_none();
fail:
  v_decref(seq);
  loop_exit(I, F, &ls);
  return v_exc();
}

/* ------------------------------------------------------------------ */
/* a while on a condition traced by jit/make_jaxpr: one staged loop     */
/* The loop variables (the carry) are the frame's slots that the body or
 * condition assigns and that were bound before the loop; the condition
 * and the body are traced once each, in this frame, with those slots set
 * to the carry's tracers, and the slots are restored afterwards. */

typedef struct {
  int32_t *v;
  Node **name; /* the NAME node (for the variable's name) */
  int n, cap;
} SlotSet;

typedef struct {
  Interp *I;
  SlotSet assigned, declared;
  Node *bad;        /* break/continue/return leaving the loop, or a global store */
  const char *why;  /* what bad is */
  bool oom;
} LoopScan;

static void slotset_add(LoopScan *sc, SlotSet *s, Node *name) {
  int32_t k = name->u.name.idx;
  for (int i = 0; i < s->n; i++)
    if (s->v[i] == k) return;
  if (s->n == s->cap) {
    int cap = s->cap ? s->cap * 2 : 8;
    int32_t *nv = jx_realloc(sc->I, s->v, (size_t)cap * sizeof *nv);
    Node **nn = nv ? jx_realloc(sc->I, s->name, (size_t)cap * sizeof *nn) : NULL;
    if (nv) s->v = nv;
    if (!nv || !nn) {
      sc->oom = true;
      return;
    }
    s->name = nn;
    s->cap = cap;
  }
  s->v[s->n] = k;
  s->name[s->n++] = name;
}

static bool slotset_has(const SlotSet *s, int32_t k) {
  for (int i = 0; i < s->n; i++)
    if (s->v[i] == k) return true;
  return false;
}

static void scan_bad(LoopScan *sc, Node *n, const char *why) {
  if (!sc->bad) {
    sc->bad = n;
    sc->why = why;
  }
}

static void scan_target(LoopScan *sc, Node *t, bool decl) {
  if (t->kind == N_PTUPLE) {
    for (int i = 0; i < t->u.list.n; i++) scan_target(sc, t->u.list.items[i], decl);
  } else if (t->kind == N_NAME && t->scope == SC_LOCAL) {
    slotset_add(sc, decl ? &sc->declared : &sc->assigned, t);
  } else {
    scan_bad(sc, t, "an assignment to a global");
  }
}

static void scan_node(LoopScan *sc, Node *n, int loops);

static void scan_proto(LoopScan *sc, Proto *pr, int loops) {
  /* defaults run here; the body runs in its own frame (closures capture
   * values, they never assign this frame's slots) */
  for (int i = 0; i < pr->nparams; i++)
    if (pr->defaults[i]) scan_node(sc, pr->defaults[i], loops);
}

/* loops: how many loops inside the staged one enclose n */
static void scan_node(LoopScan *sc, Node *n, int loops) {
  if (!n) return;
  switch ((NodeKind)n->kind) {
  case N_FSTR:
    for (int i = 0; i < n->u.fstr.n; i++) scan_node(sc, n->u.fstr.parts[i].expr, loops);
    break;
  case N_TUPLE:
  case N_LIST:
  case N_BLOCK:
    for (int i = 0; i < n->u.list.n; i++) scan_node(sc, n->u.list.items[i], loops);
    break;
  case N_DICT:
    for (int i = 0; i < n->u.dict.n; i++) {
      scan_node(sc, n->u.dict.keys[i], loops);
      scan_node(sc, n->u.dict.vals[i], loops);
    }
    break;
  case N_CMP:
    for (int i = 0; i < n->u.cmp.n; i++) scan_node(sc, n->u.cmp.items[i], loops);
    break;
  case N_CALL:
    scan_node(sc, n->u.call.fn, loops);
    for (int i = 0; i < n->u.call.nargs; i++) scan_node(sc, n->u.call.args[i], loops);
    for (int i = 0; i < n->u.call.nkw; i++) scan_node(sc, n->u.call.kwargs[i], loops);
    break;
  case N_ATTR: scan_node(sc, n->u.attr.obj, loops); break;
  case N_FUNC: scan_proto(sc, n->u.func.proto, loops); break;
  case N_DEF:
    scan_target(sc, n->u.def.target, true);
    scan_proto(sc, n->u.def.proto, loops);
    break;
  case N_LET:
    scan_node(sc, n->u.k.b, loops);
    scan_target(sc, n->u.k.a, true);
    break;
  case N_ASSIGN:
  case N_AUGASSIGN:
    scan_node(sc, n->u.k.b, loops);
    scan_target(sc, n->u.k.a, false);
    break;
  case N_FOR:
    scan_node(sc, n->u.k.b, loops);
    scan_target(sc, n->u.k.a, true);
    scan_node(sc, n->u.k.c, loops + 1);
    break;
  case N_WHILE:
    scan_node(sc, n->u.k.a, loops + 1);
    scan_node(sc, n->u.k.b, loops + 1);
    break;
  case N_BREAK:
    if (!loops) scan_bad(sc, n, "'break'");
    break;
  case N_CONTINUE:
    if (!loops) scan_bad(sc, n, "'continue'");
    break;
  case N_RETURN: scan_bad(sc, n, "'return'"); break;
  case N_BINOP: case N_UNOP: case N_NOT: case N_AND: case N_OR: case N_STARRED:
  case N_INDEX: case N_SLICE: case N_IF:
    scan_node(sc, n->u.k.a, loops);
    scan_node(sc, n->u.k.b, loops);
    scan_node(sc, n->u.k.c, loops);
    break;
  default: break; /* literals, names, ptuple */
  }
}

typedef struct {
  Frame *F;
  Node *n;
  const int32_t *slot; /* the carried slots */
  int ncarry;
  Value mask; /* the active lanes (an enclosing staged if), T_UNSET: all */
} StagedLoop;

static void staged_set(StagedLoop *w, Value carry) {
  Tuple *t = AS_TUPLE(carry);
  for (int i = 0; i < w->ncarry; i++) {
    Value *s = &w->F->slots[w->slot[i]];
    Value old = *s;
    *s = v_incref(t->items[i]);
    v_decref(old);
  }
}

static Value staged_cond(Interp *I, void *ctx, Value carry) {
  StagedLoop *w = ctx;
  staged_set(w, carry);
  Value c = ev(I, w->F, w->n->u.k.a);
  if (IS_EXC(c)) return c;
  /* under an enclosing staged if, only while that if's lanes are active */
  Value r = ad_mask_and(I, w->mask, c);
  v_decref(c);
  if (IS_EXC(r)) locate(I, w->F, w->n->u.k.a);
  return r;
}

static Value staged_body(Interp *I, void *ctx, Value carry) {
  StagedLoop *w = ctx;
  staged_set(w, carry);
  int b = run_body(I, w->F, w->n->u.k.b);
  if (b != 0) {
    if (b > 0) { /* the scan refuses a break of this loop: not reached */
      jx_raise(I, E_TYPE, "'break' in a staged while loop");
      locate(I, w->F, w->n);
    }
    return v_exc();
  }
  Value *items = jx_malloc(I, (size_t)(w->ncarry ? w->ncarry : 1) * sizeof(Value));
  if (!items) return v_exc();
  for (int i = 0; i < w->ncarry; i++) items[i] = w->F->slots[w->slot[i]];
  Value r = tuple_of(I, w->ncarry, items);
  jx_free(items);
  return r;
}

/* Stage the while n whose condition c (a jit/make_jaxpr tracer) was just
 * evaluated, mark taken before that. */
NOINLINE static Value staged_while(Interp *I, Frame *F, Node *n, Value c, const AdStageMark *mark) {
  LoopScan sc;
  memset(&sc, 0, sizeof sc);
  sc.I = I;
  scan_node(&sc, n->u.k.a, 0);
  for (int i = 0; i < sc.assigned.n; i++)
    if (!slotset_has(&sc.declared, sc.assigned.v[i]))
      scan_bad(&sc, sc.assigned.name[i], "an assignment in the condition");
  scan_node(&sc, n->u.k.b, 0);
  Value r = v_exc();
  Value init = v_unset();
  int32_t *slot = NULL, *touched = NULL;
  const char **names = NULL;
  Value *saved = NULL;
  int nc = 0, nt = 0;
  if (sc.oom) goto done; /* MemoryError raised */
  if (sc.bad) {
    ad_mark_unstageable(I, c);
    jx_raise(I, E_TYPE,
             "this while condition depends on a value traced by jit/make_jaxpr, so the loop "
             "is staged, but %s inside it (line %d) cannot be staged; use while_loop(cond_fun, "
             "body_fun, init) or fori_loop, with where(...) or cond(...) for the early exit",
             sc.why, (int)sc.bad->line);
    locate(I, F, n);
    goto done;
  }
  int na = sc.assigned.n;
  slot = jx_malloc(I, (size_t)(na + 1) * sizeof *slot);
  names = jx_malloc(I, (size_t)(na + 1) * sizeof *names);
  touched = jx_malloc(I, (size_t)(na + sc.declared.n + 1) * sizeof *touched);
  saved = jx_calloc(I, (size_t)(na + sc.declared.n + 1), sizeof *saved);
  if (!slot || !names || !touched || !saved) goto done;
  for (int i = 0; i < na; i++) {
    int32_t k = sc.assigned.v[i];
    touched[nt++] = k;
    if (slotset_has(&sc.declared, k)) continue; /* a local of the body */
    slot[nc] = k;
    names[nc++] = sc.assigned.name[i]->u.name.name;
  }
  for (int i = 0; i < sc.declared.n; i++)
    if (!slotset_has(&sc.assigned, sc.declared.v[i])) touched[nt++] = sc.declared.v[i];
  for (int i = 0; i < nt; i++) saved[i] = v_incref(F->slots[touched[i]]);
  {
    Value *items = jx_malloc(I, (size_t)(nc ? nc : 1) * sizeof(Value));
    if (!items) goto done;
    for (int i = 0; i < nc; i++) items[i] = F->slots[slot[i]];
    init = tuple_of(I, nc, items);
    jx_free(items);
    if (IS_EXC(init)) goto done;
  }
  {
    StagedLoop w = {F, n, slot, nc, F->mk ? F->mk->m : v_unset()};
    r = ad_stage_while(I, c, mark, staged_cond, staged_body, &w, init, names);
  }
  /* the slots as they were, then the loop variables' results */
  for (int i = 0; i < nt; i++) {
    Value old = F->slots[touched[i]];
    F->slots[touched[i]] = saved[i];
    saved[i] = v_unset();
    v_decref(old);
  }
  if (IS_EXC(r)) {
    locate(I, F, n);
    goto done;
  }
  for (int i = 0; i < nc; i++) {
    Value old = F->slots[slot[i]];
    F->slots[slot[i]] = v_incref(AS_TUPLE(r)->items[i]);
    v_decref(old);
  }
  v_decref(r);
  r = v_none();
done:
  if (saved)
    for (int i = 0; i < nt; i++) v_decref(saved[i]);
  jx_free(saved);
  jx_free(slot);
  jx_free(names);
  jx_free(touched);
  v_decref(init);
  jx_free(sc.assigned.v);
  jx_free(sc.assigned.name);
  jx_free(sc.declared.v);
  jx_free(sc.declared.name);
  return r;
}

NOINLINE static Value ev_while(Interp *I, Frame *F, Node *n) {
  LoopSave ls;
  loop_enter(F, &ls);
  int rc = 0;
  while (1) {
    if (poll(I, F, n) < 0) {
      rc = -1;
      break;
    }
    int go = loop_iter_begin(I, F, &ls);
    if (go <= 0) {
      rc = go;
      break;
    }
    AdStageMark mark;
    mark.trace = NULL;
    if (__builtin_expect(I->ts && I->ts->n > 0, 0)) ad_stage_mark(I, &mark);
    Value c = ev(I, F, n->u.k.a);
    if (IS_EXC(c)) {
      rc = -1;
      break;
    }
    int t = cond_truth(I, c);
    if (t == 2 && ad_while_stageable(I, c)) {
      /* traced by jit/make_jaxpr: the rest of the loop becomes one staged loop */
      Value r = staged_while(I, F, n, c, &mark);
      v_decref(c);
      rc = IS_EXC(r) ? -1 : 0;
      break;
    }
    if (t == 2 && ad_is_staged(c)) {
      ad_mark_unstageable(I, c);
      jx_raise(I, E_TYPE,
               "this while condition depends on a value traced by jit/make_jaxpr, but the loop "
               "runs inside grad, jvp or vmap there (or its condition differs across a vmapped "
               "batch), where it cannot be staged; use while_loop(cond_fun, body_fun, init) or "
               "fori_loop");
      t = -1;
    }
    if (t < 0) {
      v_decref(c);
      locate(I, F, n->u.k.a);
      rc = -1;
      break;
    }
    if (t == 0) {
      v_decref(c);
      break;
    }
    if (t == 2 || mask_on(F)) {
      /* per-lane loop: run the lanes whose condition holds */
      Mask *mk = mask_get(I, F);
      Value act = mk ? ad_mask_and(I, mk->m, c) : v_exc();
      v_decref(c);
      int any = IS_EXC(act) ? -1 : ad_mask_any(I, act);
      if (any <= 0) {
        v_decref(act);
        if (any < 0) locate(I, F, n->u.k.a);
        rc = any;
        break;
      }
      mask_set(&mk->m, act);
    } else {
      v_decref(c);
    }
    int b = run_body(I, F, n->u.k.b);
    if (b < 0) {
      rc = -1;
      break;
    }
    if (b > 0) break;
  }
  if (loop_exit(I, F, &ls) < 0) rc = -1;
  return rc < 0 ? v_exc() : v_none();
}

NOINLINE static Value ev_if(Interp *I, Frame *F, Node *n) {
  while (1) {
    Value c = ev_operand(I, F, n->u.k.a);
    if (IS_EXC(c)) return c;
    int t = cond_truth(I, c);
    if (t == 2) {
      Value r = masked_if(I, F, n, c);
      v_decref(c);
      return r;
    }
    v_decref(c);
    if (t < 0) {
      locate(I, F, n->u.k.a);
      return v_exc();
    }
    if (t) return exec_block(I, F, n->u.k.b);
    Node *e = n->u.k.c;
    if (!e) return v_none();
    if (e->kind != N_IF) return exec_block(I, F, e);
    n = e; /* else if: iterate */
  }
}

NOINLINE static Value ev_augassign(Interp *I, Frame *F, Node *n) {
  Node *t = n->u.k.a;
  Value rhs = ev_operand(I, F, n->u.k.b);
  if (IS_EXC(rhs)) return rhs;
  if (__builtin_expect(mask_on(F), 0)) {
    /* x op= e under a per-lane mask: compute, then merge */
    Value old = load_name(I, F, t);
    if (IS_EXC(old)) {
      v_decref(rhs);
      return old;
    }
    Value r = binop(I, F, n, n->op, old, rhs);
    v_decref(old);
    v_decref(rhs);
    if (IS_EXC(r)) return r;
    F->mk->merging = true;
    int rc = store_name(I, F, t, r);
    F->mk->merging = false;
    return rc < 0 ? v_exc() : v_none();
  }
  if (t->scope == SC_LOCAL) {
    Value *s = &F->slots[t->u.name.idx];
    Value r = fast_binop(n->op, *s, rhs);
    if (r.tag != T_UNSET) {
      *s = r;
      return v_none();
    }
    if (s->tag == T_UNSET) {
      v_decref(rhs);
      return name_error(I, F, t);
    }
    r = jx_binop(I, (BinOp)n->op, *s, rhs);
    v_decref(rhs);
    if (IS_EXC(r)) {
      locate(I, F, n);
      return r;
    }
    Value old = *s;
    *s = r;
    v_decref(old);
    return v_none();
  }
  Value old = load_name(I, F, t);
  if (IS_EXC(old)) {
    v_decref(rhs);
    return old;
  }
  Value r = binop(I, F, n, n->op, old, rhs);
  v_decref(old);
  v_decref(rhs);
  if (IS_EXC(r)) return r;
  if (store_name(I, F, t, r) < 0) return v_exc();
  return v_none();
}

static Value stack_error(Interp *I, Frame *F, Node *n) {
  jx_raise(I, E_RECURSION, "maximum recursion depth exceeded (out of stack)");
  locate(I, F, n);
  return v_exc();
}

static Value ev(Interp *I, Frame *F, Node *n) {
  if (__builtin_expect(stack_exhausted(I->es), 0)) return stack_error(I, F, n);
  switch ((NodeKind)n->kind) {
  case N_INT: return v_int(n->u.i);
  case N_FLOAT: return v_float(n->u.f);
  case N_STR: return v_incref(n->u.v);
  case N_TRUE: return v_bool(true);
  case N_FALSE: return v_bool(false);
  case N_NONE: return v_none();
  case N_NAME: return load_name(I, F, n);
  case N_BINOP: {
    Value a = ev_operand(I, F, n->u.k.a);
    if (IS_EXC(a)) return a;
    Value b = ev_operand(I, F, n->u.k.b);
    if (IS_EXC(b)) {
      v_decref(a);
      return b;
    }
    Value r = fast_binop(n->op, a, b);
    if (r.tag != T_UNSET) return r;
    r = jx_binop(I, (BinOp)n->op, a, b);
    v_decref(a);
    v_decref(b);
    if (IS_EXC(r)) locate(I, F, n);
    return r;
  }
  case N_UNOP: {
    Value a = ev_operand(I, F, n->u.k.a);
    if (IS_EXC(a)) return a;
    if (n->op == UOP_NEG) {
      if (a.tag == T_FLOAT) return v_float(-a.u.f);
      if (a.tag == T_INT) return v_int((int64_t)(0 - (uint64_t)a.u.i));
    } else if (n->op == UOP_POS && (a.tag == T_FLOAT || a.tag == T_INT)) {
      return a;
    }
    Value r = jx_unop(I, (UnOp)n->op, a);
    v_decref(a);
    if (IS_EXC(r)) locate(I, F, n);
    return r;
  }
  case N_NOT: {
    Value a = ev(I, F, n->u.k.a);
    if (IS_EXC(a)) return a;
    int t = eval_truth(I, a);
    v_decref(a);
    if (t < 0) {
      locate(I, F, n);
      return v_exc();
    }
    return v_bool(!t);
  }
  case N_AND:
  case N_OR: {
    Value a = ev(I, F, n->u.k.a);
    if (IS_EXC(a)) return a;
    int t = eval_truth(I, a);
    if (t < 0) {
      v_decref(a);
      locate(I, F, n);
      return v_exc();
    }
    if ((n->kind == N_AND) != (t != 0)) return a; /* short-circuit */
    v_decref(a);
    return ev(I, F, n->u.k.b);
  }
  case N_CMP: return ev_cmp_chain(I, F, n);
  case N_CALL: {
    Node *fnode = n->u.call.fn;
    Value f = fnode->kind == N_NAME ? load_name(I, F, fnode) : ev(I, F, fnode);
    if (IS_EXC(f)) return f;
    if (f.tag == T_FUNC && n->u.call.nkw == 0 && !(n->flags & CALL_HAS_STAR) &&
        n->u.call.nargs <= AS_FUNC(f)->proto->nparams && AS_FUNC(f)->proto->nslots <= 64) {
      Value r = call_direct(I, F, n, AS_FUNC(f), n->u.call.nargs);
      v_decref(f);
      if (IS_EXC(r) && !is_ctl(I)) {
        locate(I, F, n);
        I->es->tb_line = n->line;
      }
      return r;
    }
    return ev_call_with(I, F, n, f);
  }
  case N_INDEX: return ev_index(I, F, n);
  case N_ATTR: return ev_attr(I, F, n);
  case N_TUPLE: {
    Value t = tuple_new(I, n->u.list.n);
    if (IS_EXC(t)) return t;
    for (int i = 0; i < n->u.list.n; i++) {
      Value v = ev(I, F, n->u.list.items[i]);
      if (IS_EXC(v)) {
        v_decref(t);
        return v;
      }
      AS_TUPLE(t)->items[i] = v;
    }
    return t;
  }
  case N_LIST: {
    Value t = ev_list_items(I, F, n);
    if (IS_EXC(t)) return t;
    Value a = arr_from_nested(I, t, -1);
    v_decref(t);
    if (IS_EXC(a)) locate(I, F, n);
    return a;
  }
  case N_DICT: return ev_dict(I, F, n);
  case N_FSTR: return ev_fstr(I, F, n);
  case N_FUNC: return make_closure(I, F, n->u.func.proto);
  case N_IF: return ev_if(I, F, n);
  case N_BLOCK: return exec_block(I, F, n);
  case N_LET:
  case N_ASSIGN: {
    Value v = ev(I, F, n->u.k.b);
    if (IS_EXC(v)) return v;
    if (F->mk && n->kind == N_ASSIGN) {
      F->mk->merging = true;
      int rc = bind_pattern(I, F, n->u.k.a, v);
      F->mk->merging = false;
      return rc < 0 ? v_exc() : v_none();
    }
    if (bind_pattern(I, F, n->u.k.a, v) < 0) return v_exc();
    return v_none();
  }
  case N_AUGASSIGN: return ev_augassign(I, F, n);
  case N_DEF: {
    Value f = make_closure(I, F, n->u.def.proto);
    if (IS_EXC(f)) return f;
    if (store_name(I, F, n->u.def.target, f) < 0) return v_exc();
    return v_none();
  }
  case N_FOR: return ev_for(I, F, n);
  case N_WHILE: return ev_while(I, F, n);
  case N_BREAK:
    if (mask_on(F)) return masked_exit(I, F, n, CTL_BREAK, v_none());
    I->es->ctl = CTL_BREAK;
    return v_exc();
  case N_CONTINUE:
    if (mask_on(F)) return masked_exit(I, F, n, CTL_CONTINUE, v_none());
    I->es->ctl = CTL_CONTINUE;
    return v_exc();
  case N_RETURN: {
    Value v = n->u.k.a ? ev(I, F, n->u.k.a) : v_none();
    if (IS_EXC(v)) return v;
    if (mask_on(F)) return masked_exit(I, F, n, CTL_RETURN, v);
    v_decref(I->es->ret);
    I->es->ret = v;
    I->es->ctl = CTL_RETURN;
    return v_exc();
  }
  case N_STARRED:
    jx_raise(I, E_SYNTAX, "'*' is only allowed in call arguments");
    locate(I, F, n);
    return v_exc();
  case N_SLICE:
    return ev_index_item(I, F, n);
  case N_PTUPLE:
  default:
    jx_raise(I, E_SYNTAX, "cannot evaluate a %s node", ast_kind_name((NodeKind)n->kind));
    locate(I, F, n);
    return v_exc();
  }
}

/* ------------------------------------------------------------------ */
/* programs                                                            */

static bool is_expr_stmt(Node *s) {
  switch (s->kind) {
  case N_LET: case N_DEF: case N_ASSIGN: case N_AUGASSIGN: case N_FOR: case N_WHILE:
  case N_BREAK: case N_CONTINUE: case N_RETURN:
    return false;
  default:
    return true;
  }
}

int eval_keep_chunk(Interp *I, Chunk *c) {
  if (eval_init(I) < 0 || keep_chunk(I, c) < 0) {
    chunk_free(c);
    return -1;
  }
  return 0;
}

Value eval_run_chunk(Interp *I, Chunk *c, EchoFn echo, void *ud) {
  if (eval_init(I) < 0) return v_exc();
  EvalState *es = I->es;
  bool outer = es->nest == 0;
  if (outer) {
    set_stack_base(es);
    es->ctl = CTL_NONE;
  }
  es->nest++;
  int ns = c->nslots > 0 ? c->nslots : 1;
  Value *slots = jx_malloc(I, (size_t)ns * sizeof(Value));
  if (!slots) {
    es->nest--;
    return v_exc();
  }
  for (int i = 0; i < ns; i++) slots[i] = v_unset();
  Frame F = {slots, NULL, c, NULL};
  Value last = v_none();
  Node *b = c->body;
  for (int i = 0; i < b->u.list.n; i++) {
    Node *s = b->u.list.items[i];
    v_decref(last);
    last = ev(I, &F, s);
    if (IS_EXC(last)) break;
    if (!is_expr_stmt(s)) {
      v_decref(last);
      last = v_none();
    } else if (echo) {
      echo(I, last, ud);
    }
  }
  if (F.mk) last = mask_finish(I, &F, last);
  if (IS_EXC(last) && es->ctl != CTL_NONE) {
    /* cannot happen for resolved code; be safe */
    es->ctl = CTL_NONE;
    v_decref(es->ret);
    es->ret = v_none();
    jx_raise(I, E_SYNTAX, "break, continue or return outside their context");
  }
  release(slots, ns);
  jx_free(slots);
  es->nest--;
  return last;
}

/* Free the chunks whose top-level run is over and from which no closure
 * is alive, and the source texts no kept chunk uses (`cur`, about to run,
 * counts as kept), so that a long REPL session (one chunk and one source
 * per entry, and a source for each entry that did not parse) stays in flat
 * memory.  Only between top-level runs (nothing of theirs runs) and with no
 * error pending: errors and tracebacks point at file names and function
 * names in a tree, and nothing else keeps them.  The prelude and :timeit's
 * chunks stay. */
static void release_chunks(Interp *I, const Chunk *cur) {
  EvalState *es = I->es;
  if (!es || es->nest > 0 || I->err.kind != E_NONE) return;
  int k = 0;
  for (int i = 0; i < es->nchunks; i++) {
    Chunk *c = es->chunks[i];
    if (c->finished && c->nclosures == 0 && !c->prelude) chunk_free(c);
    else es->chunks[k++] = c;
  }
  es->nchunks = k;
  k = 0;
  for (int i = 0; i < es->nsrcs; i++) {
    Source *s = &es->srcs[i];
    bool used = cur && cur->src == s->src;
    for (int j = 0; j < es->nchunks && !used; j++) used = es->chunks[j]->src == s->src;
    if (used) {
      es->srcs[k++] = *s;
    } else {
      jx_free(s->file);
      jx_free(s->src);
    }
  }
  es->nsrcs = k;
}

Value eval_chunk(Interp *I, Chunk *c, EchoFn echo, void *ud) {
  if (I->es) release_chunks(I, c);
  if (eval_keep_chunk(I, c) < 0) return v_exc();
  Value r = eval_run_chunk(I, c, echo, ud);
  c->finished = true;
  return r;
}

Value eval_string(Interp *I, const char *file, const char *src, size_t len, EchoFn echo,
                  void *ud, bool *incomplete) {
  const char *kf, *ks;
  if (incomplete) *incomplete = false;
  if (I->es) release_chunks(I, NULL); /* also the sources of entries that did not parse */
  if (eval_keep_source(I, file, src, len, &kf, &ks) < 0) return v_exc();
  Chunk *c = parse_program(I, kf, ks, len, 0, incomplete);
  if (!c) return v_exc();
  return eval_chunk(I, c, echo, ud);
}

extern const char jx_prelude_src[] __attribute__((weak));

int eval_prelude(Interp *I) {
  if (!jx_prelude_src) return 0;
  const char *kf, *ks;
  size_t len = strlen(jx_prelude_src);
  if (eval_keep_source(I, "<prelude>", jx_prelude_src, len, &kf, &ks) < 0) return -1;
  Chunk *c = parse_program(I, kf, ks, len, PARSE_PRELUDE, NULL);
  if (!c) return -1;
  c->prelude = true;
  Value r = eval_chunk(I, c, NULL, NULL);
  if (IS_EXC(r)) return -1;
  v_decref(r);
  return builtins_sync_aliases(I);
}

int eval_set_argv(Interp *I, int argc, char **argv) {
  if (eval_init(I) < 0) return -1;
  Value t = tuple_new(I, argc);
  if (IS_EXC(t)) return -1;
  for (int i = 0; i < argc; i++) {
    Value s = str_from(I, argv[i]);
    if (IS_EXC(s)) {
      v_decref(t);
      return -1;
    }
    AS_TUPLE(t)->items[i] = s;
  }
  v_decref(I->es->argv);
  I->es->argv = t;
  return 0;
}

Value eval_argv(Interp *I);
Value eval_argv(Interp *I) {
  if (eval_init(I) < 0) return v_exc();
  if (I->es->argv.tag == T_UNSET) return tuple_new(I, 0);
  return v_incref(I->es->argv);
}
