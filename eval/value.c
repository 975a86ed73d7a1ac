/* value.c — allocation, errors, StrBuf, and the basic heap objects
 * (strings, tuples, dicts, C functions, namespaces).  See value.h for the
 * ownership rules. */
#include "value.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* allocation                                                          */

static long fail_countdown = 0; /* test hook; process-wide on purpose */
static Interp *last_interp = NULL;

static size_t alloc_limit = 0;  /* test hook: larger requests fail (0 = off) */

void jx_fail_after(long n) { fail_countdown = n; }
void jx_alloc_limit(size_t n) { alloc_limit = n; }
long jx_fail_pending(void) { return fail_countdown; }

static bool should_fail(void) {
  if (fail_countdown > 0 && --fail_countdown == 0) return true;
  return false;
}

/* A big request must fit in the memory the kernel reports available (half
 * of it, since the buffer is usually written at once and other buffers of
 * the same computation follow): past that, Linux would kill the process
 * (the REPL's bindings lost) instead of malloc failing.  Checked only from
 * BIG_REQUEST up, where the cost of reading /proc/meminfo does not show. */
#define BIG_REQUEST ((size_t)64 << 20)

static bool too_big(size_t n) {
  if (n < BIG_REQUEST) return false;
  FILE *f = fopen("/proc/meminfo", "r");
  if (!f) return false;
  char line[128];
  unsigned long long kb = 0;
  bool found = false;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
      found = true;
      break;
    }
  fclose(f);
  return found && n / 1024 > kb / 2;
}

static void oom(Interp *I, size_t n) {
  if (!I) I = last_interp;
  if (I) jx_raise(I, E_MEMORY, "out of memory (allocating %zu bytes)", n);
}

void *jx_malloc(Interp *I, size_t n) {
  void *p = should_fail() || (alloc_limit && n > alloc_limit) || too_big(n) ? NULL
                                                                           : malloc(n ? n : 1);
  if (!p) oom(I, n);
  return p;
}

void *jx_calloc(Interp *I, size_t count, size_t size) {
  if (size && count > SIZE_MAX / size) {
    oom(I, SIZE_MAX);
    return NULL;
  }
  void *p = should_fail() || (alloc_limit && count * size > alloc_limit) ||
                    too_big(count * size)
                ? NULL
                : calloc(count ? count : 1, size ? size : 1);
  if (!p) oom(I, count * size);
  return p;
}

void *jx_realloc(Interp *I, void *p, size_t n) {
  void *q = should_fail() || (alloc_limit && n > alloc_limit) || too_big(n) ? NULL
                                                                           : realloc(p, n ? n : 1);
  if (!q) oom(I, n);
  return q;
}

void jx_free(void *p) { free(p); }

void *obj_new(Interp *I, Tag kind, size_t size) {
  Obj *o = jx_malloc(I, size);
  if (!o) return NULL;
  o->rc = 1;
  o->kind = (uint8_t)kind;
  return o;
}

/* ------------------------------------------------------------------ */
/* errors                                                              */

static const char *const kind_names[E__COUNT] = {
    "Error",      "SyntaxError",    "NameError", "TypeError",      "ShapeError",
    "ValueError", "IndexError",     "KeyError",  "RecursionError", "MemoryError",
    "IOError",    "AssertionError", "Interrupted"};

const char *err_kind_name(ErrKind k) {
  return (k >= 0 && k < E__COUNT) ? kind_names[k] : "Error";
}

void jx_err_clear(Interp *I) {
  free(I->err.msg);
  memset(&I->err, 0, sizeof I->err);
}

Value jx_vraise(Interp *I, ErrKind kind, const char *fmt, va_list ap) {
  jx_err_clear(I);
  I->err.kind = kind;
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0) n = 0;
  /* plain malloc: the error path must not recurse into the fail hook */
  I->err.msg = malloc((size_t)n + 1);
  if (I->err.msg) vsnprintf(I->err.msg, (size_t)n + 1, fmt, ap);
  return v_exc();
}

Value jx_raise(Interp *I, ErrKind kind, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  jx_vraise(I, kind, fmt, ap);
  va_end(ap);
  return v_exc();
}

int jx_raisei(Interp *I, ErrKind kind, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  jx_vraise(I, kind, fmt, ap);
  va_end(ap);
  return -1;
}

void jx_err_locate(Interp *I, const char *file, int line, int col) {
  if (I->err.line == 0 && line > 0) {
    I->err.file = file;
    I->err.line = line;
    I->err.col = col;
  }
}

/* ------------------------------------------------------------------ */
/* StrBuf                                                              */

void sb_init(StrBuf *sb) { memset(sb, 0, sizeof *sb); }
void sb_free(StrBuf *sb) {
  free(sb->s);
  memset(sb, 0, sizeof *sb);
}

static bool sb_reserve(StrBuf *sb, size_t extra) {
  if (sb->oom) return false;
  if (sb->len + extra + 1 <= sb->cap) return true;
  size_t cap = sb->cap ? sb->cap : 64;
  while (cap < sb->len + extra + 1) {
    if (cap > SIZE_MAX / 2) {
      sb->oom = true;
      return false;
    }
    cap *= 2;
  }
  char *s = should_fail() ? NULL : realloc(sb->s, cap);
  if (!s) {
    sb->oom = true;
    return false;
  }
  sb->s = s;
  sb->cap = cap;
  return true;
}

void sb_putn(StrBuf *sb, const char *s, size_t n) {
  if (!sb_reserve(sb, n)) return;
  memcpy(sb->s + sb->len, s, n);
  sb->len += n;
  sb->s[sb->len] = 0;
}
void sb_puts(StrBuf *sb, const char *s) { sb_putn(sb, s, strlen(s)); }
void sb_putc(StrBuf *sb, char c) { sb_putn(sb, &c, 1); }

void sb_printf(StrBuf *sb, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n > 0 && sb_reserve(sb, (size_t)n)) {
    vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
  }
  va_end(ap);
}

char *sb_take(StrBuf *sb) {
  char *s = sb->s;
  if (!s) s = calloc(1, 1);
  memset(sb, 0, sizeof *sb);
  return s;
}

/* ------------------------------------------------------------------ */
/* strings                                                             */

static uint64_t hash_bytes(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ull;
  }
  return h;
}

Value str_new(Interp *I, const char *s, size_t n) {
  if (n > SIZE_MAX - sizeof(Str) - 1) return jx_raise(I, E_MEMORY, "string too long");
  Str *st = obj_new(I, T_STR, sizeof(Str) + n + 1);
  if (!st) return v_exc();
  st->len = n;
  if (n) memcpy(st->s, s, n);
  st->s[n] = 0;
  st->hash = hash_bytes(s, n);
  return v_obj(&st->hdr);
}

Value str_from(Interp *I, const char *s) { return str_new(I, s, strlen(s)); }

/* ------------------------------------------------------------------ */
/* tuples                                                              */

Value tuple_new(Interp *I, int64_t n) {
  if (n < 0 || (uint64_t)n > (SIZE_MAX - sizeof(Tuple)) / sizeof(Value))
    return jx_raise(I, E_MEMORY, "tuple too large");
  Tuple *t = obj_new(I, T_TUPLE, sizeof(Tuple) + (size_t)n * sizeof(Value));
  if (!t) return v_exc();
  t->n = n;
  for (int64_t i = 0; i < n; i++) t->items[i] = v_none();
  return v_obj(&t->hdr);
}

Value tuple_of(Interp *I, int64_t n, const Value *items) {
  Value t = tuple_new(I, n);
  if (IS_EXC(t)) return t;
  for (int64_t i = 0; i < n; i++) AS_TUPLE(t)->items[i] = v_incref(items[i]);
  return t;
}

/* ------------------------------------------------------------------ */
/* dicts                                                               */

Value dict_new(Interp *I) {
  Dict *d = obj_new(I, T_DICT, sizeof(Dict));
  if (!d) return v_exc();
  d->n = d->cap = d->icap = 0;
  d->e = NULL;
  d->index = NULL;
  return v_obj(&d->hdr);
}

static int64_t dict_find(Dict *d, const char *key, size_t klen, uint64_t h) {
  if (!d->icap) {
    for (int64_t i = 0; i < d->n; i++) {
      Str *k = AS_STR(d->e[i].key);
      if (k->len == klen && memcmp(k->s, key, klen) == 0) return i;
    }
    return -1;
  }
  uint64_t mask = (uint64_t)d->icap - 1;
  for (uint64_t j = h & mask;; j = (j + 1) & mask) {
    int32_t ix = d->index[j];
    if (ix < 0) return -1;
    Str *k = AS_STR(d->e[ix].key);
    if (k->hash == h && k->len == klen && memcmp(k->s, key, klen) == 0) return ix;
  }
}

Value *dict_get(Value dv, const char *key, size_t klen) {
  Dict *d = AS_DICT(dv);
  int64_t i = dict_find(d, key, klen, d->icap ? hash_bytes(key, klen) : 0);
  return i < 0 ? NULL : &d->e[i].val;
}

Value *dict_getv(Value dv, Value key) {
  if (key.tag != T_STR) return NULL;
  Str *k = AS_STR(key);
  Dict *d = AS_DICT(dv);
  int64_t i = dict_find(d, k->s, k->len, k->hash);
  return i < 0 ? NULL : &d->e[i].val;
}

static int dict_rebuild_index(Interp *I, Dict *d, int64_t icap) {
  int32_t *ix = jx_malloc(I, (size_t)icap * sizeof(int32_t));
  if (!ix) return -1;
  for (int64_t j = 0; j < icap; j++) ix[j] = -1;
  uint64_t mask = (uint64_t)icap - 1;
  for (int64_t i = 0; i < d->n; i++) {
    uint64_t j = AS_STR(d->e[i].key)->hash & mask;
    while (ix[j] >= 0) j = (j + 1) & mask;
    ix[j] = (int32_t)i;
  }
  jx_free(d->index);
  d->index = ix;
  d->icap = icap;
  return 0;
}

int dict_set(Interp *I, Value dv, Value key, Value val) {
  Dict *d = AS_DICT(dv);
  Str *k = AS_STR(key);
  int64_t i = dict_find(d, k->s, k->len, k->hash);
  if (i >= 0) {
    v_incref(val);
    v_decref(d->e[i].val);
    d->e[i].val = val;
    return 0;
  }
  if (d->n == INT32_MAX) return jx_raisei(I, E_MEMORY, "dict too large");
  if (d->n == d->cap) {
    int64_t cap = d->cap ? d->cap * 2 : 8;
    DictEntry *e = jx_realloc(I, d->e, (size_t)cap * sizeof(DictEntry));
    if (!e) return -1;
    d->e = e;
    d->cap = cap;
  }
  d->e[d->n].key = v_incref(key);
  d->e[d->n].val = v_incref(val);
  d->n++;
  if (d->n > 8 && d->n * 2 > d->icap) {
    int64_t icap = d->icap ? d->icap : 16;
    while (icap < d->n * 2) icap *= 2;
    if (dict_rebuild_index(I, d, icap) < 0) {
      d->n--;
      v_decref(d->e[d->n].key);
      v_decref(d->e[d->n].val);
      return -1;
    }
  } else if (d->icap) {
    uint64_t mask = (uint64_t)d->icap - 1;
    uint64_t j = k->hash & mask;
    while (d->index[j] >= 0) j = (j + 1) & mask;
    d->index[j] = (int32_t)(d->n - 1);
  }
  return 0;
}

int dict_sets(Interp *I, Value d, const char *key, Value val) {
  Value k = str_from(I, key);
  if (IS_EXC(k)) return -1;
  int r = dict_set(I, d, k, val);
  v_decref(k);
  return r;
}

int dict_del(Interp *I, Value dv, const char *key) {
  Dict *d = AS_DICT(dv);
  size_t klen = strlen(key);
  int64_t i = dict_find(d, key, klen, d->icap ? hash_bytes(key, klen) : 0);
  if (i < 0) return 0;
  v_decref(d->e[i].key);
  v_decref(d->e[i].val);
  memmove(&d->e[i], &d->e[i + 1], (size_t)(d->n - i - 1) * sizeof(DictEntry));
  d->n--;
  if (d->icap) return dict_rebuild_index(I, d, d->icap);
  return 0;
}

/* ------------------------------------------------------------------ */
/* C functions                                                         */

/* Parse a default-value literal of a signature: None True False ints
 * floats 'strings' "strings" and () ; anything else gives T_UNSET. */
static Value parse_default(Interp *I, const char *s, size_t n) {
  while (n && (*s == ' ')) s++, n--;
  while (n && s[n - 1] == ' ') n--;
  if (n == 4 && !memcmp(s, "None", 4)) return v_none();
  if (n == 4 && !memcmp(s, "True", 4)) return v_bool(true);
  if (n == 5 && !memcmp(s, "False", 5)) return v_bool(false);
  if (n == 2 && !memcmp(s, "()", 2)) return tuple_new(I, 0);
  if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) return str_new(I, s + 1, n - 2);
  char buf[64];
  if (n > 0 && n < sizeof buf) {
    memcpy(buf, s, n);
    buf[n] = 0;
    char *end;
    errno = 0;
    long long iv = strtoll(buf, &end, 10);
    if (*end == 0 && errno == 0) return v_int(iv);
    double dv = strtod(buf, &end);
    if (*end == 0) return v_float(dv);
  }
  return v_unset();
}

Value cfunc_new(Interp *I, const BuiltinDef *def, Value data) {
  CFunc *f = obj_new(I, T_CFUNC, sizeof(CFunc));
  if (!f) return v_exc();
  f->def = def;
  f->nparams = 0;
  f->varargs = false;
  f->data = v_incref(data);
  f->name_buf = NULL;
  f->display = NULL;
  for (int i = 0; i < JX_MAX_PARAMS; i++) {
    f->pnames[i] = NULL;
    f->defaults[i] = v_unset();
  }
  const char *sig = def->sig ? def->sig : "";
  size_t L = strlen(sig);
  f->name_buf = jx_malloc(I, L + 1);
  if (!f->name_buf) {
    Value v = v_obj(&f->hdr);
    v_decref(v);
    return v_exc();
  }
  memcpy(f->name_buf, sig, L + 1);
  /* split on top-level commas (defaults may contain parentheses/quotes) */
  char *p = f->name_buf;
  while (*p && f->nparams < JX_MAX_PARAMS) {
    while (*p == ' ') p++;
    if (!*p) break;
    char *start = p;
    int depth = 0;
    char quote = 0;
    while (*p) {
      if (quote) {
        if (*p == quote) quote = 0;
      } else if (*p == '\'' || *p == '"') {
        quote = *p;
      } else if (*p == '(' || *p == '[') {
        depth++;
      } else if (*p == ')' || *p == ']') {
        depth--;
      } else if (*p == ',' && depth == 0) {
        break;
      }
      p++;
    }
    char *end = p;
    if (*p == ',') *p++ = 0;
    char *eq = memchr(start, '=', (size_t)(end - start));
    char *nm_end = eq ? eq : end;
    while (nm_end > start && nm_end[-1] == ' ') nm_end--;
    int k = f->nparams++;
    if (eq) {
      f->defaults[k] = parse_default(I, eq + 1, (size_t)(end - eq - 1));
      if (IS_EXC(f->defaults[k])) {
        f->defaults[k] = v_unset();
        Value v = v_obj(&f->hdr);
        v_decref(v);
        return v_exc();
      }
    }
    *nm_end = 0;
    if (start[0] == '*') {
      f->varargs = true;
      start++;
    }
    f->pnames[k] = start;
  }
  return v_obj(&f->hdr);
}

static void cfunc_free(CFunc *f) {
  for (int i = 0; i < JX_MAX_PARAMS; i++) v_decref(f->defaults[i]);
  v_decref(f->data);
  jx_free(f->name_buf);
  jx_free(f->display);
  jx_free(f);
}

/* ------------------------------------------------------------------ */
/* freeing                                                             */

/* Free an object whose count reached zero.  Containers release their
 * children iteratively where deep nesting is possible (tuples), so a
 * million-deep nested tuple does not overflow the C stack. */
/* Freeing a deep structure (a tuple of a tuple of … a million levels, built
 * by a loop) must not recurse that deep: below FREE_MAX_DEPTH nested
 * obj_free calls, objects are pushed on a stack instead, and the outermost
 * call frees them one by one (each again with at most FREE_MAX_DEPTH
 * levels).  Process-wide on purpose, like the allocation hooks: it is
 * empty between two top-level frees.  If the stack cannot grow, freeing
 * recurses as before. */
#define FREE_MAX_DEPTH 64
static int free_depth;
static Obj **free_stack;
static size_t free_n, free_cap;

static void obj_free_now(Obj *o);

void obj_free(Obj *o) {
  if (free_depth >= FREE_MAX_DEPTH) {
    if (free_n == free_cap) {
      size_t cap = free_cap ? free_cap * 2 : 256;
      Obj **ns = realloc(free_stack, cap * sizeof *ns);
      if (ns) {
        free_stack = ns;
        free_cap = cap;
      }
    }
    if (free_n < free_cap) {
      free_stack[free_n++] = o;
      return;
    }
  }
  free_depth++;
  obj_free_now(o);
  if (free_depth == 1) {
    while (free_n > 0) obj_free_now(free_stack[--free_n]);
    if (free_cap > 4096) {
      free(free_stack);
      free_stack = NULL;
      free_cap = 0;
    }
  }
  free_depth--;
}

static void obj_free_now(Obj *o) {
  switch ((Tag)o->kind) {
  case T_STR:
    jx_free(o);
    break;
  case T_TUPLE: {
    Tuple *t = (Tuple *)o;
    for (int64_t i = 0; i < t->n; i++) v_decref(t->items[i]);
    jx_free(o);
    break;
  }
  case T_DICT: {
    Dict *d = (Dict *)o;
    for (int64_t i = 0; i < d->n; i++) {
      v_decref(d->e[i].key);
      v_decref(d->e[i].val);
    }
    jx_free(d->e);
    jx_free(d->index);
    jx_free(o);
    break;
  }
  case T_CFUNC:
    cfunc_free((CFunc *)o);
    break;
  case T_FUNC:
    func_free(o);
    break;
  case T_ARRAY:
    array_free(o);
    break;
  case T_TRACER:
    tracer_free(o);
    break;
  case T_NS: {
    Namespace *ns = (Namespace *)o;
    v_decref(ns->dict);
    jx_free(o);
    break;
  }
  case T_OBJ: {
    GenObj *g = (GenObj *)o;
    if (g->ops->free) g->ops->free(o);
    else jx_free(o);
    break;
  }
  default:
    jx_free(o);
  }
}

/* ------------------------------------------------------------------ */
/* names, printing, equality                                           */

const char *type_name(Value v) {
  switch ((Tag)v.tag) {
  case T_EXC: return "<error>";
  case T_UNSET: return "<unset>";
  case T_NONE: return "None";
  case T_BOOL: return "bool";
  case T_INT: return "int";
  case T_FLOAT: return "float";
  case T_STR: return "string";
  case T_TUPLE: return "tuple";
  case T_DICT: return "dict";
  case T_FUNC:
  case T_CFUNC: return "function";
  case T_ARRAY: return "array";
  case T_TRACER: return "array";
  case T_NS: return "namespace";
  case T_OBJ: return ((GenObj *)v.u.o)->ops->type_name;
  default: return "?";
  }
}

static void repr_str(Str *s, StrBuf *sb) {
  /* Python-style: single quotes unless the string has ' and no " */
  char q = '\'';
  if (memchr(s->s, '\'', s->len) && !memchr(s->s, '"', s->len)) q = '"';
  sb_putc(sb, q);
  for (size_t i = 0; i < s->len; i++) {
    unsigned char c = (unsigned char)s->s[i];
    if (c == (unsigned char)q || c == '\\') {
      sb_putc(sb, '\\');
      sb_putc(sb, (char)c);
    } else if (c == '\n') sb_puts(sb, "\\n");
    else if (c == '\t') sb_puts(sb, "\\t");
    else if (c == '\r') sb_puts(sb, "\\r");
    else if (c < 0x20 || c == 0x7f) sb_printf(sb, "\\x%02x", c);
    else sb_putc(sb, (char)c);
  }
  sb_putc(sb, q);
}

/* The repr hooks of other modules signal failure (out of memory) through
 * sb->oom, as sb_* do; one that raised an error instead would leave it
 * pending after a successful print or echo: turn it into sb->oom. */
#define REPR_HOOK(call)                                              \
  do {                                                               \
    ErrKind before_ = I ? I->err.kind : E_NONE;                      \
    call;                                                            \
    if (I && before_ == E_NONE && I->err.kind != E_NONE) {           \
      jx_err_clear(I);                                               \
      sb->oom = true;                                                \
    }                                                                \
  } while (0)

static void repr_rec(Interp *I, Value v, StrBuf *sb, int depth) {
  if (depth > 200) {
    sb_puts(sb, "...");
    return;
  }
  switch ((Tag)v.tag) {
  case T_NONE: sb_puts(sb, "None"); break;
  case T_BOOL: sb_puts(sb, v.u.i ? "True" : "False"); break;
  case T_INT: sb_printf(sb, "%lld", (long long)v.u.i); break;
  case T_FLOAT: fmt_float(v.u.f, sb); break;
  case T_STR: repr_str(AS_STR(v), sb); break;
  case T_TUPLE: {
    Tuple *t = AS_TUPLE(v);
    sb_putc(sb, '(');
    for (int64_t i = 0; i < t->n; i++) {
      if (i) sb_puts(sb, ", ");
      repr_rec(I, t->items[i], sb, depth + 1);
    }
    if (t->n == 1) sb_putc(sb, ',');
    sb_putc(sb, ')');
    break;
  }
  case T_DICT: {
    Dict *d = AS_DICT(v);
    sb_putc(sb, '{');
    for (int64_t i = 0; i < d->n; i++) {
      if (i) sb_puts(sb, ", ");
      repr_rec(I, d->e[i].key, sb, depth + 1);
      sb_puts(sb, ": ");
      repr_rec(I, d->e[i].val, sb, depth + 1);
    }
    sb_putc(sb, '}');
    break;
  }
  case T_FUNC: REPR_HOOK(func_repr(I, v.u.o, sb)); break;
  case T_CFUNC: {
    CFunc *f = AS_CFUNC(v);
    sb_printf(sb, "<fn %s(%s)>", f->display ? f->display : f->def->name,
              f->def->sig ? f->def->sig : "");
    break;
  }
  case T_ARRAY: REPR_HOOK(array_repr(I, v.u.o, sb)); break;
  case T_TRACER: REPR_HOOK(tracer_repr(I, v.u.o, sb)); break;
  case T_NS: sb_printf(sb, "<namespace %s>", ((Namespace *)v.u.o)->name); break;
  case T_OBJ: {
    GenObj *g = (GenObj *)v.u.o;
    if (g->ops->repr) REPR_HOOK(g->ops->repr(I, v.u.o, sb));
    else sb_printf(sb, "<%s>", g->ops->type_name);
    break;
  }
  case T_UNSET: sb_puts(sb, "<unset>"); break;
  case T_EXC: sb_puts(sb, "<error>"); break;
  default: sb_puts(sb, "<?>"); break;
  }
}

void jx_repr(Interp *I, Value v, StrBuf *sb) { repr_rec(I, v, sb, 0); }

void jx_str(Interp *I, Value v, StrBuf *sb) {
  if (v.tag == T_STR) sb_putn(sb, AS_STR(v)->s, AS_STR(v)->len);
  else repr_rec(I, v, sb, 0);
}

static bool values_equal_rec(Value a, Value b, int depth);

bool values_equal(Value a, Value b) { return values_equal_rec(a, b, 0); }

/* Tuples nested deeper than this compare by walking their last items
 * iteratively (a chain built by t = (t,) or (x, t)); other deep nests
 * compare as unequal rather than overflow the C stack. */
#define EQ_MAX_DEPTH 2000

static bool values_equal_rec(Value a, Value b, int depth) {
again:
  if ((a.tag == T_INT || a.tag == T_BOOL) && (b.tag == T_INT || b.tag == T_BOOL))
    return a.u.i == b.u.i;
  if ((a.tag == T_INT || a.tag == T_BOOL || a.tag == T_FLOAT) &&
      (b.tag == T_INT || b.tag == T_BOOL || b.tag == T_FLOAT)) {
    double x = a.tag == T_FLOAT ? a.u.f : (double)a.u.i;
    double y = b.tag == T_FLOAT ? b.u.f : (double)b.u.i;
    return x == y;
  }
  if (a.tag != b.tag) return false;
  switch ((Tag)a.tag) {
  case T_NONE: return true;
  case T_STR:
    return AS_STR(a)->len == AS_STR(b)->len &&
           memcmp(AS_STR(a)->s, AS_STR(b)->s, AS_STR(a)->len) == 0;
  case T_TUPLE: {
    Tuple *x = AS_TUPLE(a), *y = AS_TUPLE(b);
    if (x->n != y->n) return false;
    if (x->n == 0) return true;
    if (depth >= EQ_MAX_DEPTH) return false;
    for (int64_t i = 0; i + 1 < x->n; i++)
      if (!values_equal_rec(x->items[i], y->items[i], depth + 1)) return false;
    /* the last item: a loop, not a call */
    a = x->items[x->n - 1];
    b = y->items[x->n - 1];
    goto again;
  }
  default: return a.u.o == b.u.o;
  }
}

/* ------------------------------------------------------------------ */
/* the interpreter                                                     */

/* Hooks of other subsystems, defined weakly here so partial builds link. */
__attribute__((weak)) int builtins_register(Interp *I) { (void)I; return 0; }
__attribute__((weak)) void eval_state_free(Interp *I) { (void)I; }
__attribute__((weak)) void ad_state_free(Interp *I) { (void)I; }
int builtins_register(Interp *I);
void eval_state_free(Interp *I);
void ad_state_free(Interp *I);

static void default_out(void *ud, const char *s, size_t n) {
  (void)ud;
  fwrite(s, 1, n, stdout);
}

Interp *jx_new(void) {
  Interp *I = calloc(1, sizeof(Interp));
  if (!I) return NULL;
  last_interp = I;
  I->out = default_out;
  I->max_depth = 1000;
  I->globals = dict_new(I);
  I->builtins = dict_new(I);
  if (IS_EXC(I->globals) || IS_EXC(I->builtins) || builtins_register(I) < 0) {
    jx_free_interp(I);
    return NULL;
  }
  return I;
}

void jx_free_interp(Interp *I) {
  if (!I) return;
  eval_state_free(I);
  ad_state_free(I);
  if (I->globals.tag == T_DICT) v_decref(I->globals);
  if (I->builtins.tag == T_DICT) v_decref(I->builtins);
  jx_err_clear(I);
  if (last_interp == I) last_interp = NULL;
  free(I);
}

void jx_write(Interp *I, const char *s, size_t n) {
  if (!I->out) return;
  errno = 0;
  I->out(I->out_ud, s, n);
  if (I->out == default_out && ferror(stdout)) {
    /* a closed pipe (SIGPIPE ignored), a closed stdout, a full disk: the
     * program must stop rather than print into nothing forever */
    int e = errno ? errno : EIO;
    clearerr(stdout);
    jx_raise(I, E_IO, "cannot write to standard output: %s", strerror(e));
  }
}

int jx_check_interrupt(Interp *I) {
  if (I->interrupted) {
    I->interrupted = 0;
    jx_raise(I, E_INTERRUPTED, "interrupted");
    return -1;
  }
  return 0;
}
