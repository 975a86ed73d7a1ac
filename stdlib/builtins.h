/* builtins.h — the builtin registry.
 *
 * Each module exports a static table of BuiltinDef rows (eval/value.h)
 * ending with a row whose name is NULL.  builtins.c registers every table
 * into I->builtins: a plain name ("sum") becomes a global builtin; a dotted
 * name ("random.normal", "nn.relu", "linalg.solve") goes into that
 * namespace.  The aliases jnp./np./jax./lax. (and jax.numpy, jax.lax,
 * jax.nn, jax.random, jnp.linalg) see the same builtins.  The same rows
 * feed :help and tab completion.
 */
#ifndef JX_BUILTINS_H
#define JX_BUILTINS_H

#include "../eval/value.h"

extern const BuiltinDef core_builtins[];   /* eval/: print len str range argv assert float int … */
extern const BuiltinDef array_builtins[];  /* stdlib/array builtins: creation, elementwise, reductions, shape, linalg, nn. */
extern const BuiltinDef random_builtins[]; /* stdlib/random.c */
extern const BuiltinDef ad_builtins[];     /* ad/: grad vmap jit … */
extern const BuiltinDef teach_builtins[];  /* ad/explain.c: explain graph plot savefig load_csv load_npy … */

/* Register every table into I->builtins. 0 or -1. */
int builtins_register(Interp *I);
/* Find the BuiltinDef for a (possibly dotted) name, for :help. NULL if none. */
const BuiltinDef *builtins_find(const char *name);
/* Iterate all rows (for completion / docs): returns NULL past the end. */
const BuiltinDef *builtins_at(int k);

/* Argument helpers for CFn implementations (raise TypeError naming the
 * builtin and parameter on mismatch; return -1 on error). */
int arg_int(Interp *I, Value v, const char *fname, const char *pname, int64_t *out);
int arg_float(Interp *I, Value v, const char *fname, const char *pname, double *out);
int arg_bool(Interp *I, Value v, const char *fname, const char *pname, bool *out);
/* Shape argument: int or tuple of ints (or 1-d int array). */
int arg_shape(Interp *I, Value v, const char *fname, const char *pname,
              int *ndim, int64_t *shape);
/* axis argument: None (all axes), int or tuple; normalised against ndim,
 * sorted, unique; *all set when None. */
int arg_axes(Interp *I, Value v, int ndim, const char *fname, int *naxes,
             int64_t *axes, bool *all);

#endif
