// W2 in jax-js: grad(grad(grad(tanh)))(x_i) per call.
// Eager third-order grad through np.tanh costs ~7 ms a call and keeps heap per
// call (a full run exhausts Node's heap), so eager runs the first 1000 points
// only and says so (n=1000: its checksum is not compared).
import { jax, np, scalar, clock, result, JIT, QUICK } from "./common.mjs";

const g = jax.grad(jax.grad(jax.grad(np.tanh)));
const d3 = JIT ? jax.jit(g) : g;

function run(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += d3(scalar(-1.0 + i * 1e-4)).item();
  return s;
}

const full = 20_000;
let warm, n;
if (JIT) [warm, n] = QUICK ? [200, 2_000] : [2_000, full];
else [warm, n] = QUICK ? [20, 200] : [100, 1_000];
run(warm);
const t0 = clock();
const s = run(n);
const t1 = clock();
result("W2", ((t1 - t0) / n) * 1e6, "us", s, n !== full ? { n } : {});
