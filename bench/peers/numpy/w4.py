"""W4 numpy-hand: MLP training step with a hand-derived backward pass."""
import numpy as np

from common import QUICK, clock, det, result

X = det(256 * 784, 7919, 1).reshape(256, 784)
labels = (7 * np.arange(256) + 3) % 10
Y = np.eye(10)[labels]


def fresh():
    return {"W1": 0.1 * det(784 * 256, 6007, 2).reshape(784, 256), "b1": np.zeros(256),
            "W2": 0.1 * det(256 * 10, 4001, 3).reshape(256, 10), "b2": np.zeros(10)}


def value_and_grad(p, X, Y):
    n = X.shape[0]
    H = np.tanh(X @ p["W1"] + p["b1"])
    Z = H @ p["W2"] + p["b2"]
    m = Z.max(axis=-1, keepdims=True)
    lse = np.log(np.exp(Z - m).sum(axis=-1, keepdims=True)) + m
    logp = Z - lse
    loss = -np.mean(np.sum(Y * logp, axis=1))
    # backward: dloss/dZ = (softmax(Z) * sum(Y) - Y) / n
    dZ = (np.exp(logp) * Y.sum(axis=1, keepdims=True) - Y) / n
    dW2 = H.T @ dZ
    db2 = dZ.sum(axis=0)
    dZ1 = (dZ @ p["W2"].T) * (1 - H**2)
    dW1 = X.T @ dZ1
    db1 = dZ1.sum(axis=0)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def train(n):
    p = fresh()
    total = 0.0
    for _ in range(n):
        loss, g = value_and_grad(p, X, Y)
        total += float(loss)
        p = {k: p[k] - 0.1 * g[k] for k in p}
    return total


def main():
    train(1 if QUICK else 3)
    n = 5 if QUICK else 20
    t0 = clock()
    chk = train(n)
    t1 = clock()
    result("W4", "numpy-hand", (t1 - t0) / n * 1e3, "ms", chk, **({"n": n} if QUICK else {}))


if __name__ == "__main__":
    main()
