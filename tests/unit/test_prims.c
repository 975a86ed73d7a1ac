/* test_prims.c — the eager implementations and shape rules of every
 * primitive in ad/prims.def except rng_* (stdlib/prims_*.c): values and
 * dtypes against numpy's, broadcasting at (), (3,4), (3,1), (1,4), empty
 * arrays, NaN/inf, every error case, and shape rules agreeing with impls. */
#include "arr_test_util.h"

TestSuite(prims, .init = setup, .fini = teardown);

/* ------------------------------------------------------------------ */
/* the table                                                           */

Test(prims, table_complete) {
  for (int id = 0; id < P__COUNT; id++) {
    cr_assert(jx_prims[id].name != NULL, "row %d has no name", id);
    cr_assert(jx_prims[id].impl != NULL, "%s has no impl", jx_prims[id].name);
    cr_assert(jx_prims[id].shape != NULL, "%s has no shape rule", jx_prims[id].name);
  }
  cr_assert_str_eq(jx_prims[P_add].name, "add");
  cr_assert_eq(jx_prims[P_add].nin, 2);
  cr_assert_eq(jx_prims[P_add].kind, PK_BINARY);
  cr_assert_eq(jx_prims[P_concatenate].nin, -1);
  cr_assert_eq(jx_prims[P_eq].kind, PK_CMP);
  cr_assert_eq(jx_prims[P_exp].kind, PK_UNARY);
  cr_assert_str_eq(jx_prims[P_convert].name, "convert_element_type");
}

/* ------------------------------------------------------------------ */
/* unary                                                               */

typedef double (*F1)(double);
static double ref_logistic(double x) { return 1 / (1 + exp(-x)); }
static double ref_neg(double x) { return -x; }

static void check_unary_float(PrimId id, F1 ref, double rtol) {
  /* sizes below and above the vector-math threshold, with specials */
  double xs[] = {-3.5, -1.0, -0.5, -0.0, 0.0, 0.25, 0.5, 0.9, 1.0, 2.0, 3.5, 10.0,
                 -10.0, 0.125, 1e-8, -1e-8, 0.75, -0.75, NAN, INFINITY, -INFINITY,
                 20.0, -20.0, 0.3, -0.3, 5.0, 1.5, -1.5, 0.01, 7.0};
  int n = (int)(sizeof xs / sizeof xs[0]);
  for (int len = 1; len <= n; len += 7) {
    Value x = mkf(1, SH(len), xs);
    Value y = OK(p1(id, x, NULL));
    check_shape_rule(id, 1, &x, NULL, y);
    Array *a = AS_ARRAY(y);
    cr_assert_eq(a->dtype, DT_FLOAT);
    for (int k = 0; k < len; k++)
      cr_assert(close_to(ARR_F(a)[k], ref(xs[k]), rtol, 1e-300), "%s(%g) = %.17g, want %.17g",
                jx_prims[id].name, xs[k], ARR_F(a)[k], ref(xs[k]));
    drop(y);
    drop(x);
  }
  /* scalars give scalars, exactly libm's value */
  for (int k = 0; k < n; k++) {
    Value y = OK(p1(id, v_float(xs[k]), NULL));
    cr_assert_eq(y.tag, T_FLOAT);
    cr_assert(close_to(y.u.f, ref(xs[k]), 1e-15, 1e-300), "%s(%g) scalar", jx_prims[id].name, xs[k]);
  }
  /* ints promote to float */
  Value xi = mki(2, SH(2, 2), IV(0, 1, 2, 3));
  Value yi = OK(p1(id, xi, NULL));
  cr_assert_eq(AS_ARRAY(yi)->dtype, DT_FLOAT);
  for (int k = 0; k < 4; k++)
    cr_assert(close_to(ARR_F(AS_ARRAY(yi))[k], ref((double)k), rtol, 1e-300));
  check_shape_rule(id, 1, &xi, NULL, yi);
  drop(yi);
  drop(xi);
  Value yb = OK(p1(id, v_bool(true), NULL));
  cr_assert_eq(yb.tag, T_FLOAT);
  /* empty */
  Value e = mkf(2, SH(0, 3), NULL);
  CHECK(p1(id, e, NULL), DT_FLOAT, 2, SH(0, 3), 0);
  drop(e);
}

#define UNARY_TEST(id, ref, rtol) \
  Test(prims, unary_##id) { check_unary_float(P_##id, ref, rtol); }
UNARY_TEST(exp, exp, 1e-15)
UNARY_TEST(log, log, 1e-15)
UNARY_TEST(log1p, log1p, 1e-15)
UNARY_TEST(expm1, expm1, 1e-15)
UNARY_TEST(sqrt, sqrt, 0)
UNARY_TEST(sin, sin, 1e-15)
UNARY_TEST(cos, cos, 1e-15)
UNARY_TEST(tan, tan, 1e-14)
UNARY_TEST(asin, asin, 1e-15)
UNARY_TEST(acos, acos, 1e-15)
UNARY_TEST(atan, atan, 1e-15)
UNARY_TEST(sinh, sinh, 1e-15)
UNARY_TEST(cosh, cosh, 1e-15)
UNARY_TEST(tanh, tanh, 1e-15)
UNARY_TEST(erf, erf, 1e-15)
UNARY_TEST(logistic, ref_logistic, 1e-15)

Test(prims, floor_ceil) {
  Value x = mkf(1, SH(6), DV(-1.5, -0.5, 0.5, 2.0, NAN, -INFINITY));
  Value f = OK(p1(P_floor, x, NULL));
  check_shape_rule(P_floor, 1, &x, NULL, f);
  CHECK(f, DT_FLOAT, 1, SH(6), -2, -1, 0, 2, NAN, -INFINITY);
  CHECK(p1(P_ceil, x, NULL), DT_FLOAT, 1, SH(6), -1, -0.0, 1, 2, NAN, -INFINITY);
  drop(x);
  cr_assert_eq(OK(p1(P_floor, v_float(-0.25), NULL)).u.f, -1.0);
  Value b = mkb(1, SH(2), IV(1, 0));
  CHECK(p1(P_ceil, b, NULL), DT_INT, 1, SH(2), 1, 0);
  drop(b);
}

Test(prims, float_faults_are_values) {
  cr_assert(isnan(OK(p1(P_log, v_float(-1.0), NULL)).u.f));
  cr_assert(isinf(OK(p1(P_exp, v_float(1000.0), NULL)).u.f));
  cr_assert_eq(OK(p1(P_log, v_float(0.0), NULL)).u.f, -INFINITY);
  cr_assert(isnan(OK(p1(P_sqrt, v_float(-1.0), NULL)).u.f));
  Value x = mkf(1, SH(20), DV(-1, 1000, 0, -2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1));
  Value l = OK(p1(P_log, x, NULL));
  cr_assert(isnan(ARR_F(AS_ARRAY(l))[0]));
  cr_assert_eq(ARR_F(AS_ARRAY(l))[2], -INFINITY);
  drop(l);
  Value e = OK(p1(P_exp, x, NULL));
  cr_assert_eq(ARR_F(AS_ARRAY(e))[1], INFINITY);
  drop(e);
  drop(x);
  /* logistic is stable at the extremes */
  cr_assert_eq(OK(p1(P_logistic, v_float(-1000.0), NULL)).u.f, 0.0);
  cr_assert_eq(OK(p1(P_logistic, v_float(1000.0), NULL)).u.f, 1.0);
}

Test(prims, neg_abs_sign_keep_ints) {
  Value xi = mki(1, SH(4), IV(-3, 0, 5, INT64_MIN));
  CHECK(p1(P_neg, xi, NULL), DT_INT, 1, SH(4), 3, 0, -5, (double)INT64_MIN);
  CHECK(p1(P_abs, xi, NULL), DT_INT, 1, SH(4), 3, 0, 5, (double)INT64_MIN);
  CHECK(p1(P_sign, xi, NULL), DT_INT, 1, SH(4), -1, 0, 1, -1);
  CHECK(p1(P_floor, xi, NULL), DT_INT, 1, SH(4), -3, 0, 5, (double)INT64_MIN);
  CHECK(p1(P_round, xi, NULL), DT_INT, 1, SH(4), -3, 0, 5, (double)INT64_MIN);
  drop(xi);
  Value xf = mkf(1, SH(5), DV(-2.5, -0.0, 0.0, NAN, 3));
  CHECK(p1(P_neg, xf, NULL), DT_FLOAT, 1, SH(5), 2.5, 0, -0.0, NAN, -3);
  CHECK(p1(P_abs, xf, NULL), DT_FLOAT, 1, SH(5), 2.5, 0, 0, NAN, 3);
  CHECK(p1(P_sign, xf, NULL), DT_FLOAT, 1, SH(5), -1, 0, 0, NAN, 1);
  drop(xf);
  Value xb = mkb(1, SH(2), IV(1, 0));
  CHECK(p1(P_neg, xb, NULL), DT_INT, 1, SH(2), -1, 0);
  CHECK(p1(P_abs, xb, NULL), DT_INT, 1, SH(2), 1, 0);
  drop(xb);
  Value s = OK(p1(P_neg, v_int(4), NULL));
  cr_assert_eq(s.tag, T_INT);
  cr_assert_eq(s.u.i, -4);
  s = OK(p1(P_abs, v_float(-0.5), NULL));
  cr_assert_eq(s.tag, T_FLOAT);
  cr_assert_eq(s.u.f, 0.5);
  cr_assert_eq(OK(p1(P_neg, v_float(1), NULL)).u.f, -1.0);
  (void)ref_neg;
}

Test(prims, round_half_to_even) {
  Value x = mkf(1, SH(10), DV(0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6, -2.6, NAN, INFINITY));
  CHECK(p1(P_round, x, NULL), DT_FLOAT, 1, SH(10), 0, 2, 2, -0.0, -2, 2, 3, -3, NAN, INFINITY);
  drop(x);
  cr_assert_eq(OK(p1(P_round, v_float(3.5), NULL)).u.f, 4.0);
  cr_assert_eq(OK(p1(P_round, v_float(4.5), NULL)).u.f, 4.0);
}

Test(prims, isnan_isinf_isfinite) {
  Value x = mkf(2, SH(2, 2), DV(NAN, INFINITY, -INFINITY, 1.0));
  CHECK(p1(P_isnan, x, NULL), DT_BOOL, 2, SH(2, 2), 1, 0, 0, 0);
  CHECK(p1(P_isinf, x, NULL), DT_BOOL, 2, SH(2, 2), 0, 1, 1, 0);
  CHECK(p1(P_isfinite, x, NULL), DT_BOOL, 2, SH(2, 2), 0, 0, 0, 1);
  drop(x);
  Value xi = mki(1, SH(2), IV(1, 2));
  CHECK(p1(P_isnan, xi, NULL), DT_BOOL, 1, SH(2), 0, 0);
  CHECK(p1(P_isfinite, xi, NULL), DT_BOOL, 1, SH(2), 1, 1);
  drop(xi);
  Value s = OK(p1(P_isnan, v_float(NAN), NULL));
  cr_assert_eq(s.tag, T_BOOL);
  cr_assert_eq(s.u.i, 1);
}

Test(prims, logical_not) {
  Value b = mkb(1, SH(3), IV(1, 0, 1));
  CHECK(p1(P_not, b, NULL), DT_BOOL, 1, SH(3), 0, 1, 0);
  drop(b);
  Value i = mki(1, SH(2), IV(0, 5));
  CHECK(p1(P_not, i, NULL), DT_INT, 1, SH(2), -1, -6);
  drop(i);
  Value s = OK(p1(P_not, v_bool(false), NULL));
  cr_assert_eq(s.tag, T_BOOL);
  cr_assert_eq(s.u.i, 1);
  EXPECT_ERR(p1(P_not, v_float(1.0), NULL), E_TYPE, "float64");
  Aval a = {DT_FLOAT, 0, {0}}, o;
  cr_assert_eq(jx_prims[P_not].shape(I, &a, NULL, &o), -1);
  jx_err_clear(I);
}

Test(prims, integer_pow) {
  Params p = PARAMS_INIT;
  Value x = mkf(1, SH(4), DV(2, -3, 0.5, NAN));
  int64_t es[] = {0, 1, 2, 3, 5, -1, -2, -3};
  for (size_t k = 0; k < sizeof es / sizeof es[0]; k++) {
    p.i0 = es[k];
    Value y = OK(p1(P_integer_pow, x, &p));
    check_shape_rule(P_integer_pow, 1, &x, &p, y);
    for (int j = 0; j < 3; j++) {
      double want = pow(ARR_F(AS_ARRAY(x))[j], (double)es[k]);
      cr_assert(close_to(ARR_F(AS_ARRAY(y))[j], want, 1e-15, 0), "%g**%lld",
                ARR_F(AS_ARRAY(x))[j], (long long)es[k]);
    }
    drop(y);
  }
  drop(x);
  Value xi = mki(1, SH(3), IV(2, -3, 0));
  p.i0 = 3;
  CHECK(p1(P_integer_pow, xi, &p), DT_INT, 1, SH(3), 8, -27, 0);
  p.i0 = -1;
  CHECK(p1(P_integer_pow, xi, &p), DT_FLOAT, 1, SH(3), 0.5, -1.0 / 3, INFINITY);
  drop(xi);
  p.i0 = 2;
  Value s = OK(p1(P_integer_pow, v_int(-7), &p));
  cr_assert_eq(s.tag, T_INT);
  cr_assert_eq(s.u.i, 49);
  s = OK(p1(P_integer_pow, v_bool(true), &p));
  cr_assert_eq(s.tag, T_INT);
}

/* ------------------------------------------------------------------ */
/* binary                                                              */

/* out[i][j] = f(a[i][?], b[?][j]) for the broadcast pairs of shapes */
static void check_bcast(PrimId id, double (*f)(double, double)) {
  Value a34 = iotaf(2, SH(3, 4), 0.5, -2.0);
  Value b34 = iotaf(2, SH(3, 4), -0.25, 1.5);
  Value a31 = iotaf(2, SH(3, 1), 1.0, 0.5);
  Value b14 = iotaf(2, SH(1, 4), 0.75, -1.0);
  Value b4 = iotaf(1, SH(4), 2.0, -3.0);
  Value s = v_float(1.25);
  struct {
    Value a, b;
  } cs[] = {{a34, b34}, {a31, b14}, {b14, a31}, {a34, s}, {s, a34}, {a34, b4}, {b4, a34},
            {a31, b34}, {a34, b14}, {s, s}};
  for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
    Value r = OK(p2(id, cs[c].a, cs[c].b, NULL));
    Value in[2] = {cs[c].a, cs[c].b};
    check_shape_rule(id, 2, in, NULL, r);
    int nda, ndb, ndr;
    int64_t sa[JX_MAXDIM], sb[JX_MAXDIM], sr[JX_MAXDIM];
    val_shape(cs[c].a, &nda, sa);
    val_shape(cs[c].b, &ndb, sb);
    val_shape(r, &ndr, sr);
    cr_assert_eq(ndr, nda > ndb ? nda : ndb);
    int64_t n0 = ndr == 2 ? sr[0] : 1, n1 = ndr >= 1 ? sr[ndr - 1] : 1;
    for (int64_t i = 0; i < n0; i++)
      for (int64_t j = 0; j < n1; j++) {
        double x, y, z;
#define ELT(v, nd, sh, i, j)                                                           \
  ((nd) == 0 ? ((v).tag == T_FLOAT ? (v).u.f : (double)(v).u.i)                        \
   : (nd) == 1 ? arr_get_f(AS_ARRAY(v), (sh)[0] == 1 ? 0 : (j))                        \
               : arr_get_f(AS_ARRAY(v), ((sh)[0] == 1 ? 0 : (i)) * (sh)[1] + ((sh)[1] == 1 ? 0 : (j))))
        x = ELT(cs[c].a, nda, sa, i, j);
        y = ELT(cs[c].b, ndb, sb, i, j);
        z = ndr == 0 ? (r.tag == T_FLOAT ? r.u.f : (double)r.u.i)
                     : arr_get_f(AS_ARRAY(r), ndr == 2 ? i * n1 + j : j);
        cr_assert(close_to(z, f(x, y), 1e-15, 1e-300), "%s case %zu [%lld,%lld]: f(%g,%g)=%.17g want %.17g",
                  jx_prims[id].name, c, (long long)i, (long long)j, x, y, z, f(x, y));
      }
    drop(r);
  }
  drop(a34), drop(b34), drop(a31), drop(b14), drop(b4);
}

static double f_add(double x, double y) { return x + y; }
static double f_sub(double x, double y) { return x - y; }
static double f_mul(double x, double y) { return x * y; }
static double f_div(double x, double y) { return x / y; }
static double f_max(double x, double y) { return x > y ? x : y; }
static double f_min(double x, double y) { return x < y ? x : y; }
static double f_atan2(double x, double y) { return atan2(x, y); }
static double f_pow(double x, double y) { return pow(x, y); }
static double f_lt(double x, double y) { return x < y; }
static double f_eq(double x, double y) { return x == y; }
static double f_ge(double x, double y) { return x >= y; }
static double f_ne(double x, double y) { return x != y; }
static double f_le(double x, double y) { return x <= y; }
static double f_gt(double x, double y) { return x > y; }
static double f_fdiv(double x, double y) {
  if (y == 0) return x / y;
  double m = fmod(x, y), d = (x - m) / y;
  if (m != 0 && ((y < 0) != (m < 0))) d -= 1;
  return round(d) == d ? d : floor(d);
}
static double f_mod(double x, double y) {
  double m = fmod(x, y);
  if (m != 0 && ((y < 0) != (m < 0))) m += y;
  return m;
}

Test(prims, binary_broadcasting) {
  check_bcast(P_add, f_add);
  check_bcast(P_sub, f_sub);
  check_bcast(P_mul, f_mul);
  check_bcast(P_div, f_div);
  check_bcast(P_max, f_max);
  check_bcast(P_min, f_min);
  check_bcast(P_atan2, f_atan2);
  check_bcast(P_pow, f_pow);
  check_bcast(P_floordiv, f_fdiv);
  check_bcast(P_mod, f_mod);
  check_bcast(P_lt, f_lt);
  check_bcast(P_eq, f_eq);
  check_bcast(P_ge, f_ge);
  check_bcast(P_ne, f_ne);
  check_bcast(P_le, f_le);
  check_bcast(P_gt, f_gt);
}

Test(prims, broadcast_general_3d) {
  /* (2,1,3) + (4,1) -> (2,4,3), and (2,3,1,2) * (3,4,1) -> (2,3,4,2) */
  Value a = iotaf(3, SH(2, 1, 3), 1, 0), b = iotaf(2, SH(4, 1), 10, 0);
  Value r = OK(p2(P_add, a, b, NULL));
  Array *ra = AS_ARRAY(r);
  cr_assert_eq(ra->ndim, 3);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 4; j++)
      for (int k = 0; k < 3; k++)
        cr_assert_eq(ARR_F(ra)[(i * 4 + j) * 3 + k], (double)(i * 3 + k) + 10.0 * j);
  drop(r), drop(a), drop(b);
  a = iotaf(4, SH(2, 3, 1, 2), 1, 1);
  b = iotaf(3, SH(3, 4, 1), 1, 0);
  r = OK(p2(P_mul, a, b, NULL));
  ra = AS_ARRAY(r);
  int64_t want[] = {2, 3, 4, 2};
  for (int d = 0; d < 4; d++) cr_assert_eq(ra->shape[d], want[d]);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 3; j++)
      for (int k = 0; k < 4; k++)
        for (int l = 0; l < 2; l++)
          cr_assert_eq(ARR_F(ra)[((i * 3 + j) * 4 + k) * 2 + l],
                       (double)((i * 3 + j) * 2 + l + 1) * (double)(j * 4 + k));
  drop(r), drop(a), drop(b);
}

Test(prims, broadcast_errors) {
  Value a = iotaf(1, SH(3), 1, 0), b = iotaf(1, SH(4), 1, 0);
  EXPECT_ERR(p2(P_add, a, b, NULL), E_SHAPE,
             "operands could not be broadcast together with shapes (3,) (4,)");
  Value c = iotaf(2, SH(2, 3), 1, 0);
  EXPECT_ERR(p2(P_mul, c, b, NULL), E_SHAPE, "(2, 3) (4,)");
  EXPECT_ERR(p2(P_lt, b, c, NULL), E_SHAPE, "(4,) (2, 3)");
  Aval av[2] = {aval_of_value(a), aval_of_value(b)}, o;
  cr_assert_eq(jx_prims[P_add].shape(I, av, NULL, &o), -1);
  cr_assert_eq(I->err.kind, E_SHAPE);
  jx_err_clear(I);
  drop(a), drop(b), drop(c);
  Value s = str_from(I, "x");
  EXPECT_ERR(p2(P_add, s, v_int(1), NULL), E_TYPE, "string");
  drop(s);
}

Test(prims, empty_operands) {
  Value e = mkf(2, SH(0, 4), NULL), r = iotaf(1, SH(4), 1, 0);
  CHECK(p2(P_add, e, r, NULL), DT_FLOAT, 2, SH(0, 4), 0);
  CHECK(p2(P_lt, e, v_float(1), NULL), DT_BOOL, 2, SH(0, 4), 0);
  Value e1 = mkf(2, SH(3, 0), NULL);
  Value c = iotaf(2, SH(3, 1), 1, 0);
  CHECK(p2(P_mul, e1, c, NULL), DT_FLOAT, 2, SH(3, 0), 0);
  drop(e), drop(r), drop(e1), drop(c);
}

Test(prims, dtype_promotion) {
  Value bi = mkb(1, SH(2), IV(1, 0)), ii = mki(1, SH(2), IV(3, 4)), ff = mkf(1, SH(2), DV(0.5, 1));
  CHECK(p2(P_add, bi, bi, NULL), DT_INT, 1, SH(2), 2, 0);
  CHECK(p2(P_add, bi, ii, NULL), DT_INT, 1, SH(2), 4, 4);
  CHECK(p2(P_add, ii, ff, NULL), DT_FLOAT, 1, SH(2), 3.5, 5);
  CHECK(p2(P_mul, bi, ff, NULL), DT_FLOAT, 1, SH(2), 0.5, 0);
  CHECK(p2(P_div, ii, ii, NULL), DT_FLOAT, 1, SH(2), 1, 1);
  CHECK(p2(P_div, ii, v_int(8), NULL), DT_FLOAT, 1, SH(2), 0.375, 0.5);
  CHECK(p2(P_max, bi, v_bool(false), NULL), DT_BOOL, 1, SH(2), 1, 0);
  CHECK(p2(P_max, ii, ff, NULL), DT_FLOAT, 1, SH(2), 3, 4);
  CHECK(p2(P_lt, ii, ff, NULL), DT_BOOL, 1, SH(2), 0, 0);
  CHECK(p2(P_eq, bi, ii, NULL), DT_BOOL, 1, SH(2), 0, 0);
  CHECK(p2(P_pow, ii, v_int(2), NULL), DT_INT, 1, SH(2), 9, 16);
  CHECK(p2(P_pow, ii, v_float(0.5), NULL), DT_FLOAT, 1, SH(2), sqrt(3), 2);
  CHECK(p2(P_atan2, ii, ii, NULL), DT_FLOAT, 1, SH(2), atan2(3, 3), atan2(4, 4));
  /* scalar-scalar results are scalars of the right tag */
  Value s = OK(p2(P_add, v_bool(true), v_bool(true), NULL));
  cr_assert_eq(s.tag, T_INT);
  cr_assert_eq(s.u.i, 2);
  s = OK(p2(P_div, v_int(1), v_int(4), NULL));
  cr_assert_eq(s.tag, T_FLOAT);
  cr_assert_eq(s.u.f, 0.25);
  s = OK(p2(P_lt, v_int(1), v_float(1.5), NULL));
  cr_assert_eq(s.tag, T_BOOL);
  cr_assert_eq(s.u.i, 1);
  s = OK(p2(P_mul, v_int(3), v_float(1.5), NULL));
  cr_assert_eq(s.tag, T_FLOAT);
  cr_assert_eq(s.u.f, 4.5);
  drop(bi), drop(ii), drop(ff);
}

Test(prims, int_floordiv_mod_python) {
  int64_t as[] = {7, -7, 7, -7, 0, 1, INT64_MIN};
  int64_t bs[] = {2, 2, -2, -2, 3, -1, -1};
  int64_t fd[] = {3, -4, -4, 3, 0, -1, INT64_MIN};
  int64_t md[] = {1, 1, -1, -1, 0, 0, 0};
  Value a = mki(1, SH(7), as), b = mki(1, SH(7), bs);
  Value q = OK(p2(P_floordiv, a, b, NULL)), r = OK(p2(P_mod, a, b, NULL));
  for (int k = 0; k < 7; k++) {
    cr_assert_eq(ARR_I(AS_ARRAY(q))[k], fd[k], "%lld // %lld", (long long)as[k], (long long)bs[k]);
    cr_assert_eq(ARR_I(AS_ARRAY(r))[k], md[k], "%lld %% %lld", (long long)as[k], (long long)bs[k]);
    Value qs = OK(p2(P_floordiv, v_int(as[k]), v_int(bs[k]), NULL));
    cr_assert_eq(qs.tag, T_INT);
    cr_assert_eq(qs.u.i, fd[k]);
  }
  drop(q), drop(r), drop(b);
  Value z = mki(1, SH(7), IV(1, 1, 1, 0, 1, 1, 1));
  EXPECT_ERR(p2(P_floordiv, a, z, NULL), E_VALUE, "integer division or modulo by zero");
  EXPECT_ERR(p2(P_mod, a, z, NULL), E_VALUE, "by zero");
  EXPECT_ERR(p2(P_mod, a, v_int(0), NULL), E_VALUE, "by zero");
  EXPECT_ERR(p2(P_floordiv, v_int(1), v_int(0), NULL), E_VALUE, "by zero");
  EXPECT_ERR(p2(P_floordiv, v_bool(true), v_bool(false), NULL), E_VALUE, "by zero");
  drop(z), drop(a);
}

Test(prims, float_floordiv_mod) {
  Value a = mkf(1, SH(8), DV(7.5, -7.5, 7.5, -7.5, 1.0, -1.0, 0.0, 5.0));
  Value b = mkf(1, SH(8), DV(2.0, 2.0, -2.0, -2.0, 0.0, 0.0, 0.0, INFINITY));
  CHECK(p2(P_floordiv, a, b, NULL), DT_FLOAT, 1, SH(8), 3, -4, -4, 3, INFINITY, -INFINITY, NAN, 0);
  CHECK(p2(P_mod, a, b, NULL), DT_FLOAT, 1, SH(8), 1.5, 0.5, -0.5, -1.5, NAN, NAN, NAN, 5);
  drop(a), drop(b);
  Value m = OK(p2(P_mod, v_float(-1.0), v_float(3.0), NULL));
  cr_assert_eq(m.u.f, 2.0);
  /* 1.0 / 0.0 is inf, never an error */
  cr_assert_eq(OK(p2(P_div, v_float(1.0), v_float(0.0), NULL)).u.f, INFINITY);
  cr_assert_eq(OK(p2(P_div, v_int(1), v_int(0), NULL)).u.f, INFINITY);
  cr_assert(isnan(OK(p2(P_div, v_float(0.0), v_float(0.0), NULL)).u.f));
}

Test(prims, int_pow) {
  Value a = mki(1, SH(4), IV(2, -3, 0, 10));
  CHECK(p2(P_pow, a, v_int(3), NULL), DT_INT, 1, SH(4), 8, -27, 0, 1000);
  CHECK(p2(P_pow, a, v_int(0), NULL), DT_INT, 1, SH(4), 1, 1, 1, 1);
  EXPECT_ERR(p2(P_pow, a, v_int(-1), NULL), E_VALUE, "negative integer powers");
  Value e = mki(1, SH(4), IV(1, 2, 3, -1));
  EXPECT_ERR(p2(P_pow, a, e, NULL), E_VALUE, "negative");
  drop(a), drop(e);
}

Test(prims, max_min_nan) {
  Value a = mkf(1, SH(5), DV(1, NAN, 3, NAN, -INFINITY));
  Value b = mkf(1, SH(5), DV(NAN, 2, 1, NAN, 0));
  CHECK(p2(P_max, a, b, NULL), DT_FLOAT, 1, SH(5), NAN, NAN, 3, NAN, 0);
  CHECK(p2(P_min, a, b, NULL), DT_FLOAT, 1, SH(5), NAN, NAN, 1, NAN, -INFINITY);
  CHECK(p2(P_max, a, v_float(2), NULL), DT_FLOAT, 1, SH(5), 2, NAN, 3, NAN, 2);
  CHECK(p2(P_min, v_float(NAN), b, NULL), DT_FLOAT, 1, SH(5), NAN, NAN, NAN, NAN, NAN);
  drop(a), drop(b);
  cr_assert(isnan(OK(p2(P_max, v_float(NAN), v_float(1), NULL)).u.f));
  cr_assert(isnan(OK(p2(P_min, v_float(1), v_float(NAN), NULL)).u.f));
  Value i = mki(1, SH(3), IV(-5, 5, 0));
  CHECK(p2(P_max, i, v_int(1), NULL), DT_INT, 1, SH(3), 1, 5, 1);
  CHECK(p2(P_min, i, v_int(1), NULL), DT_INT, 1, SH(3), -5, 1, 0);
  drop(i);
}

Test(prims, and_or) {
  Value a = mkb(1, SH(4), IV(1, 1, 0, 0)), b = mkb(1, SH(4), IV(1, 0, 1, 0));
  CHECK(p2(P_and, a, b, NULL), DT_BOOL, 1, SH(4), 1, 0, 0, 0);
  CHECK(p2(P_or, a, b, NULL), DT_BOOL, 1, SH(4), 1, 1, 1, 0);
  CHECK(p2(P_and, a, v_bool(true), NULL), DT_BOOL, 1, SH(4), 1, 1, 0, 0);
  Value i = mki(1, SH(2), IV(12, 10));
  CHECK(p2(P_and, i, v_int(6), NULL), DT_INT, 1, SH(2), 4, 2);
  CHECK(p2(P_or, i, v_int(1), NULL), DT_INT, 1, SH(2), 13, 11);
  Value f = mkf(1, SH(2), DV(1, 0));
  EXPECT_ERR(p2(P_and, f, a, NULL), E_TYPE, "bool or int");
  EXPECT_ERR(p2(P_or, v_float(1), v_bool(true), NULL), E_TYPE, NULL);
  drop(a), drop(b), drop(i), drop(f);
}

Test(prims, comparisons_nan) {
  Value a = mkf(1, SH(3), DV(NAN, 1, 2)), b = mkf(1, SH(3), DV(NAN, 1, 3));
  CHECK(p2(P_eq, a, b, NULL), DT_BOOL, 1, SH(3), 0, 1, 0);
  CHECK(p2(P_ne, a, b, NULL), DT_BOOL, 1, SH(3), 1, 0, 1);
  CHECK(p2(P_lt, a, b, NULL), DT_BOOL, 1, SH(3), 0, 0, 1);
  CHECK(p2(P_ge, a, b, NULL), DT_BOOL, 1, SH(3), 0, 1, 0);
  drop(a), drop(b);
}

/* ------------------------------------------------------------------ */
/* select, convert, stop_gradient                                      */

Test(prims, select_broadcasts) {
  Value c = mkb(2, SH(3, 1), IV(1, 0, 1));
  Value a = iotaf(2, SH(1, 4), 1, 0);
  Value b = v_float(-1);
  Value in[3] = {c, a, b};
  Value r = OK(pim(P_select, 3, in, NULL));
  check_shape_rule(P_select, 3, in, NULL, r);
  CHECK(r, DT_FLOAT, 2, SH(3, 4), 0, 1, 2, 3, -1, -1, -1, -1, 0, 1, 2, 3);
  /* int/bool branches promote; int condition means nonzero */
  Value ci = mki(1, SH(3), IV(0, 2, 0));
  Value ai = mki(1, SH(3), IV(1, 2, 3));
  Value in2[3] = {ci, ai, v_bool(true)};
  CHECK(pim(P_select, 3, in2, NULL), DT_INT, 1, SH(3), 1, 2, 1);
  Value in3[3] = {v_bool(false), v_int(1), v_float(2.5)};
  Value s = OK(pim(P_select, 3, in3, NULL));
  cr_assert_eq(s.tag, T_FLOAT);
  cr_assert_eq(s.u.f, 2.5);
  Value bad = iotaf(1, SH(2), 1, 0);
  Value in4[3] = {ci, ai, bad};
  EXPECT_ERR(pim(P_select, 3, in4, NULL), E_SHAPE, "broadcast");
  Value bb = mkb(1, SH(3), IV(1, 0, 1));
  Value in5[3] = {bb, bb, v_bool(false)};
  CHECK(pim(P_select, 3, in5, NULL), DT_BOOL, 1, SH(3), 1, 0, 1);
  drop(c), drop(a), drop(ci), drop(ai), drop(bad), drop(bb);
}

Test(prims, convert_and_stop_gradient) {
  Params p = PARAMS_INIT;
  Value x = mkf(1, SH(3), DV(1.5, -2.5, 0));
  p.i0 = DT_INT;
  Value r = OK(p1(P_convert, x, &p));
  check_shape_rule(P_convert, 1, &x, &p, r);
  CHECK(r, DT_INT, 1, SH(3), 1, -2, 0);
  p.i0 = DT_BOOL;
  CHECK(p1(P_convert, x, &p), DT_BOOL, 1, SH(3), 1, 1, 0);
  p.i0 = 7;
  EXPECT_ERR(p1(P_convert, x, &p), E_VALUE, "dtype");
  p.i0 = DT_FLOAT;
  Value s = OK(p1(P_convert, v_int(2), &p));
  cr_assert_eq(s.tag, T_FLOAT);
  Value g = OK(p1(P_stop_gradient, x, NULL));
  cr_assert_eq(g.u.o, x.u.o);
  check_shape_rule(P_stop_gradient, 1, &x, NULL, g);
  drop(g);
  Value n = str_from(I, "a");
  EXPECT_ERR(p1(P_stop_gradient, n, NULL), E_TYPE, NULL);
  drop(n);
  drop(x);
}

/* ------------------------------------------------------------------ */
/* reductions                                                          */

static Value red(PrimId id, Value x, int n, const int64_t *ax) {
  Params p = axes_p(n, ax);
  Value r = p1(id, x, &p);
  if (!IS_EXC(r)) check_shape_rule(id, 1, &x, &p, r);
  return r;
}

Test(prims, reduce_sum_axes) {
  Value x = iotaf(2, SH(3, 4), 1, 0);
  CHECK(red(P_reduce_sum, x, 1, IV(0)), DT_FLOAT, 1, SH(4), 12, 15, 18, 21);
  CHECK(red(P_reduce_sum, x, 1, IV(1)), DT_FLOAT, 1, SH(3), 6, 22, 38);
  CHECK(red(P_reduce_sum, x, 2, IV(0, 1)), DT_FLOAT, 0, NULL, 66);
  CHECK(red(P_reduce_sum, x, 0, NULL), DT_FLOAT, 2, SH(3, 4), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
  EXPECT_ERR(red(P_reduce_sum, x, 1, IV(2)), E_VALUE, "out of bounds");
  EXPECT_ERR(red(P_reduce_sum, x, 2, IV(0, 0)), E_VALUE, "repeated");
  EXPECT_ERR(red(P_reduce_sum, x, 1, IV(-1)), E_VALUE, NULL);
  drop(x);
  /* (3,1) and (1,4) shapes */
  Value c = iotaf(2, SH(3, 1), 1, 1);
  CHECK(red(P_reduce_sum, c, 1, IV(0)), DT_FLOAT, 1, SH(1), 6);
  CHECK(red(P_reduce_sum, c, 1, IV(1)), DT_FLOAT, 1, SH(3), 1, 2, 3);
  drop(c);
  /* scalars */
  CHECK(red(P_reduce_sum, v_float(2.5), 0, NULL), DT_FLOAT, 0, NULL, 2.5);
  CHECK(red(P_reduce_sum, v_bool(true), 0, NULL), DT_INT, 0, NULL, 1);
}

/* naive sum of a (2,3,4,5) iota over an axis set */
Test(prims, reduce_many_axis_sets) {
  int64_t sh[4] = {2, 3, 4, 5};
  Value x = iotaf(4, sh, 1, 0);
  for (int mask = 1; mask < 16; mask++) {
    int64_t ax[4];
    int n = 0;
    for (int d = 0; d < 4; d++)
      if (mask & (1 << d)) ax[n++] = d;
    Value s = OK(red(P_reduce_sum, x, n, ax));
    Value m = OK(red(P_reduce_max, x, n, ax));
    Value mn = OK(red(P_reduce_min, x, n, ax));
    double want_s[120] = {0}, want_m[120], want_mn[120];
    for (int k = 0; k < 120; k++) want_m[k] = -1, want_mn[k] = 1e9;
    for (int i0 = 0; i0 < 2; i0++)
      for (int i1 = 0; i1 < 3; i1++)
        for (int i2 = 0; i2 < 4; i2++)
          for (int i3 = 0; i3 < 5; i3++) {
            int idx[4] = {i0, i1, i2, i3};
            int64_t o = 0;
            for (int d = 0; d < 4; d++)
              if (!(mask & (1 << d))) o = o * sh[d] + idx[d];
            double v = ((i0 * 3 + i1) * 4 + i2) * 5 + i3;
            want_s[o] += v;
            if (v > want_m[o]) want_m[o] = v;
            if (v < want_mn[o]) want_mn[o] = v;
          }
    int64_t osize = 1;
    for (int d = 0; d < 4; d++)
      if (!(mask & (1 << d))) osize *= sh[d];
    for (int64_t k = 0; k < osize; k++) {
      double gs = s.tag == T_FLOAT ? s.u.f : ARR_F(AS_ARRAY(s))[k];
      double gm = m.tag == T_FLOAT ? m.u.f : ARR_F(AS_ARRAY(m))[k];
      double gn = mn.tag == T_FLOAT ? mn.u.f : ARR_F(AS_ARRAY(mn))[k];
      cr_assert_eq(gs, want_s[k], "mask %d elt %lld", mask, (long long)k);
      cr_assert_eq(gm, want_m[k], "max mask %d", mask);
      cr_assert_eq(gn, want_mn[k], "min mask %d", mask);
    }
    drop(s), drop(m), drop(mn);
  }
  drop(x);
}

Test(prims, reduce_dtypes) {
  Value b = mkb(2, SH(2, 3), IV(1, 0, 1, 1, 1, 1));
  CHECK(red(P_reduce_sum, b, 2, IV(0, 1)), DT_INT, 0, NULL, 5);
  CHECK(red(P_reduce_sum, b, 1, IV(0)), DT_INT, 1, SH(3), 2, 1, 2);
  CHECK(red(P_reduce_prod, b, 1, IV(1)), DT_INT, 1, SH(2), 0, 1);
  CHECK(red(P_reduce_and, b, 1, IV(1)), DT_BOOL, 1, SH(2), 0, 1);
  CHECK(red(P_reduce_or, b, 1, IV(0)), DT_BOOL, 1, SH(3), 1, 1, 1);
  CHECK(red(P_reduce_max, b, 1, IV(1)), DT_BOOL, 1, SH(2), 1, 1);
  CHECK(red(P_reduce_min, b, 1, IV(1)), DT_BOOL, 1, SH(2), 0, 1);
  drop(b);
  Value i = mki(2, SH(2, 2), IV(3, -4, 5, 6));
  CHECK(red(P_reduce_sum, i, 1, IV(1)), DT_INT, 1, SH(2), -1, 11);
  CHECK(red(P_reduce_prod, i, 2, IV(0, 1)), DT_INT, 0, NULL, -360);
  CHECK(red(P_reduce_max, i, 1, IV(0)), DT_INT, 1, SH(2), 5, 6);
  CHECK(red(P_reduce_min, i, 1, IV(0)), DT_INT, 1, SH(2), 3, -4);
  CHECK(red(P_reduce_and, i, 1, IV(0)), DT_BOOL, 1, SH(2), 1, 1);
  drop(i);
  Value f = mkf(1, SH(4), DV(0.5, 0, 2, -1));
  CHECK(red(P_reduce_prod, f, 1, IV(0)), DT_FLOAT, 0, NULL, -0.0);
  CHECK(red(P_reduce_and, f, 1, IV(0)), DT_BOOL, 0, NULL, 0);
  CHECK(red(P_reduce_or, f, 1, IV(0)), DT_BOOL, 0, NULL, 1);
  CHECK(red(P_reduce_and, f, 0, NULL), DT_BOOL, 1, SH(4), 1, 0, 1, 1);
  drop(f);
}

Test(prims, reduce_empty) {
  Value e = mkf(2, SH(0, 3), NULL);
  CHECK(red(P_reduce_sum, e, 1, IV(0)), DT_FLOAT, 1, SH(3), 0, 0, 0);
  CHECK(red(P_reduce_prod, e, 1, IV(0)), DT_FLOAT, 1, SH(3), 1, 1, 1);
  CHECK(red(P_reduce_and, e, 1, IV(0)), DT_BOOL, 1, SH(3), 1, 1, 1);
  CHECK(red(P_reduce_or, e, 1, IV(0)), DT_BOOL, 1, SH(3), 0, 0, 0);
  CHECK(red(P_reduce_sum, e, 1, IV(1)), DT_FLOAT, 1, SH(0), 0);
  CHECK(red(P_reduce_max, e, 1, IV(1)), DT_FLOAT, 1, SH(0), 0);
  EXPECT_ERR(red(P_reduce_max, e, 1, IV(0)), E_VALUE, "zero-size array to reduction operation max");
  EXPECT_ERR(red(P_reduce_min, e, 2, IV(0, 1)), E_VALUE, "min");
  Aval a = aval_of_value(e), o;
  Params p = axes_p(1, IV(0));
  cr_assert_eq(jx_prims[P_reduce_max].shape(I, &a, &p, &o), -1);
  jx_err_clear(I);
  drop(e);
  Value ei = mki(1, SH(0), NULL);
  CHECK(red(P_reduce_sum, ei, 1, IV(0)), DT_INT, 0, NULL, 0);
  CHECK(red(P_reduce_prod, ei, 1, IV(0)), DT_INT, 0, NULL, 1);
  drop(ei);
}

Test(prims, reduce_nan) {
  double d[40];
  for (int k = 0; k < 40; k++) d[k] = k;
  for (int pos = 0; pos < 40; pos += 13) {
    d[pos] = NAN;
    Value x = mkf(1, SH(40), d);
    Value m = OK(red(P_reduce_max, x, 1, IV(0)));
    cr_assert(isnan(m.u.f), "nan at %d", pos);
    m = OK(red(P_reduce_min, x, 1, IV(0)));
    cr_assert(isnan(m.u.f));
    m = OK(red(P_reduce_sum, x, 1, IV(0)));
    cr_assert(isnan(m.u.f));
    drop(x);
    d[pos] = pos;
  }
  Value x = mkf(2, SH(2, 3), DV(1, NAN, 3, 4, 5, 6));
  CHECK(red(P_reduce_max, x, 1, IV(0)), DT_FLOAT, 1, SH(3), 4, NAN, 6);
  CHECK(red(P_reduce_min, x, 1, IV(1)), DT_FLOAT, 1, SH(2), NAN, 4);
  drop(x);
  Value y = mkf(1, SH(3), DV(1, INFINITY, -INFINITY));
  CHECK(red(P_reduce_max, y, 1, IV(0)), DT_FLOAT, 0, NULL, INFINITY);
  CHECK(red(P_reduce_min, y, 1, IV(0)), DT_FLOAT, 0, NULL, -INFINITY);
  CHECK(red(P_reduce_sum, y, 1, IV(0)), DT_FLOAT, 0, NULL, NAN);
  drop(y);
}

Test(prims, sum_is_accurate_on_1e7) {
  int64_t n = 10000000;
  Array *a = arr_alloc(I, DT_FLOAT, 1, &n);
  for (int64_t k = 0; k < n; k++) ARR_F(a)[k] = 0.1;
  Value x = v_obj(&a->hdr);
  Value s = OK(red(P_reduce_sum, x, 1, IV(0)));
  /* naive summation is off by ~1e-6 relative; pairwise keeps ~1e-15 */
  cr_assert(fabs(s.u.f - 1e6) < 1e-8, "sum = %.17g", s.u.f);
  drop(x);
  /* accumulating rows (axis 0) is blocked */
  int64_t sh[2] = {200000, 3};
  Array *b = arr_alloc(I, DT_FLOAT, 2, sh);
  for (int64_t k = 0; k < b->size; k++) ARR_F(b)[k] = 0.1;
  Value y = v_obj(&b->hdr);
  Value r = OK(red(P_reduce_sum, y, 1, IV(0)));
  for (int j = 0; j < 3; j++) cr_assert(fabs(ARR_F(AS_ARRAY(r))[j] - 20000) < 1e-9);
  drop(r), drop(y);
}

static Value arg(PrimId id, Value x, int64_t axis, bool flat) {
  Params p = PARAMS_INIT;
  p.i0 = axis;
  p.i1 = flat;
  Value r = p1(id, x, &p);
  if (!IS_EXC(r)) check_shape_rule(id, 1, &x, &p, r);
  return r;
}

Test(prims, argmax_argmin) {
  Value x = mkf(2, SH(3, 4), DV(1, 5, 5, 0, 7, 7, 2, 7, -1, -3, -3, 9));
  CHECK(arg(P_argmax, x, 0, false), DT_INT, 1, SH(4), 1, 1, 0, 2);
  CHECK(arg(P_argmax, x, 1, false), DT_INT, 1, SH(3), 1, 0, 3);
  CHECK(arg(P_argmin, x, 1, false), DT_INT, 1, SH(3), 3, 2, 1);
  CHECK(arg(P_argmin, x, 0, false), DT_INT, 1, SH(4), 2, 2, 2, 0);
  CHECK(arg(P_argmax, x, 0, true), DT_INT, 0, NULL, 11);
  CHECK(arg(P_argmin, x, 0, true), DT_INT, 0, NULL, 9);
  EXPECT_ERR(arg(P_argmax, x, 2, false), E_VALUE, "out of bounds");
  drop(x);
  Value n = mkf(1, SH(4), DV(1, NAN, 5, NAN));
  CHECK(arg(P_argmax, n, 0, false), DT_INT, 0, NULL, 1);
  CHECK(arg(P_argmin, n, 0, false), DT_INT, 0, NULL, 1);
  drop(n);
  Value b = mkb(1, SH(3), IV(0, 1, 1));
  CHECK(arg(P_argmax, b, 0, false), DT_INT, 0, NULL, 1);
  drop(b);
  Value i = mki(1, SH(3), IV(4, -2, 4));
  CHECK(arg(P_argmax, i, 0, false), DT_INT, 0, NULL, 0);
  CHECK(arg(P_argmin, i, 0, false), DT_INT, 0, NULL, 1);
  drop(i);
  Value e = mkf(2, SH(2, 0), NULL);
  EXPECT_ERR(arg(P_argmax, e, 1, false), E_VALUE, "empty");
  CHECK(arg(P_argmax, e, 0, false), DT_INT, 1, SH(0), 0);
  EXPECT_ERR(arg(P_argmin, e, 0, true), E_VALUE, "empty");
  drop(e);
}

Test(prims, cumsum) {
  Params p = PARAMS_INIT;
  Value x = iotaf(2, SH(2, 3), 1, 1);
  p.i0 = 0;
  Value r = OK(p1(P_cumsum, x, &p));
  check_shape_rule(P_cumsum, 1, &x, &p, r);
  CHECK(r, DT_FLOAT, 2, SH(2, 3), 1, 2, 3, 5, 7, 9);
  p.i0 = 1;
  CHECK(p1(P_cumsum, x, &p), DT_FLOAT, 2, SH(2, 3), 1, 3, 6, 4, 9, 15);
  p.i0 = 2;
  EXPECT_ERR(p1(P_cumsum, x, &p), E_VALUE, "out of bounds");
  drop(x);
  Value b = mkb(1, SH(4), IV(1, 0, 1, 1));
  p.i0 = 0;
  CHECK(p1(P_cumsum, b, &p), DT_INT, 1, SH(4), 1, 1, 2, 3);
  drop(b);
  Value e = mkf(1, SH(0), NULL);
  CHECK(p1(P_cumsum, e, &p), DT_FLOAT, 1, SH(0), 0);
  drop(e);
}

/* ------------------------------------------------------------------ */
/* shape ops                                                           */

Test(prims, reshape) {
  Value x = iotaf(2, SH(3, 4), 1, 0);
  Params p = PARAMS_INIT;
  p.n = 3;
  p.a[0] = 2, p.a[1] = 1, p.a[2] = 6;
  Value r = OK(p1(P_reshape, x, &p));
  check_shape_rule(P_reshape, 1, &x, &p, r);
  cr_assert_eq(AS_ARRAY(r)->data, AS_ARRAY(x)->data, "reshape shares the buffer");
  CHECK(r, DT_FLOAT, 3, SH(2, 1, 6), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
  p.n = 1;
  p.a[0] = 5;
  EXPECT_ERR(p1(P_reshape, x, &p), E_SHAPE, "cannot reshape array of shape (3, 4) (size 12) into shape (5,)");
  p.a[0] = -12;
  EXPECT_ERR(p1(P_reshape, x, &p), E_VALUE, "negative");
  drop(x);
  /* to and from scalars */
  Value one = mkf(2, SH(1, 1), DV(4.5));
  p.n = 0;
  Value s = OK(p1(P_reshape, one, &p));
  cr_assert_eq(s.tag, T_FLOAT);
  cr_assert_eq(s.u.f, 4.5);
  drop(one);
  p.n = 2;
  p.a[0] = 1, p.a[1] = 1;
  CHECK(p1(P_reshape, v_int(3), &p), DT_INT, 2, SH(1, 1), 3);
  /* reshape of a view of a view keeps the root alive */
  Value y = iotaf(1, SH(6), 1, 0);
  p.n = 2, p.a[0] = 2, p.a[1] = 3;
  Value v1 = OK(p1(P_reshape, y, &p));
  p.n = 2, p.a[0] = 3, p.a[1] = 2;
  Value v2 = OK(p1(P_reshape, v1, &p));
  drop(y), drop(v1);
  CHECK(v2, DT_FLOAT, 2, SH(3, 2), 0, 1, 2, 3, 4, 5);
}

Test(prims, transpose) {
  Value x = iotaf(2, SH(3, 4), 1, 0);
  Params p = PARAMS_INIT;
  p.n = 2, p.a[0] = 1, p.a[1] = 0;
  Value r = OK(p1(P_transpose, x, &p));
  check_shape_rule(P_transpose, 1, &x, &p, r);
  CHECK(r, DT_FLOAT, 2, SH(4, 3), 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11);
  p.a[1] = 1;
  EXPECT_ERR(p1(P_transpose, x, &p), E_SHAPE, "permutation");
  p.n = 1;
  EXPECT_ERR(p1(P_transpose, x, &p), E_SHAPE, NULL);
  drop(x);
  /* all 3-d permutations, and a big tiled one */
  int64_t sh[3] = {2, 3, 4};
  Value y = iotaf(3, sh, 1, 0);
  int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
  for (int q = 0; q < 6; q++) {
    p.n = 3;
    for (int d = 0; d < 3; d++) p.a[d] = perms[q][d];
    Value t = OK(p1(P_transpose, y, &p));
    Array *ta = AS_ARRAY(t);
    int64_t st[3] = {12, 4, 1};
    int64_t idx[3];
    for (idx[0] = 0; idx[0] < ta->shape[0]; idx[0]++)
      for (idx[1] = 0; idx[1] < ta->shape[1]; idx[1]++)
        for (idx[2] = 0; idx[2] < ta->shape[2]; idx[2]++) {
          int64_t src = 0;
          for (int d = 0; d < 3; d++) src += idx[d] * st[perms[q][d]];
          cr_assert_eq(ARR_F(ta)[(idx[0] * ta->shape[1] + idx[1]) * ta->shape[2] + idx[2]],
                       (double)src);
        }
    drop(t);
  }
  drop(y);
  Value big = iotaf(2, SH(70, 130), 1, 0);
  p.n = 2, p.a[0] = 1, p.a[1] = 0;
  Value bt = OK(p1(P_transpose, big, &p));
  for (int i = 0; i < 130; i++)
    for (int j = 0; j < 70; j++) cr_assert_eq(ARR_F(AS_ARRAY(bt))[i * 70 + j], (double)(j * 130 + i));
  drop(bt), drop(big);
  Value bi = mkb(2, SH(2, 2), IV(1, 0, 0, 0));
  CHECK(p1(P_transpose, bi, &p), DT_BOOL, 2, SH(2, 2), 1, 0, 0, 0);
  drop(bi);
  /* tiled paths for 1-byte and 8-byte elements, batched (last two axes) */
  Array *bb = arr_alloc(I, DT_BOOL, 3, SH(2, 20, 33));
  Array *ib = arr_alloc(I, DT_INT, 3, SH(2, 20, 33));
  for (int64_t k = 0; k < bb->size; k++) ARR_B(bb)[k] = (k % 3) == 0, ARR_I(ib)[k] = k;
  Value bv = v_obj(&bb->hdr), iv = v_obj(&ib->hdr);
  p.n = 3, p.a[0] = 0, p.a[1] = 2, p.a[2] = 1;
  Value bt2 = OK(p1(P_transpose, bv, &p)), it2 = OK(p1(P_transpose, iv, &p));
  for (int b = 0; b < 2; b++)
    for (int i = 0; i < 33; i++)
      for (int j = 0; j < 20; j++) {
        int64_t src = (b * 20 + j) * 33 + i, dst = (b * 33 + i) * 20 + j;
        cr_assert_eq(ARR_B(AS_ARRAY(bt2))[dst], (src % 3) == 0);
        cr_assert_eq(ARR_I(AS_ARRAY(it2))[dst], src);
      }
  drop(bt2), drop(it2), drop(bv), drop(iv);
}

Test(prims, broadcast_in_dim) {
  Params p = PARAMS_INIT;
  Value x = iotaf(1, SH(3), 1, 1);
  p.n = 2, p.a[0] = 3, p.a[1] = 2;
  p.m = 1, p.b[0] = 0;
  Value r = OK(p1(P_broadcast_in_dim, x, &p));
  check_shape_rule(P_broadcast_in_dim, 1, &x, &p, r);
  CHECK(r, DT_FLOAT, 2, SH(3, 2), 1, 1, 2, 2, 3, 3);
  p.a[0] = 2, p.a[1] = 3, p.b[0] = 1;
  CHECK(p1(P_broadcast_in_dim, x, &p), DT_FLOAT, 2, SH(2, 3), 1, 2, 3, 1, 2, 3);
  p.a[1] = 4;
  EXPECT_ERR(p1(P_broadcast_in_dim, x, &p), E_SHAPE, "cannot broadcast shape (3,) to (2, 4)");
  p.m = 0;
  EXPECT_ERR(p1(P_broadcast_in_dim, x, &p), E_SHAPE, NULL);
  drop(x);
  /* scalar to (2, 2); (3,1) to (2,3,4) */
  p.n = 2, p.a[0] = 2, p.a[1] = 2, p.m = 0;
  CHECK(p1(P_broadcast_in_dim, v_int(7), &p), DT_INT, 2, SH(2, 2), 7, 7, 7, 7);
  Value c = iotaf(2, SH(3, 1), 1, 0);
  p.n = 3, p.a[0] = 2, p.a[1] = 3, p.a[2] = 4, p.m = 2, p.b[0] = 1, p.b[1] = 2;
  Value r2 = OK(p1(P_broadcast_in_dim, c, &p));
  for (int i = 0; i < 24; i++) cr_assert_eq(ARR_F(AS_ARRAY(r2))[i], (double)((i / 4) % 3));
  drop(r2);
  /* only unit dims added: a view */
  p.n = 3, p.a[0] = 1, p.a[1] = 3, p.a[2] = 1, p.m = 2, p.b[0] = 1, p.b[1] = 2;
  Value v = OK(p1(P_broadcast_in_dim, c, &p));
  cr_assert_eq(AS_ARRAY(v)->data, AS_ARRAY(c)->data);
  drop(v), drop(c);
  Value e = mkf(1, SH(0), NULL);
  p.n = 2, p.a[0] = 2, p.a[1] = 0, p.m = 1, p.b[0] = 1;
  CHECK(p1(P_broadcast_in_dim, e, &p), DT_FLOAT, 2, SH(2, 0), 0);
  drop(e);
}

static Params slice_p(int n, const int64_t *s, const int64_t *e, const int64_t *st) {
  Params p = PARAMS_INIT;
  p.n = p.m = p.k = n;
  for (int k = 0; k < n; k++) p.a[k] = s[k], p.b[k] = e[k], p.c[k] = st[k];
  return p;
}

Test(prims, slice) {
  Value x = iotaf(2, SH(3, 4), 1, 0);
  Params p = slice_p(2, IV(1, 0), IV(3, 4), IV(1, 1));
  Value r = OK(p1(P_slice, x, &p));
  check_shape_rule(P_slice, 1, &x, &p, r);
  cr_assert(AS_ARRAY(r)->base != NULL, "contiguous rows are a view");
  CHECK(r, DT_FLOAT, 2, SH(2, 4), 4, 5, 6, 7, 8, 9, 10, 11);
  p = slice_p(2, IV(0, 1), IV(3, 4), IV(2, 2));
  CHECK(p1(P_slice, x, &p), DT_FLOAT, 2, SH(2, 2), 1, 3, 9, 11);
  p = slice_p(2, IV(2, 1), IV(3, 3), IV(1, 1));
  CHECK(p1(P_slice, x, &p), DT_FLOAT, 2, SH(1, 2), 9, 10);
  p = slice_p(2, IV(1, 1), IV(1, 3), IV(1, 1));
  CHECK(p1(P_slice, x, &p), DT_FLOAT, 2, SH(0, 2), 0);
  p = slice_p(2, IV(0, 0), IV(4, 4), IV(1, 1));
  EXPECT_ERR(p1(P_slice, x, &p), E_INDEX, "out of range");
  p = slice_p(2, IV(0, 0), IV(3, 4), IV(0, 1));
  EXPECT_ERR(p1(P_slice, x, &p), E_INDEX, NULL);
  p = slice_p(1, IV(0), IV(3), IV(1));
  EXPECT_ERR(p1(P_slice, x, &p), E_SHAPE, NULL);
  drop(x);
  /* a view keeps its data after the source is dropped */
  Value y = iotaf(1, SH(10), 1, 0);
  p = slice_p(1, IV(3), IV(6), IV(1));
  Value v = OK(p1(P_slice, y, &p));
  drop(y);
  CHECK(v, DT_FLOAT, 1, SH(3), 3, 4, 5);
}

Test(prims, pad) {
  Params p = PARAMS_INIT;
  Value x = iotaf(1, SH(3), 1, 1);
  p.n = 1, p.a[0] = 1, p.b[0] = 2, p.c[0] = 1;
  Value r = OK(p1(P_pad, x, &p));
  check_shape_rule(P_pad, 1, &x, &p, r);
  CHECK(r, DT_FLOAT, 1, SH(8), 0, 1, 0, 2, 0, 3, 0, 0);
  p.a[0] = -1, p.b[0] = 0, p.c[0] = 0;
  CHECK(p1(P_pad, x, &p), DT_FLOAT, 1, SH(2), 2, 3);
  p.a[0] = -2, p.b[0] = -2, p.c[0] = 1;
  CHECK(p1(P_pad, x, &p), DT_FLOAT, 1, SH(1), 2);
  p.c[0] = -1;
  EXPECT_ERR(p1(P_pad, x, &p), E_VALUE, "interior");
  p.a[0] = -5, p.b[0] = 0, p.c[0] = 0;
  EXPECT_ERR(p1(P_pad, x, &p), E_SHAPE, NULL);
  drop(x);
  Value y = iotaf(2, SH(2, 2), 1, 1);
  p.n = 2;
  p.a[0] = 1, p.b[0] = 0, p.c[0] = 0;
  p.a[1] = 0, p.b[1] = 1, p.c[1] = 1;
  CHECK(p1(P_pad, y, &p), DT_FLOAT, 2, SH(3, 4), 0, 0, 0, 0, 1, 0, 2, 0, 3, 0, 4, 0);
  drop(y);
  /* pad is the transpose of slice: slice(pad(x)) == x */
  Value z = iotaf(2, SH(3, 4), 1, 0);
  p.a[0] = 2, p.b[0] = 1, p.c[0] = 2, p.a[1] = 1, p.b[1] = 3, p.c[1] = 0;
  Value pz = OK(p1(P_pad, z, &p));
  Params s = slice_p(2, IV(2, 1), IV(2 + 3 * 3 - 2, 5), IV(3, 1));
  Value back = OK(p1(P_slice, pz, &s));
  CHECK(back, DT_FLOAT, 2, SH(3, 4), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
  drop(pz), drop(z);
  Value bi = mki(1, SH(2), IV(5, 6));
  p.n = 1, p.a[0] = 1, p.b[0] = 0, p.c[0] = 0;
  CHECK(p1(P_pad, bi, &p), DT_INT, 1, SH(3), 0, 5, 6);
  drop(bi);
}

Test(prims, rev) {
  Params p = PARAMS_INIT;
  Value x = iotaf(2, SH(2, 3), 1, 0);
  p.n = 1, p.a[0] = 1;
  Value r = OK(p1(P_rev, x, &p));
  check_shape_rule(P_rev, 1, &x, &p, r);
  CHECK(r, DT_FLOAT, 2, SH(2, 3), 2, 1, 0, 5, 4, 3);
  p.a[0] = 0;
  CHECK(p1(P_rev, x, &p), DT_FLOAT, 2, SH(2, 3), 3, 4, 5, 0, 1, 2);
  p.n = 2, p.a[0] = 0, p.a[1] = 1;
  CHECK(p1(P_rev, x, &p), DT_FLOAT, 2, SH(2, 3), 5, 4, 3, 2, 1, 0);
  p.a[1] = 0;
  EXPECT_ERR(p1(P_rev, x, &p), E_VALUE, NULL);
  p.n = 1, p.a[0] = 2;
  EXPECT_ERR(p1(P_rev, x, &p), E_VALUE, NULL);
  drop(x);
  Value b = mkb(1, SH(3), IV(1, 0, 0));
  p.a[0] = 0;
  CHECK(p1(P_rev, b, &p), DT_BOOL, 1, SH(3), 0, 0, 1);
  drop(b);
}

Test(prims, concatenate) {
  Value a = iotaf(2, SH(2, 2), 1, 0), b = mki(2, SH(2, 1), IV(7, 8)), c = mkf(2, SH(2, 0), NULL);
  Params p = PARAMS_INIT;
  p.nin = 3, p.i0 = 1;
  Value in[3] = {a, b, c};
  Value r = OK(pim(P_concatenate, 3, in, &p));
  check_shape_rule(P_concatenate, 3, in, &p, r);
  CHECK(r, DT_FLOAT, 2, SH(2, 3), 0, 1, 7, 2, 3, 8);
  p.nin = 2, p.i0 = 0;
  EXPECT_ERR(pim(P_concatenate, 2, in, &p), E_SHAPE, "(2, 2) and (2, 1)");
  Value in2[2] = {a, a};
  CHECK(pim(P_concatenate, 2, in2, &p), DT_FLOAT, 2, SH(4, 2), 0, 1, 2, 3, 0, 1, 2, 3);
  p.i0 = 2;
  EXPECT_ERR(pim(P_concatenate, 2, in2, &p), E_VALUE, "out of bounds");
  Value in3[2] = {v_int(1), v_int(2)};
  p.i0 = 0;
  EXPECT_ERR(pim(P_concatenate, 2, in3, &p), E_SHAPE, "zero-dimensional");
  p.nin = 0;
  EXPECT_ERR(pim(P_concatenate, 0, in3, &p), E_VALUE, NULL);
  Value bb = mkb(1, SH(2), IV(1, 0));
  Value in4[2] = {bb, bb};
  p.nin = 2;
  CHECK(pim(P_concatenate, 2, in4, &p), DT_BOOL, 1, SH(4), 1, 0, 1, 0);
  drop(a), drop(b), drop(c), drop(bb);
}

Test(prims, gather) {
  Value x = iotaf(2, SH(3, 4), 1, 0);
  Value idx = mki(1, SH(4), IV(2, 0, 2, 1));
  Params p = PARAMS_INIT;
  Value r = OK(p2(P_gather, x, idx, &p));
  Value in[2] = {x, idx};
  check_shape_rule(P_gather, 2, in, &p, r);
  CHECK(r, DT_FLOAT, 2, SH(4, 4), 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7);
  p.i0 = 1;
  Value idx2 = mki(2, SH(2, 2), IV(3, 0, 1, 1));
  Value r2 = OK(p2(P_gather, x, idx2, &p));
  Value in2[2] = {x, idx2};
  check_shape_rule(P_gather, 2, in2, &p, r2);
  CHECK(r2, DT_FLOAT, 3, SH(3, 2, 2), 3, 0, 1, 1, 7, 4, 5, 5, 11, 8, 9, 9);
  CHECK(p2(P_gather, x, v_int(2), &p), DT_FLOAT, 1, SH(3), 2, 6, 10);
  p.i0 = 0;
  Value bad = mki(1, SH(2), IV(0, 3));
  EXPECT_ERR(p2(P_gather, x, bad, &p), E_INDEX, "index 3 is out of bounds for axis 0 with size 3");
  Value neg = mki(1, SH(1), IV(-1));
  EXPECT_ERR(p2(P_gather, x, neg, &p), E_INDEX, "index -1");
  Value fi = mkf(1, SH(1), DV(0));
  EXPECT_ERR(p2(P_gather, x, fi, &p), E_TYPE, "integers");
  EXPECT_ERR(p2(P_gather, v_float(1), v_int(0), &p), E_INDEX, "scalar");
  p.i0 = 2;
  EXPECT_ERR(p2(P_gather, x, idx, &p), E_VALUE, "out of bounds");
  p.i0 = 0;
  Value e = mki(1, SH(0), NULL);
  CHECK(p2(P_gather, x, e, &p), DT_FLOAT, 2, SH(0, 4), 0);
  Value bx = mkb(1, SH(3), IV(1, 0, 1));
  CHECK(p2(P_gather, bx, idx, &p), DT_BOOL, 1, SH(4), 1, 1, 1, 0);
  drop(x), drop(idx), drop(idx2), drop(bad), drop(neg), drop(fi), drop(e), drop(bx);
}

Test(prims, scatter_add_and_scatter) {
  Value x = mkf(2, SH(3, 2), DV(0, 0, 0, 0, 0, 0));
  Value idx = mki(1, SH(3), IV(2, 0, 2));
  Value upd = iotaf(2, SH(3, 2), 1, 1);
  Params p = PARAMS_INIT;
  Value in[3] = {x, idx, upd};
  Value r = OK(pim(P_scatter_add, 3, in, &p));
  check_shape_rule(P_scatter_add, 3, in, &p, r);
  CHECK(r, DT_FLOAT, 2, SH(3, 2), 3, 4, 0, 0, 6, 8);
  Value s = OK(pim(P_scatter, 3, in, &p));
  check_shape_rule(P_scatter, 3, in, &p, s);
  CHECK(s, DT_FLOAT, 2, SH(3, 2), 3, 4, 0, 0, 5, 6);
  /* axis 1 */
  p.i0 = 1;
  Value idx1 = mki(1, SH(2), IV(1, 1));
  Value u1 = iotaf(2, SH(3, 2), 1, 1);
  Value in1[3] = {x, idx1, u1};
  CHECK(pim(P_scatter_add, 3, in1, &p), DT_FLOAT, 2, SH(3, 2), 0, 3, 0, 7, 0, 11);
  /* int x, float updates promote; scalar index */
  p.i0 = 0;
  Value xi = mki(1, SH(3), IV(1, 2, 3));
  Value in2[3] = {xi, v_int(1), v_float(0.5)};
  CHECK(pim(P_scatter_add, 3, in2, &p), DT_FLOAT, 1, SH(3), 1, 2.5, 3);
  Value in3[3] = {xi, v_int(1), v_int(9)};
  CHECK(pim(P_scatter, 3, in3, &p), DT_INT, 1, SH(3), 1, 9, 3);
  /* errors */
  Value bad = mki(1, SH(3), IV(0, 1, 3));
  Value in4[3] = {x, bad, upd};
  EXPECT_ERR(pim(P_scatter_add, 3, in4, &p), E_INDEX, "index 3 is out of bounds");
  Value wrong = iotaf(1, SH(3), 1, 0);
  Value in5[3] = {x, idx, wrong};
  EXPECT_ERR(pim(P_scatter, 3, in5, &p), E_SHAPE, "updates of shape (3,)");
  drop(x), drop(idx), drop(upd), drop(idx1), drop(u1), drop(xi), drop(bad), drop(wrong);
}

/* ------------------------------------------------------------------ */
/* dot_general                                                         */

static Params dg(int nc, const int64_t *ca, const int64_t *cb, int nb, const int64_t *ba,
                 const int64_t *bb) {
  Params p = PARAMS_INIT;
  p.n = p.m = nc;
  for (int k = 0; k < nc; k++) p.a[k] = ca[k], p.b[k] = cb[k];
  p.k = nb;
  for (int k = 0; k < nb; k++) p.c[k] = ba[k], p.d[k] = bb[k];
  return p;
}

/* C[b,i,j] = sum_k A(b,i,k) B(b,k,j) with explicit strides */
static void naive(int64_t B, int64_t M, int64_t N, int64_t K, const double *A, const int64_t *sa,
                  const double *Bm, const int64_t *sb, double *C) {
  for (int64_t b = 0; b < B; b++)
    for (int64_t i = 0; i < M; i++)
      for (int64_t j = 0; j < N; j++) {
        double s = 0;
        for (int64_t k = 0; k < K; k++)
          s += A[b * sa[0] + i * sa[1] + k * sa[2]] * Bm[b * sb[0] + k * sb[1] + j * sb[2]];
        C[(b * M + i) * N + j] = s;
      }
}

static void check_dg(Value a, Value b, Params p, int64_t B, int64_t M, int64_t N, int64_t K,
                     const int64_t *sa, const int64_t *sb) {
  Value r = OK(p2(P_dot_general, a, b, &p));
  Value in[2] = {a, b};
  check_shape_rule(P_dot_general, 2, in, &p, r);
  double *want = malloc(sizeof(double) * (size_t)(B * M * N + 1));
  naive(B, M, N, K, ARR_F(AS_ARRAY(a)), sa, ARR_F(AS_ARRAY(b)), sb, want);
  for (int64_t k = 0; k < B * M * N; k++) {
    double got = r.tag == T_FLOAT ? r.u.f : ARR_F(AS_ARRAY(r))[k];
    cr_assert(close_to(got, want[k], 1e-12, 1e-12), "elt %lld: %g want %g", (long long)k, got,
              want[k]);
  }
  free(want);
  drop(r);
}

Test(prims, dot_general_layouts) {
  Value a = iotaf(2, SH(3, 4), 0.5, -1), b = iotaf(2, SH(4, 5), 0.25, -2);
  /* a @ b */
  check_dg(a, b, dg(1, IV(1), IV(0), 0, NULL, NULL), 1, 3, 5, 4, IV(0, 4, 1), IV(0, 5, 1));
  /* a.T-style: contract a's dim 0 with c's dim 0: (4,3)x... */
  Value c = iotaf(2, SH(3, 5), 1, 0);
  check_dg(a, c, dg(1, IV(0), IV(0), 0, NULL, NULL), 1, 4, 5, 3, IV(0, 1, 4), IV(0, 5, 1));
  /* a @ d.T: contract a1 with d1 */
  Value d = iotaf(2, SH(6, 4), 1, 1);
  check_dg(a, d, dg(1, IV(1), IV(1), 0, NULL, NULL), 1, 3, 6, 4, IV(0, 4, 1), IV(0, 1, 4));
  /* both transposed */
  Value e = iotaf(2, SH(6, 3), -1, 1);
  check_dg(a, e, dg(1, IV(0), IV(1), 0, NULL, NULL), 1, 4, 6, 3, IV(0, 1, 4), IV(0, 1, 3));
  /* matrix-vector, vector-matrix, vector-vector */
  Value v4 = iotaf(1, SH(4), 1, 1), v3 = iotaf(1, SH(3), 1, -1);
  check_dg(a, v4, dg(1, IV(1), IV(0), 0, NULL, NULL), 1, 3, 1, 4, IV(0, 4, 1), IV(0, 1, 0));
  check_dg(v3, a, dg(1, IV(0), IV(0), 0, NULL, NULL), 1, 1, 4, 3, IV(0, 0, 1), IV(0, 4, 1));
  check_dg(a, v3, dg(1, IV(0), IV(0), 0, NULL, NULL), 1, 4, 1, 3, IV(0, 1, 4), IV(0, 1, 0));
  check_dg(v4, v4, dg(1, IV(0), IV(0), 0, NULL, NULL), 1, 1, 1, 4, IV(0, 0, 1), IV(0, 1, 0));
  /* outer product (no contraction) */
  check_dg(v3, v4, dg(0, NULL, NULL, 0, NULL, NULL), 1, 3, 4, 1, IV(0, 1, 0), IV(0, 0, 1));
  drop(a), drop(b), drop(c), drop(d), drop(e), drop(v4), drop(v3);
}

Test(prims, dot_general_batched) {
  Value a = iotaf(3, SH(2, 3, 4), 0.5, -3), b = iotaf(3, SH(2, 4, 5), 0.25, -2);
  check_dg(a, b, dg(1, IV(2), IV(1), 1, IV(0), IV(0)), 2, 3, 5, 4, IV(12, 4, 1), IV(20, 5, 1));
  /* batch dim last in b: b (4, 5, 2) -> needs a copy */
  Value c = iotaf(3, SH(4, 5, 2), 1, 0);
  check_dg(a, c, dg(1, IV(2), IV(0), 1, IV(0), IV(2)), 2, 3, 5, 4, IV(12, 4, 1), IV(1, 10, 2));
  /* two contracting dims */
  Value x = iotaf(3, SH(2, 3, 4), 1, 0), y = iotaf(3, SH(3, 4, 5), 1, 0);
  Value r = OK(p2(P_dot_general, x, y, (Params[]){dg(2, IV(1, 2), IV(0, 1), 0, NULL, NULL)}));
  Array *ra = AS_ARRAY(r);
  cr_assert_eq(ra->ndim, 2);
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 5; j++) {
      double s = 0;
      for (int k = 0; k < 3; k++)
        for (int l = 0; l < 4; l++) s += (double)(i * 12 + k * 4 + l) * (double)(k * 20 + l * 5 + j);
      cr_assert_eq(ARR_F(ra)[i * 5 + j], s);
    }
  drop(r), drop(a), drop(b), drop(c), drop(x), drop(y);
}

Test(prims, dot_general_dtypes_and_errors) {
  Value ai = mki(2, SH(2, 2), IV(1, 2, 3, 4)), bi = mki(2, SH(2, 2), IV(5, 6, 7, 8));
  Params p = dg(1, IV(1), IV(0), 0, NULL, NULL);
  CHECK(p2(P_dot_general, ai, bi, &p), DT_INT, 2, SH(2, 2), 19, 22, 43, 50);
  Params pt = dg(1, IV(0), IV(1), 0, NULL, NULL);
  CHECK(p2(P_dot_general, ai, bi, &pt), DT_INT, 2, SH(2, 2), 23, 31, 34, 46);
  Value bf = mkf(2, SH(2, 2), DV(0.5, 0, 0, 0.5));
  CHECK(p2(P_dot_general, ai, bf, &p), DT_FLOAT, 2, SH(2, 2), 0.5, 1, 1.5, 2);
  Value bb = mkb(2, SH(2, 2), IV(1, 0, 0, 0));
  CHECK(p2(P_dot_general, bb, bb, &p), DT_BOOL, 2, SH(2, 2), 1, 0, 0, 0);
  Value a34 = iotaf(2, SH(3, 4), 1, 0), b52 = iotaf(2, SH(5, 2), 1, 0);
  EXPECT_ERR(p2(P_dot_general, a34, b52, &p), E_SHAPE,
             "dot_general: contracting dimensions mismatch: (3, 4) @ (5, 2)");
  Params bad = dg(1, IV(2), IV(0), 0, NULL, NULL);
  EXPECT_ERR(p2(P_dot_general, a34, b52, &bad), E_VALUE, NULL);
  Params bm = dg(1, IV(1), IV(1), 1, IV(0), IV(0));
  Value c = iotaf(3, SH(2, 3, 4), 1, 0), d = iotaf(3, SH(3, 3, 4), 1, 0);
  EXPECT_ERR(p2(P_dot_general, c, d, &bm), E_SHAPE, "batch dimensions mismatch");
  /* K == 0 gives zeros, M == 0 gives empty */
  Value e1 = mkf(2, SH(2, 0), NULL), e2 = mkf(2, SH(0, 3), NULL);
  CHECK(p2(P_dot_general, e1, e2, &p), DT_FLOAT, 2, SH(2, 3), 0, 0, 0, 0, 0, 0);
  CHECK(p2(P_dot_general, e2, a34, &p), DT_FLOAT, 2, SH(0, 4), 0);
  drop(ai), drop(bi), drop(bf), drop(bb), drop(a34), drop(b52), drop(c), drop(d), drop(e1),
      drop(e2);
}

Test(prims, matmul_1000_matches_naive_samples) {
  int64_t sh[2] = {300, 200}, sh2[2] = {200, 100};
  Value a = iotaf(2, sh, 1e-3, -1), b = iotaf(2, sh2, -2e-3, 3);
  Params p = dg(1, IV(1), IV(0), 0, NULL, NULL);
  Value r = OK(p2(P_dot_general, a, b, &p));
  for (int t = 0; t < 50; t++) {
    int i = (t * 37) % 300, j = (t * 11) % 100;
    double s = 0;
    for (int k = 0; k < 200; k++) s += ARR_F(AS_ARRAY(a))[i * 200 + k] * ARR_F(AS_ARRAY(b))[k * 100 + j];
    cr_assert(close_to(ARR_F(AS_ARRAY(r))[i * 100 + j], s, 1e-12, 1e-9));
  }
  drop(r), drop(a), drop(b);
}

/* ------------------------------------------------------------------ */
/* linear algebra                                                      */

static Value matmul2(Value a, Value b) {
  Params p = dg(1, IV(1), IV(0), 0, NULL, NULL);
  return OK(p2(P_dot_general, a, b, &p));
}

Test(prims, linalg_solve) {
  Value a = mkf(2, SH(3, 3), DV(4, 1, 2, 1, 5, 3, 2, 3, 6));
  Value b = mkf(1, SH(3), DV(1, 2, 3));
  Params p = PARAMS_INIT;
  p.i0 = 1;
  Value x = OK(p2(P_la_solve, a, b, &p));
  Value in[2] = {a, b};
  check_shape_rule(P_la_solve, 2, in, &p, x);
  /* a @ x == b */
  Params mv = dg(1, IV(1), IV(0), 0, NULL, NULL);
  CHECKR(p2(P_dot_general, a, x, &mv), DT_FLOAT, 1, SH(3), 1e-12, 1, 2, 3);
  drop(x);
  /* matrix rhs */
  Value B = mkf(2, SH(3, 2), DV(1, 0, 0, 1, 1, 1));
  p.i0 = 0;
  Value X = OK(p2(P_la_solve, a, B, &p));
  CHECKR(matmul2(a, X), DT_FLOAT, 2, SH(3, 2), 1e-12, 1, 0, 0, 1, 1, 1);
  drop(X);
  /* batched a, shared rhs matrix broadcast */
  Value a2 = mkf(3, SH(2, 2, 2), DV(2, 0, 0, 2, 1, 1, 0, 1));
  Value b2 = mkf(2, SH(2, 1), DV(2, 4));
  Value X2 = OK(p2(P_la_solve, a2, b2, &p));
  CHECKR(X2, DT_FLOAT, 3, SH(2, 2, 1), 1e-12, 1, 2, -2, 4);
  /* int inputs */
  Value ai = mki(2, SH(2, 2), IV(2, 0, 0, 4));
  Value bi = mki(1, SH(2), IV(2, 2));
  p.i0 = 1;
  CHECKR(p2(P_la_solve, ai, bi, &p), DT_FLOAT, 1, SH(2), 1e-15, 1, 0.5);
  /* errors */
  Value sing = mkf(2, SH(2, 2), DV(1, 2, 2, 4));
  EXPECT_ERR(p2(P_la_solve, sing, bi, &p), E_VALUE, "singular matrix");
  Value rect = mkf(2, SH(2, 3), DV(1, 2, 3, 4, 5, 6));
  EXPECT_ERR(p2(P_la_solve, rect, bi, &p), E_SHAPE, "(2, 3)");
  EXPECT_ERR(p2(P_la_solve, a, bi, &p), E_SHAPE, "incompatible");
  drop(a), drop(b), drop(B), drop(a2), drop(b2), drop(ai), drop(bi), drop(sing), drop(rect);
}

Test(prims, linalg_inv_det) {
  Value a = mkf(2, SH(3, 3), DV(4, 1, 2, 1, 5, 3, 2, 3, 6));
  Value ia = OK(p1(P_la_inv, a, NULL));
  check_shape_rule(P_la_inv, 1, &a, NULL, ia);
  CHECKR(matmul2(a, ia), DT_FLOAT, 2, SH(3, 3), 1e-12, 1, 0, 0, 0, 1, 0, 0, 0, 1);
  drop(ia);
  Value d = OK(p1(P_la_det, a, NULL));
  check_shape_rule(P_la_det, 1, &a, NULL, d);
  cr_assert(close_to(d.u.f, 4 * (30 - 9) - 1 * (6 - 6) + 2 * (3 - 10), 1e-12, 0), "det %g", d.u.f);
  /* non-symmetric, pivoting sign */
  Value b = mkf(2, SH(2, 2), DV(0, 1, 1, 0));
  CHECKR(p1(P_la_det, b, NULL), DT_FLOAT, 0, NULL, 1e-15, -1);
  Value c = mkf(2, SH(2, 2), DV(1, 2, 3, 4));
  CHECKR(p1(P_la_det, c, NULL), DT_FLOAT, 0, NULL, 1e-14, -2);
  CHECKR(p1(P_la_inv, c, NULL), DT_FLOAT, 2, SH(2, 2), 1e-14, -2, 1, 1.5, -0.5);
  /* batched */
  Value st = mkf(3, SH(2, 2, 2), DV(1, 2, 3, 4, 2, 0, 0, 3));
  CHECKR(p1(P_la_det, st, NULL), DT_FLOAT, 1, SH(2), 1e-14, -2, 6);
  CHECKR(p1(P_la_inv, st, NULL), DT_FLOAT, 3, SH(2, 2, 2), 1e-14, -2, 1, 1.5, -0.5, 0.5, 0, 0,
         1.0 / 3);
  /* singular */
  Value s = mkf(2, SH(2, 2), DV(1, 2, 2, 4));
  CHECK(p1(P_la_det, s, NULL), DT_FLOAT, 0, NULL, 0);
  EXPECT_ERR(p1(P_la_inv, s, NULL), E_VALUE, "singular matrix");
  Value r = mkf(1, SH(3), DV(1, 2, 3));
  EXPECT_ERR(p1(P_la_inv, r, NULL), E_SHAPE, "square");
  EXPECT_ERR(p1(P_la_det, v_float(2), NULL), E_SHAPE, "()");
  /* empty matrix */
  Value e = mkf(2, SH(0, 0), NULL);
  CHECK(p1(P_la_det, e, NULL), DT_FLOAT, 0, NULL, 1);
  drop(a), drop(b), drop(c), drop(st), drop(s), drop(r), drop(e);
}

Test(prims, linalg_cholesky) {
  Value a = mkf(2, SH(3, 3), DV(4, 2, 2, 2, 5, 3, 2, 3, 6));
  Value L = OK(p1(P_la_cholesky, a, NULL));
  check_shape_rule(P_la_cholesky, 1, &a, NULL, L);
  Array *l = AS_ARRAY(L);
  for (int i = 0; i < 3; i++)
    for (int j = i + 1; j < 3; j++) cr_assert_eq(ARR_F(l)[i * 3 + j], 0.0, "upper part is zero");
  Params tt = dg(1, IV(1), IV(1), 0, NULL, NULL); /* L @ L.T */
  Value llt = OK(p2(P_dot_general, L, L, &tt));
  for (int k = 0; k < 9; k++)
    cr_assert(close_to(ARR_F(AS_ARRAY(llt))[k], ARR_F(AS_ARRAY(a))[k], 1e-12, 0));
  drop(llt), drop(L);
  Value np = mkf(2, SH(2, 2), DV(1, 2, 2, 1));
  EXPECT_ERR(p1(P_la_cholesky, np, NULL), E_VALUE, "positive definite");
  drop(a), drop(np);
}

Test(prims, triangular_solve) {
  Value Lm = mkf(2, SH(3, 3), DV(2, 0, 0, 1, 3, 0, -1, 2, 4));
  Value b = mkf(1, SH(3), DV(2, 7, 11));
  Params p = PARAMS_INIT;
  p.i0 = 1; /* lower */
  Value x = OK(p2(P_la_triangular_solve, Lm, b, &p));
  Value in[2] = {Lm, b};
  check_shape_rule(P_la_triangular_solve, 2, in, &p, x);
  Params mv = dg(1, IV(1), IV(0), 0, NULL, NULL);
  CHECKR(p2(P_dot_general, Lm, x, &mv), DT_FLOAT, 1, SH(3), 1e-12, 2, 7, 11);
  drop(x);
  /* transpose_a: L.T x = b */
  p.i1 = 1;
  x = OK(p2(P_la_triangular_solve, Lm, b, &p));
  Params tv = dg(1, IV(0), IV(0), 0, NULL, NULL);
  CHECKR(p2(P_dot_general, Lm, x, &tv), DT_FLOAT, 1, SH(3), 1e-12, 2, 7, 11);
  drop(x);
  /* upper, matrix rhs */
  Value U = mkf(2, SH(2, 2), DV(2, 1, 0, 4));
  Value B = mkf(2, SH(2, 2), DV(4, 1, 8, 2));
  p.i0 = 0, p.i1 = 0;
  Value X = OK(p2(P_la_triangular_solve, U, B, &p));
  CHECKR(matmul2(U, X), DT_FLOAT, 2, SH(2, 2), 1e-12, 4, 1, 8, 2);
  drop(X);
  Value Z = mkf(2, SH(2, 2), DV(0, 1, 0, 4));
  EXPECT_ERR(p2(P_la_triangular_solve, Z, B, &p), E_VALUE, "singular");
  drop(Lm), drop(b), drop(U), drop(B), drop(Z);
}
