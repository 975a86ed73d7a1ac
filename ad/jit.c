/* jit.c — jit: one staged program per argument signature, simplified and
 * replayed by a register executor.
 *
 * A signature is the arguments' pytree structure, each numeric leaf's
 * dtype and shape, and every non-numeric leaf's value.  Called with
 * tracers of another transformation (grad(jit(f)), vmap(jit(f))) jit is
 * transparent: it calls f, so the outer transformation sees the ops.
 *
 * Per-call cost matters for small scalar functions: a call whose
 * arguments are a few bool/int/float scalars is matched by their tags
 * alone (the last entry first, no flattening), and a program over scalars
 * only runs on unboxed registers (the scalar executor below) instead of
 * the general Value executor. */
#include "stage.h"
#include "../stdlib/arr_internal.h"

#include <math.h>

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* simplification                                                       */

static bool params_eq(const Params *a, const Params *b) {
  static const Params zero = PARAMS_INIT;
  if (!a) a = &zero;
  if (!b) b = &zero;
  if (a->n != b->n || a->m != b->m || a->k != b->k || a->i0 != b->i0 || a->i1 != b->i1 ||
      a->nin != b->nin)
    return false;
  if (memcmp(&a->f0, &b->f0, sizeof(double)) || memcmp(&a->f1, &b->f1, sizeof(double))) return false;
  if (memcmp(a->a, b->a, sizeof(int64_t) * (size_t)a->n)) return false;
  if (memcmp(a->b, b->b, sizeof(int64_t) * (size_t)a->m)) return false;
  if (memcmp(a->c, b->c, sizeof(int64_t) * (size_t)(a->k > a->n ? a->k : a->n))) return false;
  if (memcmp(a->d, b->d, sizeof(int64_t) * (size_t)a->k)) return false;
  return true;
}

static bool const_eq(Value a, Value b) {
  if (a.tag != b.tag) return false;
  if (a.tag == T_FLOAT) return memcmp(&a.u.f, &b.u.f, sizeof(double)) == 0;
  if (a.tag == T_INT || a.tag == T_BOOL) return a.u.i == b.u.i;
  return IS_HEAP(a) && a.u.o == b.u.o;
}

static uint64_t const_hash(Value v) {
  uint64_t h = (uint64_t)v.tag * 0x9E3779B97F4A7C15u;
  if (v.tag == T_FLOAT) {
    uint64_t b;
    memcpy(&b, &v.u.f, sizeof b);
    h ^= b;
  } else if (v.tag == T_INT || v.tag == T_BOOL) {
    h ^= (uint64_t)v.u.i;
  } else if (IS_HEAP(v)) {
    h ^= (uint64_t)(uintptr_t)v.u.o;
  }
  h ^= h >> 31;
  h *= 0xBF58476D1CE4E5B9u;
  return h ^ (h >> 29);
}

/* Replace every constant atom by the first equal constant (linear time:
 * an open-addressing table over the constants).  0, or -1 (MemoryError). */
static int merge_consts(Interp *I, Stage *s) {
  int64_t nc = s->nconsts;
  if (nc < 2) return 0;
  int64_t cap = 4;
  while (cap < 2 * nc) cap *= 2;
  int64_t *tab = jx_malloc(I, (size_t)cap * sizeof(int64_t));
  int64_t *rep = jx_malloc(I, (size_t)nc * sizeof(int64_t));
  if (!tab || !rep) {
    jx_free(tab);
    jx_free(rep);
    return -1;
  }
  for (int64_t i = 0; i < cap; i++) tab[i] = -1;
  bool any = false;
  for (int64_t k = 0; k < nc; k++) {
    rep[k] = k;
    for (uint64_t h = const_hash(s->consts[k]) & (uint64_t)(cap - 1);; h = (h + 1) & (uint64_t)(cap - 1)) {
      if (tab[h] < 0) {
        tab[h] = k;
        break;
      }
      if (const_eq(s->consts[tab[h]], s->consts[k])) {
        rep[k] = tab[h];
        any = true;
        break;
      }
    }
  }
  if (any) {
    for (int64_t e = 0; e < s->neqns; e++)
      for (int i = 0; i < s->eqns[e].nin; i++) {
        int64_t a = s->eqns[e].in[i];
        if (a < 0) s->eqns[e].in[i] = -(rep[-a - 1] + 1);
      }
    for (int i = 0; i < s->nouts; i++)
      if (s->outs[i] < 0) s->outs[i] = -(rep[-s->outs[i] - 1] + 1);
  }
  jx_free(tab);
  jx_free(rep);
  return 0;
}

static int optimize(Interp *I, Stage *s, bool only_masks) {
  int64_t nv = s->nvars;
  int64_t *ren = jx_malloc(I, (size_t)(nv ? nv : 1) * sizeof(int64_t));
  bool *live = jx_calloc(I, (size_t)(nv ? nv : 1), sizeof(bool));
  bool *keep = jx_calloc(I, (size_t)(s->neqns ? s->neqns : 1), sizeof(bool));
  if (!ren || !live || !keep) {
    jx_free(ren);
    jx_free(live);
    jx_free(keep);
    return -1;
  }
  for (int64_t v = 0; v < nv; v++) ren[v] = v;
  /* merge equal scalar constants so CSE sees them as one atom */
  if (!only_masks && merge_consts(I, s) < 0) {
    jx_free(ren);
    jx_free(live);
    jx_free(keep);
    return -1;
  }
  /* CSE: equations chained by a hash of prim and inputs, about two
   * buckets per equation */
  int64_t HB = 1024;
  while (HB < 2 * s->neqns && HB < ((int64_t)1 << 40)) HB *= 2;
  int64_t *head = jx_malloc(I, (size_t)HB * sizeof(int64_t));
  int64_t *nxt = jx_malloc(I, (size_t)(s->neqns ? s->neqns : 1) * sizeof(int64_t));
  if (!head || !nxt) {
    jx_free(head);
    jx_free(nxt);
    jx_free(ren);
    jx_free(live);
    jx_free(keep);
    return -1;
  }
  for (int64_t i = 0; i < HB; i++) head[i] = -1;
  for (int64_t e = 0; e < s->neqns; e++) {
    Eqn *q = &s->eqns[e];
    for (int i = 0; i < q->nin; i++)
      if (q->in[i] >= 0) q->in[i] = ren[q->in[i]];
    if (q->prim == P_WHILE || (only_masks && !q->mask)) {
      nxt[e] = -1;
      keep[e] = true;
      continue;
    }
    uint64_t h = (uint64_t)q->prim * 1000003u;
    for (int i = 0; i < q->nin; i++) h = h * 31 + (uint64_t)(q->in[i] + 7);
    h %= HB;
    int64_t found = -1;
    for (int64_t o = head[h]; o >= 0; o = nxt[o]) {
      Eqn *r = &s->eqns[o];
      if (r->prim != q->prim || r->nin != q->nin) continue;
      if (memcmp(r->in, q->in, sizeof(int64_t) * (size_t)q->nin)) continue;
      if (!params_eq(r->p, q->p)) continue;
      found = o;
      break;
    }
    if (found >= 0) {
      ren[q->out] = s->eqns[found].out;
      nxt[e] = -1;
      keep[e] = false;
    } else {
      nxt[e] = head[h];
      head[h] = e;
      keep[e] = true;
    }
  }
  jx_free(head);
  jx_free(nxt);
  for (int i = 0; i < s->nouts; i++)
    if (s->outs[i] >= 0) s->outs[i] = ren[s->outs[i]];
  /* DCE */
  for (int i = 0; i < s->nouts; i++)
    if (s->outs[i] >= 0) live[s->outs[i]] = true;
  for (int64_t e = s->neqns - 1; e >= 0; e--) {
    Eqn *q = &s->eqns[e];
    bool any_live = false;
    for (int k = 0; k < q->nout; k++) any_live |= live[q->out + k];
    if (!keep[e] || (!any_live && (q->mask || !only_masks))) {
      keep[e] = false;
      continue;
    }
    for (int i = 0; i < q->nin; i++)
      if (q->in[i] >= 0) live[q->in[i]] = true;
  }
  int64_t w = 0;
  for (int64_t e = 0; e < s->neqns; e++) {
    if (keep[e]) {
      Eqn tmp = s->eqns[e];
      if (tmp.in == s->eqns[e].in_i) {
        s->eqns[w] = tmp;
        s->eqns[w].in = s->eqns[w].in_i;
      } else {
        s->eqns[w] = tmp;
      }
      w++;
    } else {
      jx_free(s->eqns[e].p);
      if (s->eqns[e].in != s->eqns[e].in_i) jx_free(s->eqns[e].in);
      stage_release(s->eqns[e].sub[0]);
      stage_release(s->eqns[e].sub[1]);
    }
  }
  s->neqns = w;
  jx_free(ren);
  jx_free(live);
  jx_free(keep);
  return 0;
}

int stage_optimize(Interp *I, Stage *s) { return optimize(I, s, false); }
int stage_optimize_masks(Interp *I, Stage *s) { return optimize(I, s, true); }

/* ------------------------------------------------------------------ */
/* the executor                                                         */

/* The staged while loop: run the condition program, then the body, until
 * the condition is false.  Carries are the first ncarry inputs. */
static int run_while(Interp *I, Stage *s, Eqn *q, Value *reg) {
  int nc = q->ncarry, nin = q->nin;
  Stage *cs = q->sub[0], *bs = q->sub[1];
  Value *in = jx_malloc(I, (size_t)(nin + 1) * sizeof(Value));
  Value *carry = jx_malloc(I, (size_t)(nc + 1) * sizeof(Value));
  Value *cin = jx_malloc(I, (size_t)(nc + cs->ncaps + 1) * sizeof(Value));
  Value *bin = jx_malloc(I, (size_t)(nc + bs->ncaps + 1) * sizeof(Value));
  int rc = -1;
  int k = 0;
  if (!in || !carry || !cin || !bin) goto done;
  for (int i = 0; i < nin; i++) {
    int64_t a = q->in[i];
    in[i] = a >= 0 ? reg[a] : s->consts[-a - 1];
  }
  for (k = 0; k < nc; k++) carry[k] = v_incref(in[k]);
  for (;;) {
    if (jx_check_interrupt(I) < 0) goto done;
    for (int i = 0; i < nc; i++) cin[i] = carry[i];
    for (int i = 0; i < cs->ncaps; i++) cin[nc + i] = in[nc + i];
    Value c;
    if (stage_run(I, cs, cin, &c) < 0) goto done;
    int t = c.tag == T_BOOL || c.tag == T_INT ? c.u.i != 0 : c.tag == T_FLOAT ? c.u.f != 0 : -1;
    v_decref(c);
    if (t < 0) {
      jx_raise(I, E_TYPE, "while_loop: cond_fun must return a scalar");
      goto done;
    }
    if (!t) break;
    for (int i = 0; i < nc; i++) bin[i] = carry[i];
    for (int i = 0; i < bs->ncaps; i++) bin[nc + i] = in[nc + q->ncap0 + i];
    Value *nv = jx_malloc(I, (size_t)(nc + 1) * sizeof(Value));
    if (!nv) goto done;
    if (stage_run(I, bs, bin, nv) < 0) {
      jx_free(nv);
      goto done;
    }
    for (int i = 0; i < nc; i++) {
      v_decref(carry[i]);
      carry[i] = nv[i];
    }
    jx_free(nv);
  }
  for (int i = 0; i < nc; i++) {
    reg[q->out + i] = carry[i];
    carry[i] = v_unset();
  }
  rc = 0;
done:
  if (carry)
    for (int i = 0; i < k && i < nc; i++) v_decref(carry[i]);
  jx_free(in);
  jx_free(carry);
  jx_free(cin);
  jx_free(bin);
  return rc;
}

int stage_run(Interp *I, Stage *s, const Value *inputs, Value *out) {
  static const Params zero = PARAMS_INIT;
  if (!s->last_use) {
    /* the equation after which each variable is dead (computed once) */
    int64_t *lu = jx_malloc(I, (size_t)(s->nvars ? s->nvars : 1) * sizeof(int64_t));
    if (!lu) return -1;
    for (int64_t v = 0; v < s->nvars; v++) lu[v] = -1;
    for (int64_t e = 0; e < s->neqns; e++)
      for (int i = 0; i < s->eqns[e].nin; i++)
        if (s->eqns[e].in[i] >= 0) lu[s->eqns[e].in[i]] = e;
    for (int i = 0; i < s->nouts; i++)
      if (s->outs[i] >= 0) lu[s->outs[i]] = s->neqns; /* keep outputs */
    s->last_use = lu;
  }
  const int64_t *last = s->last_use;
  Value reg_small[64];
  Value *reg = s->nvars <= 64 ? reg_small : jx_malloc(I, (size_t)s->nvars * sizeof(Value));
  if (!reg) return -1;
  for (int64_t v = 0; v < s->nvars; v++) reg[v] = v_unset();
  for (int i = 0; i < s->ninvars; i++) reg[s->invars[i]] = v_incref(inputs[i]);
  int rc = 0;
  Value inb[64];
  for (int64_t e = 0; e < s->neqns; e++) {
    Eqn *q = &s->eqns[e];
    if (s->fuse && s->fuse->group_of[e] >= 0) {
      int g = s->fuse->group_of[e];
      int64_t last_e = fuse_group_last(s->fuse, g);
      if (fuse_run(I, s, s->fuse, g, reg, last) < 0) {
        rc = -1;
        break;
      }
      /* release inputs whose last use was inside the group */
      for (int64_t k = e; k <= last_e; k++)
        for (int i = 0; i < s->eqns[k].nin; i++) {
          int64_t a = s->eqns[k].in[i];
          if (a >= 0 && last[a] >= e && last[a] <= last_e) {
            v_decref(reg[a]);
            reg[a] = v_unset();
          }
        }
      e = last_e;
      continue;
    }
    if ((e & 63) == 0 && jx_check_interrupt(I) < 0) {
      rc = -1;
      break;
    }
    if (q->prim == P_WHILE) {
      if (run_while(I, s, q, reg) < 0) {
        rc = -1;
        break;
      }
      for (int i = 0; i < q->nin; i++) {
        int64_t a = q->in[i];
        if (a >= 0 && last[a] == e) {
          v_decref(reg[a]);
          reg[a] = v_unset();
        }
      }
      continue;
    }
    for (int i = 0; i < q->nin && i < 64; i++) {
      int64_t a = q->in[i];
      inb[i] = a >= 0 ? reg[a] : s->consts[-a - 1];
    }
    Value r = jx_prims[q->prim].impl(I, inb, q->p ? q->p : &zero);
    if (IS_EXC(r)) {
      rc = -1;
      break;
    }
    reg[q->out] = r;
    for (int i = 0; i < q->nin; i++) {
      int64_t a = q->in[i];
      if (a >= 0 && last[a] == e) {
        v_decref(reg[a]);
        reg[a] = v_unset();
      }
    }
  }
  if (rc == 0)
    for (int i = 0; i < s->nouts; i++) {
      int64_t a = s->outs[i];
      out[i] = v_incref(a >= 0 ? reg[a] : s->consts[-a - 1]);
    }
  for (int64_t v = 0; v < s->nvars; v++) v_decref(reg[v]);
  if (reg != reg_small) jx_free(reg);
  return rc;
}

/* ------------------------------------------------------------------ */
/* the scalar executor                                                  */

/* A program whose every variable and constant is a bool/int/float scalar
 * (the common case of jit(f) and jit(grad(f)) on a float) is compiled once
 * into straight-line code over a register file of unboxed scalars: no
 * Value per intermediate, no dispatch through the primitive table.  Every
 * operation computes exactly what the primitive's scalar kernel computes
 * (stdlib/prims_elementwise.c: same formulas, same libm functions), so
 * results are bit-identical to the general executor and to eager code.
 * Primitives that can raise at run time (integer // % ** by zero or a
 * negative power) are not compiled: such programs use the general path.
 * A staged while loop over scalar carries becomes one operation running
 * its condition and body plans, each in a register file of its own. */

typedef union {
  double f;
  int64_t i; /* int, and bool as 0/1 */
} SReg;

typedef enum {
  SC_COPY,
  SC_I2F, /* int or bool -> float */
  /* float -> float */
  SC_FNEG, SC_FLIBM, SC_FSQRT, SC_FLOGISTIC, SC_FABS, SC_FSIGN, SC_FFLOOR, SC_FCEIL, SC_FROUND,
  SC_FIPOW,
  /* float -> bool */
  SC_FISNAN, SC_FISINF, SC_FISFINITE,
  /* float, float -> float */
  SC_FADD, SC_FSUB, SC_FMUL, SC_FDIV, SC_FFLOORDIV, SC_FMOD, SC_FPOW, SC_FMAX, SC_FMIN, SC_FATAN2,
  /* float, float -> bool */
  SC_FEQ, SC_FNE, SC_FLT, SC_FLE, SC_FGT, SC_FGE,
  /* int (or bool as 0/1) */
  SC_IADD, SC_ISUB, SC_IMUL, SC_IMAX, SC_IMIN, SC_IAND, SC_IOR, SC_INEG, SC_IABS, SC_ISIGN, SC_IIPOW,
  SC_INOT, SC_BNOT,
  SC_IEQ, SC_INE, SC_ILT, SC_ILE, SC_IGT, SC_IGE,
  /* o = a (bool) ? b : c */
  SC_SELECT,
  /* outputs o .. o+ncarry-1: the staged while loop w */
  SC_WHILE
} SCode;

typedef struct SWhile SWhile;

typedef struct {
  uint8_t code;
  int32_t o, a, b, c;
  int64_t i0;            /* integer_pow exponent */
  double (*fn)(double);  /* SC_FLIBM */
  SWhile *w;             /* SC_WHILE (owned) */
} SOp;

typedef struct SPlan {
  int32_t nregs;   /* constants first (0 .. nconsts-1), then variables, then temporaries */
  int32_t nconsts;
  SReg *consts;
  SOp *ops;
  int32_t nops;
  int32_t nin, nout;
  int32_t *in_reg;
  int32_t *out_reg;
  uint8_t *in_dt, *out_dt;
} SPlan;

/* A while loop: the condition's inputs are the carries then in[ncarry ..
 * ncarry+ncap0-1]; the body's the carries then the rest of in[]. */
struct SWhile {
  SPlan *cond, *body;
  int32_t ncarry, ncap0, nin;
  int32_t *in; /* registers of the enclosing plan */
};

static void splan_free(SPlan *p);

static void swhile_free(SWhile *w) {
  if (!w) return;
  splan_free(w->cond);
  splan_free(w->body);
  jx_free(w->in);
  jx_free(w);
}

static void splan_free(SPlan *p) {
  if (!p) return;
  for (int32_t k = 0; k < p->nops; k++)
    if (p->ops[k].code == SC_WHILE) swhile_free(p->ops[k].w);
  jx_free(p->consts);
  jx_free(p->ops);
  jx_free(p->in_reg);
  jx_free(p->out_reg);
  jx_free(p->in_dt);
  jx_free(p->out_dt);
  jx_free(p);
}

static int scalar_dtype(Value v) {
  switch (v.tag) {
  case T_FLOAT: return DT_FLOAT;
  case T_INT: return DT_INT;
  case T_BOOL: return DT_BOOL;
  default: return -1;
  }
}

/* libm functions of the transcendental primitives (the scalar path of
 * vm_apply uses these same functions) */
static double (*libm_of(PrimId id))(double) {
  switch (id) {
  case P_exp: return exp;
  case P_log: return log;
  case P_log1p: return log1p;
  case P_expm1: return expm1;
  case P_sin: return sin;
  case P_cos: return cos;
  case P_tan: return tan;
  case P_asin: return asin;
  case P_acos: return acos;
  case P_atan: return atan;
  case P_sinh: return sinh;
  case P_cosh: return cosh;
  case P_tanh: return tanh;
  case P_erf: return erf;
  default: return NULL;
  }
}

typedef struct {
  Stage *s;
  SOp *ops;
  int32_t nops, cap;
  int32_t nregs;
} SBuild;

static SOp *sb_op(Interp *I, SBuild *b, int code) {
  if (b->nops == b->cap) {
    int32_t cap = b->cap ? b->cap * 2 : 16;
    SOp *n = jx_realloc(I, b->ops, (size_t)cap * sizeof(SOp));
    if (!n) return NULL;
    b->ops = n;
    b->cap = cap;
  }
  SOp *o = &b->ops[b->nops++];
  memset(o, 0, sizeof *o);
  o->code = (uint8_t)code;
  return o;
}

static int32_t atom_reg(const SBuild *b, int64_t a) {
  return a >= 0 ? (int32_t)(b->s->nconsts + a) : (int32_t)(-a - 1);
}
static int atom_dtype(const SBuild *b, int64_t a) {
  return a >= 0 ? b->s->vars[a].dtype : scalar_dtype(b->s->consts[-a - 1]);
}

/* The register holding atom a in compute dtype c (a conversion if
 * needed); -1: not compilable, -2: out of memory. */
static int32_t operand(Interp *I, SBuild *b, int64_t a, int c) {
  int d = atom_dtype(b, a);
  int32_t r = atom_reg(b, a);
  if (d == c || (d == DT_BOOL && c == DT_INT)) return r;
  if (c != DT_FLOAT) return -1;
  SOp *o = sb_op(I, b, SC_I2F);
  if (!o) return -2;
  o->a = r;
  o->o = b->nregs++;
  return o->o;
}

static SPlan *splan_build(Interp *I, Stage *s);

/* A staged while loop whose sub-programs compile too; 0, -1, -2 as below. */
static int compile_while(Interp *I, SBuild *b, const Eqn *q) {
  Stage *cs = q->sub[0], *bs = q->sub[1];
  int nc = q->ncarry;
  if (cs->ninvars != nc + cs->ncaps || bs->ninvars != nc + bs->ncaps || cs->nouts != 1 ||
      bs->nouts != nc || q->nin != nc + cs->ncaps + bs->ncaps || q->ncap0 != cs->ncaps ||
      q->nout != nc)
    return -1;
  SWhile *w = jx_calloc(I, 1, sizeof(SWhile));
  if (!w) return -2;
  w->ncarry = nc;
  w->ncap0 = q->ncap0;
  w->nin = q->nin;
  w->in = jx_malloc(I, (size_t)(q->nin + 1) * sizeof(int32_t));
  if (!w->in) {
    swhile_free(w);
    return -2;
  }
  for (int i = 0; i < q->nin; i++) w->in[i] = atom_reg(b, q->in[i]);
  w->cond = splan_build(I, cs);
  w->body = w->cond ? splan_build(I, bs) : NULL;
  if (!w->body) {
    swhile_free(w);
    return -1;
  }
  SOp *o = sb_op(I, b, SC_WHILE);
  if (!o) {
    swhile_free(w);
    return -2;
  }
  o->o = atom_reg(b, q->out);
  o->a = o->b = o->c = o->o;
  o->w = w;
  return 0;
}

/* Compile equation q; 0 done, -1 not compilable, -2 out of memory. */
static int compile_eqn(Interp *I, SBuild *b, const Eqn *q) {
  static const Params zero = PARAMS_INIT;
  const Params *p = q->p ? q->p : &zero;
  if (q->prim == P_WHILE) return compile_while(I, b, q);
  if (q->nout != 1) return -1;
  int od = b->s->vars[q->out].dtype;
  int32_t out = atom_reg(b, q->out);
  PrimId id = q->prim;
  PrimKind kind = jx_prims[id].kind;
  int32_t r[3] = {-1, -1, -1};
  int code = -1;
  if (kind == PK_UNARY) {
    int in = atom_dtype(b, q->in[0]);
    int c = DT_FLOAT;
    switch (id) {
    case P_neg:
    case P_abs:
    case P_sign:
    case P_floor:
    case P_ceil:
    case P_round:
    case P_integer_pow: c = od; break;
    case P_isnan:
    case P_isinf:
    case P_isfinite:
    case P_not: c = in; break;
    default: c = DT_FLOAT; break;
    }
    if ((r[0] = operand(I, b, q->in[0], c)) < 0) return r[0];
    if (c == DT_FLOAT) {
      switch (id) {
      case P_neg: code = SC_FNEG; break;
      case P_sqrt: code = SC_FSQRT; break;
      case P_logistic: code = SC_FLOGISTIC; break;
      case P_abs: code = SC_FABS; break;
      case P_sign: code = SC_FSIGN; break;
      case P_floor: code = SC_FFLOOR; break;
      case P_ceil: code = SC_FCEIL; break;
      case P_round: code = SC_FROUND; break;
      case P_integer_pow: code = SC_FIPOW; break;
      case P_isnan: code = SC_FISNAN; break;
      case P_isinf: code = SC_FISINF; break;
      case P_isfinite: code = SC_FISFINITE; break;
      default: code = libm_of(id) ? SC_FLIBM : -1; break;
      }
    } else {
      switch (id) {
      case P_neg: code = SC_INEG; break;
      case P_abs: code = SC_IABS; break;
      case P_sign: code = SC_ISIGN; break;
      case P_floor:
      case P_ceil:
      case P_round: code = SC_COPY; break;
      case P_integer_pow: code = p->i0 >= 0 ? SC_IIPOW : -1; break;
      case P_not: code = c == DT_BOOL ? SC_BNOT : SC_INOT; break;
      default: code = -1; break;
      }
    }
  } else if (kind == PK_BINARY || kind == PK_CMP) {
    int c = kind == PK_CMP ? (int)dtype_promote((DType)atom_dtype(b, q->in[0]),
                                                (DType)atom_dtype(b, q->in[1]))
                           : od;
    if ((r[0] = operand(I, b, q->in[0], c)) < 0) return r[0];
    if ((r[1] = operand(I, b, q->in[1], c)) < 0) return r[1];
    if (c == DT_FLOAT) {
      switch (id) {
      case P_add: code = SC_FADD; break;
      case P_sub: code = SC_FSUB; break;
      case P_mul: code = SC_FMUL; break;
      case P_div: code = SC_FDIV; break;
      case P_floordiv: code = SC_FFLOORDIV; break;
      case P_mod: code = SC_FMOD; break;
      case P_pow: code = SC_FPOW; break;
      case P_max: code = SC_FMAX; break;
      case P_min: code = SC_FMIN; break;
      case P_atan2: code = SC_FATAN2; break;
      case P_eq: code = SC_FEQ; break;
      case P_ne: code = SC_FNE; break;
      case P_lt: code = SC_FLT; break;
      case P_le: code = SC_FLE; break;
      case P_gt: code = SC_FGT; break;
      case P_ge: code = SC_FGE; break;
      default: code = -1; break;
      }
    } else {
      /* int, or bool (max/min/and/or/comparisons on 0/1 agree with the
       * uint8 kernels) */
      bool arith = id == P_add || id == P_sub || id == P_mul;
      switch (id) {
      case P_add: code = SC_IADD; break;
      case P_sub: code = SC_ISUB; break;
      case P_mul: code = SC_IMUL; break;
      case P_max: code = SC_IMAX; break;
      case P_min: code = SC_IMIN; break;
      case P_and: code = SC_IAND; break;
      case P_or: code = SC_IOR; break;
      case P_eq: code = SC_IEQ; break;
      case P_ne: code = SC_INE; break;
      case P_lt: code = SC_ILT; break;
      case P_le: code = SC_ILE; break;
      case P_gt: code = SC_IGT; break;
      case P_ge: code = SC_IGE; break;
      default: code = -1; break; /* floordiv, mod, pow can raise */
      }
      if (arith && c != DT_INT) code = -1;
    }
  } else if (id == P_select) {
    if (atom_dtype(b, q->in[0]) != DT_BOOL) return -1;
    r[0] = atom_reg(b, q->in[0]);
    if ((r[1] = operand(I, b, q->in[1], od)) < 0) return r[1];
    if ((r[2] = operand(I, b, q->in[2], od)) < 0) return r[2];
    code = SC_SELECT;
  } else if (id == P_stop_gradient) {
    r[0] = atom_reg(b, q->in[0]);
    code = SC_COPY;
  } else if (id == P_convert) {
    int in = atom_dtype(b, q->in[0]);
    if (in == od || (in == DT_BOOL && od == DT_INT)) {
      r[0] = atom_reg(b, q->in[0]);
      code = SC_COPY;
    } else if (od == DT_FLOAT) {
      r[0] = atom_reg(b, q->in[0]);
      code = SC_I2F;
    }
  }
  if (code < 0) return -1;
  SOp *o = sb_op(I, b, code);
  if (!o) return -2;
  /* unused operands name the first one: every operand read is defined */
  o->o = out;
  o->a = r[0];
  o->b = r[1] >= 0 ? r[1] : r[0];
  o->c = r[2] >= 0 ? r[2] : r[0];
  o->i0 = p->i0;
  if (code == SC_FLIBM) o->fn = libm_of(id);
  return 0;
}

/* The scalar plan of s, or NULL (not applicable; or out of memory, with
 * the error cleared: the plan is an optimisation). */
static SPlan *splan_build(Interp *I, Stage *s) {
  enum { MAX_REGS = 1 << 28 }; /* register numbers fit an int32 */
  if (s->nvars + s->nconsts + 3 * s->neqns >= MAX_REGS) return NULL;
  for (int64_t v = 0; v < s->nvars; v++)
    if (s->vars[v].ndim != 0 || s->vars[v].dtype > DT_FLOAT) return NULL;
  for (int64_t k = 0; k < s->nconsts; k++)
    if (scalar_dtype(s->consts[k]) < 0) return NULL;
  SBuild b = {s, NULL, 0, 0, (int32_t)(s->nconsts + s->nvars)};
  int rc = 0;
  for (int64_t e = 0; e < s->neqns && rc == 0; e++) {
    const Eqn *q = &s->eqns[e];
    for (int i = 0; i < q->nin; i++)
      if (atom_dtype(&b, q->in[i]) < 0) rc = -1;
    if (rc == 0) rc = compile_eqn(I, &b, q);
  }
  SPlan *p = NULL;
  if (rc == 0) p = jx_calloc(I, 1, sizeof(SPlan));
  if (p) {
    p->nregs = b.nregs;
    p->nconsts = (int32_t)s->nconsts;
    p->ops = b.ops;
    b.ops = NULL;
    p->nops = b.nops;
    p->nin = s->ninvars;
    p->nout = s->nouts;
    p->consts = jx_malloc(I, (size_t)(s->nconsts + 1) * sizeof(SReg));
    p->in_reg = jx_malloc(I, (size_t)(p->nin + 1) * sizeof(int32_t));
    p->out_reg = jx_malloc(I, (size_t)(p->nout + 1) * sizeof(int32_t));
    p->in_dt = jx_malloc(I, (size_t)(p->nin + 1));
    p->out_dt = jx_malloc(I, (size_t)(p->nout + 1));
    if (!p->consts || !p->in_reg || !p->out_reg || !p->in_dt || !p->out_dt) {
      splan_free(p);
      p = NULL;
    } else {
      for (int64_t k = 0; k < s->nconsts; k++) {
        Value c = s->consts[k];
        if (c.tag == T_FLOAT) p->consts[k].f = c.u.f;
        else p->consts[k].i = c.tag == T_BOOL ? (c.u.i != 0) : c.u.i;
      }
      for (int i = 0; i < p->nin; i++) {
        p->in_reg[i] = atom_reg(&b, s->invars[i]);
        p->in_dt[i] = (uint8_t)atom_dtype(&b, s->invars[i]);
      }
      for (int i = 0; i < p->nout; i++) {
        p->out_reg[i] = atom_reg(&b, s->outs[i]);
        p->out_dt[i] = (uint8_t)atom_dtype(&b, s->outs[i]);
      }
    }
  }
  if (b.ops) {
    /* not compiled: release the loops compiled so far */
    for (int32_t k = 0; k < b.nops; k++)
      if (b.ops[k].code == SC_WHILE) swhile_free(b.ops[k].w);
    jx_free(b.ops);
  }
  jx_err_clear(I);
  return p;
}

static int run_while_scalar(Interp *I, const SWhile *w, SReg *r, int32_t out);

/* Run p on the register file r (constants and inputs loaded); 0, or -1
 * with an error raised (Ctrl-C in a loop, out of memory). */
static int splan_exec(Interp *I, const SPlan *p, SReg *r) {
  for (int32_t n = 0; n < p->nops; n++) { /* ops is NULL when nops is 0 */
    const SOp *o = &p->ops[n];
    const double x = r[o->a].f, y = r[o->b].f;
    const int64_t i = r[o->a].i, j = r[o->b].i;
    SReg *d = &r[o->o];
    switch ((SCode)o->code) {
    case SC_COPY: *d = r[o->a]; break;
    case SC_I2F: d->f = (double)i; break;
    case SC_FNEG: d->f = -x; break;
    case SC_FLIBM: d->f = o->fn(x); break;
    case SC_FSQRT: d->f = sqrt(x); break;
    case SC_FLOGISTIC: d->f = flogistic(x); break;
    case SC_FABS: d->f = fabs(x); break;
    case SC_FSIGN: d->f = fsign(x); break;
    case SC_FFLOOR: d->f = floor(x); break;
    case SC_FCEIL: d->f = ceil(x); break;
    case SC_FROUND: d->f = nearbyint(x); break;
    case SC_FIPOW: d->f = fipow(x, o->i0); break; /* the kernels' products */
    case SC_FISNAN: d->i = x != x; break;
    case SC_FISINF: d->i = fabs(x) == INFINITY; break;
    case SC_FISFINITE: d->i = fabs(x) < INFINITY; break;
    case SC_FADD: d->f = x + y; break;
    case SC_FSUB: d->f = x - y; break;
    case SC_FMUL: d->f = x * y; break;
    case SC_FDIV: d->f = x / y; break;
    case SC_FFLOORDIV: d->f = fpy_floordiv(x, y); break;
    case SC_FMOD: d->f = fpy_mod(x, y); break;
    case SC_FPOW: d->f = pow(x, y); break;
    case SC_FMAX: d->f = (x > y || x != x) ? x : y; break;
    case SC_FMIN: d->f = (x < y || x != x) ? x : y; break;
    case SC_FATAN2: d->f = atan2(x, y); break;
    case SC_FEQ: d->i = x == y; break;
    case SC_FNE: d->i = x != y; break;
    case SC_FLT: d->i = x < y; break;
    case SC_FLE: d->i = x <= y; break;
    case SC_FGT: d->i = x > y; break;
    case SC_FGE: d->i = x >= y; break;
    case SC_IADD: d->i = iwrap_add(i, j); break;
    case SC_ISUB: d->i = iwrap_sub(i, j); break;
    case SC_IMUL: d->i = iwrap_mul(i, j); break;
    case SC_IMAX: d->i = i > j ? i : j; break;
    case SC_IMIN: d->i = i < j ? i : j; break;
    case SC_IAND: d->i = i & j; break;
    case SC_IOR: d->i = i | j; break;
    case SC_INEG: d->i = (int64_t)(0 - (uint64_t)i); break;
    case SC_IABS: d->i = i < 0 ? (int64_t)(0 - (uint64_t)i) : i; break;
    case SC_ISIGN: d->i = (i > 0) - (i < 0); break;
    case SC_IIPOW: d->i = ipy_pow(i, o->i0); break;
    case SC_INOT: d->i = ~i; break;
    case SC_BNOT: d->i = !i; break;
    case SC_IEQ: d->i = i == j; break;
    case SC_INE: d->i = i != j; break;
    case SC_ILT: d->i = i < j; break;
    case SC_ILE: d->i = i <= j; break;
    case SC_IGT: d->i = i > j; break;
    case SC_IGE: d->i = i >= j; break;
    case SC_SELECT: *d = i ? r[o->b] : r[o->c]; break;
    case SC_WHILE:
      if (run_while_scalar(I, o->w, r, o->o) < 0) return -1;
      break;
    }
  }
  return 0;
}

/* The carries live in the enclosing registers out .. out+ncarry-1; the
 * condition and the body run in register files of their own, allocated
 * once per loop. */
static int run_while_scalar(Interp *I, const SWhile *w, SReg *r, int32_t out) {
  const SPlan *cp = w->cond, *bp = w->body;
  int32_t nc = w->ncarry;
  SReg small[128];
  size_t need = (size_t)cp->nregs + (size_t)bp->nregs;
  SReg *cr = need <= 128 ? small : jx_malloc(I, need * sizeof(SReg));
  if (!cr) return -1;
  SReg *br = cr + cp->nregs;
  if (cp->nconsts) memcpy(cr, cp->consts, (size_t)cp->nconsts * sizeof(SReg));
  if (bp->nconsts) memcpy(br, bp->consts, (size_t)bp->nconsts * sizeof(SReg));
  /* captured values do not change during the loop */
  for (int32_t i = nc; i < nc + w->ncap0; i++) cr[cp->in_reg[i]] = r[w->in[i]];
  for (int32_t i = nc + w->ncap0; i < w->nin; i++) br[bp->in_reg[i - w->ncap0]] = r[w->in[i]];
  for (int32_t k = 0; k < nc; k++) r[out + k] = r[w->in[k]];
  int rc = 0;
  for (;;) {
    if (jx_check_interrupt(I) < 0) {
      rc = -1;
      break;
    }
    for (int32_t k = 0; k < nc; k++) cr[cp->in_reg[k]] = r[out + k];
    if (splan_exec(I, cp, cr) < 0) {
      rc = -1;
      break;
    }
    SReg c = cr[cp->out_reg[0]];
    if (!(cp->out_dt[0] == DT_FLOAT ? c.f != 0 : c.i != 0)) break;
    for (int32_t k = 0; k < nc; k++) br[bp->in_reg[k]] = r[out + k];
    if (splan_exec(I, bp, br) < 0) {
      rc = -1;
      break;
    }
    for (int32_t k = 0; k < nc; k++) r[out + k] = br[bp->out_reg[k]];
  }
  if (cr != small) jx_free(cr);
  return rc;
}

static Value sreg_value(SReg r, int dt) {
  switch (dt) {
  case DT_FLOAT: return v_float(r.f);
  case DT_INT: return v_int(r.i);
  default: return v_bool(r.i != 0);
  }
}

/* ------------------------------------------------------------------ */
/* the jit object                                                       */

enum { JIT_FAST_ARGS = 8 };

typedef struct JitEntry {
  Value args;     /* the signature's template: the first call's arguments */
  VVec leaves;    /* its leaves (numeric leaves replaced by None) */
  Aval *avals;    /* per leaf (numeric) */
  int64_t nleaves;
  Stage *s;
  VVec out_leaves; /* leaves of s->out_tree (T_UNSET: a numeric output) */
  SPlan *sp;       /* the scalar executor's program, or NULL */
  /* the arguments are nflat bool/int/float scalars with these tags
   * (-1: another signature): checked without flattening */
  int nflat;
  uint8_t flat_tags[JIT_FAST_ARGS];
  struct JitEntry *next;
} JitEntry;

typedef struct {
  GenObj g;
  Value f;
  JitEntry *cache;
  JitEntry *last; /* the entry of the last call (checked first) */
  int ncache;
} JitObj;

static void jit_free(Obj *o) {
  JitObj *j = (JitObj *)o;
  v_decref(j->f);
  for (JitEntry *e = j->cache, *n; e; e = n) {
    n = e->next;
    v_decref(e->args);
    vvec_free(&e->leaves);
    vvec_free(&e->out_leaves);
    jx_free(e->avals);
    splan_free(e->sp);
    stage_release(e->s);
    jx_free(e);
  }
  jx_free(j);
}
static const ObjOps jit_ops = {"jit_state", jit_free, NULL, NULL, NULL, NULL};

static bool is_num(Value v) { return is_numeric(v) || v.tag == T_TRACER; }

static bool sig_match(Interp *I, JitEntry *e, Value args, const VVec *leaves) {
  if (leaves->n != e->nleaves || !tree_same_structure(args, e->args)) return false;
  VVec el = e->leaves;
  for (int64_t i = 0; i < leaves->n; i++) {
    Value a = leaves->v[i], b = el.v[i];
    if (is_num(a) != is_num(b)) return false;
    if (is_num(a)) {
      Aval av;
      if (val_aval(I, a, &av) < 0) {
        jx_err_clear(I);
        return false;
      }
      if (!aval_eq(&av, &e->avals[i])) return false;
    } else if (!values_equal(a, b)) {
      return false;
    }
  }
  return true;
}

/* The output tree from the numeric output leaves out[nouts] (borrowed). */
static Value build_output(Interp *I, JitEntry *e, const Value *out) {
  Stage *s = e->s;
  if (s->out_tree.tag == T_UNSET) return v_incref(out[0]);
  int64_t n = e->out_leaves.n;
  Value full_small[16] = {{0}};
  Value *full = n <= 16 ? full_small : jx_malloc(I, (size_t)n * sizeof(Value));
  if (!full) return v_exc();
  int o = 0;
  for (int64_t i = 0; i < n; i++) {
    Value v = e->out_leaves.v[i];
    full[i] = v.tag == T_UNSET && o < s->nouts ? out[o++] : v;
  }
  int64_t pos = 0;
  Value r = tree_unflatten(I, s->out_tree, full, n, &pos);
  if (full != full_small) jx_free(full);
  return r;
}

static Value run_entry(Interp *I, JitEntry *e, const Value *leaves, int64_t nleaves) {
  Stage *s = e->s;
  Value in_small[16], out_small[16];
  Value *in = s->ninvars <= 16 ? in_small : jx_malloc(I, (size_t)s->ninvars * sizeof(Value));
  Value *out = s->nouts <= 16 ? out_small : jx_malloc(I, (size_t)s->nouts * sizeof(Value));
  Value r = v_exc();
  if (!in || !out) goto done;
  int k = 0;
  for (int64_t i = 0; i < nleaves; i++)
    if (is_num(leaves[i])) in[k++] = leaves[i];
  if (stage_run(I, s, in, out) < 0) goto done;
  r = build_output(I, e, out);
  for (int i = 0; i < s->nouts; i++) v_decref(out[i]);
done:
  if (in != in_small) jx_free(in);
  if (out != out_small) jx_free(out);
  return r;
}

/* Run entry e on nargs bool/int/float scalars. */
static Value run_scalars(Interp *I, JitEntry *e, const Value *args, int nargs) {
  const SPlan *p = e->sp;
  if (!p || p->nin != nargs) return run_entry(I, e, args, nargs);
  SReg small[128];
  SReg *r = p->nregs <= 128 ? small : jx_malloc(I, (size_t)p->nregs * sizeof(SReg));
  if (!r) return v_exc();
  if (p->nconsts) memcpy(r, p->consts, (size_t)p->nconsts * sizeof(SReg));
  for (int k = 0; k < nargs; k++) {
    Value v = args[k];
    if (v.tag == T_FLOAT) r[p->in_reg[k]].f = v.u.f;
    else r[p->in_reg[k]].i = v.tag == T_BOOL ? (v.u.i != 0) : v.u.i;
  }
  Value res;
  if (splan_exec(I, p, r) < 0) {
    res = v_exc();
  } else if (e->s->out_tree.tag == T_UNSET) {
    res = sreg_value(r[p->out_reg[0]], p->out_dt[0]);
  } else {
    Value out_small[16];
    Value *out = p->nout <= 16 ? out_small : jx_malloc(I, (size_t)p->nout * sizeof(Value));
    if (!out) {
      res = v_exc();
    } else {
      for (int i = 0; i < p->nout; i++) out[i] = sreg_value(r[p->out_reg[i]], p->out_dt[i]);
      res = build_output(I, e, out); /* scalars: nothing to release */
      if (out != out_small) jx_free(out);
    }
  }
  if (r != small) jx_free(r);
  return res;
}

static bool flat_scalar_tag(Value v) { return v.tag == T_FLOAT || v.tag == T_INT || v.tag == T_BOOL; }

/* The cached entry for nargs scalar arguments, or NULL. */
static bool flat_match(const JitEntry *e, const Value *args, int nargs) {
  if (e->nflat != nargs) return false;
  for (int i = 0; i < nargs; i++)
    if (e->flat_tags[i] != args[i].tag) return false;
  return true;
}

static JitEntry *flat_lookup(JitObj *j, const Value *args, int nargs) {
  for (int i = 0; i < nargs; i++)
    if (!flat_scalar_tag(args[i])) return NULL;
  if (j->last && flat_match(j->last, args, nargs)) return j->last;
  for (JitEntry *e = j->cache; e; e = e->next)
    if (flat_match(e, args, nargs)) return e;
  return NULL;
}

static Value jit_apply(Interp *I, Value *args, int nargs, Value self) {
  JitObj *j = (JitObj *)AS_CFUNC(self)->data.u.o;
  Value a = args[0];
  Tuple *ta = AS_TUPLE(a);
  if (ta->n <= JIT_FAST_ARGS) {
    /* the common call: a few scalars of a signature seen before */
    JitEntry *e = flat_lookup(j, ta->items, (int)ta->n);
    if (e) {
      j->last = e;
      return run_scalars(I, e, ta->items, (int)ta->n);
    }
  }
  VVec leaves = {0};
  if (tree_flatten(I, a, &leaves) < 0) {
    vvec_free(&leaves);
    return v_exc();
  }
  bool traced = false;
  for (int64_t i = 0; i < leaves.n; i++) traced |= leaves.v[i].tag == T_TRACER;
  if (traced) {
    /* inside another transformation: be transparent */
    vvec_free(&leaves);
    return jx_call(I, j->f, (int)ta->n, ta->items, 0, NULL, NULL);
  }
  /* Python-style None placeholders in outputs are ambiguous; numeric
   * leaves only are staged */
  if (j->last && sig_match(I, j->last, a, &leaves)) {
    Value r = run_entry(I, j->last, leaves.v, leaves.n);
    vvec_free(&leaves);
    return r;
  }
  for (JitEntry *e = j->cache; e; e = e->next) {
    if (e != j->last && sig_match(I, e, a, &leaves)) {
      j->last = e;
      Value r = run_entry(I, e, leaves.v, leaves.n);
      vvec_free(&leaves);
      return r;
    }
  }
  bool unst = false;
  Stage *s = stage_trace(I, j->f, a, &unst);
  if (!s) {
    vvec_free(&leaves);
    if (!unst) return v_exc();
    /* data-dependent control flow that cannot be staged: run unstaged
     * (correct, just not compiled) */
    jx_err_clear(I);
    return jx_call(I, j->f, (int)ta->n, ta->items, 0, NULL, NULL);
  }
  if (s->impure) {
    /* the function closes over a value traced by an outer transformation:
     * a cached program would replay stale values, so run it directly */
    stage_release(s);
    vvec_free(&leaves);
    return jx_call(I, j->f, (int)ta->n, ta->items, 0, NULL, NULL);
  }
  if (stage_optimize(I, s) < 0) {
    stage_release(s);
    vvec_free(&leaves);
    return v_exc();
  }
  SPlan *sp = splan_build(I, s);
  if (!sp) {
    s->fuse = fuse_plan(I, s);
    if (!s->fuse) jx_err_clear(I); /* fusion is an optimisation: run unfused */
  }
  JitEntry *e = jx_calloc(I, 1, sizeof(JitEntry));
  Aval *avals = jx_calloc(I, (size_t)(leaves.n ? leaves.n : 1), sizeof(Aval));
  VVec ol = {0};
  if (!e || !avals || tree_flatten(I, s->out_tree, &ol) < 0) goto fail;
  for (int64_t i = 0; i < leaves.n; i++)
    if (is_num(leaves.v[i]) && val_aval(I, leaves.v[i], &avals[i]) < 0) goto fail;
  e->args = v_incref(a);
  for (int64_t i = 0; i < leaves.n; i++)
    if (vvec_push(I, &e->leaves, is_num(leaves.v[i]) ? v_int(0) : leaves.v[i]) < 0) jx_err_clear(I);
  e->avals = avals;
  e->nleaves = leaves.n;
  e->s = s;
  e->sp = sp;
  e->out_leaves = ol;
  e->nflat = -1;
  if (ta->n <= JIT_FAST_ARGS) {
    bool flat = true;
    for (int64_t i = 0; i < ta->n; i++) flat &= flat_scalar_tag(ta->items[i]);
    if (flat) {
      e->nflat = (int)ta->n;
      for (int64_t i = 0; i < ta->n; i++) e->flat_tags[i] = (uint8_t)ta->items[i].tag;
    }
  }
  e->next = j->cache;
  j->cache = e;
  j->last = e;
  j->ncache++;
  Value r = e->nflat >= 0 ? run_scalars(I, e, ta->items, e->nflat) : run_entry(I, e, leaves.v, leaves.n);
  vvec_free(&leaves);
  return r;
fail:
  jx_free(e);
  jx_free(avals);
  vvec_free(&ol);
  splan_free(sp);
  stage_release(s);
  vvec_free(&leaves);
  return v_exc();
}
static const BuiltinDef jit_fn_def = {"jit", jit_apply, "*args", NULL};

Value bi_jit(Interp *I, Value *args, int nargs, Value self) {
  Value f = args[0];
  if (f.tag != T_FUNC && f.tag != T_CFUNC && f.tag != T_OBJ)
    return jx_raise(I, E_TYPE, "jit: expected a function, got %s", type_name(f));
  JitObj *j = obj_new(I, T_OBJ, sizeof(JitObj));
  if (!j) return v_exc();
  j->g.ops = &jit_ops;
  j->f = v_incref(f);
  j->cache = NULL;
  j->last = NULL;
  j->ncache = 0;
  Value jv = v_obj(&j->g.hdr);
  Value c = tf_closure(I, &jit_fn_def, jv, "jit", f);
  v_decref(jv);
  return c;
}
