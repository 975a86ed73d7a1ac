/* fuzz_common.h — what the fuzz targets (tests/fuzz/fuzz_*.c) share: a
 * fresh interpreter with its output discarded, the resource limits of a
 * fuzzed run (memory, CPU time, depth), and the invariants checked after
 * every input.
 *
 * Each target defines one entry point `int fuzz_<name>_one(data, size)`;
 * built with -DJX_LIBFUZZER it also defines LLVMFuzzerTestOneInput, and
 * the corpus replayer (replay.c, built with gcc in the normal test run)
 * links all three entry points.  A finding is an abort() with a message on
 * stderr (libFuzzer then saves the input); the sanitizers report the rest.
 */
#ifndef JX_FUZZ_COMMON_H
#define JX_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "../../eval/value.h"

/* Limits of a fuzzed run (small, so that the fuzzer stays fast). */
#define FZ_ALLOC_LIMIT ((size_t)16 << 20) /* any single request above: MemoryError */
#define FZ_MAX_DEPTH 200                  /* evaluator call depth */
#define FZ_CPU_MS 250                     /* CPU time per input, then Interrupted */
#define FZ_MAX_OUTPUT ((size_t)1 << 20)   /* output kept per input (the rest is counted) */

/* A new interpreter with the prelude loaded and output captured in a
 * bounded buffer (see fz_output).  Aborts if that fails: it must not. */
Interp *fz_new(void);
/* Check the invariants of an idle interpreter (no pending error, depth 0,
 * empty trace stack, a check command works), then free it. */
void fz_free(Interp *I);
/* Run src as a program named file under the limits above; returns 1 if it
 * ran to completion, 0 if it raised an error (cleared; the kind is in
 * *kind if kind is not NULL).  Aborts on a broken invariant, e.g. a failed
 * run without an error set, or an error kind out of range. */
int fz_run(Interp *I, const char *file, const char *src, size_t n, ErrKind *kind);
/* Like fz_run, but returns the value of the last expression (owned;
 * v_exc() with the error cleared on failure). */
Value fz_eval(Interp *I, const char *src, size_t n, ErrKind *kind);
/* Output printed since the interpreter was made (NUL-terminated). */
const char *fz_output(Interp *I, size_t *len);
/* Print msg and the input to stderr, then abort (a finding). */
void fz_fail(const char *what, const char *src, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5), noreturn));
/* 1 when the environment variable JX_FUZZ_VERBOSE is set. */
int fz_verbose(void);

/* The three entry points (0 always; findings abort). */
int fuzz_parse_one(const uint8_t *data, size_t size);
int fuzz_eval_one(const uint8_t *data, size_t size);
int fuzz_ad_one(const uint8_t *data, size_t size);

#endif
