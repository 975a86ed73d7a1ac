/* print.c — array_repr: the text of an n-d array, exactly as numpy's str()
 * with the default print options (linewidth 75, threshold 1000, edgeitems
 * 3, precision 8, floatmode 'maxprec', suppress False, sign '-').
 *
 * Owns: summarisation (which elements are shown), choosing one element
 * format for the shown elements (stdlib/format.c does the numbers), and the
 * layout: nested brackets, newlines between rows (blank lines between
 * blocks of rank >= 3), wrapping of long rows with numpy's hanging indent.
 *
 * Nothing here allocates: elements are formatted twice (once to measure,
 * once to print) straight into the caller's StrBuf.
 */
#include <string.h>

#include "array.h"
#include "format.h"

#define PR_LINEWIDTH 75
#define PR_THRESHOLD 1000
#define PR_EDGEITEMS 3

typedef struct {
  const Array *a;
  bool summarise;
  int64_t stride[JX_MAXDIM]; /* in elements */
  /* element format */
  NpFloatFmt ff;
  int int_width;
  int64_t imin, imax;        /* int64: range of the shown elements */
  StrBuf *sb;
} Printer;

/* ---- the shown elements -------------------------------------------------- */

static bool axis_summarised(const Printer *p, int axis)
{
  return p->summarise && p->a->shape[axis] > 2 * PR_EDGEITEMS;
}

/* Number of shown positions along an axis, and the i-th of them. */
static int64_t shown_count(const Printer *p, int axis)
{
  return axis_summarised(p, axis) ? 2 * PR_EDGEITEMS : p->a->shape[axis];
}

static int64_t shown_pos(const Printer *p, int axis, int64_t i)
{
  if (axis_summarised(p, axis) && i >= PR_EDGEITEMS)
    return p->a->shape[axis] - 2 * PR_EDGEITEMS + i;
  return i;
}

/* Call visit(p, flat index) for each shown element, in row-major order. */
static void for_each_shown(Printer *p, void (*visit)(Printer *, int64_t))
{
  const Array *a = p->a;
  int nd = a->ndim;
  int64_t idx[JX_MAXDIM] = {0};
  int64_t cnt[JX_MAXDIM];
  for (int k = 0; k < nd; k++) {
    cnt[k] = shown_count(p, k);
    if (cnt[k] == 0) return;
  }
  for (;;) {
    int64_t flat = 0;
    for (int k = 0; k < nd; k++) flat += shown_pos(p, k, idx[k]) * p->stride[k];
    visit(p, flat);
    int k = nd - 1;
    while (k >= 0 && ++idx[k] == cnt[k]) idx[k--] = 0;
    if (k < 0) return;
  }
}

static void visit_observe(Printer *p, int64_t i) { npf_observe(&p->ff, ARR_F((Array *)p->a)[i]); }
static void visit_measure(Printer *p, int64_t i) { npf_measure(&p->ff, ARR_F((Array *)p->a)[i]); }

static void visit_minmax(Printer *p, int64_t i)
{
  int64_t v = ARR_I((Array *)p->a)[i];
  if (v < p->imin) p->imin = v;
  if (v > p->imax) p->imax = v;
}

/* ---- elements -------------------------------------------------------------- */

static int format_elem(const Printer *p, int64_t i, char *buf)
{
  Array *a = (Array *)p->a;
  switch (a->dtype) {
  case DT_BOOL: return npb_format(ARR_B(a)[i] != 0, buf);
  case DT_INT: return npi_format(p->int_width, ARR_I(a)[i], buf);
  default: return npf_format(&p->ff, ARR_F(a)[i], buf);
  }
}

/* ---- layout ------------------------------------------------------------------ */

static void put_spaces(StrBuf *sb, int n)
{
  static const char sp[] = "                                ";
  while (n > 0) {
    int k = n < 32 ? n : 32;
    sb_putn(sb, sp, (size_t)k);
    n -= k;
  }
}

static void put_newlines(StrBuf *sb, int n)
{
  while (n-- > 0) sb_putc(sb, '\n');
}

/* numpy's _extendLine: start a new line (hanging indent 'indent') when the
 * word would pass 'width', unless the line holds only the indent. */
static void extend_line(StrBuf *sb, int *line, const char *w, int wlen, int width, int indent)
{
  if (*line + wlen > width && *line > indent) {
    while (sb->len > 0 && sb->s[sb->len - 1] == ' ') sb->len--; /* rstrip */
    sb_putc(sb, '\n');
    put_spaces(sb, indent);
    *line = indent;
  }
  sb_putn(sb, w, (size_t)wlen);
  *line += wlen;
}

/* One sub-array at 'axis' starting at flat offset 'off'.  The output column
 * is 'indent' - 1 here (the '[' about to be written takes the place of the
 * last indent character); 'width' is numpy's curr_width. */
static void print_rec(Printer *p, int axis, int64_t off, int indent, int width)
{
  StrBuf *sb = p->sb;
  const Array *a = p->a;
  int64_t n = a->shape[axis];
  bool summ = axis_summarised(p, axis);
  int64_t lead = summ ? PR_EDGEITEMS : 0;
  int64_t trail = summ ? PR_EDGEITEMS : n; /* the last 'trail' items */
  int64_t st = p->stride[axis];

  sb_putc(sb, '[');
  if (axis == a->ndim - 1) {
    int elem_width = width - 1;
    int line = indent;
    char w[NPF_BUF];
    for (int64_t i = 0; i < lead; i++) {
      int wl = format_elem(p, off + i * st, w);
      extend_line(sb, &line, w, wl, elem_width, indent);
      sb_putc(sb, ' ');
      line++;
    }
    if (summ) {
      extend_line(sb, &line, "...", 3, elem_width, indent);
      sb_putc(sb, ' ');
      line++;
    }
    for (int64_t i = n - trail; i < n; i++) {
      int wl = format_elem(p, off + i * st, w);
      extend_line(sb, &line, w, wl, elem_width, indent);
      if (i < n - 1) {
        sb_putc(sb, ' ');
        line++;
      }
    }
  } else {
    int nl = a->ndim - 1 - axis; /* newlines between rows */
    bool first = true;
    for (int64_t i = 0; i < lead; i++) {
      if (!first) { put_newlines(sb, nl); put_spaces(sb, indent); }
      first = false;
      print_rec(p, axis + 1, off + i * st, indent + 1, width - 1);
    }
    if (summ) {
      if (!first) { put_newlines(sb, nl); put_spaces(sb, indent); }
      first = false;
      sb_puts(sb, "...");
    }
    for (int64_t i = n - trail; i < n; i++) {
      if (!first) { put_newlines(sb, nl); put_spaces(sb, indent); }
      first = false;
      print_rec(p, axis + 1, off + i * st, indent + 1, width - 1);
    }
  }
  sb_putc(sb, ']');
}

void array_repr(Interp *I, Obj *o, StrBuf *sb)
{
  (void)I;
  Array *a = (Array *)o;
  if (a->size == 0) { sb_puts(sb, "[]"); return; }
  Printer p;
  memset(&p, 0, sizeof p);
  p.a = a;
  p.sb = sb;
  p.summarise = a->size > PR_THRESHOLD;
  int64_t s = 1;
  for (int k = a->ndim - 1; k >= 0; k--) {
    p.stride[k] = s;
    s *= a->shape[k];
  }

  if (a->ndim < 1) {
    /* not a language value; print the lone element without brackets */
    char w[NPF_BUF];
    if (a->dtype == DT_FLOAT) fmt_float(ARR_F(a)[0], sb);
    else if (a->dtype == DT_INT) { npi_format(0, ARR_I(a)[0], w); sb_puts(sb, w); }
    else sb_puts(sb, ARR_B(a)[0] ? "True" : "False");
    return;
  }

  if (a->dtype == DT_FLOAT) {
    npf_init(&p.ff);
    for_each_shown(&p, visit_observe);
    npf_choose(&p.ff);
    for_each_shown(&p, visit_measure);
    npf_finish(&p.ff);
  } else if (a->dtype == DT_INT) {
    p.imin = INT64_MAX;
    p.imax = INT64_MIN;
    for_each_shown(&p, visit_minmax);
    p.int_width = npi_width(p.imin, p.imax);
  }
  print_rec(&p, 0, 0, 1, PR_LINEWIDTH);
}
