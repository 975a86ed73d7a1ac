#!/usr/bin/python3
"""Generate tests/unit/lib_cases.inc for test_lib.c: each case is a jx
builtin expression and its expected value computed with numpy.

Run with Debian's python3 (which has numpy):
    /usr/bin/python3 tests/unit/gen_lib_cases.py

A case is (jx_expr, numpy_expr) where numpy_expr defaults to jx_expr: the
little expression language (calls with literal arguments) is valid Python
too, evaluated with numpy's functions in scope.  {NAME} placeholders are
replaced by the literal arrays defined in ARR below, in both.
"""
import math
import os
import sys
import warnings

import numpy as np

warnings.simplefilter("ignore")

ARR = {
    "S": "0.5",
    "SI": "2",
    "A34": "[[0.5, -1.25, 2.0, 0.0], [3.5, -0.75, 1.0, -2.5], [0.25, 4.0, -3.0, 1.5]]",
    "A31": "[[0.3], [-0.6], [0.9]]",
    "A14": "[[0.1, -0.2, 0.7, -0.4]]",
    "I34": "[[1, -2, 3, 0], [4, 5, -6, 7], [-8, 9, 0, 2]]",
    "B4": "[True, False, True, True]",
    "NI": "[nan, inf, -inf, 0.0, -0.0, 1.0]",
    "U4": "[0.1, 0.35, 0.6, 0.95]",          # in (0, 1): arcsin etc.
    "P4": "[0.5, 1.0, 2.5, 10.0]",          # positive: log, sqrt
    "V3": "[1.0, -2.0, 0.5]",
    "M33": "[[4.0, 1.0, 0.5], [1.0, 3.0, -0.25], [0.5, -0.25, 2.0]]",
    "N33": "[[1.0, 2.0, 3.0], [0.0, -1.0, 4.0], [5.0, 6.0, 0.0]]",
    "T234": "[[[0.5, 1.0, -1.0, 2.0], [0.0, 3.0, 1.5, -0.5], [2.5, -2.0, 1.0, 0.25]], "
            "[[1.0, -1.5, 0.5, 0.0], [4.0, 0.75, -0.25, 1.0], [-3.0, 2.0, 0.5, 1.5]]]",
}


def sub(s):
    for k in sorted(ARR, key=len, reverse=True):
        s = s.replace("{" + k + "}", ARR[k])
    return s


# ---- numpy-side helpers for names numpy spells differently ---------------

def _np(x):
    return np.asarray(x)


def _fl(x):
    return np.asarray(x, dtype=float)


class NN:
    @staticmethod
    def sigmoid(x): x = _fl(x); return 1 / (1 + np.exp(-x))
    @staticmethod
    def relu(x): x = _np(x); return np.where(x <= 0, np.zeros((), x.dtype), x)
    @staticmethod
    def relu6(x): x = _np(x); return np.minimum(np.maximum(x, 0), 6)
    @staticmethod
    def softplus(x): return np.logaddexp(_fl(x), 0.0)
    @staticmethod
    def log_sigmoid(x): return -np.logaddexp(-_fl(x), 0.0)
    @staticmethod
    def silu(x): x = _fl(x); return x / (1 + np.exp(-x))
    swish = silu
    @staticmethod
    def mish(x): x = _fl(x); return x * np.tanh(np.logaddexp(x, 0.0))
    @staticmethod
    def gelu(x, approximate=True):
        x = _fl(x)
        if approximate:
            return x * 0.5 * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
        return x * 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))
    @staticmethod
    def elu(x, alpha=1.0): x = _fl(x); return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))
    @staticmethod
    def celu(x, alpha=1.0): x = _fl(x); return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0) / alpha))
    @staticmethod
    def selu(x):
        return 1.0507009873554804934193349852946 * NN.elu(x, 1.6732632423543772848170429916717)
    @staticmethod
    def leaky_relu(x, negative_slope=0.01): x = _np(x); return np.where(x >= 0, x, negative_slope * x)
    @staticmethod
    def hard_tanh(x): x = _np(x); return np.where(x > 1, 1.0, np.where(x < -1, -1.0, x))
    @staticmethod
    def hard_sigmoid(x): return NN.relu6(_fl(x) + 3) / 6
    @staticmethod
    def hard_silu(x): return _fl(x) * NN.hard_sigmoid(x)
    hard_swish = hard_silu
    @staticmethod
    def soft_sign(x): x = _np(x); return x / (np.abs(x) + 1)
    tanh = staticmethod(np.tanh)
    @staticmethod
    def _axes(x, axis):
        return tuple(range(x.ndim)) if axis is None else axis
    @staticmethod
    def softmax(x, axis=-1):
        x = _fl(x); ax = NN._axes(x, axis)
        e = np.exp(x - x.max(axis=ax, keepdims=True)); return e / e.sum(axis=ax, keepdims=True)
    @staticmethod
    def log_softmax(x, axis=-1):
        x = _fl(x); ax = NN._axes(x, axis)
        s = x - x.max(axis=ax, keepdims=True); return s - np.log(np.exp(s).sum(axis=ax, keepdims=True))
    @staticmethod
    def logsumexp(x, axis=None, keepdims=False):
        x = _fl(x); ax = NN._axes(x, axis)
        m = x.max(axis=ax, keepdims=True); m = np.where(np.isfinite(m), m, 0)
        r = np.log(np.exp(x - m).sum(axis=ax, keepdims=True)) + m
        return r if keepdims else np.squeeze(r, axis=ax)
    @staticmethod
    def standardize(x, axis=-1, epsilon=1e-5):
        x = _fl(x); m = x.mean(axis=axis, keepdims=True)
        v = (x * x).mean(axis=axis, keepdims=True) - m * m
        return (x - m) / np.sqrt(v + epsilon)
    normalize = standardize
    @staticmethod
    def one_hot(x, n, dtype=None, axis=-1):
        r = (np.asarray(x)[..., None] == np.arange(n)).astype(dtype or float)
        return np.moveaxis(r, -1, axis)
    @staticmethod
    def glu(x, axis=-1):
        a, b = np.split(_fl(x), 2, axis=axis); return a * NN.sigmoid(b)


class LA:
    solve = staticmethod(np.linalg.solve)
    inv = staticmethod(np.linalg.inv)
    det = staticmethod(np.linalg.det)
    cholesky = staticmethod(np.linalg.cholesky)
    norm = staticmethod(np.linalg.norm)
    @staticmethod
    def slogdet(a):
        s, l = np.linalg.slogdet(a); return (s, l)


ENV = {k: getattr(np, k) for k in dir(np) if not k.startswith("_")}
ENV.update(nn=NN, linalg=LA, nan=np.nan, inf=np.inf, True_=True)
ENV["array"] = lambda x, dtype=None: np.array(x, dtype=dtype)
ENV["asarray"] = ENV["array"]
ENV["float64"] = lambda x: np.asarray(x, dtype=np.float64)
ENV["float32"] = ENV["float64"]
ENV["int64"] = lambda x: np.asarray(x).astype(np.int64)
ENV["int32"] = ENV["int64"]
ENV["bool_"] = lambda x: np.asarray(x).astype(bool)
ENV["astype"] = lambda x, dtype: np.asarray(x).astype(dtype)
ENV["shape"] = lambda x: np.shape(x)
ENV["dtype"] = lambda x: str(np.asarray(x).dtype)
ENV["size"] = lambda x, axis=None: np.size(x, axis)
ENV["clip"] = lambda x, lo=None, hi=None, a_min=None, a_max=None, min=None, max=None: (
    lambda l, h: np.clip(x, l, h) if not (l is None and h is None) else np.asarray(x))(
    lo if lo is not None else (a_min if a_min is not None else min),
    hi if hi is not None else (a_max if a_max is not None else max))
ENV["concat"] = np.concatenate
ENV["permute_dims"] = np.transpose
ENV["pow"] = np.power
ENV["logsumexp"] = NN.logsumexp
ENV["erf"] = lambda x: np.vectorize(math.erf, otypes=[float])(x)
ENV["sum"] = np.sum
ENV["max"] = np.max
ENV["min"] = np.min
ENV["all"] = np.all
ENV["any"] = np.any
ENV["abs"] = np.abs
ENV["round"] = np.round
ENV["rint"] = np.rint
ENV["norm"] = np.linalg.norm
ENV["var"] = lambda x, axis=None, ddof=0, keepdims=False: np.var(x, axis=axis, ddof=ddof, keepdims=keepdims)
ENV["std"] = lambda x, axis=None, ddof=0, keepdims=False: np.std(x, axis=axis, ddof=ddof, keepdims=keepdims)
ENV["zeros_like"] = lambda x, dtype=None, shape=None: np.zeros_like(x, dtype=dtype, shape=shape)
ENV["ones_like"] = lambda x, dtype=None, shape=None: np.ones_like(x, dtype=dtype, shape=shape)
ENV["full_like"] = lambda x, v, dtype=None, shape=None: np.full_like(x, v, dtype=dtype, shape=shape)
ENV["empty_like"] = ENV["zeros_like"]
ENV["empty"] = lambda s, dtype=None: np.zeros(s, dtype=dtype)
ENV["copy"] = lambda x: np.array(x)
ENV["take"] = lambda x, i, axis=0: np.take(x, i, axis=axis)  # LANGUAGE.md: axis=0 default
ENV["fix"] = np.fix
ENV["split"] = lambda x, *a, **k: tuple(np.split(np.asarray(x), *a, **k))
ENV["array_split"] = lambda x, *a, **k: tuple(np.array_split(np.asarray(x), *a, **k))
ENV["reciprocal"] = lambda x: 1.0 / np.asarray(x, dtype=float)
ENV["hard_tanh"] = NN.hard_tanh


def fmt_scalar(v):
    if isinstance(v, (bool, np.bool_)):
        return "True" if v else "False"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    f = float(v)
    if math.isnan(f):
        return "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    return repr(f)


def fmt(v):
    if isinstance(v, str):
        return "'" + v + "'"
    if v is None:
        return "None"
    if isinstance(v, (tuple, list)):
        inner = ", ".join(fmt(x) for x in v)
        return "(" + inner + ("," if len(v) == 1 else "") + ")"
    a = np.asarray(v)
    if a.dtype == np.float32 or a.dtype == np.float16:
        a = a.astype(np.float64)
    if a.dtype.kind in "iu":
        a = a.astype(np.int64)
    if a.ndim == 0:
        return fmt_scalar(a[()])
    if a.size == 0:
        dt = {"f": "float64", "i": "int64", "b": "bool"}[a.dtype.kind]
        return "zeros(%s, dtype='%s')" % (fmt(tuple(int(s) for s in a.shape)), dt)

    def rec(x):
        if x.ndim == 0:
            return fmt_scalar(x[()])
        return "[" + ", ".join(rec(y) for y in x) + "]"
    return rec(a)


GROUPS = {}
ERRORS = []


def case(group, jx, npx=None, want=None):
    jx = sub(jx)
    if want is None:
        npx = sub(npx) if npx is not None else jx
        try:
            val = eval(npx, ENV)
        except Exception as e:  # noqa
            print("numpy failed on", npx, ":", e, file=sys.stderr)
            return
        want = fmt(val)
    GROUPS.setdefault(group, []).append((jx, want))


def err(jx, kind, msg):
    ERRORS.append((sub(jx), kind, msg))


# ============================ creation ====================================
C = "create"
for e in ["array({A34})", "array({I34})", "array({B4})", "array([[1, 2], [3, 4.5]])",
          "array(3)", "array(2.5)", "array(True)", "array([1, 2], dtype='float64')",
          "array([1.7, -1.7], dtype='int64')", "array([0, 2], dtype='bool')", "array([])",
          "array(((1, 2), (3, 4)))", "array((array([1, 2]), array([3, 4])))",
          "asarray([1, 2])", "array({NI})"]:
    case(C, e)
for e in ["zeros(3)", "zeros((2, 3))", "zeros(())", "zeros((0, 3))", "zeros(2, dtype='int64')",
          "ones((2, 2))", "ones(3, dtype='int64')", "ones(3, dtype='bool')", "ones(())",
          "empty(2)", "full((2, 3), 7)", "full((2, 2), 1.5)", "full(3, True)",
          "full((2, 3), [1, 2, 3])", "full((2,), 1, dtype='float64')", "full((), 4.0)",
          "zeros_like({A34})", "zeros_like({I34})", "ones_like({B4})", "ones_like(2.5)",
          "zeros_like([1, 2], dtype='float64')", "full_like({I34}, 0.5)", "full_like({A31}, 2)",
          "full_like([1.0, 2.0], 3, dtype='int64')", "empty_like([1, 2])",
          "zeros_like([1.0], shape=(2, 2))"]:
    case(C, e)
for e in ["arange(5)", "arange(2, 7)", "arange(0, 10, 3)", "arange(10, 0, -3)", "arange(0)",
          "arange(-3)", "arange(5, 1)", "arange(1, 2, 0.25)", "arange(0.1, 1, 0.1)",
          "arange(0.0, 1.0, 0.3)", "arange(5.0)", "arange(1, -1, -0.5)", "arange(3, dtype='float64')",
          "arange(0, 5, 2)", "arange(-5, 5, 7)", "arange(0, 1, 1)", "arange(True)"]:
    case(C, e)
for e in ["linspace(0, 1, 5)", "linspace(0, 1, 7)", "linspace(-2.5, 3.0, 12)", "linspace(0, 1, 1)",
          "linspace(0, 1, 0)", "linspace(2, 3)", "linspace(0, 10, 5, endpoint=False)",
          "linspace(1, 0, 4)", "linspace(0, 10, 4, dtype='int64')", "linspace(3, 3, 3)",
          "linspace(0, 0.1, 11)", "linspace([0, 1], [2, 5], 3)", "linspace(0, [1, 2], 3)",
          "linspace(-1.0, 1.0, 2)"]:
    case(C, e)
for e in ["eye(3)", "eye(2, 3)", "eye(3, 2)", "eye(3, k=1)", "eye(3, k=-2)", "eye(3, k=5)",
          "eye(0)", "eye(2, dtype='int64')", "identity(3)", "identity(2, dtype='bool')",
          "tri(3)", "tri(2, 3, k=1)", "tril({A34})", "triu({A34})", "tril({I34}, k=-1)",
          "triu({N33}, k=1)", "tril({T234})"]:
    case(C, e)
for e in ["astype({A34}, 'int64')", "astype({I34}, 'float64')", "astype({I34}, 'bool')",
          "astype({B4}, 'int64')", "astype(2.7, 'int64')", "astype(-2.7, 'int64')",
          "float64([1, 2])", "float32(1)", "int64([1.9, -1.9])", "int32(2.5)", "bool_([0, 2])",
          "copy([1, 2])", "zeros(2, dtype='float32')"]:
    case(C, e)
case(C, "zeros(3, dtype=float64)", want="[0.0, 0.0, 0.0]")
case(C, "ones(2, dtype=int64)", want="[1, 1]")
case(C, "astype([1, 0], bool_)", want="[True, False]")
case(C, "dtype(arange(3))", want="'int64'")
case(C, "dtype(arange(3.0))", want="'float64'")
case(C, "dtype(linspace(0, 1, 3))", want="'float64'")
case(C, "dtype(eye(2))", want="'float64'")

# ============================ elementwise =================================
M = "math"
UN = ["abs", "absolute", "sign", "exp", "log", "log1p", "expm1", "sqrt", "sin", "cos", "tan",
      "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "floor", "ceil", "isnan", "isinf",
      "isfinite", "negative", "positive", "square", "reciprocal", "exp2", "log2", "log10",
      "deg2rad", "rad2deg", "radians", "degrees", "trunc", "fix", "round", "rint", "erf",
      "real", "conj", "conjugate", "logical_not"]
INPUTS = ["{S}", "-1.5", "{A34}", "{A31}", "{A14}", "{NI}", "{U4}", "{P4}", "array([])",
          "zeros((0, 3))", "{SI}", "{I34}", "0", "{B4}"]
for f in UN:
    for x in INPUTS:
        if x in ("{B4}",) and f in ("negative", "sign", "abs", "absolute", "square", "positive",
                                    "trunc", "fix", "rint", "floor", "ceil", "real", "conj",
                                    "conjugate", "round"):
            continue
        npx = None
        if x == "{B4}" and f not in ("isnan", "isinf", "isfinite", "logical_not"):
            npx = "%s(array(%s, dtype=float))" % (f, x)   # numpy would give float16
        case(M, "%s(%s)" % (f, x), npx)
case(M, "round(2.675, 2)")
case(M, "round([0.5, 1.5, 2.5, -0.5, -1.5], 0)")
case(M, "round({A34}, 1)")
case(M, "round(1234.5678, -2)")
case(M, "round({I34}, 1)")
case(M, "round({I34}, -1)", want=sub("[[0, -0, 0, 0], [0, 0, -10, 10], [-10, 10, 0, 0]]"))
case(M, "around(1.25, 1)")

BIN = ["add", "subtract", "multiply", "divide", "true_divide", "maximum", "minimum", "arctan2",
       "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "power", "pow",
       "float_power", "logaddexp", "floor_divide", "mod", "remainder", "logical_and",
       "logical_or", "logical_xor"]
PAIRS = [("{A34}", "{A31}"), ("{A31}", "{A14}"), ("{S}", "{A34}"), ("{A14}", "-0.5"),
         ("{I34}", "3"), ("{I34}", "{A34}"), ("{B4}", "{B4}"), ("{NI}", "1.0"),
         ("{NI}", "{NI}"), ("2", "3"), ("2.0", "-1.5"), ("array([])", "1.0"),
         ("zeros((0, 3))", "[1.0, 2.0, 3.0]"), ("True", "2")]
for f in BIN:
    for a, b in PAIRS:
        if f in ("floor_divide", "mod", "remainder") and (b in ("{A34}", "{NI}", "{B4}")
                                                          or a in ("{B4}",)):
            continue
        if f in ("power", "pow") and (a, b) in (("{I34}", "{A34}"), ("{B4}", "{B4}"), ("True", "2")):
            continue
        if f in ("subtract",) and a == "{B4}":
            continue
        npx = None
        if (a, b) == ("{B4}", "{B4}") and f in ("arctan2", "logaddexp", "divide", "true_divide",
                                                 "float_power"):
            npx = "%s(array(%s, dtype=float), array(%s, dtype=float))" % (f, a, b)
        case(M, "%s(%s, %s)" % (f, a, b), npx)
case(M, "power({A34}, 2)")
case(M, "power({A34}, -1)")
case(M, "power({P4}, 0.5)")
case(M, "power(2, 10)")
case(M, "power(-2.0, 3)")
case(M, "power({I34}, 2)")
case(M, "logaddexp(1000.0, 1000.0)")
case(M, "logaddexp(-inf, -inf)")
case(M, "logaddexp(inf, inf)")
case(M, "logaddexp(-40.0, 0.0)")
for e in ["clip({A34}, -1, 1)", "clip({A34}, 0, None)", "clip({A34}, None, 0.5)", "clip({I34}, 0, 5)",
          "clip({NI}, -1, 1)", "clip({A34}, {A31}, 1.0)", "clip(5, 0, 3)", "clip(-2.5, -1.0, 1.0)",
          "clip({A34}, None, None)", "clip({A34}, a_min=0.0)", "clip({A34}, max=1.0)",
          "where({B4}, 1.0, [5.0, 6.0, 7.0, 8.0])", "where([[True], [False], [True]], {A34}, {A14})",
          "where(True, 1, 2)", "where(0, 1, 2.5)", "where({I34}, {I34}, -1)",
          "where({A34} > 0, {A34}, 0)".replace(" > 0", ""),
          "isclose([1.0, 2.0], [1.0 + 1e-9, 2.1])".replace(" + 1e-9", "000001"),
          "isclose({NI}, {NI})", "isclose({NI}, {NI}, equal_nan=True)", "isclose(1, 1.00001)",
          "allclose([1.0, 2.0], [1.0, 2.000000001])", "allclose([1.0, nan], [1.0, nan])",
          "allclose([1.0, nan], [1.0, nan], equal_nan=True)", "array_equal([1, 2], [1, 2])",
          "array_equal([1, 2], [1, 3])", "array_equal([1, 2], [[1, 2]])",
          "array_equal({A34}, {A34})"]:
    case(M, e)

# ============================ reductions ===================================
R = "reduce"
XS = ["{A34}", "{I34}", "{B4}", "{A31}", "{A14}", "{T234}", "{S}", "{SI}", "{NI}"]
AXES = ["", ", axis=0", ", axis=-1", ", axis=1", ", axis=(0, 1)", ", axis=(-1, 0)", ", axis=()",
        ", keepdims=True", ", axis=0, keepdims=True", ", axis=(0, 2)", ", axis=2"]


def ndim_of(x):
    return np.asarray(eval(sub(x), ENV)).ndim


def axes_ok(x, a):
    nd = ndim_of(x)
    for tok in ["2", "(0, 2)"]:
        if ("axis=" + tok) in a and nd < 3:
            return False
    if ("axis=1" in a or "(0, 1)" in a or "(-1, 0)" in a) and nd < 2:
        return False
    if ("axis=0" in a or "axis=-1" in a) and nd < 1:
        return False
    return True


for f in ["sum", "mean", "prod", "max", "min", "amax", "amin", "ptp", "all", "any", "var", "std",
          "count_nonzero"]:
    for x in XS:
        for a in AXES:
            if not axes_ok(x, a):
                continue
            if f == "ptp" and x == "{B4}":
                continue
            if f == "count_nonzero" and ("keepdims" in a or "()" in a):
                continue
            case(R, "%s(%s%s)" % (f, x, a))
for e in ["sum(array([]))", "sum(zeros((0, 3)), axis=0)", "sum(zeros((0, 3)), axis=1)",
          "prod(array([]))", "mean(zeros((0, 3)), axis=1)", "max(zeros((3, 0)), axis=0)",
          "all(array([]))", "any(array([]))", "sum({A34}, dtype='int64')", "sum({B4}, dtype='float64')",
          "mean({I34}, dtype='float64')", "var({A34}, ddof=1)", "std({A34}, axis=0, ddof=1)",
          "var([1.0, 2.0, 3.0, 4.0])", "var({I34}, axis=1)", "var(5.0)", "mean(3)",
          "sum([[1, 2], [3, 4]], axis=0)", "max({NI})", "min([nan, 1.0])", "max(array([1, 5, 3]))"]:
    case(R, e)
for f in ["argmax", "argmin"]:
    for x in ["{A34}", "{I34}", "{B4}", "{NI}", "{T234}", "[3.0, 3.0, 1.0]", "{S}", "[[1, 9], [7, 2]]"]:
        for a in ["", ", axis=0", ", axis=-1", ", axis=1", ", keepdims=True",
                  ", axis=1, keepdims=True"]:
            if not axes_ok(x, a):
                continue
            if "keepdims" in a and "axis" not in a:
                # numpy 1.24: keepdims with axis=None keeps all dims as 1
                pass
            case(R, "%s(%s%s)" % (f, x, a))
case(R, "argmax(zeros((0, 3)), axis=1)")
for x in ["{A34}", "{I34}", "{B4}", "{T234}", "{NI}"]:
    for a in ["", ", axis=0", ", axis=-1", ", axis=1"]:
        if axes_ok(x, a):
            case(R, "cumsum(%s%s)" % (x, a))
case(R, "cumsum(5)")
case(R, "cumsum(array([]))")
case(R, "cumsum({A34}, axis=1, dtype='int64')")
for x in ["{V3}", "{A34}", "{I34}", "{NI}", "{T234}", "array([])"]:
    case(R, "norm(%s)" % x)
for o in ["1", "2", "inf", "-inf", "0", "3", "0.5", "-1"]:
    case(R, "norm({V3}, ord=%s)" % o)
    case(R, "norm({A34}, ord=%s, axis=1)" % o)
for o in ["1", "-1", "inf", "-inf", "'fro'", "None"]:
    case(R, "norm({A34}, ord=%s)" % o)
    case(R, "linalg.norm({N33}, ord=%s)" % o)
    case(R, "norm({T234}, ord=%s, axis=(2, 0))" % o)
    case(R, "norm({T234}, ord=%s, axis=(0, 1), keepdims=True)" % o)
case(R, "norm({A34}, axis=0, keepdims=True)")
case(R, "norm({A34}, keepdims=True)")
case(R, "norm({T234}, axis=(0, 2))")
for x in ["{A34}", "{V3}", "{NI}", "[-inf, -inf]", "[1000.0, 1000.0]", "{T234}"]:
    for a in ["", ", axis=0", ", axis=-1", ", keepdims=True", ", axis=1, keepdims=True", ", axis=(0, 2)"]:
        if axes_ok(x, a):
            case(R, "logsumexp(%s%s)" % (x, a))
            case(R, "nn.logsumexp(%s%s)" % (x, a))

# ============================ shape =========================================
S = "shape"
for e in ["shape({A34})", "shape({S})", "shape(zeros((0, 3)))", "ndim({T234})", "ndim(3)",
          "size({A34})", "size({A34}, axis=1)", "size(2.0)", "dtype({B4})", "dtype(1)", "dtype(1.0)",
          "dtype({I34})"]:
    case(S, e)
for e in ["reshape(arange(6), (2, 3))", "reshape(arange(6), (2, -1))", "reshape(arange(6), (-1,))",
          "reshape(arange(6), -1)", "reshape(arange(6), 6)", "reshape({A34}, (4, 3))",
          "reshape({A34}, (2, 2, 3))", "reshape(5, (1, 1))", "reshape([5], ())", "reshape(zeros((0, 3)), (3, 0))",
          "reshape(zeros((0, 3)), (-1, 3))", "reshape({T234}, (-1, 4))", "reshape({B4}, (2, 2))",
          "ravel({A34})", "ravel(3)", "ravel({T234})",
          "transpose({A34})", "transpose({T234})", "transpose({T234}, (1, 0, 2))",
          "transpose({T234}, (-1, 0, 1))", "transpose(3)", "transpose({V3})", "permute_dims({A31})",
          "moveaxis({T234}, 0, -1)", "moveaxis({T234}, -1, 0)", "moveaxis({T234}, (0, 1), (2, 0))",
          "moveaxis({T234}, (0, 2), (1, 0))", "moveaxis({A34}, 0, 1)",
          "swapaxes({T234}, 0, 2)", "swapaxes({A34}, 0, -1)", "swapaxes({A34}, 1, 1)",
          "expand_dims({V3}, 0)", "expand_dims({V3}, 1)", "expand_dims({V3}, -1)",
          "expand_dims({A34}, (0, 3))", "expand_dims({A34}, (-1, 0))", "expand_dims(2.0, 0)",
          "squeeze(zeros((1, 3, 1)))", "squeeze({A31})", "squeeze({A31}, axis=1)",
          "squeeze({A14}, 0)", "squeeze({A34})", "squeeze([[[1]]])", "squeeze(zeros((1, 3, 1)), (0, 2))",
          "atleast_1d(5)", "atleast_1d({V3})", "atleast_2d({V3})", "atleast_2d(2)",
          "atleast_2d({A34})"]:
    case(S, e)
for e in ["concatenate(({A34}, {A14}))", "concatenate(({A34}, {A31}), axis=1)",
          "concatenate(({A34}, {A31}), axis=-1)", "concatenate(({V3}, [4, 5]))",
          "concatenate(({A34}, {I34}))", "concatenate(({B4}, [1, 2]))", "concatenate(({V3},))",
          "concatenate(({A34}, {A31}), axis=None)", "concatenate(({T234}, {T234}), axis=2)",
          "concatenate((array([]), {V3}))", "concatenate({A34})", "concatenate({T234}, axis=1)",
          "concat(([[1]], [[2]]), axis=1)",
          "stack(({V3}, {V3}))", "stack(({V3}, {V3}), axis=1)", "stack(({V3}, {V3}), axis=-1)",
          "stack(({A34}, {A34}, {A34}), axis=1)", "stack((1, 2.5))", "stack(({I34}, {A34}), axis=2)",
          "stack({A34})", "stack({A34}, axis=1)",
          "hstack(({V3}, [4.0]))", "hstack(({A34}, {A31}))", "hstack((1, 2))", "vstack(({A34}, {A14}))",
          "vstack(({V3}, {V3}))", "vstack((1, 2))", "hstack({A34})", "vstack({A34})",
          "split(arange(6), 3)", "split({A34}, 2, axis=1)", "split({A34}, (1, 2))",
          "split({A34}, (1, 10), axis=1)", "split({A34}, (-1,), axis=0)", "array_split(arange(5), 2)",
          "array_split(arange(7), 3)", "array_split({A34}, 3, axis=1)", "split(arange(4), (3, 1))",
          "broadcast_to({V3}, (2, 3))", "broadcast_to({A31}, (3, 4))", "broadcast_to({A31}, (2, 3, 5))",
          "broadcast_to(5, (2, 2))", "broadcast_to({A34}, (3, 4))", "broadcast_to({V3}, (0, 3))",
          "tile([1, 2], 2)", "tile([1, 2], (2, 2))", "tile({A31}, (1, 3))", "tile({A34}, 2)",
          "tile(5, 3)", "tile({V3}, (2, 1, 2))", "tile({A34}, 0)", "tile({A34}, (2, 1))",
          "repeat([1, 2], 2)", "repeat({A34}, 2, axis=0)", "repeat({A34}, 3, axis=-1)",
          "repeat({A34}, 2)", "repeat(7, 3)", "repeat({V3}, (1, 0, 3))", "repeat({A34}, (2, 0, 1), axis=0)",
          "repeat({V3}, 0)", "repeat({A31}, (2,), axis=1)",
          "flip({A34})", "flip({A34}, axis=1)", "flip({A34}, axis=(0, 1))", "flip({T234}, axis=-1)",
          "flip(3)", "flipud({A34})", "fliplr({A34})", "flipud({V3})",
          "roll([1, 2, 3, 4], 1)", "roll([1, 2, 3, 4], -1)", "roll({A34}, 5)", "roll({A34}, 1, axis=0)",
          "roll({A34}, (1, -2), axis=(0, 1))", "roll({A34}, 2, axis=(0, 1))", "roll(array([]), 3)",
          "take([10, 20, 30], [2, 0, -1])", "take({A34}, 5, axis=None)", "take({A34}, -1, axis=None)",
          "take({A34}, -1)", "take({A34}, [2, 0])", "take(3.0, [0, 0], axis=None)", "take({A34}, [1, 2], axis=1)",
          "take({A34}, [[0, 2], [1, 1]], axis=0)", "take({A34}, 2, axis=0)", "take({A34}, -2, axis=-1)",
          "take({T234}, [1, 0], axis=2)", "take({V3}, array([], dtype='int64'))", "take({V3}, (0, 2))",
          "take({B4}, [0, 1])",
          "pad([1, 2], 1)", "pad([1, 2], (1, 2))", "pad({A34}, ((1, 0), (0, 2)))", "pad({A34}, 1, constant_values=9)",
          "pad({I34}, ((0, 1), (2, 0)), constant_values=-1)", "pad({V3}, (2, 1), 'constant', constant_values=0.5)",
          "pad({A34}, ((1, 1),))", "pad({V3}, 0)"]:
    case(S, e)

# int arrays (jx list literals) where tuples of ints are expected
for e in ["reshape(arange(6), [2, -1])", "transpose({T234}, [1, 0, 2])", "sum({A34}, axis=[0, 1])",
          "sum({T234}, axis=[-1, 0], keepdims=True)", "expand_dims({V3}, [0, 2])", "split(arange(6), [1, 2])",
          "roll({A34}, [1, -2], axis=[0, 1])", "pad({A34}, [[1, 0], [0, 2]])", "moveaxis({T234}, [0, 1], [2, 0])",
          "zeros([2, 3])", "broadcast_to({V3}, [2, 3])", "tile({V3}, [2, 1])", "flip({A34}, axis=[0, 1])",
          "squeeze(zeros((1, 3, 1)), [0, 2])", "nn.softmax({A34}, axis=[0, 1])", "norm({T234}, axis=[0, 2])",
          "tensordot({T234}, {A34}, [[1, 2], [0, 1]])", "mean({A34}, axis=[1])"]:
    import re as _re
    npx = _re.sub(r"axis=\[([^\]]*)\]", lambda m: "axis=(" + m.group(1) + ",)", e)
    npx = npx.replace("zeros((1, 3, 1)), [0, 2]", "zeros((1, 3, 1)), (0, 2)")
    case(S, e, npx)
err("sum({A34}, axis=[0, 0])", "E_VALUE", "duplicate value in 'axis'")
err("sum({A34}, axis=[2])", "E_VALUE", "sum: axis 2 is out of bounds")

# ============================ linalg ========================================
L = "linalg"
for e in ["dot({V3}, {V3})", "dot({N33}, {V3})", "dot({V3}, {N33})", "dot({N33}, {M33})",
          "dot({A34}, transpose({A34}))", "dot(2.0, {V3})", "dot({V3}, 2)", "dot({T234}, {A34}.T)".replace("{A34}.T", "transpose({A34})"),
          "dot({T234}, ones((4, 2)))", "dot({T234}, {V3}[:0])".replace("{V3}[:0]", "ones(4)"),
          "dot({I34}, transpose({I34}))", "dot([1, 2], [3, 4])", "dot(array([]), array([]))",
          "dot(zeros((2, 0)), zeros((0, 3)))",
          "vdot({A34}, {A34})", "vdot([[1, 2], [3, 4]], [[1, 1], [1, 1]])", "vdot({V3}, {V3})",
          "matmul({N33}, {M33})", "matmul({N33}, {V3})", "matmul({V3}, {N33})", "matmul({V3}, {V3})",
          "matmul({T234}, ones((4, 5)))", "matmul(ones((5, 3)), {T234})", "matmul({T234}, ones((2, 4, 3)))",
          "matmul(ones((2, 1, 3, 4)), ones((5, 4, 2)))", "matmul({V3}, ones((2, 3, 4)))",
          "matmul({T234}, ones(4))", "matmul({I34}, ones((4, 2), dtype='int64'))",
          "matmul(zeros((2, 0)), zeros((0, 3)))", "matmul([[1, 2], [3, 4]], [1, 1])",
          "inner({V3}, {V3})", "inner({A34}, {A14})", "inner({T234}, {A34})", "inner(2.0, {V3})",
          "inner([[1, 2], [3, 4]], [1, 10])",
          "outer({V3}, {P4})", "outer({A34}, {V3})", "outer([1, 2], [1, 10])", "outer(2, {V3})",
          "tensordot(ones((2, 3)), ones((3, 4)), 1)", "tensordot({T234}, {A34}, ((1, 2), (0, 1)))",
          "tensordot({T234}, {T234})".replace("{T234})", "transpose({T234}, (1, 2, 0)))"),
          "tensordot({V3}, {V3}, 0)", "tensordot({T234}, {A34}, 2)",
          "trace({N33})", "trace({A34})", "trace({A34}, 1)", "trace({A34}, -1)", "trace({A34}, 3)",
          "trace({A34}, -3)", "trace({A34}, 4)", "trace({T234})", "trace({T234}, 0, 1, 2)",
          "trace({T234}, 1, -1, 0)", "trace({I34})",
          "diagonal({N33})", "diagonal({A34}, 1)", "diagonal({A34}, -1)", "diagonal({T234}, 0, 1, 2)",
          "diagonal({T234})", "diagonal({A34}, 10)",
          "diag({V3})", "diag({V3}, 1)", "diag({V3}, -2)", "diag({N33})", "diag({A34}, 1)", "diag([5])",
          "diag([1, 2])", "diag(array([]))",
          "linalg.solve({M33}, {V3})", "linalg.solve({M33}, {N33})", "linalg.solve({N33}, {V3})",
          "linalg.solve([[2, 0], [0, 4]], [2, 2])", "linalg.solve(stack(({M33}, {N33})), stack(({V3}, {V3})))",
          "linalg.solve(stack(({M33}, {N33})), ones((2, 3, 2)))",
          "linalg.inv({M33})", "linalg.inv({N33})", "linalg.inv(stack(({M33}, {N33})))", "linalg.inv([[2, 0], [0, 4]])",
          "linalg.det({M33})", "linalg.det({N33})", "linalg.det(stack(({M33}, {N33})))", "linalg.det([[1, 2], [3, 4]])",
          "linalg.det(eye(3))",
          "linalg.cholesky({M33})", "linalg.cholesky([[4.0, 2.0], [2.0, 2.0]])",
          "linalg.cholesky(stack(({M33}, eye(3))))",
          "linalg.slogdet({M33})", "linalg.slogdet({N33})"]:
    case(L, e)
for e in ["einsum('ij,jk->ik', {N33}, {M33})", "einsum('ij,jk', {A34}.T, {A34})".replace("{A34}.T", "transpose({A34})"),
          "einsum('ii', {N33})", "einsum('ii->i', {N33})", "einsum('ij->ji', {A34})", "einsum('ij->', {A34})",
          "einsum('ij', {A34})", "einsum('ji', {A34})", "einsum('i,i', {V3}, {V3})", "einsum('i,j->ij', {V3}, {P4})",
          "einsum('bij,bjk->bik', {T234}, ones((2, 4, 5)))", "einsum('bij,jk->bik', {T234}, ones((4, 5)))",
          "einsum('...ij,...jk->...ik', {T234}, ones((2, 4, 2)))", "einsum('...j,j->...', {T234}, ones(4))",
          "einsum('ijk->kji', {T234})", "einsum('ijk,ijk->i', {T234}, {T234})", "einsum('ij,ij->ij', {A34}, {A34})",
          "einsum('i,i,i->', {V3}, {V3}, {V3})", "einsum('ij,jk,kl->il', {A34}, transpose({A34}), {A34})",
          "einsum('ab,cd->abcd', {A31}, {A14})", "einsum('iij->j', ones((3, 3, 2)))", "einsum('i->', {V3})",
          "einsum('ij->i', {I34})", "einsum('ij, jk -> ik', {N33}, {N33})", "einsum('Ab,bC->AC', {N33}, {M33})",
          "einsum('...', {A34})", "einsum('i...->...', {A34})", "einsum('ij,j->ij', {A31}, [1.0, 2.0, 3.0, 4.0])"]:
    case(L, e)
err("einsum('ij,jk->ik', {A34}, {A34})", "E_SHAPE", "einsum: operands disagree on the size of 'j' (4 vs 3)")
err("einsum('ij->k', {A34})", "E_VALUE", "einsum: output subscript 'k' does not appear in the inputs")
err("einsum('ijk', {A34})", "E_VALUE", "einsum: subscripts 'ijk' give 3 dimension(s) for an operand with 2")
err("einsum('ij,jk', {A34})", "E_VALUE", "einsum: the subscripts name more operands than the 1 given")
err("einsum('ij', {A34}, {A34})", "E_VALUE", "einsum: 2 operands given but the subscripts name fewer")
err("einsum('i1', {V3})", "E_VALUE", "einsum: invalid character '1'")
err("einsum(3, {V3})", "E_TYPE", "einsum: 'subscripts' must be a string")
err("einsum('ij->ii', {A34})", "E_VALUE", "appears more than once")

# ============================ nn ============================================
NNG = "nn"
for f in ["sigmoid", "relu", "relu6", "softplus", "log_sigmoid", "silu", "swish", "mish", "gelu",
          "elu", "celu", "selu", "leaky_relu", "hard_tanh", "hard_sigmoid", "hard_silu", "hard_swish",
          "soft_sign", "tanh"]:
    for x in ["{S}", "-1.5", "0.0", "{A34}", "{A31}", "{NI}", "{I34}", "[-40.0, 40.0, 800.0, -800.0]",
              "[5.9, 6.0, 6.1, -0.1]", "array([])"]:
        if f in ("mish",) and "NI" in x:
            continue
        case(NNG, "nn.%s(%s)" % (f, x))
case(NNG, "nn.gelu({A34}, approximate=False)")
case(NNG, "nn.gelu(1.0, False)")
case(NNG, "nn.elu({A34}, alpha=2.0)")
case(NNG, "nn.celu({A34}, alpha=0.5)")
case(NNG, "nn.leaky_relu({A34}, negative_slope=0.2)")
for f in ["softmax", "log_softmax"]:
    for x in ["{A34}", "{V3}", "{T234}", "{I34}", "[1000.0, 1000.0, -1000.0]", "[-inf, 0.0, 1.0]", "{S}"]:
        for a in ["", ", axis=0", ", axis=-1", ", axis=1", ", axis=(0, 1)", ", axis=None", ", axis=(0, 2)"]:
            if a == ", axis=None" or axes_ok(x, a):
                if x == "{S}" and a not in ("", ", axis=None"):
                    continue
                if x == "{S}" and a == "":
                    continue
                case(NNG, "nn.%s(%s%s)" % (f, x, a))
for e in ["nn.standardize({A34})", "nn.standardize({A34}, axis=0)", "nn.standardize({T234}, axis=(0, 2))",
          "nn.standardize([1.0, 3.0], epsilon=0.0)", "nn.normalize([0.0, 2.0], epsilon=0.0)",
          "nn.one_hot([0, 2], 3)", "nn.one_hot([[0, 1], [3, 2]], 4)", "nn.one_hot(1, 3)",
          "nn.one_hot([0, 5, -1], 3)", "nn.one_hot([0, 2], 3, dtype='int64')",
          "nn.one_hot([0, 2], 3, axis=0)", "nn.one_hot([[0, 1], [3, 2]], 4, axis=1)",
          "nn.one_hot([1.0, 2.0], 3)", "nn.one_hot(array([], dtype='int64'), 2)",
          "nn.glu([1.0, 0.0])", "nn.glu({A34})", "nn.glu({A34}, axis=0)".replace("{A34}", "{T234}")]:
    case(NNG, e)

# ============================ transformations ================================
# Values of derivatives computed by hand / finite differences (not numpy):
# these check that the compositions behave under grad/vmap/jit.
A = "ad"
W = lambda jx, v: case(A, jx, want=v)
W("grad(nn.relu)(0.0)", "0.0")
W("grad(nn.relu)(2.0)", "1.0")
W("grad(nn.relu)(-2.0)", "0.0")
W("grad(nn.relu6)(6.0)", "0.0")
W("grad(nn.relu6)(3.0)", "1.0")
W("grad(nn.softplus)(0.0)", "0.5")
W("grad(nn.softplus)(800.0)", "1.0")
W("grad(nn.softplus)(-800.0)", "0.0")
W("grad(nn.sigmoid)(0.0)", "0.25")
W("grad(nn.log_sigmoid)(0.0)", "0.5")
W("grad(nn.elu)(-1.0)", repr(math.exp(-1)))
W("grad(nn.elu)(-800.0)", "0.0")
W("grad(nn.gelu)(0.0)", "0.5")
W("grad(nn.silu)(0.0)", "0.5")
W("grad(nn.leaky_relu)(-1.0)", "0.01")
W("grad(abs)(0.0)", "1.0")
W("grad(logaddexp)(0.0, 0.0)", "0.5")
W("grad(logaddexp)(1000.0, 0.0)", "1.0")
W("grad(logaddexp, argnums=1)(1000.0, 0.0)", "0.0")
W("grad(clip)(1.0, 0.0, 1.0)", "0.5")
W("grad(clip)(0.5, 0.0, 1.0)", "1.0")
W("grad(clip)(2.0, 0.0, 1.0)", "0.0")
W("grad(maximum)(1.0, 1.0)", "0.5")
W("grad(sqrt)(4.0)", "0.25")
W("grad(exp2)(3.0)", repr(8 * math.log(2)))
W("grad(log10)(10.0)", repr(1 / (10 * math.log(10))))
W("grad(square)(3.0)", "6.0")
W("grad(reciprocal)(2.0)", "-0.25")
W("grad(power)(-2.0, 2)", "-4.0")
W("grad(power)(3.0, 3)", "27.0")
W("grad(sum)({V3})", "[1.0, 1.0, 1.0]")
W("grad(mean)({V3})", repr([1 / 3] * 3).replace("[", "[").replace("]", "]"))
W("grad(max)([1.0, 3.0, 3.0])", "[0.0, 0.5, 0.5]")
W("grad(norm)([3.0, 4.0])", "[0.6, 0.8]")
W("grad(var)([1.0, 2.0, 4.0])", repr([2 * (v - 7 / 3) / 3 for v in [1.0, 2.0, 4.0]]))
W("grad(std)([1.0, 3.0])", "[-0.5, 0.5]")
W("grad(logsumexp)([0.0, 0.0])", "[0.5, 0.5]")
W("grad(logsumexp)([1000.0, 1000.0])", "[0.5, 0.5]")
W("grad(linalg.det)([[1.0, 2.0], [3.0, 4.0]])", "[[4.0, -3.0], [-2.0, 1.0]]")
W("grad(trace)({N33})", "[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]")
W("grad(vdot)({V3}, [1.0, 2.0, 3.0])", "[1.0, 2.0, 3.0]")
W("grad(linspace, argnums=1)(0.0, 1.0, 5).shape".replace(".shape", ""), "None")  # replaced below
GROUPS[A].pop()
W("jacfwd(nn.softmax)([0.0, 0.0])", "[[0.25, -0.25], [-0.25, 0.25]]")
W("jacrev(nn.softmax)([0.0, 0.0])", "[[0.25, -0.25], [-0.25, 0.25]]")
W("jacrev(nn.log_softmax)([0.0, 0.0])", "[[0.5, -0.5], [-0.5, 0.5]]")
W("jacfwd(cumsum)([1.0, 2.0, 3.0])", "[[1.0, 0.0, 0.0], [1.0, 1.0, 0.0], [1.0, 1.0, 1.0]]")
W("jacrev(flip)([1.0, 2.0])", "[[0.0, 1.0], [1.0, 0.0]]")
W("jacrev(ravel)([[1.0, 2.0]])", "[[[1.0, 0.0]], [[0.0, 1.0]]]")
W("jacrev(nn.relu)([-1.0, 0.0, 1.0])", "[[0.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 1.0]]")
W("jacfwd(outer)([1.0, 2.0], [3.0])", "[[[3.0, 0.0]], [[0.0, 3.0]]]")
W("jacrev(take)([1.0, 2.0, 3.0], [2, 2])", "[[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]")
W("vmap(sum)({A34})", fmt(np.sum(eval(sub("{A34}"), ENV), axis=1)))
W("vmap(nn.softmax)({A34})", fmt(NN.softmax(eval(sub("{A34}"), ENV))))
W("vmap(dot)({A34}, {A34})", fmt(np.sum(np.square(eval(sub("{A34}"), ENV)), axis=1)))
W("vmap(matmul)(ones((2, 3, 4)), ones((2, 4)))", "[[4.0, 4.0, 4.0], [4.0, 4.0, 4.0]]")
W("vmap(trace)(stack(({N33}, {M33})))", "[0.0, 9.0]")
W("vmap(linalg.det)(stack(({M33}, eye(3))))", fmt(np.array([np.linalg.det(eval(sub("{M33}"), ENV)), 1.0])))
W("vmap(nn.one_hot, in_axes=(0, None))([0, 2], 3)", "[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]")
W("vmap(take, in_axes=(None, 0))([10.0, 20.0, 30.0], [2, -1])", "[30.0, 30.0]")
W("vmap(reshape, in_axes=(0, None))(ones((2, 6)), (3, 2))", fmt(np.ones((2, 3, 2))))
W("vmap(concatenate)(({A34}, {A34}))", fmt(np.concatenate([eval(sub("{A34}"), ENV)] * 2, axis=1)))
W("vmap(array)(({V3}, {V3}))", fmt(np.stack([eval(sub("{V3}"), ENV)] * 2, axis=1)))
W("jit(nn.log_softmax)({A34})", fmt(NN.log_softmax(eval(sub("{A34}"), ENV))))
W("jit(var)({A34})", fmt(np.var(eval(sub("{A34}"), ENV))))
W("grad(linalg.det)(eye(2))", "[[1.0, 0.0], [0.0, 1.0]]")
W("grad(einsum, argnums=1)('ij,j->', [[1.0, 2.0], [3.0, 4.0]], [1.0, 1.0])", "[[1.0, 1.0], [1.0, 1.0]]")
W("vmap(einsum, in_axes=(None, 0, None))('ij,j->i', stack((eye(2), diag([2.0, 2.0]))), [1.0, 3.0])", "[[1.0, 3.0], [2.0, 6.0]]")

# ============================ errors ========================================
E = "E_"
err("reshape([[1, 2, 3], [4, 5, 6]], (4,))", "E_SHAPE", "reshape: cannot reshape array of shape (2, 3) into shape (4,)")
err("reshape(arange(6), (4, -1))", "E_SHAPE", "into shape (4, -1)")
err("reshape(arange(6), (-1, -1))", "E_VALUE", "one unknown dimension")
err("reshape(arange(6), (2, 'a'))", "E_TYPE", "reshape")
err("reshape(arange(6), 2.0)", "E_TYPE", "reshape")
err("reshape('abc', 3)", "E_TYPE", "reshape: argument 'x' must be an array or a number, not string")
err("sum({A34}, axis=2)", "E_VALUE", "sum: axis 2 is out of bounds for array of dimension 2")
err("sum({A34}, axis=-3)", "E_VALUE", "axis -3 is out of bounds")
err("sum({A34}, axis=(0, 0))", "E_VALUE", "duplicate value in 'axis'")
err("sum({A34}, axis=(0, -2))", "E_VALUE", "duplicate value in 'axis'")
err("sum({A34}, axis=1.0)", "E_TYPE", "sum: 'axis' must be an int")
err("sum({A34}, keepdims='yes')", "E_TYPE", "keepdims")
err("sum('x')", "E_TYPE", "sum: argument 'x' must be an array or a number, not string")
err("max(array([]))", "E_VALUE", "max: zero-size array to reduction operation maximum which has no identity")
err("min(zeros((0, 3)), axis=0)", "E_VALUE", "min: zero-size array")
err("max(zeros((0, 0)), axis=1)", "E_VALUE", "zero-size")
err("argmax(array([]))", "E_VALUE", "argmax: attempt to get argmax of an empty sequence")
err("argmin(zeros((3, 0)), axis=1)", "E_VALUE", "argmin: attempt to get argmin of an empty sequence")
err("argmax({A34}, axis=(0, 1))", "E_TYPE", "argmax: 'axis' must be an int")
err("zeros(-1)", "E_VALUE", "zeros: negative dimensions are not allowed")
err("zeros((2, -3))", "E_VALUE", "negative dimensions")
err("zeros(2.5)", "E_TYPE", "zeros: 'shape' must be an int or a tuple of ints, not float")
err("zeros((2, 2.5))", "E_TYPE", "zeros: 'shape' must be an int or a tuple of ints")
err("zeros(2, dtype='complex128')", "E_TYPE", "zeros: unknown dtype 'complex128'")
err("zeros(2, dtype=3)", "E_TYPE", "zeros: 'dtype' must be a dtype")
err("zeros((1000000000, 1000000000, 1000000000))", "E_MEMORY", "")
err("ones((4611686018427387904, 4))", "E_MEMORY", "")
err("full((2, 2), [1, 2, 3])", "E_SHAPE", "full")
err("full((2, 2), 'a')", "E_TYPE", "full: argument 'fill_value' must be an array or a number, not string")
err("arange(0, 10, 0)", "E_VALUE", "arange: step must not be zero")
err("arange(0.0, 1.0, 0.0)", "E_VALUE", "arange: step must not be zero")
err("arange(0, nan)", "E_VALUE", "arange")
err("arange(0, inf)", "E_VALUE", "arange")
err("arange('a')", "E_TYPE", "arange: 'start' must be a number, not string")
err("arange([1, 2])", "E_TYPE", "arange: 'start' must be a concrete scalar")
err("arange(-9223372036854775807, 9223372036854775807)", "E_VALUE", "arange")
err("arange(0, 4611686018427387904)", "E_MEMORY", "")
err("linspace(0, 1, -1)", "E_VALUE", "linspace: number of samples, -1, must be non-negative")
err("linspace(0, 1, 2.5)", "E_TYPE", "linspace: 'num' must be an int, not float")
err("linspace([0, 1], [1, 2, 3], 3)", "E_SHAPE", "linspace")
err("eye(-1)", "E_VALUE", "eye: negative dimensions")
err("eye(2.0)", "E_TYPE", "eye: 'N' must be an int")
err("array('abc')", "E_TYPE", "array: cannot make an array from a value of type str")
err("array(([1, 2], [3]))", "E_VALUE", "")
err("astype([1], 'complex')", "E_TYPE", "astype: unknown dtype 'complex'")
err("transpose({T234}, (0, 1))", "E_VALUE", "transpose: axes don't match array")
err("transpose({T234}, (0, 1, 1))", "E_VALUE", "duplicate value in 'axis'")
err("transpose({T234}, (0, 1, 3))", "E_VALUE", "axis 3 is out of bounds for array of dimension 3")
err("moveaxis({T234}, (0, 1), 2)", "E_VALUE", "moveaxis: `source` and `destination`")
err("moveaxis({T234}, 3, 0)", "E_VALUE", "moveaxis: axis 3 is out of bounds")
err("swapaxes({A34}, 0, 2)", "E_VALUE", "swapaxes: axis 2 is out of bounds")
err("expand_dims({A34}, 3)", "E_VALUE", "expand_dims: axis 3 is out of bounds for array of dimension 3")
err("expand_dims({A34}, (0, 0))", "E_VALUE", "duplicate")
err("squeeze({A34}, 0)", "E_VALUE", "squeeze: cannot select an axis to squeeze out which has size not equal to one")
err("concatenate(({A34}, {A31}))", "E_SHAPE", "concatenate: all the input array dimensions except for the concatenation axis must match exactly, but along dimension 1, the array at index 0 has size 4 and the array at index 1 has size 1")
err("concatenate(({A34}, {V3}))", "E_SHAPE", "concatenate: all the input arrays must have same number of dimensions")
err("concatenate((1, 2))", "E_VALUE", "concatenate: zero-dimensional arrays cannot be concatenated")
err("concatenate(())", "E_VALUE", "concatenate: need at least one array")
err("concatenate({V3})", "E_VALUE", "zero-dimensional")
err("concatenate(({V3}, 'a'))", "E_TYPE", "concatenate: element 1 of 'arrays' is string, not an array")
err("concatenate(({V3}, {V3}), axis=1)", "E_VALUE", "concatenate: axis 1 is out of bounds for array of dimension 1")
err("concatenate([1, 2], axis=2)", "E_VALUE", "")
err("stack(({A34}, {A31}))", "E_SHAPE", "stack: all input arrays must have the same shape")
err("stack(())", "E_VALUE", "stack: need at least one array")
err("stack(({V3}, {V3}), axis=2)", "E_VALUE", "stack: axis 2 is out of bounds for array of dimension 2")
err("split(arange(5), 2)", "E_VALUE", "split: array split does not result in an equal division")
err("split(arange(5), 0)", "E_VALUE", "number of sections must be larger than 0")
err("split(3, 1)", "E_VALUE", "split: cannot split a 0-d array")
err("broadcast_to({V3}, (4,))", "E_SHAPE", "broadcast_to: cannot broadcast an array of shape (3,) to shape (4,)")
err("broadcast_to({A34}, (4,))", "E_SHAPE", "broadcast_to")
err("broadcast_to({V3}, (-1, 3))", "E_VALUE", "negative dimensions")
err("tile({V3}, -1)", "E_VALUE", "tile: negative dimensions")
err("repeat({V3}, -1)", "E_VALUE", "repeat: negative repeats")
err("repeat({V3}, (1, 2))", "E_VALUE", "repeat: 2 repeats given for an axis of length 3")
err("repeat({V3}, 1.5)", "E_TYPE", "repeat: 'repeats' must be a concrete int")
err("take({V3}, 3)", "E_INDEX", "take: index 3 is out of bounds for axis with size 3")
err("take({V3}, [0, -4])", "E_INDEX", "take: index -4 is out of bounds")
err("take({V3}, 0.5)", "E_TYPE", "take: indices must be integers")
err("take({A34}, 0, axis=2)", "E_VALUE", "take: axis 2 is out of bounds")
err("take(array([]), 0)", "E_INDEX", "out of bounds")
err("flip({A34}, axis=2)", "E_VALUE", "flip: axis 2 is out of bounds")
err("fliplr({V3})", "E_VALUE", "fliplr: the input must be >= 2-d")
err("roll({A34}, (1, 2), axis=0)", "E_VALUE", "roll: 'shift' and 'axis' must have the same length")
err("pad({V3}, -1)", "E_VALUE", "pad: negative pad widths")
err("pad({V3}, 1, 'edge')", "E_VALUE", "pad: only mode=\"constant\" is supported")
err("pad({A34}, ((1, 1), (1, 1), (1, 1)))", "E_VALUE", "pad: 'pad_width' has 3 entries for an array of dimension 2")
err("matmul(ones((2, 3)), ones((4, 5)))", "E_SHAPE", "matmul: shapes (2, 3) and (4, 5) not aligned: 3 (dim 1) != 4 (dim 0)")
err("matmul(2.0, {V3})", "E_VALUE", "matmul: operand 0 is a scalar")
err("matmul({V3}, 2.0)", "E_VALUE", "matmul: operand 1 is a scalar")
err("matmul(ones((2, 3, 4)), ones((3, 4, 5)))", "E_SHAPE", "matmul: shapes (2,) and (3,) cannot be broadcast together")
err("matmul({V3}, ones(4))", "E_SHAPE", "matmul: shapes (3,) and (4,) not aligned")
err("matmul('a', {V3})", "E_TYPE", "matmul: argument 'a' must be an array or a number, not string")
err("dot({A34}, {A34})", "E_SHAPE", "dot: shapes (3, 4) and (3, 4) not aligned: 4 (dim 1) != 3 (dim 0)")
err("vdot({V3}, ones(4))", "E_SHAPE", "vdot: vectors have different sizes (3 and 4)")
err("inner({A34}, {A31})", "E_SHAPE", "inner: shapes")
err("tensordot({A34}, {A34}, 1)", "E_SHAPE", "tensordot")
err("tensordot({A34}, {A34}, 3)", "E_VALUE", "tensordot: axes=3 is out of range")
err("trace({V3})", "E_VALUE", "trace: the array must be at least 2-d")
err("trace({A34}, 0, 1, 1)", "E_VALUE", "trace: axis1 and axis2 cannot be the same")
err("diag(ones((2, 2, 2)))", "E_VALUE", "diag: input must be 1-d or 2-d")
err("linalg.inv({A34})", "E_VALUE", "linalg.inv: last 2 dimensions of the array must be square (got shape (3, 4))")
err("linalg.det({V3})", "E_VALUE", "linalg.det: 1-dimensional array given")
err("linalg.solve({M33}, ones(4))", "E_SHAPE", "linalg.solve: incompatible shapes (3, 3) and (4,)")
err("linalg.solve({A34}, {V3})", "E_VALUE", "linalg.solve: last 2 dimensions of the array must be square")
err("linalg.cholesky({A34})", "E_VALUE", "square")
err("norm({T234}, ord=1)", "E_VALUE", "norm: improper number of dimensions to norm")
err("norm({A34}, ord='nuc')", "E_VALUE", "norm: matrix norm of this order is not supported")
err("norm({A34}, ord=2)", "E_VALUE", "not supported")
err("norm({V3}, ord='fro', axis=0)", "E_VALUE", "norm: invalid norm order for vectors")
err("norm({V3}, ord='xyz')", "E_VALUE", "norm: invalid norm order 'xyz'")
err("norm({T234}, axis=(0, 1, 2))", "E_VALUE", "improper number of dimensions")
err("where([True, False], 1)", "E_TYPE", "where: the one-argument form")
err("where([True, False], [1, 2, 3], 0)", "E_SHAPE", "")
err("add([1, 2], [1, 2, 3])", "E_SHAPE", "")
err("add('a', 1)", "E_TYPE", "add: argument 'x' must be an array or a number, not string")
err("maximum(1, None)", "E_TYPE", "maximum: argument 'y' must be an array or a number, not None")
err("exp('a')", "E_TYPE", "exp: argument 'x' must be an array or a number, not string")
err("exp((1.0, 2.0))", "E_TYPE", "exp: argument 'x' must be an array or a number, not tuple")
err("clip({V3}, 'a', 1)", "E_TYPE", "clip: argument 'lo' must be an array or a number")
err("round({V3}, 1.5)", "E_TYPE", "round: 'decimals' must be an int")
err("nn.softmax({A34}, axis=2)", "E_VALUE", "nn.softmax: axis 2 is out of bounds")
err("nn.softmax(array([]))", "E_VALUE", "nn.softmax: zero-size array")
err("nn.log_softmax('x')", "E_TYPE", "nn.log_softmax: argument 'x' must be an array or a number")
err("nn.one_hot([0, 1], -1)", "E_VALUE", "nn.one_hot: num_classes must be non-negative")
err("nn.one_hot([0, 1], 2.5)", "E_TYPE", "nn.one_hot: 'num_classes' must be an int")
err("nn.one_hot([0, 1], 2, axis=3)", "E_VALUE", "nn.one_hot: axis 3 is out of bounds")
err("nn.glu({V3})", "E_VALUE", "nn.glu: axis 0 has odd size 3")
err("nn.gelu({V3}, approximate='yes')", "E_TYPE", "nn.gelu: 'approximate' must be True or False")
err("nn.elu({V3}, alpha='a')", "E_TYPE", "nn.elu: 'alpha' must be a number")
err("logsumexp(array([]))", "E_VALUE", "logsumexp: zero-size array")
err("shape('a')", "E_TYPE", "shape: argument 'x' must be an array or a number, not string")
err("size({A34}, axis=2)", "E_VALUE", "size: axis 2 is out of bounds")
err("cumsum({A34}, axis=2)", "E_VALUE", "cumsum: axis 2 is out of bounds")
err("var({A34}, ddof='a')", "E_TYPE", "var: 'ddof' must be a number")
err("tril({V3})", "E_VALUE", "tril: x must be at least 2-d")
err("isclose({V3}, {V3}, rtol='a')", "E_TYPE", "isclose: 'rtol' must be a number")
err("astype({V3})", "E_TYPE", "astype")


def c_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


here = os.path.dirname(os.path.abspath(__file__))
out = ["/* generated by tests/unit/gen_lib_cases.py (numpy %s); do not edit */\n" % np.__version__]
for g in ["create", "math", "reduce", "shape", "linalg", "nn", "ad"]:
    out.append("static const Case cases_%s[] = {\n" % g)
    for jx, want in GROUPS.get(g, []):
        out.append("    {%s,\n     %s},\n" % (c_str(jx), c_str(want)))
    out.append("    {NULL, NULL}};\n\n")
out.append("static const ErrCase error_cases[] = {\n")
for jx, kind, msg in ERRORS:
    out.append("    {%s, %s, %s},\n" % (c_str(jx), kind, c_str(msg)))
out.append("    {NULL, E_NONE, NULL}};\n")
with open(os.path.join(here, "lib_cases.inc"), "w") as f:
    f.write("".join(out))
print("cases:", {g: len(v) for g, v in GROUPS.items()}, "errors:", len(ERRORS))
