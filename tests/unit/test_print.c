/* test_print.c — fmt_float against Python's repr and array_repr against
 * numpy's str(), byte for byte, using tests/data/print_cases.txt (made by
 * tests/gen_print_cases.py).  The data file is found through the
 * environment variable JX_TEST_DATA (the tests/data directory), else
 * relative to this source file.
 *
 * Build standalone (before/without the rest of jxcore):
 *   gcc -std=gnu11 -DPRINT_STANDALONE -I. tests/unit/test_print.c \
 *       stdlib/format.c stdlib/print.c -lcriterion -lm
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eval/value.h"
#include "stdlib/array.h"
#include "stdlib/format.h"

/* ---- stand-ins for eval/value.c and stdlib/array.c ------------------------- */
#ifdef PRINT_STANDALONE
void sb_init(StrBuf *sb) { memset(sb, 0, sizeof *sb); }
void sb_free(StrBuf *sb) { free(sb->s); memset(sb, 0, sizeof *sb); }
void sb_putn(StrBuf *sb, const char *s, size_t n)
{
  if (sb->len + n + 1 > sb->cap) {
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < sb->len + n + 1) cap *= 2;
    char *p = realloc(sb->s, cap);
    if (!p) { sb->oom = true; return; }
    sb->s = p;
    sb->cap = cap;
  }
  memcpy(sb->s + sb->len, s, n);
  sb->len += n;
  sb->s[sb->len] = '\0';
}
void sb_puts(StrBuf *sb, const char *s) { sb_putn(sb, s, strlen(s)); }
void sb_putc(StrBuf *sb, char c) { sb_putn(sb, &c, 1); }

static Interp *test_interp(void) { return NULL; }
static void test_interp_free(Interp *I) { (void)I; }
static Array *test_array(Interp *I, DType dt, int ndim, const int64_t *shape)
{
  (void)I;
  Array *a = calloc(1, sizeof *a);
  a->hdr.rc = 1;
  a->hdr.kind = T_ARRAY;
  a->dtype = (uint8_t)dt;
  a->ndim = ndim;
  a->size = 1;
  for (int k = 0; k < ndim; k++) {
    a->shape[k] = shape[k];
    a->size *= shape[k];
  }
  size_t es = dt == DT_BOOL ? 1 : 8;
  a->data = calloc(a->size ? (size_t)a->size : 1, es);
  return a;
}
static void test_array_free(Array *a)
{
  free(a->data);
  free(a);
}
#else
static Interp *test_interp(void) { return jx_new(); }
static void test_interp_free(Interp *I) { jx_free_interp(I); }
static Array *test_array(Interp *I, DType dt, int ndim, const int64_t *shape)
{
  return arr_alloc(I, dt, ndim, shape);
}
static void test_array_free(Array *a) { v_decref(v_obj(&a->hdr)); }
#endif

/* ---- helpers -------------------------------------------------------------- */

static char *repr_f(double d)
{
  StrBuf sb;
  sb_init(&sb);
  fmt_float(d, &sb);
  char *s = strdup(sb.s ? sb.s : "");
  sb_free(&sb);
  return s;
}

static char *repr_a(Interp *I, Array *a)
{
  StrBuf sb;
  sb_init(&sb);
  array_repr(I, &a->hdr, &sb);
  char *s = strdup(sb.s ? sb.s : "");
  sb_free(&sb);
  return s;
}

static Array *make_f(Interp *I, int ndim, const int64_t *shape, const double *v)
{
  Array *a = test_array(I, DT_FLOAT, ndim, shape);
  memcpy(a->data, v, (size_t)a->size * sizeof(double));
  return a;
}

static void check_f1(const double *v, int64_t n, const char *want)
{
  Interp *I = test_interp();
  Array *a = make_f(I, 1, &n, v);
  char *got = repr_a(I, a);
  cr_expect_str_eq(got, want);
  free(got);
  test_array_free(a);
  test_interp_free(I);
}

static char *read_data_file(void)
{
  char path[4096];
  const char *env = getenv("JX_TEST_DATA");
  if (env && *env) {
    snprintf(path, sizeof path, "%s/print_cases.txt", env);
  } else {
    const char *f = __FILE__;
    const char *slash = strrchr(f, '/');
    int dl = slash ? (int)(slash - f) : 1;
    snprintf(path, sizeof path, "%.*s/../data/print_cases.txt", dl, slash ? f : ".");
  }
  FILE *fp = fopen(path, "rb");
  if (!fp) {
    cr_log_error("cannot open %s (set JX_TEST_DATA to the tests/data directory)", path);
    return NULL;
  }
  fseek(fp, 0, SEEK_END);
  long n = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  size_t got = fread(buf, 1, (size_t)n, fp);
  buf[got] = '\0';
  fclose(fp);
  return buf;
}

/* Split the buffer into lines in place; returns the count. */
static int split_lines(char *buf, char ***out)
{
  int cap = 1024, n = 0;
  char **v = malloc(sizeof(char *) * (size_t)cap);
  char *p = buf;
  while (*p) {
    if (n == cap) { cap *= 2; v = realloc(v, sizeof(char *) * (size_t)cap); }
    v[n++] = p;
    char *nl = strchr(p, '\n');
    if (!nl) break;
    *nl = '\0';
    p = nl + 1;
  }
  *out = v;
  return n;
}

/* ---- hand-written cases (need no data file) ----------------------------- */

Test(print, fmt_float_basics)
{
  struct { double d; const char *s; } c[] = {
    {0.1, "0.1"}, {-12.0, "-12.0"}, {1e-5, "1e-05"}, {1e20, "1e+20"},
    {1.5e-7, "1.5e-07"}, {123456789012345.0, "123456789012345.0"},
    {1e16, "1e+16"}, {1e15, "1000000000000000.0"}, {NAN, "nan"},
    {INFINITY, "inf"}, {-INFINITY, "-inf"}, {-0.0, "-0.0"}, {0.0, "0.0"},
    {0.0001, "0.0001"}, {5e-324, "5e-324"}, {1.7976931348623157e308, "1.7976931348623157e+308"},
    {1.0 / 3, "0.3333333333333333"}, {2.5, "2.5"}, {1e100, "1e+100"}, {1e23, "1e+23"},
  };
  for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
    char *s = repr_f(c[i].d);
    cr_expect_str_eq(s, c[i].s);
    free(s);
  }
}

Test(print, array_basics)
{
  double a1[] = {0.0, 0.42, 1.0};
  check_f1(a1, 3, "[0.   0.42 1.  ]");
  double a2[] = {1e-5, 1.0};
  check_f1(a2, 2, "[1.e-05 1.e+00]");
  double a3[] = {NAN, INFINITY, -INFINITY};
  check_f1(a3, 3, "[ nan  inf -inf]");

  Interp *I = test_interp();
  int64_t sh[2] = {2, 2};
  Array *ai = test_array(I, DT_INT, 2, sh);
  int64_t iv[] = {1, 2, 3, 4};
  memcpy(ai->data, iv, sizeof iv);
  char *s = repr_a(I, ai);
  cr_expect_str_eq(s, "[[1 2]\n [3 4]]");
  free(s);
  test_array_free(ai);

  int64_t n3 = 3;
  Array *aj = test_array(I, DT_INT, 1, &n3);
  int64_t jv[] = {1, -2, 3};
  memcpy(aj->data, jv, sizeof jv);
  s = repr_a(I, aj);
  cr_expect_str_eq(s, "[ 1 -2  3]");
  free(s);
  test_array_free(aj);

  int64_t n2 = 2;
  Array *ab = test_array(I, DT_BOOL, 1, &n2);
  ARR_B(ab)[0] = 1;
  ARR_B(ab)[1] = 0;
  s = repr_a(I, ab);
  cr_expect_str_eq(s, "[ True False]");
  free(s);
  test_array_free(ab);

  int64_t sh0[2] = {0, 3};
  Array *ae = test_array(I, DT_FLOAT, 2, sh0);
  s = repr_a(I, ae);
  cr_expect_str_eq(s, "[]");
  free(s);
  test_array_free(ae);
  test_interp_free(I);
}

/* ---- the generated cases ---------------------------------------------------- */

Test(print, fmt_float_vs_python_repr)
{
  char *buf = read_data_file();
  cr_assert_not_null(buf, "missing tests/data/print_cases.txt");
  char **ln;
  int nl = split_lines(buf, &ln);
  int total = 0, fails = 0;
  for (int i = 0; i < nl; i++) {
    if (ln[i][0] != 'F' || ln[i][1] != ' ') continue;
    char *hex = ln[i] + 2;
    char *sp = strchr(hex, ' ');
    cr_assert_not_null(sp, "bad line %d", i + 1);
    *sp = '\0';
    double d = strtod(hex, NULL);
    if (!strcmp(hex, "-nan")) d = -NAN;
    const char *want = sp + 1;
    char *got = repr_f(d);
    total++;
    if (strcmp(got, want)) {
      if (++fails <= 20) cr_log_error("fmt_float(%s): got %s, want %s", hex, got, want);
    }
    free(got);
  }
  fprintf(stderr, "test_print: fmt_float %d/%d match Python repr\n", total - fails, total);
  free(ln);
  free(buf);
  cr_expect_gt(total, 1000);
  cr_expect_eq(fails, 0, "%d of %d floats differ from Python's repr", fails, total);
}

static void show_diff(const char *name, const char *got, const char *want)
{
  cr_log_error("array case %s:\n--- got ---\n%s\n--- numpy ---\n%s", name, got, want);
}

Test(print, array_repr_vs_numpy)
{
  char *buf = read_data_file();
  cr_assert_not_null(buf, "missing tests/data/print_cases.txt");
  char **ln;
  int nl = split_lines(buf, &ln);
  Interp *I = test_interp();
  int total = 0, fails = 0;
  for (int i = 0; i < nl; i++) {
    if (ln[i][0] != 'A' || ln[i][1] != ' ') continue;
    /* header: A name dtype dims... */
    char name[256], dts[32];
    int off = 0;
    cr_assert_eq(sscanf(ln[i] + 2, "%255s %31s%n", name, dts, &off), 2, "bad header line %d", i + 1);
    DType dt = !strcmp(dts, "float64") ? DT_FLOAT : !strcmp(dts, "int64") ? DT_INT : DT_BOOL;
    int64_t shape[JX_MAXDIM];
    int nd = 0;
    char *p = ln[i] + 2 + off;
    for (;;) {
      char *end;
      long long v = strtoll(p, &end, 10);
      if (end == p) break;
      shape[nd++] = v;
      p = end;
    }
    Array *a = test_array(I, dt, nd, shape);
    cr_assert_not_null(a);
    int64_t k = 0;
    int j = i + 1;
    for (; j < nl && ln[j][0] == 'D'; j++) {
      char *q = ln[j] + 1;
      for (;;) {
        while (*q == ' ') q++;
        if (!*q) break;
        char *end;
        cr_assert_lt(k, a->size, "too many values in case %s", name);
        if (dt == DT_FLOAT) ARR_F(a)[k] = strtod(q, &end);
        else if (dt == DT_INT) ARR_I(a)[k] = strtoll(q, &end, 10);
        else ARR_B(a)[k] = (uint8_t)strtol(q, &end, 10);
        cr_assert_neq(end, q, "bad value in case %s", name);
        q = end;
        k++;
      }
    }
    cr_assert_eq(k, a->size, "case %s: %lld values for size %lld", name, (long long)k,
                 (long long)a->size);
    /* expected text */
    StrBuf want;
    sb_init(&want);
    bool firstl = true;
    for (; j < nl && ln[j][0] == '|'; j++) {
      if (!firstl) sb_putc(&want, '\n');
      firstl = false;
      sb_puts(&want, ln[j] + 1);
    }
    cr_assert(j < nl && !strcmp(ln[j], "."), "case %s not terminated", name);
    char *got = repr_a(I, a);
    total++;
    const char *w = want.s ? want.s : "";
    if (strcmp(got, w)) {
      if (++fails <= 10) show_diff(name, got, w);
    }
    free(got);
    sb_free(&want);
    test_array_free(a);
    i = j;
  }
  fprintf(stderr, "test_print: array_repr %d/%d match numpy str()\n", total - fails, total);
  test_interp_free(I);
  free(ln);
  free(buf);
  cr_expect_gt(total, 100);
  cr_expect_eq(fails, 0, "%d of %d arrays differ from numpy", fails, total);
}

/* Digit generation must be quick enough to print big arrays. */
Test(print, speed)
{
  uint64_t s = 88172645463325252ull;
  double t0 = (double)clock() / CLOCKS_PER_SEC;
  char dig[18];
  int e, total = 0;
  for (int i = 0; i < 200000; i++) {
    s ^= s << 13; s ^= s >> 7; s ^= s << 17;
    double d = (double)(s >> 11) / 9007199254740992.0 * 100.0 + 1e-3;
    total += fmt_shortest(d, dig, &e);
  }
  double t = (double)clock() / CLOCKS_PER_SEC - t0;
  fprintf(stderr, "test_print: 200000 shortest conversions in %.3f s\n", t);
  cr_expect_gt(total, 0);
  cr_expect_lt(t, 5.0);
}
