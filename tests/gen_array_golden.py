#!/usr/bin/python3
"""Generate the golden tests tests/jx/arrays/NAME.jx + NAME.out (and .err)
for the array library.  Each test is a list of lines; a line is either
  ("jx expression", "python expression")  -> jx prints the expression, the
                                             .out gets numpy's value
  ("jx expression", None)                 -> python evaluates the same text
  "# …" or "let …" / other statements    -> copied into the .jx only
  ("!py", "python statement")             -> run in Python only (setup)
Expected values are computed with numpy (Debian's /usr/bin/python3); the
.out files are compared by tokens with the tolerances in the .jx header.

    /usr/bin/python3 tests/gen_array_golden.py
"""
import math
import os
import warnings

import numpy as np

warnings.simplefilter("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "jx", "arrays")


def fmt(v):
    """Text whose tokens match jx's printing of the value."""
    if isinstance(v, tuple):
        return "(" + ", ".join(fmt(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, (bool, np.bool_)):
        return "True" if v else "False"
    if isinstance(v, str):
        return v
    if v is None:
        return "None"
    a = np.asarray(v)
    if a.ndim == 0:
        x = a[()]
        if a.dtype.kind == "b":
            return "True" if x else "False"
        if a.dtype.kind in "iu":
            return str(int(x))
        return repr(float(x))
    with np.printoptions(precision=8, threshold=1000):
        return str(a)


TESTS = {}


def test(name, lines, tol="rtol=1e-9 atol=1e-8", header=""):
    TESTS[name] = (lines, tol, header)


def run(name, lines, tol, header):
    env = {k: getattr(np, k) for k in dir(np) if not k.startswith("_")}
    env.update(np=np, math=math)
    jx = ["# tol: " + tol] if tol else []
    if header:
        jx += ["# " + h for h in header.split("\n")]
    out = []
    for ln in lines:
        if isinstance(ln, str):
            jx.append(ln)
            continue
        a, b = ln
        if a == "!py":
            exec(b, env)
            continue
        jx.append("print(%s)" % a)
        out.append(fmt(eval(b if b is not None else a, env)))
    with open(os.path.join(OUT, name + ".jx"), "w") as f:
        f.write("\n".join(jx) + "\n")
    with open(os.path.join(OUT, name + ".out"), "w") as f:
        f.write("\n".join(out) + "\n")


def err_test(name, code, lines):
    with open(os.path.join(OUT, name + ".jx"), "w") as f:
        f.write(code.strip() + "\n")
    with open(os.path.join(OUT, name + ".err"), "w") as f:
        f.write("\n".join(lines) + "\n")


P = lambda s: ("!py", s)  # noqa: E731

A34 = "[[0.5, -1.25, 2.0, 0.0], [3.5, -0.75, 1.0, -2.5], [0.25, 4.0, -3.0, 1.5]]"
I34 = "[[1, -2, 3, 0], [4, 5, -6, 7], [-8, 9, 0, 2]]"

# ---------------------------------------------------------------------------
test("creation", [
    "# creation builtins: array, zeros, ones, full, *_like, arange, linspace, eye",
    P("A = np.array(%s)" % A34),
    "let A = array(%s)" % A34,
    ("A", None), ("A.shape", "(3, 4)"), ("A.dtype", "'float64'"),
    ("array([[1, 2], [3, 4.5]])", "np.array([[1, 2], [3, 4.5]])"),
    ("array([1, 2, 3]).dtype", "'int64'"),
    ("array([True, False]).dtype", "'bool'"),
    ("array([1.7, -1.7], dtype=\"int64\")", "np.array([1.7, -1.7]).astype(np.int64)"),
    ("jnp.array(3)", "3"),
    ("zeros((2, 3))", "np.zeros((2, 3))"),
    ("zeros(())", "0.0"),
    ("zeros((0, 3)).shape", "(0, 3)"),
    ("ones(3, dtype=\"int64\")", "np.ones(3, dtype=int)"),
    ("ones((2, 2), dtype=jnp.float32)", "np.ones((2, 2))"),
    ("full((2, 3), 7)", "np.full((2, 3), 7)"),
    ("full((2, 3), [1.0, 2.0, 3.0])", "np.full((2, 3), [1.0, 2.0, 3.0])"),
    ("zeros_like(A)", "np.zeros_like(A)"),
    ("ones_like([1, 2])", "np.ones_like([1, 2])"),
    ("full_like(A, 2.5)", "np.full_like(A, 2.5)"),
    ("full_like([1, 2], 0.5)", "np.full_like([1, 2], 0.5)"),
    ("arange(5)", "np.arange(5)"),
    ("arange(2, 11, 3)", "np.arange(2, 11, 3)"),
    ("arange(10, 0, -4)", "np.arange(10, 0, -4)"),
    ("arange(1, 2, 0.25)", "np.arange(1, 2, 0.25)"),
    ("arange(0.1, 1.0, 0.1)", "np.arange(0.1, 1.0, 0.1)"),
    ("arange(0.1, 1.0, 0.1).size", "9"),
    ("arange(0)", "np.arange(0)"),
    ("linspace(0, 1, 5)", "np.linspace(0, 1, 5)"),
    ("linspace(-1.5, 2.0, 8)", "np.linspace(-1.5, 2.0, 8)"),
    ("linspace(0, 10, 4, endpoint=False)", "np.linspace(0, 10, 4, endpoint=False)"),
    ("linspace(0, 1, 1)", "np.linspace(0, 1, 1)"),
    ("sum(linspace(0, 1, 1001))", "np.sum(np.linspace(0, 1, 1001))"),
    ("linspace(0, 1, 1001)[1000]", "1.0"),
    ("eye(3)", "np.eye(3)"),
    ("eye(2, 3, k=1)", "np.eye(2, 3, k=1)"),
    ("jnp.identity(2)", "np.identity(2)"),
    ("tril(ones((3, 3)))", "np.tril(np.ones((3, 3)))"),
    ("triu(A, k=1)", "np.triu(A, k=1)"),
    ("A.astype(\"int64\")", "A.astype(np.int64)"),
    ("astype(A, \"bool\")", "A.astype(bool)"),
    ("shape(A)", "(3, 4)"), ("ndim(A)", "2"), ("size(A)", "12"), ("dtype(arange(3))", "'int64'"),
    ("shape(2.5)", "()"),
    "# constants from the prelude",
    ("jnp.pi", "np.pi"), ("np.e", "np.e"), ("jnp.inf", "np.inf"), ("-inf", "-np.inf"), ("isnan(jnp.nan)", "True"),
    ("ones(3)[jnp.newaxis].shape", "(1, 3)"),
])

test("elementwise", [
    "# elementwise builtins, broadcasting (3,1) with (1,4), nan/inf, dtypes",
    P("A = np.array(%s); I = np.array(%s)" % (A34, I34)),
    P("C = np.array([[0.3], [-0.6], [0.9]]); R = np.array([[0.1, -0.2, 0.7, -0.4]])"),
    P("NI = np.array([np.nan, np.inf, -np.inf, 0.0, -1.0, 2.0])"),
    "let A = %s" % A34,
    "let I = %s" % I34,
    "let C = [[0.3], [-0.6], [0.9]]",
    "let R = [[0.1, -0.2, 0.7, -0.4]]",
    "let NI = [0.0 / 0.0, 1.0 / 0.0, -1.0 / 0.0, 0.0, -1.0, 2.0]",
] + [(f + "(A)", "np." + f + "(A)") for f in
     ["abs", "sign", "exp", "log1p", "expm1", "sin", "cos", "tan", "arctan", "sinh", "cosh", "tanh",
      "floor", "ceil", "round", "isnan", "square", "negative"]] + [
    ("log(abs(A) + 1)", "np.log(np.abs(A) + 1)"),
    ("sqrt(abs(A))", "np.sqrt(np.abs(A))"),
    ("arcsin(C)", "np.arcsin(C)"), ("arccos(C)", "np.arccos(C)"),
    ("exp(NI)", "np.exp(NI)"), ("log(NI)", "np.log(NI)"), ("sqrt(NI)", "np.sqrt(NI)"),
    ("isnan(NI)", "np.isnan(NI)"), ("isinf(NI)", "np.isinf(NI)"), ("isfinite(NI)", "np.isfinite(NI)"),
    ("tanh(NI)", "np.tanh(NI)"), ("sign(NI)", "np.sign(NI)"),
    ("abs(I)", "np.abs(I)"), ("sign(I)", "np.sign(I)"), ("square(I)", "np.square(I)"),
    ("exp(I).dtype", "'float64'"), ("abs(-3)", "3"), ("exp(0)", "1.0"), ("sin(0.5)", "np.sin(0.5)"),
    ("floor(I).dtype", "'float64'"),
    ("maximum(C, R)", "np.maximum(C, R)"), ("minimum(A, C)", "np.minimum(A, C)"),
    ("maximum(I, 0)", "np.maximum(I, 0)"),
    ("maximum(NI, 0.0)", "np.maximum(NI, 0.0)"),
    ("power(A, 2)", "np.power(A, 2)"), ("power(abs(A), 0.5)", "np.power(np.abs(A), 0.5)"),
    ("power(2, 10)", "1024"), ("power(I, 2)", "np.power(I, 2)"),
    ("arctan2(C, R)", "np.arctan2(C, R)"),
    ("clip(A, -1, 1)", "np.clip(A, -1, 1)"), ("clip(I, 0, 5)", "np.clip(I, 0, 5)"),
    ("clip(NI, -1.0, 1.0)", "np.clip(NI, -1.0, 1.0)"),
    ("where(A > 0, A, 0.0)", "np.where(A > 0, A, 0.0)"),
    ("where(C > 0, C, R)", "np.where(C > 0, C, R)"),
    ("where(True, 1, 2)", "1"),
    ("logical_and(A > 0, C > 0)", "np.logical_and(A > 0, C > 0)"),
    ("logical_or(A > 0, I > 0)", "np.logical_or(A > 0, I > 0)"),
    ("logical_not(A > 0)", "np.logical_not(A > 0)"),
    ("add(C, R)", "np.add(C, R)"), ("subtract(C, R)", "np.subtract(C, R)"),
    ("multiply(I, 2)", "I * 2"), ("divide(I, 4)", "I / 4"),
    ("equal(I, 0)", "I == 0"), ("greater(A, C)", "A > C"), ("less_equal(I, 2)", "I <= 2"),
    ("exp2(3.0)", "8.0"), ("log2(8.0)", "3.0"), ("log10(1000.0)", "3.0"),
    ("logaddexp(C, R)", "np.logaddexp(C, R)"),
    ("logaddexp(1000.0, 1000.0)", "np.logaddexp(1000.0, 1000.0)"),
    ("reciprocal(4)", "0.25"),
    ("isclose(A, A + 1e-10)", "np.isclose(A, A + 1e-10)"),
    ("allclose(A, A * (1 + 1e-9))", "True"),
    ("jnp.round(2.675, 2)", "np.round(2.675, 2)"),
    ("round([0.5, 1.5, 2.5, -0.5])", "np.round([0.5, 1.5, 2.5, -0.5])"),
])

test("reductions", [
    "# reductions with axis None/int/tuple/negative, keepdims, dtypes",
    P("A = np.array(%s); I = np.array(%s)" % (A34, I34)),
    P("T = np.arange(24.0).reshape(2, 3, 4) % 7 - 3"),
    "let A = %s" % A34,
    "let I = %s" % I34,
    "let T = reshape(arange(24.0), (2, 3, 4)) % 7 - 3",
] + [("%s(%s%s)" % (f, x, a), "np.%s(%s%s)" % (f, x, a))
     for f in ["sum", "mean", "prod", "max", "min", "var", "std", "all", "any"]
     for x in ["A", "I", "T"]
     for a in ["", ", axis=0", ", axis=-1", ", axis=(0, 1)", ", keepdims=True", ", axis=1, keepdims=True"]
     ] + [("%s(%s%s)" % (f, x, a), "np.%s(%s%s)" % (f, x, a))
          for f in ["argmax", "argmin"] for x in ["A", "I", "T"] for a in ["", ", axis=0", ", axis=-1"]] + [
    ("sum(I).dtype", "'int64'"), ("mean(I).dtype", "'float64'"), ("sum(A > 0)", "np.sum(A > 0)"),
    ("sum(T, axis=(0, 2))", "np.sum(T, axis=(0, 2))"), ("max(T, axis=(-1, 0))", "np.max(T, axis=(-1, 0))"),
    ("var(A, ddof=1)", "np.var(A, ddof=1)"), ("std(T, axis=1, ddof=1)", "np.std(T, axis=1, ddof=1)"),
    ("cumsum(A)", "np.cumsum(A)"), ("cumsum(I, axis=1)", "np.cumsum(I, axis=1)"),
    ("cumsum(T, axis=-1)", "np.cumsum(T, axis=-1)"),
    ("norm(A)", "np.linalg.norm(A)"), ("norm(A, axis=1)", "np.linalg.norm(A, axis=1)"),
    ("norm([3.0, 4.0])", "5.0"), ("norm(A, ord=1)", "np.linalg.norm(A, ord=1)"),
    ("linalg.norm(A, ord=inf)".replace("inf", "1.0 / 0.0"), "np.linalg.norm(A, ord=np.inf)"),
    ("norm(A[0], ord=1)", "np.linalg.norm(A[0], ord=1)"),
    ("A.sum()", "A.sum()"), ("A.mean(axis=0)", "A.mean(axis=0)"), ("A.max(axis=1, keepdims=True)", "A.max(axis=1, keepdims=True)"),
    ("sum(zeros((0, 3)), axis=0)", "np.zeros(3)"), ("mean(ones((2, 0)), axis=1)", "np.array([np.nan, np.nan])"),
    ("logsumexp(A)", "np.log(np.sum(np.exp(A)))"),
    ("logsumexp(A, axis=1)", "np.log(np.sum(np.exp(A), axis=1))"),
    ("logsumexp([1000.0, 1000.0])", "1000.0 + np.log(2)"),
])

test("shape_ops", [
    "# reshape, transpose, expand_dims, squeeze, concatenate, stack, tile, flip, take …",
    P("A = np.array(%s); T = np.arange(24).reshape(2, 3, 4)" % A34),
    "let A = %s" % A34,
    "let T = reshape(arange(24), (2, 3, 4))",
    ("reshape(A, (4, 3))", "A.reshape(4, 3)"), ("reshape(A, (2, -1))", "A.reshape(2, -1)"),
    ("reshape(A, -1)", "A.reshape(-1)"), ("A.reshape((6, 2))", "A.reshape(6, 2)"),
    ("ravel(T)", "T.ravel()"), ("transpose(A)", "A.T"), ("A.T.shape", "(4, 3)"),
    ("transpose(T, (1, 0, 2)).shape", "(3, 2, 4)"), ("transpose(T, (2, 0, 1))", "np.transpose(T, (2, 0, 1))"),
    ("moveaxis(T, 0, -1).shape", "(3, 4, 2)"), ("moveaxis(T, -1, 0)", "np.moveaxis(T, -1, 0)"),
    ("swapaxes(T, 0, 2)", "np.swapaxes(T, 0, 2)"),
    ("expand_dims(A, 0).shape", "(1, 3, 4)"), ("expand_dims(A, -1).shape", "(3, 4, 1)"),
    ("expand_dims(A, (0, 2)).shape", "(1, 3, 1, 4)"),
    ("squeeze(zeros((1, 3, 1))).shape", "(3,)"), ("squeeze(zeros((1, 3, 1)), axis=2).shape", "(1, 3)"),
    ("concatenate((A, A))", "np.concatenate((A, A))"), ("concatenate((A, A), axis=1)", "np.concatenate((A, A), axis=1)"),
    ("concatenate((A, T[0]), axis=-1)", "np.concatenate((A, T[0]), axis=-1)"),
    ("concatenate(([1, 2], [3.5]))", "np.concatenate(([1, 2], [3.5]))"),
    ("stack((A, A))", "np.stack((A, A))"), ("stack((A, A), axis=2).shape", "(3, 4, 2)"),
    ("stack((A[0], A[1]), axis=-1)", "np.stack((A[0], A[1]), axis=-1)"),
    ("hstack((A, A)).shape", "(3, 8)"), ("vstack((A, A)).shape", "(6, 4)"),
    ("broadcast_to([1, 2, 3], (2, 3))", "np.broadcast_to([1, 2, 3], (2, 3))"),
    ("broadcast_to([[1], [2]], (2, 3))", "np.broadcast_to([[1], [2]], (2, 3))"),
    ("tile([1, 2], 3)", "np.tile([1, 2], 3)"), ("tile(A, (2, 1)).shape", "(6, 4)"),
    ("tile([[1, 2]], (2, 2))", "np.tile([[1, 2]], (2, 2))"),
    ("repeat([1, 2, 3], 2)", "np.repeat([1, 2, 3], 2)"), ("repeat(A, 2, axis=0).shape", "(6, 4)"),
    ("flip(A)", "np.flip(A)"), ("flip(A, axis=1)", "np.flip(A, axis=1)"), ("flip(T, axis=(0, 2))", "np.flip(T, axis=(0, 2))"),
    ("take(A, [2, 0])", "np.take(A, [2, 0], axis=0)"), ("take(A, [2, 0], axis=None)", "np.take(A, [2, 0])"), ("take(A, [2, 0], axis=0)", "np.take(A, [2, 0], axis=0)"),
    ("take(A, [-1, 1], axis=1)", "np.take(A, [-1, 1], axis=1)"), ("take(T, 1, axis=2)", "np.take(T, 1, axis=2)"),
    ("split(arange(6), 3)", "tuple(np.split(np.arange(6), 3))"),
    ("roll(arange(5), 2)", "np.roll(np.arange(5), 2)"),
    ("pad([1, 2], (1, 2))", "np.pad([1, 2], (1, 2))"),
    "let parts = split(A, (1, 3), axis=1)",
    ("parts[1]", "A[:, 1:3]"),
    ("len(parts)", "3"),
])

test("linalg", [
    "# dot / matmul (incl. batched) / outer / inner / trace and linalg.*",
    P("M = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, -0.25], [0.5, -0.25, 2.0]])"),
    P("N = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 4.0], [5.0, 6.0, 0.0]]); v = np.array([1.0, -2.0, 0.5])"),
    P("T = (np.arange(24.0).reshape(2, 3, 4) % 5) - 2"),
    "let M = [[4.0, 1.0, 0.5], [1.0, 3.0, -0.25], [0.5, -0.25, 2.0]]",
    "let N = [[1.0, 2.0, 3.0], [0.0, -1.0, 4.0], [5.0, 6.0, 0.0]]",
    "let v = [1.0, -2.0, 0.5]",
    "let T = (reshape(arange(24.0), (2, 3, 4)) % 5) - 2",
    ("dot(v, v)", "np.dot(v, v)"), ("dot(N, v)", "np.dot(N, v)"), ("dot(v, N)", "np.dot(v, N)"),
    ("dot(N, M)", "np.dot(N, M)"), ("dot(2.0, v)", "2.0 * v"), ("dot(T, ones((4, 2)))", "np.dot(T, np.ones((4, 2)))"),
    ("jnp.dot([1, 2], [3, 4])", "11"),
    ("matmul(N, M)", "N @ M"), ("N @ v", "N @ v"), ("v @ N", "v @ N"), ("v @ v", "v @ v"),
    ("matmul(T, ones((4, 2)))", "np.matmul(T, np.ones((4, 2)))"),
    ("matmul(ones((5, 3)), T)", "np.matmul(np.ones((5, 3)), T)"),
    ("matmul(T, transpose(T, (0, 2, 1)))", "np.matmul(T, np.transpose(T, (0, 2, 1)))"),
    ("matmul(ones((2, 1, 3, 4)), ones((5, 4, 2))).shape", "(2, 5, 3, 2)"),
    ("vdot(N, M)", "np.vdot(N, M)"), ("outer(v, [1.0, 10.0])", "np.outer(v, [1.0, 10.0])"),
    ("inner(N, v)", "np.inner(N, v)"), ("trace(N)", "np.trace(N)"), ("trace(T, 1, 1, 2)", "np.trace(T, 1, 1, 2)"),
    ("diagonal(N, -1)", "np.diagonal(N, -1)"), ("diag(v)", "np.diag(v)"),
    ("tensordot(T, ones((3, 4)), 2)", "np.tensordot(T, np.ones((3, 4)), 2)"),
    ("linalg.solve(M, v)", "np.linalg.solve(M, v)"), ("linalg.solve(N, M)", "np.linalg.solve(N, M)"),
    ("linalg.inv(M)", "np.linalg.inv(M)"), ("linalg.inv(N) @ N", "np.linalg.inv(N) @ N"),
    ("linalg.det(M)", "np.linalg.det(M)"), ("linalg.det(N)", "np.linalg.det(N)"),
    ("linalg.det(stack((M, N)))", "np.linalg.det(np.stack((M, N)))"),
    ("linalg.cholesky(M)", "np.linalg.cholesky(M)"),
    ("linalg.norm(N)", "np.linalg.norm(N)"),
    ("jnp.linalg.inv(M) @ M", "np.linalg.inv(M) @ M"),
    ("einsum(\"ij,jk->ik\", N, M)", "np.einsum('ij,jk->ik', N, M)"),
    ("einsum(\"bij,bkj->bik\", T, T)", "np.einsum('bij,bkj->bik', T, T)"),
    ("einsum(\"ii\", N)", "np.einsum('ii', N)"), ("einsum(\"i,i->\", v, v)", "np.einsum('i,i->', v, v)"),
    ("jnp.einsum(\"...j,j->...\", T, ones(4))", "np.einsum('...j,j->...', T, np.ones(4))"),
])


def sig(x): return 1 / (1 + np.exp(-x))


NN_PY = """
def sig(x): return 1 / (1 + np.exp(-x))
def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True)); return e / e.sum(axis=axis, keepdims=True)
def log_softmax(x, axis=-1):
    s = x - x.max(axis=axis, keepdims=True); return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))
def gelu(x): return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
"""
test("nn", [
    "# nn.* activations, softmax family, one_hot",
    P("A = np.array(%s)" % A34), P(NN_PY),
    "let A = %s" % A34,
    ("nn.sigmoid(A)", "sig(A)"), ("nn.relu(A)", "np.maximum(A, 0)"), ("nn.relu6(A * 3)", "np.clip(A * 3, 0, 6)"),
    ("nn.softplus(A)", "np.logaddexp(A, 0)"), ("nn.softplus(1000.0)", "1000.0"), ("nn.softplus(-1000.0)", "0.0"),
    ("nn.log_sigmoid(A)", "-np.logaddexp(-A, 0)"), ("nn.silu(A)", "A * sig(A)"), ("nn.swish(A)", "A * sig(A)"),
    ("nn.gelu(A)", "gelu(A)"),
    ("nn.gelu(A, approximate=False)", "A * 0.5 * (1 + np.vectorize(math.erf)(A / np.sqrt(2)))"),
    ("nn.elu(A)", "np.where(A > 0, A, np.expm1(np.minimum(A, 0)))"),
    ("nn.leaky_relu(A, negative_slope=0.1)", "np.where(A >= 0, A, 0.1 * A)"),
    ("nn.tanh(A)", "np.tanh(A)"),
    ("nn.softmax(A)", "softmax(A)"), ("nn.softmax(A, axis=0)", "softmax(A, axis=0)"),
    ("sum(nn.softmax(A), axis=-1)", "np.ones(3)"),
    ("nn.log_softmax(A)", "log_softmax(A)"), ("nn.log_softmax(A, axis=0)", "log_softmax(A, axis=0)"),
    ("nn.softmax([1000.0, 1000.0, -1000.0])", "np.array([0.5, 0.5, 0.0])"),
    ("nn.log_softmax([1000.0, 0.0])", "np.array([0.0, -1000.0])"),
    ("nn.logsumexp(A, axis=1)", "np.log(np.exp(A).sum(axis=1))"),
    ("nn.logsumexp(A, axis=1, keepdims=True)", "np.log(np.exp(A).sum(axis=1, keepdims=True))"),
    ("nn.one_hot([0, 2, 1], 3)", "np.eye(3)[[0, 2, 1]]"),
    ("nn.one_hot(arange(4) % 3, 3)", "np.eye(3)[np.arange(4) % 3]"),
    ("jax.nn.relu(-2.0)", "0.0"), ("jax.nn.sigmoid(0.0)", "0.5"),
])

test("lib_grads", [
    "# derivatives of library functions (JAX's conventions at kinks)",
    P(NN_PY), P("A = np.array(%s)" % A34),
    "let A = %s" % A34,
    ("grad(nn.relu)(0.0)", "0.0"), ("grad(nn.relu)(3.0)", "1.0"), ("grad(lambda x: sum(nn.relu(x)))(A)", "(A > 0) * 1.0"),
    ("grad(nn.relu6)(6.0)", "0.0"), ("grad(nn.softplus)(0.0)", "0.5"), ("grad(nn.softplus)(1000.0)", "1.0"),
    ("grad(nn.sigmoid)(1.0)", "sig(1.0) * (1 - sig(1.0))"),
    ("grad(lambda x: sum(nn.gelu(x)))(A)", "(gelu(A + 1e-6) - gelu(A - 1e-6)) / 2e-6"),
    ("grad(abs)(0.0)", "1.0"), ("grad(maximum)(1.0, 1.0)", "0.5"),
    ("grad(lambda x: clip(x, 0.0, 1.0))(1.0)", "0.5"), ("grad(lambda x: clip(x, 0.0, 1.0))(0.5)", "1.0"),
    ("grad(lambda x: max(x))([1.0, 3.0, 3.0])", "np.array([0.0, 0.5, 0.5])"),
    ("grad(lambda x: sum(sqrt(x)))([4.0, 0.0])", "np.array([0.25, np.inf])"),
    ("grad(lambda x: sum(where(x > 0, x, 0.0)))(A)", "(A > 0) * 1.0"),
    ("grad(lambda x: logsumexp(x))(A)", "np.exp(A) / np.exp(A).sum()"),
    ("grad(lambda x: sum(nn.softmax(x)[0] * [1.0, 2.0, 3.0, 4.0]))(A)",
     "np.vstack([softmax(A[0]) * (np.array([1., 2., 3., 4.]) - softmax(A[0]) @ np.array([1., 2., 3., 4.])), np.zeros((2, 4))])"),
    ("grad(lambda x: sum(nn.log_softmax(x)[:, 1]))(A)", "np.eye(4)[1][None, :] - softmax(A)"),
    ("grad(lambda x: mean(x))(A)", "np.full((3, 4), 1 / 12)"),
    ("grad(lambda x: var(x))([1.0, 2.0, 4.0])", "2 * (np.array([1.0, 2.0, 4.0]) - 7 / 3) / 3"),
    ("grad(lambda x: std(x))([1.0, 3.0])", "np.array([-0.5, 0.5])"),
    ("grad(lambda x: norm(x))([3.0, 4.0])", "np.array([0.6, 0.8])"),
    ("grad(lambda x: prod(x))([2.0, 3.0, 4.0])", "np.array([12.0, 8.0, 6.0])"),
    ("grad(lambda x: sum(cumsum(x)))([1.0, 2.0, 3.0])", "np.array([3.0, 2.0, 1.0])"),
    P("X2 = np.array([[1.0, 2.0], [3.0, 4.0]])"),
    ("grad(lambda x: sum(x @ x))([[1.0, 2.0], [3.0, 4.0]])", "np.ones((2, 2)) @ X2.T + X2.T @ np.ones((2, 2))"),
    ("grad(lambda x: linalg.det(x))([[1.0, 2.0], [3.0, 4.0]])", "np.array([[4.0, -3.0], [-2.0, 1.0]])"),
    ("grad(lambda x: trace(x))(eye(2))", "np.eye(2)"),
    ("grad(lambda x: sum(linalg.solve([[2.0, 0.0], [0.0, 4.0]], x)))([1.0, 1.0])", "np.array([0.5, 0.25])"),
    ("grad(lambda x: sum(linalg.inv(x)))([[2.0, 0.0], [0.0, 4.0]])",
     "-np.linalg.inv(np.array([[2.0, 0.0], [0.0, 4.0]])).T @ np.ones((2, 2)) @ np.linalg.inv(np.array([[2.0, 0.0], [0.0, 4.0]])).T"),
    ("grad(lambda x: sum(reshape(x, (2, 6)) * arange(12.0).reshape((2, 6))))(A)", "np.arange(12.0).reshape(3, 4)"),
    ("grad(lambda x: sum(concatenate((x, 2.0 * x))))([1.0, 2.0])", "np.array([3.0, 3.0])"),
    ("grad(lambda x: sum(stack((x, x * x))))([1.0, 2.0])", "np.array([3.0, 5.0])"),
    ("grad(lambda x: sum(take(x, [0, 0, 2])))([1.0, 2.0, 3.0])", "np.array([2.0, 0.0, 1.0])"),
    ("grad(lambda x: sum(tile(x, 3)))([1.0, 2.0])", "np.array([3.0, 3.0])"),
    ("grad(lambda x: sum(broadcast_to(x, (4, 2))))([1.0, 2.0])", "np.array([4.0, 4.0])"),
    ("grad(lambda a: sum(linspace(a, 1.0, 5)))(0.0)", "2.5"),
    ("grad(lambda x: sum(array([x, 2.0 * x, 3.0])))(1.0)", "3.0"),
    ("grad(lambda x: sum(full((2, 2), x)))(1.0)", "4.0"),
    ("grad(lambda x: sum(nn.one_hot([0, 1], 2) * x))(A[0, :2])", "np.array([1.0, 1.0])"),
    ("jacfwd(nn.softmax)([0.0, 0.0])", "np.array([[0.25, -0.25], [-0.25, 0.25]])"),
    ("jacrev(lambda x: flip(x))([1.0, 2.0])", "np.array([[0.0, 1.0], [1.0, 0.0]])"),
    ("hessian(lambda x: logsumexp(x))([0.0, 0.0])", "np.array([[0.25, -0.25], [-0.25, 0.25]])"),
    ("grad(grad(nn.softplus))(0.0)", "0.25"),
])

test("lib_vmap_jit", [
    "# vmap and jit of library functions equal their per-example results",
    P(NN_PY), P("A = np.array(%s)" % A34),
    "let A = %s" % A34,
    ("vmap(sum)(A)", "A.sum(axis=1)"), ("vmap(nn.softmax)(A)", "softmax(A)"),
    ("vmap(lambda r: dot(r, r))(A)", "(A * A).sum(axis=1)"),
    ("vmap(lambda r: outer(r, r))(A).shape", "(3, 4, 4)"),
    ("vmap(lambda r: reshape(r, (2, 2)))(A)", "A.reshape(3, 2, 2)"),
    ("vmap(lambda r: concatenate((r, r)))(A)", "np.concatenate((A, A), axis=1)"),
    ("vmap(lambda r: stack((r, 2.0 * r)))(A)", "np.stack((A, 2 * A), axis=1)"),
    ("vmap(lambda r: take(r, [3, 0]))(A)", "A[:, [3, 0]]"),
    ("vmap(lambda i: take([10.0, 20.0, 30.0], i))([2, -1, 0])", "np.array([30.0, 30.0, 10.0])"),
    ("vmap(lambda i: nn.one_hot(i, 3))([2, 0])", "np.eye(3)[[2, 0]]"),
    ("vmap(lambda r: array((r[0], r[1] * 2.0)))(A)", "np.stack((A[:, 0], A[:, 1] * 2), axis=1)"),
    ("vmap(lambda r: flip(r))(A)", "A[:, ::-1]"),
    ("vmap(lambda r: cumsum(r))(A)", "np.cumsum(A, axis=1)"),
    ("vmap(lambda r: argmax(r))(A)", "np.argmax(A, axis=1)"),
    ("vmap(lambda m: linalg.det(m))(stack((eye(2), 2.0 * eye(2))))", "np.array([1.0, 4.0])"),
    ("vmap(lambda r: tile(r, 2))(A)", "np.tile(A, (1, 2))"),
    ("vmap(lambda r: matmul(reshape(r, (2, 2)), [1.0, 1.0]))(A)", "A.reshape(3, 2, 2) @ np.ones(2)"),
    ("vmap(lambda r: var(r))(A)", "np.var(A, axis=1)"),
    ("vmap(lambda r: where(r > 0, r, 0.0))(A)", "np.where(A > 0, A, 0.0)"),
    ("vmap(lambda r: nn.relu(r))(A)", "np.maximum(A, 0)"),
    ("vmap(grad(lambda r: logsumexp(r)))(A)", "softmax(A)"),
    ("jit(lambda x: nn.log_softmax(x))(A)", "log_softmax(A)"),
    ("jit(lambda x: mean(x, axis=0))(A)", "A.mean(axis=0)"),
    ("jit(lambda x: x @ transpose(x))(A)", "A @ A.T"),
    ("jit(lambda x: sum(nn.one_hot(x, 4), axis=0))(arange(6) % 4)", "np.eye(4)[np.arange(6) % 4].sum(axis=0)"),
    ("jit(grad(lambda x: sum(nn.gelu(x))))(A)", "(gelu(A + 1e-6) - gelu(A - 1e-6)) / 2e-6"),
], tol="rtol=1e-6 atol=1e-8")

# a small version of the MLP benchmark (W4) checked against hand-derived numpy
MLP_PY = """
def det(n, a, c): return ((np.arange(n) * a + c) % 1009) / 1009 - 0.5
X = det(16 * 12, 7919, 1).reshape(16, 12)
labels = (7 * np.arange(16) + 3) % 5
Y = np.eye(5)[labels]
W1 = 0.1 * det(12 * 8, 6007, 2).reshape(12, 8); b1 = np.zeros(8)
W2 = 0.1 * det(8 * 5, 4001, 3).reshape(8, 5); b2 = np.zeros(5)
def fwd(W1, b1, W2, b2):
    h = np.tanh(X @ W1 + b1); z = h @ W2 + b2
    s = z - z.max(axis=-1, keepdims=True); ls = s - np.log(np.exp(s).sum(axis=-1, keepdims=True))
    return -np.mean(np.sum(Y * ls, axis=1)), h, ls
loss, h, ls = fwd(W1, b1, W2, b2)
dz = (np.exp(ls) - Y) / 16
gW2 = h.T @ dz; gb2 = dz.sum(0); dh = dz @ W2.T * (1 - h ** 2); gW1 = X.T @ dh; gb1 = dh.sum(0)
"""
test("mlp_grad", [
    "# a small version of the MLP benchmark (W4): log_softmax, one_hot, value_and_grad",
    P(MLP_PY),
    "def det(n, a, c) = ((arange(0, n) * a + c) % 1009) / 1009 - 0.5",
    "let X = reshape(det(16 * 12, 7919, 1), (16, 12))",
    "let Y = nn.one_hot((7 * arange(16) + 3) % 5, 5)",
    "let params = {\"W1\": 0.1 * reshape(det(12 * 8, 6007, 2), (12, 8)), \"b1\": zeros(8),",
    "              \"W2\": 0.1 * reshape(det(8 * 5, 4001, 3), (8, 5)), \"b2\": zeros(5)}",
    "def loss(p, X, Y) = -mean(sum(Y * nn.log_softmax(tanh(X @ p[\"W1\"] + p[\"b1\"]) @ p[\"W2\"] + p[\"b2\"], axis=-1), axis=1))",
    "let lg = value_and_grad(loss)(params, X, Y)",
    "let g = lg[1]",
    ("lg[0]", "loss"),
    ("g[\"W1\"]", "gW1"), ("g[\"b1\"]", "gb1"), ("g[\"W2\"]", "gW2"), ("g[\"b2\"]", "gb2"),
], tol="rtol=1e-7 atol=1e-10")

# ---- error tests ---------------------------------------------------------
ERRS = [
    ("err_reshape", "let x = zeros((2, 3))\nprint(reshape(x, (4,)))",
     ["ShapeError", "reshape: cannot reshape array of shape (2, 3) into shape (4,)"]),
    ("err_matmul", "let a = ones((2, 3))\nlet b = ones((4, 5))\nprint(matmul(a, b))",
     ["ShapeError", "matmul: shapes (2, 3) and (4, 5) not aligned"]),
    ("err_axis", "print(sum(ones((2, 3)), axis=2))",
     ["ValueError", "sum: axis 2 is out of bounds for array of dimension 2"]),
    ("err_max_empty", "print(max(zeros((0,))))",
     ["ValueError", "max: zero-size array to reduction operation maximum which has no identity"]),
    ("err_take_index", "print(take([1.0, 2.0], 5))",
     ["IndexError", "take: index 5 is out of bounds for axis with size 2"]),
    ("err_concat", "print(concatenate((ones((2, 3)), ones((2, 4)))))",
     ["ShapeError", "concatenate: all the input array dimensions except for the concatenation axis must match exactly"]),
    ("err_type", "print(exp(\"a\"))",
     ["TypeError", "exp: argument 'x' must be an array or a number, not str"]),
    ("err_zeros_shape", "print(zeros(2.5))",
     ["TypeError", "zeros: 'shape' must be an int or a tuple of ints, not float"]),
    ("err_arange_step", "print(arange(0, 5, 0))", ["ValueError", "arange: step must not be zero"]),
    ("err_squeeze", "print(squeeze(ones((2, 3)), 0))",
     ["ValueError", "squeeze: cannot select an axis to squeeze out which has size not equal to one"]),
    ("err_broadcast_to", "print(broadcast_to([1, 2, 3], (4,)))",
     ["ShapeError", "broadcast_to: cannot broadcast an array of shape (3,) to shape (4,)"]),
    ("err_inv_square", "print(linalg.inv(ones((2, 3))))",
     ["ValueError", "linalg.inv: last 2 dimensions of the array must be square"]),
]


# ---- check_grads / vmap consistency over many library functions ----------
CG_DEFS = r'''let A = [[0.5, -1.25, 2.0, 0.3], [3.5, -0.75, 1.1, -2.5], [0.25, 4.0, -3.0, 1.5]]
let P = [[0.5, 1.25, 2.0, 0.3], [3.5, 0.75, 1.0, 2.5], [0.25, 4.0, 3.0, 1.5]]
let M = [[4.0, 1.0, 0.5], [1.0, 3.0, -0.25], [0.5, -0.25, 2.0]]
let fs = (
  ("softmax", fn(x) => nn.softmax(x)), ("log_softmax", fn(x) => nn.log_softmax(x, axis=0)),
  ("logsumexp", fn(x) => logsumexp(x, axis=1)), ("softplus", fn(x) => nn.softplus(x)),
  ("gelu", fn(x) => nn.gelu(x)), ("gelu_exact", fn(x) => nn.gelu(x, approximate=False)),
  ("elu", fn(x) => nn.elu(x)), ("silu", fn(x) => nn.silu(x)), ("sigmoid", fn(x) => nn.sigmoid(x)),
  ("log_sigmoid", fn(x) => nn.log_sigmoid(x)), ("mish", fn(x) => nn.mish(x)), ("selu", fn(x) => nn.selu(x)),
  ("standardize", fn(x) => nn.standardize(x)), ("var", fn(x) => var(x, axis=0)), ("std", fn(x) => std(x, axis=1)),
  ("norm", fn(x) => norm(x)), ("norm1", fn(x) => norm(x, axis=1)), ("mean", fn(x) => mean(x, axis=(0, 1))),
  ("prod", fn(x) => prod(x, axis=0)), ("cumsum", fn(x) => cumsum(x, axis=1)), ("logaddexp", fn(x) => logaddexp(x, 0.3)),
  ("matmul", fn(x) => x @ transpose(x)), ("dot", fn(x) => dot(x, x[0])), ("outer", fn(x) => outer(x, x[1])),
  ("inner", fn(x) => inner(x, x)), ("trace", fn(x) => trace(x, 1)), ("diag", fn(x) => diag(x[0])),
  ("tile", fn(x) => tile(x, (2, 1))), ("repeat", fn(x) => repeat(x, 2, axis=1)), ("roll", fn(x) => roll(x, 1, axis=1)),
  ("flip", fn(x) => flip(x)), ("pad", fn(x) => pad(x, 1, constant_values=2.0)), ("take", fn(x) => take(x, [2, 0, 2], axis=1)),
  ("concat", fn(x) => concatenate((x, x * x), axis=1)), ("stack", fn(x) => stack((x, x * 2.0), axis=2)),
  ("split", fn(x) => split(x, 2, axis=1)[1]), ("moveaxis", fn(x) => moveaxis(expand_dims(x, 0), 0, 2)),
  ("tensordot", fn(x) => tensordot(x, x, ((0,), (0,)))), ("exp2", fn(x) => exp2(x)), ("clip", fn(x) => clip(x, -1.0, 1.0)),
  ("hard_tanh", fn(x) => nn.hard_tanh(x)), ("where", fn(x) => where(x > 0.0, x, x * x)), ("array", fn(x) => array((x[0], x[1] * 2.0))),
  ("linspace", fn(x) => linspace(x[0], x[1], 5)), ("full", fn(x) => full((2, 4), x[0])),
  ("broadcast_to", fn(x) => broadcast_to(x[0], (3, 4))), ("tril", fn(x) => tril(x)), ("arctan2", fn(x) => arctan2(x, 1.5)),
  ("einsum", fn(x) => einsum("ij,kj->ik", x, x * x)), ("einsum_diag", fn(x) => einsum("ii->i", x[:, :3])),
  ("diagonal", fn(x) => diagonal(x, 1)), ("glu", fn(x) => nn.glu(x)), ("relu6", fn(x) => nn.relu6(x * 2.5)),
  ("leaky_relu", fn(x) => nn.leaky_relu(x)), ("soft_sign", fn(x) => nn.soft_sign(x)),
)
'''
CG_GS = r'''let gs = (("log", fn(x) => log(x)), ("sqrt", fn(x) => sqrt(x)), ("log10", fn(x) => log10(x)), ("power", fn(x) => power(x, 2.5)),
  ("reciprocal", fn(x) => reciprocal(x)), ("norm_inf", fn(x) => norm(x[0] - [0.1, 0.2, 0.3, 0.4], ord=3)))
'''
CG_LS = r'''let ls = (("inv", fn(m) => linalg.inv(m)), ("det", fn(m) => linalg.det(m)), ("solve", fn(m) => linalg.solve(m, [1.0, 2.0, 3.0])),
  ("cholesky", fn(m) => linalg.cholesky(m @ transpose(m))), ("slogdet", fn(m) => linalg.slogdet(m)[1]))
'''


def write_checks():
    import re
    count = lambda s: len(re.findall(r'\("[a-z_0-9]+", fn', s))
    nf, ng, nl = count(CG_DEFS), count(CG_GS), count(CG_LS)
    for order, name in ((1, "lib_check_grads"), (2, "lib_check_grads2")):
        src = "# check_grads (forward and reverse mode, order %d) on library functions\n" % order
        src += "# (test points avoid kinks such as clip's bounds)\n" + CG_DEFS
        src += "for t in fs {\n  print(t[0], check_grads(t[1], (A,), order=%d))\n}\n" % order
        src += CG_GS + "for t in gs {\n  print(t[0], check_grads(t[1], (P,), order=%d))\n}\n" % order
        src += CG_LS + "for t in ls {\n  print(t[0], check_grads(t[1], (M,), order=%d))\n}\n" % order
        with open(os.path.join(OUT, name + ".jx"), "w") as f:
            f.write(src)
        with open(os.path.join(OUT, name + ".out"), "w") as f:
            f.write("None\n" * (nf + ng + nl))
    body = """let B = A * -0.7 + 0.2
for t in fs {
  let f = t[1]
  let want = stack((f(A), f(B)))
  let got = vmap(f)(stack((A, B)))
  assert(allclose(got, want, rtol=1e-12, atol=1e-12), t[0])
  let got1 = vmap(f, in_axes=1, out_axes=0)(stack((A, B), axis=1))
  assert(allclose(got1, want, rtol=1e-12, atol=1e-12), t[0])
  let gj = jit(f)(A)
  assert(allclose(gj, f(A), rtol=1e-12, atol=1e-12), t[0])
  let gv = jit(vmap(f))(stack((A, B)))
  assert(allclose(gv, want, rtol=1e-12, atol=1e-12), t[0])
  print(t[0], True)
}
"""
    with open(os.path.join(OUT, "lib_vmap_consistency.jx"), "w") as f:
        f.write("# vmap (in_axes 0 and 1), jit and jit(vmap) of library functions equal the\n"
                "# stacked per-example results\n" + CG_DEFS + body)
    with open(os.path.join(OUT, "lib_vmap_consistency.out"), "w") as f:
        f.write("True\n" * nf)

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for name, (lines, tol, header) in TESTS.items():
        run(name, lines, tol, header)
    for name, code, lines in ERRS:
        err_test(name, code, lines)
    write_checks()
    print("wrote %d tests and %d error tests to %s" % (len(TESTS), len(ERRS), OUT))
