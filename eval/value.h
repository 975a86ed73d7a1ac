/* value.h — jx values, heap objects, reference counting, the interpreter
 * context and the error discipline.
 *
 * Owns: the Value representation, the Obj header, the Interp struct, the
 * one allocation function, error raising, and the basic heap object kinds
 * (strings, tuples, dicts, C closures).  Arrays live in stdlib/array.h,
 * tracers in ad/ad.h, closures of user code in eval/eval.h.
 *
 * OWNERSHIP RULES (hold to them everywhere):
 *  - A function's Value arguments are BORROWED.  A returned Value is OWNED
 *    by the caller (a new reference) unless the function's comment says
 *    otherwise.  Store a borrowed value: v_incref it first.
 *  - Errors: a function that can fail returns a Value whose tag is T_EXC
 *    (test with IS_EXC(v)); the error itself (kind, message, location) is
 *    kept in I->err.  Functions returning int return 0 on success, -1 on
 *    error (error in I->err).  Functions returning pointers return NULL on
 *    error.  Never longjmp.
 *  - All heap memory goes through jx_malloc/jx_realloc/jx_free so a test
 *    build can fail the Nth allocation (jx_malloc returns NULL and has set
 *    a MemoryError in I->err).
 */
#ifndef JX_VALUE_H
#define JX_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

typedef struct Interp Interp;

/* ---- tags ---------------------------------------------------------- */
typedef enum {
  T_EXC = 0,   /* "an error was raised": no payload; see I->err */
  T_UNSET,     /* internal marker: missing optional argument / unbound */
  T_NONE,
  T_BOOL,      /* u.i is 0 or 1 */
  T_INT,       /* u.i */
  T_FLOAT,     /* u.f */
  /* heap kinds: u.o points at an Obj whose 'kind' equals the tag */
  T_STR,
  T_TUPLE,
  T_DICT,
  T_FUNC,      /* user closure (eval/eval.h) */
  T_CFUNC,     /* builtin or C closure (CFunc below) */
  T_ARRAY,     /* n-d array, ndim >= 1 (stdlib/array.h) */
  T_TRACER,    /* transformation tracer (ad/ad.h) */
  T_NS,        /* namespace: random., nn., linalg. (Dict-backed) */
  T_OBJ,       /* other internal objects (jaxpr, .at helper, …): see ObjOps */
  T__COUNT
} Tag;

typedef struct Obj {
  int32_t rc;
  uint8_t kind; /* a Tag */
} Obj;

typedef struct Value {
  uint8_t tag;
  union {
    int64_t i;
    double f;
    Obj *o;
  } u;
} Value;

#define IS_EXC(v) ((v).tag == T_EXC)
#define IS_HEAP(v) ((v).tag >= T_STR)

static inline Value v_exc(void) { Value v; v.tag = T_EXC; v.u.i = 0; return v; }
static inline Value v_unset(void) { Value v; v.tag = T_UNSET; v.u.i = 0; return v; }
static inline Value v_none(void) { Value v; v.tag = T_NONE; v.u.i = 0; return v; }
static inline Value v_bool(bool b) { Value v; v.tag = T_BOOL; v.u.i = b ? 1 : 0; return v; }
static inline Value v_int(int64_t i) { Value v; v.tag = T_INT; v.u.i = i; return v; }
static inline Value v_float(double f) { Value v; v.tag = T_FLOAT; v.u.f = f; return v; }
static inline Value v_obj(Obj *o) { Value v; v.tag = o->kind; v.u.o = o; return v; }

/* Reference counting.  v_decref frees the object when the count drops to 0. */
static inline Value v_incref(Value v) { if (IS_HEAP(v)) v.u.o->rc++; return v; }
void obj_free(Obj *o);
static inline void v_decref(Value v) {
  if (IS_HEAP(v) && --v.u.o->rc == 0) obj_free(v.u.o);
}

/* ---- allocation ---------------------------------------------------- */
/* All allocation.  On failure: sets MemoryError in I->err, returns NULL.
 * jx_fail_after(n): test hook, the n-th allocation from now fails (0 = off). */
void *jx_malloc(Interp *I, size_t n);
void *jx_calloc(Interp *I, size_t count, size_t size);
void *jx_realloc(Interp *I, void *p, size_t n);
void jx_free(void *p);
void jx_fail_after(long n);
/* Test hook (fuzzing): every single request above n bytes fails with a
 * MemoryError, as if the machine had no more memory (0 = off). */
void jx_alloc_limit(size_t n);
/* Test hook: allocations left before the one jx_fail_after arranged to
 * fail (0 once it has failed, or when no failure is pending). */
long jx_fail_pending(void);
/* Initialise a freshly allocated object header (rc = 1). */
void *obj_new(Interp *I, Tag kind, size_t size);

/* ---- errors -------------------------------------------------------- */
typedef enum {
  E_NONE = 0,
  E_SYNTAX,
  E_NAME,
  E_TYPE,
  E_SHAPE,
  E_VALUE,
  E_INDEX,
  E_KEY,
  E_RECURSION,
  E_MEMORY,
  E_IO,
  E_ASSERTION,
  E_INTERRUPTED,
  E__COUNT
} ErrKind;

const char *err_kind_name(ErrKind k); /* "TypeError" … */

#define JX_MAX_TRACE 64
typedef struct {
  const char *fname;   /* user function name (borrowed from the AST, which outlives it) */
  const char *file;
  int line;
} TraceEntry;

typedef struct {
  ErrKind kind;       /* E_NONE: no pending error */
  char *msg;          /* jx_malloc'd via plain malloc (never fails silently) */
  const char *file;   /* NULL until a location is attached */
  int line, col;      /* 0 until a location is attached */
  TraceEntry trace[JX_MAX_TRACE];
  int ntrace;         /* innermost first */
  int ntrace_dropped;
} JxError;

/* Raise: record kind + formatted message in I->err and return v_exc().
 * A second raise while an error is pending replaces it. */
Value jx_raise(Interp *I, ErrKind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
Value jx_vraise(Interp *I, ErrKind kind, const char *fmt, va_list ap);
/* Same, for int/pointer-returning functions: raises and returns -1. */
int jx_raisei(Interp *I, ErrKind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Attach a source location if the pending error has none yet. */
void jx_err_locate(Interp *I, const char *file, int line, int col);
void jx_err_clear(Interp *I);

/* ---- output -------------------------------------------------------- */
/* Growable byte buffer.  sb_* never fail silently: on OOM they set
 * sb->oom and keep the old contents (callers check sb->oom at the end). */
typedef struct {
  char *s;
  size_t len, cap;
  bool oom;
} StrBuf;
void sb_init(StrBuf *sb);
void sb_free(StrBuf *sb);
void sb_putc(StrBuf *sb, char c);
void sb_puts(StrBuf *sb, const char *s);
void sb_putn(StrBuf *sb, const char *s, size_t n);
void sb_printf(StrBuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Take the buffer's string (NUL-terminated, plain malloc) and reset sb. */
char *sb_take(StrBuf *sb);

/* ---- the interpreter context ----------------------------------------- */
typedef void (*OutputFn)(void *ud, const char *s, size_t n);

typedef struct TraceState TraceState; /* ad/ad.h */
typedef struct EvalState EvalState;   /* eval/eval.h */

struct Interp {
  JxError err;
  OutputFn out;          /* stdout callback (print) */
  void *out_ud;
  volatile int interrupted; /* set by SIGINT handler; polled by loops/kernels */
  int depth, max_depth;  /* evaluator call depth and its limit */
  Value globals;         /* T_DICT of global bindings */
  Value builtins;        /* T_DICT of builtins (and namespaces) */
  TraceState *ts;        /* transformation trace stack (ad/) */
  EvalState *es;         /* evaluator private state */
  void *user;            /* embedder data (REPL) */
};

Interp *jx_new(void);
void jx_free_interp(Interp *I);
void jx_write(Interp *I, const char *s, size_t n);
/* Poll for Ctrl-C: returns -1 with Interrupted raised if the flag was set. */
int jx_check_interrupt(Interp *I);

/* ---- strings --------------------------------------------------------- */
typedef struct {
  Obj hdr;
  size_t len;
  uint64_t hash;
  char s[]; /* NUL-terminated */
} Str;
Value str_new(Interp *I, const char *s, size_t n);
Value str_from(Interp *I, const char *s); /* strlen */
static inline Str *AS_STR(Value v) { return (Str *)v.u.o; }

/* ---- tuples ---------------------------------------------------------- */
typedef struct {
  Obj hdr;
  int64_t n;
  Value items[];
} Tuple;
/* New tuple of n items, all None (fill them by moving owned values in). */
Value tuple_new(Interp *I, int64_t n);
/* New tuple from borrowed items (increfs them). */
Value tuple_of(Interp *I, int64_t n, const Value *items);
static inline Tuple *AS_TUPLE(Value v) { return (Tuple *)v.u.o; }

/* ---- dicts (string keys, insertion ordered) -------------------------- */
typedef struct {
  Value key; /* T_STR */
  Value val;
} DictEntry;
typedef struct {
  Obj hdr;
  int64_t n, cap;      /* entries used (no holes: deletion compacts) */
  DictEntry *e;
  int32_t *index;      /* open-addressing table of entry indices, -1 empty */
  int64_t icap;
} Dict;
Value dict_new(Interp *I);
/* Borrowed result, or NULL if absent. */
Value *dict_get(Value d, const char *key, size_t klen);
Value *dict_getv(Value d, Value key);
/* Set: increfs key and val. Returns 0 or -1 (OOM). */
int dict_set(Interp *I, Value d, Value key, Value val);
int dict_sets(Interp *I, Value d, const char *key, Value val);
int dict_del(Interp *I, Value d, const char *key);
static inline Dict *AS_DICT(Value v) { return (Dict *)v.u.o; }

/* ---- C functions (builtins and C closures) --------------------------- */
/* A builtin receives its arguments already bound to the parameters of its
 * signature (positional and keyword resolved).  A parameter that was not
 * given and has no parseable default is T_UNSET.  A trailing "*name"
 * parameter collects the extra positionals into a tuple.  Arguments are
 * borrowed; the result is owned. */
typedef Value (*CFn)(Interp *I, Value *args, int nargs, Value self);

typedef struct BuiltinDef {
  const char *name;   /* "sum", "random.normal", "nn.relu" */
  CFn fn;
  const char *sig;    /* "x, axis=None, keepdims=False" */
  const char *doc;    /* one paragraph, with an example */
} BuiltinDef;

#define JX_MAX_PARAMS 12
typedef struct {
  Obj hdr;
  const BuiltinDef *def;
  int nparams;
  bool varargs;        /* last param is *name */
  const char *pnames[JX_MAX_PARAMS];
  Value defaults[JX_MAX_PARAMS]; /* T_UNSET where required / no default */
  Value data;          /* closure data (owned), e.g. the f of grad(f); None if none */
  char *name_buf;      /* owned storage for pnames */
  char *display;       /* owned display name, or NULL (then def->name) */
} CFunc;
static inline CFunc *AS_CFUNC(Value v) { return (CFunc *)v.u.o; }
/* Make a C function object from a def (parses def->sig); data is borrowed
 * (increfed).  The CFn receives the CFunc value as 'self' (data via
 * AS_CFUNC(self)->data). */
Value cfunc_new(Interp *I, const BuiltinDef *def, Value data);

/* ---- generic objects (T_OBJ) ------------------------------------------ */
typedef struct ObjOps {
  const char *type_name;
  void (*free)(Obj *o);
  void (*repr)(Interp *I, Obj *o, StrBuf *sb);
  /* optional attribute lookup: returns owned value, v_unset() if absent */
  Value (*getattr)(Interp *I, Obj *o, const char *name);
  /* optional call */
  Value (*call)(Interp *I, Obj *o, int argc, const Value *argv, int nkw,
                const char *const *kwnames, const Value *kwvals);
  /* optional index x[...] */
  Value (*index)(Interp *I, Obj *o, Value idx);
} ObjOps;
typedef struct {
  Obj hdr;
  const ObjOps *ops;
} GenObj; /* embed as first member of T_OBJ objects */

/* ---- namespaces ------------------------------------------------------- */
typedef struct {
  Obj hdr;
  const char *name;
  Value dict; /* T_DICT */
} Namespace;

/* ---- generic helpers ---------------------------------------------------- */
const char *type_name(Value v);   /* "int", "float", "array", … */
/* Call any callable. Arguments borrowed, result owned. */
Value jx_call(Interp *I, Value f, int argc, const Value *argv, int nkw,
              const char *const *kwnames, const Value *kwvals);
/* Text of a value: repr (strings quoted) or str (strings raw). */
void jx_repr(Interp *I, Value v, StrBuf *sb);
void jx_str(Interp *I, Value v, StrBuf *sb);
/* Python-style float repr (shortest round-trip). */
void fmt_float(double d, StrBuf *sb);
bool values_equal(Value a, Value b); /* structural equality for scalars/strings/tuples */

/* Per-kind hooks implemented by the owning modules (value.c dispatches):
 *   func_free/func_repr     eval/eval.c    (T_FUNC)
 *   array_free              stdlib/array.c (T_ARRAY)
 *   array_repr              stdlib/print.c (T_ARRAY, numpy str() format)
 *   tracer_free/tracer_repr ad/trace.c     (T_TRACER)                    */
void func_free(Obj *o);
void func_repr(Interp *I, Obj *o, StrBuf *sb);
void array_free(Obj *o);
void array_repr(Interp *I, Obj *o, StrBuf *sb);
void tracer_free(Obj *o);
void tracer_repr(Interp *I, Obj *o, StrBuf *sb);

#endif
