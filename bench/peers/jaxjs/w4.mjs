// W4 in jax-js: MLP training step (value and grad, SGD update building new
// params, loss read back).  jaxjs-jit jits (params, X, Y) -> (loss, new params).
import { jax, np, F64, det, clock, result, JIT, QUICK } from "./common.mjs";

const X = det(256 * 784, 7919, 1, [256, 784]);
const labelData = new Int32Array(256);
for (let i = 0; i < 256; i++) labelData[i] = (7 * i + 3) % 10;
const Y = jax.nn.oneHot(np.array(labelData, { dtype: np.int32 }), 10).astype(np.float64);

function fresh() {
  return {
    W1: det(784 * 256, 6007, 2, [784, 256]).mul(0.1), b1: np.zeros([256], F64),
    W2: det(256 * 10, 4001, 3, [256, 10]).mul(0.1), b2: np.zeros([10], F64),
  };
}

function loss(p, X, Y) {
  const h = np.tanh(np.matmul(X, p.W1).add(p.b1));
  const logits = np.matmul(h, p.W2).add(p.b2);
  return np.mean(np.sum(Y.mul(jax.nn.logSoftmax(logits, -1)), 1)).neg();
}

const vg = jax.valueAndGrad(loss);
function stepFn(p, X, Y) {
  const [l, g] = vg(jax.tree.ref(p), X, Y);
  return [l, jax.tree.map((a, b) => a.sub(b.mul(0.1)), p, g)];
}
const step = JIT ? jax.jit(stepFn) : stepFn;

async function train(n) {
  let p = fresh();
  let total = 0;
  for (let i = 0; i < n; i++) {
    const [l, q] = step(p, X.ref, Y.ref);
    total += l.item();
    p = q;
    await jax.blockUntilReady(p);
  }
  jax.tree.dispose(p);
  return total;
}

const n = QUICK ? 5 : 20;
await train(QUICK ? 1 : 3);
const t0 = clock();
const chk = await train(n);
const t1 = clock();
result("W4", ((t1 - t0) / n) * 1e3, "ms", chk, QUICK ? { n } : {});
