/* trace.c — bind, the trace stack, tracers, and how each kind of trace
 * processes a primitive (forward mode, reverse-mode tape, batching).
 * Staging is in ad/stage.c; the reverse sweep in ad/tape.c. */
#include "trace_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void scope_overflow(void) {
  fprintf(stderr, "jx: internal error: rule scope overflow\n");
  abort();
}

/* ------------------------------------------------------------------ */
/* trace stack                                                          */

static TraceState *ts_get(Interp *I) {
  if (!I->ts) {
    I->ts = jx_calloc(I, 1, sizeof(TraceState));
    if (!I->ts) return NULL;
    I->ts->next_level = 1;
  }
  return I->ts;
}

static Trace *spare_trace; /* memory cache, like the tracer cache below */
#define TRACER_CACHE 64
static struct Tracer *tracer_cache[TRACER_CACHE];
static int ntracer_cache;

void ad_state_free(Interp *I) {
  if (I->ts) {
    while (I->ts->n > 0) trace_pop(I, I->ts->stack[I->ts->n - 1]);
    jx_free(I->ts);
    I->ts = NULL;
  }
  /* release the memory caches */
  free(spare_trace);
  spare_trace = NULL;
  while (ntracer_cache > 0) jx_free(tracer_cache[--ntracer_cache]);
  tape_cache_free();
}

int trace_depth(Interp *I) { return I->ts ? I->ts->n : 0; }

void trace_release(Trace *t) {
  if (--t->rc == 0) {
    if (t->tape) tape_release(t->tape);
    if (t->stage) stage_release(t->stage);
    if (!spare_trace) spare_trace = t;
    else free(t);
  }
}

Trace *trace_push(Interp *I, TraceKind k) {
  TraceState *ts = ts_get(I);
  if (!ts) {
    jx_raise(I, E_MEMORY, "out of memory");
    return NULL;
  }
  if (ts->n >= JX_MAX_TRACES) {
    jx_raise(I, E_RECURSION, "transformations nested too deeply (more than %d)", JX_MAX_TRACES);
    return NULL;
  }
  Trace *t;
  if (spare_trace) {
    t = spare_trace;
    spare_trace = NULL;
    memset(t, 0, sizeof *t);
  } else {
    t = jx_calloc(I, 1, sizeof(Trace));
    if (!t) return NULL;
  }
  t->rc = 1;
  t->kind = k;
  t->level = ts->next_level++;
  t->alive = true;
  if (k == TK_VJP) {
    t->tape = tape_new(I);
    if (!t->tape) {
      free(t);
      return NULL;
    }
  }
  ts->stack[ts->n++] = t;
  return t;
}

void trace_pop(Interp *I, Trace *t) {
  TraceState *ts = I->ts;
  if (!ts) return;
  /* pop t and anything above it (left behind by an error) */
  for (int i = ts->n - 1; i >= 0; i--) {
    if (ts->stack[i] == t) {
      for (int j = ts->n - 1; j >= i; j--) {
        Trace *u = ts->stack[j];
        u->alive = false;
        trace_release(u);
      }
      ts->n = i;
      break;
    }
  }
  if (ts->n == 0) ts->next_level = 1;
}

/* ------------------------------------------------------------------ */
/* tracers                                                              */

/* tracer_cache: a small free list of tracer objects (a memory cache). */

Value tracer_new(Interp *I, Trace *t, const Aval *aval, Value a, Value b, int64_t id) {
  Tracer *tr;
  if (ntracer_cache > 0) {
    tr = tracer_cache[--ntracer_cache];
    tr->hdr.rc = 1;
    tr->hdr.kind = T_TRACER;
  } else {
    tr = obj_new(I, T_TRACER, sizeof(Tracer));
  }
  if (!tr) {
    v_decref(a);
    v_decref(b);
    return v_exc();
  }
  tr->trace = t;
  t->rc++;
  tr->aval.dtype = aval->dtype;
  tr->aval.ndim = aval->ndim;
  for (int i = 0; i < aval->ndim; i++) tr->aval.shape[i] = aval->shape[i];
  tr->a = a;
  tr->b = b;
  tr->id = id;
  return v_obj(&tr->hdr);
}

void tracer_free(Obj *o) {
  Tracer *tr = (Tracer *)o;
  v_decref(tr->a);
  v_decref(tr->b);
  trace_release(tr->trace);
  if (ntracer_cache < TRACER_CACHE) tracer_cache[ntracer_cache++] = tr;
  else jx_free(tr);
}

static const char *kind_name(TraceKind k) {
  switch (k) {
  case TK_JVP: return "JVPTracer";
  case TK_VJP: return "GradTracer";
  case TK_BATCH: return "BatchTracer";
  case TK_STAGE: return "StagedTracer";
  }
  return "Tracer";
}

void tracer_repr(Interp *I, Obj *o, StrBuf *sb) {
  Tracer *tr = (Tracer *)o;
  char buf[256];
  aval_str(&tr->aval, buf, sizeof buf);
  sb_printf(sb, "Traced<%s>(%s", buf, kind_name(tr->trace->kind));
  if (tr->trace->kind == TK_JVP || tr->trace->kind == TK_VJP) {
    sb_puts(sb, ", primal=");
    jx_repr(I, tr->a, sb);
  } else if (tr->trace->kind == TK_BATCH) {
    sb_printf(sb, ", batch_dim=%lld, values=", (long long)tr->id);
    jx_repr(I, tr->a, sb);
  }
  sb_putc(sb, ')');
}

Value ad_primal(Value v) {
  while (v.tag == T_TRACER) {
    Tracer *t = AS_TRACER(v);
    if (t->trace->kind != TK_JVP && t->trace->kind != TK_VJP) break;
    v = t->a;
  }
  return v;
}

/* ------------------------------------------------------------------ */
/* avals                                                                */

int val_aval(Interp *I, Value v, Aval *out) {
  switch (v.tag) {
  case T_TRACER: *out = AS_TRACER(v)->aval; return 0;
  case T_FLOAT: out->dtype = DT_FLOAT; out->ndim = 0; return 0;
  case T_INT: out->dtype = DT_INT; out->ndim = 0; return 0;
  case T_BOOL: out->dtype = DT_BOOL; out->ndim = 0; return 0;
  default: break;
  }
  DType dt;
  out->ndim = 0;
  if (val_dtype(v, &dt) < 0) {
    return jx_raisei(I, E_TYPE, "expected a number or an array, got %s", type_name(v));
  }
  out->dtype = (uint8_t)dt;
  return val_shape(v, &out->ndim, out->shape);
}

int aval_of(Interp *I, Value v, Aval *out) { return val_aval(I, v, out); }

bool aval_eq(const Aval *a, const Aval *b) {
  if (a->dtype != b->dtype || a->ndim != b->ndim) return false;
  for (int i = 0; i < a->ndim; i++)
    if (a->shape[i] != b->shape[i]) return false;
  return true;
}

void aval_str(const Aval *a, char *buf, size_t n) {
  const char *d = a->dtype == DT_FLOAT ? "f64" : a->dtype == DT_INT ? "i64" : "bool";
  size_t k = (size_t)snprintf(buf, n, "%s[", d);
  for (int i = 0; i < a->ndim && k < n; i++)
    k += (size_t)snprintf(buf + k, n - k, "%s%lld", i ? "," : "", (long long)a->shape[i]);
  if (k < n) snprintf(buf + k, n - k, "]");
}

/* ------------------------------------------------------------------ */
/* truth of tracers                                                     */

int ad_truth(Interp *I, Value v) {
  Value p = ad_primal(v);
  if (p.tag != T_TRACER) {
    /* the concrete value decides */
    Value pv = p;
    if (pv.tag == T_BOOL || pv.tag == T_INT) return pv.u.i != 0;
    if (pv.tag == T_FLOAT) return pv.u.f != 0;
    return jx_truth(I, pv);
  }
  Tracer *t = AS_TRACER(p);
  if (t->trace->kind == TK_BATCH) return batch_truth(I, t);
  return stage_truth(I, t);
}

/* ------------------------------------------------------------------ */
/* bind                                                                 */

static int prim_nin(PrimId id, const Params *p) {
  int n = jx_prims[id].nin;
  return n >= 0 ? n : (p ? p->nin : 0);
}

/* Float scalars without tracers: compute in place (the hot path of scalar
 * code and of the rules run by grad on scalars).  Must agree exactly with
 * the implementations in stdlib/prims_elementwise.c for scalars. */
static inline bool scalar_fast(PrimId id, const Value *in, const Params *p, Value *r) {
  double x = in[0].u.f;
  switch (id) {
  case P_neg: *r = v_float(-x); return true;
  case P_exp: *r = v_float(exp(x)); return true;
  case P_log: *r = v_float(log(x)); return true;
  case P_log1p: *r = v_float(log1p(x)); return true;
  case P_expm1: *r = v_float(expm1(x)); return true;
  case P_sqrt: *r = v_float(sqrt(x)); return true;
  case P_sin: *r = v_float(sin(x)); return true;
  case P_cos: *r = v_float(cos(x)); return true;
  case P_tan: *r = v_float(tan(x)); return true;
  case P_tanh: *r = v_float(tanh(x)); return true;
  case P_sinh: *r = v_float(sinh(x)); return true;
  case P_cosh: *r = v_float(cosh(x)); return true;
  case P_abs: *r = v_float(fabs(x)); return true;
  case P_integer_pow:
    switch (p ? p->i0 : 1) {
    case 0: *r = v_float(1.0); return true;
    case 1: *r = v_float(x); return true;
    case 2: *r = v_float(x * x); return true;
    case 3: *r = v_float(x * x * x); return true;
    case -1: *r = v_float(1.0 / x); return true;
    case -2: *r = v_float(1.0 / (x * x)); return true;
    default: return false;
    }
  case P_add: *r = v_float(x + in[1].u.f); return true;
  case P_sub: *r = v_float(x - in[1].u.f); return true;
  case P_mul: *r = v_float(x * in[1].u.f); return true;
  case P_div: *r = v_float(x / in[1].u.f); return true;
  case P_eq: *r = v_bool(x == in[1].u.f); return true;
  case P_ne: *r = v_bool(x != in[1].u.f); return true;
  case P_lt: *r = v_bool(x < in[1].u.f); return true;
  case P_le: *r = v_bool(x <= in[1].u.f); return true;
  case P_gt: *r = v_bool(x > in[1].u.f); return true;
  case P_ge: *r = v_bool(x >= in[1].u.f); return true;
  default: return false;
  }
}

static Value jvp_process(Interp *I, Trace *t, PrimId id, const Value *in, int nin,
                         const Params *p);
static Value vjp_process(Interp *I, Trace *t, PrimId id, const Value *in, int nin,
                         const Params *p);
static Value batch_process(Interp *I, Trace *t, PrimId id, const Value *in, int nin,
                           const Params *p);

Value jx_bind(Interp *I, PrimId id, const Value *in, const Params *p) {
  int nin = prim_nin(id, p);
  Trace *top = NULL;
  for (int i = 0; i < nin; i++) {
    if (in[i].tag == T_TRACER) {
      Trace *t = AS_TRACER(in[i])->trace;
      if (!t->alive)
        return jx_raise(I, E_TYPE,
                        "a traced value escaped its transformation: it was created inside a "
                        "transformed function (grad, vmap, jit, …) and used after that "
                        "function returned; return it from the function instead of storing it");
      if (!top || t->level > top->level) top = t;
    } else if (in[i].tag == T_EXC) {
      return v_exc();
    }
  }
  if (!top) {
    static const Params zero = PARAMS_INIT;
    Value r;
    if (nin <= 2 && in[0].tag == T_FLOAT && (nin == 1 || in[1].tag == T_FLOAT) &&
        scalar_fast(id, in, p, &r))
      return r;
    if (jx_check_interrupt(I) < 0) return v_exc();
    return jx_prims[id].impl(I, in, p ? p : &zero);
  }
  switch (top->kind) {
  case TK_JVP: return jvp_process(I, top, id, in, nin, p);
  case TK_VJP: return vjp_process(I, top, id, in, nin, p);
  case TK_BATCH: return batch_process(I, top, id, in, nin, p);
  case TK_STAGE: return stage_process(I, top, id, in, nin, p);
  }
  return jx_raise(I, E_TYPE, "bad trace");
}

Value jx_bind1(Interp *I, PrimId id, Value x, const Params *p) { return jx_bind(I, id, &x, p); }
Value jx_bind2(Interp *I, PrimId id, Value x, Value y, const Params *p) {
  Value in[2] = {x, y};
  return jx_bind(I, id, in, p);
}

/* Split inputs into this trace's parts and constants. */
#define MAXIN 64
static int split_inputs(Interp *I, Trace *t, const Value *in, int nin, Value *a, Value *b,
                        int64_t *ids, bool *own) {
  if (nin > MAXIN) return jx_raisei(I, E_VALUE, "too many operands (%d)", nin);
  for (int i = 0; i < nin; i++) {
    if (in[i].tag == T_TRACER && AS_TRACER(in[i])->trace == t) {
      Tracer *tr = AS_TRACER(in[i]);
      a[i] = tr->a;
      b[i] = tr->b;
      ids[i] = tr->id;
      own[i] = true;
    } else {
      a[i] = in[i];
      b[i] = v_unset();
      ids[i] = -1;
      own[i] = false;
    }
  }
  return 0;
}

/* ---- forward mode ---- */
static Value jvp_process(Interp *I, Trace *t, PrimId id, const Value *in, int nin,
                         const Params *p) {
  Value x[MAXIN], tg[MAXIN];
  int64_t ids[MAXIN];
  bool own[MAXIN];
  static const Params zero = PARAMS_INIT;
  if (!p) p = &zero;
  if (split_inputs(I, t, in, nin, x, tg, ids, own) < 0) return v_exc();
  bool any = false;
  for (int i = 0; i < nin; i++) any |= tg[i].tag != T_UNSET;
  JvpFn rule = jx_jvp_rules[id];
  if (!any || !rule) return jx_bind(I, id, x, p);
  Value out = v_unset(), tout = v_unset();
  if (rule(I, x, tg, p, &out, &tout) < 0) {
    v_decref(out);
    v_decref(tout);
    return v_exc();
  }
  Aval av;
  if (val_aval(I, out, &av) < 0) {
    v_decref(out);
    v_decref(tout);
    return v_exc();
  }
  if (tout.tag == T_UNSET || av.dtype != DT_FLOAT) {
    v_decref(tout);
    return out;
  }
  return tracer_new(I, t, &av, out, tout, 0);
}

/* ---- reverse mode (tape) ---- */
static Value vjp_process(Interp *I, Trace *t, PrimId id, const Value *in, int nin,
                         const Params *p) {
  Value x[MAXIN], unused[MAXIN];
  int64_t ids[MAXIN];
  bool own[MAXIN];
  if (split_inputs(I, t, in, nin, x, unused, ids, own) < 0) return v_exc();
  Value y = jx_bind(I, id, x, p);
  if (IS_EXC(y)) return y;
  if (!jx_vjp_rules[id]) return y; /* zero derivative */
  Aval av;
  if (val_aval(I, y, &av) < 0) {
    v_decref(y);
    return v_exc();
  }
  if (av.dtype != DT_FLOAT) return y;
  int64_t node = tape_add(I, t->tape, id, nin, x, ids, y, p);
  if (node < 0) {
    v_decref(y);
    return v_exc();
  }
  return tracer_new(I, t, &av, y, v_unset(), node);
}

/* ---- batching ---- */
static Value batch_process(Interp *I, Trace *t, PrimId id, const Value *in, int nin,
                           const Params *p) {
  Value x[MAXIN], unused[MAXIN];
  int64_t ids[MAXIN];
  bool own[MAXIN];
  int bd[MAXIN];
  static const Params zero = PARAMS_INIT;
  if (!p) p = &zero;
  if (split_inputs(I, t, in, nin, x, unused, ids, own) < 0) return v_exc();
  for (int i = 0; i < nin; i++) bd[i] = own[i] ? (int)ids[i] : -1;
  Value out = v_unset();
  int obd = -1;
  BatchFn rule = jx_batch_rules[id];
  int r = rule ? rule(I, x, bd, t->axis_size, p, &out, &obd)
               : batch_fallback(I, id, x, bd, nin, t->axis_size, p, &out, &obd);
  if (r < 0) {
    v_decref(out);
    return v_exc();
  }
  if (obd < 0) return out;
  return batch_wrap(I, t, out, obd);
}

/* Wrap a value whose batch axis is obd into a tracer of batch trace t. */
Value batch_wrap(Interp *I, Trace *t, Value out, int obd) {
  Aval av;
  if (val_aval(I, out, &av) < 0) {
    v_decref(out);
    return v_exc();
  }
  if (obd >= av.ndim) {
    v_decref(out);
    return jx_raise(I, E_VALUE, "internal: batch dim %d out of range", obd);
  }
  for (int i = obd; i < av.ndim - 1; i++) av.shape[i] = av.shape[i + 1];
  av.ndim--;
  return tracer_new(I, t, &av, out, v_unset(), obd);
}
