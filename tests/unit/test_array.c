/* test_array.c — stdlib/array.c: dtypes, allocation (alignment, overflow,
 * impossible sizes, OOM), normalisation, conversion, literals. */
#include "arr_test_util.h"

TestSuite(array, .init = setup, .fini = teardown);

Test(array, dtype_names_and_sizes) {
  cr_assert_str_eq(dtype_name(DT_BOOL), "bool");
  cr_assert_str_eq(dtype_name(DT_INT), "int64");
  cr_assert_str_eq(dtype_name(DT_FLOAT), "float64");
  cr_assert_eq(dtype_size(DT_BOOL), 1);
  cr_assert_eq(dtype_size(DT_INT), 8);
  cr_assert_eq(dtype_size(DT_FLOAT), 8);
  cr_assert_eq(dtype_promote(DT_BOOL, DT_INT), DT_INT);
  cr_assert_eq(dtype_promote(DT_FLOAT, DT_INT), DT_FLOAT);
  cr_assert_eq(dtype_promote(DT_BOOL, DT_BOOL), DT_BOOL);
}

Test(array, val_dtype_shape_numeric) {
  DType dt;
  int nd;
  int64_t sh[JX_MAXDIM];
  cr_assert_eq(val_dtype(v_int(3), &dt), 0);
  cr_assert_eq(dt, DT_INT);
  cr_assert_eq(val_dtype(v_bool(true), &dt), 0);
  cr_assert_eq(dt, DT_BOOL);
  cr_assert_eq(val_dtype(v_float(1), &dt), 0);
  cr_assert_eq(dt, DT_FLOAT);
  cr_assert_eq(val_dtype(v_none(), &dt), -1);
  cr_assert_eq(val_shape(v_float(1), &nd, sh), 0);
  cr_assert_eq(nd, 0);
  Value a = iotaf(2, SH(3, 4), 1, 0);
  cr_assert_eq(val_shape(a, &nd, sh), 0);
  cr_assert_eq(nd, 2);
  cr_assert_eq(sh[0], 3);
  cr_assert_eq(sh[1], 4);
  cr_assert(is_numeric(a));
  cr_assert(is_numeric(v_bool(false)));
  cr_assert(!is_numeric(v_none()));
  Value s = str_from(I, "x");
  cr_assert(!is_numeric(s));
  cr_assert_eq(val_dtype(s, &dt), -1);
  drop(s);
  drop(a);
}

Test(array, alloc_alignment_and_fields) {
  for (int n = 0; n < 40; n += 3) {
    Array *a = arr_alloc(I, DT_FLOAT, 1, SH(n));
    cr_assert(a != NULL);
    cr_assert_eq((uintptr_t)a->data % 32, 0, "data not 32-byte aligned");
    cr_assert_eq(a->size, n);
    cr_assert_eq(a->ndim, 1);
    cr_assert(a->base == NULL);
    cr_assert_eq(a->hdr.rc, 1);
    cr_assert_eq(a->hdr.kind, T_ARRAY);
    v_decref(v_obj(&a->hdr));
  }
  Array *b = arr_alloc(I, DT_BOOL, 3, SH(2, 0, 5));
  cr_assert(b != NULL);
  cr_assert_eq(b->size, 0);
  v_decref(v_obj(&b->hdr));
  /* large blocks go through the reuse cache: still aligned, still sized */
  for (int r = 0; r < 3; r++) {
    Array *c = arr_alloc(I, DT_FLOAT, 1, SH(300000 + r));
    cr_assert(c != NULL);
    cr_assert_eq((uintptr_t)c->data % 32, 0);
    ARR_F(c)[299999 + r] = 1.0;
    v_decref(v_obj(&c->hdr));
  }
}

Test(array, zeros_are_zero) {
  Array *a = arr_zeros(I, DT_INT, 2, SH(100, 100));
  cr_assert(a != NULL);
  for (int64_t k = 0; k < a->size; k++) cr_assert_eq(ARR_I(a)[k], 0);
  v_decref(v_obj(&a->hdr));
  /* a reused (cached) block is still zeroed by arr_zeros */
  Array *big = arr_alloc(I, DT_FLOAT, 1, SH(1 << 18));
  for (int64_t k = 0; k < big->size; k++) ARR_F(big)[k] = 7.0;
  v_decref(v_obj(&big->hdr));
  Array *z = arr_zeros(I, DT_FLOAT, 1, SH(1 << 18));
  for (int64_t k = 0; k < z->size; k++) cr_assert_eq(ARR_F(z)[k], 0.0);
  v_decref(v_obj(&z->hdr));
}

Test(array, impossible_sizes_are_memory_errors) {
  Array *a = arr_alloc(I, DT_FLOAT, 1, SH(1000000000000LL));
  cr_assert(a == NULL);
  cr_assert_eq(I->err.kind, E_MEMORY);
  cr_assert(strstr(I->err.msg, "(1000000000000,)") != NULL, "%s", I->err.msg);
  jx_err_clear(I);
  a = arr_zeros(I, DT_FLOAT, 2, SH(1000000, 1000000));
  cr_assert(a == NULL);
  cr_assert_eq(I->err.kind, E_MEMORY);
  jx_err_clear(I);
  /* overflowing products */
  a = arr_alloc(I, DT_INT, 3, SH(1LL << 40, 1LL << 40, 1LL << 40));
  cr_assert(a == NULL);
  cr_assert_eq(I->err.kind, E_MEMORY);
  jx_err_clear(I);
  /* overflow with a zero dim is still size 0 */
  a = arr_alloc(I, DT_INT, 3, SH(1LL << 40, 1LL << 40, 0));
  cr_assert(a != NULL);
  cr_assert_eq(a->size, 0);
  v_decref(v_obj(&a->hdr));
}

Test(array, bad_shapes) {
  Array *a = arr_alloc(I, DT_FLOAT, 2, SH(3, -1));
  cr_assert(a == NULL);
  cr_assert_eq(I->err.kind, E_VALUE);
  cr_assert(strstr(I->err.msg, "negative") != NULL);
  jx_err_clear(I);
  int64_t sh[JX_MAXDIM + 1];
  for (int k = 0; k <= JX_MAXDIM; k++) sh[k] = 1;
  a = arr_alloc(I, DT_FLOAT, JX_MAXDIM + 1, sh);
  cr_assert(a == NULL);
  cr_assert_eq(I->err.kind, E_SHAPE);
  jx_err_clear(I);
  int64_t s;
  cr_assert_eq(shape_size(I, 2, SH(3, 4), &s), 0);
  cr_assert_eq(s, 12);
  cr_assert_eq(shape_size(I, 0, NULL, &s), 0);
  cr_assert_eq(s, 1);
  cr_assert_eq(shape_size(I, 2, SH(INT64_MAX, 2), &s), -1);
  cr_assert_eq(I->err.kind, E_MEMORY);
  jx_err_clear(I);
}

Test(array, out_of_memory_is_clean) {
  jx_fail_after(1);
  Array *a = arr_alloc(I, DT_FLOAT, 1, SH(10));
  jx_fail_after(0);
  cr_assert(a == NULL);
  cr_assert_eq(I->err.kind, E_MEMORY);
  jx_err_clear(I);
}

Test(array, normalize_and_from_value) {
  Array *a = arr_alloc(I, DT_FLOAT, 0, NULL);
  ARR_F(a)[0] = 2.5;
  Value v = arr_normalize(I, a);
  cr_assert_eq(v.tag, T_FLOAT);
  cr_assert_eq(v.u.f, 2.5);
  Array *b = arr_alloc(I, DT_BOOL, 0, NULL);
  ARR_B(b)[0] = 1;
  v = arr_normalize(I, b);
  cr_assert_eq(v.tag, T_BOOL);
  cr_assert_eq(v.u.i, 1);
  cr_assert(IS_EXC(arr_normalize(I, NULL)));
  Array *c = arr_from_value(I, v_int(7));
  cr_assert_eq(c->ndim, 0);
  cr_assert_eq(c->dtype, DT_INT);
  cr_assert_eq(ARR_I(c)[0], 7);
  v_decref(v_obj(&c->hdr));
  Value x = iotaf(1, SH(3), 1, 0);
  Array *d = arr_from_value(I, x);
  cr_assert_eq((void *)d, (void *)AS_ARRAY(x));
  cr_assert_eq(d->hdr.rc, 2);
  v_decref(v_obj(&d->hdr));
  drop(x);
  Value s = str_from(I, "a");
  cr_assert(arr_from_value(I, s) == NULL);
  cr_assert_eq(I->err.kind, E_TYPE);
  jx_err_clear(I);
  drop(s);
}

Test(array, astype) {
  Value x = mkf(1, SH(6), DV(1.7, -1.7, 0.0, NAN, 1e300, -0.0));
  CHECK(arr_astype(I, x, DT_INT), DT_INT, 1, SH(6), 1, -1, 0, (double)INT64_MIN,
        (double)INT64_MIN, 0);
  CHECK(arr_astype(I, x, DT_BOOL), DT_BOOL, 1, SH(6), 1, 1, 0, 1, 1, 0);
  Value y = arr_astype(I, x, DT_FLOAT);
  cr_assert_eq(y.u.o, x.u.o, "same dtype: no copy");
  drop(y);
  drop(x);
  Value s = arr_astype(I, v_int(3), DT_FLOAT);
  cr_assert_eq(s.tag, T_FLOAT);
  cr_assert_eq(s.u.f, 3.0);
  s = arr_astype(I, v_float(-2.9), DT_INT);
  cr_assert_eq(s.tag, T_INT);
  cr_assert_eq(s.u.i, -2);
  s = arr_astype(I, v_float(0.5), DT_BOOL);
  cr_assert_eq(s.tag, T_BOOL);
  cr_assert_eq(s.u.i, 1);
  Value b = mkb(1, SH(3), IV(1, 0, 1));
  CHECK(arr_astype(I, b, DT_FLOAT), DT_FLOAT, 1, SH(3), 1, 0, 1);
  CHECK(arr_astype(I, b, DT_INT), DT_INT, 1, SH(3), 1, 0, 1);
  drop(b);
  EXPECT_ERR(arr_astype(I, v_none(), DT_INT), E_TYPE, NULL);
}

Test(array, get_elements) {
  Value x = mki(1, SH(3), IV(4, -5, 6));
  cr_assert_eq(arr_get_f(AS_ARRAY(x), 1), -5.0);
  cr_assert_eq(arr_get_i(AS_ARRAY(x), 2), 6);
  drop(x);
  Value f = mkf(1, SH(2), DV(2.75, -1.5));
  cr_assert_eq(arr_get_i(AS_ARRAY(f), 0), 2);
  cr_assert_eq(arr_get_f(AS_ARRAY(f), 1), -1.5);
  drop(f);
}

/* tuple of owned items */
static Value tup(int n, ...) {
  va_list ap;
  va_start(ap, n);
  Value t = tuple_new(I, n);
  for (int k = 0; k < n; k++) AS_TUPLE(t)->items[k] = va_arg(ap, Value);
  va_end(ap);
  return t;
}

Test(array, nested_literals) {
  Value t = tup(2, tup(2, v_int(1), v_int(2)), tup(2, v_int(3), v_int(4)));
  CHECK(arr_from_nested(I, t, -1), DT_INT, 2, SH(2, 2), 1, 2, 3, 4);
  CHECK(arr_from_nested(I, t, DT_FLOAT), DT_FLOAT, 2, SH(2, 2), 1, 2, 3, 4);
  drop(t);
  t = tup(3, v_int(1), v_float(2.5), v_bool(true));
  CHECK(arr_from_nested(I, t, -1), DT_FLOAT, 1, SH(3), 1, 2.5, 1);
  drop(t);
  t = tup(2, v_bool(true), v_bool(false));
  CHECK(arr_from_nested(I, t, -1), DT_BOOL, 1, SH(2), 1, 0);
  drop(t);
  /* arrays as leaves */
  t = tup(2, mkf(1, SH(2), DV(1, 2)), mki(1, SH(2), IV(3, 4)));
  CHECK(arr_from_nested(I, t, -1), DT_FLOAT, 2, SH(2, 2), 1, 2, 3, 4);
  drop(t);
  /* empty */
  t = tuple_new(I, 0);
  CHECK(arr_from_nested(I, t, -1), DT_FLOAT, 1, SH(0), 0);
  drop(t);
  t = tup(2, tuple_new(I, 0), tuple_new(I, 0));
  CHECK(arr_from_nested(I, t, -1), DT_FLOAT, 2, SH(2, 0), 0);
  drop(t);
  /* a scalar stays a scalar */
  Value s = arr_from_nested(I, v_int(5), DT_FLOAT);
  cr_assert_eq(s.tag, T_FLOAT);
  cr_assert_eq(s.u.f, 5.0);
  /* 3-d */
  t = tup(2, tup(1, tup(2, v_int(1), v_int(2))), tup(1, tup(2, v_int(3), v_int(4))));
  CHECK(arr_from_nested(I, t, -1), DT_INT, 3, SH(2, 1, 2), 1, 2, 3, 4);
  drop(t);
}

Test(array, ragged_literals) {
  Value t = tup(2, tup(2, v_int(1), v_int(2)), tup(3, v_int(3), v_int(4), v_int(5)));
  EXPECT_ERR(arr_from_nested(I, t, -1), E_VALUE, "ragged");
  drop(t);
  t = tup(2, tup(2, v_int(1), v_int(2)), v_int(3));
  EXPECT_ERR(arr_from_nested(I, t, -1), E_VALUE, "ragged");
  drop(t);
  t = tup(2, v_int(3), tup(2, v_int(1), v_int(2)));
  EXPECT_ERR(arr_from_nested(I, t, -1), E_VALUE, "ragged");
  drop(t);
  t = tup(2, mkf(1, SH(2), DV(1, 2)), mkf(1, SH(3), DV(1, 2, 3)));
  EXPECT_ERR(arr_from_nested(I, t, -1), E_VALUE, "ragged");
  drop(t);
  t = tup(2, v_int(1), str_from(I, "x"));
  EXPECT_ERR(arr_from_nested(I, t, -1), E_TYPE, "string");
  drop(t);
  t = tup(1, v_none());
  EXPECT_ERR(arr_from_nested(I, t, -1), E_TYPE, NULL);
  drop(t);
}

Test(array, views_keep_base_alive) {
  Value x = iotaf(2, SH(3, 4), 1, 0);
  Params p = PARAMS_INIT;
  p.n = 1;
  p.a[0] = 12;
  Value r = OK(p1(P_reshape, x, &p));
  cr_assert_eq(AS_ARRAY(r)->base, AS_ARRAY(x));
  cr_assert_eq(AS_ARRAY(r)->data, AS_ARRAY(x)->data);
  drop(x); /* the view holds the buffer */
  cr_assert_eq(ARR_F(AS_ARRAY(r))[11], 11.0);
  drop(r);
}
