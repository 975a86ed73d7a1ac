// W5 in jax-js: per-example gradients vmap(grad(loss_one), [null, 0, 0]), 1000 x 100.
import { jax, np, det, clock, result, JIT, QUICK } from "./common.mjs";

const X = det(1000 * 100, 7919, 5, [1000, 100]);
const y = det(1000, 6007, 7);
const w = det(100, 4001, 11).mul(0.1);

const lossOne = (w, x, y) => np.square(np.dot(x, w).sub(y));
const pe = jax.vmap(jax.grad(lossOne), [null, 0, 0]);
const g = JIT ? jax.jit(pe) : pe;

async function run(n) {
  let G = null;
  for (let i = 0; i < n; i++) {
    if (G) G.dispose();
    G = g(w.ref, X.ref, y.ref);
    await G.blockUntilReady();
  }
  return G;
}

const n = QUICK ? 20 : 200;
(await run(QUICK ? 2 : 10)).dispose();
const t0 = clock();
const G = await run(n);
const t1 = clock();
result("W5", ((t1 - t0) / n) * 1e3, "ms", G.sum().item(), { reps: n });
