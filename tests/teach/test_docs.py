#!/usr/bin/env python3
"""Check that the code in docs/tutorial.md runs and prints what the text says.

usage: tests/teach/test_docs.py [--jx PATH] [--update] [FILE.md ...]

Every ```jx block of a file is run, in order, as one program (later blocks
see the bindings of earlier ones); a ```text block right after a ```jx
block is that block's expected output, compared as text (trailing spaces
ignored) with numbers equal to 1e-9 relative.  Blocks fenced as ```jx-norun are shown but not run.  --update
rewrites the ```text blocks with the actual output (review the diff!).
Ends with the line `N passed, N failed`.
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MARK = "@@jx-doc-block@@"
FENCE = re.compile(r"^```(\w[\w-]*)?\s*$")


NUM = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w])")


def same(want, got, rtol=1e-9):
    """Equal text, numbers equal to rtol (the last digits of a float may move
    when the arithmetic is reordered)."""
    if want == got:
        return True
    if NUM.sub("#", want) != NUM.sub("#", got):
        return False
    for a, b in zip(NUM.findall(want), NUM.findall(got)):
        x, y = float(a), float(b)
        if abs(x - y) > rtol * max(abs(x), abs(y)) + 1e-300:
            return False
    return True


def blocks(text):
    """[(kind, start_line, end_line, body)] for each fenced block."""
    lines = text.split("\n")
    out, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m and m.group(1):
            kind, start = m.group(1), i
            j = i + 1
            while j < len(lines) and lines[j].rstrip() != "```":
                j += 1
            out.append((kind, start, j, "\n".join(lines[start + 1:j])))
            i = j + 1
        else:
            i += 1
    return out


def check(path, jx, update):
    text = open(path, encoding="utf-8").read()
    bl = blocks(text)
    code = [b for b in bl if b[0] == "jx"]
    prog = ""
    for k, b in enumerate(code):
        prog += b[3] + "\nprint(\"%s%d\")\n" % (MARK, k)
    r = subprocess.run([jx, "-e", prog], capture_output=True, text=True, timeout=120,
                       cwd=os.path.dirname(os.path.abspath(path)))
    outs, cur = {}, []
    for line in r.stdout.split("\n"):
        if line.startswith(MARK):
            outs[int(line[len(MARK):])] = "\n".join(cur)
            cur = []
        else:
            cur.append(line)
    passed = failed = 0
    if r.returncode != 0:
        failed += 1
        print("FAIL %s: the program stopped after block %d:\n%s" % (path, len(outs), r.stderr))
    lines = text.split("\n")
    edits = []
    for k, b in enumerate(code):
        if k not in outs:
            break
        nxt = [x for x in bl if x[1] > b[2]]
        if not nxt or nxt[0][0] != "text" or any(l.strip() for l in lines[b[2] + 1:nxt[0][1]]):
            passed += 1  # no expected output shown: running is enough
            continue
        t = nxt[0]
        want = "\n".join(l.rstrip() for l in t[3].split("\n")).rstrip()
        got = "\n".join(l.rstrip() for l in outs[k].split("\n")).rstrip()
        if same(want, got):
            passed += 1
        elif update:
            edits.append((t[1], t[2], got))
            passed += 1
        else:
            failed += 1
            print("FAIL %s:%d: block output differs\n--- expected\n%s\n--- got\n%s" % (
                path, b[1] + 1, want, got))
    if edits:
        for s, e, got in reversed(edits):
            lines[s + 1:e] = got.split("\n") if got else []
        open(path, "w", encoding="utf-8").write("\n".join(lines))
        print("updated %d block(s) in %s" % (len(edits), path))
    return passed, failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jx", default=os.path.join(ROOT, "build", "jx"))
    ap.add_argument("--update", action="store_true")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    files = args.files or [os.path.join(ROOT, "docs", "tutorial.md")]
    passed = failed = 0
    for f in files:
        p, fl = check(f, os.path.abspath(args.jx), args.update)
        passed += p
        failed += fl
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
