/* ast.h — the jx syntax tree, function prototypes and parsed chunks.
 *
 * Owns: Node (one struct, a union per kind; kinds in ast.def), Proto (what
 * a function literal or def compiles to), Chunk (one parsed source text:
 * its arena, a copy of the source for error display, and the values the
 * tree owns).  Every node keeps its line and column.
 *
 * Lifetime: a Chunk lives until chunk_free; closures point into it, so the
 * evaluator keeps every chunk until the interpreter is freed.  The file
 * name and source text are borrowed: errors point at them, so they must
 * outlive any error the chunk raised (the evaluator keeps them all).
 */
#ifndef JX_AST_H
#define JX_AST_H

#include "../lexer/lexer.h"

typedef enum {
#define NODE(id, name) N_##id,
#include "ast.def"
#undef NODE
  N__COUNT
} NodeKind;

const char *ast_kind_name(NodeKind k);

/* How a name is found at run time (filled in by the resolver). */
typedef enum {
  SC_UNRESOLVED = 0,
  SC_LOCAL,  /* slot of the current frame */
  SC_UPVAL,  /* captured value of the current closure */
  SC_SELF,   /* the closure being run (a def referring to itself) */
  SC_GLOBAL, /* I->globals, then I->builtins, by name (cached) */
} NameScope;

typedef struct Node Node;
typedef struct Chunk Chunk;

/* How a closure captures one value when it is created. */
typedef struct {
  uint8_t scope; /* SC_LOCAL, SC_UPVAL or SC_SELF, in the enclosing frame */
  int32_t idx;
} CapDesc;

typedef struct Proto {
  const char *name; /* "f" or "<lambda>" */
  int nparams;
  const char **pnames; /* slots 0..nparams-1 */
  Node **defaults;     /* [nparams], NULL where required */
  Node *body;          /* N_BLOCK, or an expression when expr_body */
  bool expr_body;
  const char *self_name; /* name that means the closure itself inside, or NULL */
  int nslots;            /* frame size (>= nparams) */
  int ncaps;
  CapDesc *caps;
  Chunk *chunk;
  int line, col;
} Proto;

typedef struct {
  Node *expr;       /* NULL: literal text */
  Value text;       /* literal: T_STR (owned by the chunk) */
  char conv;        /* 'r', 's' or 0 */
  const char *spec; /* format spec or NULL */
} FStrPart;

struct Node {
  uint8_t kind;  /* NodeKind */
  uint8_t op;    /* BINOP/AUGASSIGN: BinOp; UNOP: UnOp */
  uint8_t scope; /* NAME: NameScope */
  uint8_t flags; /* CALL: has a starred argument; BLOCK: ends in an expression */
  int32_t line, col;
  union {
    int64_t i; /* INT */
    double f;  /* FLOAT */
    Value v;   /* STR (owned by the chunk) */
    struct {
      Node *a, *b, *c;
    } k;
    /* BINOP(a op b) UNOP(a) NOT(a) AND/OR(a, b) IF(cond a, then b, else c)
     * WHILE(cond a, body b) INDEX(obj a, index b) SLICE(a:b:c, NULL parts)
     * LET(pattern a, value b) ASSIGN(target a, value b) AUGASSIGN(name a, value b)
     * FOR(pattern a, iter b, body c) RETURN(value a or NULL) STARRED(a) */
    struct {
      Node **items;
      int n;
    } list; /* TUPLE LIST BLOCK PTUPLE */
    struct {
      Node **items;
      uint8_t *ops;
      int n;
    } cmp; /* CMP: n operands, n-1 ops */
    struct {
      Node *fn;
      Node **args;
      int nargs;
      const char **kwnames;
      Node **kwargs;
      int nkw;
    } call;
    struct {
      Node *obj;
      const char *name;
      Obj *cdict;   /* cache: namespace dict seen last time */
      int64_t cidx; /*        and the entry index in it */
    } attr;
    struct {
      const char *name;
      size_t len;
      int32_t idx;      /* slot / upvalue index */
      Value key;        /* GLOBAL: the name as a T_STR (owned by the chunk) */
      uint32_t cver;    /* GLOBAL cache: version it was filled at (0: empty) */
      uint8_t cbuiltin; /*   found in builtins (1) or globals (0) */
      int64_t cidx;     /*   entry index */
      Obj *ckey;        /*   and the key object there */
    } name;
    struct {
      Node **keys;
      Node **vals;
      int n;
    } dict;
    struct {
      FStrPart *parts;
      int n;
    } fstr;
    struct {
      Proto *proto;
    } func; /* FUNC */
    struct {
      Node *target;
      Proto *proto;
    } def; /* DEF: target is a NAME */
  } u;
};

#define BLOCK_ENDS_IN_EXPR 1
#define CALL_HAS_STAR 1

struct Chunk {
  const char *file; /* borrowed: must outlive the chunk and its errors */
  const char *src;  /* borrowed, likewise (the evaluator keeps sources) */
  size_t len;
  Arena arena;
  Node *body;    /* N_BLOCK of the top-level statements */
  int nslots;    /* slots of the top-level frame (block locals) */
  Value *consts; /* values the tree owns */
  int nconsts, cconsts;
  bool prelude; /* globals go to the builtins; no traceback entries */
  /* eval.c: live closures made from this tree, and whether its top-level
   * run is over; a finished chunk without closures is freed (REPL entries) */
  int32_t nclosures;
  bool finished;
  bool orphan; /* the evaluator is gone: the last closure frees the chunk */
};

/* Register an owned value with the chunk (released by chunk_free). 0/-1. */
int chunk_own(Interp *I, Chunk *c, Value v);
void chunk_free(Chunk *c);

/* S-expression dump of a tree (for tests and debugging). */
void ast_dump(Node *n, StrBuf *sb);

#endif
