"""W9 in torch: 1000 x 1000 float64 matmul."""
import torch

from common import clock, det, impl_name, result


def run(A, B, n):
    C = None
    for _ in range(n):
        C = A @ B
        C[0, 0].item()
    return C


def main():
    impl = impl_name()
    A = det(1_000_000, 7919, 19).reshape(1000, 1000)
    B = det(1_000_000, 6007, 23).reshape(1000, 1000)
    run(A, B, 2)
    n = 10
    t0 = clock()
    C = run(A, B, n)
    t1 = clock()
    result("W9", impl, (t1 - t0) / n * 1e3, "ms", C.sum().item())


if __name__ == "__main__":
    main()
