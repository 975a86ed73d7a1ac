/* jaxpr.c — printing a staged program in JAX's jaxpr style, and
 * make_jaxpr. */
#include "stage.h"

#include <string.h>

static void var_name(int64_t k, char *buf) {
  /* a..z, ba..bz, ca.. (JAX's alphabetic encoding) */
  char tmp[32];
  int n = 0;
  do {
    tmp[n++] = (char)('a' + k % 26);
    k /= 26;
  } while (k > 0);
  for (int i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
  buf[n] = 0;
}

static void print_type(const Aval *a, StrBuf *sb) {
  char b[256];
  aval_str(a, b, sizeof b);
  sb_puts(sb, b);
}

static void print_ints(StrBuf *sb, int n, const int64_t *v) {
  sb_putc(sb, '(');
  for (int i = 0; i < n; i++) sb_printf(sb, "%s%lld", i ? ", " : "", (long long)v[i]);
  if (n == 1) sb_putc(sb, ',');
  sb_putc(sb, ')');
}

static void print_params(PrimId id, const Params *p, StrBuf *sb) {
  if (!p) return;
  switch (id) {
  case P_reduce_sum: case P_reduce_max: case P_reduce_min: case P_reduce_prod:
  case P_reduce_and: case P_reduce_or:
    sb_puts(sb, "[axes=");
    print_ints(sb, p->n, p->a);
    sb_putc(sb, ']');
    break;
  case P_argmax: case P_argmin: case P_cumsum:
    sb_printf(sb, "[axis=%lld]", (long long)p->i0);
    break;
  case P_broadcast_in_dim:
    sb_puts(sb, "[broadcast_dimensions=");
    print_ints(sb, p->m, p->b);
    sb_puts(sb, " shape=");
    print_ints(sb, p->n, p->a);
    sb_putc(sb, ']');
    break;
  case P_reshape:
    sb_puts(sb, "[new_sizes=");
    print_ints(sb, p->n, p->a);
    sb_putc(sb, ']');
    break;
  case P_transpose:
    sb_puts(sb, "[permutation=");
    print_ints(sb, p->n, p->a);
    sb_putc(sb, ']');
    break;
  case P_rev:
    sb_puts(sb, "[dimensions=");
    print_ints(sb, p->n, p->a);
    sb_putc(sb, ']');
    break;
  case P_slice:
    sb_puts(sb, "[start_indices=");
    print_ints(sb, p->n, p->a);
    sb_puts(sb, " limit_indices=");
    print_ints(sb, p->n, p->b);
    sb_puts(sb, " strides=");
    print_ints(sb, p->n, p->c);
    sb_putc(sb, ']');
    break;
  case P_pad:
    sb_puts(sb, "[low=");
    print_ints(sb, p->n, p->a);
    sb_puts(sb, " high=");
    print_ints(sb, p->n, p->b);
    sb_puts(sb, " interior=");
    print_ints(sb, p->n, p->c);
    sb_putc(sb, ']');
    break;
  case P_concatenate: case P_gather: case P_scatter: case P_scatter_add:
    sb_printf(sb, "[axis=%lld]", (long long)p->i0);
    break;
  case P_convert:
    sb_printf(sb, "[new_dtype=%s]", p->i0 == DT_FLOAT ? "f64" : p->i0 == DT_INT ? "i64" : "bool");
    break;
  case P_integer_pow:
    sb_printf(sb, "[y=%lld]", (long long)p->i0);
    break;
  case P_dot_general:
    sb_puts(sb, "[dimension_numbers=((");
    print_ints(sb, p->n, p->a);
    sb_puts(sb, ", ");
    print_ints(sb, p->m, p->b);
    sb_puts(sb, "), (");
    print_ints(sb, p->k, p->c);
    sb_puts(sb, ", ");
    print_ints(sb, p->k, p->d);
    sb_puts(sb, "))]");
    break;
  case P_rng_bits: case P_rng_normal: case P_rng_uniform:
    sb_puts(sb, "[shape=");
    print_ints(sb, p->n, p->a);
    sb_putc(sb, ']');
    break;
  case P_rng_split:
    sb_printf(sb, "[num=%lld]", (long long)p->i0);
    break;
  default:
    break;
  }
}

/* scalar constants print inline; others become constvars */
static bool inline_const(Value v) { return v.tag == T_FLOAT || v.tag == T_INT || v.tag == T_BOOL; }

void jaxpr_print(Interp *I, Stage *s, StrBuf *sb) {
  int64_t *cname = jx_calloc(I, (size_t)(s->nconsts + 1), sizeof(int64_t));
  int64_t *vname = jx_calloc(I, (size_t)(s->nvars + 1), sizeof(int64_t));
  if (!cname || !vname) {
    jx_free(cname);
    jx_free(vname);
    sb_puts(sb, "<jaxpr>");
    return;
  }
  int64_t next = 0;
  char nb[32];
  sb_puts(sb, "{ lambda ");
  bool first = true;
  for (int64_t k = 0; k < s->nconsts; k++) {
    if (inline_const(s->consts[k])) continue;
    cname[k] = next++;
    var_name(cname[k], nb);
    Aval av;
    if (val_aval(I, s->consts[k], &av) < 0) {
      jx_err_clear(I);
      memset(&av, 0, sizeof av);
    }
    sb_printf(sb, "%s%s:", first ? "" : " ", nb);
    print_type(&av, sb);
    first = false;
  }
  sb_puts(sb, "; ");
  for (int i = 0; i < s->ninvars; i++) {
    vname[s->invars[i]] = next++;
    var_name(vname[s->invars[i]], nb);
    sb_printf(sb, "%s%s:", i ? " " : "", nb);
    print_type(&s->vars[s->invars[i]], sb);
  }
  sb_puts(sb, ". let");
  bool multi = s->neqns > 1;
  for (int64_t e = 0; e < s->neqns; e++) multi |= s->eqns[e].prim == P_WHILE;
  for (int64_t e = 0; e < s->neqns; e++) {
    Eqn *q = &s->eqns[e];
    sb_puts(sb, multi ? "\n    " : " ");
    for (int k = 0; k < q->nout; k++) {
      vname[q->out + k] = next++;
      var_name(vname[q->out + k], nb);
      sb_printf(sb, "%s%s:", k ? " " : "", nb);
      print_type(&s->vars[q->out + k], sb);
    }
    if (q->prim == P_WHILE) {
      sb_puts(sb, " = while[cond_jaxpr=");
      jaxpr_print(I, q->sub[0], sb);
      sb_puts(sb, " body_jaxpr=");
      jaxpr_print(I, q->sub[1], sb);
      sb_putc(sb, ']');
    } else {
      sb_printf(sb, " = %s", jx_prims[q->prim].name);
      print_params(q->prim, q->p, sb);
    }
    for (int j = 0; j < q->nin; j++) {
      int64_t a = q->in[j];
      sb_putc(sb, ' ');
      if (a >= 0) {
        var_name(vname[a], nb);
        sb_puts(sb, nb);
      } else if (inline_const(s->consts[-a - 1])) {
        jx_repr(I, s->consts[-a - 1], sb);
      } else {
        var_name(cname[-a - 1], nb);
        sb_puts(sb, nb);
      }
    }
  }
  sb_puts(sb, multi ? "\n  in (" : " in (");
  for (int i = 0; i < s->nouts; i++) {
    int64_t a = s->outs[i];
    if (i) sb_puts(sb, ", ");
    if (a >= 0) {
      var_name(vname[a], nb);
      sb_puts(sb, nb);
    } else if (inline_const(s->consts[-a - 1])) {
      jx_repr(I, s->consts[-a - 1], sb);
    } else {
      var_name(cname[-a - 1], nb);
      sb_puts(sb, nb);
    }
  }
  if (s->nouts == 1) sb_putc(sb, ',');
  sb_puts(sb, ") }");
  jx_free(cname);
  jx_free(vname);
}

/* A native if/while on a traced condition stages its per-lane masks
 * whether or not a later select reads them: make_jaxpr drops those that
 * repeat or go unread, here and in the loops' sub-programs. */
static int prune_masks(Interp *I, Stage *s) {
  for (int64_t e = 0; e < s->neqns; e++)
    for (int k = 0; k < 2; k++)
      if (s->eqns[e].prim == P_WHILE && s->eqns[e].sub[k] && prune_masks(I, s->eqns[e].sub[k]) < 0)
        return -1;
  return stage_optimize_masks(I, s);
}

/* ---- the Jaxpr value ---- */
typedef struct {
  GenObj g;
  Stage *s;
} JaxprObj;

static void jaxpr_free(Obj *o) {
  stage_release(((JaxprObj *)o)->s);
  jx_free(o);
}
static void jaxpr_repr(Interp *I, Obj *o, StrBuf *sb) { jaxpr_print(I, ((JaxprObj *)o)->s, sb); }

static Value jaxpr_getattr(Interp *I, Obj *o, const char *name) {
  Stage *s = ((JaxprObj *)o)->s;
  if (!strcmp(name, "eqns")) return v_int(s->neqns);
  return v_unset();
}
static const ObjOps jaxpr_ops = {"jaxpr", jaxpr_free, jaxpr_repr, jaxpr_getattr, NULL, NULL};

static Value make_jaxpr_apply(Interp *I, Value *args, int nargs, Value self) {
  Value f = AS_CFUNC(self)->data;
  Stage *s = stage_trace(I, f, args[0], NULL);
  if (!s) return v_exc();
  if (prune_masks(I, s) < 0) {
    stage_release(s);
    return v_exc();
  }
  JaxprObj *j = obj_new(I, T_OBJ, sizeof(JaxprObj));
  if (!j) {
    stage_release(s);
    return v_exc();
  }
  j->g.ops = &jaxpr_ops;
  j->s = s;
  return v_obj(&j->g.hdr);
}
static const BuiltinDef make_jaxpr_fn_def = {"make_jaxpr", make_jaxpr_apply, "*args", NULL};

Value bi_make_jaxpr(Interp *I, Value *args, int nargs, Value self) {
  Value f = args[0];
  if (f.tag != T_FUNC && f.tag != T_CFUNC && f.tag != T_OBJ)
    return jx_raise(I, E_TYPE, "make_jaxpr: expected a function, got %s", type_name(f));
  return tf_closure(I, &make_jaxpr_fn_def, f, "make_jaxpr", f);
}
