#!/usr/bin/env python3
"""Install the jx Jupyter kernel.

usage: editors/jupyter/install.py [--user | --sys-prefix | --dir KERNELS_DIR] [--jx PATH]

Writes KERNELS_DIR/jx/ with kernel.json, jx_kernel.py and jx_bin.txt (the
absolute path of the jx executable the kernel runs: --jx, else $JX_BIN,
else build/jx of this repository, else `jx` on PATH).  Default KERNELS_DIR:
~/.local/share/jupyter/kernels (--user), or PREFIX/share/jupyter/kernels
(--sys-prefix).  Then `jupyter notebook` / `jupyter lab` offer "jx", and
`jupyter nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=jx NB.ipynb`
runs notebooks headless.  Needs python3-ipykernel (Debian) or `pip install ipykernel`.
"""
import argparse
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def main():
    ap = argparse.ArgumentParser(description="Install the jx Jupyter kernel.")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--user", action="store_true", help="~/.local/share/jupyter/kernels (default)")
    g.add_argument("--sys-prefix", action="store_true", help="sys.prefix/share/jupyter/kernels")
    g.add_argument("--dir", help="install into DIR/jx (DIR is a kernels directory)")
    ap.add_argument("--jx", help="the jx executable (default: $JX_BIN, build/jx, or jx on PATH)")
    args = ap.parse_args()

    if args.dir:
        kdir = args.dir
    elif args.sys_prefix:
        kdir = os.path.join(sys.prefix, "share", "jupyter", "kernels")
    else:
        kdir = os.path.join(os.path.expanduser("~"), ".local", "share", "jupyter", "kernels")
    dest = os.path.join(kdir, "jx")
    os.makedirs(dest, exist_ok=True)

    jx = args.jx or os.environ.get("JX_BIN")
    if not jx:
        for cand in ("build/jx", "build-rel/jx"):
            p = os.path.join(ROOT, cand)
            if os.path.exists(p):
                jx = p
                break
    if not jx:
        jx = shutil.which("jx")
    if not jx or not os.path.exists(jx):
        sys.exit("install.py: no jx executable found; build jx first or pass --jx PATH")
    jx = os.path.abspath(jx)

    shutil.copy(os.path.join(HERE, "jx_kernel.py"), os.path.join(dest, "jx_kernel.py"))
    with open(os.path.join(dest, "jx_bin.txt"), "w") as f:
        f.write(jx + "\n")
    spec = {
        "argv": [sys.executable, os.path.join(dest, "jx_kernel.py"), "-f", "{connection_file}"],
        "display_name": "jx",
        "language": "jx",
        "interrupt_mode": "signal",
    }
    with open(os.path.join(dest, "kernel.json"), "w") as f:
        json.dump(spec, f, indent=2)
        f.write("\n")
    print("installed the jx kernel in %s (running %s)" % (dest, jx))


if __name__ == "__main__":
    main()
