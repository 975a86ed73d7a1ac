"""W5 in torch: per-example gradients (1000 x 100).

torch (eager, no functorch): a Python loop of 1000 torch.autograd.grad calls,
timed over 3 calls (BENCHMARKS.md's reduced reps); torch-functorch:
functorch.vmap(functorch.grad(loss_one), in_dims=(None, 0, 0)), 200 calls.
"""
import functorch
import torch

from common import QUICK, clock, det, impl_name, result

X = det(1000 * 100, 7919, 5).reshape(1000, 100)
y = det(1000, 6007, 7)
w = 0.1 * det(100, 4001, 11)


def loss_one(w, x, y):
    return (torch.dot(x, w) - y) ** 2


def per_example_torch(w, X, y):
    w = w.detach().requires_grad_()
    rows = []
    for i in range(X.shape[0]):
        (g,) = torch.autograd.grad(loss_one(w, X[i], y[i]), w)
        rows.append(g)
    return torch.stack(rows)


def run(g, n):
    G = None
    for _ in range(n):
        G = g(w, X, y)
        G[0, 0].item()
    return G


def main():
    impl = impl_name()
    if impl == "torch":
        g, warm, n = per_example_torch, 1, 3
    else:
        g, warm, n = functorch.vmap(functorch.grad(loss_one), in_dims=(None, 0, 0)), 10, 200
    if QUICK:
        warm, n = 1, max(1, n // 10)
    run(g, warm)
    t0 = clock()
    G = run(g, n)
    t1 = clock()
    result("W5", impl, (t1 - t0) / n * 1e3, "ms", G.sum().item(), reps=n)


if __name__ == "__main__":
    main()
