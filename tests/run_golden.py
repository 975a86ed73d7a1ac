#!/usr/bin/env python3
"""Run golden .jx tests: NAME.jx with NAME.out (expected stdout) or NAME.err
(expected error).

usage: tests/run_golden.py [--jx PATH] [-j N] [--timeout S] [-v] DIR_OR_FILE...

The format is that of ../shared/conformance (see its README.md):
  NAME.out          stdout must match and the exit status be 0.  Compared by
                    tokens (numbers within tolerance, and the words True,
                    False, None), unless the file starts with a line `#exact`:
                    then the rest must equal stdout byte for byte.
  NAME.err          the exit status must be 1 and every non-empty line of the
                    file must occur in stderr.
Tolerances default to rtol=1e-6, atol=1e-9; a first line `# tol: rtol=R atol=A`
in NAME.jx overrides them.  Two more header lines (any of the first lines
starting with '#') are understood here:
  # args: A B C     extra command-line arguments after NAME.jx
  # exit: N         expected exit status (instead of 0 / 1)
Each test runs in its own directory as `jx NAME.jx`, with no stdin.
Prints one line per failing test (all tests with -v) and ends with the line
`N passed, N failed`; exits 1 if any test failed.  Standard library only.
"""
import argparse
import concurrent.futures
import math
import os
import re
import shlex
import subprocess
import sys

RTOL, ATOL = 1e-6, 1e-9

NUM = r"[-+]?(?:(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|inf|nan)"
TOKEN = re.compile(r"(?<![\w.])(?P<n>" + NUM + r")(?!\w)|\b(?P<w>True|False|None)\b")


def tokens(text):
    out = []
    for m in TOKEN.finditer(text):
        if m.group("n") is not None:
            raw = m.group("n")
            try:
                out.append((float(raw.replace("_", "")), raw))
            except ValueError:
                pass
        else:
            out.append((m.group("w"), m.group("w")))
    return out


def header(path):
    """tol, extra args and expected exit status from the leading # lines."""
    rtol, atol, args, status = RTOL, ATOL, [], None
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                s = line.strip()
                if not s.startswith("#"):
                    break
                body = s[1:].strip()
                if body.startswith("tol:"):
                    for part in body[4:].replace(",", " ").split():
                        k, _, v = part.partition("=")
                        try:
                            if k == "rtol":
                                rtol = float(v)
                            elif k == "atol":
                                atol = float(v)
                        except ValueError:
                            pass
                elif body.startswith("args:"):
                    args = shlex.split(body[5:])
                elif body.startswith("exit:"):
                    try:
                        status = int(body[5:])
                    except ValueError:
                        pass
    except OSError:
        pass
    return rtol, atol, args, status


def close(e, g, rtol, atol):
    if isinstance(e, str) or isinstance(g, str):
        return e == g
    if math.isnan(e) or math.isnan(g):
        return math.isnan(e) and math.isnan(g)
    if math.isinf(e) or math.isinf(g):
        return e == g
    return abs(g - e) <= atol + rtol * abs(e)


def short(b, n=300):
    s = b if isinstance(b, str) else b.decode("utf-8", "replace")
    s = s.replace("\n", "\\n")
    return s if len(s) <= n else s[:n] + "..."


def run_one(jx, path, timeout):
    """Returns None on success, else the reason."""
    d, base = os.path.split(path)
    name = base[:-3]
    out_f, err_f = os.path.join(d, name + ".out"), os.path.join(d, name + ".err")
    rtol, atol, args, status = header(path)
    has_out, has_err = os.path.exists(out_f), os.path.exists(err_f)
    if not has_out and not has_err:
        return "no %s.out or %s.err" % (name, name)
    try:
        p = subprocess.run([jx, base] + args, cwd=d or ".", stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timed out after %gs" % timeout
    except OSError as ex:
        return "cannot run %s: %s" % (jx, ex)
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    if "Sanitizer" in err or "runtime error:" in err:
        return "sanitizer report: " + short(err, 600)
    if p.returncode < 0:
        return "killed by signal %d; stderr: %s" % (-p.returncode, short(err))
    if has_err:
        want = 1 if status is None else status
        if p.returncode != want:
            return "exit status %d, expected %d; stderr: %s" % (p.returncode, want, short(err))
        with open(err_f, encoding="utf-8") as f:
            for line in f.read().splitlines():
                if line.strip() and line.strip() not in err:
                    return "stderr lacks %r; stderr: %s" % (line.strip(), short(err))
        if has_out:
            return compare_out(out_f, out, rtol, atol)
        return None
    want = 0 if status is None else status
    if p.returncode != want:
        return "exit status %d, expected %d; stderr: %s" % (p.returncode, want, short(err))
    return compare_out(out_f, out, rtol, atol)


def compare_out(out_f, out, rtol, atol):
    with open(out_f, encoding="utf-8") as f:
        exp = f.read()
    if exp.startswith("#exact\n") or exp == "#exact":
        exp = exp[len("#exact\n"):]
        if out == exp:
            return None
        el, gl = exp.splitlines(), out.splitlines()
        for i in range(max(len(el), len(gl))):
            a = el[i] if i < len(el) else "<end>"
            b = gl[i] if i < len(gl) else "<end>"
            if a != b:
                return "line %d: expected %r, got %r" % (i + 1, a, b)
        return "output differs (line endings or trailing newline)"
    et, gt = tokens(exp), tokens(out)
    for i, (e, g) in enumerate(zip(et, gt)):
        if not close(e[0], g[0], rtol, atol):
            return "token %d: expected %s, got %s" % (i + 1, e[1], g[1])
    if len(et) != len(gt):
        return "expected %d tokens, got %d; stdout: %s" % (len(et), len(gt), short(out))
    return None


def collect(paths):
    tests = []
    for p in paths:
        if os.path.isdir(p):
            for d, _, files in os.walk(p):
                tests += [os.path.join(d, f) for f in files if f.endswith(".jx")]
        elif p.endswith(".jx"):
            tests.append(p)
        elif os.path.exists(p + ".jx"):
            tests.append(p + ".jx")
    return sorted(set(tests))


def main():
    ap = argparse.ArgumentParser(description="Run golden .jx tests.")
    ap.add_argument("--jx", default=None, help="jx binary (default: build/jx)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    jx = os.path.abspath(a.jx or os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                              "..", "build", "jx"))
    tests = collect(a.paths)
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as ex:
        futs = {t: ex.submit(run_one, jx, t, a.timeout) for t in tests}
        for t in tests:
            why = futs[t].result()
            name = os.path.relpath(t)[:-3]
            if why is None:
                passed += 1
                if a.verbose:
                    print("PASS %s" % name)
            else:
                failed += 1
                print("FAIL %s: %s" % (name, why))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
