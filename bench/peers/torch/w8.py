"""W8 in torch (eager): sum(tanh(x) * exp(-x)) over 10^7 elements."""
import numpy as np
import torch

from common import clock, impl_name, result


def f(x):
    return torch.sum(torch.tanh(x) * torch.exp(-x)).item()


def main():
    impl = impl_name()
    x = torch.from_numpy(np.linspace(0.0, 1.0, 10_000_000))  # numpy's values, bit for bit
    f(x)
    n = 5
    t0 = clock()
    for _ in range(n):
        s = f(x)
    t1 = clock()
    result("W8", impl, (t1 - t0) / n * 1e3, "ms", s)


if __name__ == "__main__":
    main()
