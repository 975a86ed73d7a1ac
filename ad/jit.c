/* jit.c — jit: one staged program per argument signature, simplified and
 * replayed by a register executor.
 *
 * A signature is the arguments' pytree structure, each numeric leaf's
 * dtype and shape, and every non-numeric leaf's value.  Called with
 * tracers of another transformation (grad(jit(f)), vmap(jit(f))) jit is
 * transparent: it calls f, so the outer transformation sees the ops. */
#include "stage.h"

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

int stage_optimize(Interp *I, Stage *s) {
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
  for (int64_t k = 0; k < s->nconsts; k++)
    for (int64_t j = 0; j < k; j++)
      if (const_eq(s->consts[j], s->consts[k])) {
        for (int64_t e = 0; e < s->neqns; e++)
          for (int i = 0; i < s->eqns[e].nin; i++)
            if (s->eqns[e].in[i] == -(k + 1)) s->eqns[e].in[i] = -(j + 1);
        for (int i = 0; i < s->nouts; i++)
          if (s->outs[i] == -(k + 1)) s->outs[i] = -(j + 1);
        break;
      }
  /* CSE (quadratic in the worst case, bounded by a hash on prim+first input) */
  enum { HB = 1024 };
  int64_t *head = jx_malloc(I, HB * sizeof(int64_t));
  int64_t *nxt = jx_malloc(I, (size_t)(s->neqns ? s->neqns : 1) * sizeof(int64_t));
  if (!head || !nxt) {
    jx_free(head);
    jx_free(nxt);
    jx_free(ren);
    jx_free(live);
    jx_free(keep);
    return -1;
  }
  for (int i = 0; i < HB; i++) head[i] = -1;
  for (int64_t e = 0; e < s->neqns; e++) {
    Eqn *q = &s->eqns[e];
    for (int i = 0; i < q->nin; i++)
      if (q->in[i] >= 0) q->in[i] = ren[q->in[i]];
    if (q->prim == P_WHILE) {
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
    if (!keep[e] || !any_live) {
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
/* the jit object                                                       */

typedef struct JitEntry {
  Value args;     /* the signature's template: the first call's arguments */
  VVec leaves;    /* its leaves (numeric leaves replaced by None) */
  Aval *avals;    /* per leaf (numeric) */
  int64_t nleaves;
  Stage *s;
  struct JitEntry *next;
} JitEntry;

typedef struct {
  GenObj g;
  Value f;
  JitEntry *cache;
  int ncache;
} JitObj;

static void jit_free(Obj *o) {
  JitObj *j = (JitObj *)o;
  v_decref(j->f);
  for (JitEntry *e = j->cache, *n; e; e = n) {
    n = e->next;
    v_decref(e->args);
    vvec_free(&e->leaves);
    jx_free(e->avals);
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
  bool ok = true;
  for (int64_t i = 0; i < leaves->n && ok; i++) {
    Value a = leaves->v[i], b = el.v[i];
    if (is_num(a) != is_num(b)) ok = false;
    else if (is_num(a)) {
      Aval av;
      if (val_aval(I, a, &av) < 0 || !aval_eq(&av, &e->avals[i])) ok = false;
    } else if (!values_equal(a, b)) {
      ok = false;
    }
  }
  jx_err_clear(I);
  return ok;
}

static Value run_entry(Interp *I, JitEntry *e, const VVec *leaves) {
  Stage *s = e->s;
  Value in_small[16], out_small[16];
  Value *in = s->ninvars <= 16 ? in_small : jx_malloc(I, (size_t)s->ninvars * sizeof(Value));
  Value *out = s->nouts <= 16 ? out_small : jx_malloc(I, (size_t)s->nouts * sizeof(Value));
  Value r = v_exc();
  if (!in || !out) goto done;
  int k = 0;
  for (int64_t i = 0; i < leaves->n; i++)
    if (is_num(leaves->v[i])) in[k++] = leaves->v[i];
  if (stage_run(I, s, in, out) < 0) goto done;
  {
    /* refill the output template: None placeholders at numeric leaves */
    VVec tl = {0};
    if (tree_flatten(I, s->out_tree, &tl) == 0) {
      int o = 0;
      /* placeholders are exactly the numeric output leaves, in order */
      VVec full = {0};
      bool ok = true;
      for (int64_t i = 0; i < tl.n && ok; i++) {
        Value v = tl.v[i];
        if (v.tag == T_UNSET && o < s->nouts) ok = vvec_push(I, &full, out[o++]) == 0;
        else ok = vvec_push(I, &full, v) == 0;
      }
      if (ok) {
        int64_t pos = 0;
        r = tree_unflatten(I, s->out_tree, full.v, full.n, &pos);
      }
      vvec_free(&full);
    }
    vvec_free(&tl);
    for (int i = 0; i < s->nouts; i++) v_decref(out[i]);
  }
done:
  if (in != in_small) jx_free(in);
  if (out != out_small) jx_free(out);
  return r;
}

static Value jit_apply(Interp *I, Value *args, int nargs, Value self) {
  JitObj *j = (JitObj *)AS_CFUNC(self)->data.u.o;
  Value a = args[0];
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
    return jx_call(I, j->f, (int)AS_TUPLE(a)->n, AS_TUPLE(a)->items, 0, NULL, NULL);
  }
  /* Python-style None placeholders in outputs are ambiguous; numeric
   * leaves only are staged */
  for (JitEntry *e = j->cache; e; e = e->next) {
    if (sig_match(I, e, a, &leaves)) {
      Value r = run_entry(I, e, &leaves);
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
    return jx_call(I, j->f, (int)AS_TUPLE(a)->n, AS_TUPLE(a)->items, 0, NULL, NULL);
  }
  if (s->impure) {
    /* the function closes over a value traced by an outer transformation:
     * a cached program would replay stale values, so run it directly */
    stage_release(s);
    vvec_free(&leaves);
    return jx_call(I, j->f, (int)AS_TUPLE(a)->n, AS_TUPLE(a)->items, 0, NULL, NULL);
  }
  if (stage_optimize(I, s) < 0) {
    stage_release(s);
    vvec_free(&leaves);
    return v_exc();
  }
  s->fuse = fuse_plan(I, s);
  if (!s->fuse) jx_err_clear(I); /* fusion is an optimisation: run unfused */
  JitEntry *e = jx_calloc(I, 1, sizeof(JitEntry));
  Aval *avals = jx_calloc(I, (size_t)(leaves.n ? leaves.n : 1), sizeof(Aval));
  if (!e || !avals) {
    jx_free(e);
    jx_free(avals);
    stage_release(s);
    vvec_free(&leaves);
    return v_exc();
  }
  for (int64_t i = 0; i < leaves.n; i++)
    if (is_num(leaves.v[i]) && val_aval(I, leaves.v[i], &avals[i]) < 0) {
      jx_free(e);
      jx_free(avals);
      stage_release(s);
      vvec_free(&leaves);
      return v_exc();
    }
  e->args = v_incref(a);
  for (int64_t i = 0; i < leaves.n; i++)
    if (vvec_push(I, &e->leaves, is_num(leaves.v[i]) ? v_int(0) : leaves.v[i]) < 0) jx_err_clear(I);
  e->avals = avals;
  e->nleaves = leaves.n;
  e->s = s;
  e->next = j->cache;
  j->cache = e;
  j->ncache++;
  Value r = run_entry(I, e, &leaves);
  vvec_free(&leaves);
  return r;
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
  j->ncache = 0;
  Value jv = v_obj(&j->g.hdr);
  Value c = tf_closure(I, &jit_fn_def, jv, "jit", f);
  v_decref(jv);
  return c;
}
