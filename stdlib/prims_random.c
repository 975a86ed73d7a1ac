/* prims_random.c — concrete implementations and shape rules of the rng_*
 * primitives (ad/prims.def), and the key helpers of stdlib/random.h.
 *
 * A key is an int64 array of shape (2,) holding two uint32 words.  The
 * numbers come from stdlib/threefry.c (JAX's classic threefry-2x32 with
 * 32-bit draws); float samples are made in float32 exactly as JAX makes
 * them and widened to float64.
 *
 *   rng_bits    (key)        shape (n, a[])  -> int64 array of uint32 words
 *   rng_split   (key)        i0 = num        -> int64 (num, 2)
 *   rng_fold_in (key, data)  data: int scalar (low 32 bits) -> key
 *   rng_uniform (key)        shape; f0 = minval, f1 = maxval (as float32)
 *   rng_normal  (key)        shape
 * A 0-d result is a plain scalar (arr_normalize).
 */
#include <stdio.h>
#include <string.h>

#include "array.h"
#include "random.h"
#include "threefry.h"

/* Elements converted between interrupt polls. */
#define RNG_CHUNK ((int64_t)1 << 16)

/* ---- key helpers (random.h) --------------------------------------------- */

static void describe_aval(const Aval *a, char *buf, size_t n) {
  if (a->ndim == 0) {
    snprintf(buf, n, "%s", a->dtype == DT_FLOAT ? "float" : a->dtype == DT_INT ? "int" : "bool");
    return;
  }
  int k = snprintf(buf, n, "%s array of shape (", dtype_name((DType)a->dtype));
  for (int i = 0; i < a->ndim && k > 0 && (size_t)k < n; i++)
    k += snprintf(buf + k, n - (size_t)k, "%s%lld", i ? ", " : "", (long long)a->shape[i]);
  if (k > 0 && (size_t)k < n) snprintf(buf + k, n - (size_t)k, a->ndim == 1 ? ",)" : ")");
}

static bool aval_is_key(const Aval *a) {
  return a->dtype == DT_INT && a->ndim == 1 && a->shape[0] == 2;
}

int rng_key_check_aval(Interp *I, const Aval *a, Value v, const char *fname) {
  if (aval_is_key(a)) return 0;
  char buf[24 * JX_MAXDIM + 64];
  (void)v;
  describe_aval(a, buf, sizeof buf);
  return jx_raisei(I, E_TYPE, "%s: expected a PRNG key (int array of shape (2,)), got %s",
                   fname, buf);
}

static int not_a_key(Interp *I, Value v, const char *fname) {
  return jx_raisei(I, E_TYPE, "%s: expected a PRNG key (int array of shape (2,)), got %s",
                   fname, type_name(v));
}

int rng_key_check(Interp *I, Value key, const char *fname) {
  if (key.tag == T_TRACER) {
    Aval a;
    if (val_aval(I, key, &a) < 0) return -1;
    return rng_key_check_aval(I, &a, key, fname);
  }
  uint32_t w[2];
  return rng_key_words(I, key, fname, w);
}

int rng_key_words(Interp *I, Value key, const char *fname, uint32_t out[2]) {
  if (!is_numeric(key)) return not_a_key(I, key, fname);
  Aval a;
  memset(&a, 0, sizeof a);
  DType dt;
  if (val_dtype(key, &dt) < 0 || val_shape(key, &a.ndim, a.shape) < 0)
    return not_a_key(I, key, fname);
  a.dtype = (uint8_t)dt;
  if (key.tag != T_ARRAY || !aval_is_key(&a)) return rng_key_check_aval(I, &a, key, fname);
  const int64_t *w = ARR_I(AS_ARRAY(key));
  for (int i = 0; i < 2; i++) {
    if (w[i] < 0 || w[i] > (int64_t)UINT32_MAX)
      return jx_raisei(I, E_VALUE,
                       "%s: a PRNG key holds two 32-bit words in [0, 4294967295], got %lld",
                       fname, (long long)w[i]);
    out[i] = (uint32_t)w[i];
  }
  return 0;
}

Value rng_key_value(Interp *I, const uint32_t key[2]) {
  int64_t shape[1] = {2};
  Array *a = arr_alloc(I, DT_INT, 1, shape);
  if (!a) return v_exc();
  ARR_I(a)[0] = key[0];
  ARR_I(a)[1] = key[1];
  return v_obj(&a->hdr);
}

/* ---- shared checks --------------------------------------------------------- */

static int check_shape_params(Interp *I, const Params *p, const char *fname) {
  if (p->n < 0 || p->n > JX_MAXDIM)
    return jx_raisei(I, E_SHAPE, "%s: a shape has at most %d dimensions, got %d", fname,
                     JX_MAXDIM, p->n);
  for (int i = 0; i < p->n; i++)
    if (p->a[i] < 0)
      return jx_raisei(I, E_VALUE, "%s: negative dimension %lld in shape", fname,
                       (long long)p->a[i]);
  int64_t size;
  return shape_size(I, p->n, p->a, &size);
}

static int out_key_shape(Interp *I, const Aval *in, const Params *p, const char *fname,
                         DType dt, Aval *out) {
  if (rng_key_check_aval(I, &in[0], v_unset(), fname) < 0) return -1;
  if (check_shape_params(I, p, fname) < 0) return -1;
  out->dtype = (uint8_t)dt;
  out->ndim = p->n;
  memcpy(out->shape, p->a, sizeof(int64_t) * (size_t)p->n);
  return 0;
}

/* Random bits of the output's size into a fresh uint32 buffer (jx_malloc). */
static uint32_t *bits_for(Interp *I, const uint32_t key[2], int64_t n) {
  uint32_t *b = jx_malloc(I, (size_t)(n > 0 ? n : 1) * sizeof(uint32_t));
  if (!b) return NULL;
  tf_random_bits(key, (uint64_t)n, b);
  return b;
}

/* ---- rng_bits ---------------------------------------------------------------- */

int shape_rng_bits(Interp *I, const Aval *in, const Params *p, Aval *out) {
  return out_key_shape(I, in, p, "random.bits", DT_INT, out);
}

Value impl_rng_bits(Interp *I, const Value *in, const Params *p) {
  uint32_t key[2];
  if (rng_key_words(I, in[0], "random.bits", key) < 0) return v_exc();
  if (check_shape_params(I, p, "random.bits") < 0) return v_exc();
  Array *a = arr_alloc(I, DT_INT, p->n, p->a);
  if (!a) return v_exc();
  uint32_t *b = bits_for(I, key, a->size);
  if (!b) {
    v_decref(v_obj(&a->hdr));
    return v_exc();
  }
  int64_t *o = ARR_I(a);
  for (int64_t i = 0; i < a->size; i++) o[i] = b[i];
  jx_free(b);
  return arr_normalize(I, a);
}

/* ---- rng_split ------------------------------------------------------------------ */

static int check_num(Interp *I, int64_t num) {
  if (num < 0)
    return jx_raisei(I, E_VALUE, "random.split: num must be non-negative, got %lld",
                     (long long)num);
  if (num > ((int64_t)1 << 40))
    return jx_raisei(I, E_MEMORY, "random.split: num %lld is too large", (long long)num);
  return 0;
}

int shape_rng_split(Interp *I, const Aval *in, const Params *p, Aval *out) {
  if (rng_key_check_aval(I, &in[0], v_unset(), "random.split") < 0) return -1;
  if (check_num(I, p->i0) < 0) return -1;
  out->dtype = DT_INT;
  out->ndim = 2;
  out->shape[0] = p->i0;
  out->shape[1] = 2;
  return 0;
}

Value impl_rng_split(Interp *I, const Value *in, const Params *p) {
  uint32_t key[2];
  if (rng_key_words(I, in[0], "random.split", key) < 0) return v_exc();
  if (check_num(I, p->i0) < 0) return v_exc();
  int64_t shape[2] = {p->i0, 2};
  Array *a = arr_alloc(I, DT_INT, 2, shape);
  if (!a) return v_exc();
  uint32_t *b = jx_malloc(I, (size_t)(a->size > 0 ? a->size : 1) * sizeof(uint32_t));
  if (!b) {
    v_decref(v_obj(&a->hdr));
    return v_exc();
  }
  tf_split(key, (uint64_t)p->i0, b);
  for (int64_t i = 0; i < a->size; i++) ARR_I(a)[i] = b[i];
  jx_free(b);
  return v_obj(&a->hdr);
}

/* ---- rng_fold_in ------------------------------------------------------------------ */

int shape_rng_fold_in(Interp *I, const Aval *in, const Params *p, Aval *out) {
  (void)p;
  if (rng_key_check_aval(I, &in[0], v_unset(), "random.fold_in") < 0) return -1;
  if (in[1].ndim != 0 || in[1].dtype == DT_FLOAT) {
    char buf[24 * JX_MAXDIM + 64];
    describe_aval(&in[1], buf, sizeof buf);
    return jx_raisei(I, E_TYPE, "random.fold_in: data must be an int scalar, got %s", buf);
  }
  out->dtype = DT_INT;
  out->ndim = 1;
  out->shape[0] = 2;
  return 0;
}

Value impl_rng_fold_in(Interp *I, const Value *in, const Params *p) {
  (void)p;
  uint32_t key[2], out[2];
  if (rng_key_words(I, in[0], "random.fold_in", key) < 0) return v_exc();
  if (in[1].tag != T_INT && in[1].tag != T_BOOL)
    return jx_raise(I, E_TYPE, "random.fold_in: data must be an int scalar, got %s",
                    type_name(in[1]));
  /* jnp.uint32(data): the low 32 bits */
  tf_fold_in(key, (uint32_t)(uint64_t)in[1].u.i, out);
  return rng_key_value(I, out);
}

/* ---- rng_uniform / rng_normal -------------------------------------------------------- */

int shape_rng_uniform(Interp *I, const Aval *in, const Params *p, Aval *out) {
  return out_key_shape(I, in, p, "random.uniform", DT_FLOAT, out);
}

int shape_rng_normal(Interp *I, const Aval *in, const Params *p, Aval *out) {
  return out_key_shape(I, in, p, "random.normal", DT_FLOAT, out);
}

static Value float_sample(Interp *I, const Value *in, const Params *p, const char *fname,
                          bool normal) {
  uint32_t key[2];
  if (rng_key_words(I, in[0], fname, key) < 0) return v_exc();
  if (check_shape_params(I, p, fname) < 0) return v_exc();
  Array *a = arr_alloc(I, DT_FLOAT, p->n, p->a);
  if (!a) return v_exc();
  uint32_t *b = bits_for(I, key, a->size);
  if (!b) {
    v_decref(v_obj(&a->hdr));
    return v_exc();
  }
  /* minval/maxval as JAX sees them: converted to float32 */
  const float lo = (float)p->f0, hi = (float)p->f1;
  double *o = ARR_F(a);
  for (int64_t s = 0; s < a->size; s += RNG_CHUNK) {
    if (jx_check_interrupt(I) < 0) {
      jx_free(b);
      v_decref(v_obj(&a->hdr));
      return v_exc();
    }
    int64_t e = s + RNG_CHUNK < a->size ? s + RNG_CHUNK : a->size;
    if (normal)
      for (int64_t i = s; i < e; i++) o[i] = tf_normal_from_bits(b[i]);
    else
      for (int64_t i = s; i < e; i++) o[i] = tf_uniform_from_bits(b[i], lo, hi);
  }
  jx_free(b);
  return arr_normalize(I, a);
}

Value impl_rng_uniform(Interp *I, const Value *in, const Params *p) {
  return float_sample(I, in, p, "random.uniform", false);
}

Value impl_rng_normal(Interp *I, const Value *in, const Params *p) {
  return float_sample(I, in, p, "random.normal", true);
}
