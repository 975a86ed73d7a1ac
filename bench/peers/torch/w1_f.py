"""W1-f in torch: f(x) = x * sin(x**2) at 100 000 fresh 0-d tensors."""
import torch

from common import F64, QUICK, clock, impl_name, result


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
    run(1_000 if QUICK else 10_000)
    n = 10_000 if QUICK else 100_000
    t0 = clock()
    s = run(n)
    t1 = clock()
    result("W1-f", impl, (t1 - t0) / n * 1e6, "us", s, **({"n": n} if QUICK else {}))


if __name__ == "__main__":
    main()
