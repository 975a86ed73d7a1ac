// W9 in jax-js: 1000 x 1000 float64 matmul (no jit variant: a single op).
// At ~1.8 s a call (single-threaded Wasm), it is timed over 3 calls after 1
// warm-up instead of 10 after 2, to keep the whole bench run short (reps=3).
import { jax, np, det, clock, result, QUICK } from "./common.mjs";

if (process.argv[2] === "jit") throw new Error("W9 has no jit variant");
const A = det(1_000_000, 7919, 19, [1000, 1000]);
const B = det(1_000_000, 6007, 23, [1000, 1000]);

async function run(n) {
  let C = null;
  for (let i = 0; i < n; i++) {
    if (C) C.dispose();
    C = np.matmul(A.ref, B.ref);
    await C.blockUntilReady();
  }
  return C;
}

const n = QUICK ? 2 : 3;
(await run(1)).dispose();
const t0 = clock();
const C = await run(n);
const t1 = clock();
result("W9", ((t1 - t0) / n) * 1e3, "ms", C.sum().item(), { reps: n });
