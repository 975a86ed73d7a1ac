// W7 start-up of jax-js: import, init the Wasm backend, print 2.
import "./f16stub.mjs";
import { init } from "@jax-js/jax";

await init("wasm");
console.log(1 + 1);
