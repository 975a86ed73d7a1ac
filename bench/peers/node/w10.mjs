// W10 in Node (V8's JIT): the 1e6-iteration scalar loop inside a function.
function run(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += i * 0.5;
  return s;
}
run(1_000_000);
const reps = 3;
let s = 0;
const t0 = performance.now();
for (let k = 0; k < reps; k++) s = run(1_000_000);
const t1 = performance.now();
console.log(`RESULT W10 node ${((t1 - t0) / reps).toPrecision(4)} ms checksum=${String(s)}`);
