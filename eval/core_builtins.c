/* core_builtins.c — the language-level builtins (print len str repr range
 * argv assert float int bool time keys values items type tree_map …) and
 * the lazy range object.  Arrays, random and transformations register
 * their own tables (see stdlib/builtins.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <time.h>

#include "../stdlib/array.h"
#include "../stdlib/builtins.h"
#include "../stdlib/ops.h"
#include "eval.h"

Value eval_argv(Interp *I);

/* ------------------------------------------------------------------ */
/* range objects                                                       */

static void range_repr(Interp *I, Obj *o, StrBuf *sb) {
  RangeObj *r = (RangeObj *)o;
  if (r->step == 1)
    sb_printf(sb, "range(%lld, %lld)", (long long)r->start, (long long)r->stop);
  else
    sb_printf(sb, "range(%lld, %lld, %lld)", (long long)r->start, (long long)r->stop,
              (long long)r->step);
}

static Value range_index(Interp *I, Obj *o, Value idx) {
  RangeObj *r = (RangeObj *)o;
  if (idx.tag != T_INT && idx.tag != T_BOOL)
    return jx_raise(I, E_TYPE, "range indices must be integers, not %s", type_name(idx));
  int64_t k = idx.u.i;
  if (k < 0) k += r->len;
  if (k < 0 || k >= r->len)
    return jx_raise(I, E_INDEX, "range index %lld out of range for length %lld", (long long)idx.u.i,
                    (long long)r->len);
  return v_int(r->start + k * r->step);
}

static Value range_getattr(Interp *I, Obj *o, const char *name) {
  RangeObj *r = (RangeObj *)o;
  if (!strcmp(name, "start")) return v_int(r->start);
  if (!strcmp(name, "stop")) return v_int(r->stop);
  if (!strcmp(name, "step")) return v_int(r->step);
  return v_unset();
}

static const ObjOps range_ops = {
    .type_name = "range",
    .free = NULL,
    .repr = range_repr,
    .getattr = range_getattr,
    .call = NULL,
    .index = range_index,
};

bool is_range_obj(Value v) { return v.tag == T_OBJ && ((GenObj *)v.u.o)->ops == &range_ops; }

int64_t range_len(Interp *I, int64_t start, int64_t stop, int64_t step) {
  uint64_t n;
  if (step > 0) {
    if (start >= stop) return 0;
    n = ((uint64_t)stop - (uint64_t)start - 1) / (uint64_t)step + 1;
  } else {
    if (start <= stop) return 0;
    n = ((uint64_t)start - (uint64_t)stop - 1) / ((uint64_t)0 - (uint64_t)step) + 1;
  }
  if (n > (uint64_t)INT64_MAX) {
    jx_raise(I, E_VALUE, "range has too many elements");
    return -1;
  }
  return (int64_t)n;
}

Value range_new(Interp *I, int64_t start, int64_t stop, int64_t step) {
  if (step == 0) return jx_raise(I, E_VALUE, "range() step must not be zero");
  int64_t len = range_len(I, start, stop, step);
  if (len < 0) return v_exc();
  RangeObj *r = obj_new(I, T_OBJ, sizeof(RangeObj));
  if (!r) return v_exc();
  r->g.ops = &range_ops;
  r->start = start;
  r->stop = stop;
  r->step = step;
  r->len = len;
  return v_obj(&r->g.hdr);
}

/* ------------------------------------------------------------------ */
/* builtins                                                            */

static Value bi_print(Interp *I, Value *a, int n, Value self) {
  Tuple *t = AS_TUPLE(a[0]);
  StrBuf sb;
  sb_init(&sb);
  for (int64_t i = 0; i < t->n; i++) {
    if (i) sb_putc(&sb, ' ');
    jx_str(I, t->items[i], &sb);
  }
  sb_putc(&sb, '\n');
  if (sb.oom) {
    sb_free(&sb);
    return jx_raise(I, E_MEMORY, "out of memory in print()");
  }
  jx_write(I, sb.s, sb.len);
  sb_free(&sb);
  if (I->err.kind == E_IO) return v_exc(); /* stdout is gone */
  return v_none();
}

static Value bi_len(Interp *I, Value *a, int n, Value self) {
  Value x = a[0];
  switch (x.tag) {
  case T_STR: {
    Str *s = AS_STR(x);
    int64_t c = 0;
    for (size_t i = 0; i < s->len; i++)
      if (((unsigned char)s->s[i] & 0xC0) != 0x80) c++;
    return v_int(c);
  }
  case T_TUPLE: return v_int(AS_TUPLE(x)->n);
  case T_DICT: return v_int(AS_DICT(x)->n);
  case T_OBJ:
    if (is_range_obj(x)) return v_int(((RangeObj *)x.u.o)->len);
    break;
  case T_NONE:
  case T_BOOL:
  case T_INT:
  case T_FLOAT:
  case T_FUNC:
  case T_CFUNC:
  case T_NS: return jx_raise(I, E_TYPE, "len() of a value of type %s", type_name(x));
  default: break;
  }
  int64_t l = jx_len(I, x);
  if (l < 0) return v_exc();
  return v_int(l);
}

static Value bi_str(Interp *I, Value *a, int n, Value self) {
  if (a[0].tag == T_STR) return v_incref(a[0]);
  StrBuf sb;
  sb_init(&sb);
  jx_str(I, a[0], &sb);
  if (sb.oom) {
    sb_free(&sb);
    return jx_raise(I, E_MEMORY, "out of memory in str()");
  }
  Value s = str_new(I, sb.s ? sb.s : "", sb.len);
  sb_free(&sb);
  return s;
}

static Value bi_repr(Interp *I, Value *a, int n, Value self) {
  StrBuf sb;
  sb_init(&sb);
  jx_repr(I, a[0], &sb);
  if (sb.oom) {
    sb_free(&sb);
    return jx_raise(I, E_MEMORY, "out of memory in repr()");
  }
  Value s = str_new(I, sb.s ? sb.s : "", sb.len);
  sb_free(&sb);
  return s;
}

static int int_arg(Interp *I, Value v, const char *what, int64_t *out) {
  if (v.tag == T_INT || v.tag == T_BOOL) {
    *out = v.u.i;
    return 0;
  }
  return jx_raisei(I, E_TYPE, "range() %s must be an integer, not %s", what, type_name(v));
}

static Value bi_range(Interp *I, Value *a, int n, Value self) {
  int64_t start = 0, stop = 0, step = 1;
  if (a[1].tag == T_NONE || a[1].tag == T_UNSET) {
    if (int_arg(I, a[0], "stop", &stop) < 0) return v_exc();
  } else {
    if (int_arg(I, a[0], "start", &start) < 0 || int_arg(I, a[1], "stop", &stop) < 0)
      return v_exc();
  }
  if (int_arg(I, a[2], "step", &step) < 0) return v_exc();
  return range_new(I, start, stop, step);
}

bool eval_is_range(Value v) { return v.tag == T_CFUNC && AS_CFUNC(v)->def->fn == bi_range; }

static Value bi_argv(Interp *I, Value *a, int n, Value self) { return eval_argv(I); }

static Value bi_assert(Interp *I, Value *a, int n, Value self) {
  int t = eval_truth(I, a[0]);
  if (t < 0) return v_exc();
  if (t) return v_none();
  if (a[1].tag == T_UNSET || a[1].tag == T_NONE)
    return jx_raise(I, E_ASSERTION, "assertion failed");
  StrBuf sb;
  sb_init(&sb);
  jx_str(I, a[1], &sb);
  jx_raise(I, E_ASSERTION, "%s", sb.s ? sb.s : "");
  sb_free(&sb);
  return v_exc();
}

/* The single element of a size-1 numeric array, or an error. */
static int array_scalar(Interp *I, Value v, const char *fname, Value *out) {
  Array *arr = AS_ARRAY(v);
  if (arr->size != 1) {
    StrBuf sb;
    sb_init(&sb);
    sb_putc(&sb, '(');
    for (int i = 0; i < arr->ndim; i++)
      sb_printf(&sb, i ? ", %lld" : "%lld", (long long)arr->shape[i]);
    if (arr->ndim == 1) sb_putc(&sb, ',');
    sb_putc(&sb, ')');
    jx_raise(I, E_TYPE, "%s() needs a scalar, not an array of shape %s (use sum, mean or x[i])",
             fname, sb.s ? sb.s : "");
    sb_free(&sb);
    return -1;
  }
  switch (arr->dtype) {
  case DT_BOOL: *out = v_bool(ARR_B(arr)[0] != 0); break;
  case DT_INT: *out = v_int(ARR_I(arr)[0]); break;
  default: *out = v_float(ARR_F(arr)[0]); break;
  }
  return 0;
}

/* Copy of a string without '_' separators and surrounding spaces. */
static char *clean_number(Interp *I, Str *s) {
  const char *b = s->s, *e = s->s + s->len;
  while (b < e && (*b == ' ' || *b == '\t' || *b == '\n')) b++;
  while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n')) e--;
  char *buf = jx_malloc(I, (size_t)(e - b) + 1);
  if (!buf) return NULL;
  size_t k = 0;
  for (const char *p = b; p < e; p++) {
    if (*p == '_' && p > b && p + 1 < e && p[-1] >= '0' && p[-1] <= '9' && p[1] >= '0' &&
        p[1] <= '9')
      continue;
    buf[k++] = *p;
  }
  buf[k] = 0;
  return buf;
}

static Value bi_float(Interp *I, Value *a, int n, Value self) {
  Value x = a[0];
  if (x.tag == T_UNSET) return v_float(0.0);
  switch (x.tag) {
  case T_FLOAT: return x;
  case T_INT:
  case T_BOOL: return v_float((double)x.u.i);
  case T_STR: {
    char *buf = clean_number(I, AS_STR(x));
    if (!buf) return v_exc();
    char *end;
    double d = strtod(buf, &end);
    bool ok = *buf && *end == 0;
    jx_free(buf);
    if (!ok) {
      StrBuf sb;
      sb_init(&sb);
      jx_repr(I, x, &sb);
      jx_raise(I, E_VALUE, "could not convert string to float: %s", sb.s ? sb.s : "");
      sb_free(&sb);
      return v_exc();
    }
    return v_float(d);
  }
  case T_ARRAY: {
    Value s;
    if (array_scalar(I, x, "float", &s) < 0) return v_exc();
    return v_float(s.tag == T_FLOAT ? s.u.f : (double)s.u.i);
  }
  case T_TRACER:
    return jx_raise(I, E_TYPE,
                    "float() of a traced value: the value is not known while transforming "
                    "(keep it an array, or convert outside grad/vmap/jit)");
  default: return jx_raise(I, E_TYPE, "float() of a value of type %s", type_name(x));
  }
}

static Value float_to_int(Interp *I, double d) {
  if (isnan(d)) return jx_raise(I, E_VALUE, "cannot convert nan to int");
  if (isinf(d)) return jx_raise(I, E_VALUE, "cannot convert %sinf to int", d < 0 ? "-" : "");
  double t = trunc(d);
  if (t >= 9223372036854775808.0 || t < -9223372036854775808.0)
    return jx_raise(I, E_VALUE, "%g is out of the int64 range", d);
  return v_int((int64_t)t);
}

static Value bi_int(Interp *I, Value *a, int n, Value self) {
  Value x = a[0];
  if (x.tag == T_UNSET) return v_int(0);
  switch (x.tag) {
  case T_INT: return x;
  case T_BOOL: return v_int(x.u.i);
  case T_FLOAT: return float_to_int(I, x.u.f);
  case T_STR: {
    char *buf = clean_number(I, AS_STR(x));
    if (!buf) return v_exc();
    char *end;
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    bool ok = *buf && *end == 0 && errno == 0;
    jx_free(buf);
    if (!ok) {
      StrBuf sb;
      sb_init(&sb);
      jx_repr(I, x, &sb);
      jx_raise(I, E_VALUE, "invalid literal for int(): %s", sb.s ? sb.s : "");
      sb_free(&sb);
      return v_exc();
    }
    return v_int(v);
  }
  case T_ARRAY: {
    Value s;
    if (array_scalar(I, x, "int", &s) < 0) return v_exc();
    if (s.tag == T_FLOAT) return float_to_int(I, s.u.f);
    return v_int(s.u.i);
  }
  case T_TRACER:
    return jx_raise(I, E_TYPE,
                    "int() of a traced value: the value is not known while transforming");
  default: return jx_raise(I, E_TYPE, "int() of a value of type %s", type_name(x));
  }
}

static Value bi_bool(Interp *I, Value *a, int n, Value self) {
  if (a[0].tag == T_UNSET) return v_bool(false);
  int t = eval_truth(I, a[0]);
  if (t < 0) return v_exc();
  return v_bool(t);
}

static Value bi_time(Interp *I, Value *a, int n, Value self) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return v_float((double)ts.tv_sec + (double)ts.tv_nsec * 1e-9);
}

static Value dict_part(Interp *I, Value d, const char *fname, int which) {
  if (d.tag != T_DICT) return jx_raise(I, E_TYPE, "%s() needs a dict, not %s", fname, type_name(d));
  Dict *dd = AS_DICT(d);
  Value t = tuple_new(I, dd->n);
  if (IS_EXC(t)) return t;
  for (int64_t i = 0; i < dd->n; i++) {
    Value v;
    if (which == 0)
      v = v_incref(dd->e[i].key);
    else if (which == 1)
      v = v_incref(dd->e[i].val);
    else {
      Value kv[2] = {dd->e[i].key, dd->e[i].val};
      v = tuple_of(I, 2, kv);
      if (IS_EXC(v)) {
        v_decref(t);
        return v;
      }
    }
    AS_TUPLE(t)->items[i] = v;
  }
  return t;
}

static Value bi_keys(Interp *I, Value *a, int n, Value self) {
  return dict_part(I, a[0], "keys", 0);
}
static Value bi_values(Interp *I, Value *a, int n, Value self) {
  return dict_part(I, a[0], "values", 1);
}
static Value bi_items(Interp *I, Value *a, int n, Value self) {
  return dict_part(I, a[0], "items", 2);
}

static Value bi_type(Interp *I, Value *a, int n, Value self) {
  return str_from(I, type_name(a[0]));
}

static Value bi_format(Interp *I, Value *a, int n, Value self) {
  const char *spec = "";
  if (a[1].tag == T_STR)
    spec = AS_STR(a[1])->s;
  else if (a[1].tag != T_UNSET && a[1].tag != T_NONE)
    return jx_raise(I, E_TYPE, "format() spec must be a string, not %s", type_name(a[1]));
  StrBuf sb;
  sb_init(&sb);
  if (fmt_spec(I, a[0], 0, spec, &sb) < 0) {
    sb_free(&sb);
    return v_exc();
  }
  Value s = str_new(I, sb.s ? sb.s : "", sb.len);
  sb_free(&sb);
  return s;
}

/* ---- tree_map --------------------------------------------------------- */

#define TREE_MAX_DEPTH 1000

static Value tmap(Interp *I, Value f, Value tree, const Value *rest, int nrest, int depth) {
  if (depth > TREE_MAX_DEPTH)
    return jx_raise(I, E_RECURSION, "tree_map: tree nested more than %d levels", TREE_MAX_DEPTH);
  if (tree.tag == T_TUPLE || tree.tag == T_DICT) {
    int64_t len = tree.tag == T_TUPLE ? AS_TUPLE(tree)->n : AS_DICT(tree)->n;
    for (int j = 0; j < nrest; j++) {
      Value r = rest[j];
      if (r.tag != tree.tag || (tree.tag == T_TUPLE ? AS_TUPLE(r)->n : AS_DICT(r)->n) != len)
        return jx_raise(I, E_VALUE,
                        "tree_map: tree %d has a different structure from the first tree "
                        "(%s of %lld vs %s)",
                        j + 2, type_name(tree), (long long)len, type_name(r));
    }
    Value out = tree.tag == T_TUPLE ? tuple_new(I, len) : dict_new(I);
    if (IS_EXC(out)) return out;
    Value sub[nrest > 0 ? nrest : 1];
    for (int64_t i = 0; i < len; i++) {
      Value child, key = v_none();
      if (tree.tag == T_TUPLE) {
        child = AS_TUPLE(tree)->items[i];
        for (int j = 0; j < nrest; j++) sub[j] = AS_TUPLE(rest[j])->items[i];
      } else {
        key = AS_DICT(tree)->e[i].key;
        child = AS_DICT(tree)->e[i].val;
        for (int j = 0; j < nrest; j++) {
          Value *p = dict_getv(rest[j], key);
          if (!p) {
            v_decref(out);
            return jx_raise(I, E_VALUE, "tree_map: key '%s' missing from tree %d", AS_STR(key)->s,
                            j + 2);
          }
          sub[j] = *p;
        }
      }
      Value r = tmap(I, f, child, sub, nrest, depth + 1);
      if (IS_EXC(r)) {
        v_decref(out);
        return r;
      }
      if (tree.tag == T_TUPLE) {
        AS_TUPLE(out)->items[i] = r;
      } else {
        int rc = dict_set(I, out, key, r);
        v_decref(r);
        if (rc < 0) {
          v_decref(out);
          return v_exc();
        }
      }
    }
    return out;
  }
  if (tree.tag == T_NONE) return v_none();
  Value args[nrest + 1];
  args[0] = tree;
  for (int j = 0; j < nrest; j++) args[j + 1] = rest[j];
  return jx_call(I, f, nrest + 1, args, 0, NULL, NULL);
}

static Value bi_tree_map(Interp *I, Value *a, int n, Value self) {
  Tuple *rest = AS_TUPLE(a[2]);
  if (rest->n > 64) return jx_raise(I, E_VALUE, "tree_map: too many trees");
  return tmap(I, a[0], a[1], rest->items, (int)rest->n, 0);
}

/* ---- enumerate / zip --------------------------------------------------- */

static int64_t seq_len(Interp *I, Value x, const char *fname) {
  switch (x.tag) {
  case T_TUPLE: return AS_TUPLE(x)->n;
  case T_DICT: return AS_DICT(x)->n;
  case T_OBJ:
    if (is_range_obj(x)) return ((RangeObj *)x.u.o)->len;
    break;
  case T_NONE:
  case T_BOOL:
  case T_INT:
  case T_FLOAT:
  case T_FUNC:
  case T_CFUNC:
  case T_NS:
    jx_raise(I, E_TYPE, "%s() cannot iterate over a value of type %s", fname, type_name(x));
    return -1;
  default: break;
  }
  return jx_len(I, x);
}

static Value seq_item(Interp *I, Value x, int64_t k) {
  if (x.tag == T_TUPLE) return v_incref(AS_TUPLE(x)->items[k]);
  if (x.tag == T_DICT) return v_incref(AS_DICT(x)->e[k].key);
  if (is_range_obj(x)) {
    RangeObj *r = (RangeObj *)x.u.o;
    return v_int(r->start + k * r->step);
  }
  return jx_iter_item(I, x, k);
}

static Value bi_enumerate(Interp *I, Value *a, int n, Value self) {
  int64_t start = 0;
  if (a[1].tag == T_INT)
    start = a[1].u.i;
  else if (a[1].tag != T_UNSET)
    return jx_raise(I, E_TYPE, "enumerate() start must be an integer");
  int64_t len = seq_len(I, a[0], "enumerate");
  if (len < 0) return v_exc();
  if (len > 0 && start > INT64_MAX - (len - 1))
    return jx_raise(I, E_VALUE, "enumerate() start %lld: the indices would overflow int64",
                    (long long)start);
  Value t = tuple_new(I, len);
  if (IS_EXC(t)) return t;
  for (int64_t i = 0; i < len; i++) {
    Value it = seq_item(I, a[0], i);
    if (IS_EXC(it)) {
      v_decref(t);
      return it;
    }
    Value pair = tuple_new(I, 2);
    if (IS_EXC(pair)) {
      v_decref(it);
      v_decref(t);
      return pair;
    }
    AS_TUPLE(pair)->items[0] = v_int(start + i);
    AS_TUPLE(pair)->items[1] = it;
    AS_TUPLE(t)->items[i] = pair;
  }
  return t;
}

static Value bi_zip(Interp *I, Value *a, int n, Value self) {
  Tuple *seqs = AS_TUPLE(a[0]);
  int64_t len = seqs->n ? INT64_MAX : 0;
  for (int64_t j = 0; j < seqs->n; j++) {
    int64_t l = seq_len(I, seqs->items[j], "zip");
    if (l < 0) return v_exc();
    if (l < len) len = l;
  }
  Value t = tuple_new(I, len);
  if (IS_EXC(t)) return t;
  for (int64_t i = 0; i < len; i++) {
    Value row = tuple_new(I, seqs->n);
    if (IS_EXC(row)) {
      v_decref(t);
      return row;
    }
    AS_TUPLE(t)->items[i] = row;
    for (int64_t j = 0; j < seqs->n; j++) {
      Value it = seq_item(I, seqs->items[j], i);
      if (IS_EXC(it)) {
        v_decref(t);
        return it;
      }
      AS_TUPLE(row)->items[j] = it;
    }
  }
  return t;
}

/* ------------------------------------------------------------------ */
/* the table                                                           */

const BuiltinDef core_builtins[] = {
    {"print", bi_print, "*args",
     "Write the values, separated by spaces, then a newline. Strings print without quotes, "
     "other values as their repr.\nExample: print(\"loss\", 0.5, (1, 2))  # loss 0.5 (1, 2)"},
    {"len", bi_len, "x",
     "Length of a string (in characters), tuple, dict, range, or array (its first axis).\n"
     "Example: len((1, 2, 3))  # 3;  len(zeros((4, 2)))  # 4"},
    {"str", bi_str, "x",
     "The text of a value, as print shows it (strings unchanged, numbers as Python does).\n"
     "Example: \"step \" + str(3)  # 'step 3'"},
    {"repr", bi_repr, "x",
     "The printed representation of a value: strings quoted, floats as the shortest text that "
     "reads back.\nExample: repr(\"a\")  # \"'a'\";  repr(0.1)  # '0.1'"},
    {"range", bi_range, "start, stop=None, step=1",
     "The integers start, start+step, … before stop, as a lazy sequence; range(n) counts 0..n-1. "
     "`for i in range(n)` allocates nothing per step.\nExample: for i in range(2, 10, 3) { "
     "print(i) }  # 2 5 8"},
    {"argv", bi_argv, "",
     "The command-line arguments after the script name, as a tuple of strings.\n"
     "Example: jx train.jx 10 fast  →  argv()  # ('10', 'fast')"},
    {"assert", bi_assert, "cond, msg=None",
     "Raise an AssertionError with msg (or \"assertion failed\") unless cond is true.\n"
     "Example: assert(len(xs) > 0, \"no data\")"},
    {"float", bi_float, "x=0.0",
     "Convert a scalar, a 0-d or size-1 array, or a numeric string to a float.\n"
     "Example: float(3)  # 3.0;  float(sum(x))  # a Python-style float;  float(\"1e-3\")  # 0.001"},
    {"int", bi_int, "x=0",
     "Convert a scalar, a size-1 array or a numeric string to an integer, truncating floats "
     "toward zero.\nExample: int(2.9)  # 2;  int(-2.9)  # -2;  int(\"1_000\")  # 1000"},
    {"bool", bi_bool, "x=False",
     "Truth value: zero numbers, None and empty strings/tuples/dicts are False. A non-scalar "
     "array is an error (use all/any).\nExample: bool(0.0)  # False;  bool((1,))  # True"},
    {"time", bi_time, "",
     "A monotonic clock in seconds (float), for timing code.\n"
     "Example: let t0 = time(); work(); print(f\"{time() - t0:.3f} s\")"},
    {"keys", bi_keys, "d",
     "The keys of a dict, in insertion order, as a tuple.\n"
     "Example: keys({\"W\": 1, \"b\": 2})  # ('W', 'b')"},
    {"values", bi_values, "d",
     "The values of a dict, in insertion order, as a tuple.\n"
     "Example: values({\"W\": 1, \"b\": 2})  # (1, 2)"},
    {"items", bi_items, "d",
     "The (key, value) pairs of a dict, in insertion order, as a tuple of tuples.\n"
     "Example: for k, v in items(params) { print(k, v.shape) }"},
    {"type", bi_type, "x",
     "The name of a value's type: 'int', 'float', 'bool', 'None', 'string', 'tuple', 'dict', "
     "'function', 'array', 'range', ….\nExample: type(1.5)  # 'float'"},
    {"format", bi_format, "x, spec=''",
     "Format a value with a Python-style spec, as f\"{x:spec}\" does.\n"
     "Example: format(3.14159, \".2f\")  # '3.14';  format(42, \">5\")  # '   42'"},
    {"tree_map", bi_tree_map, "f, tree, *rest",
     "Apply f to every leaf of a pytree (nested tuples and dicts; None is an empty subtree) "
     "and rebuild the same structure. With more trees of the same structure, f receives one "
     "leaf of each.\nExample: tree_map(fn(p, g) => p - 0.1 * g, params, grads)"},
    {"enumerate", bi_enumerate, "xs, start=0",
     "Pairs (index, item) of a tuple, range, dict (keys) or array (first axis), as a tuple.\n"
     "Example: for i, x in enumerate((\"a\", \"b\")) { print(i, x) }  # 0 a / 1 b"},
    {"zip", bi_zip, "*seqs",
     "Tuples of corresponding items of several sequences, as long as the shortest.\n"
     "Example: zip((1, 2), (\"a\", \"b\"))  # ((1, 'a'), (2, 'b'))"},
    {NULL, NULL, NULL, NULL},
};
