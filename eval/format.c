/* format.c — Python-style format specs for f-strings: {x}, {x!r},
 * {x:.4f}, {x:>10}, {n:,d}, {v:.6g}, {p:.1%} (see fmt_spec in eval.h).
 * Grammar: [[fill]align][sign][#][0][width][,|_][.precision][type]. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"

typedef struct {
  char fill, align, sign, group, type;
  bool alt, zero;
  long width, prec; /* -1: not given */
} Spec;

static int parse_spec(Interp *I, const char *s, Spec *sp) {
  memset(sp, 0, sizeof *sp);
  sp->fill = ' ';
  sp->width = sp->prec = -1;
  const char *p = s;
  /* fill and align: the fill may be any (ASCII) character */
  if (p[0] && strchr("<>^=", p[1]) && p[1]) {
    sp->fill = p[0];
    sp->align = p[1];
    p += 2;
  } else if (p[0] && strchr("<>^=", p[0])) {
    sp->align = p[0];
    p++;
  }
  if (*p == '+' || *p == '-' || *p == ' ') sp->sign = *p++;
  if (*p == '#') sp->alt = true, p++;
  if (*p == '0') {
    sp->zero = true;
    p++;
  }
  if (*p >= '0' && *p <= '9') {
    long w = 0;
    while (*p >= '0' && *p <= '9') {
      w = w * 10 + (*p++ - '0');
      if (w > 100000000) return jx_raisei(I, E_VALUE, "format width too large in '%s'", s);
    }
    sp->width = w;
  }
  if (*p == ',' || *p == '_') sp->group = *p++;
  if (*p == '.') {
    p++;
    if (!(*p >= '0' && *p <= '9'))
      return jx_raisei(I, E_VALUE, "invalid format spec '%s': precision expected after '.'", s);
    long q = 0;
    while (*p >= '0' && *p <= '9') {
      q = q * 10 + (*p++ - '0');
      if (q > 10000) return jx_raisei(I, E_VALUE, "format precision too large in '%s'", s);
    }
    sp->prec = q;
  }
  if (*p && strchr("bcdeEfFgGnosxX%", *p)) sp->type = *p++;
  if (*p) return jx_raisei(I, E_VALUE, "invalid format spec '%s'", s);
  if (sp->zero && !sp->align) {
    sp->fill = '0';
    sp->align = '=';
  }
  return 0;
}

/* Insert grouping separators into the integer digits of body. */
static void put_grouped(StrBuf *sb, const char *body, char sep) {
  size_t n = 0;
  while (body[n] >= '0' && body[n] <= '9') n++;
  if (!sep) {
    sb_puts(sb, body);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    if (i && (n - i) % 3 == 0) sb_putc(sb, sep);
    sb_putc(sb, body[i]);
  }
  sb_puts(sb, body + n);
}

static void pad(StrBuf *sb, char fill, long n) {
  for (long i = 0; i < n; i++) sb_putc(sb, fill);
}

/* Lay out sign + body (body already grouped) in the field. */
static void emit(StrBuf *out, const Spec *sp, const char *sign, const char *body, char dflt) {
  size_t slen = strlen(sign), blen = 0;
  /* width counts code points */
  for (const char *q = body; *q; q++)
    if (((unsigned char)*q & 0xC0) != 0x80) blen++;
  long w = sp->width, len = (long)(slen + blen);
  char align = sp->align ? sp->align : dflt;
  if (w <= len) {
    sb_puts(out, sign);
    sb_puts(out, body);
    return;
  }
  long padn = w - len;
  switch (align) {
  case '<':
    sb_puts(out, sign);
    sb_puts(out, body);
    pad(out, sp->fill, padn);
    break;
  case '^':
    pad(out, sp->fill, padn / 2);
    sb_puts(out, sign);
    sb_puts(out, body);
    pad(out, sp->fill, padn - padn / 2);
    break;
  case '=':
    sb_puts(out, sign);
    pad(out, sp->fill, padn);
    sb_puts(out, body);
    break;
  default:
    pad(out, sp->fill, padn);
    sb_puts(out, sign);
    sb_puts(out, body);
  }
}

static char *cfmt(Interp *I, const char *fmt, int prec, double x) {
  int n = snprintf(NULL, 0, fmt, prec, x);
  if (n < 0) return NULL;
  char *b = jx_malloc(I, (size_t)n + 1);
  if (b) snprintf(b, (size_t)n + 1, fmt, prec, x);
  return b;
}

static int fmt_float_spec(Interp *I, double x, const Spec *sp, StrBuf *out) {
  char type = sp->type;
  const char *sign = "";
  if (signbit(x) && !isnan(x))
    sign = "-";
  else if (sp->sign == '+')
    sign = "+";
  else if (sp->sign == ' ')
    sign = " ";
  double a = fabs(x);
  StrBuf body;
  sb_init(&body);
  if (isnan(x) || isinf(x)) {
    const char *t = isnan(x) ? "nan" : "inf";
    if (type == 'F' || type == 'E' || type == 'G') t = isnan(x) ? "NAN" : "INF";
    sb_puts(&body, t);
    if (type == '%') sb_putc(&body, '%');
  } else if (!type && sp->prec < 0) {
    fmt_float(a, &body); /* shortest repr */
  } else {
    int prec = sp->prec < 0 ? 6 : (int)sp->prec;
    char f[8] = "%";
    size_t k = 1;
    if (sp->alt) f[k++] = '#';
    f[k++] = '.';
    f[k++] = '*';
    double v = a;
    char t = type;
    if (!type) t = 'g';
    if (type == '%') {
      t = 'f';
      v = a * 100.0;
    }
    if (t == 'n') t = 'g';
    f[k++] = t;
    f[k] = 0;
    if (!type && prec == 0) prec = 1;
    char *s = cfmt(I, f, prec, v);
    if (!s) {
      sb_free(&body);
      return jx_raisei(I, E_MEMORY, "out of memory formatting a number");
    }
    if (!type && !strpbrk(s, ".e")) {
      sb_puts(&body, s);
      sb_puts(&body, ".0");
    } else {
      sb_puts(&body, s);
    }
    jx_free(s);
    if (type == '%') sb_putc(&body, '%');
  }
  if (body.oom) {
    sb_free(&body);
    return jx_raisei(I, E_MEMORY, "out of memory formatting a number");
  }
  StrBuf g;
  sb_init(&g);
  put_grouped(&g, body.s ? body.s : "", sp->group);
  sb_free(&body);
  emit(out, sp, sign, g.s ? g.s : "", '>');
  sb_free(&g);
  return 0;
}

static int fmt_int_spec(Interp *I, int64_t x, const Spec *sp, StrBuf *out) {
  char type = sp->type ? sp->type : 'd';
  if (strchr("eEfFgG%", type)) return fmt_float_spec(I, (double)x, sp, out);
  if (sp->prec >= 0)
    return jx_raisei(I, E_VALUE, "precision not allowed in an integer format spec");
  if (type == 'c') {
    if (x < 0 || x > 0x10FFFF || (x >= 0xD800 && x <= 0xDFFF))
      return jx_raisei(I, E_VALUE, "format code 'c': %lld is not a character", (long long)x);
    uint32_t cp = (uint32_t)x;
    char u[5] = {0};
    if (cp < 0x80)
      u[0] = (char)cp;
    else if (cp < 0x800)
      u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F));
    else if (cp < 0x10000)
      u[0] = (char)(0xE0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
      u[2] = (char)(0x80 | (cp & 0x3F));
    else
      u[0] = (char)(0xF0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
      u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F));
    emit(out, sp, "", u, '<');
    return 0;
  }
  const char *sign = "";
  uint64_t a = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
  if (x < 0)
    sign = "-";
  else if (sp->sign == '+')
    sign = "+";
  else if (sp->sign == ' ')
    sign = " ";
  char digits[80];
  int base = type == 'x' || type == 'X' ? 16 : type == 'o' ? 8 : type == 'b' ? 2 : 10;
  const char *dig = type == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
  int n = 0;
  do {
    digits[n++] = dig[a % (uint64_t)base];
    a /= (uint64_t)base;
  } while (a);
  char body[100];
  int k = 0;
  if (sp->alt && base != 10) {
    body[k++] = '0';
    body[k++] = type == 'X' ? 'X' : type == 'x' ? 'x' : type == 'o' ? 'o' : 'b';
  }
  for (int i = n - 1; i >= 0; i--) body[k++] = digits[i];
  body[k] = 0;
  StrBuf g;
  sb_init(&g);
  if (base == 10) {
    put_grouped(&g, body, sp->group);
  } else {
    sb_puts(&g, body);
  }
  char full[128];
  snprintf(full, sizeof full, "%s", g.s ? g.s : "");
  sb_free(&g);
  emit(out, sp, sign, full, '>');
  return 0;
}

int fmt_spec(Interp *I, Value v, char conv, const char *spec, StrBuf *sb) {
  StrBuf text;
  sb_init(&text);
  bool as_text = conv != 0 || v.tag == T_STR;
  if (conv == 'r')
    jx_repr(I, v, &text);
  else if (conv == 's' || v.tag == T_STR)
    jx_str(I, v, &text);
  if (!*spec) {
    if (as_text)
      sb_putn(sb, text.s ? text.s : "", text.len);
    else
      jx_str(I, v, sb);
    sb_free(&text);
    return 0;
  }
  Spec sp;
  if (parse_spec(I, spec, &sp) < 0) {
    sb_free(&text);
    return -1;
  }
  int rc = 0;
  if (!as_text && v.tag == T_BOOL && !sp.type && sp.prec < 0) {
    jx_str(I, v, &text);
    as_text = true;
  }
  if (as_text) {
    if (sp.type && sp.type != 's') {
      rc = jx_raisei(I, E_VALUE, "format code '%c' is not for strings", sp.type);
    } else if (sp.sign || sp.group || (sp.align == '=')) {
      rc = jx_raisei(I, E_VALUE, "sign, '=' alignment or grouping not allowed for strings");
    } else {
      const char *s = text.s ? text.s : "";
      size_t len = text.len;
      if (sp.prec >= 0) {
        /* truncate to prec code points */
        size_t off = 0;
        long c = 0;
        while (off < len && c < sp.prec) {
          off++;
          while (off < len && ((unsigned char)s[off] & 0xC0) == 0x80) off++;
          c++;
        }
        len = off;
      }
      char *t = jx_malloc(I, len + 1);
      if (!t) {
        rc = jx_raisei(I, E_MEMORY, "out of memory");
      } else {
        memcpy(t, s, len);
        t[len] = 0;
        emit(sb, &sp, "", t, '<');
        jx_free(t);
      }
    }
  } else if (v.tag == T_INT || v.tag == T_BOOL) {
    if (sp.type == 's')
      rc = jx_raisei(I, E_VALUE, "format code 's' is not for integers");
    else
      rc = fmt_int_spec(I, v.u.i, &sp, sb);
  } else if (v.tag == T_FLOAT) {
    if (sp.type && strchr("dxXobc", sp.type))
      rc = jx_raisei(I, E_VALUE, "format code '%c' is not for floats (use int(x))", sp.type);
    else if (sp.type == 's')
      rc = jx_raisei(I, E_VALUE, "format code 's' is not for floats");
    else
      rc = fmt_float_spec(I, v.u.f, &sp, sb);
  } else if (!sp.type && sp.prec < 0 && !sp.sign && !sp.group && sp.align != '=') {
    /* only a width/alignment: lay out str(v) */
    jx_str(I, v, &text);
    emit(sb, &sp, "", text.s ? text.s : "", '<');
  } else {
    rc = jx_raisei(I, E_TYPE, "format spec '%s' needs a scalar, not a value of type %s", spec,
                   type_name(v));
  }
  sb_free(&text);
  return rc;
}
