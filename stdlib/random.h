/* random.h — PRNG keys as jx values (shared by stdlib/random.c and
 * stdlib/prims_random.c).
 *
 * Owns: the representation of a key as a language value — an int64 array
 * of shape (2,) whose two elements are uint32 words (JAX's classic raw
 * keys) — its validation, and the conversions between that value and the
 * uint32 words that stdlib/threefry.c works on.  The generators themselves
 * are in stdlib/threefry.c; the primitives (rng_* rows of ad/prims.def) in
 * stdlib/prims_random.c; the user-level random.* builtins in
 * stdlib/random.c.
 *
 * Arguments borrowed, results owned, errors as in eval/value.h.
 */
#ifndef JX_RANDOM_H
#define JX_RANDOM_H

#include "../ad/prim.h"

/* The two words of a concrete key.  TypeError "FNAME: expected a PRNG key
 * (int array of shape (2,)), got float" for anything but an int64 array
 * of shape (2,); ValueError if a word is outside [0, 2**32).  -1 on error. */
int rng_key_words(Interp *I, Value key, const char *fname, uint32_t out[2]);
/* The same check on an abstract value (for tracers and shape rules);
 * 'v' (may be v_unset()) only serves the "got ..." text. */
int rng_key_check_aval(Interp *I, const Aval *a, Value v, const char *fname);
/* Check a key that may be a tracer (aval only) or concrete (words too). */
int rng_key_check(Interp *I, Value key, const char *fname);
/* A key value from two words (owned). */
Value rng_key_value(Interp *I, const uint32_t key[2]);

#endif
