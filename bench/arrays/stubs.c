/* stubs.c — weak stand-ins for the symbols of other modules, so that the
 * array-engine benchmark links with only eval/value.c and the engine's own
 * files (stdlib/array.c, vmath.c, blas.c, prims_*.c).  When linked with the
 * whole jxcore the real definitions win. */
#include <stdio.h>

#include "ad/prim.h"
#include "stdlib/builtins.h"

__attribute__((weak)) void func_free(Obj *o) { jx_free(o); }
__attribute__((weak)) void func_repr(Interp *I, Obj *o, StrBuf *sb) { (void)I, (void)o; sb_puts(sb, "<fn>"); }
__attribute__((weak)) void tracer_free(Obj *o) { jx_free(o); }
__attribute__((weak)) void tracer_repr(Interp *I, Obj *o, StrBuf *sb) { (void)I, (void)o; sb_puts(sb, "<tracer>"); }
__attribute__((weak)) void array_repr(Interp *I, Obj *o, StrBuf *sb) { (void)I, (void)o; sb_puts(sb, "<array>"); }
__attribute__((weak)) void fmt_float(double d, StrBuf *sb) { sb_printf(sb, "%.17g", d); }
__attribute__((weak)) const BuiltinDef *builtins_find(const char *name) { (void)name; return NULL; }
__attribute__((weak)) Value jx_call(Interp *I, Value f, int argc, const Value *argv, int nkw,
                                    const char *const *kwnames, const Value *kwvals) {
  (void)f, (void)argc, (void)argv, (void)nkw, (void)kwnames, (void)kwvals;
  return jx_raise(I, E_TYPE, "jx_call is not available in this build");
}
__attribute__((weak)) int val_aval(Interp *I, Value v, Aval *out) {
  DType dt;
  if (val_dtype(v, &dt) < 0) return jx_raisei(I, E_TYPE, "not numeric");
  out->dtype = (uint8_t)dt;
  return val_shape(v, &out->ndim, out->shape);
}
__attribute__((weak)) Value jx_bind(Interp *I, PrimId id, const Value *in, const Params *p) {
  static const Params zero = PARAMS_INIT;
  return jx_prims[id].impl(I, in, p ? p : &zero);
}
__attribute__((weak)) int ad_truth(Interp *I, Value v) { (void)v; return jx_raisei(I, E_TYPE, "no tracers"); }
