// Shared helpers of the jax-js peers (see docs/benchmarks.md for the rules).
// Usage of every program: node wN.mjs [jit]   (env BENCH_QUICK=1: fewer reps)
import "./f16stub.mjs";
import * as jax from "@jax-js/jax";

export { jax };
export const np = jax.numpy;
export const F64 = { dtype: jax.numpy.float64 };
export const QUICK = process.env.BENCH_QUICK === "1";
export const JIT = process.argv[2] === "jit";
export const IMPL = JIT ? "jaxjs-jit" : "jaxjs";
export const clock = () => performance.now() / 1e3; // seconds

await jax.init("wasm");
jax.defaultDevice("wasm");

// det(n, a, c)[k] = ((a*k + c) mod 1009) / 1009 - 0.5: exact in JS doubles
// (a*k + c < 2^53), then one division and one subtraction.
export function detData(n, a, c) {
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = ((a * k + c) % 1009) / 1009 - 0.5;
  return out;
}

export function det(n, a, c, shape = [n]) {
  return np.array(detData(n, a, c), F64).reshape(shape);
}

// numpy's linspace(0, 1, n): i * step + start, the last value exactly stop.
export function linspace01(n) {
  const out = new Float64Array(n);
  const step = 1 / (n - 1);
  for (let i = 0; i < n; i++) out[i] = i * step + 0;
  out[n - 1] = 1;
  return np.array(out, F64);
}

export function scalar(v) {
  return np.array(v, F64);
}

function fmt(v) {
  return Number(v.toPrecision(4)).toString();
}

export function result(workload, value, unit, checksum, notes = {}) {
  const extra = Object.entries(notes).map(([k, v]) => ` ${k}=${v}`).join("");
  console.log(`RESULT ${workload} ${IMPL} ${fmt(value)} ${unit} checksum=${String(checksum)}${extra}`);
}
