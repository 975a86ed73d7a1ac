/* parser.h — source text to a resolved syntax tree.
 *
 * Owns: the recursive-descent parser with precedence climbing for
 * expressions (LANGUAGE.md §4, §5), the dict-versus-block rule, newline
 * handling inside brackets and after operators, the nesting-depth limit,
 * and the resolver that binds every local name to a frame slot or a
 * captured value (parser/resolver.c).
 *
 * Errors: SyntaxError (located, line:col) for malformed input; an
 * unterminated string or bracket is reported at its opening; RecursionError
 * past PARSE_MAX_DEPTH nesting levels; NameError from the resolver for
 * rebinding rules of §5.
 */
#ifndef JX_PARSER_H
#define JX_PARSER_H

#include "ast.h"

#ifndef PARSE_MAX_DEPTH
#define PARSE_MAX_DEPTH 200
#endif

enum {
  PARSE_PRELUDE = 1, /* allow `def ns.name(…)` for the embedded prelude */
};

/* Parse src[0..len) as a chunk named file.  file and src are borrowed and
 * must outlive the chunk and any error it raises.  Returns NULL on error
 * (error in I->err); *incomplete (if not NULL) is set when the error is
 * only that the input ended early (an open bracket or block, a trailing
 * operator): the REPL then reads another line. */
Chunk *parse_chunk(Interp *I, const char *file, const char *src, size_t len, int flags,
                   bool *incomplete);

/* Resolve names of a parsed chunk (parser/resolver.c). 0 or -1. */
int resolve_chunk(Interp *I, Chunk *c);

/* parse_chunk + resolve_chunk. */
Chunk *parse_program(Interp *I, const char *file, const char *src, size_t len, int flags,
                     bool *incomplete);

#endif
