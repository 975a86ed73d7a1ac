"""W1-f in plain CPython: f(x) = x * sin(x**2) per call (see docs/benchmarks.md)."""
import math
import time


def f(x):
    return x * math.sin(x**2)


def run(n):
    s = 0.0
    for i in range(n):
        s += f(1.0 + i * 1e-5)
    return s


def main():
    run(10_000)
    n = 100_000
    t0 = time.perf_counter()
    s = run(n)
    t1 = time.perf_counter()
    print(f"RESULT W1-f python {(t1 - t0) / n * 1e6:.4g} us checksum={s!r}")


if __name__ == "__main__":
    main()
