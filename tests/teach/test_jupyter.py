#!/usr/bin/env python3
"""Execute a small notebook headless with the jx Jupyter kernel.

usage: tests/teach/test_jupyter.py [--jx PATH]

Installs editors/jupyter's kernel into a temporary kernels directory, builds
a notebook (bindings across cells, printed output, an expression's value,
plot, :help and :explain, an error cell), runs
`jupyter nbconvert --to notebook --execute` on it and checks every cell's
outputs.  Skipped (exit 0) when jupyter-nbconvert or ipykernel is missing.
Ends with the line `N passed, N failed`.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

CELLS = [
    ("let x = 3.0\ndef f(x) = x * sin(x ** 2)\nprint(\"x is\", x)", ["x is 3.0"], None, None),
    ("grad(f)(0.13)", [], "0.05069436884920245", None),
    ("let g = grad(grad(tanh))\ng(0.5)", [], "-0.7268619813835873", None),
    ("plot(sin, -3.0, 3.0, width=30, height=6)", ["\u2524", "sin"], None, None),
    (":help grad", ["grad(f, argnums=0, has_aux=False)"], None, None),
    (":explain grad(f)(0.13)", ["backward pass", "ct_a"], None, None),
    ("for i in range(3) { print(i) }", ["0\n1\n2"], None, None),
    ("undefined_name + 1", [], None, "NameError"),
    ("x + 1.0", [], "4.0", None),  # bindings survive an error
]


CLIENT_CHECKS = r'''
import time
from jupyter_client.manager import start_new_kernel
km, kc = start_new_kernel(kernel_name="jx", startup_timeout=60)
try:
    r = kc.complete("let y = gra", 11, reply=True, timeout=30)["content"]
    print(("ok " if "grad" in r["matches"] else "FAIL ") + "complete: %r" % r["matches"][:5])
    r = kc.inspect("grad", 4, reply=True, timeout=30)["content"]
    ok = r["found"] and "argnums" in r["data"].get("text/plain", "")
    print(("ok " if ok else "FAIL ") + "inspect grad")
    kc.execute_interactive("let s = 0", timeout=30, output_hook=lambda m: None)
    kc.execute("for i in range(1000000000) { s += 1 }", stop_on_error=False)
    time.sleep(2.0)
    km.interrupt_kernel()
    r = kc.get_shell_msg(timeout=60)["content"]
    print(("ok " if r.get("ename") == "Interrupted" else "FAIL ") + "interrupt: %r" % r.get("ename"))
    r = kc.execute_interactive("s * 0", timeout=30, output_hook=lambda m: None)["content"]
    print(("ok " if r["status"] == "ok" else "FAIL ") + "the session survives an interrupt: %s %s" % (r["status"], r.get("ename")))
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
'''


def python_with_ipykernel():
    for py in (sys.executable, "/usr/bin/python3", shutil.which("python3")):
        if py and os.path.exists(py):
            r = subprocess.run([py, "-c", "import ipykernel, nbformat"], capture_output=True)
            if r.returncode == 0:
                return py
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jx", default=os.path.join(ROOT, "build", "jx"))
    args = ap.parse_args()
    jx = os.path.abspath(args.jx)
    jupyter = shutil.which("jupyter")
    py = python_with_ipykernel()
    nbconvert_ok = jupyter and subprocess.run([jupyter, "nbconvert", "--version"],
                                              capture_output=True).returncode == 0
    if not (py and nbconvert_ok):
        print("skipped: needs jupyter-nbconvert and python3-ipykernel "
              "(apt-get install jupyter-nbconvert python3-ipykernel)")
        print("0 passed, 0 failed")
        return 0
    if not os.path.exists(jx):
        print("FAIL: no jx at %s" % jx)
        print("0 passed, 1 failed")
        return 1
    tmp = tempfile.mkdtemp(prefix="jx-jupyter-")
    try:
        kdir = os.path.join(tmp, "kernels")
        subprocess.run([py, os.path.join(ROOT, "editors", "jupyter", "install.py"),
                        "--dir", kdir, "--jx", jx], check=True, capture_output=True)
        nb = {
            "cells": [{"cell_type": "code", "execution_count": None, "id": "c%d" % i,
                       "metadata": {}, "outputs": [], "source": src}
                      for i, (src, _, _, _) in enumerate(CELLS)],
            "metadata": {"kernelspec": {"name": "jx", "display_name": "jx", "language": "jx"}},
            "nbformat": 4, "nbformat_minor": 5,
        }
        src = os.path.join(tmp, "t.ipynb")
        with open(src, "w") as f:
            json.dump(nb, f)
        env = dict(os.environ, JUPYTER_PATH=tmp, JUPYTER_DATA_DIR=os.path.join(tmp, "data"),
                   JUPYTER_RUNTIME_DIR=os.path.join(tmp, "runtime"))
        r = subprocess.run([jupyter, "nbconvert", "--to", "notebook", "--execute",
                            "--allow-errors", "--ExecutePreprocessor.kernel_name=jx",
                            "--ExecutePreprocessor.timeout=60",
                            "--output", "out.ipynb", src],
                           env=env, capture_output=True, text=True, timeout=300, cwd=tmp)
        if r.returncode != 0:
            print("FAIL: nbconvert exited with %d\n%s" % (r.returncode, r.stderr[-3000:]))
            print("0 passed, 1 failed")
            return 1
        with open(os.path.join(tmp, "out.ipynb")) as f:
            out = json.load(f)
        passed = failed = 0
        for (code, want_text, want_result, want_error), cell in zip(CELLS, out["cells"]):
            text = "".join("".join(o.get("text", "")) for o in cell["outputs"]
                           if o["output_type"] == "stream")
            results = ["".join(o["data"]["text/plain"]) for o in cell["outputs"]
                       if o["output_type"] == "execute_result"]
            errors = [o["ename"] for o in cell["outputs"] if o["output_type"] == "error"]
            problems = []
            for w in want_text:
                if w not in text:
                    problems.append("printed output lacks %r (got %r)" % (w, text[:300]))
            if want_result is not None and not (
                    len(results) == 1 and abs(float(results[0]) - float(want_result))
                    <= 1e-12 * abs(float(want_result))):
                problems.append("result %r, expected %r" % (results, want_result))
            if want_result is None and results:
                problems.append("unexpected result %r" % results)
            if want_error and errors != [want_error]:
                problems.append("errors %r, expected %r" % (errors, want_error))
            if not want_error and errors:
                problems.append("unexpected error %r" % errors)
            if problems:
                failed += 1
                print("FAIL cell %r: %s" % (code.split("\n")[0], "; ".join(problems)))
            else:
                passed += 1
        # completion, inspection (Shift-Tab help) and interrupting a cell,
        # through jupyter_client in the same Python
        r = subprocess.run([py, "-c", CLIENT_CHECKS], env=env, capture_output=True, text=True,
                           timeout=300, cwd=tmp)
        for line in r.stdout.splitlines():
            if line.startswith("ok "):
                passed += 1
            elif line.startswith("FAIL "):
                failed += 1
                print(line)
        if r.returncode != 0 and "FAIL" not in r.stdout:
            failed += 1
            print("FAIL jupyter_client checks:\n" + r.stdout[-1000:] + r.stderr[-3000:])
        print("%d passed, %d failed" % (passed, failed))
        return 1 if failed else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
