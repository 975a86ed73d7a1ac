"""W5 numpy-hand: per-example gradients of a linear least-squares model."""
import numpy as np

from common import clock, det, result

X = det(1000 * 100, 7919, 5).reshape(1000, 100)
y = det(1000, 6007, 7)
w = 0.1 * det(100, 4001, 11)


def per_example(w, X, y):
    return 2 * (X @ w - y)[:, None] * X


def run(n):
    G = None
    for _ in range(n):
        G = per_example(w, X, y)
        float(G[0, 0])
    return G


def main():
    run(10)
    n = 200
    t0 = clock()
    G = run(n)
    t1 = clock()
    result("W5", "numpy-hand", (t1 - t0) / n * 1e3, "ms", G.sum())


if __name__ == "__main__":
    main()
