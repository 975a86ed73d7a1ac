/* dataio.c — data files: load_csv / save_csv (text) and load_npy /
 * save_npy (numpy's .npy format), so data moves between jx and numpy.
 *
 * .npy: a magic string "\x93NUMPY", a version (1.0 writes; 1.0-3.0 read),
 * a little-endian header length, an ASCII Python-dict header
 * {'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), } padded with
 * spaces and ending in '\n' so the data starts at a multiple of 64 bytes,
 * then the raw elements.  Malformed files raise ValueError naming the file
 * and the problem; unreadable ones IOError. */
#include "teach.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "builtins.h"

/* ------------------------------------------------------------------ */
/* files                                                                */

/* Whole file into a jx_malloc'd buffer (the caller frees it; jx_realloc
 * refuses what would not fit in memory: reading /dev/zero ends in a
 * MemoryError, not the kernel's OOM killer). */
static int read_all(Interp *I, const char *path, const char *who, char **out, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return jx_raisei(I, E_IO, "%s: cannot open '%s': %s", who, path, strerror(errno));
  size_t cap = 1 << 16, n = 0;
  char *buf = jx_malloc(I, cap + 1);
  if (!buf) {
    fclose(f);
    return jx_raisei(I, E_MEMORY, "%s: out of memory reading '%s'", who, path);
  }
  for (;;) {
    if (n == cap) {
      if (cap > ((size_t)1 << 36)) {
        free(buf);
        fclose(f);
        return jx_raisei(I, E_IO, "%s: '%s' is too large", who, path);
      }
      char *nb = jx_realloc(I, buf, cap * 2 + 1);
      if (!nb) {
        jx_free(buf);
        fclose(f);
        return jx_raisei(I, E_MEMORY, "%s: out of memory reading '%s'", who, path);
      }
      buf = nb;
      cap *= 2;
    }
    size_t k = fread(buf + n, 1, cap - n, f);
    n += k;
    if (k == 0) break;
    if (I->interrupted && jx_check_interrupt(I) < 0) { /* Ctrl-C: a pipe, /dev/zero */
      jx_free(buf);
      fclose(f);
      return -1;
    }
  }
  int err = ferror(f);
  fclose(f);
  if (err) {
    free(buf);
    return jx_raisei(I, E_IO, "%s: cannot read '%s'", who, path);
  }
  buf[n] = 0;
  *out = buf;
  *len = n;
  return 0;
}

static int arg_path(Interp *I, Value v, const char *who, const char **path) {
  if (v.tag != T_STR)
    return jx_raisei(I, E_TYPE, "%s: the path must be a string, not %s", who, type_name(v));
  if (AS_STR(v)->len == 0) return jx_raisei(I, E_VALUE, "%s: the path is empty", who);
  *path = AS_STR(v)->s;
  return 0;
}

/* ------------------------------------------------------------------ */
/* CSV                                                                  */

typedef struct {
  double *v;
  int64_t n, cap;
} DVec;

static int dvec_push(Interp *I, DVec *d, double x) {
  if (d->n == d->cap) {
    int64_t cap = d->cap ? d->cap * 2 : 256;
    double *nv = jx_realloc(I, d->v, (size_t)cap * sizeof(double));
    if (!nv) return -1;
    d->v = nv;
    d->cap = cap;
  }
  d->v[d->n++] = x;
  return 0;
}

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* parse one field [s, e) as a number */
static int parse_field(Interp *I, const char *s, const char *e, const char *path, int64_t line,
                       int64_t col, double *out) {
  while (s < e && is_blank(*s)) s++;
  while (e > s && is_blank(e[-1])) e--;
  if (s == e)
    return jx_raisei(I, E_VALUE, "load_csv: '%s' line %lld, column %lld: empty field", path,
                     (long long)line, (long long)col);
  char buf[128];
  size_t n = (size_t)(e - s);
  if (n >= sizeof buf)
    return jx_raisei(I, E_VALUE,
                     "load_csv: '%s' line %lld, column %lld: field too long to be a number", path,
                     (long long)line, (long long)col);
  memcpy(buf, s, n);
  buf[n] = 0;
  char *end;
  errno = 0;
  double d = strtod(buf, &end);
  if (end == buf || *end) {
    /* quoted numbers ("1.5") are accepted, as spreadsheets write them */
    if (n >= 2 && (buf[0] == '"' || buf[0] == '\'') && buf[n - 1] == buf[0]) {
      buf[n - 1] = 0;
      d = strtod(buf + 1, &end);
      if (end != buf + 1 && !*end) {
        *out = d;
        return 0;
      }
    }
    return jx_raisei(I, E_VALUE, "load_csv: '%s' line %lld, column %lld: '%s' is not a number",
                     path, (long long)line, (long long)col, buf);
  }
  *out = d;
  return 0;
}

Value bi_load_csv(Interp *I, Value *args, int nargs, Value self) {
  const char *path = NULL;
  if (arg_path(I, args[0], "load_csv", &path) < 0) return v_exc();
  int64_t skip = 0;
  if (args[1].tag != T_UNSET && args[1].tag != T_NONE) {
    if (arg_int(I, args[1], "load_csv", "skip_header", &skip) < 0) return v_exc();
    if (skip < 0)
      return jx_raise(I, E_VALUE, "load_csv: skip_header must be >= 0, got %lld", (long long)skip);
  }
  char delim = ',';
  bool ws = false;
  if (args[2].tag == T_NONE)
    ws = true;
  else if (args[2].tag == T_STR) {
    if (AS_STR(args[2])->len != 1)
      return jx_raise(
          I, E_VALUE,
          "load_csv: delimiter must be one character (or None for whitespace), got '%s'",
          AS_STR(args[2])->s);
    delim = AS_STR(args[2])->s[0];
    ws = delim == ' ';
  } else if (args[2].tag != T_UNSET) {
    return jx_raise(I, E_TYPE, "load_csv: delimiter must be a string or None, not %s",
                    type_name(args[2]));
  }
  char *buf;
  size_t len;
  if (read_all(I, path, "load_csv", &buf, &len) < 0) return v_exc();
  if (memchr(buf, 0, len)) {
    free(buf);
    return jx_raise(I, E_VALUE,
                    "load_csv: '%s' is a binary file, not text (for .npy files use load_npy)",
                    path);
  }
  DVec d = {0};
  int64_t rows = 0, cols = -1, line = 0;
  int rc = 0;
  char *p = buf, *end = buf + len;
  while (p < end && rc == 0) {
    char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol) eol = end;
    line++;
    char *s = p, *e = eol;
    p = eol < end ? eol + 1 : end;
    if (line <= skip) continue;
    /* a comment runs to the end of the line */
    char *hash = memchr(s, '#', (size_t)(e - s));
    if (hash) e = hash;
    char *t = s;
    while (t < e && is_blank(*t)) t++;
    if (t == e) continue;
    int64_t c = 0;
    if (ws) {
      char *q = t;
      while (q < e && rc == 0) {
        char *fs = q;
        while (q < e && !is_blank(*q)) q++;
        double v;
        rc = parse_field(I, fs, q, path, line, c + 1, &v);
        if (rc == 0) rc = dvec_push(I, &d, v);
        c++;
        while (q < e && is_blank(*q)) q++;
      }
    } else {
      char *fs = s;
      for (;;) {
        char *q = memchr(fs, delim, (size_t)(e - fs));
        char *fe = q ? q : e;
        double v;
        rc = parse_field(I, fs, fe, path, line, c + 1, &v);
        if (rc == 0) rc = dvec_push(I, &d, v);
        c++;
        if (rc || !q) break;
        fs = q + 1;
      }
    }
    if (rc) break;
    if (cols < 0)
      cols = c;
    else if (c != cols) {
      rc = jx_raisei(I, E_VALUE,
                     "load_csv: '%s' line %lld has %lld column%s, but the rows before have %lld",
                     path, (long long)line, (long long)c, c == 1 ? "" : "s", (long long)cols);
      break;
    }
    rows++;
  }
  free(buf);
  if (rc) {
    jx_free(d.v);
    return v_exc();
  }
  int64_t shape[2];
  int nd;
  if (rows == 0) {
    nd = 1;
    shape[0] = 0;
  } else if (cols == 1) {
    nd = 1;
    shape[0] = rows;
  } else {
    nd = 2;
    shape[0] = rows;
    shape[1] = cols;
  }
  Array *a = arr_alloc(I, DT_FLOAT, nd, shape);
  if (!a) {
    jx_free(d.v);
    return v_exc();
  }
  if (d.n) memcpy(a->data, d.v, (size_t)d.n * sizeof(double));
  jx_free(d.v);
  return arr_normalize(I, a);
}

Value bi_save_csv(Interp *I, Value *args, int nargs, Value self) {
  const char *path = NULL;
  if (arg_path(I, args[0], "save_csv", &path) < 0) return v_exc();
  Value x = args[1];
  if (!is_numeric(x))
    return jx_raise(I, E_TYPE, "save_csv: expected an array, got %s", type_name(x));
  char delim = ',';
  if (args[2].tag == T_STR && AS_STR(args[2])->len == 1)
    delim = AS_STR(args[2])->s[0];
  else if (args[2].tag != T_UNSET)
    return jx_raise(I, E_VALUE, "save_csv: delimiter must be a one-character string");
  if (args[3].tag != T_UNSET && args[3].tag != T_NONE && args[3].tag != T_STR)
    return jx_raise(I, E_TYPE, "save_csv: header must be a string or None");
  Array *a = arr_from_value(I, x);
  if (!a) return v_exc();
  if (a->ndim > 2 || a->ndim == 0) {
    int nd = a->ndim;
    v_decref(v_obj(&a->hdr));
    return jx_raise(I, E_SHAPE, "save_csv: expected a 1-d or 2-d array, got %d dimensions", nd);
  }
  int64_t rows = a->shape[0], cols = a->ndim == 2 ? a->shape[1] : 1;
  StrBuf sb;
  sb_init(&sb);
  if (args[3].tag == T_STR) {
    sb_puts(&sb, AS_STR(args[3])->s);
    sb_putc(&sb, '\n');
  }
  for (int64_t r = 0; r < rows; r++) {
    for (int64_t c = 0; c < cols; c++) {
      int64_t k = r * cols + c;
      if (c) sb_putc(&sb, delim);
      if (a->dtype == DT_FLOAT)
        fmt_float(ARR_F(a)[k], &sb);
      else if (a->dtype == DT_INT)
        sb_printf(&sb, "%lld", (long long)ARR_I(a)[k]);
      else
        sb_putc(&sb, ARR_B(a)[k] ? '1' : '0');
    }
    sb_putc(&sb, '\n');
  }
  v_decref(v_obj(&a->hdr));
  if (sb.oom) {
    sb_free(&sb);
    return jx_raise(I, E_MEMORY, "save_csv: out of memory");
  }
  FILE *f = fopen(path, "wb");
  if (!f) {
    sb_free(&sb);
    return jx_raise(I, E_IO, "save_csv: cannot write '%s': %s", path, strerror(errno));
  }
  size_t w = sb.len ? fwrite(sb.s, 1, sb.len, f) : 0;
  int bad = w != sb.len || ferror(f);
  if (fclose(f) != 0) bad = 1;
  sb_free(&sb);
  if (bad) return jx_raise(I, E_IO, "save_csv: error writing '%s'", path);
  return v_none();
}

/* ------------------------------------------------------------------ */
/* .npy                                                                 */

static bool host_little(void) {
  uint16_t x = 1;
  return *(uint8_t *)&x == 1;
}

static void swap_bytes(unsigned char *p, size_t size) {
  for (size_t i = 0; i < size / 2; i++) {
    unsigned char t = p[i];
    p[i] = p[size - 1 - i];
    p[size - 1 - i] = t;
  }
}

typedef struct {
  char kind; /* 'f' 'i' 'u' 'b' */
  int size;  /* bytes per element */
  bool big;  /* big-endian data */
  bool fortran;
  int ndim;
  int64_t shape[JX_MAXDIM];
  bool have_descr, have_order, have_shape;
} NpyHeader;

typedef struct {
  const char *s, *e;
} Cur;

static void cur_ws(Cur *c) {
  while (c->s < c->e && (*c->s == ' ' || *c->s == '\t' || *c->s == '\n' || *c->s == '\r')) c->s++;
}

static bool cur_lit(Cur *c, const char *lit) {
  cur_ws(c);
  size_t n = strlen(lit);
  if ((size_t)(c->e - c->s) >= n && !memcmp(c->s, lit, n)) {
    c->s += n;
    return true;
  }
  return false;
}

/* a quoted string into buf */
static bool cur_str(Cur *c, char *buf, size_t cap) {
  cur_ws(c);
  if (c->s >= c->e || (*c->s != '\'' && *c->s != '"')) return false;
  char q = *c->s++;
  size_t n = 0;
  while (c->s < c->e && *c->s != q) {
    if (n + 1 < cap) buf[n++] = *c->s;
    c->s++;
  }
  if (c->s >= c->e) return false;
  c->s++;
  buf[n] = 0;
  return true;
}

static int npy_bad(Interp *I, const char *path, const char *what) {
  return jx_raisei(I, E_VALUE, "load_npy: '%s' is not a valid .npy file: %s", path, what);
}

static int parse_header(Interp *I, const char *path, const char *h, size_t n, NpyHeader *out) {
  memset(out, 0, sizeof *out);
  Cur c = {h, h + n};
  if (!cur_lit(&c, "{")) return npy_bad(I, path, "the header is not a dictionary");
  for (;;) {
    if (cur_lit(&c, "}")) break;
    char key[32];
    if (!cur_str(&c, key, sizeof key)) return npy_bad(I, path, "malformed header (expected a key)");
    if (!cur_lit(&c, ":")) return npy_bad(I, path, "malformed header (expected ':')");
    if (!strcmp(key, "descr")) {
      char d[32];
      if (!cur_str(&c, d, sizeof d)) {
        return jx_raisei(I, E_VALUE,
                         "load_npy: '%s' holds a structured (record) array, which jx "
                         "does not support",
                         path);
      }
      const char *p = d;
      out->big = false;
      if (*p == '<' || *p == '=' || *p == '|')
        p++;
      else if (*p == '>') {
        out->big = true;
        p++;
      }
      char kind = *p ? *p++ : 0;
      char *endp;
      long size = strtol(p, &endp, 10);
      bool ok =
          *endp == 0 &&
          ((kind == 'f' && (size == 8 || size == 4)) ||
           ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8)) ||
           (kind == 'b' && size == 1));
      if (!ok)
        return jx_raisei(I, E_VALUE,
                         "load_npy: '%s' has dtype '%s', which jx cannot read (supported: "
                         "float64/32, int64/32/16/8, uint, bool)",
                         path, d);
      out->kind = kind;
      out->size = (int)size;
      out->have_descr = true;
    } else if (!strcmp(key, "fortran_order")) {
      if (cur_lit(&c, "True"))
        out->fortran = true;
      else if (cur_lit(&c, "False"))
        out->fortran = false;
      else
        return npy_bad(I, path, "fortran_order is neither True nor False");
      out->have_order = true;
    } else if (!strcmp(key, "shape")) {
      if (!cur_lit(&c, "(")) return npy_bad(I, path, "the shape is not a tuple");
      out->ndim = 0;
      for (;;) {
        if (cur_lit(&c, ")")) break;
        cur_ws(&c);
        char *endp;
        errno = 0;
        long long v = strtoll(c.s, &endp, 10);
        if (endp == c.s || v < 0 || errno)
          return npy_bad(I, path, "the shape holds something other than sizes");
        if (out->ndim >= JX_MAXDIM)
          return jx_raisei(I, E_VALUE, "load_npy: '%s' has more than %d dimensions", path,
                           JX_MAXDIM);
        out->shape[out->ndim++] = v;
        c.s = endp;
        if (cur_lit(&c, ",")) continue;
        if (cur_lit(&c, ")")) break;
        return npy_bad(I, path, "malformed shape tuple");
      }
      out->have_shape = true;
    } else {
      return npy_bad(I, path, "unexpected key in the header");
    }
    if (cur_lit(&c, ",")) continue;
    if (cur_lit(&c, "}")) break;
    return npy_bad(I, path, "malformed header (expected ',' or '}')");
  }
  if (!out->have_descr || !out->have_order || !out->have_shape)
    return npy_bad(I, path, "the header lacks 'descr', 'fortran_order' or 'shape'");
  return 0;
}

Value bi_load_npy(Interp *I, Value *args, int nargs, Value self) {
  const char *path = NULL;
  if (arg_path(I, args[0], "load_npy", &path) < 0) return v_exc();
  char *buf;
  size_t len;
  if (read_all(I, path, "load_npy", &buf, &len) < 0) return v_exc();
  const unsigned char *u = (const unsigned char *)buf;
  Value r = v_exc();
  if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0) {
    npy_bad(I, path, "it does not start with the .npy magic string \\x93NUMPY");
    goto done;
  }
  int major = u[6];
  size_t hlen, hstart;
  if (major == 1) {
    hlen = (size_t)u[8] | (size_t)u[9] << 8;
    hstart = 10;
  } else if (major == 2 || major == 3) {
    if (len < 12) {
      npy_bad(I, path, "truncated header");
      goto done;
    }
    hlen = (size_t)u[8] | (size_t)u[9] << 8 | (size_t)u[10] << 16 | (size_t)u[11] << 24;
    hstart = 12;
  } else {
    jx_raise(I, E_VALUE, "load_npy: '%s' has .npy format version %d.%d, which jx does not know",
             path, major, u[7]);
    goto done;
  }
  if (hstart + hlen > len) {
    npy_bad(I, path, "the header runs past the end of the file");
    goto done;
  }
  NpyHeader h;
  if (parse_header(I, path, buf + hstart, hlen, &h) < 0) goto done;
  {
    int64_t count;
    if (shape_size(I, h.ndim, h.shape, &count) < 0) goto done;
    size_t need = (size_t)count * (size_t)h.size;
    size_t have = len - hstart - hlen;
    if (count > 0 && need / (size_t)count != (size_t)h.size) {
      npy_bad(I, path, "the shape is too large");
      goto done;
    }
    if (have < need) {
      jx_raise(I, E_VALUE,
               "load_npy: '%s' is truncated: its shape needs %zu bytes of data, but only "
               "%zu follow the header",
               path, need, have);
      goto done;
    }
    DType dt = h.kind == 'f' ? DT_FLOAT : h.kind == 'b' ? DT_BOOL : DT_INT;
    Array *a = arr_alloc(I, dt, h.ndim, h.shape);
    if (!a) goto done;
    const unsigned char *data = u + hstart + hlen;
    bool swap = h.big == host_little();
    /* index map for Fortran order */
    int64_t idx[JX_MAXDIM] = {0};
    for (int64_t k = 0; k < count; k++) {
      int64_t src = k;
      if (h.fortran && h.ndim > 1) {
        /* idx is the C-order multi-index of k; its F-order offset: */
        int64_t off = 0, stride = 1;
        for (int d = 0; d < h.ndim; d++) {
          off += idx[d] * stride;
          stride *= h.shape[d];
        }
        src = off;
        for (int d = h.ndim - 1; d >= 0; d--) {
          if (++idx[d] < h.shape[d]) break;
          idx[d] = 0;
        }
      }
      unsigned char e[8];
      memcpy(e, data + (size_t)src * (size_t)h.size, (size_t)h.size);
      if (swap && h.size > 1) swap_bytes(e, (size_t)h.size);
      if (h.kind == 'f') {
        if (h.size == 8)
          memcpy(&ARR_F(a)[k], e, 8);
        else {
          float fl;
          memcpy(&fl, e, 4);
          ARR_F(a)[k] = fl;
        }
      } else if (h.kind == 'b') {
        ARR_B(a)[k] = e[0] != 0;
      } else if (h.kind == 'i') {
        int64_t v = 0;
        if (h.size == 1)
          v = (int8_t)e[0];
        else if (h.size == 2) {
          int16_t t;
          memcpy(&t, e, 2);
          v = t;
        } else if (h.size == 4) {
          int32_t t;
          memcpy(&t, e, 4);
          v = t;
        } else
          memcpy(&v, e, 8);
        ARR_I(a)[k] = v;
      } else {
        uint64_t v = 0;
        if (h.size == 1)
          v = e[0];
        else if (h.size == 2) {
          uint16_t t;
          memcpy(&t, e, 2);
          v = t;
        } else if (h.size == 4) {
          uint32_t t;
          memcpy(&t, e, 4);
          v = t;
        } else
          memcpy(&v, e, 8);
        if (v > (uint64_t)INT64_MAX) {
          v_decref(v_obj(&a->hdr));
          jx_raise(I, E_VALUE, "load_npy: '%s' holds the uint64 value %llu, too large for int64",
                   path, (unsigned long long)v);
          goto done;
        }
        ARR_I(a)[k] = (int64_t)v;
      }
    }
    r = arr_normalize(I, a);
  }
done:
  free(buf);
  return r;
}

Value bi_save_npy(Interp *I, Value *args, int nargs, Value self) {
  const char *path = NULL;
  if (arg_path(I, args[0], "save_npy", &path) < 0) return v_exc();
  Value x = args[1];
  if (x.tag == T_TRACER)
    return jx_raise(I, E_TYPE,
                    "save_npy: cannot save a value traced by a transformation "
                    "(call save_npy outside grad/vmap/jit)");
  if (!is_numeric(x))
    return jx_raise(I, E_TYPE, "save_npy: expected an array, got %s", type_name(x));
  Array *a = arr_from_value(I, x);
  if (!a) return v_exc();
  StrBuf h;
  sb_init(&h);
  const char *descr = a->dtype == DT_FLOAT ? "<f8" : a->dtype == DT_INT ? "<i8" : "|b1";
  sb_printf(&h, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
  for (int d = 0; d < a->ndim; d++) sb_printf(&h, "%s%lld", d ? ", " : "", (long long)a->shape[d]);
  if (a->ndim == 1) sb_putc(&h, ',');
  sb_puts(&h, "), }");
  /* pad so that 10 + header length is a multiple of 64, ending in '\n' */
  while ((10 + h.len + 1) % 64 && !h.oom) sb_putc(&h, ' ');
  sb_putc(&h, '\n');
  int rc = 0;
  FILE *f = NULL;
  if (h.oom || h.len > 65535) {
    rc = jx_raisei(I, E_MEMORY, "save_npy: header too large");
    goto done;
  }
  f = fopen(path, "wb");
  if (!f) {
    rc = jx_raisei(I, E_IO, "save_npy: cannot write '%s': %s", path, strerror(errno));
    goto done;
  }
  unsigned char pre[10] = {0x93,
                           'N',
                           'U',
                           'M',
                           'P',
                           'Y',
                           1,
                           0,
                           (unsigned char)(h.len & 0xff),
                           (unsigned char)(h.len >> 8)};
  bool bad = fwrite(pre, 1, 10, f) != 10 || fwrite(h.s, 1, h.len, f) != h.len;
  size_t es = dtype_size((DType)a->dtype);
  if (!bad && a->size > 0) {
    if (host_little() || es == 1) {
      bad = fwrite(a->data, es, (size_t)a->size, f) != (size_t)a->size;
    } else {
      for (int64_t k = 0; k < a->size && !bad; k++) {
        unsigned char e[8];
        memcpy(e, (unsigned char *)a->data + (size_t)k * es, es);
        swap_bytes(e, es);
        bad = fwrite(e, 1, es, f) != es;
      }
    }
  }
  if (ferror(f)) bad = true;
  if (fclose(f) != 0) bad = true;
  if (bad) rc = jx_raisei(I, E_IO, "save_npy: error writing '%s'", path);
done:
  sb_free(&h);
  v_decref(v_obj(&a->hdr));
  return rc < 0 ? v_exc() : v_none();
}
