// W1-grad in jax-js: grad(f)(x_i) per call, f(x) = x * sin(x**2), read back with item().
import { jax, np, scalar, clock, result, JIT, QUICK } from "./common.mjs";

const f = (x) => x.ref.mul(np.sin(np.square(x.ref)));
const g = JIT ? jax.jit(jax.grad(f)) : jax.grad(f);

function run(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += g(scalar(1.0 + i * 1e-5)).item();
  return s;
}

const warm = QUICK ? 1_000 : 10_000;
const n = QUICK ? 10_000 : 100_000;
run(warm);
const t0 = clock();
const s = run(n);
const t1 = clock();
result("W1-grad", ((t1 - t0) / n) * 1e6, "us", s, QUICK ? { n } : {});
