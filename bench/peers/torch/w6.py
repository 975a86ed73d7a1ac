"""W6 in torch: Hessian of sum(tanh(A @ x)), A 200 x 200.

torch (eager): torch.autograd.functional.hessian (200 reverse-over-reverse passes),
timed over 5 calls (BENCHMARKS.md's reduced reps); torch-functorch: functorch.hessian(f), 20 calls.
"""
import functorch
import torch

from common import QUICK, clock, det, impl_name, result

A = det(200 * 200, 7919, 13).reshape(200, 200)
x = det(200, 6007, 17)


def f(x):
    return torch.sum(torch.tanh(A @ x))


def run(h, n):
    H = None
    for _ in range(n):
        H = h(x)
        H[0, 0].item()
    return H


def main():
    impl = impl_name()
    if impl == "torch":
        h, warm, n = (lambda v: torch.autograd.functional.hessian(f, v)), 1, 5
    else:
        h, warm, n = functorch.hessian(f), 2, 20
    if QUICK:
        warm, n = 1, max(1, n // 5)
    run(h, warm)
    t0 = clock()
    H = run(h, n)
    t1 = clock()
    result("W6", impl, (t1 - t0) / n * 1e3, "ms", H.sum().item(), reps=n)


if __name__ == "__main__":
    main()
