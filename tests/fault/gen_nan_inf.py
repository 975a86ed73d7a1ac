#!/usr/bin/env python3
"""Write the golden test tests/jx/faults/nan_inf.jx (+ .out): NaN, ±inf, ±0
and the edges of the domains through the elementwise primitives, their
derivatives, the binary operators and the reductions, with the values numpy
gives (and JAX for the derivatives), computed here from IEEE rules with
Python's math module (no numpy needed).

usage: tests/fault/gen_nan_inf.py [OUTDIR]     (default tests/jx/faults)

Every line of the .jx prints one value; the .out holds the expected value in
the same order.  Only cases whose numpy/JAX value is certain are listed
(e.g. no derivative of abs or relu at 0 or NaN, no `%` with an infinite
operand).  Standard library only.
"""
import math
import os
import sys

NAN, INF = float("nan"), float("inf")
SPECIAL = [NAN, INF, -INF, 0.0, -0.0, 1.0, -1.0, 0.5, 1e308, 5e-324]


def lit(x):
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return repr(x)


def show(x):
    if isinstance(x, bool):
        return "True" if x else "False"
    if isinstance(x, int):
        return str(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return repr(x)


def safe(f, x, on_overflow, on_domain):
    """f(x) with numpy's answers where math raises."""
    if math.isnan(x):
        return NAN
    try:
        return f(x)
    except OverflowError:
        return on_overflow(x)
    except ValueError:
        return on_domain(x)


def nan_(x):
    return NAN


def log_dom(x):  # log of 0 is -inf; of a negative, nan
    return -INF if x == 0 else NAN


UNARY = {
    "exp": lambda x: 0.0 if x == -INF else safe(math.exp, x, lambda x: INF, nan_),
    "expm1": lambda x: -1.0 if x == -INF else safe(math.expm1, x, lambda x: INF, nan_),
    "exp2": lambda x: 0.0 if x == -INF else safe(lambda v: 2.0 ** v, x, lambda x: INF, nan_),
    "log": lambda x: INF if x == INF else safe(math.log, x, nan_, log_dom),
    "log2": lambda x: INF if x == INF else safe(math.log2, x, nan_, log_dom),
    "log10": lambda x: INF if x == INF else safe(math.log10, x, nan_, log_dom),
    "log1p": lambda x: INF if x == INF else safe(math.log1p, x, nan_,
                                                  lambda x: -INF if x == -1 else NAN),
    "sqrt": lambda x: INF if x == INF else safe(math.sqrt, x, nan_, nan_),
    "sin": lambda x: safe(math.sin, x, nan_, nan_),
    "cos": lambda x: safe(math.cos, x, nan_, nan_),
    "tanh": lambda x: safe(math.tanh, x, nan_, nan_),
    "arctan": lambda x: safe(math.atan, x, nan_, nan_),
    "arcsin": lambda x: safe(math.asin, x, nan_, nan_),
    "arccos": lambda x: safe(math.acos, x, nan_, nan_),
    "sinh": lambda x: safe(math.sinh, x, lambda x: math.copysign(INF, x), nan_),
    "cosh": lambda x: safe(math.cosh, x, lambda x: INF, nan_),
    "erf": lambda x: safe(math.erf, x, nan_, nan_),
    "abs": lambda x: abs(x),
    "negative": lambda x: -x,
    "square": lambda x: safe(lambda v: v * v, x, lambda x: INF, nan_),
    "reciprocal": lambda x: (math.copysign(INF, x) if x == 0 else 1.0 / x) if not math.isnan(x) else NAN,
    "floor": lambda x: x if math.isnan(x) or math.isinf(x) else float(math.floor(x)),
    "ceil": lambda x: x if math.isnan(x) or math.isinf(x) else float(math.ceil(x)),
    "sign": lambda x: NAN if math.isnan(x) else (1.0 if x > 0 else -1.0 if x < 0 else 0.0),
    "isnan": lambda x: math.isnan(x),
    "isinf": lambda x: math.isinf(x),
    "isfinite": lambda x: math.isfinite(x),
}

# derivatives (JAX's rules), only where the value is unambiguous
DERIV = {
    "exp": lambda x: UNARY["exp"](x),
    "sin": lambda x: UNARY["cos"](x),
    "cos": lambda x: NAN if math.isnan(x) or math.isinf(x) else -math.sin(x),
    "tanh": lambda x: NAN if math.isnan(x) else 1.0 - math.tanh(x) ** 2,
    "log": lambda x: NAN if math.isnan(x) else (math.copysign(INF, x) if x == 0 else 1.0 / x),
    "sqrt": lambda x: NAN if math.isnan(x) or x < 0 or x == -INF else (INF if x == 0 else 0.5 / math.sqrt(x)),
    "square": lambda x: 2.0 * x,
    "arctan": lambda x: NAN if math.isnan(x) else (0.0 if math.isinf(x) else 1.0 / (1.0 + x * x)),
}
DERIV_AT = [NAN, INF, -INF, 0.0, 1.0, -1.0, 0.5]


def pw(x, y):
    """numpy.power for floats (C pow)."""
    if y == 0:
        return 1.0
    if x == 1.0:
        return 1.0
    if math.isnan(x) or math.isnan(y):
        return NAN
    try:
        return math.pow(x, y)
    except OverflowError:
        return INF if x > 0 or float(y).is_integer() and int(y) % 2 == 0 else -INF
    except ValueError:  # 0 ** negative, negative ** fraction
        if x == 0:
            odd = float(y).is_integer() and int(y) % 2 == 1
            return math.copysign(INF, x) if odd else INF
        return NAN


def fdiv(x, y):
    if math.isnan(x) or math.isnan(y):
        return NAN
    if y == 0:
        return NAN if x == 0 else math.copysign(INF, x) * math.copysign(1.0, y)
    return x / y


def mx(x, y):
    return NAN if math.isnan(x) or math.isnan(y) else max(x, y)


def mn(x, y):
    return NAN if math.isnan(x) or math.isnan(y) else min(x, y)


def add(x, y):
    return x + y


def sub(x, y):
    return x - y


def mul(x, y):
    return x * y


def floordiv(x, y):
    if math.isnan(x) or math.isnan(y):
        return NAN
    if y == 0:
        return NAN if x == 0 else math.copysign(INF, x) * math.copysign(1.0, y)
    if math.isinf(x) or math.isinf(y):
        return None  # numpy's answers here differ by version: not listed
    return float(math.floor(x / y))


BINARY = [("%s + %s", add), ("%s - %s", sub), ("%s * %s", mul), ("%s / %s", fdiv),
          ("%s ** %s", pw), ("maximum(%s, %s)", mx), ("minimum(%s, %s)", mn),
          ("arctan2(%s, %s)", lambda y, x: NAN if math.isnan(x) or math.isnan(y) else math.atan2(y, x)),
          ("%s // %s", floordiv)]
BIN_VALS = [NAN, INF, -INF, 0.0, -0.0, 1.0, -1.0, 2.0, 0.5]

REDUCTIONS = [
    ("sum(array([inf, -inf]))", NAN),
    ("sum(array([inf, 1.0]))", INF),
    ("sum(array([nan, 1.0]))", NAN),
    ("mean(array([inf, inf]))", INF),
    ("prod(array([0.0, inf]))", NAN),
    ("max(array([1.0, nan, 3.0]))", NAN),
    ("min(array([1.0, nan, -3.0]))", NAN),
    ("max(array([-inf, -inf]))", -INF),
    ("argmax(array([1.0, nan, 3.0]))", 1),
    ("argmin(array([1.0, -inf, nan]))", 2),
    ("argmax(array([-inf, inf, 2.0]))", 1),
    ("var(array([inf, 1.0]))", NAN),
    ("cumsum(array([1.0, inf, -inf]))[2]", NAN),
    ("logsumexp(array([inf, 1.0]))", INF),
    ("logsumexp(array([-inf, -inf]))", -INF),
    ("logsumexp(array([1000.0, 1000.0]))", 1000.0 + math.log(2.0)),
    ("sum(array([1e308, 1e308]))", INF),
    ("norm(array([1e200, 1e200]))", INF),  # numpy: sqrt(dot(x, x)) overflows
    ("sum(isnan(array([nan, 1.0, nan])))", 2),
    ("dot(array([inf, 1.0]), array([0.0, 1.0]))", NAN),
    ("(array([[inf, 0.0], [0.0, 1.0]]) @ array([1.0, 1.0]))[0]", INF),
    ("grad(fn(x) => sum(x * x))(array([inf, nan]))[0]", INF),
    ("grad(fn(x) => sum(x * x))(array([inf, nan]))[1]", NAN),
    ("vmap(fn(x) => log(x))(array([0.0, -1.0, inf]))[0]", -INF),
    ("vmap(fn(x) => log(x))(array([0.0, -1.0, inf]))[1]", NAN),
    ("vmap(fn(x) => log(x))(array([0.0, -1.0, inf]))[2]", INF),
    ("jit(fn(x) => exp(x) * 0.0)(1000.0)", NAN),
    ("jit(fn(x) => x - x)(inf)", NAN),
    ("float('nan') == float('nan')", False),
    ("nan == nan", False),
    ("nan != nan", True),
    ("nan < 1.0", False),
    ("inf > 1e308", True),
    ("-inf < -1e308", True),
    ("where(array([nan, 1.0]) > 0.0, 1.0, 2.0)[0]", 2.0),
    ("clip(array([nan, inf, -inf]), -1.0, 1.0)[1]", 1.0),
    ("clip(array([nan, inf, -inf]), -1.0, 1.0)[2]", -1.0),
]


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "jx", "faults")
    os.makedirs(outdir, exist_ok=True)
    jx, out = [], []
    jx.append("# tol: rtol=1e-12 atol=1e-300")
    jx.append("# GENERATED by tests/fault/gen_nan_inf.py (do not edit): NaN, inf and the")
    jx.append("# edges of the domains through the primitives, their derivatives, the binary")
    jx.append("# operators and the reductions, against numpy's values (JAX's for grad).")
    for name, f in UNARY.items():
        for x in SPECIAL:
            jx.append("print(%s(%s))" % (name, lit(x)))
            out.append(show(f(x)))
        # the same through an array (the vector kernels)
        xs = "array([%s])" % ", ".join(lit(x) for x in SPECIAL)
        for i, x in enumerate(SPECIAL):
            jx.append("print(%s(%s)[%d])" % (name, xs, i))
            out.append(show(f(x)))
    for name, d in DERIV.items():
        for x in DERIV_AT:
            v = d(x)
            jx.append("print(grad(%s)(%s))" % (name, lit(x)))
            out.append(show(v))
    for pat, f in BINARY:
        for x in BIN_VALS:
            for y in BIN_VALS:
                v = f(x, y)
                if v is None:
                    continue
                jx.append("print(%s)" % (pat % ("(%s)" % lit(x), "(%s)" % lit(y))))
                out.append(show(v))
    for src, v in REDUCTIONS:
        if "float('nan')" in src:
            continue
        jx.append("print(%s)" % src)
        out.append(show(v))
    with open(os.path.join(outdir, "nan_inf.jx"), "w") as f:
        f.write("\n".join(jx) + "\n")
    with open(os.path.join(outdir, "nan_inf.out"), "w") as f:
        f.write("\n".join(out) + "\n")
    print("wrote %d cases to %s/nan_inf.{jx,out}" % (len(out), outdir))


if __name__ == "__main__":
    main()
