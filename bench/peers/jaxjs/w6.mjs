// W6 in jax-js: hessian(f)(x), f(x) = sum(tanh(A @ x)), A 200 x 200.
import { jax, np, det, clock, result, JIT, QUICK } from "./common.mjs";

const A = det(200 * 200, 7919, 13, [200, 200]);
const x = det(200, 6007, 17);

const f = (x) => np.sum(np.tanh(np.matmul(A.ref, x)));
const h = JIT ? jax.jit(jax.hessian(f)) : jax.hessian(f);

async function run(n) {
  let H = null;
  for (let i = 0; i < n; i++) {
    if (H) H.dispose();
    H = h(x.ref);
    await H.blockUntilReady();
  }
  return H;
}

const n = QUICK ? 4 : 20;
(await run(QUICK ? 1 : 2)).dispose();
const t0 = clock();
const H = await run(n);
const t1 = clock();
result("W6", ((t1 - t0) / n) * 1e3, "ms", H.sum().item(), { reps: n });
