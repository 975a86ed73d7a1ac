"""W1-f in plain CPython: f(x) = x * sin(x**2) per call (see docs/benchmarks.md)."""
import math
import os
import time

QUICK = os.environ.get("BENCH_QUICK") == "1"  # bench/run --quick: fewer points


def f(x):
    return x * math.sin(x**2)


def run(n):
    s = 0.0
    for i in range(n):
        s += f(1.0 + i * 1e-5)
    return s


def main():
    run(1_000 if QUICK else 10_000)
    n = 10_000 if QUICK else 100_000
    t0 = time.perf_counter()
    s = run(n)
    t1 = time.perf_counter()
    print(f"RESULT W1-f python {(t1 - t0) / n * 1e6:.4g} us checksum={s!r}" + (f" n={n}" if QUICK else ""))


if __name__ == "__main__":
    main()
