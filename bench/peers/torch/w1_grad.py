"""W1-grad in torch: grad of f(x) = x * sin(x**2) at 100 000 fresh scalars.

torch: a fresh leaf tensor + torch.autograd.grad; torch-functorch: functorch.grad(f).
"""
import functorch
import torch

from common import F64, QUICK, clock, impl_name, result


def f(x):
    return x * torch.sin(x**2)


def run_torch(n):
    s = 0.0
    for i in range(n):
        x = torch.tensor(1.0 + i * 1e-5, dtype=F64, requires_grad=True)
        (g,) = torch.autograd.grad(f(x), x)
        s += g.item()
    return s


def make_run_functorch():
    gf = functorch.grad(f)

    def run(n):
        s = 0.0
        for i in range(n):
            s += gf(torch.tensor(1.0 + i * 1e-5, dtype=F64)).item()
        return s

    return run


def main():
    impl = impl_name()
    run = run_torch if impl == "torch" else make_run_functorch()
    run(1_000 if QUICK else 10_000)
    n = 10_000 if QUICK else 100_000
    t0 = clock()
    s = run(n)
    t1 = clock()
    result("W1-grad", impl, (t1 - t0) / n * 1e6, "us", s, **({"n": n} if QUICK else {}))


if __name__ == "__main__":
    main()
