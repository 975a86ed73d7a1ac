// jax-js 0.1.25 refers to Float16Array, which Node 20 does not define: building
// any array from a Float64Array or a nested JS array throws ReferenceError
// without it.  The benchmarks never use float16, so a stub class suffices.
// Imported before @jax-js/jax (ES modules evaluate in import order).
if (typeof globalThis.Float16Array === "undefined") {
  globalThis.Float16Array = class Float16Array {
    constructor() {
      throw new Error("Float16Array stub: float16 is not available on this Node");
    }
  };
}
