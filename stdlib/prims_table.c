/* prims_table.c — the primitive table jx_prims[], generated from
 * ad/prims.def (impl_<id>/shape_<id> live in stdlib/prims_*.c; the rng_*
 * ones in stdlib/random*.c).
 *
 * Weak fallbacks for the rng_* rows let partial builds link before the
 * random module exists; the real definitions override them. */
#include "arr_internal.h"

const Prim jx_prims[P__COUNT] = {
#define PRIM(id, nm, nin_, kind_) [P_##id] = {nm, nin_, kind_, impl_##id, shape_##id},
#include "../ad/prims.def"
#undef PRIM
};

#define RNG_FALLBACK(id)                                                             \
  __attribute__((weak)) Value impl_##id(Interp *I, const Value *in, const Params *p) { \
    (void)in, (void)p;                                                               \
    return jx_raise(I, E_VALUE, "%s is not available in this build", #id);           \
  }                                                                                  \
  __attribute__((weak)) int shape_##id(Interp *I, const Aval *in, const Params *p,   \
                                       Aval *out) {                                  \
    (void)in, (void)p, (void)out;                                                    \
    return jx_raisei(I, E_VALUE, "%s is not available in this build", #id);          \
  }
RNG_FALLBACK(rng_bits)
RNG_FALLBACK(rng_split)
RNG_FALLBACK(rng_fold_in)
RNG_FALLBACK(rng_uniform)
RNG_FALLBACK(rng_normal)
