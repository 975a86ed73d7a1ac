/* errors.c — error display (LANGUAGE.md §1) and name suggestions for
 * NameError: "FILE:LINE:COL: Kind: message", the source line with a caret,
 * then the traceback, innermost first. */
#include <string.h>

#include "eval.h"

/* Edit distance of a and b, or a large number when above 2 (short names). */
static int edit_distance(const char *a, size_t la, const char *b, size_t lb) {
  if (la > 64 || lb > 64 || (la > lb ? la - lb : lb - la) > 2) return 99;
  int prev[65], cur[65];
  for (size_t j = 0; j <= lb; j++) prev[j] = (int)j;
  for (size_t i = 1; i <= la; i++) {
    cur[0] = (int)i;
    for (size_t j = 1; j <= lb; j++) {
      int c = prev[j - 1] + (a[i - 1] != b[j - 1]);
      if (prev[j] + 1 < c) c = prev[j] + 1;
      if (cur[j - 1] + 1 < c) c = cur[j - 1] + 1;
      cur[j] = c;
    }
    memcpy(prev, cur, (lb + 1) * sizeof(int));
  }
  return prev[lb];
}

/* The key of dict dv closest to name within *bd edits (updates *bd). */
static const char *closest(Value dv, const char *name, size_t len, int *bd, const char *best) {
  if (dv.tag != T_DICT) return best;
  Dict *d = AS_DICT(dv);
  for (int64_t i = 0; i < d->n; i++) {
    Str *k = AS_STR(d->e[i].key);
    int dist = edit_distance(name, len, k->s, k->len);
    if (dist <= *bd && (!best || dist < *bd)) {
      best = k->s;
      *bd = dist;
    }
  }
  return best;
}

static int max_edits(size_t len) { return len < 3 ? -1 : len < 5 ? 1 : 2; }

const char *eval_suggest_name(Interp *I, const char *name) {
  size_t len = strlen(name);
  int bd = max_edits(len); /* no guesses for very short names */
  const char *best = closest(I->globals, name, len, &bd, NULL);
  return closest(I->builtins, name, len, &bd, best);
}

const char *eval_suggest_key(Value dict, const char *name) {
  size_t len = strlen(name);
  int bd = max_edits(len);
  return closest(dict, name, len, &bd, NULL);
}

/* ------------------------------------------------------------------ */
/* error display (§1)                                                  */

static void put_source_line(Interp *I, StrBuf *sb, const char *file, int line, int col) {
  size_t len;
  const char *s = eval_source_line(I, file, line, &len);
  if (!s) return;
  /* find the byte offset of column col (code points) */
  size_t off = 0;
  int c = 1;
  while (off < len && c < col) {
    off++;
    while (off < len && ((unsigned char)s[off] & 0xC0) == 0x80) off++;
    c++;
  }
  /* very long lines: show a window around the column */
  size_t from = 0, to = len;
  if (len > 160) {
    from = off > 70 ? off - 70 : 0;
    while (from > 0 && ((unsigned char)s[from] & 0xC0) == 0x80) from--;
    to = off + 70 < len ? off + 70 : len;
    while (to < len && ((unsigned char)s[to] & 0xC0) == 0x80) to++;
  }
  sb_puts(sb, "    ");
  if (from > 0) sb_puts(sb, "...");
  sb_putn(sb, s + from, to - from);
  if (to < len) sb_puts(sb, "...");
  sb_putc(sb, '\n');
  sb_puts(sb, "    ");
  if (from > 0) sb_puts(sb, "   ");
  for (size_t i = from; i < off && i < len; i++) {
    unsigned char ch = (unsigned char)s[i];
    if ((ch & 0xC0) == 0x80) continue;
    sb_putc(sb, ch == '\t' ? '\t' : ' ');
  }
  sb_puts(sb, "^\n");
}

void eval_format_error(Interp *I, StrBuf *sb) {
  JxError *e = &I->err;
  const char *kind = err_kind_name(e->kind);
  const char *msg = e->msg ? e->msg : "(no message)";
  if (e->file && e->line > 0) sb_printf(sb, "%s:%d:%d: ", e->file, e->line, e->col);
  sb_printf(sb, "%s: %s\n", kind, msg);
  if (e->file && e->line > 0) put_source_line(I, sb, e->file, e->line, e->col);
  for (int i = 0; i < e->ntrace; i++) {
    TraceEntry *t = &e->trace[i];
    int rep = 0;
    while (i + 1 < e->ntrace && e->trace[i + 1].fname == t->fname &&
           e->trace[i + 1].line == t->line && e->trace[i + 1].file == t->file) {
      rep++;
      i++;
    }
    sb_printf(sb, "  in %s (%s:%d)\n", t->fname, t->file ? t->file : "?", t->line);
    if (rep) sb_printf(sb, "  [the line above repeated %d more time%s]\n", rep, rep == 1 ? "" : "s");
  }
  if (e->ntrace_dropped)
    sb_printf(sb, "  ... and %d more call%s\n", e->ntrace_dropped, e->ntrace_dropped == 1 ? "" : "s");
}
