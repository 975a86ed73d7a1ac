/* ops_scalar_tmp.c — TEMPORARY scalar-only operators (stdlib/ops.h) for
 * testing the evaluator before stdlib/ops.c exists.  Compiled only with
 * -DJX_TMP_OPS; the real build never depends on it.  Delete once ops.c
 * has landed. */
#ifdef JX_TMP_OPS
#include <math.h>
#include <string.h>

#include "../stdlib/ops.h"
#include "value.h"

static bool num(Value v, double *d) {
  if (v.tag == T_FLOAT) *d = v.u.f;
  else if (v.tag == T_INT || v.tag == T_BOOL) *d = (double)v.u.i;
  else return false;
  return true;
}

Value jx_binop(Interp *I, BinOp op, Value a, Value b) {
  if (op == OP_ADD && a.tag == T_STR && b.tag == T_STR) {
    Str *x = AS_STR(a), *y = AS_STR(b);
    char *buf = jx_malloc(I, x->len + y->len + 1);
    if (!buf) return v_exc();
    memcpy(buf, x->s, x->len);
    memcpy(buf + x->len, y->s, y->len);
    Value s = str_new(I, buf, x->len + y->len);
    jx_free(buf);
    return s;
  }
  if (op == OP_ADD && a.tag == T_TUPLE && b.tag == T_TUPLE) {
    Tuple *x = AS_TUPLE(a), *y = AS_TUPLE(b);
    Value t = tuple_new(I, x->n + y->n);
    if (IS_EXC(t)) return t;
    for (int64_t i = 0; i < x->n; i++) AS_TUPLE(t)->items[i] = v_incref(x->items[i]);
    for (int64_t i = 0; i < y->n; i++) AS_TUPLE(t)->items[x->n + i] = v_incref(y->items[i]);
    return t;
  }
  if (op == OP_EQ || op == OP_NE) {
    double x, y;
    if (!(num(a, &x) && num(b, &y))) {
      bool eq = values_equal(a, b);
      return v_bool(op == OP_EQ ? eq : !eq);
    }
  }
  double x, y;
  if (!num(a, &x) || !num(b, &y))
    return jx_raise(I, E_TYPE, "unsupported operand types for binary op: %s and %s", type_name(a),
                    type_name(b));
  bool ints = (a.tag != T_FLOAT) && (b.tag != T_FLOAT);
  switch (op) {
  case OP_ADD: return ints ? v_int(a.u.i + b.u.i) : v_float(x + y);
  case OP_SUB: return ints ? v_int(a.u.i - b.u.i) : v_float(x - y);
  case OP_MUL: return ints ? v_int(a.u.i * b.u.i) : v_float(x * y);
  case OP_DIV: return v_float(x / y);
  case OP_FLOORDIV:
    if (ints) {
      if (b.u.i == 0) return jx_raise(I, E_VALUE, "integer division by zero");
      int64_t q = a.u.i / b.u.i;
      if ((a.u.i % b.u.i != 0) && ((a.u.i < 0) != (b.u.i < 0))) q--;
      return v_int(q);
    }
    return v_float(floor(x / y));
  case OP_MOD:
    if (ints) {
      if (b.u.i == 0) return jx_raise(I, E_VALUE, "integer modulo by zero");
      int64_t r = a.u.i % b.u.i;
      if (r != 0 && ((r < 0) != (b.u.i < 0))) r += b.u.i;
      return v_int(r);
    } else {
      double r = fmod(x, y);
      if (r != 0 && ((r < 0) != (y < 0))) r += y;
      return v_float(r);
    }
  case OP_POW:
    if (ints && b.u.i >= 0) {
      int64_t r = 1, base = a.u.i;
      for (int64_t e = b.u.i; e; e >>= 1, base *= base)
        if (e & 1) r *= base;
      return v_int(r);
    }
    return v_float(pow(x, y));
  case OP_EQ: return v_bool(x == y);
  case OP_NE: return v_bool(x != y);
  case OP_LT: return v_bool(x < y);
  case OP_LE: return v_bool(x <= y);
  case OP_GT: return v_bool(x > y);
  case OP_GE: return v_bool(x >= y);
  case OP_BITAND: return v_bool((a.u.i & b.u.i) != 0);
  case OP_BITOR: return v_bool((a.u.i | b.u.i) != 0);
  default: return jx_raise(I, E_TYPE, "operator not supported on scalars");
  }
}

Value jx_unop(Interp *I, UnOp op, Value a) {
  if (op == UOP_NEG && a.tag == T_BOOL) return v_int(-a.u.i);
  if (op == UOP_INVERT && a.tag == T_BOOL) return v_bool(!a.u.i);
  if (a.tag == T_INT || a.tag == T_FLOAT) {
    if (op == UOP_POS) return a;
    if (op == UOP_NEG) return a.tag == T_INT ? v_int(-a.u.i) : v_float(-a.u.f);
    if (a.tag == T_INT) return v_int(~a.u.i);
  }
  return jx_raise(I, E_TYPE, "bad operand type for unary operator: %s", type_name(a));
}

int jx_truth(Interp *I, Value v) {
  switch (v.tag) {
  case T_BOOL: case T_INT: return v.u.i != 0;
  case T_FLOAT: return v.u.f != 0;
  case T_NONE: return 0;
  case T_STR: return AS_STR(v)->len != 0;
  case T_TUPLE: return AS_TUPLE(v)->n != 0;
  case T_DICT: return AS_DICT(v)->n != 0;
  default: return 1;
  }
}

typedef struct {
  GenObj g;
  Value a, b, c;
} SliceObj;
static void slice_free(Obj *o) {
  SliceObj *s = (SliceObj *)o;
  v_decref(s->a);
  v_decref(s->b);
  v_decref(s->c);
  jx_free(o);
}
static const ObjOps slice_ops = {"slice", slice_free, NULL, NULL, NULL, NULL};
Value slice_new(Interp *I, Value start, Value stop, Value step) {
  SliceObj *s = obj_new(I, T_OBJ, sizeof(SliceObj));
  if (!s) return v_exc();
  s->g.ops = &slice_ops;
  s->a = v_incref(start);
  s->b = v_incref(stop);
  s->c = v_incref(step);
  return v_obj(&s->g.hdr);
}
bool is_slice(Value v) { return v.tag == T_OBJ && ((GenObj *)v.u.o)->ops == &slice_ops; }

Value jx_index(Interp *I, Value x, Value idx) {
  if (x.tag == T_TUPLE && idx.tag == T_INT) {
    int64_t k = idx.u.i, n = AS_TUPLE(x)->n;
    if (k < 0) k += n;
    if (k < 0 || k >= n) return jx_raise(I, E_INDEX, "tuple index %lld out of range", (long long)idx.u.i);
    return v_incref(AS_TUPLE(x)->items[k]);
  }
  if (x.tag == T_TUPLE && is_slice(idx)) {
    SliceObj *s = (SliceObj *)idx.u.o;
    int64_t n = AS_TUPLE(x)->n;
    int64_t a = s->a.tag == T_INT ? s->a.u.i : 0, b = s->b.tag == T_INT ? s->b.u.i : n;
    if (a < 0) a += n;
    if (b < 0) b += n;
    if (a < 0) a = 0;
    if (b > n) b = n;
    if (b < a) b = a;
    return tuple_of(I, b - a, AS_TUPLE(x)->items + a);
  }
  if (x.tag == T_DICT && idx.tag == T_STR) {
    Value *p = dict_getv(x, idx);
    if (!p) return jx_raise(I, E_KEY, "key '%s' not found", AS_STR(idx)->s);
    return v_incref(*p);
  }
  if (x.tag == T_STR && idx.tag == T_INT) {
    int64_t k = idx.u.i, n = (int64_t)AS_STR(x)->len;
    if (k < 0) k += n;
    if (k < 0 || k >= n) return jx_raise(I, E_INDEX, "string index out of range");
    return str_new(I, AS_STR(x)->s + k, 1);
  }
  return jx_raise(I, E_TYPE, "cannot index a value of type %s", type_name(x));
}

Value jx_getattr(Interp *I, Value x, const char *name) {
  return jx_raise(I, E_TYPE, "a value of type %s has no attribute '%s'", type_name(x), name);
}

int64_t jx_len(Interp *I, Value x) {
  if (x.tag == T_STR) return (int64_t)AS_STR(x)->len;
  if (x.tag == T_TUPLE) return AS_TUPLE(x)->n;
  if (x.tag == T_DICT) return AS_DICT(x)->n;
  jx_raise(I, E_TYPE, "len() of a value of type %s", type_name(x));
  return -1;
}

Value jx_iter_item(Interp *I, Value x, int64_t k) {
  if (x.tag == T_STR) return str_new(I, AS_STR(x)->s + k, 1);
  return jx_index(I, x, v_int(k));
}
#endif

#ifdef JX_TMP_OPS
/* weak stand-ins for other modules' hooks, so the temporary build links */
#include "../stdlib/array.h"
__attribute__((weak)) void array_free(Obj *o) { jx_free(o); }
__attribute__((weak)) void array_repr(Interp *I, Obj *o, StrBuf *sb) { sb_puts(sb, "<array>"); }
__attribute__((weak)) void tracer_free(Obj *o) { jx_free(o); }
__attribute__((weak)) void tracer_repr(Interp *I, Obj *o, StrBuf *sb) { sb_puts(sb, "<tracer>"); }
__attribute__((weak)) Value arr_from_nested(Interp *I, Value nested, int dt) {
  return jx_raise(I, E_TYPE, "arrays are not available in this build");
}
#endif
