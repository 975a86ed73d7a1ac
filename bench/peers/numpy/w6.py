"""W6 numpy-hand: Hessian of sum(tanh(A @ x)), written out."""
import numpy as np

from common import clock, det, result

A = det(200 * 200, 7919, 13).reshape(200, 200)
x = det(200, 6007, 17)


def hessian(x):
    t = np.tanh(A @ x)
    d = -2 * t * (1 - t**2)
    return A.T @ (d[:, None] * A)


def run(n):
    H = None
    for _ in range(n):
        H = hessian(x)
        float(H[0, 0])
    return H


def main():
    run(2)
    n = 20
    t0 = clock()
    H = run(n)
    t1 = clock()
    result("W6", "numpy-hand", (t1 - t0) / n * 1e3, "ms", H.sum())


if __name__ == "__main__":
    main()
