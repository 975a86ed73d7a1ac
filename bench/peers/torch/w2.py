"""W2 in torch: third derivative of tanh at 20 000 points.

torch: torch.autograd.grad three times (create_graph on the first two);
torch-functorch: functorch.grad nested three deep.
"""
import functorch
import torch

from common import F64, QUICK, clock, impl_name, result


def d3_torch(xv):
    x = torch.tensor(xv, dtype=F64, requires_grad=True)
    (g1,) = torch.autograd.grad(torch.tanh(x), x, create_graph=True)
    (g2,) = torch.autograd.grad(g1, x, create_graph=True)
    (g3,) = torch.autograd.grad(g2, x)
    return g3.item()


def make_d3_functorch():
    g = functorch.grad(functorch.grad(functorch.grad(torch.tanh)))
    return lambda xv: g(torch.tensor(xv, dtype=F64)).item()


def run(n, d3):
    s = 0.0
    for i in range(n):
        s += d3(-1.0 + i * 1e-4)
    return s


def main():
    impl = impl_name()
    d3 = d3_torch if impl == "torch" else make_d3_functorch()
    run(200 if QUICK else 2_000, d3)
    n = 2_000 if QUICK else 20_000
    t0 = clock()
    s = run(n, d3)
    t1 = clock()
    result("W2", impl, (t1 - t0) / n * 1e6, "us", s, **({"n": n} if QUICK else {}))


if __name__ == "__main__":
    main()
