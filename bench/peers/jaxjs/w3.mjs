// W3 in jax-js: logistic regression of seed 001, 2000 SGD steps.
// jaxjs-jit jits the whole step (W, b) -> (W', b').  Each step blocks until ready.
import { jax, np, F64, scalar, clock, result, JIT, QUICK } from "./common.mjs";

const inputs = np.array([[0.52, 1.12, 0.77], [0.88, -1.08, 0.15], [0.52, 0.06, -1.30], [0.74, -2.49, 1.39]], F64);
const targets = np.array([1.0, 1.0, 0.0, 1.0], F64);

const sigmoid = (x) => np.tanh(x.div(2)).add(1).mul(0.5);
const predict = (W, b, X) => sigmoid(np.dot(X, W).add(b));

function loss(W, b) {
  const p = predict(W, b, inputs.ref);
  const t = targets.ref;
  const q = p.ref.mul(t.ref).add(np.subtract(1, p).mul(np.subtract(1, t)));
  return np.sum(np.log(q)).neg();
}

const gl = jax.grad(loss, { argnums: [0, 1] });
function stepFn(W, b) {
  const [gW, gb] = gl(W.ref, b.ref);
  return [W.sub(gW.mul(0.1)), b.sub(gb.mul(0.1))];
}
const step = JIT ? jax.jit(stepFn) : stepFn;

async function train(n) {
  let W = np.array([0.1, -0.2, 0.3], F64);
  let b = scalar(0.0);
  for (let i = 0; i < n; i++) {
    [W, b] = step(W, b);
    await jax.blockUntilReady([W, b]);
  }
  return [W, b];
}

const n = QUICK ? 200 : 2000;
jax.tree.dispose(await train(QUICK ? 10 : 100));
const t0 = clock();
const [W, b] = await train(n);
const chk = W.sum().add(b).item();
const t1 = clock();
result("W3", ((t1 - t0) / n) * 1e6, "us", chk, QUICK ? { n } : {});
