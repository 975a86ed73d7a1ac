/* ops.c — the language's operators on values (see ops.h): arithmetic and
 * comparison with scalar fast paths, matmul, truth, indexing (basic,
 * advanced, masks), slices, attributes and bound methods, x.at[...]
 * updates, len and iteration.
 *
 * Plain int/float/bool scalars never allocate.  Everything numeric on
 * arrays or tracers goes through jx_bind, so it works under every
 * transformation; tracers are only inspected through val_aval.
 */
#include "ops.h"

#include <stdio.h>
#include <stdlib.h>

#include "arr_internal.h"
#include "builtins.h"

int ad_truth(Interp *I, Value v); /* ad/ (the lead) */

static const char *const op_sym[OP__BINCOUNT] = {"+",  "-",  "*", "/",  "//", "%", "**", "@",
                                                 "==", "!=", "<", "<=", ">",  ">=", "&", "|"};

static inline bool is_scalar(Value v) {
  return v.tag == T_BOOL || v.tag == T_INT || v.tag == T_FLOAT;
}
static inline bool is_num(Value v) { return is_scalar(v) || v.tag == T_ARRAY || v.tag == T_TRACER; }

/* ---- small bind helpers (borrowed args, owned result) ---- */
static Value b1(Interp *I, PrimId id, Value x, const Params *p) {
  if (IS_EXC(x)) return x;
  return jx_bind(I, id, &x, p);
}
static Value b2(Interp *I, PrimId id, Value x, Value y) {
  if (IS_EXC(x) || IS_EXC(y)) return v_exc();
  Value in[2] = {x, y};
  return jx_bind(I, id, in, NULL);
}
/* Consume x (owned), return owned result of a unary bind with params. */
static Value c1(Interp *I, PrimId id, Value x, const Params *p) {
  if (IS_EXC(x)) return x;
  Value r = jx_bind(I, id, &x, p);
  v_decref(x);
  return r;
}
static Value reshape_to(Interp *I, Value x, int nd, const int64_t *sh) {
  Params p = PARAMS_INIT;
  p.n = nd;
  memcpy(p.a, sh, sizeof(int64_t) * (size_t)nd);
  return b1(I, P_reshape, x, &p);
}
/* numpy-style broadcast of x (aval xa) to shape (nd, sh); borrowed x. */
static Value bcast_to(Interp *I, Value x, const Aval *xa, int nd, const int64_t *sh) {
  if (dims_equal(xa->ndim, xa->shape, nd, sh)) return v_incref(x);
  Params p = PARAMS_INIT;
  if (xa->ndim > nd) {
    char b1s[SHBUF], b2s[SHBUF];
    return jx_raise(I, E_SHAPE, "cannot broadcast shape %s to %s",
                    shape_str(b1s, xa->ndim, xa->shape), shape_str(b2s, nd, sh));
  }
  p.n = nd;
  memcpy(p.a, sh, sizeof(int64_t) * (size_t)nd);
  p.m = xa->ndim;
  for (int k = 0; k < xa->ndim; k++) p.b[k] = nd - xa->ndim + k;
  return jx_bind(I, P_broadcast_in_dim, &x, &p);
}
static Value convert_to(Interp *I, Value x, const Aval *xa, DType dt) {
  if (xa->dtype == dt) return v_incref(x);
  Params p = PARAMS_INIT;
  p.i0 = dt;
  return jx_bind(I, P_convert, &x, &p);
}

static int aval(Interp *I, Value v, Aval *a) { return val_aval(I, v, a); }

/* ------------------------------------------------------------------ */
/* binary operators                                                    */

static Value unsupported(Interp *I, BinOp op, Value a, Value b) {
  return jx_raise(I, E_TYPE, "unsupported operand type(s) for %s: '%s' and '%s'",
                  (unsigned)op < OP__BINCOUNT ? op_sym[op] : "?",
                  type_name(a), type_name(b));
}

static Value scalar_binop(Interp *I, BinOp op, Value a, Value b) {
  bool fl = a.tag == T_FLOAT || b.tag == T_FLOAT;
  double x = a.tag == T_FLOAT ? a.u.f : (double)a.u.i;
  double y = b.tag == T_FLOAT ? b.u.f : (double)b.u.i;
  int64_t i = a.u.i, j = b.u.i; /* meaningful when !fl */
  switch (op) {
  case OP_ADD: return fl ? v_float(x + y) : v_int(iwrap_add(i, j));
  case OP_SUB: return fl ? v_float(x - y) : v_int(iwrap_sub(i, j));
  case OP_MUL: return fl ? v_float(x * y) : v_int(iwrap_mul(i, j));
  case OP_DIV: return v_float(x / y);
  case OP_FLOORDIV:
    if (fl) return v_float(fpy_floordiv(x, y));
    if (j == 0) return jx_raise(I, E_VALUE, "integer division or modulo by zero");
    return v_int(ipy_floordiv(i, j));
  case OP_MOD:
    if (fl) return v_float(fpy_mod(x, y));
    if (j == 0) return jx_raise(I, E_VALUE, "integer division or modulo by zero");
    return v_int(ipy_mod(i, j));
  case OP_POW:
    if (a.tag == T_FLOAT && b.tag == T_INT) {
      /* float ** int is integer_pow (repeated products), as for arrays and
       * in JAX: a scalar and the same value in an array (vmap) must agree */
      Params p = PARAMS_INIT;
      p.i0 = j;
      return jx_bind(I, P_integer_pow, &a, &p);
    }
    if (fl || j < 0) return v_float(pow(x, y));
    return v_int(ipy_pow(i, j));
  case OP_MATMUL:
    return jx_raise(I, E_SHAPE, "matmul: operands must be at least 1-dimensional, got shapes () "
                    "and ()");
  case OP_EQ: return v_bool(fl ? x == y : i == j);
  case OP_NE: return v_bool(fl ? x != y : i != j);
  case OP_LT: return v_bool(fl ? x < y : i < j);
  case OP_LE: return v_bool(fl ? x <= y : i <= j);
  case OP_GT: return v_bool(fl ? x > y : i > j);
  case OP_GE: return v_bool(fl ? x >= y : i >= j);
  case OP_BITAND:
  case OP_BITOR:
    if (fl) return unsupported(I, op, a, b);
    if (a.tag == T_BOOL && b.tag == T_BOOL) return v_bool(op == OP_BITAND ? (i & j) : (i | j));
    return v_int(op == OP_BITAND ? (i & j) : (i | j));
  default: return unsupported(I, op, a, b);
  }
}

/* numpy matmul through dot_general. */
static Value ops_matmul(Interp *I, Value a, Value b) {
  Aval A, B;
  if (aval(I, a, &A) < 0 || aval(I, b, &B) < 0) return v_exc();
  char s1[SHBUF], s2[SHBUF];
  if (A.ndim == 0 || B.ndim == 0)
    return jx_raise(I, E_SHAPE, "matmul: operands must be at least 1-dimensional, got shapes %s "
                    "and %s", shape_str(s1, A.ndim, A.shape), shape_str(s2, B.ndim, B.shape));
  int ka = A.ndim - 1, kb = B.ndim == 1 ? 0 : B.ndim - 2;
  if (A.shape[ka] != B.shape[kb])
    return jx_raise(I, E_SHAPE, "matmul: contracting dimensions mismatch: %s @ %s",
                    shape_str(s1, A.ndim, A.shape), shape_str(s2, B.ndim, B.shape));
  Params p = PARAMS_INIT;
  p.n = p.m = 1;
  if (B.ndim <= 2 || A.ndim == 1) {
    p.a[0] = ka;
    p.b[0] = kb;
    Value in[2] = {a, b};
    return jx_bind(I, P_dot_general, in, &p);
  }
  /* batched: broadcast the leading dims of both */
  int ns;
  int64_t S[JX_MAXDIM];
  if (bcast_shapes(I, A.ndim - 2, A.shape, B.ndim - 2, B.shape, &ns, S) < 0) {
    jx_err_clear(I);
    return jx_raise(I, E_SHAPE, "matmul: batch dimensions of %s and %s cannot be broadcast",
                    shape_str(s1, A.ndim, A.shape), shape_str(s2, B.ndim, B.shape));
  }
  int64_t sa[JX_MAXDIM], sb[JX_MAXDIM];
  memcpy(sa, S, sizeof(int64_t) * (size_t)ns);
  memcpy(sb, S, sizeof(int64_t) * (size_t)ns);
  sa[ns] = A.shape[A.ndim - 2], sa[ns + 1] = A.shape[A.ndim - 1];
  sb[ns] = B.shape[B.ndim - 2], sb[ns + 1] = B.shape[B.ndim - 1];
  Value a2 = bcast_to(I, a, &A, ns + 2, sa);
  Value bb2 = IS_EXC(a2) ? v_exc() : bcast_to(I, b, &B, ns + 2, sb);
  Value r = v_exc();
  if (!IS_EXC(bb2)) {
    p.a[0] = ns + 1;
    p.b[0] = ns;
    p.k = ns;
    for (int i = 0; i < ns; i++) p.c[i] = p.d[i] = i;
    Value in[2] = {a2, bb2};
    r = jx_bind(I, P_dot_general, in, &p);
  }
  if (!IS_EXC(a2)) v_decref(a2);
  if (!IS_EXC(bb2)) v_decref(bb2);
  return r;
}

static Value num_binop(Interp *I, BinOp op, Value a, Value b) {
  static const PrimId prim_of[OP__BINCOUNT] = {
      [OP_ADD] = P_add, [OP_SUB] = P_sub, [OP_MUL] = P_mul, [OP_DIV] = P_div,
      [OP_FLOORDIV] = P_floordiv, [OP_MOD] = P_mod, [OP_POW] = P_pow,
      [OP_EQ] = P_eq, [OP_NE] = P_ne, [OP_LT] = P_lt, [OP_LE] = P_le, [OP_GT] = P_gt,
      [OP_GE] = P_ge, [OP_BITAND] = P_and, [OP_BITOR] = P_or};
  if (op == OP_MATMUL) return ops_matmul(I, a, b);
  if (op == OP_POW && b.tag == T_INT) {
    Params p = PARAMS_INIT;
    p.i0 = b.u.i;
    return jx_bind(I, P_integer_pow, &a, &p);
  }
  return b2(I, prim_of[op], a, b);
}

static int str_cmp(Value a, Value b) {
  Str *x = AS_STR(a), *y = AS_STR(b);
  size_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp(x->s, y->s, n);
  if (c) return c;
  return x->len < y->len ? -1 : x->len > y->len ? 1 : 0;
}

Value jx_binop(Interp *I, BinOp op, Value a, Value b) {
  if (is_scalar(a) && is_scalar(b)) return scalar_binop(I, op, a, b);
  if (is_num(a) && is_num(b)) return num_binop(I, op, a, b);
  if (a.tag == T_STR && b.tag == T_STR) {
    switch (op) {
    case OP_ADD: {
      Str *x = AS_STR(a), *y = AS_STR(b);
      if (x->len > SIZE_MAX / 2 || y->len > SIZE_MAX / 2)
        return jx_raise(I, E_MEMORY, "string too long");
      char *buf = jx_malloc(I, x->len + y->len + 1);
      if (!buf) return v_exc();
      memcpy(buf, x->s, x->len);
      memcpy(buf + x->len, y->s, y->len);
      Value r = str_new(I, buf, x->len + y->len);
      jx_free(buf);
      return r;
    }
    case OP_EQ: return v_bool(str_cmp(a, b) == 0);
    case OP_NE: return v_bool(str_cmp(a, b) != 0);
    case OP_LT: return v_bool(str_cmp(a, b) < 0);
    case OP_LE: return v_bool(str_cmp(a, b) <= 0);
    case OP_GT: return v_bool(str_cmp(a, b) > 0);
    case OP_GE: return v_bool(str_cmp(a, b) >= 0);
    default: return unsupported(I, op, a, b);
    }
  }
  if (a.tag == T_TUPLE && b.tag == T_TUPLE && op == OP_ADD) {
    Tuple *x = AS_TUPLE(a), *y = AS_TUPLE(b);
    Value t = tuple_new(I, x->n + y->n);
    if (IS_EXC(t)) return t;
    for (int64_t i = 0; i < x->n; i++) AS_TUPLE(t)->items[i] = v_incref(x->items[i]);
    for (int64_t i = 0; i < y->n; i++) AS_TUPLE(t)->items[x->n + i] = v_incref(y->items[i]);
    return t;
  }
  if (op == OP_EQ) return v_bool(values_equal(a, b));
  if (op == OP_NE) return v_bool(!values_equal(a, b));
  return unsupported(I, op, a, b);
}

/* ------------------------------------------------------------------ */
/* unary operators, truth                                              */

Value jx_unop(Interp *I, UnOp op, Value a) {
  static const char *const sym[] = {"-", "+", "~"};
  switch (a.tag) {
  case T_BOOL:
    if (op == UOP_INVERT) return v_bool(!a.u.i);
    return v_int(op == UOP_NEG ? -a.u.i : a.u.i);
  case T_INT:
    if (op == UOP_INVERT) return v_int(~a.u.i);
    return v_int(op == UOP_NEG ? (int64_t)(0 - (uint64_t)a.u.i) : a.u.i);
  case T_FLOAT:
    if (op == UOP_INVERT) break;
    return v_float(op == UOP_NEG ? -a.u.f : a.u.f);
  case T_ARRAY:
  case T_TRACER:
    if (op == UOP_POS) return v_incref(a);
    return jx_bind(I, op == UOP_NEG ? P_neg : P_not, &a, NULL);
  default: break;
  }
  return jx_raise(I, E_TYPE, "bad operand type for unary %s: '%s'", sym[op], type_name(a));
}

int jx_truth(Interp *I, Value v) {
  switch (v.tag) {
  case T_NONE: return 0;
  case T_BOOL:
  case T_INT: return v.u.i != 0;
  case T_FLOAT: return v.u.f != 0;
  case T_STR: return AS_STR(v)->len != 0;
  case T_TUPLE: return AS_TUPLE(v)->n != 0;
  case T_DICT: return AS_DICT(v)->n != 0;
  case T_ARRAY: {
    char s[SHBUF];
    Array *a = AS_ARRAY(v);
    return jx_raisei(I, E_TYPE,
                     "the truth value of an array of shape %s is ambiguous: use all(x) or any(x) "
                     "to reduce it, or & and | for elementwise logic",
                     shape_str(s, a->ndim, a->shape));
  }
  case T_TRACER: return ad_truth(I, v);
  case T_EXC: return -1;
  default: return 1;
  }
}

/* ------------------------------------------------------------------ */
/* slices                                                              */

typedef struct {
  GenObj g;
  Value start, stop, step;
} SliceObj;

static void slice_free(Obj *o) {
  SliceObj *s = (SliceObj *)o;
  v_decref(s->start);
  v_decref(s->stop);
  v_decref(s->step);
  jx_free(o);
}

static void slice_repr(Interp *I, Obj *o, StrBuf *sb) {
  SliceObj *s = (SliceObj *)o;
  sb_puts(sb, "slice(");
  jx_repr(I, s->start, sb);
  sb_puts(sb, ", ");
  jx_repr(I, s->stop, sb);
  sb_puts(sb, ", ");
  jx_repr(I, s->step, sb);
  sb_putc(sb, ')');
}

static const ObjOps slice_ops = {"slice", slice_free, slice_repr, NULL, NULL, NULL};

bool is_slice(Value v) { return v.tag == T_OBJ && ((GenObj *)v.u.o)->ops == &slice_ops; }

Value slice_new(Interp *I, Value start, Value stop, Value step) {
  Value parts[3] = {start, stop, step};
  for (int k = 0; k < 3; k++) {
    Value v = parts[k];
    if (v.tag == T_UNSET) parts[k] = v_none();
    else if (v.tag == T_TRACER)
      return jx_raise(I, E_TYPE, "slice indices must be concrete integers (got a traced value); "
                      "use lax.dynamic_slice-style indexing with an integer array instead");
    else if (v.tag != T_NONE && v.tag != T_INT && v.tag != T_BOOL)
      return jx_raise(I, E_TYPE, "slice indices must be integers or None, got %s", type_name(v));
  }
  SliceObj *s = obj_new(I, T_OBJ, sizeof(SliceObj));
  if (!s) return v_exc();
  s->g.ops = &slice_ops;
  s->start = v_incref(parts[0]);
  s->stop = v_incref(parts[1]);
  s->step = v_incref(parts[2]);
  return v_obj(&s->g.hdr);
}

/* Python's slice.indices(n) plus the length. */
static int slice_indices(Interp *I, Value sv, int64_t n, int64_t *start, int64_t *stop,
                         int64_t *step, int64_t *len) {
  SliceObj *s = (SliceObj *)sv.u.o;
  int64_t st = s->step.tag == T_NONE ? 1 : s->step.u.i;
  if (st == 0) return jx_raisei(I, E_VALUE, "slice step cannot be zero");
  int64_t lo, hi;
  if (s->start.tag == T_NONE) {
    lo = st > 0 ? 0 : n - 1;
  } else {
    lo = s->start.u.i;
    if (lo < 0) {
      lo += n;
      if (lo < 0) lo = st < 0 ? -1 : 0;
    } else if (lo >= n) {
      lo = st < 0 ? n - 1 : n;
    }
  }
  if (s->stop.tag == T_NONE) {
    hi = st > 0 ? n : -1;
  } else {
    hi = s->stop.u.i;
    if (hi < 0) {
      hi += n;
      if (hi < 0) hi = st < 0 ? -1 : 0;
    } else if (hi >= n) {
      hi = st < 0 ? n - 1 : n;
    }
  }
  int64_t L;
  if (st > 0) L = hi > lo ? (hi - lo - 1) / st + 1 : 0;
  else L = lo > hi ? (lo - hi - 1) / (-st) + 1 : 0;
  *start = lo, *stop = hi, *step = st, *len = L;
  return 0;
}

/* ------------------------------------------------------------------ */
/* strings (code points)                                               */

static int64_t utf8_count(const Str *s) {
  int64_t n = 0;
  for (size_t i = 0; i < s->len; i++) n += ((unsigned char)s->s[i] & 0xC0) != 0x80;
  return n;
}

/* byte offset of code point k (k may equal the count: end). */
static size_t utf8_offset(const Str *s, int64_t k) {
  size_t i = 0;
  int64_t c = 0;
  for (; i < s->len; i++) {
    if (((unsigned char)s->s[i] & 0xC0) != 0x80) {
      if (c == k) return i;
      c++;
    }
  }
  return s->len;
}

static Value str_char(Interp *I, Value sv, int64_t k) {
  Str *s = AS_STR(sv);
  size_t a = utf8_offset(s, k), b = utf8_offset(s, k + 1);
  return str_new(I, s->s + a, b - a);
}

static Value index_str(Interp *I, Value x, Value idx) {
  Str *s = AS_STR(x);
  int64_t n = utf8_count(s);
  if (idx.tag == T_INT || idx.tag == T_BOOL) {
    int64_t i = idx.u.i;
    if (i < -n || i >= n) return jx_raise(I, E_INDEX, "string index %lld out of range (length %lld)",
                                          (long long)i, (long long)n);
    return str_char(I, x, i < 0 ? i + n : i);
  }
  if (is_slice(idx)) {
    int64_t lo, hi, st, len;
    if (slice_indices(I, idx, n, &lo, &hi, &st, &len) < 0) return v_exc();
    StrBuf sb;
    sb_init(&sb);
    for (int64_t k = 0; k < len; k++) {
      int64_t c = lo + k * st;
      size_t a = utf8_offset(s, c), b = utf8_offset(s, c + 1);
      sb_putn(&sb, s->s + a, b - a);
    }
    if (sb.oom) {
      sb_free(&sb);
      return jx_raise(I, E_MEMORY, "out of memory");
    }
    Value r = str_new(I, sb.s ? sb.s : "", sb.len);
    sb_free(&sb);
    return r;
  }
  return jx_raise(I, E_TYPE, "string indices must be integers or slices, not %s", type_name(idx));
}

static Value index_tuple(Interp *I, Value x, Value idx) {
  Tuple *t = AS_TUPLE(x);
  int64_t n = t->n;
  if (idx.tag == T_INT || idx.tag == T_BOOL) {
    int64_t i = idx.u.i;
    if (i < -n || i >= n)
      return jx_raise(I, E_INDEX, "tuple index %lld out of range (length %lld)", (long long)i,
                      (long long)n);
    return v_incref(t->items[i < 0 ? i + n : i]);
  }
  if (is_slice(idx)) {
    int64_t lo, hi, st, len;
    if (slice_indices(I, idx, n, &lo, &hi, &st, &len) < 0) return v_exc();
    Value r = tuple_new(I, len);
    if (IS_EXC(r)) return r;
    for (int64_t k = 0; k < len; k++) AS_TUPLE(r)->items[k] = v_incref(t->items[lo + k * st]);
    return r;
  }
  return jx_raise(I, E_TYPE, "tuple indices must be integers or slices, not %s", type_name(idx));
}

static Value index_dict(Interp *I, Value x, Value idx) {
  if (idx.tag != T_STR)
    return jx_raise(I, E_KEY, "dict keys are strings, got %s", type_name(idx));
  Value *v = dict_getv(x, idx);
  if (!v) {
    StrBuf sb;
    sb_init(&sb);
    jx_repr(I, idx, &sb);
    char *k = sb_take(&sb);
    jx_raise(I, E_KEY, "%s", k ? k : "?");
    free(k);
    return v_exc();
  }
  return v_incref(*v);
}

/* ------------------------------------------------------------------ */
/* array indexing                                                      */

/* Index array for an axis of size n: integer dtype, negatives wrapped,
 * range-checked when concrete.  Owned result. */
static Value wrap_index(Interp *I, Value idx, int64_t n, int axis) {
  if (idx.tag == T_INT) {
    int64_t i = idx.u.i;
    if (i < -n || i >= n)
      return jx_raise(I, E_INDEX, "index %lld is out of bounds for axis %d with size %lld",
                      (long long)i, axis, (long long)n);
    return v_int(i < 0 ? i + n : i);
  }
  if (idx.tag == T_ARRAY) {
    Array *a = AS_ARRAY(idx);
    if (a->dtype != DT_INT)
      return jx_raise(I, E_INDEX, "arrays used as indices must be of integer (or boolean) type, "
                      "got %s", dtype_name((DType)a->dtype));
    const int64_t *ix = ARR_I(a);
    bool neg = false;
    for (int64_t k = 0; k < a->size; k++) {
      if (ix[k] < -n || ix[k] >= n)
        return jx_raise(I, E_INDEX, "index %lld is out of bounds for axis %d with size %lld",
                        (long long)ix[k], axis, (long long)n);
      neg |= ix[k] < 0;
    }
    if (!neg) return v_incref(idx);
    Array *r = arr_alloc(I, DT_INT, a->ndim, a->shape);
    if (!r) return v_exc();
    for (int64_t k = 0; k < a->size; k++) ARR_I(r)[k] = ix[k] < 0 ? ix[k] + n : ix[k];
    return v_obj(&r->hdr);
  }
  /* tracer */
  Aval av;
  if (aval(I, idx, &av) < 0) return v_exc();
  if (av.dtype != DT_INT)
    return jx_raise(I, E_INDEX, "arrays used as indices must be of integer type, got %s",
                    dtype_name((DType)av.dtype));
  Value c = b2(I, P_lt, idx, v_int(0));
  Value s = b2(I, P_add, idx, v_int(n));
  Value r = v_exc();
  if (!IS_EXC(c) && !IS_EXC(s)) {
    Value in[3] = {c, s, idx};
    r = jx_bind(I, P_select, in, NULL);
  }
  if (!IS_EXC(c)) v_decref(c);
  if (!IS_EXC(s)) v_decref(s);
  return r;
}

typedef enum { IX_INT, IX_SLICE, IX_NONE, IX_ADV, IX_MASK } IxKind;
typedef struct {
  IxKind k;
  Value v;  /* the item (borrowed) or, for IX_ADV from a nested tuple, owned */
  bool own;
  Aval av;  /* IX_ADV / IX_MASK */
} IxItem;

#define MAX_IX (2 * JX_MAXDIM)

static Value too_many(Interp *I, int nd, int used) {
  return jx_raise(I, E_INDEX, "too many indices for array: array is %d-dimensional, but %d were "
                  "indexed", nd, used);
}

static Value index_array(Interp *I, Value x, Value idx) {
  /* fast path: a concrete array and an int */
  if (x.tag == T_ARRAY && idx.tag == T_INT) {
    Array *a = AS_ARRAY(x);
    int64_t n = a->shape[0], i = idx.u.i;
    if (i < -n || i >= n)
      return jx_raise(I, E_INDEX, "index %lld is out of bounds for axis 0 with size %lld",
                      (long long)i, (long long)n);
    if (i < 0) i += n;
    size_t es = dtype_size((DType)a->dtype);
    if (a->ndim == 1) return scalar_at((DType)a->dtype, (char *)a->data + i * (int64_t)es);
    int64_t row = a->size / n;
    Array *v = arr_view(I, a, a->ndim - 1, a->shape + 1, (size_t)(i * row) * es);
    return v ? v_obj(&v->hdr) : v_exc();
  }
  Aval xa;
  if (aval(I, x, &xa) < 0) return v_exc();
  IxItem it[MAX_IX];
  int nit = 0;
  const Value *src = &idx;
  int64_t nsrc = 1;
  if (idx.tag == T_TUPLE) {
    src = AS_TUPLE(idx)->items;
    nsrc = AS_TUPLE(idx)->n;
  }
  if (nsrc > MAX_IX) return too_many(I, xa.ndim, (int)nsrc);
  Value res = v_exc();
  int used = 0;
  for (int64_t k = 0; k < nsrc; k++) {
    Value v = src[k];
    IxItem *e = &it[nit++];
    e->v = v;
    e->own = false;
    if (v.tag == T_INT) {
      e->k = IX_INT;
      used++;
    } else if (v.tag == T_NONE) {
      e->k = IX_NONE;
    } else if (is_slice(v)) {
      e->k = IX_SLICE;
      used++;
    } else if (v.tag == T_ARRAY || v.tag == T_TRACER || v.tag == T_TUPLE) {
      if (v.tag == T_TUPLE) {
        e->v = arr_from_nested(I, v, -1);
        if (IS_EXC(e->v)) {
          nit--;
          goto done;
        }
        e->own = true;
        if (is_scalar(e->v) && e->v.tag != T_INT) {
          jx_raise(I, E_INDEX, "only integers, slices, None and integer or boolean arrays are "
                   "valid indices");
          goto done;
        }
      }
      if (aval(I, e->v, &e->av) < 0) goto done;
      if (e->av.dtype == DT_BOOL) {
        if (e->v.tag != T_ARRAY) {
          jx_raise(I, E_INDEX, "boolean mask indexing needs a concrete array (the mask here is a "
                   "traced value); use where(mask, x, 0) instead");
          goto done;
        }
        e->k = IX_MASK;
        used += e->av.ndim;
      } else if (e->av.dtype == DT_INT) {
        e->k = IX_ADV;
        used++;
      } else {
        jx_raise(I, E_INDEX, "arrays used as indices must be of integer (or boolean) type, got %s",
                 dtype_name((DType)e->av.dtype));
        goto done;
      }
    } else {
      jx_raise(I, E_INDEX, "only integers, slices, None and integer or boolean arrays are valid "
               "indices, got %s", type_name(v));
      goto done;
    }
  }
  if (used > xa.ndim) {
    too_many(I, xa.ndim, used);
    goto done;
  }
  {
    /* numpy: next to an index array, integers are advanced indices too
     * (this decides where the broadcast index dims go) */
    bool anyarr = false;
    for (int j = 0; j < nit; j++) anyarr |= it[j].k == IX_ADV || it[j].k == IX_MASK;
    for (int j = 0; anyarr && j < nit; j++)
      if (it[j].k == IX_INT) it[j].k = IX_ADV;
  }
  {
    /* basic part: per input dim start/stop/step, rev, kept dims */
    int nd = xa.ndim;
    Params sl = PARAMS_INIT, rv = PARAMS_INIT;
    sl.n = sl.m = sl.k = nd;
    bool need_slice = false;
    int64_t ysh[JX_MAXDIM * 2];
    int ny = 0;
    int advpos[JX_MAXDIM * 2], advdim[JX_MAXDIM * 2];
    Value advv[JX_MAXDIM * 2];
    bool advown[JX_MAXDIM * 2];
    int nadv = 0;
    int d = 0;
    for (int k = 0; k < nd; k++) sl.a[k] = 0, sl.b[k] = xa.shape[k], sl.c[k] = 1;
    for (int j = 0; j < nit; j++) {
      IxItem *e = &it[j];
      switch (e->k) {
      case IX_INT: {
        int64_t n = xa.shape[d], i = e->v.u.i;
        if (i < -n || i >= n) {
          jx_raise(I, E_INDEX, "index %lld is out of bounds for axis %d with size %lld",
                   (long long)i, d, (long long)n);
          goto done_adv;
        }
        if (i < 0) i += n;
        sl.a[d] = i, sl.b[d] = i + 1;
        need_slice = true;
        d++;
        break;
      }
      case IX_SLICE: {
        int64_t n = xa.shape[d], lo, hi, st, len;
        if (slice_indices(I, e->v, n, &lo, &hi, &st, &len) < 0) goto done_adv;
        if (len == 0) {
          sl.a[d] = sl.b[d] = 0;
        } else if (st > 0) {
          sl.a[d] = lo, sl.b[d] = lo + (len - 1) * st + 1, sl.c[d] = st;
        } else {
          rv.a[rv.n++] = d;
          int64_t s2 = n - 1 - lo;
          sl.a[d] = s2, sl.b[d] = s2 + (len - 1) * (-st) + 1, sl.c[d] = -st;
        }
        if (sl.a[d] != 0 || sl.b[d] != n || sl.c[d] != 1) need_slice = true;
        ysh[ny++] = len;
        d++;
        break;
      }
      case IX_NONE: ysh[ny++] = 1; break;
      case IX_ADV: {
        Value w = wrap_index(I, e->v, xa.shape[d], d);
        if (IS_EXC(w)) goto done_adv;
        advv[nadv] = w;
        advown[nadv] = true;
        advpos[nadv] = ny;
        advdim[nadv] = d;
        nadv++;
        ysh[ny++] = xa.shape[d];
        d++;
        break;
      }
      case IX_MASK: {
        Array *m = AS_ARRAY(e->v);
        char s1[SHBUF], s2[SHBUF];
        if (!dims_equal(m->ndim, m->shape, m->ndim, xa.shape + d)) {
          jx_raise(I, E_INDEX, "boolean index of shape %s does not match the indexed dimensions "
                   "%s", shape_str(s1, m->ndim, m->shape), shape_str(s2, m->ndim, xa.shape + d));
          goto done_adv;
        }
        int64_t nnz = 0;
        for (int64_t q = 0; q < m->size; q++) nnz += ARR_B(m)[q] != 0;
        int64_t coord[JX_MAXDIM] = {0};
        Array *ca[JX_MAXDIM];
        int ok = 0;
        for (int q = 0; q < m->ndim; q++) {
          ca[q] = arr_alloc(I, DT_INT, 1, &nnz);
          if (!ca[q]) break;
          ok++;
        }
        if (ok < m->ndim) {
          for (int q = 0; q < ok; q++) v_decref(v_obj(&ca[q]->hdr));
          goto done_adv;
        }
        int64_t w = 0;
        for (int64_t q = 0; q < m->size; q++) {
          if (ARR_B(m)[q]) {
            for (int r = 0; r < m->ndim; r++) ARR_I(ca[r])[w] = coord[r];
            w++;
          }
          for (int r = m->ndim - 1; r >= 0; r--) {
            if (++coord[r] < m->shape[r]) break;
            coord[r] = 0;
          }
        }
        for (int q = 0; q < m->ndim; q++) {
          advv[nadv] = v_obj(&ca[q]->hdr);
          advown[nadv] = true;
          advpos[nadv] = ny;
          advdim[nadv] = d;
          nadv++;
          ysh[ny++] = xa.shape[d];
          d++;
        }
        break;
      }
      }
    }
    for (; d < nd; d++) ysh[ny++] = xa.shape[d];
    if (ny > JX_MAXDIM) {
      jx_raise(I, E_INDEX, "indexing result would have %d dimensions (at most %d)", ny, JX_MAXDIM);
      goto done_adv;
    }
    {
      Value y = v_incref(x);
      if (rv.n > 0) y = c1(I, P_rev, y, &rv);
      if (need_slice) y = c1(I, P_slice, y, &sl);
      if (!IS_EXC(y)) {
        Aval ya;
        if (aval(I, y, &ya) < 0) {
          v_decref(y);
          y = v_exc();
        } else if (!dims_equal(ya.ndim, ya.shape, ny, ysh)) {
          Params rp = PARAMS_INIT;
          rp.n = ny;
          memcpy(rp.a, ysh, sizeof(int64_t) * (size_t)ny);
          y = c1(I, P_reshape, y, &rp);
        }
      }
      if (IS_EXC(y) || nadv == 0) {
        res = y;
        goto done_adv;
      }
      if (nadv == 1) {
        Params gp = PARAMS_INIT;
        gp.i0 = advpos[0];
        Value in[2] = {y, advv[0]};
        res = jx_bind(I, P_gather, in, &gp);
        v_decref(y);
        goto done_adv;
      }
      /* several advanced indices: bring their dims together, flatten them */
      bool adjacent = true;
      for (int q = 1; q < nadv; q++) adjacent &= advpos[q] == advpos[q - 1] + 1;
      int target = advpos[0];
      if (!adjacent) {
        Params tp = PARAMS_INIT;
        tp.n = ny;
        int w = 0;
        bool isadv[JX_MAXDIM * 2] = {false};
        for (int q = 0; q < nadv; q++) tp.a[w++] = advpos[q], isadv[advpos[q]] = true;
        for (int q = 0; q < ny; q++)
          if (!isadv[q]) tp.a[w++] = q;
        y = c1(I, P_transpose, y, &tp);
        int64_t nsh[JX_MAXDIM * 2];
        for (int q = 0; q < ny; q++) nsh[q] = ysh[tp.a[q]];
        memcpy(ysh, nsh, sizeof(int64_t) * (size_t)ny);
        target = 0;
      }
      Value flat = v_incref(advv[0]);
      int64_t total = xa.shape[advdim[0]];
      for (int q = 1; q < nadv && !IS_EXC(flat); q++) {
        int64_t nq = xa.shape[advdim[q]];
        Value t = b2(I, P_mul, flat, v_int(nq));
        v_decref(flat);
        flat = v_exc();
        if (!IS_EXC(t)) {
          flat = b2(I, P_add, t, advv[q]);
          v_decref(t);
        }
        total *= nq;
      }
      if (!IS_EXC(y) && !IS_EXC(flat)) {
        int64_t msh[JX_MAXDIM * 2];
        int nm = 0;
        for (int q = 0; q < ny; q++) {
          if (q == target) msh[nm++] = total;
          else if (q > target && q < target + nadv) continue;
          else msh[nm++] = ysh[q];
        }
        Params rp = PARAMS_INIT;
        rp.n = nm;
        memcpy(rp.a, msh, sizeof(int64_t) * (size_t)nm);
        y = c1(I, P_reshape, y, &rp);
        if (!IS_EXC(y)) {
          Params gp = PARAMS_INIT;
          gp.i0 = target;
          Value in[2] = {y, flat};
          res = jx_bind(I, P_gather, in, &gp);
        }
      }
      if (!IS_EXC(y)) v_decref(y);
      if (!IS_EXC(flat)) v_decref(flat);
    }
  done_adv:
    for (int q = 0; q < nadv; q++)
      if (advown[q]) v_decref(advv[q]);
  }
done:
  for (int j = 0; j < nit; j++)
    if (it[j].own) v_decref(it[j].v);
  return res;
}

Value jx_index(Interp *I, Value x, Value idx) {
  switch (x.tag) {
  case T_TUPLE: return index_tuple(I, x, idx);
  case T_STR: return index_str(I, x, idx);
  case T_DICT: return index_dict(I, x, idx);
  case T_OBJ: {
    GenObj *g = (GenObj *)x.u.o;
    if (g->ops->index) return g->ops->index(I, x.u.o, idx);
    break;
  }
  case T_BOOL:
  case T_INT:
  case T_FLOAT:
  case T_ARRAY:
  case T_TRACER: return index_array(I, x, idx);
  default: break;
  }
  return jx_raise(I, E_TYPE, "'%s' object is not subscriptable", type_name(x));
}

/* ------------------------------------------------------------------ */
/* .at[IDX].set / .add / .get                                          */

typedef struct {
  GenObj g;
  Value x;
} AtObj;
typedef struct {
  GenObj g;
  Value x, idx;
} AtIdx;

static void at_free(Obj *o) {
  v_decref(((AtObj *)o)->x);
  jx_free(o);
}
static void atidx_free(Obj *o) {
  v_decref(((AtIdx *)o)->x);
  v_decref(((AtIdx *)o)->idx);
  jx_free(o);
}
static Value at_index(Interp *I, Obj *o, Value idx);
static Value atidx_getattr(Interp *I, Obj *o, const char *name);
static const ObjOps at_ops = {"at", at_free, NULL, NULL, NULL, at_index};
static const ObjOps atidx_ops = {"at_index", atidx_free, NULL, atidx_getattr, NULL, NULL};

static Value at_index(Interp *I, Obj *o, Value idx) {
  AtIdx *a = obj_new(I, T_OBJ, sizeof(AtIdx));
  if (!a) return v_exc();
  a->g.ops = &atidx_ops;
  a->x = v_incref(((AtObj *)o)->x);
  a->idx = v_incref(idx);
  return v_obj(&a->g.hdr);
}

/* x with the elements selected by idx replaced by (or incremented by) v. */
static Value at_update(Interp *I, Value x, Value idx, Value v, bool add) {
  Aval xa, va;
  if (aval(I, x, &xa) < 0) return v_exc();
  if (!is_num(v)) return jx_raise(I, E_TYPE, "at[...]: values must be numbers or arrays, got %s",
                                  type_name(v));
  if (aval(I, v, &va) < 0) return v_exc();
  if (xa.ndim == 0) return jx_raise(I, E_INDEX, "at[...]: cannot index a scalar");
  PrimId sp = add ? P_scatter_add : P_scatter;
  Value vc = convert_to(I, v, &va, (DType)xa.dtype);
  if (IS_EXC(vc)) return vc;
  va.dtype = xa.dtype;
  Value res = v_exc();
  Aval ia;
  bool simple = idx.tag == T_INT;
  if (!simple && (idx.tag == T_ARRAY || idx.tag == T_TRACER)) {
    if (aval(I, idx, &ia) < 0) goto out;
    simple = ia.dtype == DT_INT;
  }
  if (simple) {
    /* scatter along axis 0 */
    Value w = wrap_index(I, idx, xa.shape[0], 0);
    if (IS_EXC(w)) goto out;
    if (aval(I, w, &ia) < 0) {
      v_decref(w);
      goto out;
    }
    int64_t ush[JX_MAXDIM * 2];
    int nu = 0;
    for (int k = 0; k < ia.ndim; k++) ush[nu++] = ia.shape[k];
    for (int k = 1; k < xa.ndim; k++) ush[nu++] = xa.shape[k];
    Value u = nu > JX_MAXDIM ? jx_raise(I, E_SHAPE, "at[...]: too many dimensions")
                             : bcast_to(I, vc, &va, nu, ush);
    if (!IS_EXC(u)) {
      Params p = PARAMS_INIT;
      Value in[3] = {x, w, u};
      res = jx_bind(I, sp, in, &p);
      v_decref(u);
    }
    v_decref(w);
    goto out;
  }
  {
    /* general: positions of the selected elements in the flat array */
    int64_t size = shape_prod(xa.ndim, xa.shape);
    Array *iota = arr_alloc(I, DT_INT, xa.ndim, xa.shape);
    if (!iota) goto out;
    for (int64_t k = 0; k < size; k++) ARR_I(iota)[k] = k;
    Value iv = v_obj(&iota->hdr);
    Value pos = jx_index(I, iv, idx);
    v_decref(iv);
    if (IS_EXC(pos)) goto out;
    Aval pa;
    Value flat = v_exc(), u = v_exc();
    if (aval(I, pos, &pa) == 0) {
      flat = reshape_to(I, x, 1, &size);
      if (!IS_EXC(flat)) u = bcast_to(I, vc, &va, pa.ndim, pa.shape);
    }
    if (!IS_EXC(u)) {
      Params p = PARAMS_INIT;
      Value in[3] = {flat, pos, u};
      Value r = jx_bind(I, sp, in, &p);
      if (!IS_EXC(r)) {
        res = reshape_to(I, r, xa.ndim, xa.shape);
        v_decref(r);
      }
    }
    if (!IS_EXC(u)) v_decref(u);
    if (!IS_EXC(flat)) v_decref(flat);
    v_decref(pos);
  }
out:
  v_decref(vc);
  return res;
}

static Value at_method(Interp *I, Value *args, int nargs, Value self) {
  (void)nargs;
  CFunc *f = AS_CFUNC(self);
  Tuple *t = AS_TUPLE(f->data);
  const char *nm = f->def->name;
  if (!strcmp(nm, "get")) return jx_index(I, t->items[0], t->items[1]);
  return at_update(I, t->items[0], t->items[1], args[0], !strcmp(nm, "add"));
}

static const BuiltinDef at_defs[] = {
    {"set", at_method, "values", "x.at[idx].set(v): a copy of x with x[idx] replaced by v."},
    {"add", at_method, "values",
     "x.at[idx].add(v): a copy of x with v added at idx (repeated indices accumulate)."},
    {"get", at_method, "", "x.at[idx].get(): the same as x[idx]."},
};

static Value atidx_getattr(Interp *I, Obj *o, const char *name) {
  AtIdx *a = (AtIdx *)o;
  for (size_t k = 0; k < sizeof at_defs / sizeof at_defs[0]; k++) {
    if (strcmp(name, at_defs[k].name)) continue;
    Value pair[2] = {a->x, a->idx};
    Value data = tuple_of(I, 2, pair);
    if (IS_EXC(data)) return data;
    Value f = cfunc_new(I, &at_defs[k], data);
    v_decref(data);
    return f;
  }
  return v_unset();
}

/* ------------------------------------------------------------------ */
/* attributes and bound methods                                        */

/* Methods that forward to the builtin of the same (or mapped) name, with
 * the receiver as first argument.  Signatures are derived once from the
 * builtin's (process-wide constant tables, filled lazily). */
static const struct {
  const char *method, *builtin;
  bool on_dict;
} method_map[] = {
    {"sum", "sum", false},         {"mean", "mean", false},     {"max", "max", false},
    {"min", "min", false},         {"prod", "prod", false},     {"argmax", "argmax", false},
    {"argmin", "argmin", false},   {"all", "all", false},       {"any", "any", false},
    {"var", "var", false},         {"std", "std", false},       {"ravel", "ravel", false},
    {"flatten", "ravel", false},   {"transpose", "transpose", false},
    {"squeeze", "squeeze", false}, {"clip", "clip", false},     {"cumsum", "cumsum", false},
    {"round", "round", false},     {"reshape", "reshape", false}, {"dot", "dot", false},
    {"astype", "astype", false},   {"keys", "keys", true},        {"values", "values", true},  {"items", "items", true},
};
#define NMETHODS (sizeof method_map / sizeof method_map[0])
static BuiltinDef method_defs[NMETHODS];
static char method_sigs[NMETHODS][256];
static signed char method_state[NMETHODS]; /* 0 unknown, 1 ready, -1 absent */

static Value method_call(Interp *I, Value *args, int nargs, Value self);

static const BuiltinDef *method_def(size_t k) {
  if (method_state[k] == 0) {
    const BuiltinDef *bd = builtins_find(method_map[k].builtin);
    method_state[k] = -1;
    if (bd) {
      const char *sig = bd->sig ? bd->sig : "";
      /* drop the first parameter (top-level comma) */
      int depth = 0;
      const char *s = sig;
      char q = 0;
      for (; *s; s++) {
        if (q) {
          if (*s == q) q = 0;
        } else if (*s == '\'' || *s == '"') q = *s;
        else if (*s == '(' || *s == '[') depth++;
        else if (*s == ')' || *s == ']') depth--;
        else if (*s == ',' && depth == 0) break;
      }
      if (*s == ',') s++;
      while (*s == ' ') s++;
      if (!strcmp(method_map[k].method, "reshape") && !strchr(s, '*')) s = "*shape";
      if (strlen(s) < sizeof method_sigs[k]) {
        strcpy(method_sigs[k], s);
        method_defs[k].name = method_map[k].builtin;
        method_defs[k].fn = method_call;
        method_defs[k].sig = method_sigs[k];
        method_defs[k].doc = bd->doc;
        method_state[k] = 1;
      }
    }
  }
  return method_state[k] > 0 ? &method_defs[k] : NULL;
}

static Value method_call(Interp *I, Value *args, int nargs, Value self) {
  CFunc *f = AS_CFUNC(self);
  const char *bname = f->def->name;
  Value *fn = dict_get(I->builtins, bname, strlen(bname));
  if (!fn) return jx_raise(I, E_NAME, "builtin '%s' is not available", bname);
  Value argv[2 * JX_MAX_PARAMS + 2];
  const char *kwn[JX_MAX_PARAMS];
  Value kwv[JX_MAX_PARAMS];
  int argc = 0, nkw = 0;
  argv[argc++] = f->data;
  int vpos = f->varargs ? f->nparams - 1 : -1;
  bool reshape = !strcmp(bname, "reshape") && vpos == 0 && f->nparams == 1;
  for (int i = 0; i < f->nparams && i < nargs; i++) {
    Value a = args[i];
    if (i == vpos) {
      Tuple *t = a.tag == T_TUPLE ? AS_TUPLE(a) : NULL;
      int64_t n = t ? t->n : 0;
      if (reshape) {
        /* x.reshape(3, 4) or x.reshape((3, 4)) */
        if (n == 1) argv[argc++] = t->items[0];
        else argv[argc++] = a;
        continue;
      }
      for (int64_t q = 0; q < n && argc < (int)(sizeof argv / sizeof argv[0]); q++)
        argv[argc++] = t->items[q];
      continue;
    }
    if (a.tag == T_UNSET) continue;
    if (i < vpos) argv[argc++] = a;
    else {
      kwn[nkw] = f->pnames[i];
      kwv[nkw++] = a;
    }
  }
  return jx_call(I, *fn, argc, argv, nkw, kwn, kwv);
}

static Value bound_method(Interp *I, Value x, const char *name) {
  bool isdict = x.tag == T_DICT;
  if (!isdict && !is_num(x)) return v_unset();
  for (size_t k = 0; k < NMETHODS; k++) {
    if (strcmp(method_map[k].method, name) || method_map[k].on_dict != isdict) continue;
    const BuiltinDef *d = method_def(k);
    if (!d) return v_unset();
    return cfunc_new(I, d, x);
  }
  return v_unset();
}

/* .astype(dtype) and .item() are native. */
static int parse_dtype(Interp *I, Value v, DType *dt) {
  const char *s = NULL;
  if (v.tag == T_STR) s = AS_STR(v)->s;
  else if (v.tag == T_CFUNC) s = AS_CFUNC(v)->def->name;
  if (s) {
    const char *dot = strrchr(s, '.');
    if (dot) s = dot + 1;
    if (!strcmp(s, "float64") || !strcmp(s, "float") || !strcmp(s, "float32") || !strcmp(s, "f8")) {
      *dt = DT_FLOAT;
      return 0;
    }
    if (!strcmp(s, "int64") || !strcmp(s, "int") || !strcmp(s, "int32") || !strcmp(s, "i8")) {
      *dt = DT_INT;
      return 0;
    }
    if (!strcmp(s, "bool") || !strcmp(s, "bool_")) {
      *dt = DT_BOOL;
      return 0;
    }
  }
  return jx_raisei(I, E_TYPE, "astype: unknown dtype %s (use \"float64\", \"int64\" or \"bool\")",
                   v.tag == T_STR ? AS_STR(v)->s : type_name(v));
}

static Value native_method(Interp *I, Value *args, int nargs, Value self) {
  (void)nargs;
  CFunc *f = AS_CFUNC(self);
  Value x = f->data;
  if (!strcmp(f->def->name, "astype")) {
    DType dt = DT_FLOAT;
    Aval xa;
    if (parse_dtype(I, args[0], &dt) < 0 || aval(I, x, &xa) < 0) return v_exc();
    return convert_to(I, x, &xa, dt);
  }
  /* item */
  Aval xa;
  if (aval(I, x, &xa) < 0) return v_exc();
  if (shape_prod(xa.ndim, xa.shape) != 1)
    return jx_raise(I, E_VALUE, "item: can only convert an array of size 1 to a scalar");
  Params p = PARAMS_INIT;
  p.n = 0;
  return jx_bind(I, P_reshape, &x, &p);
}

static const BuiltinDef native_defs[] = {
    {"astype", native_method, "dtype", "x.astype(dtype): x converted to float64, int64 or bool."},
    {"item", native_method, "", "x.item(): the single element of x as a scalar."},
};

Value jx_getattr(Interp *I, Value x, const char *name) {
  if (x.tag == T_NS) {
    Namespace *ns = (Namespace *)x.u.o;
    Value *v = dict_get(ns->dict, name, strlen(name));
    if (v) return v_incref(*v);
    return jx_raise(I, E_NAME, "namespace '%s' has no member '%s'", ns->name, name);
  }
  if (x.tag == T_OBJ) {
    GenObj *g = (GenObj *)x.u.o;
    if (g->ops->getattr) {
      Value r = g->ops->getattr(I, x.u.o, name);
      if (r.tag != T_UNSET) return r;
    }
    return jx_raise(I, E_TYPE, "'%s' object has no attribute '%s'", g->ops->type_name, name);
  }
  if (is_num(x)) {
    Aval a;
    if (aval(I, x, &a) < 0) return v_exc();
    if (!strcmp(name, "shape")) {
      Value t = tuple_new(I, a.ndim);
      if (IS_EXC(t)) return t;
      for (int k = 0; k < a.ndim; k++) AS_TUPLE(t)->items[k] = v_int(a.shape[k]);
      return t;
    }
    if (!strcmp(name, "ndim")) return v_int(a.ndim);
    if (!strcmp(name, "size")) return v_int(shape_prod(a.ndim, a.shape));
    if (!strcmp(name, "dtype")) return str_from(I, dtype_name((DType)a.dtype));
    if (!strcmp(name, "T")) {
      if (a.ndim < 2) return v_incref(x);
      Params p = PARAMS_INIT;
      p.n = a.ndim;
      for (int k = 0; k < a.ndim; k++) p.a[k] = a.ndim - 1 - k;
      return jx_bind(I, P_transpose, &x, &p);
    }
    if (!strcmp(name, "at")) {
      AtObj *o = obj_new(I, T_OBJ, sizeof(AtObj));
      if (!o) return v_exc();
      o->g.ops = &at_ops;
      o->x = v_incref(x);
      return v_obj(&o->g.hdr);
    }
  }
  Value m = bound_method(I, x, name);
  if (m.tag != T_UNSET) return m;
  if (is_num(x))
    for (size_t k = 0; k < sizeof native_defs / sizeof native_defs[0]; k++)
      if (!strcmp(name, native_defs[k].name)) return cfunc_new(I, &native_defs[k], x);
  return jx_raise(I, E_TYPE, "'%s' object has no attribute '%s'", type_name(x), name);
}

/* ------------------------------------------------------------------ */
/* len, iteration                                                      */

int64_t jx_len(Interp *I, Value x) {
  switch (x.tag) {
  case T_STR: return utf8_count(AS_STR(x));
  case T_TUPLE: return AS_TUPLE(x)->n;
  case T_DICT: return AS_DICT(x)->n;
  case T_ARRAY: return AS_ARRAY(x)->shape[0];
  case T_TRACER: {
    Aval a;
    if (aval(I, x, &a) < 0) return -1;
    if (a.ndim > 0) return a.shape[0];
    break;
  }
  default: break;
  }
  if (is_num(x)) return jx_raisei(I, E_TYPE, "len() of a 0-dimensional value (%s)", type_name(x));
  return jx_raisei(I, E_TYPE, "object of type '%s' has no len()", type_name(x));
}

Value jx_iter_item(Interp *I, Value x, int64_t k) {
  switch (x.tag) {
  case T_TUPLE:
  case T_STR:
  case T_ARRAY:
  case T_TRACER: {
    if (x.tag == T_TRACER) {
      Aval a;
      if (aval(I, x, &a) < 0) return v_exc();
      if (a.ndim == 0) return jx_raise(I, E_TYPE, "iteration over a 0-dimensional array");
    }
    return jx_index(I, x, v_int(k));
  }
  case T_DICT: {
    Dict *d = AS_DICT(x);
    if (k < 0 || k >= d->n)
      return jx_raise(I, E_INDEX, "dict iteration index %lld out of range", (long long)k);
    return v_incref(d->e[k].key);
  }
  default: break;
  }
  if (is_num(x)) return jx_raise(I, E_TYPE, "iteration over a 0-dimensional value (%s)",
                                 type_name(x));
  return jx_raise(I, E_TYPE, "'%s' object is not iterable", type_name(x));
}
