/* format.h — number to text: Python's float repr and numpy's per-element
 * number formatting (the pieces stdlib/print.c lays out into arrays).
 *
 * Owns: shortest round-trip digit generation (fmt_shortest), fmt_float
 * (declared in eval/value.h), and the numpy-compatible element formatters
 * for float64 / int64 / bool arrays with numpy's default print options
 * (precision=8, floatmode='maxprec', suppress=False, sign='-').
 *
 * Nothing here allocates; every function writes into caller buffers.
 */
#ifndef JX_FORMAT_H
#define JX_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../eval/value.h"

/* Shortest decimal digits that read back (strtod) to |d|, for finite,
 * nonzero d.  Among several shortest strings the closest to d is chosen
 * (the same digits as Python's repr and numpy's dragon4 unique mode).
 * Writes 1..17 digits without trailing zeros, NUL-terminated, into digits
 * and sets *exp10 so that |d| ~ d1.d2d3... x 10^exp10.  Returns the count. */
int fmt_shortest(double d, char digits[18], int *exp10);

/* Python's repr(d) into buf (at least FMT_FLOAT_BUF bytes); returns the
 * length.  fmt_float (eval/value.h) appends the same text to a StrBuf. */
#define FMT_FLOAT_BUF 32
int fmt_float_buf(double d, char *buf);

/* ---- numpy element formatting -------------------------------------------
 * Protocol for a float64 array (the elements numpy would show, i.e. after
 * summarisation):
 *   NpFloatFmt f; npf_init(&f);
 *   for each x: npf_observe(&f, x);      pass 1: magnitudes -> notation
 *   npf_choose(&f);
 *   for each x: npf_measure(&f, x);      pass 2: column widths
 *   npf_finish(&f);
 *   for each x: n = npf_format(&f, x, buf);   every result has width f.width
 * npf_format's buf must hold NPF_BUF bytes. */
#define NPF_BUF 400

typedef struct {
  int precision;       /* numpy's print precision (8) */
  /* pass 1 */
  bool any_nonzero;    /* a finite nonzero value was seen */
  double min_abs, max_abs; /* over finite nonzero values */
  bool any_finite, any_nonfinite, neg_inf;
  /* after npf_choose */
  bool exp_mode;
  /* pass 2 / after npf_finish */
  int pad_left;        /* chars left of the '.', sign included */
  int pad_right;       /* positional: fraction chars; exp: whole tail after '.' */
  int frac;            /* exp mode: mantissa fraction digits (zero padded) */
  int exp_size;        /* exp mode: exponent digits (>= 2) */
  int width;           /* width of every formatted element */
} NpFloatFmt;

void npf_init(NpFloatFmt *f);
void npf_observe(NpFloatFmt *f, double x);
void npf_choose(NpFloatFmt *f);
void npf_measure(NpFloatFmt *f, double x);
void npf_finish(NpFloatFmt *f);
int npf_format(const NpFloatFmt *f, double x, char *buf);

/* int64: numpy right-aligns every element to the width of the longer of
 * str(max) and str(min).  npi_width gives that width for a min/max pair;
 * npi_format writes one element (buf >= 32 bytes) and returns its length. */
int npi_width(int64_t min, int64_t max);
int npi_format(int width, int64_t x, char *buf);

/* bool elements: " True" / "False" (always width 5 inside arrays). */
int npb_format(bool b, char *buf);

#endif
