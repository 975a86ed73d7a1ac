"""W4 in torch: MLP training step (value and grad, SGD update, loss read back).

torch: requires_grad leaves, torch.autograd.grad, update in place under no_grad
(what PyTorch users write); torch-functorch: functorch.grad_and_value and new params.
"""
import functorch
import torch

from common import F64, QUICK, clock, det, impl_name, result

X = det(256 * 784, 7919, 1).reshape(256, 784)
labels = (7 * torch.arange(256) + 3) % 10
Y = torch.nn.functional.one_hot(labels, 10).to(F64)


def fresh():
    return {"W1": 0.1 * det(784 * 256, 6007, 2).reshape(784, 256), "b1": torch.zeros(256, dtype=F64),
            "W2": 0.1 * det(256 * 10, 4001, 3).reshape(256, 10), "b2": torch.zeros(10, dtype=F64)}


def loss(p, X, Y):
    h = torch.tanh(X @ p["W1"] + p["b1"])
    return -torch.mean(torch.sum(Y * torch.log_softmax(h @ p["W2"] + p["b2"], dim=-1), dim=1))


def train_torch(n):
    p = fresh()
    leaves = list(p.values())
    for t in leaves:
        t.requires_grad_()
    total = 0.0
    for _ in range(n):
        l = loss(p, X, Y)
        grads = torch.autograd.grad(l, leaves)
        with torch.no_grad():
            for t, g in zip(leaves, grads):
                t -= 0.1 * g
        total += l.item()
    return total


def make_train_functorch():
    gv = functorch.grad_and_value(loss)

    def train(n):
        p = fresh()
        total = 0.0
        for _ in range(n):
            g, l = gv(p, X, Y)
            p = {k: p[k] - 0.1 * g[k] for k in p}
            total += l.item()
        return total

    return train


def main():
    impl = impl_name()
    train = train_torch if impl == "torch" else make_train_functorch()
    train(1 if QUICK else 3)
    n = 5 if QUICK else 20
    t0 = clock()
    chk = train(n)
    t1 = clock()
    result("W4", impl, (t1 - t0) / n * 1e3, "ms", chk, **({"n": n} if QUICK else {}))


if __name__ == "__main__":
    main()
