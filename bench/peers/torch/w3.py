"""W3 in torch: logistic regression of seed 001, 2000 SGD steps.

torch: leaf tensors, torch.autograd.grad, update in place under no_grad;
torch-functorch: functorch.grad(loss, argnums=(0, 1)) and new tensors.
"""
import functorch
import torch

from common import F64, QUICK, clock, impl_name, result

INPUTS = torch.tensor([[0.52, 1.12, 0.77], [0.88, -1.08, 0.15], [0.52, 0.06, -1.30], [0.74, -2.49, 1.39]],
                      dtype=F64)
TARGETS = torch.tensor([1.0, 1.0, 0.0, 1.0], dtype=F64)


def sigmoid(x):
    return 0.5 * (torch.tanh(x / 2) + 1)


def loss(W, b):
    p = sigmoid(INPUTS @ W + b)
    return -torch.sum(torch.log(p * TARGETS + (1 - p) * (1 - TARGETS)))


def init():
    return torch.tensor([0.1, -0.2, 0.3], dtype=F64), torch.tensor(0.0, dtype=F64)


def train_torch(n):
    W, b = init()
    W.requires_grad_()
    b.requires_grad_()
    for _ in range(n):
        gW, gb = torch.autograd.grad(loss(W, b), (W, b))
        with torch.no_grad():
            W -= 0.1 * gW
            b -= 0.1 * gb
    return W.detach(), b.detach()


def make_train_functorch():
    gl = functorch.grad(loss, argnums=(0, 1))

    def train(n):
        W, b = init()
        for _ in range(n):
            gW, gb = gl(W, b)
            W, b = W - 0.1 * gW, b - 0.1 * gb
        return W, b

    return train


def main():
    impl = impl_name()
    train = train_torch if impl == "torch" else make_train_functorch()
    train(10 if QUICK else 100)
    n = 200 if QUICK else 2000
    t0 = clock()
    W, b = train(n)
    chk = (W.sum() + b).item()
    t1 = clock()
    result("W3", impl, (t1 - t0) / n * 1e6, "us", chk, **({"n": n} if QUICK else {}))


if __name__ == "__main__":
    main()
