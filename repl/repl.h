/* repl.h — the interactive REPL (LANGUAGE.md §8) and the error printer
 * shared with the command-line driver.
 *
 * Owns: line editing and history (GNU readline, ~/.jx_history), tab
 * completion, multi-line entry, echo and `_`, the `:` commands, Ctrl-C
 * handling (SIGINT sets I->interrupted).  Only the jx executable links it.
 */
#ifndef JX_REPL_H
#define JX_REPL_H

#include <stdio.h>

#include "../eval/value.h"

/* Run the REPL on stdin until Ctrl-D or :quit.  Returns the exit status. */
int repl_run(Interp *I);

/* Print the pending error of I to f (§1 format) and clear it. */
void repl_print_error(Interp *I, FILE *f);

/* Install the SIGINT handler that sets I->interrupted (scripts and REPL). */
void repl_install_sigint(Interp *I);

#endif
