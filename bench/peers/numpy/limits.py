"""Physical limits at the pinned thread count (see docs/benchmarks.md).

Prints one line per figure:  LIMIT <name> <value> <unit>
  dgemm_n1000, dgemm_n2000   GFLOP/s of numpy's A @ B (OpenBLAS dgemm), best of 7
  copy_bw                    GB/s of np.copyto on 80 MB (read + write bytes)
  read_bw                    GB/s of a.sum() over 80 MB (read bytes)
  w8_arith                   ns/element of tanh, exp, multiply and sum on a
                             cache-resident 8192-element array (numpy's kernels)
"""
import os

import numpy as np

from common import clock, det

QUICK = os.environ.get("BENCH_QUICK") == "1"
BEST_OF = 3 if QUICK else 7


def best(fn, reps=BEST_OF):
    fn()
    times = []
    for _ in range(reps):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return min(times)


def dgemm_rate(n):
    A = det(n * n, 7919, 19).reshape(n, n)
    B = det(n * n, 6007, 23).reshape(n, n)
    C = np.empty((n, n))
    t = best(lambda: np.matmul(A, B, out=C))
    return 2.0 * n**3 / t / 1e9


def bandwidth():
    n = 10_000_000  # 80 MB of float64
    a = det(n, 7919, 29)
    b = np.empty_like(a)
    t_copy = best(lambda: np.copyto(b, a))
    t_read = best(lambda: a.sum())
    return 2 * a.nbytes / t_copy / 1e9, a.nbytes / t_read / 1e9


def w8_arith():
    n = 8192
    x = np.linspace(0.0, 1.0, n)
    mx = -x
    t = np.empty(n)
    e = np.empty(n)
    inner = 200

    def body():
        for _ in range(inner):
            np.tanh(x, out=t)
            np.exp(mx, out=e)
            np.multiply(t, e, out=t)
            t.sum()

    return best(body) / (inner * n) * 1e9


def main():
    print(f"LIMIT dgemm_n1000 {dgemm_rate(1000):.4g} GFLOP/s", flush=True)
    print(f"LIMIT dgemm_n2000 {dgemm_rate(2000):.4g} GFLOP/s", flush=True)
    copy_bw, read_bw = bandwidth()
    print(f"LIMIT copy_bw {copy_bw:.4g} GB/s", flush=True)
    print(f"LIMIT read_bw {read_bw:.4g} GB/s", flush=True)
    print(f"LIMIT w8_arith {w8_arith():.4g} ns/element", flush=True)


if __name__ == "__main__":
    main()
