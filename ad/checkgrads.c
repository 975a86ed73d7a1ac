/* checkgrads.c — check_grads: automatic derivatives against central finite
 * differences, in forward and reverse mode, to any order (after JAX's
 * jax.test_util.check_grads: the JVP is compared with a numerical JVP along
 * a random direction; the VJP through ⟨ct, J v⟩ = ⟨Jᵀ ct, v⟩; order n
 * recurses on the derivative functions). */
#include "transforms.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  double eps, atol, rtol;
  uint64_t rng;
  bool fwd, rev;
} CG;

static bool is_num(Value v) { return is_numeric(v) || v.tag == T_TRACER; }

static double rnd_normal(CG *c) {
  /* splitmix64 + Box-Muller: deterministic directions */
  double u[2];
  for (int i = 0; i < 2; i++) {
    uint64_t z = (c->rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    u[i] = ((double)(z >> 11) + 0.5) / 9007199254740992.0;
  }
  return sqrt(-2.0 * log(u[0])) * cos(6.283185307179586 * u[1]);
}

static Value rand_like_leaf(Interp *I, Value leaf, void *ctx) {
  CG *c = ctx;
  if (!is_num(leaf)) return v_incref(leaf);
  Aval av;
  if (val_aval(I, leaf, &av) < 0) return v_exc();
  if (av.dtype != DT_FLOAT) return A_zeros_like(I, leaf);
  if (av.ndim == 0) return v_float(rnd_normal(c));
  Array *a = arr_alloc(I, DT_FLOAT, av.ndim, av.shape);
  if (!a) return v_exc();
  for (int64_t i = 0; i < a->size; i++) ARR_F(a)[i] = rnd_normal(c);
  return arr_normalize(I, a);
}

/* a + s * b over two trees of the same structure */
static Value tree_axpy(Interp *I, Value a, double s, Value b) {
  VVec al = {0}, bl = {0};
  Value r = v_exc();
  if (tree_flatten(I, a, &al) < 0 || tree_flatten(I, b, &bl) < 0 || al.n != bl.n) {
    if (!I->err.kind) jx_raise(I, E_VALUE, "check_grads: structure mismatch");
    goto done;
  }
  for (int64_t i = 0; i < al.n; i++) {
    if (!is_num(al.v[i])) continue;
    Value sb = A_mul(I, v_float(s), bl.v[i]);
    Value x = A_add(I, al.v[i], sb);
    v_decref(sb);
    if (IS_EXC(x)) goto done;
    v_decref(al.v[i]);
    al.v[i] = x;
  }
  {
    int64_t pos = 0;
    r = tree_unflatten(I, a, al.v, al.n, &pos);
  }
done:
  vvec_free(&al);
  vvec_free(&bl);
  return r;
}

/* sum over leaves of vdot(a, b) as a double (concrete values only) */
static int tree_vdot(Interp *I, Value a, Value b, double *out) {
  VVec al = {0}, bl = {0};
  int rc = -1;
  *out = 0;
  if (tree_flatten(I, a, &al) < 0 || tree_flatten(I, b, &bl) < 0) goto done;
  if (al.n != bl.n) {
    jx_raise(I, E_VALUE, "check_grads: structure mismatch");
    goto done;
  }
  for (int64_t i = 0; i < al.n; i++) {
    if (!is_num(al.v[i]) || !is_num(bl.v[i])) continue;
    Value p = A_mul(I, al.v[i], bl.v[i]);
    Value s = A_sum_all(I, p);
    v_decref(p);
    if (IS_EXC(s)) goto done;
    Value c = ad_primal(s);
    if (c.tag == T_FLOAT) *out += c.u.f;
    else if (c.tag == T_INT || c.tag == T_BOOL) *out += (double)c.u.i;
    else {
      v_decref(s);
      jx_raise(I, E_TYPE, "check_grads needs concrete values (it cannot run inside a transformation)");
      goto done;
    }
    v_decref(s);
  }
  rc = 0;
done:
  vvec_free(&al);
  vvec_free(&bl);
  return rc;
}

/* assert_allclose over trees; AssertionError naming the worst element */
static int tree_close_l(Interp *I, Value got, Value want, CG *c, const char *what, const char *lg,
                        const char *lw) {
  VVec gl = {0}, wl = {0};
  int rc = -1;
  if (tree_flatten(I, got, &gl) < 0 || tree_flatten(I, want, &wl) < 0) goto done;
  if (gl.n != wl.n) {
    jx_raise(I, E_ASSERTION, "check_grads: %s: outputs have different structures", what);
    goto done;
  }
  double worst = 0, wg = 0, ww = 0;
  int64_t wleaf = -1, widx = -1;
  for (int64_t i = 0; i < gl.n; i++) {
    if (!is_num(gl.v[i]) || !is_num(wl.v[i])) continue;
    Value g = ad_primal(gl.v[i]), w = ad_primal(wl.v[i]);
    if (g.tag == T_TRACER || w.tag == T_TRACER) {
      jx_raise(I, E_TYPE, "check_grads needs concrete values (it cannot run inside a transformation)");
      goto done;
    }
    Array *ga = arr_from_value(I, g), *wa = arr_from_value(I, w);
    bool same = ga && wa && ga->ndim == wa->ndim &&
                !memcmp(ga->shape, wa->shape, sizeof(int64_t) * (size_t)ga->ndim);
    if (!same && ga && wa && wa->size == 1) same = true; /* compare with a scalar */
    if (!ga || !wa || !same) {
      if (ga) v_decref(v_obj(&ga->hdr));
      if (wa) v_decref(v_obj(&wa->hdr));
      if (!I->err.kind) jx_raise(I, E_ASSERTION, "check_grads: %s: shapes differ", what);
      goto done;
    }
    for (int64_t k = 0; k < ga->size; k++) {
      double x = arr_get_f(ga, k), y = arr_get_f(wa, wa->size == 1 ? 0 : k);
      double excess;
      if (isnan(x) || isnan(y)) excess = (isnan(x) && isnan(y)) ? 0 : INFINITY;
      else if (isinf(x) || isinf(y)) excess = x == y ? 0 : INFINITY;
      else excess = fabs(x - y) - (c->atol + c->rtol * fabs(y));
      if (excess > worst) {
        worst = excess;
        wg = x;
        ww = y;
        wleaf = i;
        widx = k;
      }
    }
    v_decref(v_obj(&ga->hdr));
    v_decref(v_obj(&wa->hdr));
  }
  if (worst > 0) {
    jx_raise(I, E_ASSERTION,
             "%s mismatch: %s %.10g vs %s %.10g "
             "(leaf %lld, element %lld; |diff| = %.3g > atol %.3g + rtol %.3g * |%s|)",
             what, lg, wg, lw, ww, (long long)wleaf, (long long)widx, fabs(wg - ww), c->atol,
             c->rtol, lw);
    goto done;
  }
  rc = 0;
done:
  vvec_free(&gl);
  vvec_free(&wl);
  return rc;
}

static Value call_t(Interp *I, Value f, Value args) {
  return jx_call(I, f, (int)AS_TUPLE(args)->n, AS_TUPLE(args)->items, 0, NULL, NULL);
}

static int tree_close(Interp *I, Value got, Value want, CG *c, const char *what) {
  char w[300];
  snprintf(w, sizeof w, "check_grads: %s", what);
  return tree_close_l(I, got, want, c, w, "automatic", "numerical");
}

/* numerical JVP: (f(x + eps v) - f(x - eps v)) / (2 eps) */
static Value num_jvp(Interp *I, Value f, Value args, Value v, CG *c) {
  Value xp = tree_axpy(I, args, c->eps, v);
  Value xm = IS_EXC(xp) ? xp : tree_axpy(I, args, -c->eps, v);
  Value fp = IS_EXC(xm) ? v_exc() : call_t(I, f, xp);
  Value fm = IS_EXC(fp) ? v_exc() : call_t(I, f, xm);
  Value r = v_exc();
  if (!IS_EXC(fm)) {
    Value d = tree_axpy(I, fp, -1.0, fm);
    if (!IS_EXC(d)) {
      Value z = tree_axpy(I, d, 0.5 / c->eps - 1.0, d); /* d * (0.5/eps) */
      r = z;
      v_decref(d);
    }
  }
  v_decref(xp);
  v_decref(xm);
  v_decref(fp);
  v_decref(fm);
  return r;
}

static int check_jvp(Interp *I, Value f, Value args, CG *c, const char *what) {
  Value v = tree_map_c(I, args, rand_like_leaf, c);
  if (IS_EXC(v)) return -1;
  Value ad = tf_jvp(I, f, args, v);
  Value num = IS_EXC(ad) ? v_exc() : num_jvp(I, f, args, v, c);
  int rc = -1;
  if (!IS_EXC(num)) rc = tree_close(I, AS_TUPLE(ad)->items[1], num, c, what);
  v_decref(v);
  v_decref(ad);
  v_decref(num);
  return rc;
}

static int check_vjp(Interp *I, Value f, Value args, CG *c, const char *what) {
  Value v = tree_map_c(I, args, rand_like_leaf, c);
  if (IS_EXC(v)) return -1;
  int rc = -1;
  Value num = num_jvp(I, f, args, v, c);
  Value yb = IS_EXC(num) ? v_exc() : tf_vjp(I, f, args);
  Value ct = v_unset(), back = v_unset();
  if (IS_EXC(yb)) goto done;
  ct = tree_map_c(I, AS_TUPLE(yb)->items[0], rand_like_leaf, c);
  if (IS_EXC(ct)) goto done;
  back = jx_call(I, AS_TUPLE(yb)->items[1], 1, &ct, 0, NULL, NULL);
  if (IS_EXC(back)) goto done;
  double ip, ip_exp;
  if (tree_vdot(I, num, ct, &ip) < 0 || tree_vdot(I, back, v, &ip_exp) < 0) goto done;
  Value a = v_float(ip_exp), b = v_float(ip);
  rc = tree_close(I, a, b, c, what);
done:
  v_decref(v);
  v_decref(num);
  v_decref(yb);
  v_decref(ct);
  v_decref(back);
  return rc;
}

/* the derivative functions used for higher orders */
static Value jvp_fn_apply(Interp *I, Value *args, int nargs, Value self) {
  /* g(primals, tangents) = jvp(f, primals, tangents) */
  Tuple *a = AS_TUPLE(args[0]);
  if (a->n != 2) return jx_raise(I, E_TYPE, "internal: jvp_fn takes (primals, tangents)");
  return tf_jvp(I, AS_CFUNC(self)->data, a->items[0], a->items[1]);
}
static const BuiltinDef jvp_fn_def = {"jvp_of", jvp_fn_apply, "*args", NULL};

static Value vjp_fn2_apply(Interp *I, Value *args, int nargs, Value self) {
  /* h(*args) = vjp(f, *args)[1](f(*args)) */
  Value yb = tf_vjp(I, AS_CFUNC(self)->data, args[0]);
  if (IS_EXC(yb)) return yb;
  Value r = jx_call(I, AS_TUPLE(yb)->items[1], 1, &AS_TUPLE(yb)->items[0], 0, NULL, NULL);
  v_decref(yb);
  return r;
}
static const BuiltinDef vjp_fn2_def = {"vjp_of", vjp_fn2_apply, "*args", NULL};

static int check_rec(Interp *I, Value f, Value args, int order, CG *c, const char *what) {
  char msg[256];
  if (c->fwd) {
    snprintf(msg, sizeof msg, "%s%sJVP", what, *what ? " of " : "");
    if (check_jvp(I, f, args, c, msg) < 0) return -1;
    if (order > 1) {
      Value g = cfunc_new(I, &jvp_fn_def, f);
      Value aa[2] = {args, args};
      Value a2 = IS_EXC(g) ? g : tuple_of(I, 2, aa);
      int r = IS_EXC(a2) ? -1 : check_rec(I, g, a2, order - 1, c, msg);
      v_decref(g);
      v_decref(a2);
      if (r < 0) return -1;
    }
  }
  if (c->rev) {
    snprintf(msg, sizeof msg, "%s%sVJP", what, *what ? " of " : "");
    if (check_vjp(I, f, args, c, msg) < 0) return -1;
    if (order > 1) {
      Value h = cfunc_new(I, &vjp_fn2_def, f);
      int r = IS_EXC(h) ? -1 : check_rec(I, h, args, order - 1, c, msg);
      v_decref(h);
      if (r < 0) return -1;
    }
  }
  return 0;
}

Value bi_check_grads(Interp *I, Value *args, int nargs, Value self) {
  Value f = args[0], a = args[1];
  CG c = {1e-4, 1e-5, 1e-5, 0x1234ABCDull, true, true};
  int64_t order = 1;
  if (a.tag != T_TUPLE) return jx_raise(I, E_TYPE, "check_grads: args must be a tuple, e.g. (x,)");
  if (args[2].tag != T_UNSET && arg_int(I, args[2], "check_grads", "order", &order) < 0) return v_exc();
  if (order < 1 || order > 4) return jx_raise(I, E_VALUE, "check_grads: order must be 1 to 4");
  if (args[3].tag != T_UNSET && args[3].tag != T_NONE) {
    Value m = args[3];
    c.fwd = c.rev = false;
    int64_t n = m.tag == T_TUPLE ? AS_TUPLE(m)->n : 1;
    for (int64_t i = 0; i < n; i++) {
      Value s = m.tag == T_TUPLE ? AS_TUPLE(m)->items[i] : m;
      if (s.tag != T_STR) return jx_raise(I, E_TYPE, "check_grads: modes must be strings \"fwd\"/\"rev\"");
      if (!strcmp(AS_STR(s)->s, "fwd")) c.fwd = true;
      else if (!strcmp(AS_STR(s)->s, "rev")) c.rev = true;
      else return jx_raise(I, E_VALUE, "check_grads: unknown mode '%s' (use \"fwd\" or \"rev\")", AS_STR(s)->s);
    }
  }
  if (args[4].tag != T_UNSET && args[4].tag != T_NONE && arg_float(I, args[4], "check_grads", "eps", &c.eps) < 0) return v_exc();
  if (args[5].tag != T_UNSET && args[5].tag != T_NONE && arg_float(I, args[5], "check_grads", "atol", &c.atol) < 0) return v_exc();
  if (args[6].tag != T_UNSET && args[6].tag != T_NONE && arg_float(I, args[6], "check_grads", "rtol", &c.rtol) < 0) return v_exc();
  if (check_rec(I, f, a, (int)order, &c, "") < 0) return v_exc();
  return v_none();
}

/* assert_close(a, b, rtol=1e-7, atol=0): numpy's assert_allclose over pytrees */
Value bi_assert_close(Interp *I, Value *args, int nargs, Value self) {
  CG c = {0, 0, 1e-7, 0, false, false};
  if (args[2].tag != T_UNSET && arg_float(I, args[2], "assert_close", "rtol", &c.rtol) < 0) return v_exc();
  if (args[3].tag != T_UNSET && arg_float(I, args[3], "assert_close", "atol", &c.atol) < 0) return v_exc();
  if (!tree_same_structure(args[0], args[1]))
    return jx_raise(I, E_ASSERTION, "assert_close: the two values have different structures");
  if (tree_close_l(I, args[0], args[1], &c, "assert_close", "got", "expected") < 0) return v_exc();
  return v_none();
}
