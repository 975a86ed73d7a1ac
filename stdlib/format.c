/* format.c — number to text: Python's float repr (fmt_float) and numpy's
 * per-element formatting of float64/int64/bool array elements.
 *
 * Digit generation: the shortest round-trip digits are found by rounding a
 * 17-significant-digit rendering of the value to p digits and checking with
 * strtod whether the result reads back to the same double; p is found by
 * binary search (round-tripping is monotone in p).  Where that decimal
 * rounding could differ from rounding the exact binary value (a tail of
 * exactly "50...0") we ask snprintf for the p-digit rounding instead.  At
 * powers of two the interval of decimals that read back is lopsided (the
 * gap below is half the gap above), so there the next p-digit decimal above
 * is tried too, as Python's repr (David Gay's dtoa) does.
 *
 * numpy's dragon4 with unique=True and a precision cap P produces the
 * shortest digits when they fit in P, and otherwise the exact value
 * correctly rounded at P digits — which is what glibc's printf gives.
 * With min_digits (scientific columns padded to a common precision) it
 * keeps producing digits of the exact value past the shortest ones: for
 * normal doubles those round back to zeros, for subnormals they are real
 * digits (numpy prints 5e-324 as 4.94065646e-324 next to 1.23456789).
 */
#include "format.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* -DFMT_NO_FAST_PATH: always take the general (digit search) route; the
 * tests pass both ways. */
#ifdef FMT_NO_FAST_PATH
#define FMT_FAST 0
#else
#define FMT_FAST 1
#endif

/* ---- shortest digits ------------------------------------------------------ */

/* The double that "d1.d2...dn e exp" reads back to. */
static double read_back(const char *dig, int n, int exp)
{
  char buf[48];
  int k = 0;
  buf[k++] = dig[0];
  if (n > 1) {
    buf[k++] = '.';
    memcpy(buf + k, dig + 1, (size_t)(n - 1));
    k += n - 1;
  }
  snprintf(buf + k, sizeof buf - (size_t)k, "e%d", exp);
  return strtod(buf, NULL);
}

/* The p-digit decimal nearest to a (a > 0, finite), given D = the 17-digit
 * rounding of a with exponent E.  Writes exactly p digits to out (may end
 * in zeros) and the exponent to *eo. */
static void nearest_p(double a, const char *D, int E, int p, char *out, int *eo)
{
  memcpy(out, D, (size_t)p);
  *eo = E;
  if (p >= 17) return;
  int up;
  if (D[p] > '5') up = 1;
  else if (D[p] < '5') up = 0;
  else {
    up = -1;
    for (int i = p + 1; i < 17; i++)
      if (D[i] != '0') { up = 1; break; }
  }
  if (up < 0) {
    /* near tie: the 17-digit text may hide which side a is on */
    char buf[40];
    snprintf(buf, sizeof buf, "%.*e", p - 1, a);
    out[0] = buf[0];
    if (p > 1) memcpy(out + 1, buf + 2, (size_t)(p - 1));
    *eo = atoi(strchr(buf, 'e') + 1);
    return;
  }
  if (up) {
    int i = p - 1;
    while (i >= 0 && out[i] == '9') out[i--] = '0';
    if (i >= 0) out[i]++;
    else { out[0] = '1'; (*eo)++; } /* 99..9 -> 100..0 */
  }
}

/* Add one unit in the last of p digits. */
static void bump_p(char *dig, int p, int *exp)
{
  int i = p - 1;
  while (i >= 0 && dig[i] == '9') dig[i--] = '0';
  if (i >= 0) dig[i]++;
  else { dig[0] = '1'; (*exp)++; }
}

static int strip_zeros(char *dig, int n)
{
  while (n > 1 && dig[n - 1] == '0') n--;
  dig[n] = '\0';
  return n;
}

int fmt_shortest(double d, char digits[18], int *exp10)
{
  double a = fabs(d);

  /* integers below 2^53: their digits (minus trailing zeros) are shortest,
   * since every shorter decimal is at least 1 away and ulp/2 <= 0.5 */
  if (a < 9007199254740992.0 && a == floor(a) && a >= 1.0) {
    uint64_t u = (uint64_t)a;
    char tmp[24];
    int n = 0;
    while (u) { tmp[n++] = (char)('0' + u % 10); u /= 10; }
    for (int i = 0; i < n; i++) digits[i] = tmp[n - 1 - i];
    *exp10 = n - 1;
    return strip_zeros(digits, n);
  }

  char buf[40];
  snprintf(buf, sizeof buf, "%.16e", a);
  char D[18];
  D[0] = buf[0];
  memcpy(D + 1, buf + 2, 16);
  D[17] = '\0';
  int E = atoi(buf + 19);

  uint64_t bits;
  memcpy(&bits, &a, sizeof bits);
  bool pow2 = (bits & 0xFFFFFFFFFFFFFull) == 0 && (bits >> 52) > 1;

  /* binary search for the least p whose candidate reads back to a */
  char best[18];
  int best_e = E, best_p = 17;
  memcpy(best, D, 18);
  int lo = 1, hi = 17;
  while (lo < hi) {
    int p = (lo + hi) / 2;
    char c[18];
    int ce;
    nearest_p(a, D, E, p, c, &ce);
    double v = read_back(c, p, ce);
    bool ok = v == a;
    if (!ok && pow2 && v < a) {
      bump_p(c, p, &ce);
      ok = read_back(c, p, ce) == a;
    }
    if (ok) {
      hi = p;
      memcpy(best, c, (size_t)p);
      best_p = p;
      best_e = ce;
    } else {
      lo = p + 1;
    }
  }
  memcpy(digits, best, (size_t)best_p);
  *exp10 = best_e;
  return strip_zeros(digits, best_p);
}

/* ---- Python repr ------------------------------------------------------------ */

int fmt_float_buf(double d, char *buf)
{
  if (isnan(d)) { strcpy(buf, "nan"); return 3; }
  if (isinf(d)) { strcpy(buf, d < 0 ? "-inf" : "inf"); return d < 0 ? 4 : 3; }
  int k = 0;
  if (signbit(d)) buf[k++] = '-';
  if (d == 0) { memcpy(buf + k, "0.0", 4); return k + 3; }
  char dig[18];
  int e;
  int n = fmt_shortest(d, dig, &e);
  if (e < -4 || e >= 16) {
    /* d[.ddd]e±XX, at least two exponent digits */
    buf[k++] = dig[0];
    if (n > 1) {
      buf[k++] = '.';
      memcpy(buf + k, dig + 1, (size_t)(n - 1));
      k += n - 1;
    }
    k += snprintf(buf + k, FMT_FLOAT_BUF - (size_t)k, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
  } else if (e < 0) {
    buf[k++] = '0';
    buf[k++] = '.';
    for (int i = 0; i < -e - 1; i++) buf[k++] = '0';
    memcpy(buf + k, dig, (size_t)n);
    k += n;
  } else if (e + 1 < n) {
    memcpy(buf + k, dig, (size_t)(e + 1));
    k += e + 1;
    buf[k++] = '.';
    memcpy(buf + k, dig + e + 1, (size_t)(n - e - 1));
    k += n - e - 1;
  } else {
    memcpy(buf + k, dig, (size_t)n);
    k += n;
    for (int i = n; i < e + 1; i++) buf[k++] = '0';
    buf[k++] = '.';
    buf[k++] = '0';
  }
  buf[k] = '\0';
  return k;
}

void fmt_float(double d, StrBuf *sb)
{
  char buf[FMT_FLOAT_BUF];
  int n = fmt_float_buf(d, buf);
  sb_putn(sb, buf, (size_t)n);
}

/* ---- numpy floats ------------------------------------------------------------ */

/* One finite value split the way numpy's FloatingFormat measures it:
 * integer part with its sign, fraction digits (trailing zeros trimmed) and,
 * in scientific notation, the decimal exponent. */
typedef struct {
  char ip[340];
  int nip;
  char fp[40];
  int nfp;
  int exp;
} Parts;

static void trim_frac(Parts *p)
{
  while (p->nfp > 0 && p->fp[p->nfp - 1] == '0') p->nfp--;
}

/* Whether at most one decimal with 'frac' fraction digits can read back to
 * a (finite, > 0): true when the gap between neighbouring doubles is below
 * 10^-frac.  Then the shortest digits, padded to 'frac' fraction digits,
 * are exactly printf's rounding at 'frac' digits, and no search is needed. */
static bool fixed_is_unique(double a, int frac)
{
  static const double tenpow[] = {1, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-9,
                                  1e-10, 1e-11, 1e-12, 1e-13, 1e-14, 1e-15, 1e-16, 1e-17};
  if (frac < 0 || frac > 17) return false;
  int ex;
  frexp(a, &ex);
  return ldexp(1.0, ex - 53) < tenpow[frac];
}

/* Fill ip/fp from printf's "%.*f" rendering (trailing fraction zeros trimmed). */
static void parts_from_fixed(double a, int prec, Parts *p)
{
  char buf[400];
  int len = snprintf(buf, sizeof buf, "%.*f", prec, a);
  char *dot = memchr(buf, '.', (size_t)len);
  int il = dot ? (int)(dot - buf) : len;
  memcpy(p->ip + p->nip, buf, (size_t)il);
  p->nip += il;
  if (dot) {
    p->nfp = len - il - 1;
    memcpy(p->fp, dot + 1, (size_t)p->nfp);
    trim_frac(p);
  }
}

/* dragon4_positional(x, precision=prec, unique=True, fractional=True, trim='.') */
static void parts_positional(double x, int prec, Parts *p)
{
  p->nip = 0;
  p->nfp = 0;
  p->exp = 0;
  if (signbit(x)) p->ip[p->nip++] = '-';
  if (x == 0) { p->ip[p->nip++] = '0'; return; }
  double a = fabs(x);
  if (FMT_FAST && fixed_is_unique(a, prec)) {
    parts_from_fixed(a, prec, p);
    return;
  }
  char dig[18];
  int e;
  int n = fmt_shortest(a, dig, &e);
  if (n - 1 - e > prec) {
    /* too many fraction digits: the exact value rounded at prec */
    parts_from_fixed(a, prec, p);
    return;
  }
  if (e >= 0) {
    for (int i = 0; i <= e; i++) p->ip[p->nip++] = i < n ? dig[i] : '0';
    for (int i = e + 1; i < n; i++) p->fp[p->nfp++] = dig[i];
  } else {
    p->ip[p->nip++] = '0';
    for (int i = 0; i < -e - 1; i++) p->fp[p->nfp++] = '0';
    memcpy(p->fp + p->nfp, dig, (size_t)n);
    p->nfp += n;
  }
}

/* The first m significant digits of a (finite, > 0) exactly, truncated
 * (not rounded); *e gets the exponent of the first digit. */
static void trunc_digits(double a, int m, char *out, int *e)
{
  char buf[800];
  int extra = 24;
  snprintf(buf, sizeof buf, "%.*e", m - 1 + extra, a);
  /* digit i of the text is buf[0] for i == 0, else buf[i + 1] */
  bool all0 = true, all9 = true;
  for (int i = m; i < m + extra; i++) {
    char c = buf[i + 1];
    if (c != '0') all0 = false;
    if (c != '9') all9 = false;
  }
  if (all0 || all9) /* rounding at the last printed digit may have carried: print it all */
    snprintf(buf, sizeof buf, "%.*e", 770, a);
  out[0] = buf[0];
  if (m > 1) memcpy(out + 1, buf + 2, (size_t)(m - 1));
  *e = atoi(strchr(buf, 'e') + 1);
}

/* numpy's two scientific renderings of x:
 *  pad = false: dragon4_scientific(x, precision=prec, unique=True, trim='.')
 *               (shortest digits, cut at prec fraction digits, zeros trimmed)
 *  pad = true:  dragon4_scientific(x, precision=prec, min_digits=prec,
 *               unique=True, trim='k') (exactly prec fraction digits)
 * With min_digits Dragon4 keeps producing digits of the exact value past
 * the shortest ones and rounds the last one according to whether the
 * truncation, and the truncation plus one unit, still read back to x. */
static void parts_scientific(double x, int prec, bool pad, Parts *p)
{
  p->nip = 0;
  p->nfp = 0;
  p->exp = 0;
  if (signbit(x)) p->ip[p->nip++] = '-';
  if (x == 0) {
    p->ip[p->nip++] = '0';
    if (pad)
      for (int i = 0; i < prec; i++) p->fp[p->nfp++] = '0';
    return;
  }
  double a = fabs(x);
  char dig[40];
  int e, m;
  bool nearest = false;
  if (FMT_FAST && a >= 2.2250738585072014e-308 && prec <= 14) {
    /* normal doubles: prec+1 significant digits are far coarser than the
     * gap between doubles, so the shortest digits padded (or cut) to
     * prec+1 digits are printf's rounding */
    m = prec + 1;
    nearest = true;
  } else {
    int n = fmt_shortest(a, dig, &e);
    m = n;
    if (n - 1 > prec) {
      m = prec + 1;
      nearest = true;
    } else if (pad && prec + 1 > n) {
      m = prec + 1;
      if (a < 2.2250738585072014e-308) {
        /* subnormal: few significant bits, so the extra digits are real */
        char t[40], u[40];
        int te, ue;
        trunc_digits(a, m, t, &te);
        memcpy(u, t, (size_t)m);
        ue = te;
        bump_p(u, m, &ue);
        bool low = read_back(t, m, te) == a;
        bool high = read_back(u, m, ue) == a;
        if (low && !high) { memcpy(dig, t, (size_t)m); e = te; }
        else if (high && !low) { memcpy(dig, u, (size_t)m); e = ue; }
        else nearest = true;
      } else {
        /* normal: the exact digits past the shortest ones round away */
        for (int i = n; i < m; i++) dig[i] = '0';
      }
    }
  }
  if (nearest) {
    char buf[48];
    snprintf(buf, sizeof buf, "%.*e", m - 1, a);
    dig[0] = buf[0];
    if (m > 1) memcpy(dig + 1, buf + 2, (size_t)(m - 1));
    e = atoi(strchr(buf, 'e') + 1);
  }
  p->ip[p->nip++] = dig[0];
  p->nfp = m - 1;
  memcpy(p->fp, dig + 1, (size_t)(m - 1));
  p->exp = e;
  if (!pad) trim_frac(p);
}

static int exp_digits(int e)
{
  if (e < 0) e = -e;
  int k = 1;
  while (e >= 10) { e /= 10; k++; }
  return k < 2 ? 2 : k;
}

void npf_init(NpFloatFmt *f)
{
  memset(f, 0, sizeof *f);
  f->precision = 8;
  f->min_abs = INFINITY;
  f->max_abs = 0;
}

void npf_observe(NpFloatFmt *f, double x)
{
  if (isfinite(x)) {
    f->any_finite = true;
    if (x != 0) {
      double a = fabs(x);
      f->any_nonzero = true;
      if (a < f->min_abs) f->min_abs = a;
      if (a > f->max_abs) f->max_abs = a;
    }
  } else {
    f->any_nonfinite = true;
    if (isinf(x) && x < 0) f->neg_inf = true;
  }
}

void npf_choose(NpFloatFmt *f)
{
  f->exp_mode = f->any_nonzero &&
                (f->max_abs >= 1e8 || f->min_abs < 1e-4 || f->max_abs / f->min_abs > 1000.0);
  f->pad_left = 0;
  f->pad_right = 0;
  f->frac = 0;
  f->exp_size = 0;
}

void npf_measure(NpFloatFmt *f, double x)
{
  if (!isfinite(x)) return;
  Parts p;
  if (f->exp_mode) {
    parts_scientific(x, f->precision, false, &p);
    int ed = exp_digits(p.exp);
    if (ed > f->exp_size) f->exp_size = ed;
    if (p.nfp > f->frac) f->frac = p.nfp;
  } else {
    parts_positional(x, f->precision, &p);
    if (p.nfp > f->pad_right) f->pad_right = p.nfp;
  }
  if (p.nip > f->pad_left) f->pad_left = p.nip;
}

void npf_finish(NpFloatFmt *f)
{
  if (!f->any_finite) {
    f->pad_left = 0;
    f->pad_right = 0;
    f->exp_mode = false;
  } else if (f->exp_mode) {
    f->pad_right = f->exp_size + 2 + f->frac;
  }
  if (f->any_nonfinite) {
    int offset = f->pad_right + 1;
    if (3 - offset > f->pad_left) f->pad_left = 3 - offset;
    if (3 + (f->neg_inf ? 1 : 0) - offset > f->pad_left)
      f->pad_left = 3 + (f->neg_inf ? 1 : 0) - offset;
  }
  f->width = f->pad_left + 1 + f->pad_right;
}

static int pad_to(char *buf, int k, int n, char c)
{
  while (k < n) buf[k++] = c;
  return k;
}

int npf_format(const NpFloatFmt *f, double x, char *buf)
{
  int k = 0;
  if (!isfinite(x)) {
    const char *s = isnan(x) ? "nan" : x < 0 ? "-inf" : "inf";
    int len = (int)strlen(s);
    k = pad_to(buf, 0, f->width - len, ' ');
    memcpy(buf + k, s, (size_t)len);
    k += len;
    buf[k] = '\0';
    return k;
  }
  Parts p;
  if (f->exp_mode) parts_scientific(x, f->frac, true, &p);
  else parts_positional(x, f->precision, &p);
  if (p.nip > NPF_BUF - 64) p.nip = NPF_BUF - 64; /* cannot happen: positional only below 1e8 */
  k = pad_to(buf, 0, f->pad_left - p.nip, ' ');
  memcpy(buf + k, p.ip, (size_t)p.nip);
  k += p.nip;
  buf[k++] = '.';
  memcpy(buf + k, p.fp, (size_t)p.nfp);
  k += p.nfp;
  if (f->exp_mode) {
    k = pad_to(buf, k, k + f->frac - p.nfp, '0');
    buf[k++] = 'e';
    buf[k++] = p.exp < 0 ? '-' : '+';
    k += snprintf(buf + k, (size_t)(NPF_BUF - k), "%0*d", f->exp_size, p.exp < 0 ? -p.exp : p.exp);
  } else {
    k = pad_to(buf, k, k + f->pad_right - p.nfp, ' ');
  }
  buf[k] = '\0';
  return k;
}

/* ---- numpy ints and bools ------------------------------------------------------ */

int npi_width(int64_t min, int64_t max)
{
  char a[32], b[32];
  int la = snprintf(a, sizeof a, "%lld", (long long)min);
  int lb = snprintf(b, sizeof b, "%lld", (long long)max);
  return la > lb ? la : lb;
}

int npi_format(int width, int64_t x, char *buf)
{
  return snprintf(buf, 32, "%*lld", width, (long long)x);
}

int npb_format(bool b, char *buf)
{
  memcpy(buf, b ? " True" : "False", 6);
  return 5;
}
