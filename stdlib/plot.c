/* plot.c — plots for the classroom: plot(f, lo, hi) draws functions (or
 * arrays) in the terminal with braille dots (each character cell holds 2x4
 * dots), with labelled axes and one marker per function in the legend;
 * savefig(path, f, lo, hi) and plot(..., file=path) write an SVG file.
 *
 * A function is sampled by calling it on one float at a time, so anything
 * that maps a scalar to a scalar works: builtins, lambdas with if/while,
 * grad(f), jit(f).  Non-finite values leave gaps. */
#include "teach.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "array.h"
#include "builtins.h"

#define MAX_SERIES 8

typedef struct {
  double *x, *y; /* n points (jx_malloc'd) */
  int64_t n;
  char label[64];
} Series;

typedef struct {
  Series s[MAX_SERIES];
  int n;
  double xlo, xhi, ylo, yhi;
} PlotData;

static void pd_free(PlotData *pd) {
  for (int i = 0; i < pd->n; i++) {
    jx_free(pd->s[i].x);
    jx_free(pd->s[i].y);
  }
  pd->n = 0;
}

static bool is_fn(Value f) { return f.tag == T_FUNC || f.tag == T_CFUNC || f.tag == T_OBJ; }

static int scalar_of(Interp *I, Value r, const char *label, double x, double *out) {
  if (r.tag == T_FLOAT)
    *out = r.u.f;
  else if (r.tag == T_INT || r.tag == T_BOOL)
    *out = (double)r.u.i;
  else if (r.tag == T_ARRAY && AS_ARRAY(r)->size == 1)
    *out = arr_get_f(AS_ARRAY(r), 0);
  else if (r.tag == T_ARRAY) {
    StrBuf sb;
    sb_init(&sb);
    Array *a = AS_ARRAY(r);
    for (int d = 0; d < a->ndim; d++)
      sb_printf(&sb, "%s%lld", d ? ", " : "", (long long)a->shape[d]);
    int rc = jx_raisei(I, E_TYPE,
                       "plot: %s(%g) returned an array of shape (%s%s); plot needs a function "
                       "from a number to a number (to plot an array, pass the array itself)",
                       label, x, sb.s ? sb.s : "", a->ndim == 1 ? "," : "");
    sb_free(&sb);
    return rc;
  } else
    return jx_raisei(I, E_TYPE, "plot: %s(%g) returned a %s, not a number", label, x, type_name(r));
  return 0;
}

/* Add one series from a function or an array.  npts: samples for functions. */
static int add_series(Interp *I, PlotData *pd, Value f, Value labels, int idx, double lo, double hi,
                      bool have_range, int64_t npts) {
  if (pd->n >= MAX_SERIES)
    return jx_raisei(I, E_VALUE, "plot: at most %d functions in one plot", MAX_SERIES);
  Series *s = &pd->s[pd->n];
  memset(s, 0, sizeof *s);
  /* label */
  Value lab = v_unset();
  if (labels.tag == T_STR && idx == 0)
    lab = labels;
  else if (labels.tag == T_TUPLE && idx < AS_TUPLE(labels)->n)
    lab = AS_TUPLE(labels)->items[idx];
  if (lab.tag == T_STR)
    snprintf(s->label, sizeof s->label, "%s", AS_STR(lab)->s);
  else if (is_fn(f)) {
    StrBuf sb;
    sb_init(&sb);
    teach_fn_name(I, f, &sb);
    snprintf(s->label, sizeof s->label, "%s", sb.s ? sb.s : "f");
    sb_free(&sb);
  } else
    snprintf(s->label, sizeof s->label, "series %d", idx + 1);

  if (is_fn(f)) {
    if (!(lo < hi))
      return jx_raisei(I, E_VALUE, "plot: the range must have lo < hi, got lo=%g, hi=%g", lo, hi);
    s->x = jx_malloc(I, (size_t)npts * sizeof(double));
    s->y = jx_malloc(I, (size_t)npts * sizeof(double));
    pd->n++; /* owned by pd from here on */
    if (!s->x || !s->y) return -1;
    s->n = npts;
    for (int64_t i = 0; i < npts; i++) {
      double x = lo + (hi - lo) * (double)i / (double)(npts - 1);
      Value xv = v_float(x);
      Value r = jx_call(I, f, 1, &xv, 0, NULL, NULL);
      if (IS_EXC(r)) return -1;
      double y = 0;
      int rc = scalar_of(I, r, s->label, x, &y);
      v_decref(r);
      if (rc < 0) return -1;
      s->x[i] = x;
      s->y[i] = y;
      if ((i & 63) == 0 && jx_check_interrupt(I) < 0) return -1;
    }
    return 0;
  }
  if (!is_numeric(f))
    return jx_raisei(I, E_TYPE, "plot: expected a function or an array, got %s", type_name(f));
  if (f.tag == T_TRACER)
    return jx_raisei(I, E_TYPE, "plot: cannot plot a value traced by a transformation");
  Array *a = arr_from_value(I, f);
  if (!a) return -1;
  if (a->ndim != 1 || a->size < 1) {
    int nd = a->ndim;
    v_decref(v_obj(&a->hdr));
    return jx_raisei(I, E_SHAPE,
                     "plot: an array to plot must be 1-d and non-empty (got %d dimension%s)", nd,
                     nd == 1 ? "" : "s");
  }
  int64_t n = a->size;
  s->x = jx_malloc(I, (size_t)n * sizeof(double));
  s->y = jx_malloc(I, (size_t)n * sizeof(double));
  pd->n++;
  if (!s->x || !s->y) {
    v_decref(v_obj(&a->hdr));
    return -1;
  }
  s->n = n;
  for (int64_t i = 0; i < n; i++) {
    s->x[i] = have_range ? (n == 1 ? lo : lo + (hi - lo) * (double)i / (double)(n - 1)) : (double)i;
    s->y[i] = arr_get_f(a, i);
  }
  v_decref(v_obj(&a->hdr));
  return 0;
}

/* "nice" tick step for a range, about n ticks */
static double nice_step(double range, int n) {
  double raw = range / n;
  double mag = pow(10, floor(log10(raw)));
  double f = raw / mag;
  double nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
  return nf * mag;
}

/* Gather the series and the ranges.  f: function, array, or tuple of them. */
static int collect(Interp *I, PlotData *pd, Value f, Value lov, Value hiv, Value labels,
                   int64_t npts) {
  memset(pd, 0, sizeof *pd);
  double lo = -3.0, hi = 3.0;
  bool have_range = false;
  if (lov.tag != T_UNSET && lov.tag != T_NONE) {
    if (arg_float(I, lov, "plot", "lo", &lo) < 0) return -1;
    have_range = true;
  }
  if (hiv.tag != T_UNSET && hiv.tag != T_NONE) {
    if (arg_float(I, hiv, "plot", "hi", &hi) < 0) return -1;
    have_range = true;
  }
  if (!isfinite(lo) || !isfinite(hi))
    return jx_raisei(I, E_VALUE, "plot: lo and hi must be finite numbers");
  if (labels.tag != T_UNSET && labels.tag != T_NONE && labels.tag != T_STR && labels.tag != T_TUPLE)
    return jx_raisei(I, E_TYPE, "plot: labels must be a string or a tuple of strings");
  if (f.tag == T_TUPLE) {
    Tuple *t = AS_TUPLE(f);
    if (t->n == 0) return jx_raisei(I, E_VALUE, "plot: nothing to plot (an empty tuple)");
    for (int64_t i = 0; i < t->n; i++)
      if (add_series(I, pd, t->items[i], labels, (int)i, lo, hi, have_range, npts) < 0) return -1;
  } else {
    if (add_series(I, pd, f, labels, 0, lo, hi, have_range, npts) < 0) return -1;
  }
  /* ranges */
  bool any = false;
  pd->xlo = INFINITY;
  pd->xhi = -INFINITY;
  pd->ylo = INFINITY;
  pd->yhi = -INFINITY;
  for (int k = 0; k < pd->n; k++)
    for (int64_t i = 0; i < pd->s[k].n; i++) {
      double x = pd->s[k].x[i], y = pd->s[k].y[i];
      if (x < pd->xlo) pd->xlo = x;
      if (x > pd->xhi) pd->xhi = x;
      if (!isfinite(y)) continue;
      any = true;
      if (y < pd->ylo) pd->ylo = y;
      if (y > pd->yhi) pd->yhi = y;
    }
  if (!any) {
    pd->ylo = -1;
    pd->yhi = 1;
  }
  if (pd->xlo == pd->xhi) {
    pd->xlo -= 1;
    pd->xhi += 1;
  }
  if (pd->ylo == pd->yhi) {
    double d = fabs(pd->ylo) > 0 ? fabs(pd->ylo) * 0.1 : 1.0;
    pd->ylo -= d;
    pd->yhi += d;
  }
  /* round the y range out to a step of about a tenth of it, so that the
   * axis labels are short numbers */
  double st = nice_step(pd->yhi - pd->ylo, 10);
  if (isfinite(st) && st > 0) {
    double lo2 = floor(pd->ylo / st + 1e-9) * st, hi2 = ceil(pd->yhi / st - 1e-9) * st;
    if (lo2 < hi2 && isfinite(lo2) && isfinite(hi2)) {
      pd->ylo = lo2;
      pd->yhi = hi2;
    }
  }
  return 0;
}

static void fmt_tick(double v, char *buf, size_t n) {
  if (fabs(v) < 1e-12) v = 0;
  snprintf(buf, n, "%.4g", v);
}

/* ------------------------------------------------------------------ */
/* terminal                                                              */

static const char *const markers[MAX_SERIES] = {"\xe2\x97\x8f", "\xe2\x96\xa0", "\xe2\x96\xb2",
                                                "\xe2\x97\x86", "\xe2\x98\x85", "\xe2\x9c\x9a",
                                                "\xe2\x97\x8b", "\xe2\x96\xa1"}; /* ●■▲◆★✚○□ */
static const char *const colors[MAX_SERIES] = {"34", "31", "32", "35", "33", "36", "94", "91"};

static void put_utf8(StrBuf *sb, unsigned cp) {
  if (cp < 0x80)
    sb_putc(sb, (char)cp);
  else if (cp < 0x800) {
    sb_putc(sb, (char)(0xC0 | (cp >> 6)));
    sb_putc(sb, (char)(0x80 | (cp & 0x3F)));
  } else {
    sb_putc(sb, (char)(0xE0 | (cp >> 12)));
    sb_putc(sb, (char)(0x80 | ((cp >> 6) & 0x3F)));
    sb_putc(sb, (char)(0x80 | (cp & 0x3F)));
  }
}

typedef struct {
  int W, H;      /* cells */
  uint8_t *bits; /* W*H braille bits */
  int8_t *owner; /* W*H: series that set the dots (-1 none, -2 several) */
  int8_t *mark;  /* W*H: marker of series k, or -1 */
} Canvas;

static void set_dot(Canvas *c, int px, int py, int k) {
  /* py counts from the top */
  if (px < 0 || py < 0 || px >= 2 * c->W || py >= 4 * c->H) return;
  int cx = px / 2, cy = py / 4, dx = px % 2, dy = py % 4;
  static const uint8_t map[2][4] = {{0x01, 0x02, 0x04, 0x40}, {0x08, 0x10, 0x20, 0x80}};
  int i = cy * c->W + cx;
  c->bits[i] |= map[dx][dy];
  if (c->owner[i] == -1)
    c->owner[i] = (int8_t)k;
  else if (c->owner[i] != k)
    c->owner[i] = -2;
}

static void line(Canvas *c, int x0, int y0, int x1, int y1, int k) {
  int dx = abs(x1 - x0), dy = -abs(y1 - y0);
  int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
  int err = dx + dy;
  for (int guard = 0; guard < 100000; guard++) {
    set_dot(c, x0, y0, k);
    if (x0 == x1 && y0 == y1) break;
    int e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x0 += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y0 += sy;
    }
  }
}

static int render_terminal(Interp *I, PlotData *pd, int W, int H, const char *title, StrBuf *sb) {
  Canvas c = {W, H, NULL, NULL, NULL};
  c.bits = jx_calloc(I, (size_t)(W * H), 1);
  c.owner = jx_malloc(I, (size_t)(W * H));
  c.mark = jx_malloc(I, (size_t)(W * H));
  if (!c.bits || !c.owner || !c.mark) {
    jx_free(c.bits);
    jx_free(c.owner);
    jx_free(c.mark);
    return -1;
  }
  memset(c.owner, -1, (size_t)(W * H));
  memset(c.mark, -1, (size_t)(W * H));
  int PX = 2 * W, PY = 4 * H;
  double xs = (PX - 1) / (pd->xhi - pd->xlo), ys = (PY - 1) / (pd->yhi - pd->ylo);
#define TOPX(x) ((int)lround(((x)-pd->xlo) * xs))
#define TOPY(y) ((int)lround((pd->yhi - (y)) * ys))
  for (int k = 0; k < pd->n; k++) {
    Series *s = &pd->s[k];
    bool prev = false;
    int px0 = 0, py0 = 0;
    for (int64_t i = 0; i < s->n; i++) {
      if (!isfinite(s->y[i])) {
        prev = false;
        continue;
      }
      int px = TOPX(s->x[i]), py = TOPY(s->y[i]);
      if (prev)
        line(&c, px0, py0, px, py, k);
      else
        set_dot(&c, px, py, k);
      prev = true;
      px0 = px;
      py0 = py;
    }
    /* markers along the curve, staggered per series */
    if (pd->n > 1) {
      int step = W / 5 > 4 ? W / 5 : 4;
      for (int cx = 2 + k * 3 % step; cx < W; cx += step) {
        /* the sample closest to this cell's centre */
        double xc = pd->xlo + (cx * 2 + 1) / xs;
        int64_t best = -1;
        double bd = INFINITY;
        for (int64_t i = 0; i < s->n; i++) {
          double d = fabs(s->x[i] - xc);
          if (d < bd && isfinite(s->y[i])) {
            bd = d;
            best = i;
          }
        }
        if (best < 0 || bd > 2.0 / xs) continue;
        int cy = TOPY(s->y[best]) / 4;
        if (cy >= 0 && cy < H) c.mark[cy * W + cx] = (int8_t)k;
      }
    }
  }
  bool color = isatty(1) && !getenv("NO_COLOR");
  /* zero lines */
  int zrow = -1, zcol = -1;
  if (pd->ylo < 0 && pd->yhi > 0) zrow = TOPY(0.0) / 4;
  if (pd->xlo < 0 && pd->xhi > 0) zcol = TOPX(0.0) / 2;
  /* y labels */
  char ylab[3][32];
  fmt_tick(pd->yhi, ylab[0], sizeof ylab[0]);
  fmt_tick((pd->ylo + pd->yhi) / 2, ylab[1], sizeof ylab[1]);
  fmt_tick(pd->ylo, ylab[2], sizeof ylab[2]);
  int lw = 1;
  for (int i = 0; i < 3; i++)
    if ((int)strlen(ylab[i]) > lw) lw = (int)strlen(ylab[i]);
  if (title && *title) sb_printf(sb, "%*s  %s\n", lw, "", title);
  for (int r = 0; r < H; r++) {
    const char *lab = r == 0 ? ylab[0] : r == H - 1 ? ylab[2] : r == H / 2 ? ylab[1] : NULL;
    if (lab)
      sb_printf(sb, "%*s \xe2\x94\xa4", lw, lab); /* ┤ */
    else
      sb_printf(sb, "%*s \xe2\x94\x82", lw, ""); /* │ */
    for (int cx = 0; cx < W; cx++) {
      int i = r * W + cx;
      int k = c.mark[i] >= 0 ? c.mark[i] : c.owner[i];
      if (color && k >= 0) sb_printf(sb, "\x1b[%sm", colors[k]);
      if (c.mark[i] >= 0)
        sb_puts(sb, markers[c.mark[i]]);
      else if (c.bits[i])
        put_utf8(sb, 0x2800u + c.bits[i]);
      else if (r == zrow)
        sb_puts(sb, "\xe2\x94\x88"); /* ┈ */
      else if (cx == zcol)
        sb_puts(sb, "\xe2\x94\x8a"); /* ┊ */
      else
        put_utf8(sb, 0x2800u);
      if (color && k >= 0) sb_puts(sb, "\x1b[0m");
    }
    sb_putc(sb, '\n');
  }
  /* x axis */
  sb_printf(sb, "%*s \xe2\x94\x94", lw, ""); /* └ */
  int ticks[3] = {0, W / 2, W - 1};
  for (int cx = 0; cx < W; cx++)
    sb_puts(sb,
            (cx == ticks[0] || cx == ticks[1] || cx == ticks[2]) ? "\xe2\x94\xac" : "\xe2\x94\x80");
  sb_putc(sb, '\n');
  char xl[3][32];
  fmt_tick(pd->xlo, xl[0], sizeof xl[0]);
  fmt_tick((pd->xlo + pd->xhi) / 2, xl[1], sizeof xl[1]);
  fmt_tick(pd->xhi, xl[2], sizeof xl[2]);
  {
    /* labels centred under their ticks, without overlapping */
    char line_buf[512];
    int L = lw + 2 + W + 8;
    if (L > (int)sizeof line_buf - 1) L = (int)sizeof line_buf - 1;
    memset(line_buf, ' ', (size_t)L);
    line_buf[L] = 0;
    int at = 0;
    for (int t = 0; t < 3; t++) {
      int len = (int)strlen(xl[t]);
      int pos = lw + 2 + ticks[t] - len / 2;
      if (t == 2) pos = lw + 2 + ticks[t] - len + 1;
      if (pos < at) pos = at;
      if (pos + len > L) pos = L - len;
      if (pos < 0) pos = 0;
      memcpy(line_buf + pos, xl[t], (size_t)len);
      at = pos + len + 1;
    }
    int end = L;
    while (end > 0 && line_buf[end - 1] == ' ') end--;
    sb_putn(sb, line_buf, (size_t)end);
    sb_putc(sb, '\n');
  }
  /* legend */
  sb_printf(sb, "%*s  ", lw, "");
  for (int k = 0; k < pd->n; k++) {
    if (k) sb_puts(sb, "   ");
    if (color) sb_printf(sb, "\x1b[%sm", colors[k]);
    sb_puts(sb, pd->n > 1 ? markers[k] : "\xe2\xa0\xa4"); /* ⠤ for a single curve */
    if (color) sb_puts(sb, "\x1b[0m");
    sb_printf(sb, " %s", pd->s[k].label);
  }
  sb_putc(sb, '\n');
#undef TOPX
#undef TOPY
  jx_free(c.bits);
  jx_free(c.owner);
  jx_free(c.mark);
  return 0;
}

/* ------------------------------------------------------------------ */
/* SVG                                                                   */

static const char *const svg_colors[MAX_SERIES] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                                   "#ff7f0e", "#17becf", "#8c564b", "#e377c2"};
static const char *const svg_dash[MAX_SERIES] = {"", "8,4", "2,3", "8,3,2,3", "", "8,4", "2,3", ""};

static void xml_escape(const char *s, StrBuf *sb) {
  for (; *s; s++) {
    if (*s == '<')
      sb_puts(sb, "&lt;");
    else if (*s == '>')
      sb_puts(sb, "&gt;");
    else if (*s == '&')
      sb_puts(sb, "&amp;");
    else if (*s == '"')
      sb_puts(sb, "&quot;");
    else
      sb_putc(sb, *s);
  }
}

static void render_svg(PlotData *pd, const char *title, StrBuf *sb) {
  const double Wd = 640, Ht = 420, ml = 64, mr = 24, mt = title && *title ? 40 : 20, mb = 48;
  double pw = Wd - ml - mr, ph = Ht - mt - mb;
  double x0 = pd->xlo, x1 = pd->xhi, y0 = pd->ylo, y1 = pd->yhi;
  double ypad = (y1 - y0) * 0.05;
  y0 -= ypad;
  y1 += ypad;
#define SX(x) (ml + ((x)-x0) / (x1 - x0) * pw)
#define SY(y) (mt + (y1 - (y)) / (y1 - y0) * ph)
  sb_printf(
      sb,
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" "
      "viewBox=\"0 0 %g %g\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n",
      Wd, Ht, Wd, Ht);
  sb_puts(sb, "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
  if (title && *title) {
    sb_printf(sb, "<text x=\"%g\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">", Wd / 2);
    xml_escape(title, sb);
    sb_puts(sb, "</text>\n");
  }
  /* grid and ticks */
  double xs = nice_step(x1 - x0, 6), ysn = nice_step(y1 - y0, 5);
  sb_puts(sb, "<g stroke=\"#e5e5e5\" stroke-width=\"1\">\n");
  for (double t = ceil(x0 / xs) * xs; t <= x1 + 1e-9 * xs; t += xs)
    sb_printf(sb, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", SX(t), mt, SX(t),
              mt + ph);
  for (double t = ceil(y0 / ysn) * ysn; t <= y1 + 1e-9 * ysn; t += ysn)
    sb_printf(sb, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n", ml, SY(t), ml + pw,
              SY(t));
  sb_puts(sb, "</g>\n<g fill=\"#333\">\n");
  char b[32];
  for (double t = ceil(x0 / xs) * xs; t <= x1 + 1e-9 * xs; t += xs) {
    fmt_tick(t, b, sizeof b);
    sb_printf(sb, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">%s</text>\n", SX(t),
              mt + ph + 18, b);
  }
  for (double t = ceil(y0 / ysn) * ysn; t <= y1 + 1e-9 * ysn; t += ysn) {
    fmt_tick(t, b, sizeof b);
    sb_printf(sb, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">%s</text>\n", ml - 6, SY(t) + 4,
              b);
  }
  sb_puts(sb, "</g>\n");
  /* zero axes */
  if (y0 < 0 && y1 > 0)
    sb_printf(sb, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#999\"/>\n", ml,
              SY(0.0), ml + pw, SY(0.0));
  if (x0 < 0 && x1 > 0)
    sb_printf(sb, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#999\"/>\n",
              SX(0.0), mt, SX(0.0), mt + ph);
  sb_printf(sb,
            "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"none\" stroke=\"#333\"/>\n",
            ml, mt, pw, ph);
  /* curves */
  for (int k = 0; k < pd->n; k++) {
    Series *s = &pd->s[k];
    bool open = false;
    for (int64_t i = 0; i < s->n; i++) {
      if (!isfinite(s->y[i])) {
        if (open) sb_puts(sb, "\"/>\n");
        open = false;
        continue;
      }
      if (!open) {
        sb_printf(sb, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s%s%s points=\"",
                  svg_colors[k], *svg_dash[k] ? " stroke-dasharray=\"" : "", svg_dash[k],
                  *svg_dash[k] ? "\"" : "");
        open = true;
      }
      sb_printf(sb, "%.2f,%.2f ", SX(s->x[i]), SY(s->y[i]));
    }
    if (open) sb_puts(sb, "\"/>\n");
  }
  /* legend */
  double ly = mt + 10;
  for (int k = 0; k < pd->n; k++) {
    double yy = ly + 18 * k;
    sb_printf(sb,
              "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"16\" fill=\"white\" "
              "fill-opacity=\"0.8\"/>\n",
              ml + pw - 150, yy - 6, 142.0);
    sb_printf(sb,
              "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"%s\" "
              "stroke-width=\"2\"%s%s%s/>\n",
              ml + pw - 144, yy + 2, ml + pw - 116, yy + 2, svg_colors[k],
              *svg_dash[k] ? " stroke-dasharray=\"" : "", svg_dash[k], *svg_dash[k] ? "\"" : "");
    sb_printf(sb, "<text x=\"%.2f\" y=\"%.2f\">", ml + pw - 110, yy + 6);
    xml_escape(pd->s[k].label, sb);
    sb_puts(sb, "</text>\n");
  }
  sb_puts(sb, "</svg>\n");
#undef SX
#undef SY
}

static int write_svg(Interp *I, PlotData *pd, const char *path, const char *title,
                     const char *who) {
  size_t n = strlen(path);
  if (n < 4 || strcmp(path + n - 4, ".svg") != 0)
    return jx_raisei(I, E_VALUE, "%s: writes SVG files; give a path ending in .svg, not '%s'", who,
                     path);
  StrBuf sb;
  sb_init(&sb);
  render_svg(pd, title, &sb);
  if (sb.oom) {
    sb_free(&sb);
    return jx_raisei(I, E_MEMORY, "%s: out of memory", who);
  }
  FILE *f = fopen(path, "wb");
  if (!f) {
    sb_free(&sb);
    return jx_raisei(I, E_IO, "%s: cannot write '%s': %s", who, path, strerror(errno));
  }
  bool bad = fwrite(sb.s, 1, sb.len, f) != sb.len || ferror(f);
  if (fclose(f) != 0) bad = true;
  sb_free(&sb);
  if (bad) return jx_raisei(I, E_IO, "%s: error writing '%s'", who, path);
  return 0;
}

static int opt_str(Interp *I, Value v, const char *who, const char *name, const char **out) {
  *out = NULL;
  if (v.tag == T_UNSET || v.tag == T_NONE) return 0;
  if (v.tag != T_STR)
    return jx_raisei(I, E_TYPE, "%s: %s must be a string, not %s", who, name, type_name(v));
  *out = AS_STR(v)->s;
  return 0;
}

/* plot(f, lo=None, hi=None, file=None, width=70, height=20, title=None, labels=None) */
Value bi_plot(Interp *I, Value *args, int nargs, Value self) {
  const char *file, *title;
  if (opt_str(I, args[3], "plot", "file", &file) < 0) return v_exc();
  if (opt_str(I, args[6], "plot", "title", &title) < 0) return v_exc();
  int64_t W = 70, H = 20;
  if (args[4].tag != T_UNSET && args[4].tag != T_NONE &&
      arg_int(I, args[4], "plot", "width", &W) < 0)
    return v_exc();
  if (args[5].tag != T_UNSET && args[5].tag != T_NONE &&
      arg_int(I, args[5], "plot", "height", &H) < 0)
    return v_exc();
  if (W < 10 || W > 400 || H < 3 || H > 200)
    return jx_raise(I, E_VALUE,
                    "plot: width must be in 10..400 and height in 3..200 (got %lld x %lld)",
                    (long long)W, (long long)H);
  PlotData pd;
  if (collect(I, &pd, args[0], args[1], args[2], args[7], file ? 400 : 2 * W) < 0) {
    pd_free(&pd);
    return v_exc();
  }
  int rc;
  if (file) {
    rc = write_svg(I, &pd, file, title, "plot");
  } else {
    StrBuf sb;
    sb_init(&sb);
    rc = render_terminal(I, &pd, (int)W, (int)H, title, &sb);
    if (rc == 0 && sb.s) jx_write(I, sb.s, sb.len);
    sb_free(&sb);
  }
  pd_free(&pd);
  return rc < 0 ? v_exc() : v_none();
}

/* savefig(path, f, lo=None, hi=None, title=None, labels=None) */
Value bi_savefig(Interp *I, Value *args, int nargs, Value self) {
  if (args[0].tag != T_STR)
    return jx_raise(I, E_TYPE, "savefig: the first argument is the file path (a string), not %s",
                    type_name(args[0]));
  const char *title;
  if (opt_str(I, args[4], "savefig", "title", &title) < 0) return v_exc();
  PlotData pd;
  if (collect(I, &pd, args[1], args[2], args[3], args[5], 400) < 0) {
    pd_free(&pd);
    return v_exc();
  }
  int rc = write_svg(I, &pd, AS_STR(args[0])->s, title, "savefig");
  pd_free(&pd);
  return rc < 0 ? v_exc() : v_none();
}
