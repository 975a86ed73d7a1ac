/* teach.h — the teaching builtins: seeing the machinery (explain, graph),
 * terminal and SVG plots (plot, savefig), and data files (load_csv,
 * load_npy, save_npy).
 *
 * Files: ad/explain.c owns explain, graph and the table teach_builtins
 * (registered by stdlib/builtins.c); stdlib/plot.c owns plot and savefig;
 * stdlib/dataio.c owns load_csv, load_npy and save_npy.
 */
#ifndef JX_TEACH_H
#define JX_TEACH_H

#include "../eval/value.h"

/* ---- ad/explain.c ---- */
/* ":explain EXPR" in the REPL: EXPR must end in a call F(ARGS); returns the
 * source "explain(F)(ARGS)" (malloc'd, caller frees), or NULL if EXPR does
 * not end in a call. */
char *explain_rewrite(const char *expr);

/* A short display name of a function value ("f", "grad(f)", "sin"),
 * written to sb. */
void teach_fn_name(Interp *I, Value f, StrBuf *sb);

/* Run a program with argv (argv[0] = program name, NULL-terminated),
 * optionally feeding it 'input'.  Returns its exit status, or -1 with an
 * IOError raised when it could not be started. */
int teach_run_program(Interp *I, char *const argv[]);
/* Is an executable 'name' on $PATH? */
bool teach_have_program(const char *name);

/* ---- stdlib/plot.c ---- */
Value bi_plot(Interp *I, Value *args, int nargs, Value self);
Value bi_savefig(Interp *I, Value *args, int nargs, Value self);

/* ---- stdlib/dataio.c ---- */
Value bi_load_csv(Interp *I, Value *args, int nargs, Value self);
Value bi_save_csv(Interp *I, Value *args, int nargs, Value self);
Value bi_load_npy(Interp *I, Value *args, int nargs, Value self);
Value bi_save_npy(Interp *I, Value *args, int nargs, Value self);

#endif
