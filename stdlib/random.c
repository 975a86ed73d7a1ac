/* random.c — the random.* builtins (random_builtins[], stdlib/builtins.h).
 *
 * JAX's classic PRNG: a key is an int64 array of shape (2,) holding two
 * uint32 words; every sampler is a pure function of its key and gives the
 * numbers JAX gives (threefry-2x32, 32-bit draws made in float32 and widened
 * to float64; see stdlib/threefry.h).
 *
 * Samplers that map onto the rng_* primitives (split, fold_in, bits,
 * normal, uniform, bernoulli, randint) are built with jx_bind, so they work
 * on traced keys too (vmap over keys, jit); PRNGKey and permutation need a
 * concrete seed/key and raise a TypeError when given a traced one.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../ad/ad.h"
#include "array.h"
#include "builtins.h"
#include "random.h"
#include "threefry.h"

static bool missing(Value v) { return v.tag == T_UNSET || v.tag == T_NONE; }

/* A shape argument (int or tuple of ints); unset/None gives (). */
static int shape_arg(Interp *I, Value v, const char *fname, Params *p) {
  if (missing(v)) {
    p->n = 0;
    return 0;
  }
  return arg_shape(I, v, fname, "shape", &p->n, p->a);
}

/* A concrete number (bool/int/float scalar) as a double. */
static int number_arg(Interp *I, Value v, const char *fname, const char *pname, double *out) {
  switch (v.tag) {
  case T_BOOL:
  case T_INT: *out = (double)v.u.i; return 0;
  case T_FLOAT: *out = v.u.f; return 0;
  case T_ARRAY:
  case T_TRACER:
    return jx_raisei(I, E_TYPE, "%s: %s must be a number (arrays and traced values are not "
                     "supported), got %s", fname, pname,
                     v.tag == T_TRACER ? "a traced value" : "an array");
  default:
    return jx_raisei(I, E_TYPE, "%s: %s must be a number, got %s", fname, pname, type_name(v));
  }
}

/* The concrete value behind a key (JVP/VJP tracers carry one); TypeError
 * if the key is traced by vmap/jit. */
static int concrete_key(Interp *I, Value key, const char *fname, uint32_t w[2]) {
  Value k = ad_primal(key);
  if (k.tag == T_TRACER) {
    if (rng_key_check(I, k, fname) < 0) return -1;
    return jx_raisei(I, E_TYPE, "%s needs a concrete key, but the key here is traced "
                     "(inside vmap or jit); call it outside the transformation", fname);
  }
  return rng_key_words(I, k, fname, w);
}

/* ---- keys ------------------------------------------------------------------- */

static Value prngkey_impl(Interp *I, Value seed, const char *fname) {
  uint32_t k[2];
  switch (seed.tag) {
  case T_BOOL:
  case T_INT: tf_seed(seed.u.i, k); return rng_key_value(I, k);
  case T_FLOAT: {
    StrBuf sb;
    sb_init(&sb);
    fmt_float(seed.u.f, &sb);
    Value e = jx_raise(I, E_TYPE, "%s: PRNG key seed must be an integer; got %s", fname,
                       sb.oom || !sb.s ? "a float" : sb.s);
    sb_free(&sb);
    return e;
  }
  case T_ARRAY: {
    Aval a;
    if (val_aval(I, seed, &a) < 0) return v_exc();
    char buf[32];
    snprintf(buf, sizeof buf, a.ndim == 1 ? "(%lld,)" : "(%lld, ...)", (long long)a.shape[0]);
    return jx_raise(I, E_TYPE, "%s accepts a scalar seed, but was given an array of shape %s",
                    fname, buf);
  }
  case T_TRACER:
    return jx_raise(I, E_TYPE, "%s needs a concrete int seed, but the seed here is traced "
                    "(inside vmap, jit or grad); make the key outside and pass it in", fname);
  default:
    return jx_raise(I, E_TYPE, "%s: PRNG key seed must be an integer; got %s", fname,
                    type_name(seed));
  }
}

static Value bi_prngkey(Interp *I, Value *args, int nargs, Value self) {
  (void)nargs;
  const char *name = AS_CFUNC(self)->def->name;
  return prngkey_impl(I, args[0], strcmp(name, "random.key") == 0 ? "random.key"
                                                                     : "random.PRNGKey");
}

static Value bi_key_data(Interp *I, Value *args, int nargs, Value self) {
  (void)nargs;
  (void)self;
  if (rng_key_check(I, args[0], "random.key_data") < 0) return v_exc();
  return v_incref(args[0]);
}

static Value bi_split(Interp *I, Value *args, int nargs, Value self) {
  (void)nargs;
  (void)self;
  const char *fn = "random.split";
  if (rng_key_check(I, args[0], fn) < 0) return v_exc();
  Params p = PARAMS_INIT;
  int nd = 1;
  int64_t sh[JX_MAXDIM + 1];
  if (missing(args[1])) {
    sh[0] = 2;
  } else if (args[1].tag == T_TUPLE) {
    /* num may be a shape (newer JAX): split(key, (2, 3)) has shape (2, 3, 2) */
    if (arg_shape(I, args[1], fn, "num", &nd, sh) < 0) return v_exc();
    if (nd == JX_MAXDIM)
      return jx_raise(I, E_SHAPE, "%s: num has too many dimensions", fn);
  } else if (arg_int(I, args[1], fn, "num", &sh[0]) < 0) {
    return v_exc();
  }
  int64_t total = 1;
  for (int i = 0; i < nd; i++) {
    if (sh[i] < 0)
      return jx_raise(I, E_VALUE, "%s: num must be non-negative, got %lld", fn,
                      (long long)sh[i]);
    if (sh[i] != 0 && total > ((int64_t)1 << 40) / sh[i])
      return jx_raise(I, E_MEMORY, "%s: too many keys requested", fn);
    total *= sh[i];
  }
  p.i0 = total;
  Value r = jx_bind1(I, P_rng_split, args[0], &p);
  if (IS_EXC(r) || nd == 1) return r;
  Params q = PARAMS_INIT;
  q.n = nd + 1;
  memcpy(q.a, sh, sizeof(int64_t) * (size_t)nd);
  q.a[nd] = 2;
  Value out = jx_bind1(I, P_reshape, r, &q);
  v_decref(r);
  return out;
}

static Value bi_fold_in(Interp *I, Value *args, int nargs, Value self) {
  (void)nargs;
  (void)self;
  const char *fn = "random.fold_in";
  if (rng_key_check(I, args[0], fn) < 0) return v_exc();
  Value d = args[1];
  if (d.tag != T_INT && d.tag != T_BOOL) {
    if (d.tag == T_FLOAT)
      return jx_raise(I, E_TYPE, "%s: data must be an int, got float", fn);
    if (!is_numeric(d) && d.tag != T_TRACER)
      return jx_raise(I, E_TYPE, "%s: data must be an int, got %s", fn, type_name(d));
    Aval a;
    if (val_aval(I, d, &a) < 0) return v_exc();
    if (a.ndim != 0)
      return jx_raise(I, E_TYPE, "%s accepts a scalar, but was given an array of %d "
                      "dimension(s); use vmap for batching", fn, a.ndim);
    if (a.dtype == DT_FLOAT)
      return jx_raise(I, E_TYPE, "%s: data must be an int, got float", fn);
  }
  Params p = PARAMS_INIT;
  return jx_bind2(I, P_rng_fold_in, args[0], d, &p);
}

/* ---- samplers ----------------------------------------------------------------- */

static Value bi_bits(Interp *I, Value *args, int nargs, Value self) {
  (void)nargs;
  (void)self;
  Params p = PARAMS_INIT;
  if (rng_key_check(I, args[0], "random.bits") < 0) return v_exc();
  if (shape_arg(I, args[1], "random.bits", &p) < 0) return v_exc();
  return jx_bind1(I, P_rng_bits, args[0], &p);
}

static Value bi_normal(Interp *I, Value *args, int nargs, Value self) {
  (void)nargs;
  (void)self;
  Params p = PARAMS_INIT;
  if (rng_key_check(I, args[0], "random.normal") < 0) return v_exc();
  if (shape_arg(I, args[1], "random.normal", &p) < 0) return v_exc();
  return jx_bind1(I, P_rng_normal, args[0], &p);
}

static Value bi_uniform(Interp *I, Value *args, int nargs, Value self) {
  (void)nargs;
  (void)self;
  const char *fn = "random.uniform";
  Params p = PARAMS_INIT;
  if (rng_key_check(I, args[0], fn) < 0) return v_exc();
  if (shape_arg(I, args[1], fn, &p) < 0) return v_exc();
  p.f0 = 0.0;
  p.f1 = 1.0;
  if (!missing(args[2]) && number_arg(I, args[2], fn, "minval", &p.f0) < 0) return v_exc();
  if (!missing(args[3]) && number_arg(I, args[3], fn, "maxval", &p.f1) < 0) return v_exc();
  return jx_bind1(I, P_rng_uniform, args[0], &p);
}

/* p rounded to float32 (JAX converts p to float32 before comparing). */
static Value p_as_f32(Interp *I, Value pv) {
  if (pv.tag == T_TRACER) return v_incref(pv); /* compared in float64 */
  if (pv.tag != T_ARRAY) {
    double d;
    if (number_arg(I, pv, "random.bernoulli", "p", &d) < 0) return v_exc();
    return v_float((double)(float)d);
  }
  Array *src = AS_ARRAY(pv);
  Array *a = arr_alloc(I, DT_FLOAT, src->ndim, src->shape);
  if (!a) return v_exc();
  for (int64_t k = 0; k < a->size; k++) ARR_F(a)[k] = (double)(float)arr_get_f(src, k);
  return v_obj(&a->hdr);
}

static int shape_text(char *buf, size_t n, int nd, const int64_t *sh) {
  int k = snprintf(buf, n, "(");
  for (int i = 0; i < nd && k > 0 && (size_t)k < n; i++)
    k += snprintf(buf + k, n - (size_t)k, "%s%lld", i ? ", " : "", (long long)sh[i]);
  if (k > 0 && (size_t)k < n) k += snprintf(buf + k, n - (size_t)k, nd == 1 ? ",)" : ")");
  return k;
}

static Value bi_bernoulli(Interp *I, Value *args, int nargs, Value self) {
  (void)nargs;
  (void)self;
  const char *fn = "random.bernoulli";
  if (rng_key_check(I, args[0], fn) < 0) return v_exc();
  Value pv = missing(args[1]) ? v_float(0.5) : args[1];
  if (!is_numeric(pv) && pv.tag != T_TRACER)
    return jx_raise(I, E_TYPE, "%s: p must be a number or an array, got %s", fn,
                    type_name(pv));
  Aval pa;
  if (val_aval(I, pv, &pa) < 0) return v_exc();
  Params p = PARAMS_INIT;
  if (missing(args[2])) {
    p.n = pa.ndim;
    memcpy(p.a, pa.shape, sizeof(int64_t) * (size_t)pa.ndim);
  } else {
    if (shape_arg(I, args[2], fn, &p) < 0) return v_exc();
    /* p must broadcast to exactly the requested shape */
    bool ok = pa.ndim <= p.n;
    for (int i = 0; ok && i < pa.ndim; i++) {
      int64_t pd = pa.shape[pa.ndim - 1 - i], sd = p.a[p.n - 1 - i];
      ok = pd == sd || pd == 1;
    }
    if (!ok) {
      char b1[24 * JX_MAXDIM + 8], b2[24 * JX_MAXDIM + 8];
      shape_text(b1, sizeof b1, pa.ndim, pa.shape);
      shape_text(b2, sizeof b2, p.n, p.a);
      return jx_raise(I, E_VALUE, "%s: p of shape %s does not broadcast to the shape "
                      "argument %s", fn, b1, b2);
    }
  }
  p.f0 = 0.0;
  p.f1 = 1.0;
  Value p32 = p_as_f32(I, pv);
  if (IS_EXC(p32)) return p32;
  Value u = jx_bind1(I, P_rng_uniform, args[0], &p);
  if (IS_EXC(u)) {
    v_decref(p32);
    return u;
  }
  Params q = PARAMS_INIT;
  Value out = jx_bind2(I, P_lt, u, p32, &q);
  v_decref(u);
  v_decref(p32);
  return out;
}

/* An int bound of randint: ints as they are, floats truncated (JAX's
 * astype(int)); clipped to int64. */
static int bound_arg(Interp *I, Value v, const char *pname, int64_t *out) {
  const char *fn = "random.randint";
  if (v.tag == T_INT || v.tag == T_BOOL) {
    *out = v.u.i;
    return 0;
  }
  double d;
  if (number_arg(I, v, fn, pname, &d) < 0) return -1;
  if (isnan(d)) return jx_raisei(I, E_VALUE, "%s: %s is nan", fn, pname);
  d = trunc(d);
  *out = d >= 9223372036854775807.0 ? INT64_MAX : d <= -9223372036854775808.0 ? INT64_MIN
                                                                              : (int64_t)d;
  return 0;
}

/* randint on a traced key: the same arithmetic as tf_randint_from_bits, as
 * int64 primitives on values below 2**32 (the product wraps in int64 and
 * its remainder mod 2**32 is the uint32 product). */
static Value randint_traced(Interp *I, Value key, const Params *shape, const TfRandint *r) {
  Params ps = PARAMS_INIT, sl = PARAMS_INIT, rs = PARAMS_INIT, q = PARAMS_INIT;
  ps.i0 = 2;
  Value ks = jx_bind1(I, P_rng_split, key, &ps);
  if (IS_EXC(ks)) return ks;
  Value draws[2];
  for (int row = 0; row < 2; row++) {
    sl.n = 2;
    sl.a[0] = row, sl.a[1] = 0;
    sl.b[0] = row + 1, sl.b[1] = 2;
    sl.c[0] = 1, sl.c[1] = 1;
    Value s = jx_bind1(I, P_slice, ks, &sl);
    rs.n = 1;
    rs.a[0] = 2;
    Value k = IS_EXC(s) ? s : jx_bind1(I, P_reshape, s, &rs);
    if (!IS_EXC(s)) v_decref(s);
    draws[row] = IS_EXC(k) ? k : jx_bind1(I, P_rng_bits, k, shape);
    if (!IS_EXC(k)) v_decref(k);
    if (IS_EXC(draws[row])) {
      if (row == 1) v_decref(draws[0]);
      v_decref(ks);
      return v_exc();
    }
  }
  v_decref(ks);
  Value hi = draws[0], lo = draws[1], off;
  const Value two32 = v_int((int64_t)1 << 32);
  if (r->span == 0) {
    off = v_incref(lo); /* remainders by 0 are no-ops, multiplier is 0 */
  } else {
    Value span = v_int(r->span);
    Value a = jx_bind2(I, P_mod, hi, span, &q);
    Value am = IS_EXC(a) ? a : jx_bind2(I, P_mul, a, v_int(r->multiplier), &q);
    if (!IS_EXC(a)) v_decref(a);
    Value amw = IS_EXC(am) ? am : jx_bind2(I, P_mod, am, two32, &q);
    if (!IS_EXC(am)) v_decref(am);
    Value b = IS_EXC(amw) ? amw : jx_bind2(I, P_mod, lo, span, &q);
    Value sum = IS_EXC(b) ? b : jx_bind2(I, P_add, amw, b, &q);
    if (!IS_EXC(b)) v_decref(b);
    if (!IS_EXC(amw)) v_decref(amw);
    Value sw = IS_EXC(sum) ? sum : jx_bind2(I, P_mod, sum, two32, &q);
    if (!IS_EXC(sum)) v_decref(sum);
    off = IS_EXC(sw) ? sw : jx_bind2(I, P_mod, sw, span, &q);
    if (!IS_EXC(sw)) v_decref(sw);
  }
  v_decref(hi);
  v_decref(lo);
  if (IS_EXC(off)) return off;
  /* minval + offset stays inside int32 (offset < span <= maxval - minval) */
  Value out = jx_bind2(I, P_add, off, v_int(r->lo), &q);
  v_decref(off);
  return out;
}

static Value bi_randint(Interp *I, Value *args, int nargs, Value self) {
  (void)nargs;
  (void)self;
  const char *fn = "random.randint";
  if (rng_key_check(I, args[0], fn) < 0) return v_exc();
  Params p = PARAMS_INIT;
  if (missing(args[1]))
    return jx_raise(I, E_TYPE, "%s: missing the shape argument", fn);
  if (shape_arg(I, args[1], fn, &p) < 0) return v_exc();
  int64_t lo, hi;
  if (missing(args[2])) return jx_raise(I, E_TYPE, "%s: missing minval", fn);
  if (missing(args[3])) return jx_raise(I, E_TYPE, "%s: missing maxval", fn);
  if (bound_arg(I, args[2], "minval", &lo) < 0 || bound_arg(I, args[3], "maxval", &hi) < 0)
    return v_exc();
  TfRandint r;
  tf_randint_setup(lo, hi, &r);
  Value key = ad_primal(args[0]);
  if (key.tag == T_TRACER) return randint_traced(I, key, &p, &r);
  uint32_t w[2];
  if (rng_key_words(I, key, fn, w) < 0) return v_exc();
  Array *a = arr_alloc(I, DT_INT, p.n, p.a);
  if (!a) return v_exc();
  size_t n = (size_t)(a->size > 0 ? a->size : 1);
  uint32_t *hb = jx_malloc(I, n * sizeof(uint32_t));
  uint32_t *lb = hb ? jx_malloc(I, n * sizeof(uint32_t)) : NULL;
  if (!lb) {
    jx_free(hb);
    v_decref(v_obj(&a->hdr));
    return v_exc();
  }
  uint32_t k1[2], k2[2];
  tf_split_row(w, 2, 0, k1);
  tf_split_row(w, 2, 1, k2);
  tf_random_bits(k1, (uint64_t)a->size, hb);
  tf_random_bits(k2, (uint64_t)a->size, lb);
  for (int64_t i = 0; i < a->size; i++) ARR_I(a)[i] = tf_randint_from_bits(&r, hb[i], lb[i]);
  jx_free(hb);
  jx_free(lb);
  return arr_normalize(I, a);
}

/* The permuted indices of arange(n) as an int64 array. */
static Value perm_indices(Interp *I, const uint32_t key[2], int64_t n) {
  int64_t shape[1] = {n};
  Array *a = arr_alloc(I, DT_INT, 1, shape);
  if (!a) return v_exc();
  size_t m = (size_t)(n > 0 ? n : 1);
  uint32_t *bits = jx_malloc(I, m * sizeof(uint32_t));
  uint32_t *tbits = bits ? jx_malloc(I, m * sizeof(uint32_t)) : NULL;
  int64_t *tmp = tbits ? jx_malloc(I, m * sizeof(int64_t)) : NULL;
  if (!tmp) {
    jx_free(bits);
    jx_free(tbits);
    v_decref(v_obj(&a->hdr));
    return v_exc();
  }
  tf_permutation(key, (uint64_t)n, ARR_I(a), bits, tbits, tmp);
  jx_free(bits);
  jx_free(tbits);
  jx_free(tmp);
  return v_obj(&a->hdr);
}

static Value bi_permutation(Interp *I, Value *args, int nargs, Value self) {
  (void)nargs;
  (void)self;
  const char *fn = "random.permutation";
  uint32_t w[2];
  if (concrete_key(I, args[0], fn, w) < 0) return v_exc();
  Value x = args[1];
  int64_t axis = 0;
  if (!missing(args[2]) && arg_int(I, args[2], fn, "axis", &axis) < 0) return v_exc();
  if (x.tag == T_INT || x.tag == T_BOOL) {
    if (axis != 0 && axis != -1)
      return jx_raise(I, E_VALUE, "%s: axis %lld is out of bounds for an int x", fn,
                      (long long)axis);
    return perm_indices(I, w, x.u.i > 0 ? x.u.i : 0);
  }
  if (!is_numeric(x) && x.tag != T_TRACER)
    return jx_raise(I, E_TYPE, "%s: x must be an int or an array, got %s", fn, type_name(x));
  Aval xa;
  if (val_aval(I, x, &xa) < 0) return v_exc();
  if (xa.ndim == 0)
    return jx_raise(I, E_TYPE, "%s: x must be an integer or at least 1-dimensional, got a "
                    "%s scalar", fn, xa.dtype == DT_FLOAT ? "float" : "traced");
  if (axis < -xa.ndim || axis >= xa.ndim)
    return jx_raise(I, E_VALUE, "%s: axis %lld is out of bounds for an array of %d "
                    "dimension(s)", fn, (long long)axis, xa.ndim);
  if (axis < 0) axis += xa.ndim;
  Value idx = perm_indices(I, w, xa.shape[axis]);
  if (IS_EXC(idx)) return idx;
  Params p = PARAMS_INIT;
  p.i0 = axis;
  Value out = jx_bind2(I, P_gather, x, idx, &p);
  v_decref(idx);
  return out;
}

/* ---- the table ----------------------------------------------------------------- */

#define KEY_DOC "A key is an int array of shape (2,) holding two 32-bit words (JAX's " \
                "classic threefry-2x32 keys). "

const BuiltinDef random_builtins[] = {
    {"random.PRNGKey", bi_prngkey, "seed",
     "random.PRNGKey(seed) makes a PRNG key from an int seed as JAX does by default "
     "(jax_enable_x64 off): the seed is narrowed to 32 bits, giving [0, seed mod 2**32]. "
     KEY_DOC
     "Example: random.PRNGKey(42) gives [ 0 42]; random.normal(random.PRNGKey(0)) gives "
     "-0.20584226 (JAX's value, widened to float64)."},
    {"random.key", bi_prngkey, "seed",
     "random.key(seed) is random.PRNGKey(seed): in jx both give the raw key array "
     "(JAX's random.key wraps the same words in a typed key). "
     "Example: random.key(0) gives [0 0]."},
    {"random.key_data", bi_key_data, "key",
     "random.key_data(key) returns the words of a key: the key itself, since jx keys are "
     "already int arrays of shape (2,). Example: random.key_data(random.PRNGKey(7)) gives [0 7]."},
    {"random.split", bi_split, "key, num=2",
     "random.split(key, num=2) splits a key into num new keys, returned as an int array of "
     "shape (num, 2), one key per row (num may also be a shape tuple). Use each key once. "
     "Example: let key, subkey = random.split(random.PRNGKey(0)) gives key = "
     "[4146024105  967050713] and subkey = [2718843009 1272950319]."},
    {"random.fold_in", bi_fold_in, "key, data",
     "random.fold_in(key, data) derives a new key from a key and an int (its low 32 bits), "
     "e.g. a step or worker number. Example: random.fold_in(random.PRNGKey(0), 4) gives "
     "[2285895361  433833334]."},
    {"random.bits", bi_bits, "key, shape=()",
     "random.bits(key, shape=()) returns random 32-bit words (JAX's uint32 bits) as an int "
     "array of the given shape, values in [0, 2**32). "
     "Example: random.bits(random.PRNGKey(1701), (3,)) gives [  56197195 4200222568  961309823]."},
    {"random.normal", bi_normal, "key, shape=()",
     "random.normal(key, shape=()) samples standard normal values of the given shape (an int "
     "or a tuple), exactly as JAX makes them in float32, widened to float64. "
     "Example: random.normal(random.PRNGKey(0)) gives -0.2058422565460205; "
     "random.normal(random.PRNGKey(0), (2, 3)) is a 2x3 array."},
    {"random.uniform", bi_uniform, "key, shape=(), minval=0.0, maxval=1.0",
     "random.uniform(key, shape=(), minval=0.0, maxval=1.0) samples values uniformly in "
     "[minval, maxval) (scalar bounds), made in float32 as JAX does and widened to float64. "
     "Example: random.uniform(random.PRNGKey(0)) gives 0.41845703125; "
     "random.uniform(key, (3,), minval=-1.0, maxval=1.0)."},
    {"random.bernoulli", bi_bernoulli, "key, p=0.5, shape=None",
     "random.bernoulli(key, p=0.5, shape=None) samples booleans that are True with probability "
     "p (a number or an array broadcasting to shape; shape defaults to p's shape). "
     "Example: random.bernoulli(random.PRNGKey(0), 0.3, (5,)) gives a bool array of 5 values."},
    {"random.randint", bi_randint, "key, shape, minval, maxval",
     "random.randint(key, shape, minval, maxval) samples ints uniformly in [minval, maxval) "
     "with JAX's algorithm for its default int32 (bounds are clipped to int32), as an int "
     "array. Example: random.randint(random.PRNGKey(0), (3, 3), 0, 8) gives "
     "[[2 1 3] [6 1 5] [6 3 4]]."},
    {"random.permutation", bi_permutation, "key, x, axis=0",
     "random.permutation(key, x, axis=0) returns a random permutation of range(x) when x is an "
     "int, or x shuffled along axis (default the first) when x is an array, with JAX's "
     "sort-based shuffle. The key must be concrete. "
     "Example: random.permutation(random.PRNGKey(0), 5) is a permutation of [0 1 2 3 4]."},
    {NULL, NULL, NULL, NULL}};
