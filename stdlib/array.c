/* array.c — Array objects: dtypes, overflow-checked allocation, views,
 * conversion between dtypes, operands (Opnd), shape helpers, the strided
 * copy routine, and array literals (arr_from_nested).
 *
 * Memory layout: arr_alloc makes ONE block holding the Array header and
 * its data, the data aligned to 64 bytes; such an array has base == NULL.
 * A view (reshape, contiguous slice) is a bare header whose data points
 * into the buffer of its root owner 'base', which it references.
 */
#include "arr_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define ARR_ALIGN 64

/* ------------------------------------------------------------------ */
/* dtypes                                                              */

const char *dtype_name(DType d) {
  switch (d) {
  case DT_BOOL: return "bool";
  case DT_INT: return "int64";
  case DT_FLOAT: return "float64";
  }
  return "?";
}

size_t dtype_size(DType d) { return d == DT_BOOL ? 1 : 8; }

int val_dtype(Value v, DType *dt) {
  switch (v.tag) {
  case T_BOOL: *dt = DT_BOOL; return 0;
  case T_INT: *dt = DT_INT; return 0;
  case T_FLOAT: *dt = DT_FLOAT; return 0;
  case T_ARRAY: *dt = (DType)AS_ARRAY(v)->dtype; return 0;
  default: return -1;
  }
}

int val_shape(Value v, int *ndim, int64_t *shape) {
  switch (v.tag) {
  case T_BOOL:
  case T_INT:
  case T_FLOAT: *ndim = 0; return 0;
  case T_ARRAY: {
    Array *a = AS_ARRAY(v);
    *ndim = a->ndim;
    memcpy(shape, a->shape, sizeof(int64_t) * (size_t)a->ndim);
    return 0;
  }
  default: return -1;
  }
}

bool is_numeric(Value v) {
  return v.tag == T_BOOL || v.tag == T_INT || v.tag == T_FLOAT || v.tag == T_ARRAY;
}

/* ------------------------------------------------------------------ */
/* shapes                                                              */

const char *shape_str(char *buf, int nd, const int64_t *sh) {
  size_t k = 0;
  buf[k++] = '(';
  for (int i = 0; i < nd; i++)
    k += (size_t)snprintf(buf + k, SHBUF - k, "%s%lld", i ? ", " : "", (long long)sh[i]);
  if (nd == 1) buf[k++] = ',';
  buf[k++] = ')';
  buf[k] = 0;
  return buf;
}

int shape_size(Interp *I, int ndim, const int64_t *shape, int64_t *size) {
  int64_t s = 1;
  bool overflow = false;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] < 0) {
      char b[SHBUF];
      return jx_raisei(I, E_VALUE, "negative dimensions are not allowed: shape %s",
                       shape_str(b, ndim, shape));
    }
    if (!overflow && __builtin_mul_overflow(s, shape[i], &s)) overflow = true;
  }
  for (int i = 0; i < ndim; i++)
    if (shape[i] == 0) overflow = false, s = 0;
  if (overflow) {
    char b[SHBUF];
    return jx_raisei(I, E_MEMORY, "array is too big: shape %s overflows int64",
                     shape_str(b, ndim, shape));
  }
  *size = s;
  return 0;
}

int check_out_shape(Interp *I, const char *what, int nd, const int64_t *sh) {
  if (nd > JX_MAXDIM)
    return jx_raisei(I, E_SHAPE, "%s: result would have %d dimensions (at most %d allowed)",
                     what, nd, JX_MAXDIM);
  int64_t s;
  return shape_size(I, nd, sh, &s);
}

int bcast_shapes(Interp *I, int n1, const int64_t *s1, int n2, const int64_t *s2, int *nd,
                 int64_t *out) {
  int n = n1 > n2 ? n1 : n2;
  for (int i = 0; i < n; i++) {
    int64_t a = i < n - n1 ? 1 : s1[i - (n - n1)];
    int64_t b = i < n - n2 ? 1 : s2[i - (n - n2)];
    if (a != b && a != 1 && b != 1) {
      char x[SHBUF], y[SHBUF];
      return jx_raisei(I, E_SHAPE, "operands could not be broadcast together with shapes %s %s",
                       shape_str(x, n1, s1), shape_str(y, n2, s2));
    }
    out[i] = a == 1 ? b : a;
  }
  *nd = n;
  return 0;
}

void bcast_strides(int n, const int64_t *sh, int nd, const int64_t *out, int64_t *st) {
  int64_t s = 1;
  for (int i = nd - 1; i >= 0; i--) {
    int j = i - (nd - n);
    if (j < 0) {
      st[i] = 0;
      continue;
    }
    st[i] = (sh[j] == 1 && out[i] != 1) ? 0 : s;
    s *= sh[j];
  }
}

/* ------------------------------------------------------------------ */
/* allocation                                                          */

static uint64_t phys_bytes(void) {
  static uint64_t cached = 0;
  if (!cached) {
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    cached = (pages > 0 && psz > 0) ? (uint64_t)pages * (uint64_t)psz : (uint64_t)1 << 40;
  }
  return cached;
}

static void human_bytes(double b, char *buf, size_t n) {
  const char *u[] = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
  int k = 0;
  while (b >= 1024 && k < 6) b /= 1024, k++;
  snprintf(buf, n, "%.1f %s", b, u[k]);
}

/* A small cache of freed large blocks.  Big temporaries (a chain of
 * elementwise ops on 10^7 elements) would otherwise each be a fresh mmap
 * whose pages the kernel faults in and zeroes on first touch; reusing a
 * recently freed block of about the same size avoids that.  Bounded (a
 * few blocks, a fraction of RAM); process-wide because it only holds free
 * memory, never interpreter state. */
#define CACHE_SLOTS 4
#define CACHE_MIN ((size_t)1 << 20)
static struct {
  void *p;
  size_t cap;
} big_cache[CACHE_SLOTS];
static unsigned cache_next;

static void *cache_take(size_t total) {
  int best = -1;
  for (int k = 0; k < CACHE_SLOTS; k++)
    if (big_cache[k].p && big_cache[k].cap >= total && big_cache[k].cap - total <= total / 2 &&
        (best < 0 || big_cache[k].cap < big_cache[best].cap))
      best = k;
  if (best < 0) return NULL;
  void *p = big_cache[best].p;
  big_cache[best].p = NULL;
  return p;
}

static void cache_put(void *p, size_t total) {
  size_t limit = (size_t)(phys_bytes() / 8);
  if (total > limit) {
    jx_free(p);
    return;
  }
  size_t sum = total;
  for (int k = 0; k < CACHE_SLOTS; k++)
    if (big_cache[k].p) sum += big_cache[k].cap;
  int slot = -1;
  for (int k = 0; k < CACHE_SLOTS && slot < 0; k++)
    if (!big_cache[k].p) slot = k;
  if (slot < 0 || sum > limit) {
    slot = (int)(cache_next++ % CACHE_SLOTS);
    if (big_cache[slot].p) jx_free(big_cache[slot].p);
    big_cache[slot].p = NULL;
  }
  big_cache[slot].p = p;
  big_cache[slot].cap = total;
}

void arr_cache_clear(void) {
  for (int k = 0; k < CACHE_SLOTS; k++) {
    jx_free(big_cache[k].p);
    big_cache[k].p = NULL;
  }
}

/* Data of at least HUGE_MIN bytes is aligned to 2 MB and advised for
 * transparent huge pages (as numpy does): far fewer page faults and TLB
 * misses when streaming through big arrays. */
#define HUGE_MIN ((size_t)4 << 20)
#define HUGE_ALIGN ((size_t)2 << 20)

static size_t data_align(size_t nbytes) { return nbytes >= HUGE_MIN ? HUGE_ALIGN : ARR_ALIGN; }

static size_t block_size(DType dt, int64_t size) {
  size_t nbytes = (size_t)size * dtype_size(dt);
  return sizeof(Array) + data_align(nbytes) + nbytes;
}

static Array *alloc_impl(Interp *I, DType dt, int ndim, const int64_t *shape, bool zero) {
  if (ndim < 0 || ndim > JX_MAXDIM) {
    jx_raise(I, E_SHAPE, "arrays may have at most %d dimensions (got %d)", JX_MAXDIM, ndim);
    return NULL;
  }
  int64_t size;
  if (shape_size(I, ndim, shape, &size) < 0) return NULL;
  uint64_t nbytes;
  if (__builtin_mul_overflow((uint64_t)size, (uint64_t)dtype_size(dt), &nbytes) ||
      nbytes > phys_bytes() || nbytes > (uint64_t)PTRDIFF_MAX - 4096) {
    char b[SHBUF], h[32];
    human_bytes((double)size * (double)dtype_size(dt), h, sizeof h);
    jx_raise(I, E_MEMORY, "cannot allocate an array of shape %s and dtype %s (%s)",
             shape_str(b, ndim, shape), dtype_name(dt), h);
    return NULL;
  }
  size_t total = block_size(dt, size);
  Array *a = NULL;
  bool fresh = false;
  if (!zero && total >= CACHE_MIN) a = cache_take(total);
  if (!a) {
    a = zero ? jx_calloc(I, 1, total) : jx_malloc(I, total);
    fresh = true;
  }
  if (!a) {
    char b[SHBUF];
    jx_raise(I, E_MEMORY, "out of memory allocating an array of shape %s",
             shape_str(b, ndim, shape));
    return NULL;
  }
  a->hdr.rc = 1;
  a->hdr.kind = T_ARRAY;
  a->dtype = (uint8_t)dt;
  a->ndim = ndim;
  a->size = size;
  a->base = NULL;
  size_t al = data_align((size_t)nbytes);
  uintptr_t p = (uintptr_t)(a + 1);
  p = (p + al - 1) & ~(uintptr_t)(al - 1);
  a->data = (void *)p;
#ifdef MADV_HUGEPAGE
  if (fresh && al == HUGE_ALIGN) {
    size_t len = (size_t)nbytes & ~(HUGE_ALIGN - 1);
    if (len) madvise(a->data, len, MADV_HUGEPAGE);
  }
#else
  (void)fresh;
#endif
  if (ndim) memcpy(a->shape, shape, sizeof(int64_t) * (size_t)ndim);
  return a;
}

Array *arr_alloc(Interp *I, DType dt, int ndim, const int64_t *shape) {
  return alloc_impl(I, dt, ndim, shape, false);
}

Array *arr_zeros(Interp *I, DType dt, int ndim, const int64_t *shape) {
  return alloc_impl(I, dt, ndim, shape, true);
}

Array *arr_view(Interp *I, Array *base, int nd, const int64_t *shape, size_t byte_off) {
  Array *root = base->base ? base->base : base;
  Array *a = obj_new(I, T_ARRAY, sizeof(Array));
  if (!a) return NULL;
  a->dtype = base->dtype;
  a->ndim = nd;
  a->size = shape_prod(nd, shape);
  a->data = (char *)base->data + byte_off;
  a->base = root;
  root->hdr.rc++;
  memcpy(a->shape, shape, sizeof(int64_t) * (size_t)nd);
  return a;
}

void array_free(Obj *o) {
  Array *a = (Array *)o;
  if (a->base) {
    v_decref(v_obj(&a->base->hdr));
    jx_free(a);
    return;
  }
  size_t total = block_size((DType)a->dtype, a->size);
  if (total >= CACHE_MIN) cache_put(a, total);
  else jx_free(a);
}

Value arr_normalize(Interp *I, Array *a) {
  if (!a) return v_exc();
  (void)I;
  if (a->ndim == 0) {
    Value s = scalar_at((DType)a->dtype, a->data);
    v_decref(v_obj(&a->hdr));
    return s;
  }
  return v_obj(&a->hdr);
}

Array *arr_from_value(Interp *I, Value v) {
  if (v.tag == T_ARRAY) {
    v_incref(v);
    return AS_ARRAY(v);
  }
  DType dt;
  if (val_dtype(v, &dt) < 0) {
    jx_raise(I, E_TYPE, "expected a number or an array, got %s", type_name(v));
    return NULL;
  }
  Array *a = arr_alloc(I, dt, 0, NULL);
  if (!a) return NULL;
  switch (dt) {
  case DT_BOOL: ARR_B(a)[0] = v.u.i != 0; break;
  case DT_INT: ARR_I(a)[0] = v.u.i; break;
  case DT_FLOAT: ARR_F(a)[0] = v.u.f; break;
  }
  return a;
}

double arr_get_f(Array *a, int64_t k) {
  switch (a->dtype) {
  case DT_BOOL: return ARR_B(a)[k];
  case DT_INT: return (double)ARR_I(a)[k];
  default: return ARR_F(a)[k];
  }
}

int64_t arr_get_i(Array *a, int64_t k) {
  switch (a->dtype) {
  case DT_BOOL: return ARR_B(a)[k];
  case DT_INT: return ARR_I(a)[k];
  default: return f2i(ARR_F(a)[k]);
  }
}

/* ------------------------------------------------------------------ */
/* conversion                                                          */

#pragma GCC push_options
#pragma GCC optimize("O3")
void conv_buf(DType sdt, const void *src, DType ddt, void *dst, int64_t n) {
  if (sdt == ddt) {
    memcpy(dst, src, (size_t)n * dtype_size(sdt));
    return;
  }
  switch (sdt * 3 + ddt) {
  case DT_BOOL * 3 + DT_INT: {
    const uint8_t *s = src;
    int64_t *d = dst;
    for (int64_t i = 0; i < n; i++) d[i] = s[i] != 0;
    break;
  }
  case DT_BOOL * 3 + DT_FLOAT: {
    const uint8_t *s = src;
    double *d = dst;
    for (int64_t i = 0; i < n; i++) d[i] = s[i] != 0;
    break;
  }
  case DT_INT * 3 + DT_BOOL: {
    const int64_t *s = src;
    uint8_t *d = dst;
    for (int64_t i = 0; i < n; i++) d[i] = s[i] != 0;
    break;
  }
  case DT_INT * 3 + DT_FLOAT: {
    const int64_t *s = src;
    double *d = dst;
    for (int64_t i = 0; i < n; i++) d[i] = (double)s[i];
    break;
  }
  case DT_FLOAT * 3 + DT_BOOL: {
    const double *s = src;
    uint8_t *d = dst;
    for (int64_t i = 0; i < n; i++) d[i] = s[i] != 0;
    break;
  }
  case DT_FLOAT * 3 + DT_INT: {
    const double *s = src;
    int64_t *d = dst;
    for (int64_t i = 0; i < n; i++) d[i] = f2i(s[i]);
    break;
  }
  }
}
#pragma GCC pop_options

Value arr_astype(Interp *I, Value v, DType dt) {
  switch (v.tag) {
  case T_BOOL:
  case T_INT:
  case T_FLOAT: {
    Opnd o;
    if (opnd_get(I, v, &o, "astype") < 0) return v_exc();
    opnd_cast(I, &o, dt);
    return scalar_at(dt, o.data);
  }
  case T_ARRAY: {
    Array *a = AS_ARRAY(v);
    if (a->dtype == dt) return v_incref(v);
    Array *r = arr_alloc(I, dt, a->ndim, a->shape);
    if (!r) return v_exc();
    conv_buf((DType)a->dtype, a->data, dt, r->data, a->size);
    return v_obj(&r->hdr);
  }
  default: return jx_raise(I, E_TYPE, "astype: expected a number or an array, got %s", type_name(v));
  }
}

/* ------------------------------------------------------------------ */
/* operands                                                            */

int opnd_get(Interp *I, Value v, Opnd *o, const char *what) {
  o->tmp = NULL;
  switch (v.tag) {
  case T_BOOL:
    o->dt = DT_BOOL, o->sc.i = 0, o->sc.b = v.u.i != 0;
    break;
  case T_INT: o->dt = DT_INT, o->sc.i = v.u.i; break;
  case T_FLOAT: o->dt = DT_FLOAT, o->sc.f = v.u.f; break;
  case T_ARRAY: {
    Array *a = AS_ARRAY(v);
    o->dt = a->dtype;
    o->ndim = a->ndim;
    o->size = a->size;
    memcpy(o->shape, a->shape, sizeof(int64_t) * (size_t)a->ndim);
    o->data = a->data;
    return 0;
  }
  default:
    return jx_raisei(I, E_TYPE, "%s: expected a number or an array, got %s", what, type_name(v));
  }
  o->ndim = 0;
  o->size = 1;
  o->data = &o->sc;
  return 0;
}

int opnd_cast(Interp *I, Opnd *o, DType dt) {
  if (o->dt == dt) return 0;
  if (o->ndim == 0 && o->data == &o->sc) {
    double f = 0;
    int64_t i = 0;
    switch (o->dt) {
    case DT_BOOL: i = o->sc.b; f = (double)i; break;
    case DT_INT: i = o->sc.i; f = (double)i; break;
    default: f = o->sc.f; i = f2i(f); break;
    }
    switch (dt) {
    case DT_BOOL: o->sc.i = 0, o->sc.b = o->dt == DT_FLOAT ? f != 0 : i != 0; break;
    case DT_INT: o->sc.i = i; break;
    case DT_FLOAT: o->sc.f = f; break;
    }
    o->dt = dt;
    return 0;
  }
  Array *t = arr_alloc(I, dt, o->ndim, o->shape);
  if (!t) return -1;
  conv_buf((DType)o->dt, o->data, dt, t->data, o->size);
  if (o->tmp) v_decref(v_obj(&o->tmp->hdr));
  o->tmp = t;
  o->data = t->data;
  o->dt = dt;
  return 0;
}

void opnd_release(Opnd *o) {
  if (o->tmp) {
    v_decref(v_obj(&o->tmp->hdr));
    o->tmp = NULL;
  }
}

Value opnd_to_value(Interp *I, Value v, const Opnd *o) {
  if (o->ndim == 0) return scalar_at((DType)o->dt, o->data);
  if (v.tag == T_ARRAY && AS_ARRAY(v)->dtype == o->dt && AS_ARRAY(v)->data == o->data)
    return v_incref(v);
  Array *r = arr_alloc(I, (DType)o->dt, o->ndim, o->shape);
  if (!r) return v_exc();
  memcpy(r->data, o->data, (size_t)o->size * dtype_size((DType)o->dt));
  return v_obj(&r->hdr);
}

/* ------------------------------------------------------------------ */
/* strided copy                                                        */

/* Tiled copy for the pattern dst[i][j] = src[i*1 + j*s] (a transpose). */
static void tile_transpose(size_t esz, int64_t n0, int64_t n1, const char *src, int64_t s0,
                           int64_t s1, char *dst) {
  enum { T = 32 };
  for (int64_t i0 = 0; i0 < n0; i0 += T) {
    int64_t e0 = i0 + T < n0 ? i0 + T : n0;
    for (int64_t j0 = 0; j0 < n1; j0 += T) {
      int64_t e1 = j0 + T < n1 ? j0 + T : n1;
      if (esz == 8) {
        for (int64_t i = i0; i < e0; i++) {
          const int64_t *s = (const int64_t *)src + i * s0;
          int64_t *d = (int64_t *)dst + i * n1;
          for (int64_t j = j0; j < e1; j++) d[j] = s[j * s1];
        }
      } else {
        for (int64_t i = i0; i < e0; i++) {
          const char *s = src + i * s0;
          char *d = dst + i * n1;
          for (int64_t j = j0; j < e1; j++) d[j] = s[j * s1];
        }
      }
    }
  }
}

void strided_copy(size_t esz, int nd, const int64_t *shape, const char *src,
                  const int64_t *sstr, char *dst) {
  int64_t sh[JX_MAXDIM], st[JX_MAXDIM];
  int n = 0;
  for (int i = 0; i < nd; i++) {
    if (shape[i] == 0) return;
    if (shape[i] == 1) continue;
    if (n > 0 && st[n - 1] == sstr[i] * shape[i]) {
      sh[n - 1] *= shape[i];
      st[n - 1] = sstr[i];
      continue;
    }
    sh[n] = shape[i];
    st[n] = sstr[i];
    n++;
  }
  if (n == 0) {
    memcpy(dst, src, esz);
    return;
  }
  int64_t inner = sh[n - 1], is = st[n - 1];
  /* transpose-like tail: tile the last two dims */
  bool tile = n >= 2 && is != 1 && is != 0 && st[n - 2] == 1 && inner >= 8 && sh[n - 2] >= 8;
  int nouter = tile ? n - 2 : n - 1;
  int64_t idx[JX_MAXDIM] = {0};
  int64_t off = 0;
  int64_t block = tile ? inner * sh[n - 2] : inner;
  for (;;) {
    const char *s = src + off * (int64_t)esz;
    if (tile) {
      /* dst block is (sh[n-2], inner) with src strides (1, is) */
      tile_transpose(esz, sh[n - 2], inner, s, 1, is, dst);
    } else if (is == 1) {
      memcpy(dst, s, (size_t)inner * esz);
    } else if (esz == 8) {
      int64_t *d = (int64_t *)dst;
      const int64_t *p = (const int64_t *)s;
      if (is == 0)
        for (int64_t j = 0; j < inner; j++) d[j] = p[0];
      else
        for (int64_t j = 0; j < inner; j++) d[j] = p[j * is];
    } else {
      if (is == 0)
        memset(dst, *s, (size_t)inner);
      else
        for (int64_t j = 0; j < inner; j++) dst[j] = s[j * is];
    }
    dst += block * (int64_t)esz;
    int k = nouter - 1;
    for (; k >= 0; k--) {
      off += st[k];
      if (++idx[k] < sh[k]) break;
      off -= st[k] * sh[k];
      idx[k] = 0;
    }
    if (k < 0) break;
  }
}

/* ------------------------------------------------------------------ */
/* array literals                                                      */

typedef struct {
  int nd;                 /* total ndim */
  int ntup;               /* number of tuple levels */
  int64_t shape[JX_MAXDIM];
  int dt;                 /* promoted dtype so far, -1 none */
  bool tracer;
} Nest;

static int leaf_aval(Interp *I, Value v, Aval *a) {
  if (v.tag == T_TRACER) return val_aval(I, v, a);
  DType dt;
  if (val_dtype(v, &dt) < 0)
    return jx_raisei(I, E_TYPE, "array literal: elements must be numbers or arrays, got %s",
                     type_name(v));
  a->dtype = (uint8_t)dt;
  return val_shape(v, &a->ndim, a->shape);
}

/* Shape from the first element at each level. */
static int nest_probe(Interp *I, Value v, Nest *n) {
  n->nd = n->ntup = 0;
  n->dt = -1;
  n->tracer = false;
  while (v.tag == T_TUPLE) {
    if (n->nd >= JX_MAXDIM)
      return jx_raisei(I, E_VALUE, "array literal nested too deeply (more than %d levels)",
                       JX_MAXDIM);
    Tuple *t = AS_TUPLE(v);
    n->shape[n->nd++] = t->n;
    n->ntup++;
    if (t->n == 0) return 0;
    v = t->items[0];
  }
  Aval a;
  if (leaf_aval(I, v, &a) < 0) return -1;
  if (n->nd + a.ndim > JX_MAXDIM)
    return jx_raisei(I, E_VALUE, "array literal has too many dimensions");
  memcpy(n->shape + n->nd, a.shape, sizeof(int64_t) * (size_t)a.ndim);
  n->nd += a.ndim;
  return 0;
}

static int ragged(Interp *I, const Nest *n, int depth) {
  char b[SHBUF];
  return jx_raisei(I, E_VALUE,
                   "array literal is ragged (inhomogeneous shape after %d dimension%s; expected "
                   "shape %s)",
                   depth, depth == 1 ? "" : "s", shape_str(b, n->nd, n->shape));
}

static int nest_check(Interp *I, Value v, Nest *n, int depth) {
  if (depth < n->ntup) {
    if (v.tag != T_TUPLE || AS_TUPLE(v)->n != n->shape[depth]) return ragged(I, n, depth);
    Tuple *t = AS_TUPLE(v);
    for (int64_t i = 0; i < t->n; i++)
      if (nest_check(I, t->items[i], n, depth + 1) < 0) return -1;
    return 0;
  }
  if (v.tag == T_TUPLE) return ragged(I, n, depth);
  Aval a;
  if (leaf_aval(I, v, &a) < 0) return -1;
  if (!dims_equal(a.ndim, a.shape, n->nd - depth, n->shape + depth)) return ragged(I, n, depth);
  if (v.tag == T_TRACER) n->tracer = true;
  n->dt = n->dt < 0 ? a.dtype : (int)dtype_promote((DType)n->dt, (DType)a.dtype);
  return 0;
}

static char *nest_fill(Value v, const Nest *n, int depth, DType dt, char *w) {
  if (depth < n->ntup) {
    Tuple *t = AS_TUPLE(v);
    for (int64_t i = 0; i < t->n; i++) w = nest_fill(t->items[i], n, depth + 1, dt, w);
    return w;
  }
  Opnd o;
  opnd_get(NULL, v, &o, "array"); /* cannot fail: checked */
  conv_buf((DType)o.dt, o.data, dt, w, o.size);
  return w + o.size * (int64_t)dtype_size(dt);
}

/* Tracer path: build with primitives so transformations see it. */
static Value nest_build_traced(Interp *I, Value v, const Nest *n, int depth, DType dt) {
  if (depth >= n->ntup) {
    Params p = PARAMS_INIT;
    p.i0 = dt;
    return jx_bind(I, P_convert, &v, &p);
  }
  Tuple *t = AS_TUPLE(v);
  int64_t cnt = t->n;
  Value *parts = jx_calloc(I, (size_t)(cnt ? cnt : 1), sizeof(Value));
  if (!parts) return v_exc();
  Value res = v_exc();
  int64_t built = 0;
  Params rp = PARAMS_INIT;
  rp.n = n->nd - depth;
  rp.a[0] = 1;
  memcpy(rp.a + 1, n->shape + depth + 1, sizeof(int64_t) * (size_t)(rp.n - 1));
  for (; built < cnt; built++) {
    Value e = nest_build_traced(I, t->items[built], n, depth + 1, dt);
    if (IS_EXC(e)) goto done;
    Value r = jx_bind(I, P_reshape, &e, &rp);
    v_decref(e);
    if (IS_EXC(r)) goto done;
    parts[built] = r;
  }
  {
    Params cp = PARAMS_INIT;
    cp.nin = (int)cnt;
    cp.i0 = 0;
    res = jx_bind(I, P_concatenate, parts, &cp);
  }
done:
  for (int64_t i = 0; i < built; i++) v_decref(parts[i]);
  jx_free(parts);
  return res;
}

Value arr_from_nested(Interp *I, Value nested, int dt) {
  Nest n;
  if (nest_probe(I, nested, &n) < 0) return v_exc();
  if (nest_check(I, nested, &n, 0) < 0) return v_exc();
  DType odt = dt >= 0 ? (DType)dt : n.dt >= 0 ? (DType)n.dt : DT_FLOAT;
  if (n.tracer) {
    if (n.ntup > 0 && shape_prod(n.nd, n.shape) == 0) n.tracer = false; /* cannot happen */
    else return nest_build_traced(I, nested, &n, 0, odt);
  }
  if (n.ntup == 0) return arr_astype(I, nested, odt);
  Array *a = arr_alloc(I, odt, n.nd, n.shape);
  if (!a) return v_exc();
  if (a->size > 0) nest_fill(nested, &n, 0, odt, a->data);
  return arr_normalize(I, a);
}
