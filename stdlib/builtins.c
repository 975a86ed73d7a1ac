/* builtins.c — the builtin registry (see builtins.h): registers every
 * BuiltinDef table into I->builtins, builds the namespaces (random. nn.
 * linalg.) and their aliases (jnp. np. jax. lax., jax.numpy, jax.lax,
 * jax.nn, jax.random, jnp.linalg), finds rows for :help, and provides the
 * argument helpers builtins use. */
#include "builtins.h"

#include <stdlib.h>
#include <string.h>

#include "../eval/eval.h"
#include "array.h"

/* Fallbacks so that a partial tree links; the real tables override them. */
__attribute__((weak)) const BuiltinDef array_builtins[] = {{NULL, NULL, NULL, NULL}};
__attribute__((weak)) const BuiltinDef random_builtins[] = {{NULL, NULL, NULL, NULL}};
__attribute__((weak)) const BuiltinDef ad_builtins[] = {{NULL, NULL, NULL, NULL}};
__attribute__((weak)) const BuiltinDef teach_builtins[] = {{NULL, NULL, NULL, NULL}};

static const BuiltinDef *const tables[] = {core_builtins, array_builtins, random_builtins,
                                           ad_builtins, teach_builtins};
#define NTABLES (int)(sizeof tables / sizeof tables[0])

/* namespaces that always exist, and the aliases of the global builtins */
static const char *const base_ns[] = {"random", "nn", "linalg"};
static const char *const alias_ns[] = {"jnp", "np", "jax", "lax"};

/* ------------------------------------------------------------------ */
/* namespaces                                                          */

static Value ns_new(Interp *I, const char *name, Value dict) {
  size_t n = strlen(name);
  Namespace *ns = obj_new(I, T_NS, sizeof(Namespace) + n + 1);
  if (!ns) return v_exc();
  char *nm = (char *)(ns + 1);
  memcpy(nm, name, n + 1);
  ns->name = nm;
  ns->dict = v_incref(dict);
  return v_obj(&ns->hdr);
}

/* The namespace `name` in the builtins, created (with a fresh dict) if
 * absent.  Borrowed; v_exc() on error. */
static Value ns_get(Interp *I, const char *name, size_t len) {
  Value *p = dict_get(I->builtins, name, len);
  if (p && p->tag == T_NS) return *p;
  if (p) return jx_raise(I, E_NAME, "builtin '%.*s' is not a namespace", (int)len, name);
  char *nm = jx_malloc(I, len + 1);
  if (!nm) return v_exc();
  memcpy(nm, name, len);
  nm[len] = 0;
  Value d = dict_new(I);
  Value ns = IS_EXC(d) ? d : ns_new(I, nm, d);
  if (!IS_EXC(d)) v_decref(d);
  int rc = IS_EXC(ns) ? -1 : dict_sets(I, I->builtins, nm, ns);
  jx_free(nm);
  if (!IS_EXC(ns)) v_decref(ns);
  if (rc < 0) return v_exc();
  eval_globals_changed(I);
  return *dict_get(I->builtins, name, len);
}

int builtins_set(Interp *I, const char *name, Value v) {
  const char *dot = strchr(name, '.');
  if (!dot) {
    bool existed = dict_get(I->builtins, name, strlen(name)) != NULL;
    if (dict_sets(I, I->builtins, name, v) < 0) return -1;
    if (!existed) eval_globals_changed(I);
    return 0;
  }
  Value ns = ns_get(I, name, (size_t)(dot - name));
  if (IS_EXC(ns)) return -1;
  return dict_sets(I, ((Namespace *)ns.u.o)->dict, dot + 1, v);
}

int builtins_sync_aliases(Interp *I) {
  Value jnp = ns_get(I, "jnp", 3);
  Value jax = ns_get(I, "jax", 3);
  Value lax = ns_get(I, "lax", 3);
  if (IS_EXC(jnp) || IS_EXC(jax) || IS_EXC(lax)) return -1;
  Value jd = ((Namespace *)jnp.u.o)->dict, xd = ((Namespace *)jax.u.o)->dict,
        ld = ((Namespace *)lax.u.o)->dict;
  Dict *b = AS_DICT(I->builtins);
  for (int64_t i = 0; i < b->n; i++) {
    Value k = b->e[i].key, v = b->e[i].val;
    if (v.tag == T_NS) continue;
    if (dict_set(I, jd, k, v) < 0 || dict_set(I, xd, k, v) < 0 || dict_set(I, ld, k, v) < 0)
      return -1;
  }
  /* sub-namespaces */
  Value *lin = dict_get(I->builtins, "linalg", 6);
  Value *nn = dict_get(I->builtins, "nn", 2);
  Value *rnd = dict_get(I->builtins, "random", 6);
  if (lin && dict_sets(I, jd, "linalg", *lin) < 0) return -1;
  if (dict_sets(I, xd, "numpy", jnp) < 0 || dict_sets(I, xd, "lax", lax) < 0) return -1;
  if (nn && dict_sets(I, xd, "nn", *nn) < 0) return -1;
  if (rnd && dict_sets(I, xd, "random", *rnd) < 0) return -1;
  return 0;
}

int builtins_register(Interp *I) {
  if (eval_init(I) < 0) return -1;
  for (size_t i = 0; i < sizeof base_ns / sizeof base_ns[0]; i++)
    if (IS_EXC(ns_get(I, base_ns[i], strlen(base_ns[i])))) return -1;
  for (int t = 0; t < NTABLES; t++) {
    for (const BuiltinDef *d = tables[t]; d->name; d++) {
      Value f = cfunc_new(I, d, v_none());
      if (IS_EXC(f)) return -1;
      int rc = builtins_set(I, d->name, f);
      v_decref(f);
      if (rc < 0) return -1;
    }
  }
  /* jnp and np share one dict (so np.linalg works too) */
  Value jnp = ns_get(I, "jnp", 3);
  if (IS_EXC(jnp)) return -1;
  if (!dict_get(I->builtins, "np", 2)) {
    Value np = ns_new(I, "np", ((Namespace *)jnp.u.o)->dict);
    if (IS_EXC(np)) return -1;
    int rc = dict_sets(I, I->builtins, "np", np);
    v_decref(np);
    if (rc < 0) return -1;
  }
  for (size_t i = 0; i < sizeof alias_ns / sizeof alias_ns[0]; i++)
    if (IS_EXC(ns_get(I, alias_ns[i], strlen(alias_ns[i])))) return -1;
  eval_globals_changed(I);
  return builtins_sync_aliases(I);
}

/* ------------------------------------------------------------------ */
/* lookup for :help and completion                                     */

static const BuiltinDef *find_exact(const char *name) {
  for (int t = 0; t < NTABLES; t++)
    for (const BuiltinDef *d = tables[t]; d->name; d++)
      if (strcmp(d->name, name) == 0) return d;
  return NULL;
}

const BuiltinDef *builtins_find(const char *name) {
  const BuiltinDef *d = find_exact(name);
  if (d) return d;
  /* strip alias prefixes: jax.numpy.X, jax.random.X, jnp.X, np.X, jax.X, lax.X */
  static const struct {
    const char *prefix, *repl;
  } map[] = {{"jax.numpy.linalg.", "linalg."},
             {"jax.numpy.", ""},
             {"jax.random.", "random."},
             {"jax.nn.", "nn."},
             {"jax.lax.", ""},
             {"jnp.linalg.", "linalg."},
             {"np.linalg.", "linalg."},
             {"jnp.", ""},
             {"np.", ""},
             {"jax.", ""},
             {"lax.", ""}};
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
    size_t pl = strlen(map[i].prefix);
    if (strncmp(name, map[i].prefix, pl) != 0) continue;
    size_t rl = strlen(map[i].repl), nl = strlen(name + pl);
    char *buf = malloc(rl + nl + 1);
    if (!buf) return NULL;
    memcpy(buf, map[i].repl, rl);
    memcpy(buf + rl, name + pl, nl + 1);
    d = find_exact(buf);
    free(buf);
    if (d) return d;
  }
  return NULL;
}

const BuiltinDef *builtins_at(int k) {
  if (k < 0) return NULL;
  for (int t = 0; t < NTABLES; t++)
    for (const BuiltinDef *d = tables[t]; d->name; d++)
      if (k-- == 0) return d;
  return NULL;
}

/* ------------------------------------------------------------------ */
/* argument helpers                                                    */

int arg_int(Interp *I, Value v, const char *fname, const char *pname, int64_t *out) {
  if (v.tag == T_INT || v.tag == T_BOOL) {
    *out = v.u.i;
    return 0;
  }
  return jx_raisei(I, E_TYPE, "%s() argument '%s' must be an integer, not %s", fname, pname,
                   type_name(v));
}

int arg_float(Interp *I, Value v, const char *fname, const char *pname, double *out) {
  if (v.tag == T_FLOAT) {
    *out = v.u.f;
    return 0;
  }
  if (v.tag == T_INT || v.tag == T_BOOL) {
    *out = (double)v.u.i;
    return 0;
  }
  return jx_raisei(I, E_TYPE, "%s() argument '%s' must be a number, not %s", fname, pname,
                   type_name(v));
}

int arg_bool(Interp *I, Value v, const char *fname, const char *pname, bool *out) {
  if (v.tag == T_BOOL || v.tag == T_INT) {
    *out = v.u.i != 0;
    return 0;
  }
  return jx_raisei(I, E_TYPE, "%s() argument '%s' must be True or False, not %s", fname, pname,
                   type_name(v));
}

static int shape_dim(Interp *I, Value v, const char *fname, const char *pname, int64_t *out) {
  if (v.tag != T_INT && v.tag != T_BOOL)
    return jx_raisei(I, E_TYPE, "%s() argument '%s': a shape holds integers, not %s", fname, pname,
                     type_name(v));
  if (v.u.i < 0)
    return jx_raisei(I, E_VALUE, "%s() argument '%s': negative dimension %lld", fname, pname,
                     (long long)v.u.i);
  *out = v.u.i;
  return 0;
}

int arg_shape(Interp *I, Value v, const char *fname, const char *pname, int *ndim, int64_t *shape) {
  if (v.tag == T_INT || v.tag == T_BOOL) {
    *ndim = 1;
    return shape_dim(I, v, fname, pname, &shape[0]);
  }
  if (v.tag == T_TUPLE) {
    Tuple *t = AS_TUPLE(v);
    if (t->n > JX_MAXDIM)
      return jx_raisei(I, E_VALUE, "%s() argument '%s': at most %d dimensions, got %lld", fname,
                       pname, JX_MAXDIM, (long long)t->n);
    for (int64_t i = 0; i < t->n; i++)
      if (shape_dim(I, t->items[i], fname, pname, &shape[i]) < 0) return -1;
    *ndim = (int)t->n;
    return 0;
  }
  if (v.tag == T_ARRAY) {
    Array *a = AS_ARRAY(v);
    if (a->ndim != 1 || a->dtype == DT_FLOAT)
      return jx_raisei(I, E_TYPE, "%s() argument '%s': a shape is an int or a tuple of ints", fname,
                       pname);
    if (a->size > JX_MAXDIM)
      return jx_raisei(I, E_VALUE, "%s() argument '%s': at most %d dimensions", fname, pname,
                       JX_MAXDIM);
    for (int64_t i = 0; i < a->size; i++) {
      int64_t d = a->dtype == DT_INT ? ARR_I(a)[i] : ARR_B(a)[i];
      if (d < 0)
        return jx_raisei(I, E_VALUE, "%s() argument '%s': negative dimension %lld", fname, pname,
                         (long long)d);
      shape[i] = d;
    }
    *ndim = (int)a->size;
    return 0;
  }
  return jx_raisei(I, E_TYPE,
                   "%s() argument '%s' must be a shape (an int or a tuple of ints), not %s", fname,
                   pname, type_name(v));
}

static int norm_axis(Interp *I, Value v, int ndim, const char *fname, int64_t *out) {
  if (v.tag != T_INT && v.tag != T_BOOL)
    return jx_raisei(I, E_TYPE, "%s(): axis must be an int or a tuple of ints, not %s", fname,
                     type_name(v));
  int64_t a = v.u.i;
  if (a < -(int64_t)ndim || a >= ndim)
    return jx_raisei(I, E_VALUE, "%s(): axis %lld is out of bounds for an array of dimension %d",
                     fname, (long long)a, ndim);
  *out = a < 0 ? a + ndim : a;
  return 0;
}

int arg_axes(Interp *I, Value v, int ndim, const char *fname, int *naxes, int64_t *axes,
             bool *all) {
  if (v.tag == T_NONE || v.tag == T_UNSET) {
    *all = true;
    *naxes = ndim;
    for (int i = 0; i < ndim; i++) axes[i] = i;
    return 0;
  }
  *all = false;
  if (v.tag == T_TUPLE) {
    Tuple *t = AS_TUPLE(v);
    if (t->n > ndim)
      return jx_raisei(I, E_VALUE, "%s(): %lld axes given for an array of dimension %d", fname,
                       (long long)t->n, ndim);
    int n = 0;
    for (int64_t i = 0; i < t->n; i++) {
      int64_t a;
      if (norm_axis(I, t->items[i], ndim, fname, &a) < 0) return -1;
      /* insertion sort, rejecting duplicates */
      int j = n;
      while (j > 0 && axes[j - 1] > a) {
        axes[j] = axes[j - 1];
        j--;
      }
      if (j > 0 && axes[j - 1] == a)
        return jx_raisei(I, E_VALUE, "%s(): axis %lld given twice", fname, (long long)a);
      axes[j] = a;
      n++;
    }
    *naxes = n;
    return 0;
  }
  if (norm_axis(I, v, ndim, fname, &axes[0]) < 0) return -1;
  *naxes = 1;
  return 0;
}
