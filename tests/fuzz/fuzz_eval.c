/* fuzz_eval.c — fuzz target: full evaluation of arbitrary bytes.
 *
 * The input is split at NUL bytes into commands, run one after the other
 * in one fresh interpreter (with the prelude), like a REPL session: each
 * result is echoed (repr) as the REPL does, each error is formatted and
 * cleared.  Limits (fuzz_common.h): 16 MB per allocation (beyond: a
 * MemoryError), a call depth of 200, 250 ms of CPU per command (then the
 * run is interrupted through I->interrupted, which loop back-edges, calls
 * and kernels poll).  After every command the interpreter must be idle and
 * clean (no pending error, depth 0, empty trace stack) and at the end it
 * must still run a check command; the sanitizers see the rest (leaks at
 * exit included).
 *
 * A command that starts with `#oom N` (N a decimal number) runs with the
 * N-th allocation failing (jx_fail_after): the error paths get fuzzed too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../eval/eval.h"
#include "fuzz_common.h"

#define MAX_COMMANDS 16

static void echo(Interp *I, Value v) {
  if (v.tag == T_NONE) return;
  StrBuf sb;
  sb_init(&sb);
  jx_repr(I, v, &sb);
  sb_free(&sb);
  jx_err_clear(I); /* repr may fail (MemoryError) and report it this way */
}

int fuzz_eval_one(const uint8_t *data, size_t size) {
  Interp *I = fz_new();
  size_t start = 0;
  int ncmd = 0;
  while (start <= size && ncmd < MAX_COMMANDS) {
    const uint8_t *z = memchr(data + start, 0, size - start);
    size_t end = z ? (size_t)(z - data) : size;
    const char *src = (const char *)data + start;
    size_t n = end - start;
    long oom = 0;
    if (n > 5 && memcmp(src, "#oom ", 5) == 0)
      for (size_t k = 5; k < n && k < 10 && src[k] >= '0' && src[k] <= '9'; k++)
        oom = oom * 10 + (src[k] - '0');
    if (oom > 0) jx_fail_after(oom);
    ErrKind kind;
    Value r = fz_eval(I, src, n, &kind);
    jx_fail_after(0);
    if (!IS_EXC(r)) {
      echo(I, r);
      v_decref(r);
    }
    ncmd++;
    if (!z) break;
    start = end + 1;
  }
  fz_free(I);
  return 0;
}

#ifdef JX_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_eval_one(data, size); }
#endif
