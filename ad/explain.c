/* explain.c — seeing the machinery: explain(f)(x) and graph(f)(x), and the
 * table of teaching builtins (teach_builtins, see stdlib/teach.h).
 *
 * explain(f)(*args) traces f into a staged program (the one make_jaxpr
 * shows), evaluates it equation by equation printing each primitive with
 * its values, and returns f(*args).  explain(grad(f))(*args) (also
 * value_and_grad) then runs the reverse pass by hand: it seeds the output's
 * cotangent with 1.0 and walks the equations backwards, applying each
 * primitive's VJP rule (the same rules grad uses) and printing the
 * cotangents as they accumulate; it returns the gradient.
 *
 * graph(f)(*args) returns the traced program as Graphviz DOT text; with a
 * file name it writes the text (.dot/.gv) or renders it with `dot`
 * (.svg/.png/.pdf). */
#include "stage.h"
#include "../stdlib/teach.h"

#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* ------------------------------------------------------------------ */
/* small text helpers                                                   */

/* display width of UTF-8 text (code points; all ours are single-width) */
static size_t u8_width(const char *s, size_t n) {
  size_t w = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80) w++;
  return w;
}

static void pad_to(StrBuf *sb, size_t line_start, size_t col) {
  size_t w = u8_width(sb->s ? sb->s + line_start : "", sb->len - line_start);
  do {
    sb_putc(sb, ' ');
    w++;
  } while (w < col);
}

static void var_name(int64_t k, char *buf) {
  /* a..z, ba..bz, ca.. — the jaxpr printer's names */
  char tmp[32];
  int n = 0;
  do {
    tmp[n++] = (char)('a' + k % 26);
    k /= 26;
  } while (k > 0);
  for (int i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
  buf[n] = 0;
}

/* a number, short: the shortest repr when it is short, else 6 digits */
static void fmt_num(double d, StrBuf *sb) {
  StrBuf t;
  sb_init(&t);
  fmt_float(d, &t);
  if (t.s && t.len <= 10)
    sb_puts(sb, t.s);
  else if (isnan(d) || isinf(d))
    sb_puts(sb, t.s ? t.s : "nan");
  else {
    char b[40];
    snprintf(b, sizeof b, "%.6g", d);
    /* keep it visibly a float */
    if (!strpbrk(b, ".eninf")) strcat(b, ".0");
    sb_puts(sb, b);
  }
  sb_free(&t);
}

static void fmt_elem(Array *a, int64_t k, StrBuf *sb) {
  if (a->dtype == DT_FLOAT)
    fmt_num(ARR_F(a)[k], sb);
  else if (a->dtype == DT_INT)
    sb_printf(sb, "%lld", (long long)ARR_I(a)[k]);
  else
    sb_puts(sb, ARR_B(a)[k] ? "True" : "False");
}

/* a value, short: scalars, small arrays in full, larger ones elided */
static void fmt_short(Interp *I, Value v, StrBuf *sb) {
  switch (v.tag) {
  case T_FLOAT: fmt_num(v.u.f, sb); return;
  case T_INT: sb_printf(sb, "%lld", (long long)v.u.i); return;
  case T_BOOL: sb_puts(sb, v.u.i ? "True" : "False"); return;
  case T_UNSET: sb_puts(sb, "0"); return;
  case T_ARRAY: {
    Array *a = AS_ARRAY(v);
    sb_putc(sb, '[');
    if (a->size <= 6) {
      for (int64_t k = 0; k < a->size; k++) {
        if (k) sb_putc(sb, ' ');
        fmt_elem(a, k, sb);
      }
    } else {
      for (int64_t k = 0; k < 3; k++) {
        fmt_elem(a, k, sb);
        sb_putc(sb, ' ');
      }
      sb_puts(sb, "\xe2\x80\xa6 "); /* … */
      fmt_elem(a, a->size - 1, sb);
    }
    sb_putc(sb, ']');
    return;
  }
  default: jx_repr(I, v, sb); return;
  }
}

void teach_fn_name(Interp *I, Value f, StrBuf *sb) {
  if (f.tag == T_CFUNC) {
    CFunc *c = AS_CFUNC(f);
    sb_puts(sb, c->display ? c->display : c->def->name);
    return;
  }
  if (f.tag == T_FUNC) {
    StrBuf r;
    sb_init(&r);
    func_repr(I, f.u.o, &r);
    const char *s = r.s ? r.s : "";
    if (!strncmp(s, "<fn ", 4)) s += 4;
    /* the name ends at the '(' that opens the parameters */
    const char *p = strchr(s, '(');
    const char *q = s;
    size_t n = p ? (size_t)(p - s) : strlen(s);
    /* "<lambda>(x)": the parameters' '(' is the last one anyway */
    sb_putn(sb, q, n);
    sb_free(&r);
    return;
  }
  sb_puts(sb, type_name(f));
}

/* parameter names of a user function, from its repr "<fn f(x, y=1.0)>" */
static int fn_param_names(Interp *I, Value f, char names[][24], int max) {
  if (f.tag != T_FUNC) return 0;
  StrBuf r;
  sb_init(&r);
  func_repr(I, f.u.o, &r);
  int n = 0;
  const char *s = r.s ? r.s : "";
  const char *p = strchr(s, '(');
  if (p) {
    p++;
    while (*p && *p != ')' && n < max) {
      while (*p == ' ' || *p == '*') p++;
      size_t k = strcspn(p, ",=)");
      if (k >= 24) k = 23;
      memcpy(names[n], p, k);
      names[n][k] = 0;
      n++;
      /* skip to the next top-level ',' (defaults may hold brackets) */
      int depth = 0;
      while (*p && !(depth == 0 && (*p == ',' || *p == ')'))) {
        if (*p == '(' || *p == '[' || *p == '{')
          depth++;
        else if (*p == ')' || *p == ']' || *p == '}')
          depth--;
        p++;
      }
      if (*p == ',') p++;
    }
  }
  sb_free(&r);
  return n;
}

/* ------------------------------------------------------------------ */
/* the explained program                                                */

typedef struct {
  Stage *s;
  char (*vn)[12];  /* names of variables */
  char (*cn)[12];  /* names of non-scalar constants ("" for inline ones) */
  char (*lbl)[48]; /* per input variable: what it is ("x", "params['W']") */
  Value *val;      /* per variable: its value (owned; T_UNSET before) */
  Value *ct;       /* per variable: its cotangent (owned; T_UNSET = zero) */
} Ex;

static bool inline_const(Value v) { return v.tag == T_FLOAT || v.tag == T_INT || v.tag == T_BOOL; }

static void ex_free(Ex *x) {
  if (x->val)
    for (int64_t v = 0; v < x->s->nvars; v++) v_decref(x->val[v]);
  if (x->ct)
    for (int64_t v = 0; v < x->s->nvars; v++) v_decref(x->ct[v]);
  jx_free(x->val);
  jx_free(x->ct);
  jx_free(x->vn);
  jx_free(x->cn);
  jx_free(x->lbl);
  if (x->s) stage_release(x->s);
  memset(x, 0, sizeof *x);
}

/* names in the jaxpr printer's order: constants, inputs, equations */
static int ex_init(Interp *I, Ex *x, Stage *s) {
  memset(x, 0, sizeof *x);
  x->s = s;
  size_t nv = (size_t)(s->nvars ? s->nvars : 1), nc = (size_t)(s->nconsts ? s->nconsts : 1);
  x->vn = jx_calloc(I, nv, sizeof *x->vn);
  x->cn = jx_calloc(I, nc, sizeof *x->cn);
  x->lbl = jx_calloc(I, nv, sizeof *x->lbl);
  x->val = jx_calloc(I, nv, sizeof(Value));
  x->ct = jx_calloc(I, nv, sizeof(Value));
  if (!x->vn || !x->cn || !x->lbl || !x->val || !x->ct) return -1;
  for (int64_t v = 0; v < s->nvars; v++) x->val[v] = x->ct[v] = v_unset();
  int64_t next = 0;
  for (int64_t k = 0; k < s->nconsts; k++)
    if (!inline_const(s->consts[k])) var_name(next++, x->cn[k]);
  for (int i = 0; i < s->ninvars; i++) var_name(next++, x->vn[s->invars[i]]);
  for (int64_t e = 0; e < s->neqns; e++) var_name(next++, x->vn[s->eqns[e].out]);
  return 0;
}

static void atom_text(Interp *I, Ex *x, int64_t a, StrBuf *sb) {
  if (a >= 0)
    sb_puts(sb, x->vn[a]);
  else if (inline_const(x->s->consts[-a - 1]))
    jx_repr(I, x->s->consts[-a - 1], sb);
  else
    sb_puts(sb, x->cn[-a - 1]);
}

static Value atom_val(Ex *x, int64_t a) { return a >= 0 ? x->val[a] : x->s->consts[-a - 1]; }

static void ints_text(StrBuf *sb, int n, const int64_t *v) {
  sb_putc(sb, '(');
  for (int i = 0; i < n; i++) sb_printf(sb, "%s%lld", i ? "," : "", (long long)v[i]);
  if (n == 1) sb_putc(sb, ',');
  sb_putc(sb, ')');
}

/* the parameters that matter for reading an equation */
static void params_text(PrimId id, const Params *p, StrBuf *sb) {
  if (!p) return;
  switch (id) {
  case P_integer_pow: sb_printf(sb, "[y=%lld]", (long long)p->i0); break;
  case P_reduce_sum:
  case P_reduce_max:
  case P_reduce_min:
  case P_reduce_prod:
  case P_reduce_and:
  case P_reduce_or:
    sb_puts(sb, "[axes=");
    ints_text(sb, p->n, p->a);
    sb_putc(sb, ']');
    break;
  case P_argmax:
  case P_argmin:
  case P_cumsum:
  case P_concatenate:
  case P_gather:
  case P_scatter:
  case P_scatter_add: sb_printf(sb, "[axis=%lld]", (long long)p->i0); break;
  case P_broadcast_in_dim:
  case P_reshape:
    sb_puts(sb, "[shape=");
    ints_text(sb, p->n, p->a);
    sb_putc(sb, ']');
    break;
  case P_transpose:
    sb_puts(sb, "[permutation=");
    ints_text(sb, p->n, p->a);
    sb_putc(sb, ']');
    break;
  case P_convert:
    sb_printf(sb, "[%s]", p->i0 == DT_FLOAT ? "f64" : p->i0 == DT_INT ? "i64" : "bool");
    break;
  case P_dot_general:
    sb_puts(sb, "[contract=");
    ints_text(sb, p->n, p->a);
    ints_text(sb, p->m, p->b);
    sb_putc(sb, ']');
    break;
  default: break;
  }
}

/* "b:f64[] = sin a" (typed) or "b = sin a" */
static void eqn_text(Interp *I, Ex *x, const Eqn *q, bool typed, StrBuf *sb) {
  sb_puts(sb, x->vn[q->out]);
  if (typed) {
    char b[160];
    aval_str(&x->s->vars[q->out], b, sizeof b);
    sb_printf(sb, ":%s", b);
  }
  sb_printf(sb, " = %s", jx_prims[q->prim].name);
  params_text(q->prim, q->p, sb);
  for (int j = 0; j < q->nin; j++) {
    sb_putc(sb, ' ');
    atom_text(I, x, q->in[j], sb);
  }
}

/* Evaluate every equation on concrete inputs (leaves: the numeric leaves
 * of the arguments, in order). */
static int ex_forward(Interp *I, Ex *x, const Value *leaves) {
  static const Params zero = PARAMS_INIT;
  Stage *s = x->s;
  for (int i = 0; i < s->ninvars; i++) {
    v_decref(x->val[s->invars[i]]);
    x->val[s->invars[i]] = v_incref(leaves[i]);
  }
  Value inb_small[8];
  for (int64_t e = 0; e < s->neqns; e++) {
    Eqn *q = &s->eqns[e];
    Value *inb = q->nin <= 8 ? inb_small : jx_malloc(I, (size_t)q->nin * sizeof(Value));
    if (!inb) return -1;
    for (int j = 0; j < q->nin; j++) inb[j] = atom_val(x, q->in[j]);
    Value r = jx_prims[q->prim].impl(I, inb, q->p ? q->p : &zero);
    if (inb != inb_small) jx_free(inb);
    if (IS_EXC(r)) return -1;
    v_decref(x->val[q->out]);
    x->val[q->out] = r;
  }
  return 0;
}

/* ---- input labels: argument names and pytree paths ---- */

typedef struct {
  Ex *x;
  int pos; /* next input variable */
} LblCtx;

static void label_leaves(Interp *I, LblCtx *c, Value v, const char *path) {
  if (v.tag == T_TUPLE) {
    Tuple *t = AS_TUPLE(v);
    for (int64_t i = 0; i < t->n; i++) {
      char p[48];
      snprintf(p, sizeof p, "%s[%lld]", path, (long long)i);
      label_leaves(I, c, t->items[i], p);
    }
    return;
  }
  if (v.tag == T_DICT) {
    Dict *d = AS_DICT(v);
    for (int64_t i = 0; i < d->n; i++) {
      char p[48];
      snprintf(p, sizeof p, "%s['%s']", path, AS_STR(d->e[i].key)->s);
      label_leaves(I, c, d->e[i].val, p);
    }
    return;
  }
  if (!is_numeric(v)) return;
  if (c->pos < c->x->s->ninvars) {
    int64_t var = c->x->s->invars[c->pos++];
    snprintf(c->x->lbl[var], sizeof c->x->lbl[var], "%s", path);
  }
}

/* label every input; returns in argpos[i] the first input variable index of
 * argument i (argpos[nargs] = ninvars) */
static void ex_label_inputs(Interp *I, Ex *x, Value f, Tuple *args, int *argpos) {
  char names[JX_MAX_PARAMS][24];
  int np = fn_param_names(I, f, names, JX_MAX_PARAMS);
  LblCtx c = {x, 0};
  for (int64_t i = 0; i < args->n; i++) {
    char base[32];
    if (i < np && names[i][0])
      snprintf(base, sizeof base, "%.23s", names[i]);
    else
      snprintf(base, sizeof base, "arg%lld", (long long)i);
    if (argpos && i < JX_MAX_PARAMS * 4) argpos[i] = c.pos;
    label_leaves(I, &c, args->items[i], base);
  }
  if (argpos && args->n < JX_MAX_PARAMS * 4) argpos[args->n] = c.pos;
}

/* ---- printing the forward pass ---- */

#define COLW 34

static void print_forward(Interp *I, Ex *x, StrBuf *sb) {
  Stage *s = x->s;
  /* column width: the longest equation text, bounded */
  size_t w = 12;
  for (int64_t e = 0; e < s->neqns; e++) {
    StrBuf t;
    sb_init(&t);
    eqn_text(I, x, &s->eqns[e], true, &t);
    size_t tw = u8_width(t.s ? t.s : "", t.len);
    if (tw > w) w = tw;
    sb_free(&t);
  }
  if (w > COLW + 10) w = COLW + 10;
  char b[160];
  for (int64_t k = 0; k < s->nconsts; k++) {
    if (inline_const(s->consts[k])) continue;
    size_t ls = sb->len;
    Aval av;
    if (val_aval(I, s->consts[k], &av) < 0) {
      jx_err_clear(I);
      continue;
    }
    aval_str(&av, b, sizeof b);
    sb_printf(sb, "    %s:%s", x->cn[k], b);
    pad_to(sb, ls, w + 6);
    sb_puts(sb, "= ");
    fmt_short(I, s->consts[k], sb);
    sb_puts(sb, "   (a constant the function closes over)\n");
  }
  for (int i = 0; i < s->ninvars; i++) {
    int64_t v = s->invars[i];
    size_t ls = sb->len;
    aval_str(&s->vars[v], b, sizeof b);
    sb_printf(sb, "    %s:%s", x->vn[v], b);
    pad_to(sb, ls, w + 6);
    sb_puts(sb, "= ");
    fmt_short(I, x->val[v], sb);
    sb_printf(sb, "   input %s\n", x->lbl[v]);
  }
  for (int64_t e = 0; e < s->neqns; e++) {
    Eqn *q = &s->eqns[e];
    size_t ls = sb->len;
    sb_puts(sb, "    ");
    eqn_text(I, x, q, true, sb);
    pad_to(sb, ls, w + 6);
    sb_puts(sb, "= ");
    fmt_short(I, x->val[q->out], sb);
    for (int o = 0; o < s->nouts; o++)
      if (s->outs[o] == q->out) {
        sb_puts(sb, s->nouts > 1 ? "   output" : "   output");
        if (s->nouts > 1) sb_printf(sb, " %d", o);
        break;
      }
    sb_putc(sb, '\n');
  }
}

/* ---- the reverse pass ---- */

/* The VJP rule of a primitive as a formula: $g the output cotangent, $0 $1
 * $2 the inputs, $y the output, $n / $m the integer power and power - 1. */
static const char *rule_formula(PrimId id, int i, const Params *p) {
  switch (id) {
  case P_neg: return "-$g";
  case P_exp: return "$g\xc2\xb7$y";
  case P_log: return "$g/$0";
  case P_log1p: return "$g/(1+$0)";
  case P_expm1: return "$g\xc2\xb7($y+1)";
  case P_sqrt: return "$g/(2\xc2\xb7$y)";
  case P_sin:
    return "$g\xc2\xb7"
           "cos($0)";
  case P_cos: return "-$g\xc2\xb7sin($0)";
  case P_tan: return "$g\xc2\xb7(1+$y\xc2\xb2)";
  case P_asin: return "$g/sqrt(1-$0\xc2\xb2)";
  case P_acos: return "-$g/sqrt(1-$0\xc2\xb2)";
  case P_atan: return "$g/(1+$0\xc2\xb2)";
  case P_sinh:
    return "$g\xc2\xb7"
           "cosh($0)";
  case P_cosh: return "$g\xc2\xb7sinh($0)";
  case P_tanh: return "$g\xc2\xb7(1-$y\xc2\xb2)";
  case P_logistic: return "$g\xc2\xb7$y\xc2\xb7(1-$y)";
  case P_erf:
    return "$g\xc2\xb7(2/\xe2\x88\x9a\xcf\x80)\xc2\xb7"
           "exp(-$0\xc2\xb2)";
  case P_abs: return "$g\xc2\xb7sign($0)";
  case P_sign:
  case P_floor:
  case P_ceil:
  case P_round: return "0 (piecewise constant)";
  case P_integer_pow:
    if (!p || p->i0 == 1) return "$g";
    if (p->i0 == 0) return "0";
    if (p->i0 == 2)
      return "$g\xc2\xb7"
             "2\xc2\xb7$0";
    return "$g\xc2\xb7$n\xc2\xb7$0^$m";
  case P_add: return "$g";
  case P_sub: return i == 0 ? "$g" : "-$g";
  case P_mul: return i == 0 ? "$g\xc2\xb7$1" : "$0\xc2\xb7$g";
  case P_div: return i == 0 ? "$g/$1" : "-$g\xc2\xb7$0/$1\xc2\xb2";
  case P_pow: return i == 0 ? "$g\xc2\xb7$1\xc2\xb7$0^($1-1)" : "$g\xc2\xb7log($0)\xc2\xb7$y";
  case P_max: return i == 0 ? "$g where $0>$1 (half at ties)" : "$g where $1>$0 (half at ties)";
  case P_min: return i == 0 ? "$g where $0<$1 (half at ties)" : "$g where $1<$0 (half at ties)";
  case P_select: return i == 1 ? "$g where $0" : i == 2 ? "$g where not $0" : "";
  case P_convert: return "$g";
  case P_stop_gradient: return "0 (stop_gradient)";
  case P_reduce_sum: return "$g broadcast to $0's shape";
  case P_reduce_max:
  case P_reduce_min: return "$g to the extreme element(s) of $0";
  case P_reduce_prod: return "$g\xc2\xb7$y/$0";
  case P_cumsum: return "reverse cumsum of $g";
  case P_broadcast_in_dim: return "$g summed over the broadcast axes";
  case P_reshape: return "$g reshaped back";
  case P_transpose: return "$g transposed back";
  case P_slice: return "$g padded with zeros";
  case P_pad: return "the unpadded part of $g";
  case P_rev: return "$g flipped back";
  case P_concatenate: return "the matching slice of $g";
  case P_gather: return i == 0 ? "$g scatter-added at the indices" : "";
  case P_dot_general: return i == 0 ? "$g\xc2\xb7$1\xe1\xb5\x80" : "$0\xe1\xb5\x80\xc2\xb7$g";
  default: return NULL;
  }
}

static void formula_text(Interp *I, Ex *x, const Eqn *q, int i, StrBuf *sb) {
  const char *f = rule_formula(q->prim, i, q->p);
  if (!f) {
    sb_printf(sb, "vjp of %s", jx_prims[q->prim].name);
    return;
  }
  char g[24];
  snprintf(g, sizeof g, "ct_%s", x->vn[q->out]);
  for (const char *c = f; *c; c++) {
    if (*c != '$' || !c[1]) {
      sb_putc(sb, *c);
      continue;
    }
    c++;
    switch (*c) {
    case 'g': sb_puts(sb, g); break;
    case 'y': sb_puts(sb, x->vn[q->out]); break;
    case 'n': sb_printf(sb, "%lld", (long long)(q->p ? q->p->i0 : 0)); break;
    case 'm': sb_printf(sb, "%lld", (long long)(q->p ? q->p->i0 - 1 : 0)); break;
    default:
      if (*c >= '0' && *c <= '9' && *c - '0' < q->nin)
        atom_text(I, x, q->in[*c - '0'], sb);
      else
        sb_putc(sb, *c);
    }
  }
}

/* Accumulate ct[v] += c (c owned). */
static int ct_add(Interp *I, Ex *x, int64_t v, Value c) {
  if (c.tag == T_UNSET) return 0;
  if (x->ct[v].tag == T_UNSET) {
    x->ct[v] = c;
    return 0;
  }
  Value r = A_add(I, x->ct[v], c);
  v_decref(c);
  if (IS_EXC(r)) return -1;
  v_decref(x->ct[v]);
  x->ct[v] = r;
  return 0;
}

static bool is_float_atom(Ex *x, int64_t a) { return a >= 0 && x->s->vars[a].dtype == DT_FLOAT; }

/* Reverse pass from the output variable 'outv', printing each step. */
static int ex_backward(Interp *I, Ex *x, int64_t outv, StrBuf *sb) {
  static const Params zero = PARAMS_INIT;
  Stage *s = x->s;
  size_t w = 12;
  for (int64_t e = 0; e < s->neqns; e++) {
    StrBuf t;
    sb_init(&t);
    eqn_text(I, x, &s->eqns[e], false, &t);
    size_t tw = u8_width(t.s ? t.s : "", t.len);
    if (tw > w) w = tw;
    sb_free(&t);
  }
  if (w > COLW) w = COLW;
  size_t fcol = w + 6 + 26;

  v_decref(x->ct[outv]);
  x->ct[outv] = v_float(1.0);
  {
    size_t ls = sb->len;
    sb_printf(sb, "    ct_%s = 1.0", x->vn[outv]);
    pad_to(sb, ls, w + 6);
    sb_printf(sb, "seed: d(out)/d(out) = 1, for the output %s\n", x->vn[outv]);
  }
  int nskip = 0;
  for (int64_t e = s->neqns - 1; e >= 0; e--) {
    Eqn *q = &s->eqns[e];
    if (x->ct[q->out].tag == T_UNSET) {
      nskip++;
      continue;
    }
    bool any = false;
    bool need_small[8];
    Value cts_small[8], in_small[8];
    bool *need = q->nin <= 8 ? need_small : jx_malloc(I, (size_t)q->nin * sizeof(bool));
    Value *cts = q->nin <= 8 ? cts_small : jx_malloc(I, (size_t)q->nin * sizeof(Value));
    Value *inb = q->nin <= 8 ? in_small : jx_malloc(I, (size_t)q->nin * sizeof(Value));
    if (!need || !cts || !inb) {
      if (need != need_small) jx_free(need);
      if (cts != cts_small) jx_free(cts);
      if (inb != in_small) jx_free(inb);
      return -1;
    }
    for (int j = 0; j < q->nin; j++) {
      need[j] = is_float_atom(x, q->in[j]);
      any |= need[j];
      cts[j] = v_unset();
      inb[j] = atom_val(x, q->in[j]);
    }
    int rc = 0;
    size_t ls = sb->len;
    sb_puts(sb, "    ");
    eqn_text(I, x, q, false, sb);
    if (u8_width(sb->s + ls, sb->len - ls) + 1 > w + 6) {
      /* a long equation: its cotangents go on the next line */
      sb_putc(sb, '\n');
      ls = sb->len;
    }
    if (!any) {
      pad_to(sb, ls, w + 6);
      sb_puts(sb, "(no float inputs: the cotangent stops here)\n");
    } else if (!jx_vjp_rules[q->prim]) {
      pad_to(sb, ls, w + 6);
      sb_printf(sb, "(%s has no reverse-mode rule)\n", jx_prims[q->prim].name);
    } else {
      rc = jx_vjp_rules[q->prim](I, inb, x->val[q->out], x->ct[q->out], q->p ? q->p : &zero, need,
                                 cts);
      bool first = true;
      for (int j = 0; j < q->nin && rc == 0; j++) {
        if (!need[j]) continue;
        /* the same variable twice (mul a a): both contributions show */
        if (!first) {
          sb_putc(sb, '\n');
          ls = sb->len;
        }
        first = false;
        pad_to(sb, ls, w + 6);
        size_t fs = sb->len;
        sb_printf(sb, "ct_%s += ", x->vn[q->in[j]]);
        formula_text(I, x, q, j, sb);
        (void)fs;
        pad_to(sb, ls, fcol);
        sb_puts(sb, "= ");
        fmt_short(I, cts[j], sb);
        Value c = cts[j];
        cts[j] = v_unset();
        bool had = x->ct[q->in[j]].tag != T_UNSET;
        if (ct_add(I, x, q->in[j], c) < 0)
          rc = -1;
        else if (had && c.tag != T_UNSET) {
          sb_printf(sb, "   (sum: ct_%s = ", x->vn[q->in[j]]);
          fmt_short(I, x->ct[q->in[j]], sb);
          sb_putc(sb, ')');
        }
      }
      sb_putc(sb, '\n');
    }
    for (int j = 0; j < q->nin; j++) v_decref(cts[j]);
    if (need != need_small) jx_free(need);
    if (cts != cts_small) jx_free(cts);
    if (inb != in_small) jx_free(inb);
    if (rc < 0) return -1;
  }
  if (nskip)
    sb_printf(sb, "    (%d step%s received no cotangent: %s not affect the output)\n", nskip,
              nskip == 1 ? "" : "s", nskip == 1 ? "it does" : "they do");
  return 0;
}

/* ------------------------------------------------------------------ */
/* outputs                                                              */

/* The output tree of the stage, filled with the computed values. */
static Value ex_outputs(Interp *I, Ex *x) {
  Stage *s = x->s;
  VVec tl = {0}, full = {0};
  Value r = v_exc();
  if (tree_flatten(I, s->out_tree, &tl) < 0) goto done;
  int o = 0;
  for (int64_t i = 0; i < tl.n; i++) {
    Value v = tl.v[i];
    if (v.tag == T_UNSET && o < s->nouts) v = atom_val(x, s->outs[o++]);
    if (vvec_push(I, &full, v) < 0) goto done;
  }
  {
    int64_t pos = 0;
    r = tree_unflatten(I, s->out_tree, full.v, full.n, &pos);
  }
done:
  vvec_free(&tl);
  vvec_free(&full);
  return r;
}

static int flatten_numeric(Interp *I, Value args, VVec *leaves) {
  VVec all = {0};
  if (tree_flatten(I, args, &all) < 0) {
    vvec_free(&all);
    return -1;
  }
  for (int64_t i = 0; i < all.n; i++)
    if (is_numeric(all.v[i]) && vvec_push(I, leaves, all.v[i]) < 0) {
      vvec_free(&all);
      return -1;
    }
  vvec_free(&all);
  return 0;
}

/* ------------------------------------------------------------------ */
/* explain                                                              */

/* grad(f, argnums, has_aux) closures keep (f, argnums, has_aux, value_too) */
static bool grad_parts(Value g, Value *f, Value *argnums, bool *has_aux, bool *value_too) {
  if (g.tag != T_CFUNC) return false;
  CFunc *c = AS_CFUNC(g);
  if (!c->def || !c->def->name || strcmp(c->def->name, "grad") != 0) return false;
  if (!c->def->sig || strcmp(c->def->sig, "*args") != 0) return false;
  if (c->data.tag != T_TUPLE || AS_TUPLE(c->data)->n != 4) return false;
  Tuple *d = AS_TUPLE(c->data);
  *f = d->items[0];
  *argnums = d->items[1];
  *has_aux = d->items[2].tag == T_BOOL && d->items[2].u.i;
  *value_too = d->items[3].tag == T_BOOL && d->items[3].u.i;
  return true;
}

static void args_text(Interp *I, Tuple *a, StrBuf *sb) {
  sb_putc(sb, '(');
  for (int64_t i = 0; i < a->n; i++) {
    if (i) sb_puts(sb, ", ");
    fmt_short(I, a->items[i], sb);
  }
  sb_putc(sb, ')');
}

static void flush_sb(Interp *I, StrBuf *sb) {
  if (sb->s && sb->len) jx_write(I, sb->s, sb->len);
  sb_free(sb);
  sb_init(sb);
}

static Stage *trace_for(Interp *I, Value f, Value args, const char *who) {
  bool unst = false;
  Stage *s = stage_trace(I, f, args, &unst);
  if (!s) return NULL;
  for (int64_t e = 0; e < s->neqns; e++)
    if (s->eqns[e].prim == P_WHILE) {
      /* a staged loop (while_loop, or a while on a traced condition) has
       * no fixed list of steps to show */
      stage_release(s);
      jx_raise(I, E_TYPE,
               "%s: the function runs a while loop (a while statement or while_loop) whose "
               "condition depends on the inputs, so it has no fixed sequence of steps to show; "
               "use fori_loop with a fixed trip count, or %s the loop body alone",
               who, who);
      return NULL;
    }
  return s;
}

static Value explain_plain(Interp *I, Value f, Value args) {
  Stage *s = trace_for(I, f, args, "explain");
  if (!s) return v_exc();
  Ex x;
  if (ex_init(I, &x, s) < 0) {
    x.s = s;
    ex_free(&x);
    return v_exc();
  }
  VVec leaves = {0};
  Value r = v_exc();
  StrBuf sb;
  sb_init(&sb);
  if (flatten_numeric(I, args, &leaves) < 0) goto done;
  ex_label_inputs(I, &x, f, AS_TUPLE(args), NULL);
  if (ex_forward(I, &x, leaves.v) < 0) goto done;
  sb_puts(&sb, "explain ");
  teach_fn_name(I, f, &sb);
  sb_puts(&sb, " at ");
  args_text(I, AS_TUPLE(args), &sb);
  sb_printf(&sb, "\n  the traced program (make_jaxpr shows it too), evaluated step by step:\n");
  print_forward(I, &x, &sb);
  r = ex_outputs(I, &x);
  if (!IS_EXC(r)) {
    sb_puts(&sb, "  result: ");
    jx_repr(I, r, &sb);
    sb_putc(&sb, '\n');
  }
  flush_sb(I, &sb);
done:
  sb_free(&sb);
  vvec_free(&leaves);
  ex_free(&x);
  return r;
}

static Value shape_err(Interp *I, const Aval *av) {
  StrBuf sb;
  sb_init(&sb);
  sb_putc(&sb, '(');
  for (int i = 0; i < av->ndim; i++)
    sb_printf(&sb, "%s%lld", i ? ", " : "", (long long)av->shape[i]);
  if (av->ndim == 1) sb_putc(&sb, ',');
  sb_putc(&sb, ')');
  jx_raise(I, E_TYPE,
           "Gradient only defined for scalar-output functions. Output had shape: %s. "
           "Reduce it with sum(...) first, or use jacrev for the full Jacobian.",
           sb.s ? sb.s : "()");
  sb_free(&sb);
  return v_exc();
}

static Value explain_grad(Interp *I, Value gfn, Value f, Value argnums, bool has_aux,
                          bool value_too, Value args) {
  const char *who = value_too ? "value_and_grad" : "grad";
  Tuple *a = AS_TUPLE(args);
  /* argnums */
  int64_t argn[JX_MAX_PARAMS];
  int nan = 0;
  bool tup = argnums.tag == T_TUPLE;
  int64_t cnt = tup ? AS_TUPLE(argnums)->n : 1;
  if (cnt < 1 || cnt > JX_MAX_PARAMS) return jx_raise(I, E_VALUE, "%s: bad argnums", who);
  for (int64_t i = 0; i < cnt; i++) {
    Value v = tup ? AS_TUPLE(argnums)->items[i] : argnums;
    if (v.tag != T_INT)
      return jx_raise(I, E_TYPE, "%s: argnums must be an int or a tuple of ints", who);
    int64_t k = v.u.i < 0 ? v.u.i + a->n : v.u.i;
    if (k < 0 || k >= a->n)
      return jx_raise(I, E_VALUE,
                      "%s: argnums %lld is out of range for a call with %lld positional arguments",
                      who, (long long)v.u.i, (long long)a->n);
    argn[nan++] = k;
  }
  if (a->n > JX_MAX_PARAMS * 4) return jx_raise(I, E_VALUE, "explain: too many arguments");
  /* differentiated arguments: numeric float leaves only */
  for (int k = 0; k < nan; k++) {
    VVec l = {0};
    if (tree_flatten(I, a->items[argn[k]], &l) < 0) {
      vvec_free(&l);
      return v_exc();
    }
    for (int64_t i = 0; i < l.n; i++) {
      DType dt;
      if (!is_numeric(l.v[i])) {
        vvec_free(&l);
        return jx_raise(I, E_TYPE, "%s: argument %lld contains a %s where an array was expected",
                        who, (long long)argn[k], type_name(l.v[i]));
      }
      if (val_dtype(l.v[i], &dt) == 0 && dt != DT_FLOAT) {
        vvec_free(&l);
        return jx_raise(I, E_TYPE,
                        "%s requires float inputs, but argument %lld has dtype %s; use a float "
                        "such as 3.0 (or .astype(\"float64\"))",
                        who, (long long)argn[k], dtype_name(dt));
      }
    }
    vvec_free(&l);
  }
  Stage *s = trace_for(I, f, args, "explain");
  if (!s) return v_exc();
  Ex x;
  if (ex_init(I, &x, s) < 0) {
    x.s = s;
    ex_free(&x);
    return v_exc();
  }
  VVec leaves = {0};
  Value r = v_exc(), out = v_unset();
  StrBuf sb;
  sb_init(&sb);
  int argpos[JX_MAX_PARAMS * 4 + 1];
  if (flatten_numeric(I, args, &leaves) < 0) goto done;
  ex_label_inputs(I, &x, f, a, argpos);
  /* the output: a float scalar (the first leaf when has_aux) */
  {
    Value ot = s->out_tree;
    bool ok = has_aux ? (ot.tag == T_TUPLE && AS_TUPLE(ot)->n == 2 &&
                         AS_TUPLE(ot)->items[0].tag == T_UNSET)
                      : ot.tag == T_UNSET;
    if (!ok) {
      if (has_aux)
        jx_raise(I, E_TYPE,
                 "%s(has_aux=True): the function must return a pair (output, aux) whose "
                 "output is a float scalar",
                 who);
      else
        jx_raise(I, E_TYPE,
                 "Gradient only defined for scalar-output functions. Output was not a "
                 "single array; use sum(...) to reduce it");
      goto done;
    }
    if (s->nouts < 1) {
      jx_raise(I, E_TYPE, "%s: the function has no numeric output", who);
      goto done;
    }
  }
  int64_t outa = s->outs[0];
  {
    Aval oav;
    if (outa >= 0)
      oav = s->vars[outa];
    else if (val_aval(I, s->consts[-outa - 1], &oav) < 0)
      goto done;
    if (oav.ndim != 0) {
      shape_err(I, &oav);
      goto done;
    }
    if (oav.dtype != DT_FLOAT) {
      jx_raise(I, E_TYPE, "%s requires a float output, but the function returned a %s value", who,
               dtype_name((DType)oav.dtype));
      goto done;
    }
  }
  if (ex_forward(I, &x, leaves.v) < 0) goto done;
  out = ex_outputs(I, &x);
  if (IS_EXC(out)) goto done;

  sb_printf(&sb, "explain %s(", who);
  teach_fn_name(I, f, &sb);
  sb_puts(&sb, ") at ");
  args_text(I, a, &sb);
  sb_puts(&sb, "\n  forward pass: trace ");
  teach_fn_name(I, f, &sb);
  sb_puts(&sb, " into primitive steps and evaluate each one, keeping the values\n");
  print_forward(I, &x, &sb);
  flush_sb(I, &sb);
  if (outa < 0) {
    sb_puts(&sb, "  the output is a constant: every gradient is zero\n");
  } else {
    sb_puts(&sb, "  backward pass: the cotangent ct_v = d(out)/d(v) of each variable flows from\n"
                 "  the output back to the inputs through each step's VJP rule (the cotangents of\n"
                 "  a variable used several times add up)\n");
    if (ex_backward(I, &x, outa, &sb) < 0) goto done;
  }
  /* the gradient, argument by argument */
  {
    Value grads = tup ? tuple_new(I, nan) : v_none();
    if (IS_EXC(grads)) goto done;
    for (int k = 0; k < nan; k++) {
      int p0 = argpos[argn[k]], p1 = argpos[argn[k] + 1];
      int nl = p1 - p0;
      Value *cl = jx_calloc(I, (size_t)(nl ? nl : 1), sizeof(Value));
      if (!cl) {
        v_decref(grads);
        goto done;
      }
      bool bad = false;
      for (int i = 0; i < nl; i++) {
        int64_t v = s->invars[p0 + i];
        Value c = x.ct[v];
        if (c.tag == T_UNSET)
          c = A_zeros(I, &s->vars[v]);
        else
          c = v_incref(c);
        if (IS_EXC(c)) {
          bad = true;
          c = v_none();
        }
        cl[i] = c;
        sb_printf(&sb, "  d(out)/d(%s) = ct_%s = ", x.lbl[v], x.vn[v]);
        jx_repr(I, cl[i], &sb);
        sb_putc(&sb, '\n');
      }
      Value g = v_exc();
      if (!bad) {
        int64_t pos = 0;
        g = tree_unflatten(I, a->items[argn[k]], cl, nl, &pos);
      }
      for (int i = 0; i < nl; i++) v_decref(cl[i]);
      jx_free(cl);
      if (IS_EXC(g)) {
        v_decref(grads);
        goto done;
      }
      if (tup)
        AS_TUPLE(grads)->items[k] = g;
      else
        grads = g;
    }
    flush_sb(I, &sb);
    /* assemble like grad / value_and_grad */
    Value val = has_aux ? AS_TUPLE(out)->items[0] : out;
    Value aux = has_aux ? AS_TUPLE(out)->items[1] : v_none();
    Value parts[2];
    if (value_too) {
      if (has_aux) {
        Value va[2] = {val, aux};
        parts[0] = tuple_of(I, 2, va);
      } else {
        parts[0] = v_incref(val);
      }
      parts[1] = grads;
      r = IS_EXC(parts[0]) ? v_exc() : tuple_of(I, 2, parts);
      v_decref(parts[0]);
    } else if (has_aux) {
      parts[0] = grads;
      parts[1] = aux;
      r = tuple_of(I, 2, parts);
    } else {
      r = v_incref(grads);
    }
    v_decref(grads);
  }
done:
  (void)gfn;
  flush_sb(I, &sb);
  sb_free(&sb);
  v_decref(out);
  vvec_free(&leaves);
  ex_free(&x);
  return r;
}

static Value explain_apply(Interp *I, Value *args, int nargs, Value self) {
  Value f = AS_CFUNC(self)->data;
  Value inner, argnums;
  bool has_aux, value_too;
  if (grad_parts(f, &inner, &argnums, &has_aux, &value_too))
    return explain_grad(I, f, inner, argnums, has_aux, value_too, args[0]);
  return explain_plain(I, f, args[0]);
}
static const BuiltinDef explain_fn_def = {"explain", explain_apply, "*args", NULL};

static bool is_fn(Value f) { return f.tag == T_FUNC || f.tag == T_CFUNC || f.tag == T_OBJ; }

static Value bi_explain(Interp *I, Value *args, int nargs, Value self) {
  if (!is_fn(args[0]))
    return jx_raise(I, E_TYPE, "explain: expected a function, got %s", type_name(args[0]));
  return tf_closure(I, &explain_fn_def, args[0], "explain", args[0]);
}

/* ---- :explain EXPR ---- */
char *explain_rewrite(const char *expr) {
  size_t n = strlen(expr);
  while (n &&
         (expr[n - 1] == ' ' || expr[n - 1] == '\t' || expr[n - 1] == '\n' || expr[n - 1] == ';'))
    n--;
  if (n < 3 || expr[n - 1] != ')') return NULL;
  /* find the '(' matching the final ')', skipping strings */
  int depth = 0;
  size_t open = (size_t)-1;
  char q = 0;
  /* scan forward to know which characters are inside strings */
  char *instr = calloc(n + 1, 1);
  if (!instr) return NULL;
  for (size_t i = 0; i < n; i++) {
    if (q) {
      instr[i] = 1;
      if (expr[i] == '\\') {
        if (i + 1 < n) instr[++i] = 1;
      } else if (expr[i] == q) {
        q = 0;
      }
    } else if (expr[i] == '"' || expr[i] == '\'') {
      q = expr[i];
      instr[i] = 1;
    } else if (expr[i] == '#') {
      break;
    }
  }
  for (size_t i = n; i-- > 0;) {
    if (instr[i]) continue;
    char c = expr[i];
    if (c == ')' || c == ']' || c == '}')
      depth++;
    else if (c == '(' || c == '[' || c == '{') {
      if (--depth == 0) {
        open = i;
        break;
      }
    }
  }
  free(instr);
  if (open == (size_t)-1 || open == 0) return NULL;
  size_t fl = open;
  while (fl && (expr[fl - 1] == ' ' || expr[fl - 1] == '\t')) fl--;
  if (!fl) return NULL;
  size_t L = n + 32;
  char *out = malloc(L);
  if (!out) return NULL;
  snprintf(out, L, "explain(%.*s)%.*s", (int)fl, expr, (int)(n - open), expr + open);
  return out;
}

/* ------------------------------------------------------------------ */
/* running external programs (dot)                                      */

bool teach_have_program(const char *name) {
  const char *path = getenv("PATH");
  if (!path || !*path) path = "/usr/local/bin:/usr/bin:/bin";
  while (*path) {
    size_t k = strcspn(path, ":");
    char buf[4096];
    if (k && k + strlen(name) + 2 < sizeof buf) {
      snprintf(buf, sizeof buf, "%.*s/%s", (int)k, path, name);
      if (access(buf, X_OK) == 0) return true;
    }
    path += k;
    if (*path == ':') path++;
  }
  return false;
}

int teach_run_program(Interp *I, char *const argv[]) {
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
  if (rc != 0) return jx_raisei(I, E_IO, "cannot run '%s': %s", argv[0], strerror(rc));
  int st = 0;
  while (waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) return jx_raisei(I, E_IO, "waiting for '%s': %s", argv[0], strerror(errno));
  }
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* ------------------------------------------------------------------ */
/* graph                                                                */

static void dot_escape(const char *s, size_t n, StrBuf *sb) {
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (c == '"' || c == '\\') sb_putc(sb, '\\');
    if (c == '\n') {
      sb_puts(sb, "\\n");
      continue;
    }
    sb_putc(sb, c);
  }
}

static void dot_label_add(StrBuf *lab, StrBuf *sb) {
  dot_escape(lab->s ? lab->s : "", lab->len, sb);
}

static int graph_text(Interp *I, Value f, Value args, StrBuf *sb) {
  Stage *s = trace_for(I, f, args, "graph");
  if (!s) return -1;
  Ex x;
  if (ex_init(I, &x, s) < 0) {
    x.s = s;
    ex_free(&x);
    return -1;
  }
  VVec leaves = {0};
  int rc = -1;
  bool *live = NULL;
  if (flatten_numeric(I, args, &leaves) < 0) goto done;
  {
    /* name the inputs after the differentiated function's parameters */
    Value inner = f, an;
    bool ha, vt;
    if (!grad_parts(f, &inner, &an, &ha, &vt)) inner = f;
    ex_label_inputs(I, &x, inner, AS_TUPLE(args), NULL);
  }
  /* steps whose value reaches no output (grad computes the primal output,
   * then does not use it) */
  live = jx_calloc(I, (size_t)(s->nvars ? s->nvars : 1), sizeof(bool));
  if (!live) goto done;
  for (int o = 0; o < s->nouts; o++)
    if (s->outs[o] >= 0) live[s->outs[o]] = true;
  for (int64_t e = s->neqns - 1; e >= 0; e--)
    if (live[s->eqns[e].out])
      for (int j = 0; j < s->eqns[e].nin; j++)
        if (s->eqns[e].in[j] >= 0) live[s->eqns[e].in[j]] = true;
  bool have_vals = ex_forward(I, &x, leaves.v) == 0;
  if (!have_vals) jx_err_clear(I);
  StrBuf title;
  sb_init(&title);
  teach_fn_name(I, f, &title);
  sb_puts(sb, "digraph jx {\n  rankdir=TB;\n  labelloc=t;\n  label=\"");
  dot_label_add(&title, sb);
  sb_puts(sb, "\";\n  node [fontname=\"Helvetica\", fontsize=11];\n"
              "  edge [color=\"#555555\", arrowsize=0.7];\n");
  sb_free(&title);
  char b[160];
  for (int64_t k = 0; k < s->nconsts; k++) {
    if (inline_const(s->consts[k])) continue;
    StrBuf l;
    sb_init(&l);
    Aval av;
    if (val_aval(I, s->consts[k], &av) < 0) {
      jx_err_clear(I);
      memset(&av, 0, sizeof av);
    }
    aval_str(&av, b, sizeof b);
    sb_printf(&l, "%s:%s (constant)\n", x.cn[k], b);
    fmt_short(I, s->consts[k], &l);
    sb_printf(sb, "  c%lld [shape=box, style=\"rounded,filled\", fillcolor=\"#eeeeee\", label=\"",
              (long long)k);
    dot_label_add(&l, sb);
    sb_puts(sb, "\"];\n");
    sb_free(&l);
  }
  for (int i = 0; i < s->ninvars; i++) {
    int64_t v = s->invars[i];
    StrBuf l;
    sb_init(&l);
    aval_str(&s->vars[v], b, sizeof b);
    sb_printf(&l, "%s = %s\n%s", x.vn[v], x.lbl[v], b);
    if (have_vals) {
      sb_puts(&l, " = ");
      fmt_short(I, x.val[v], &l);
    }
    sb_printf(sb, "  v%lld [shape=ellipse, style=filled, fillcolor=\"#cfe2ff\", label=\"",
              (long long)v);
    dot_label_add(&l, sb);
    sb_puts(sb, "\"];\n");
    sb_free(&l);
  }
  for (int64_t e = 0; e < s->neqns; e++) {
    Eqn *q = &s->eqns[e];
    StrBuf l;
    sb_init(&l);
    eqn_text(I, &x, q, false, &l);
    aval_str(&s->vars[q->out], b, sizeof b);
    sb_printf(&l, "\n%s", b);
    if (have_vals) {
      sb_puts(&l, " = ");
      fmt_short(I, x.val[q->out], &l);
    }
    bool is_out = false;
    for (int o = 0; o < s->nouts; o++) is_out |= s->outs[o] == q->out;
    if (!live[q->out]) sb_puts(&l, "\n(unused: reaches no output)");
    sb_printf(sb, "  v%lld [shape=box, style=\"rounded,filled%s\", fillcolor=\"%s\"%s, label=\"",
              (long long)q->out, live[q->out] ? "" : ",dashed",
              is_out         ? "#d1f0d1"
              : live[q->out] ? "#fff6d5"
                             : "#f2f2f2",
              is_out ? ", peripheries=2" : "");
    dot_label_add(&l, sb);
    sb_puts(sb, "\"];\n");
    sb_free(&l);
    for (int j = 0; j < q->nin; j++) {
      int64_t a = q->in[j];
      if (a >= 0)
        sb_printf(sb, "  v%lld -> v%lld;\n", (long long)a, (long long)q->out);
      else if (!inline_const(s->consts[-a - 1]))
        sb_printf(sb, "  c%lld -> v%lld;\n", (long long)(-a - 1), (long long)q->out);
    }
  }
  /* outputs that are inputs or constants */
  for (int o = 0; o < s->nouts; o++) {
    int64_t a = s->outs[o];
    bool from_eqn = false;
    for (int64_t e = 0; e < s->neqns && a >= 0; e++) from_eqn |= s->eqns[e].out == a;
    if (from_eqn) continue;
    sb_printf(sb,
              "  out%d [shape=box, style=\"rounded,filled\", fillcolor=\"#d1f0d1\", "
              "peripheries=2, label=\"output %d\"];\n",
              o, o);
    if (a >= 0) sb_printf(sb, "  v%lld -> out%d;\n", (long long)a, o);
  }
  sb_puts(sb, "}\n");
  rc = sb->oom ? jx_raisei(I, E_MEMORY, "out of memory") : 0;
done:
  jx_free(live);
  vvec_free(&leaves);
  ex_free(&x);
  return rc;
}

static const char *file_ext(const char *path) {
  const char *slash = strrchr(path, '/');
  const char *dot = strrchr(path, '.');
  if (!dot || (slash && dot < slash)) return "";
  return dot + 1;
}

static int write_text_file(Interp *I, const char *path, const char *s, size_t n, const char *who) {
  FILE *fp = fopen(path, "wb");
  if (!fp) return jx_raisei(I, E_IO, "%s: cannot write '%s': %s", who, path, strerror(errno));
  size_t w = fwrite(s, 1, n, fp);
  int bad = w != n || ferror(fp);
  if (fclose(fp) != 0) bad = 1;
  if (bad) return jx_raisei(I, E_IO, "%s: error writing '%s'", who, path);
  return 0;
}

static Value graph_apply(Interp *I, Value *args, int nargs, Value self) {
  Tuple *d = AS_TUPLE(AS_CFUNC(self)->data);
  Value f = d->items[0], file = d->items[1];
  StrBuf sb;
  sb_init(&sb);
  if (graph_text(I, f, args[0], &sb) < 0) {
    sb_free(&sb);
    return v_exc();
  }
  if (file.tag == T_NONE) {
    Value r = str_new(I, sb.s ? sb.s : "", sb.len);
    sb_free(&sb);
    return r;
  }
  const char *path = AS_STR(file)->s;
  const char *ext = file_ext(path);
  if (!strcmp(ext, "dot") || !strcmp(ext, "gv")) {
    int rc = write_text_file(I, path, sb.s ? sb.s : "", sb.len, "graph");
    sb_free(&sb);
    return rc < 0 ? v_exc() : v_incref(file);
  }
  if (strcmp(ext, "svg") && strcmp(ext, "png") && strcmp(ext, "pdf")) {
    sb_free(&sb);
    return jx_raise(I, E_VALUE,
                    "graph: cannot tell the format of '%s' from its extension; use .svg, .png, "
                    ".pdf (rendered by Graphviz) or .dot",
                    path);
  }
  if (!teach_have_program("dot")) {
    sb_free(&sb);
    return jx_raise(I, E_IO,
                    "graph: rendering '%s' needs Graphviz's `dot` program, which is not "
                    "installed (Debian/Ubuntu: apt-get install graphviz). graph(f)(x) without a "
                    "file name returns the DOT text, and graph(f, \"g.dot\") writes it",
                    path);
  }
  /* the DOT text goes to a temporary file next to the output */
  size_t L = strlen(path) + 16;
  char *tmp = jx_malloc(I, L);
  if (!tmp) {
    sb_free(&sb);
    return v_exc();
  }
  snprintf(tmp, L, "%s.XXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    jx_raise(I, E_IO, "graph: cannot write next to '%s': %s", path, strerror(errno));
    jx_free(tmp);
    sb_free(&sb);
    return v_exc();
  }
  close(fd);
  Value r = v_exc();
  if (write_text_file(I, tmp, sb.s ? sb.s : "", sb.len, "graph") == 0) {
    char fmt[16];
    snprintf(fmt, sizeof fmt, "-T%s", ext);
    char *argv[] = {"dot", fmt, tmp, "-o", (char *)path, NULL};
    int st = teach_run_program(I, argv);
    if (st == 0)
      r = v_incref(file);
    else if (st > 0)
      jx_raise(I, E_IO, "graph: `dot %s` failed (exit status %d) writing '%s'", fmt, st, path);
  }
  unlink(tmp);
  jx_free(tmp);
  sb_free(&sb);
  return r;
}
static const BuiltinDef graph_fn_def = {"graph", graph_apply, "*args", NULL};

static Value bi_graph(Interp *I, Value *args, int nargs, Value self) {
  if (!is_fn(args[0]))
    return jx_raise(I, E_TYPE, "graph: expected a function, got %s", type_name(args[0]));
  Value file = args[1].tag == T_UNSET ? v_none() : args[1];
  if (file.tag != T_NONE && file.tag != T_STR)
    return jx_raise(I, E_TYPE, "graph: the file name must be a string, got %s", type_name(file));
  Value items[2] = {args[0], file};
  Value data = tuple_of(I, 2, items);
  if (IS_EXC(data)) return data;
  Value c = tf_closure(I, &graph_fn_def, data, "graph", args[0]);
  v_decref(data);
  return c;
}

/* ------------------------------------------------------------------ */
/* the table                                                            */

const BuiltinDef teach_builtins[] = {
    {"explain", bi_explain, "f",
     "explain(f)(*args) shows how f is computed: it traces f into primitive steps (the "
     "program make_jaxpr prints), evaluates them one by one printing each value, and returns "
     "f(*args). explain(grad(f))(*args) then also runs the backward pass by hand, printing the "
     "cotangent ct_v = d(out)/d(v) that each step's VJP rule sends to its inputs, and returns "
     "the gradient. In the REPL, :explain grad(f)(0.5) does the same. "
     "Example: explain(grad(fn(x) => x * sin(x)))(1.0)."},
    {"graph", bi_graph, "f, file=None",
     "graph(f)(*args) traces f and returns the program as Graphviz DOT text: one node per "
     "input and per primitive step (with its value at args), edges from operands to results. "
     "graph(f, \"g.svg\")(*args) renders it with Graphviz's dot program (.svg, .png, .pdf; "
     "needs the graphviz package) and graph(f, \"g.dot\")(*args) writes the text. "
     "Example: print(graph(grad(fn(x) => x * sin(x)))(1.0))."},
    {"plot", bi_plot,
     "f, lo=None, hi=None, file=None, width=70, height=20, title=None, labels=None",
     "plot(f, lo, hi) draws f on [lo, hi] (default [-3, 3]) in the terminal as a braille-dot plot "
     "with labelled "
     "axes; plot((f, grad(f)), lo, hi) draws several functions, each with its own marker in "
     "the legend. f may also be an array (or a tuple of arrays), plotted against its index "
     "(e.g. a loss curve). With file=\"p.svg\" it writes an SVG file instead (for slides). "
     "Example: plot((sin, grad(sin)), -3.0, 3.0)."},
    {"savefig", bi_savefig, "path, f, lo=None, hi=None, title=None, labels=None",
     "savefig(path, f, lo, hi) writes the plot of f (a function, an array, or a tuple of "
     "them) on [lo, hi] as an SVG file, like plot(f, lo, hi, file=path). "
     "Example: savefig(\"tanh.svg\", (tanh, grad(tanh)), -4.0, 4.0)."},
    {"load_csv", bi_load_csv, "path, skip_header=0, delimiter=\",\"",
     "load_csv(path, skip_header=0, delimiter=\",\") reads a text file of numbers into a "
     "float64 array of shape (rows, columns) (a 1-d array when there is one column). "
     "skip_header lines are skipped first (True means 1); blank lines and lines starting with "
     "# are ignored; delimiter=None splits on whitespace. A field that is not a number, or a "
     "row of the wrong length, is a ValueError naming the line. "
     "Example: save_csv(\"/tmp/m.csv\", eye(2), header=\"a,b\"); load_csv(\"/tmp/m.csv\", "
     "skip_header=1) gives [[1. 0.] [0. 1.]]."},
    {"save_csv", bi_save_csv, "path, x, delimiter=\",\", header=None",
     "save_csv(path, x, delimiter=\",\", header=None) writes a 1-d or 2-d array as text, one "
     "row per line (floats with full precision), after an optional header line. load_csv "
     "reads it back. Example: save_csv(\"/tmp/xy.csv\", stack([arange(3.0), arange(3.0) ** 2], "
     "axis=1), header=\"x,y\")."},
    {"load_npy", bi_load_npy, "path",
     "load_npy(path) reads a numpy .npy file (format 1.0-3.0, little- or big-endian float64/"
     "float32, int64/int32/int16/int8, unsigned and bool data, C or Fortran order) into a jx "
     "array: floats become float64, integers int64. Example: save_npy(\"/tmp/w.npy\", "
     "arange(3)); load_npy(\"/tmp/w.npy\") gives [0 1 2]."},
    {"save_npy", bi_save_npy, "path, x",
     "save_npy(path, x) writes an array (or a scalar) as a numpy .npy file (format 1.0, "
     "little-endian <f8 / <i8 / |b1, C order) that numpy.load reads. "
     "Example: save_npy(\"/tmp/W.npy\", eye(2)); load_npy(\"/tmp/W.npy\") gives [[1. 0.] [0. "
     "1.]]."},
    {NULL, NULL, NULL, NULL},
};
