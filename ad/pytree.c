/* pytree.c — flatten / unflatten / map over tuples and dicts. */
#include "pytree.h"

#include <string.h>

#define TREE_MAX_DEPTH 200

void vvec_free(VVec *vv) {
  for (int64_t i = 0; i < vv->n; i++) v_decref(vv->v[i]);
  jx_free(vv->v);
  memset(vv, 0, sizeof *vv);
}

int vvec_push(Interp *I, VVec *vv, Value v) {
  if (vv->n == vv->cap) {
    int64_t cap = vv->cap ? vv->cap * 2 : 8;
    Value *nv = jx_realloc(I, vv->v, (size_t)cap * sizeof(Value));
    if (!nv) return -1;
    vv->v = nv;
    vv->cap = cap;
  }
  vv->v[vv->n++] = v_incref(v);
  return 0;
}

static int flatten_rec(Interp *I, Value t, VVec *out, int depth) {
  if (depth > TREE_MAX_DEPTH) return jx_raisei(I, E_RECURSION, "pytree nested too deeply");
  if (t.tag == T_TUPLE) {
    Tuple *tu = AS_TUPLE(t);
    for (int64_t i = 0; i < tu->n; i++)
      if (flatten_rec(I, tu->items[i], out, depth + 1) < 0) return -1;
    return 0;
  }
  if (t.tag == T_DICT) {
    Dict *d = AS_DICT(t);
    for (int64_t i = 0; i < d->n; i++)
      if (flatten_rec(I, d->e[i].val, out, depth + 1) < 0) return -1;
    return 0;
  }
  return vvec_push(I, out, t);
}

int tree_flatten(Interp *I, Value tree, VVec *out) { return flatten_rec(I, tree, out, 0); }

static Value unflatten_rec(Interp *I, Value like, const Value *leaves, int64_t nleaves,
                           int64_t *pos, int depth) {
  if (depth > TREE_MAX_DEPTH) return jx_raise(I, E_RECURSION, "pytree nested too deeply");
  if (like.tag == T_TUPLE) {
    Tuple *tu = AS_TUPLE(like);
    Value r = tuple_new(I, tu->n);
    if (IS_EXC(r)) return r;
    for (int64_t i = 0; i < tu->n; i++) {
      Value c = unflatten_rec(I, tu->items[i], leaves, nleaves, pos, depth + 1);
      if (IS_EXC(c)) {
        v_decref(r);
        return c;
      }
      AS_TUPLE(r)->items[i] = c;
    }
    return r;
  }
  if (like.tag == T_DICT) {
    Dict *d = AS_DICT(like);
    Value r = dict_new(I);
    if (IS_EXC(r)) return r;
    for (int64_t i = 0; i < d->n; i++) {
      Value c = unflatten_rec(I, d->e[i].val, leaves, nleaves, pos, depth + 1);
      if (IS_EXC(c) || dict_set(I, r, d->e[i].key, c) < 0) {
        v_decref(c);
        v_decref(r);
        return v_exc();
      }
      v_decref(c);
    }
    return r;
  }
  if (*pos >= nleaves) return jx_raise(I, E_VALUE, "pytree has fewer leaves than expected");
  return v_incref(leaves[(*pos)++]);
}

Value tree_unflatten(Interp *I, Value like, const Value *leaves, int64_t nleaves, int64_t *pos) {
  return unflatten_rec(I, like, leaves, nleaves, pos, 0);
}

static Value map_rec(Interp *I, Value t, LeafFn fn, void *ctx, int depth) {
  if (depth > TREE_MAX_DEPTH) return jx_raise(I, E_RECURSION, "pytree nested too deeply");
  if (t.tag == T_TUPLE) {
    Tuple *tu = AS_TUPLE(t);
    Value r = tuple_new(I, tu->n);
    if (IS_EXC(r)) return r;
    for (int64_t i = 0; i < tu->n; i++) {
      Value c = map_rec(I, tu->items[i], fn, ctx, depth + 1);
      if (IS_EXC(c)) {
        v_decref(r);
        return c;
      }
      AS_TUPLE(r)->items[i] = c;
    }
    return r;
  }
  if (t.tag == T_DICT) {
    Dict *d = AS_DICT(t);
    Value r = dict_new(I);
    if (IS_EXC(r)) return r;
    for (int64_t i = 0; i < d->n; i++) {
      Value c = map_rec(I, d->e[i].val, fn, ctx, depth + 1);
      if (IS_EXC(c) || dict_set(I, r, d->e[i].key, c) < 0) {
        v_decref(c);
        v_decref(r);
        return v_exc();
      }
      v_decref(c);
    }
    return r;
  }
  return fn(I, t, ctx);
}

Value tree_map_c(Interp *I, Value tree, LeafFn fn, void *ctx) {
  return map_rec(I, tree, fn, ctx, 0);
}

bool tree_same_structure(Value a, Value b) {
  if (a.tag == T_TUPLE || b.tag == T_TUPLE) {
    if (a.tag != b.tag || AS_TUPLE(a)->n != AS_TUPLE(b)->n) return false;
    for (int64_t i = 0; i < AS_TUPLE(a)->n; i++)
      if (!tree_same_structure(AS_TUPLE(a)->items[i], AS_TUPLE(b)->items[i])) return false;
    return true;
  }
  if (a.tag == T_DICT || b.tag == T_DICT) {
    if (a.tag != b.tag || AS_DICT(a)->n != AS_DICT(b)->n) return false;
    for (int64_t i = 0; i < AS_DICT(a)->n; i++) {
      if (!values_equal(AS_DICT(a)->e[i].key, AS_DICT(b)->e[i].key)) return false;
      if (!tree_same_structure(AS_DICT(a)->e[i].val, AS_DICT(b)->e[i].val)) return false;
    }
    return true;
  }
  return true;
}

void tree_structure_str(Value t, StrBuf *sb) {
  if (t.tag == T_TUPLE) {
    sb_putc(sb, '(');
    for (int64_t i = 0; i < AS_TUPLE(t)->n; i++) {
      if (i) sb_puts(sb, ", ");
      tree_structure_str(AS_TUPLE(t)->items[i], sb);
    }
    if (AS_TUPLE(t)->n == 1) sb_putc(sb, ',');
    sb_putc(sb, ')');
  } else if (t.tag == T_DICT) {
    sb_putc(sb, '{');
    for (int64_t i = 0; i < AS_DICT(t)->n; i++) {
      if (i) sb_puts(sb, ", ");
      sb_printf(sb, "'%s': ", AS_STR(AS_DICT(t)->e[i].key)->s);
      tree_structure_str(AS_DICT(t)->e[i].val, sb);
    }
    sb_putc(sb, '}');
  } else {
    sb_putc(sb, '*');
  }
}
