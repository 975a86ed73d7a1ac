"""numpy side of bench/arrays (run with Debian's /usr/bin/python3).

Same workloads, inputs and output format as bench_arrays.c."""
import sys
import time

import numpy as np


def run(name, f, warm, reps):
    for _ in range(warm):
        f()
    tot, best, check = 0.0, 1e30, 0.0
    for _ in range(reps):
        t0 = time.perf_counter()
        v = f()
        t = time.perf_counter() - t0
        check = float(np.sum(v))
        tot += t
        best = min(best, t)
    print(f"RESULT {name} numpy {tot / reps * 1e3:.3f} ms checksum={check!r} min={best * 1e3:.3f}",
          flush=True)


def det(n, a, c):
    return ((np.arange(n, dtype=np.int64) * a + c) % 1009) / 1009 - 0.5


def main():
    only = sys.argv[1] if len(sys.argv) > 1 else None
    if only in (None, "matmul"):
        A = det(10**6, 7919, 19).reshape(1000, 1000)
        B = det(10**6, 6007, 23).reshape(1000, 1000)
        run("matmul", lambda: A @ B, 2, 10)
    n = 10**7
    x = np.arange(n, dtype=np.float64) / (n - 1)
    if only in (None, "w8"):
        run("w8", lambda: float(np.sum(np.tanh(x) * np.exp(-x))), 1, 10)
    if only in (None, "chain"):
        run("chain", lambda: float(np.sum((x * 2.0 + 1.0) * x - 3.0)), 1, 10)
    if only in (None, "sum"):
        run("sum", lambda: float(np.sum(x)), 1, 20)
    if only in (None, "max"):
        run("max", lambda: float(np.max(x)), 1, 20)
    if only in (None, "sum0"):
        X = det(n, 7919, 1).reshape(1000, 10000)
        run("sum0", lambda: np.sum(X, axis=0), 1, 20)


main()
