// W8 in jax-js: sum(tanh(x) * exp(-x)) over 10^7 elements; jaxjs-jit jits the expression.
import { jax, np, linspace01, clock, result, JIT } from "./common.mjs";

const x = linspace01(10_000_000);
const fn = (x) => np.sum(np.tanh(x.ref).mul(np.exp(x.neg())));
const f = JIT ? jax.jit(fn) : fn;

f(x.ref).item();
const n = 5;
let s = 0;
const t0 = clock();
for (let i = 0; i < n; i++) s = f(x.ref).item();
const t1 = clock();
result("W8", ((t1 - t0) / n) * 1e3, "ms", s);
