"""W1-f in torch: f(x) = x * sin(x**2) at 100 000 fresh 0-d tensors."""
import torch

from common import F64, clock, impl_name, result


def f(x):
    return x * torch.sin(x**2)


def run(n):
    s = 0.0
    for i in range(n):
        s += f(torch.tensor(1.0 + i * 1e-5, dtype=F64)).item()
    return s


def main():
    impl = impl_name()
    if impl != "torch":
        raise SystemExit("W1-f has no functorch variant")
    run(10_000)
    n = 100_000
    t0 = clock()
    s = run(n)
    t1 = clock()
    result("W1-f", impl, (t1 - t0) / n * 1e6, "us", s)


if __name__ == "__main__":
    main()
