"""W8 numpy: sum(tanh(x) * exp(-x)) over 10^7 elements (eager: 5 temporaries)."""
import numpy as np

from common import clock, linspace01, result


def f(x):
    return float(np.sum(np.tanh(x) * np.exp(-x)))


def main():
    x = linspace01(10_000_000)
    f(x)
    n = 5
    t0 = clock()
    for _ in range(n):
        s = f(x)
    t1 = clock()
    result("W8", "numpy", (t1 - t0) / n * 1e3, "ms", s)


if __name__ == "__main__":
    main()
