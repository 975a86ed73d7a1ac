/* test_ops.c — stdlib/ops.c: operators with scalar fast paths, matmul,
 * truth, indexing (basic, advanced, masks), slices, attributes and bound
 * methods, .at[] updates, len and iteration, on concrete values. */
#include "arr_test_util.h"
#include "stdlib/builtins.h"
#include "stdlib/ops.h"

TestSuite(ops, .init = setup, .fini = teardown);

static Value bin(BinOp op, Value a, Value b) { return jx_binop(I, op, a, b); }

#define EXPECT_INT(v, want)                                                            \
  do {                                                                                 \
    Value ei_ = OK(v);                                                                 \
    cr_assert_eq(ei_.tag, T_INT, "tag %d", ei_.tag);                                   \
    cr_assert_eq(ei_.u.i, (want), "%lld, want %lld", (long long)ei_.u.i, (long long)(want)); \
  } while (0)
#define EXPECT_FLOAT(v, want)                                                          \
  do {                                                                                 \
    Value ef_ = OK(v);                                                                 \
    cr_assert_eq(ef_.tag, T_FLOAT, "tag %d", ef_.tag);                                 \
    cr_assert(close_to(ef_.u.f, (want), 1e-15, 0), "%.17g, want %.17g", ef_.u.f, (double)(want)); \
  } while (0)
#define EXPECT_BOOL(v, want)                                                           \
  do {                                                                                 \
    Value eb_ = OK(v);                                                                 \
    cr_assert_eq(eb_.tag, T_BOOL, "tag %d", eb_.tag);                                  \
    cr_assert_eq(eb_.u.i, (want));                                                     \
  } while (0)

/* ------------------------------------------------------------------ */
/* scalars                                                             */

Test(ops, scalar_arithmetic) {
  EXPECT_INT(bin(OP_ADD, v_int(2), v_int(3)), 5);
  EXPECT_FLOAT(bin(OP_ADD, v_int(2), v_float(0.5)), 2.5);
  EXPECT_INT(bin(OP_ADD, v_bool(true), v_bool(true)), 2);
  EXPECT_INT(bin(OP_SUB, v_int(2), v_bool(true)), 1);
  EXPECT_INT(bin(OP_MUL, v_int(-4), v_int(3)), -12);
  EXPECT_INT(bin(OP_ADD, v_int(INT64_MAX), v_int(1)), INT64_MIN); /* wraps like int64 */
  EXPECT_FLOAT(bin(OP_DIV, v_int(1), v_int(2)), 0.5);
  EXPECT_FLOAT(bin(OP_DIV, v_int(6), v_int(3)), 2.0);
  EXPECT_FLOAT(bin(OP_DIV, v_float(1), v_float(0)), INFINITY);
  EXPECT_FLOAT(bin(OP_DIV, v_int(-1), v_int(0)), -INFINITY);
  Value n = OK(bin(OP_DIV, v_float(0), v_float(0)));
  cr_assert(isnan(n.u.f));
}

Test(ops, scalar_floordiv_mod_python) {
  EXPECT_INT(bin(OP_FLOORDIV, v_int(7), v_int(2)), 3);
  EXPECT_INT(bin(OP_FLOORDIV, v_int(-7), v_int(2)), -4);
  EXPECT_INT(bin(OP_FLOORDIV, v_int(7), v_int(-2)), -4);
  EXPECT_INT(bin(OP_MOD, v_int(-7), v_int(2)), 1);
  EXPECT_INT(bin(OP_MOD, v_int(7), v_int(-2)), -1);
  EXPECT_INT(bin(OP_MOD, v_int(INT64_MIN), v_int(-1)), 0);
  EXPECT_FLOAT(bin(OP_FLOORDIV, v_float(7.5), v_int(2)), 3.0);
  EXPECT_FLOAT(bin(OP_FLOORDIV, v_float(-7.5), v_int(2)), -4.0);
  EXPECT_FLOAT(bin(OP_MOD, v_float(-7.5), v_int(2)), 0.5);
  EXPECT_FLOAT(bin(OP_MOD, v_float(5.0), v_float(-3.0)), -1.0);
  EXPECT_FLOAT(bin(OP_FLOORDIV, v_float(1.0), v_float(0.0)), INFINITY);
  Value m = OK(bin(OP_MOD, v_float(1.0), v_float(0.0)));
  cr_assert(isnan(m.u.f));
  EXPECT_ERR(bin(OP_FLOORDIV, v_int(1), v_int(0)), E_VALUE, "integer division or modulo by zero");
  EXPECT_ERR(bin(OP_MOD, v_int(1), v_int(0)), E_VALUE, "by zero");
  EXPECT_ERR(bin(OP_MOD, v_bool(true), v_bool(false)), E_VALUE, "by zero");
}

Test(ops, scalar_pow) {
  EXPECT_INT(bin(OP_POW, v_int(2), v_int(10)), 1024);
  EXPECT_INT(bin(OP_POW, v_int(-3), v_int(3)), -27);
  EXPECT_INT(bin(OP_POW, v_int(5), v_int(0)), 1);
  EXPECT_FLOAT(bin(OP_POW, v_int(2), v_int(-1)), 0.5);
  EXPECT_FLOAT(bin(OP_POW, v_int(2), v_int(-2)), 0.25);
  EXPECT_FLOAT(bin(OP_POW, v_float(2), v_int(3)), 8.0);
  EXPECT_FLOAT(bin(OP_POW, v_int(4), v_float(0.5)), 2.0);
  EXPECT_FLOAT(bin(OP_POW, v_int(0), v_int(-1)), INFINITY);
  Value n = OK(bin(OP_POW, v_float(-8), v_float(1.0 / 3)));
  cr_assert(isnan(n.u.f));
}

Test(ops, scalar_compare_logic) {
  EXPECT_BOOL(bin(OP_LT, v_int(1), v_float(1.5)), 1);
  EXPECT_BOOL(bin(OP_EQ, v_int(1), v_float(1.0)), 1);
  EXPECT_BOOL(bin(OP_EQ, v_bool(true), v_int(1)), 1);
  EXPECT_BOOL(bin(OP_NE, v_float(NAN), v_float(NAN)), 1);
  EXPECT_BOOL(bin(OP_GE, v_int(3), v_int(3)), 1);
  EXPECT_BOOL(bin(OP_GT, v_int(3), v_int(3)), 0);
  EXPECT_BOOL(bin(OP_LE, v_float(-0.0), v_float(0.0)), 1);
  EXPECT_BOOL(bin(OP_BITAND, v_bool(true), v_bool(false)), 0);
  EXPECT_BOOL(bin(OP_BITOR, v_bool(true), v_bool(false)), 1);
  EXPECT_INT(bin(OP_BITAND, v_int(12), v_int(10)), 8);
  EXPECT_INT(bin(OP_BITOR, v_int(12), v_bool(true)), 13);
  EXPECT_ERR(bin(OP_BITAND, v_float(1), v_int(1)), E_TYPE, "unsupported operand");
  EXPECT_ERR(bin(OP_MATMUL, v_int(1), v_int(1)), E_SHAPE, "matmul");
}

Test(ops, unary) {
  EXPECT_INT(jx_unop(I, UOP_NEG, v_int(3)), -3);
  EXPECT_INT(jx_unop(I, UOP_NEG, v_bool(true)), -1);
  EXPECT_INT(jx_unop(I, UOP_POS, v_bool(true)), 1);
  EXPECT_FLOAT(jx_unop(I, UOP_NEG, v_float(2.5)), -2.5);
  EXPECT_INT(jx_unop(I, UOP_INVERT, v_int(0)), -1);
  EXPECT_BOOL(jx_unop(I, UOP_INVERT, v_bool(true)), 0);
  EXPECT_ERR(jx_unop(I, UOP_INVERT, v_float(1)), E_TYPE, "unary ~");
  Value s = str_from(I, "a");
  EXPECT_ERR(jx_unop(I, UOP_NEG, s), E_TYPE, "string");
  drop(s);
  Value a = mki(1, SH(2), IV(1, -2));
  CHECK(jx_unop(I, UOP_NEG, a), DT_INT, 1, SH(2), -1, 2);
  CHECK(jx_unop(I, UOP_INVERT, a), DT_INT, 1, SH(2), -2, 1);
  Value p = OK(jx_unop(I, UOP_POS, a));
  cr_assert_eq(p.u.o, a.u.o);
  drop(p);
  Value b = mkb(1, SH(2), IV(1, 0));
  CHECK(jx_unop(I, UOP_INVERT, b), DT_BOOL, 1, SH(2), 0, 1);
  drop(a), drop(b);
}

/* ------------------------------------------------------------------ */
/* arrays through jx_bind                                              */

Test(ops, array_arithmetic) {
  Value a = iotaf(2, SH(2, 3), 1, 0), r = iotaf(1, SH(3), 10, 0);
  CHECK(bin(OP_ADD, a, r), DT_FLOAT, 2, SH(2, 3), 0, 11, 22, 3, 14, 25);
  CHECK(bin(OP_MUL, a, v_int(2)), DT_FLOAT, 2, SH(2, 3), 0, 2, 4, 6, 8, 10);
  CHECK(bin(OP_SUB, v_float(1), r), DT_FLOAT, 1, SH(3), 1, -9, -19);
  CHECK(bin(OP_POW, a, v_int(2)), DT_FLOAT, 2, SH(2, 3), 0, 1, 4, 9, 16, 25);
  CHECK(bin(OP_POW, v_int(2), r), DT_FLOAT, 1, SH(3), 1, 1024, 1048576);
  CHECK(bin(OP_LT, a, v_float(2.5)), DT_BOOL, 2, SH(2, 3), 1, 1, 1, 0, 0, 0);
  CHECK(bin(OP_EQ, r, v_int(10)), DT_BOOL, 1, SH(3), 0, 1, 0);
  Value i = mki(1, SH(3), IV(7, -7, 2));
  CHECK(bin(OP_FLOORDIV, i, v_int(2)), DT_INT, 1, SH(3), 3, -4, 1);
  CHECK(bin(OP_MOD, i, v_int(-3)), DT_INT, 1, SH(3), -2, -1, -1);
  CHECK(bin(OP_DIV, i, v_int(2)), DT_FLOAT, 1, SH(3), 3.5, -3.5, 1);
  CHECK(bin(OP_POW, i, v_int(2)), DT_INT, 1, SH(3), 49, 49, 4);
  CHECK(bin(OP_POW, i, v_int(-1)), DT_FLOAT, 1, SH(3), 1.0 / 7, -1.0 / 7, 0.5);
  EXPECT_ERR(bin(OP_FLOORDIV, i, v_int(0)), E_VALUE, "by zero");
  Value b = mkb(1, SH(3), IV(1, 0, 1));
  CHECK(bin(OP_BITAND, b, v_bool(true)), DT_BOOL, 1, SH(3), 1, 0, 1);
  CHECK(bin(OP_BITOR, b, b), DT_BOOL, 1, SH(3), 1, 0, 1);
  Value x4 = iotaf(1, SH(4), 1, 0);
  EXPECT_ERR(bin(OP_ADD, r, x4), E_SHAPE,
             "operands could not be broadcast together with shapes (3,) (4,)");
  /* mixed kinds */
  EXPECT_BOOL(bin(OP_EQ, a, v_none()), 0);
  EXPECT_BOOL(bin(OP_NE, v_none(), a), 1);
  Value s = str_from(I, "x");
  EXPECT_ERR(bin(OP_ADD, a, s), E_TYPE, "unsupported operand type(s) for +: 'array' and 'string'");
  drop(s), drop(a), drop(r), drop(i), drop(b), drop(x4);
}

/* numpy matmul against a naive loop, for many shape pairs */
static void check_matmul(int na, const int64_t *sa, int nb, const int64_t *sb, int nr,
                         const int64_t *sr) {
  Value a = iotaf(na, sa, 0.5, -1), b = iotaf(nb, sb, 0.25, -2);
  Value r = OK(bin(OP_MATMUL, a, b));
  int gnd;
  int64_t gsh[JX_MAXDIM];
  val_shape(r, &gnd, gsh);
  cr_assert_eq(gnd, nr, "ndim %d want %d", gnd, nr);
  for (int k = 0; k < nr; k++) cr_assert_eq(gsh[k], sr[k]);
  /* promote to (batch..., M, K) x (batch..., K, N) by numpy rules */
  int64_t K = sa[na - 1];
  int64_t M = na >= 2 ? sa[na - 2] : 1, N = nb >= 2 ? sb[nb - 1] : 1;
  int64_t total = 1;
  for (int k = 0; k < nr; k++) total *= sr[k];
  int64_t batch = total / (M * N);
  int nbat = nr - (na >= 2) - (nb >= 2);
  for (int64_t t = 0; t < batch; t++) {
    /* batch multi-index */
    int64_t bi[JX_MAXDIM], rem = t;
    for (int d = nbat - 1; d >= 0; d--) bi[d] = rem % sr[d], rem /= sr[d];
    int64_t oa = 0, ob = 0, stra = M * K, strb = K * N;
    for (int d = na - 3; d >= 0; d--) {
      int64_t i = bi[nbat - (na - 2) + d];
      oa += (sa[d] == 1 ? 0 : i) * stra;
      stra *= sa[d];
    }
    for (int d = nb - 3; d >= 0; d--) {
      int64_t i = bi[nbat - (nb - 2) + d];
      ob += (sb[d] == 1 ? 0 : i) * strb;
      strb *= sb[d];
    }
    for (int64_t i = 0; i < M; i++)
      for (int64_t j = 0; j < N; j++) {
        double s = 0;
        for (int64_t k = 0; k < K; k++)
          s += ((double)(oa + i * K + k) * 0.5 - 1) * ((double)(ob + k * N + j) * 0.25 - 2);
        double got = r.tag == T_FLOAT ? r.u.f : ARR_F(AS_ARRAY(r))[(t * M + i) * N + j];
        cr_assert(close_to(got, s, 1e-12, 1e-12), "batch %lld [%lld,%lld]: %g want %g",
                  (long long)t, (long long)i, (long long)j, got, s);
      }
  }
  drop(r), drop(a), drop(b);
}

Test(ops, matmul_shapes) {
  check_matmul(2, SH(3, 4), 2, SH(4, 5), 2, SH(3, 5));
  check_matmul(1, SH(4), 1, SH(4), 0, NULL);
  check_matmul(2, SH(3, 4), 1, SH(4), 1, SH(3));
  check_matmul(1, SH(3), 2, SH(3, 5), 1, SH(5));
  check_matmul(3, SH(2, 3, 4), 3, SH(2, 4, 5), 3, SH(2, 3, 5));
  check_matmul(3, SH(2, 3, 4), 2, SH(4, 5), 3, SH(2, 3, 5));
  check_matmul(2, SH(3, 4), 3, SH(2, 4, 5), 3, SH(2, 3, 5));
  check_matmul(4, SH(2, 1, 3, 4), 3, SH(5, 4, 2), 4, SH(2, 5, 3, 2));
  check_matmul(3, SH(2, 3, 4), 1, SH(4), 2, SH(2, 3));
  check_matmul(1, SH(4), 3, SH(2, 4, 5), 2, SH(2, 5));
}

Test(ops, matmul_errors_and_dtypes) {
  Value a = iotaf(2, SH(3, 4), 1, 0), b = iotaf(2, SH(5, 2), 1, 0);
  EXPECT_ERR(bin(OP_MATMUL, a, b), E_SHAPE, "matmul: contracting dimensions mismatch: (3, 4) @ (5, 2)");
  EXPECT_ERR(bin(OP_MATMUL, a, v_float(2)), E_SHAPE, "at least 1-dimensional");
  Value c = iotaf(3, SH(2, 3, 4), 1, 0), d = iotaf(3, SH(3, 4, 2), 1, 0);
  EXPECT_ERR(bin(OP_MATMUL, c, d), E_SHAPE, "batch");
  Value ia = mki(2, SH(2, 2), IV(1, 2, 3, 4));
  CHECK(bin(OP_MATMUL, ia, ia), DT_INT, 2, SH(2, 2), 7, 10, 15, 22);
  drop(a), drop(b), drop(c), drop(d), drop(ia);
}

Test(ops, strings_tuples) {
  Value a = str_from(I, "ab"), b = str_from(I, "abc");
  Value c = OK(bin(OP_ADD, a, b));
  cr_assert_str_eq(AS_STR(c)->s, "ababc");
  EXPECT_BOOL(bin(OP_LT, a, b), 1);
  EXPECT_BOOL(bin(OP_GT, a, b), 0);
  EXPECT_BOOL(bin(OP_EQ, a, a), 1);
  EXPECT_BOOL(bin(OP_NE, a, b), 1);
  EXPECT_BOOL(bin(OP_EQ, a, v_int(1)), 0);
  EXPECT_ERR(bin(OP_SUB, a, b), E_TYPE, "unsupported operand type(s) for -");
  EXPECT_ERR(bin(OP_LT, a, v_int(1)), E_TYPE, NULL);
  Value t1 = tuple_of(I, 2, (Value[]){v_int(1), a});
  Value t2 = tuple_of(I, 1, (Value[]){v_float(2)});
  Value t = OK(bin(OP_ADD, t1, t2));
  cr_assert_eq(AS_TUPLE(t)->n, 3);
  cr_assert_eq(AS_TUPLE(t)->items[2].u.f, 2.0);
  EXPECT_BOOL(bin(OP_EQ, t1, t1), 1);
  EXPECT_BOOL(bin(OP_EQ, t1, t2), 0);
  EXPECT_BOOL(bin(OP_EQ, v_none(), v_none()), 1);
  drop(a), drop(b), drop(c), drop(t1), drop(t2), drop(t);
}

Test(ops, truth) {
  cr_assert_eq(jx_truth(I, v_none()), 0);
  cr_assert_eq(jx_truth(I, v_int(0)), 0);
  cr_assert_eq(jx_truth(I, v_int(-2)), 1);
  cr_assert_eq(jx_truth(I, v_float(0.0)), 0);
  cr_assert_eq(jx_truth(I, v_float(NAN)), 1);
  cr_assert_eq(jx_truth(I, v_bool(true)), 1);
  Value e = str_from(I, ""), t = tuple_new(I, 0), d = dict_new(I);
  cr_assert_eq(jx_truth(I, e), 0);
  cr_assert_eq(jx_truth(I, t), 0);
  cr_assert_eq(jx_truth(I, d), 0);
  drop(e), drop(t), drop(d);
  Value a = iotaf(1, SH(3), 1, 0);
  cr_assert_eq(jx_truth(I, a), -1);
  cr_assert_eq(I->err.kind, E_TYPE);
  cr_assert(strstr(I->err.msg, "all(") && strstr(I->err.msg, "any(") && strstr(I->err.msg, "&"),
            "%s", I->err.msg);
  jx_err_clear(I);
  drop(a);
}

/* ------------------------------------------------------------------ */
/* indexing                                                            */

static Value sl(Value a, Value b, Value c) { return OK(slice_new(I, a, b, c)); }
static Value tup2(Value a, Value b) {
  Value t = tuple_new(I, 2);
  AS_TUPLE(t)->items[0] = a;
  AS_TUPLE(t)->items[1] = b;
  return t;
}
static Value idx(Value x, Value i) {
  Value r = jx_index(I, x, i);
  drop(i);
  return r;
}

Test(ops, slices) {
  Value s = sl(v_int(1), v_none(), v_int(2));
  cr_assert(is_slice(s));
  cr_assert(!is_slice(v_int(1)));
  StrBuf sb;
  sb_init(&sb);
  jx_repr(I, s, &sb);
  cr_assert_str_eq(sb.s, "slice(1, None, 2)");
  sb_free(&sb);
  drop(s);
  EXPECT_ERR(slice_new(I, v_float(1), v_none(), v_none()), E_TYPE, "integers or None");
}

Test(ops, basic_indexing) {
  Value x = iotaf(2, SH(3, 4), 1, 0);
  CHECK(jx_index(I, x, v_int(1)), DT_FLOAT, 1, SH(4), 4, 5, 6, 7);
  CHECK(jx_index(I, x, v_int(-1)), DT_FLOAT, 1, SH(4), 8, 9, 10, 11);
  EXPECT_ERR(jx_index(I, x, v_int(3)), E_INDEX, "index 3 is out of bounds for axis 0 with size 3");
  EXPECT_ERR(jx_index(I, x, v_int(-4)), E_INDEX, "index -4 is out of bounds");
  CHECK(idx(x, tup2(v_int(1), v_int(2))), DT_FLOAT, 0, NULL, 6);
  CHECK(idx(x, tup2(v_int(-1), v_int(-1))), DT_FLOAT, 0, NULL, 11);
  EXPECT_ERR(idx(x, tup2(v_int(0), v_int(4))), E_INDEX, "index 4 is out of bounds for axis 1 with size 4");
  CHECK(idx(x, tup2(sl(v_none(), v_none(), v_none()), v_int(0))), DT_FLOAT, 1, SH(3), 0, 4, 8);
  CHECK(idx(x, sl(v_int(1), v_int(3), v_none())), DT_FLOAT, 2, SH(2, 4), 4, 5, 6, 7, 8, 9, 10, 11);
  CHECK(idx(x, sl(v_none(), v_none(), v_int(2))), DT_FLOAT, 2, SH(2, 4), 0, 1, 2, 3, 8, 9, 10, 11);
  CHECK(idx(x, tup2(v_int(0), sl(v_none(), v_none(), v_int(-1)))), DT_FLOAT, 1, SH(4), 3, 2, 1, 0);
  CHECK(idx(x, tup2(v_int(1), sl(v_int(-1), v_int(0), v_int(-2)))), DT_FLOAT, 1, SH(2), 7, 5);
  CHECK(idx(x, tup2(sl(v_none(), v_none(), v_int(-1)), v_int(1))), DT_FLOAT, 1, SH(3), 9, 5, 1);
  CHECK(idx(x, sl(v_int(5), v_int(9), v_none())), DT_FLOAT, 2, SH(0, 4), 0);
  CHECK(idx(x, sl(v_int(-100), v_int(100), v_none())), DT_FLOAT, 2, SH(3, 4), 0, 1, 2, 3, 4, 5, 6,
        7, 8, 9, 10, 11);
  EXPECT_ERR(idx(x, sl(v_none(), v_none(), v_int(0))), E_VALUE, "step cannot be zero");
  /* None adds an axis */
  CHECK(jx_index(I, x, v_none()), DT_FLOAT, 3, SH(1, 3, 4), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
  CHECK(idx(x, tup2(v_int(2), v_none())), DT_FLOAT, 2, SH(1, 4), 8, 9, 10, 11);
  CHECK(idx(x, tup2(sl(v_none(), v_none(), v_none()), v_none())), DT_FLOAT, 3, SH(3, 1, 4), 0, 1,
        2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
  CHECK(jx_index(I, v_float(2.5), v_none()), DT_FLOAT, 1, SH(1), 2.5);
  Value three = tuple_of(I, 3, (Value[]){v_int(0), v_int(0), v_int(0)});
  EXPECT_ERR(jx_index(I, x, three), E_INDEX, "too many indices for array: array is 2-dimensional, but 3 were indexed");
  drop(three);
  EXPECT_ERR(jx_index(I, v_float(1), v_int(0)), E_INDEX, "0-dimensional");
  EXPECT_ERR(jx_index(I, x, v_float(1.0)), E_INDEX, "only integers");
  /* rows of a 1-d array are scalars of the right kind */
  Value b = mkb(1, SH(2), IV(0, 1));
  EXPECT_BOOL(jx_index(I, b, v_int(1)), 1);
  drop(b);
  drop(x);
}

Test(ops, advanced_indexing) {
  Value x = iotaf(2, SH(3, 4), 1, 0);
  Value i1 = mki(1, SH(3), IV(2, -3, 2));
  CHECK(jx_index(I, x, i1), DT_FLOAT, 2, SH(3, 4), 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11);
  Value i2 = mki(2, SH(2, 2), IV(0, 1, 1, 0));
  CHECK(jx_index(I, x, i2), DT_FLOAT, 3, SH(2, 2, 4), 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7, 0, 1, 2, 3);
  CHECK(idx(x, tup2(sl(v_none(), v_none(), v_none()), v_incref(i1))), DT_FLOAT, 2, SH(3, 3), 2, 1,
        2, 6, 5, 6, 10, 9, 10);
  /* two arrays: pairs */
  Value r = mki(1, SH(2), IV(0, 2)), c = mki(1, SH(2), IV(3, -1));
  CHECK(idx(x, tup2(v_incref(r), v_incref(c))), DT_FLOAT, 1, SH(2), 3, 11);
  /* int and array */
  CHECK(idx(x, tup2(v_int(1), v_incref(r))), DT_FLOAT, 1, SH(2), 4, 6);
  Value bad = mki(1, SH(1), IV(3));
  EXPECT_ERR(jx_index(I, x, bad), E_INDEX, "index 3 is out of bounds for axis 0 with size 3");
  Value fl = mkf(1, SH(1), DV(0));
  EXPECT_ERR(jx_index(I, x, fl), E_INDEX, "integer");
  /* boolean masks */
  Value m = mkb(1, SH(3), IV(1, 0, 1));
  CHECK(jx_index(I, x, m), DT_FLOAT, 2, SH(2, 4), 0, 1, 2, 3, 8, 9, 10, 11);
  Value gt = OK(bin(OP_GT, x, v_float(8.5)));
  CHECK(jx_index(I, x, gt), DT_FLOAT, 1, SH(3), 9, 10, 11);
  Value m2 = mkb(1, SH(2), IV(1, 0));
  EXPECT_ERR(jx_index(I, x, m2), E_INDEX, "boolean index");
  /* a nested tuple index is an index array */
  Value nt = tuple_of(I, 2, (Value[]){v_int(2), v_int(0)});
  Value nt1 = tuple_of(I, 1, (Value[]){nt});
  CHECK(jx_index(I, x, nt1), DT_FLOAT, 2, SH(2, 4), 8, 9, 10, 11, 0, 1, 2, 3);
  drop(nt), drop(nt1);
  drop(x), drop(i1), drop(i2), drop(r), drop(c), drop(bad), drop(fl), drop(m), drop(gt), drop(m2);
}

Test(ops, index_tuples_strings_dicts) {
  Value t = tuple_of(I, 3, (Value[]){v_int(1), v_float(2), v_none()});
  EXPECT_FLOAT(jx_index(I, t, v_int(-2)), 2.0);
  EXPECT_ERR(jx_index(I, t, v_int(3)), E_INDEX, "tuple index");
  Value ts = OK(idx(t, sl(v_none(), v_none(), v_int(-1))));
  cr_assert_eq(AS_TUPLE(ts)->n, 3);
  cr_assert_eq(AS_TUPLE(ts)->items[0].tag, T_NONE);
  drop(ts);
  EXPECT_ERR(jx_index(I, t, v_float(0)), E_TYPE, "tuple indices");
  Value s = str_from(I, "h\xc3\xa9llo");
  cr_assert_eq(jx_len(I, s), 5);
  Value c = OK(jx_index(I, s, v_int(1)));
  cr_assert_str_eq(AS_STR(c)->s, "\xc3\xa9");
  drop(c);
  c = OK(jx_index(I, s, v_int(-1)));
  cr_assert_str_eq(AS_STR(c)->s, "o");
  drop(c);
  c = OK(idx(s, sl(v_int(1), v_int(4), v_none())));
  cr_assert_str_eq(AS_STR(c)->s, "\xc3\xa9ll");
  drop(c);
  EXPECT_ERR(jx_index(I, s, v_int(5)), E_INDEX, "string index");
  Value d = dict_new(I);
  dict_sets(I, d, "W", v_float(1.5));
  Value k = str_from(I, "W"), k2 = str_from(I, "zz");
  EXPECT_FLOAT(jx_index(I, d, k), 1.5);
  EXPECT_ERR(jx_index(I, d, k2), E_KEY, "'zz'");
  EXPECT_ERR(jx_index(I, d, v_int(0)), E_KEY, NULL);
  EXPECT_ERR(jx_index(I, v_none(), v_int(0)), E_TYPE, "not subscriptable");
  drop(t), drop(s), drop(d), drop(k), drop(k2);
}

/* ------------------------------------------------------------------ */
/* attributes, methods, .at                                            */

Test(ops, attributes) {
  Value x = iotaf(2, SH(2, 3), 1, 0);
  Value sh = OK(jx_getattr(I, x, "shape"));
  cr_assert_eq(sh.tag, T_TUPLE);
  cr_assert_eq(AS_TUPLE(sh)->n, 2);
  cr_assert_eq(AS_TUPLE(sh)->items[1].u.i, 3);
  drop(sh);
  EXPECT_INT(jx_getattr(I, x, "ndim"), 2);
  EXPECT_INT(jx_getattr(I, x, "size"), 6);
  Value dt = OK(jx_getattr(I, x, "dtype"));
  cr_assert_str_eq(AS_STR(dt)->s, "float64");
  drop(dt);
  CHECK(jx_getattr(I, x, "T"), DT_FLOAT, 2, SH(3, 2), 0, 3, 1, 4, 2, 5);
  Value s = OK(jx_getattr(I, v_int(3), "shape"));
  cr_assert_eq(AS_TUPLE(s)->n, 0);
  drop(s);
  dt = OK(jx_getattr(I, v_bool(true), "dtype"));
  cr_assert_str_eq(AS_STR(dt)->s, "bool");
  drop(dt);
  EXPECT_ERR(jx_getattr(I, x, "nosuch"), E_TYPE, "no attribute 'nosuch'");
  EXPECT_ERR(jx_getattr(I, v_none(), "shape"), E_TYPE, "no attribute");
  drop(x);
}

Test(ops, native_methods) {
  Value x = iotaf(2, SH(2, 2), 0.75, 0);
  Value m = OK(jx_getattr(I, x, "astype"));
  Value ty = str_from(I, "int64");
  CHECK(jx_call(I, m, 1, &ty, 0, NULL, NULL), DT_INT, 2, SH(2, 2), 0, 0, 1, 2);
  Value bad = str_from(I, "complex");
  EXPECT_ERR(jx_call(I, m, 1, &bad, 0, NULL, NULL), E_TYPE, "dtype");
  drop(m), drop(ty), drop(bad);
  Value one = mkf(1, SH(1), DV(4.5));
  Value it = OK(jx_getattr(I, one, "item"));
  EXPECT_FLOAT(jx_call(I, it, 0, NULL, 0, NULL, NULL), 4.5);
  drop(it), drop(one);
  drop(x);
}

Test(ops, builtin_methods) {
  if (!builtins_find("sum") || !builtins_find("reshape")) cr_skip_test("array builtins not linked");
  Value x = iotaf(2, SH(2, 3), 1, 0);
  Value m = OK(jx_getattr(I, x, "sum"));
  EXPECT_FLOAT(jx_call(I, m, 0, NULL, 0, NULL, NULL), 15.0);
  const char *kw[] = {"axis"};
  Value ax = v_int(0);
  CHECK(jx_call(I, m, 0, NULL, 1, kw, &ax), DT_FLOAT, 1, SH(3), 3, 5, 7);
  CHECK(jx_call(I, m, 1, &ax, 0, NULL, NULL), DT_FLOAT, 1, SH(3), 3, 5, 7);
  drop(m);
  Value r = OK(jx_getattr(I, x, "reshape"));
  Value dims[2] = {v_int(3), v_int(2)};
  CHECK(jx_call(I, r, 2, dims, 0, NULL, NULL), DT_FLOAT, 2, SH(3, 2), 0, 1, 2, 3, 4, 5);
  Value shp = tuple_of(I, 1, (Value[]){v_int(6)});
  CHECK(jx_call(I, r, 1, &shp, 0, NULL, NULL), DT_FLOAT, 1, SH(6), 0, 1, 2, 3, 4, 5);
  drop(shp), drop(r);
  if (builtins_find("mean")) {
    Value mm = OK(jx_getattr(I, x, "mean"));
    EXPECT_FLOAT(jx_call(I, mm, 0, NULL, 0, NULL, NULL), 2.5);
    drop(mm);
  }
  if (builtins_find("max")) {
    Value mx = OK(jx_getattr(I, x, "max"));
    Value ax1 = v_int(1);
    CHECK(jx_call(I, mx, 0, NULL, 1, kw, &ax1), DT_FLOAT, 1, SH(2), 2, 5);
    drop(mx);
  }
  drop(x);
}

static Value at_call(Value x, Value i, const char *meth, Value v) {
  Value at = OK(jx_getattr(I, x, "at"));
  Value ai = OK(jx_index(I, at, i));
  Value m = OK(jx_getattr(I, ai, meth));
  Value r = jx_call(I, m, strcmp(meth, "get") ? 1 : 0, &v, 0, NULL, NULL);
  drop(at), drop(ai), drop(m);
  return r;
}

Test(ops, at_set_add) {
  Value x = iotaf(2, SH(3, 2), 1, 0);
  CHECK(at_call(x, v_int(1), "set", v_float(-1)), DT_FLOAT, 2, SH(3, 2), 0, 1, -1, -1, 4, 5);
  CHECK(at_call(x, v_int(-1), "add", v_float(10)), DT_FLOAT, 2, SH(3, 2), 0, 1, 2, 3, 14, 15);
  /* repeated indices accumulate in add */
  Value rep = mki(1, SH(3), IV(0, 0, 2));
  CHECK(at_call(x, rep, "add", v_float(1)), DT_FLOAT, 2, SH(3, 2), 2, 3, 2, 3, 5, 6);
  /* tuple index (general path) */
  Value t = tup2(v_int(2), v_int(1));
  CHECK(at_call(x, t, "set", v_float(9)), DT_FLOAT, 2, SH(3, 2), 0, 1, 2, 3, 4, 9);
  /* slices with a broadcast value array */
  Value s = tup2(sl(v_none(), v_none(), v_int(2)), sl(v_none(), v_none(), v_none()));
  Value row = mkf(1, SH(2), DV(7, 8));
  CHECK(at_call(x, s, "set", row), DT_FLOAT, 2, SH(3, 2), 7, 8, 2, 3, 7, 8);
  CHECK(at_call(x, s, "add", row), DT_FLOAT, 2, SH(3, 2), 7, 9, 2, 3, 11, 13);
  /* get */
  CHECK(at_call(x, v_int(0), "get", v_none()), DT_FLOAT, 1, SH(2), 0, 1);
  /* x itself is unchanged (values are immutable) */
  CHECK(v_incref(x), DT_FLOAT, 2, SH(3, 2), 0, 1, 2, 3, 4, 5);
  /* value dtype follows x; errors */
  Value xi = mki(1, SH(3), IV(1, 2, 3));
  CHECK(at_call(xi, v_int(0), "set", v_float(5.7)), DT_INT, 1, SH(3), 5, 2, 3);
  EXPECT_ERR(at_call(xi, v_int(3), "set", v_int(0)), E_INDEX, "index 3 is out of bounds");
  Value wrong = mkf(1, SH(3), DV(1, 2, 3));
  EXPECT_ERR(at_call(x, v_int(0), "set", wrong), E_SHAPE, NULL);
  Value mask = mkb(1, SH(3), IV(1, 0, 1));
  CHECK(at_call(xi, mask, "set", v_int(0)), DT_INT, 1, SH(3), 0, 2, 0);
  drop(x), drop(rep), drop(t), drop(s), drop(row), drop(xi), drop(wrong), drop(mask);
}

/* ------------------------------------------------------------------ */
/* len, iteration                                                      */

Test(ops, len_and_iteration) {
  Value x = iotaf(2, SH(3, 2), 1, 0);
  cr_assert_eq(jx_len(I, x), 3);
  CHECK(jx_iter_item(I, x, 2), DT_FLOAT, 1, SH(2), 4, 5);
  EXPECT_ERR(jx_iter_item(I, x, 3), E_INDEX, NULL);
  cr_assert_eq(jx_len(I, v_float(1)), -1);
  cr_assert_eq(I->err.kind, E_TYPE);
  jx_err_clear(I);
  EXPECT_ERR(jx_iter_item(I, v_int(1), 0), E_TYPE, NULL);
  Value t = tuple_of(I, 2, (Value[]){v_int(5), v_int(6)});
  cr_assert_eq(jx_len(I, t), 2);
  EXPECT_INT(jx_iter_item(I, t, 1), 6);
  Value d = dict_new(I);
  dict_sets(I, d, "a", v_int(1));
  dict_sets(I, d, "b", v_int(2));
  cr_assert_eq(jx_len(I, d), 2);
  Value k = OK(jx_iter_item(I, d, 1));
  cr_assert_str_eq(AS_STR(k)->s, "b");
  drop(k);
  Value s = str_from(I, "xy");
  Value c = OK(jx_iter_item(I, s, 0));
  cr_assert_str_eq(AS_STR(c)->s, "x");
  drop(c);
  cr_assert_eq(jx_len(I, v_none()), -1);
  cr_assert_eq(I->err.kind, E_TYPE);
  jx_err_clear(I);
  EXPECT_ERR(jx_iter_item(I, v_none(), 0), E_TYPE, "not iterable");
  drop(x), drop(t), drop(d), drop(s);
}
