#!/usr/bin/env python3
"""Run the shared conformance tests against a jx binary, minding a pending list.

usage: run_conformance.py [--jx PATH] [--pending FILE] [--runner PATH] [-j N] CONFORMANCE_DIR

Wraps the shared runner (CONFORMANCE_DIR/run, run with -v) and reads its
`PASS name` / `FAIL name: why` lines. The pending list (default
tests/conformance-pending.txt) has lines `NAME  # waits for issue N: reason`:

- a pending test that fails is reported and does not fail the run;
- a pending test that passes is reported as "now passing — remove it from the
  pending list" (a warning, not a failure: the list should only shrink);
- any other failing test fails the run.

Ends with `N passed, N failed` (pending failures count as neither; the line
before says how many there were) and exits 1 if anything failed.
Standard library only.
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def read_pending(path):
    """{name: comment} from the pending list; blank and '#'-only lines are skipped."""
    pending = {}
    if not os.path.exists(path):
        return pending
    with open(path, encoding="utf-8") as f:
        for line in f:
            body, _, comment = line.partition("#")
            name = body.strip()
            if name:
                pending[name.split()[0]] = comment.strip()
    return pending


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jx", default="build/jx", help="jx binary (default build/jx)")
    ap.add_argument("--pending", default=os.path.join(HERE, "conformance-pending.txt"))
    ap.add_argument("--runner", help="the shared runner (default CONFORMANCE_DIR/run)")
    ap.add_argument("--timeout", type=float, default=30.0, help="per-test timeout (s)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("dir", metavar="CONFORMANCE_DIR")
    args = ap.parse_args()

    runner = args.runner or os.path.join(args.dir, "run")
    tests = sorted(f[:-3] for f in os.listdir(args.dir) if f.endswith(".jx"))
    pending = read_pending(args.pending)

    cmd = [sys.executable, runner, "--jx", args.jx, "--timeout", str(args.timeout),
           "-j", str(args.jobs), "-v", args.dir]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
    out = p.stdout.decode("utf-8", errors="replace")

    result = {}  # name -> None (passed) or the runner's reason
    for line in out.splitlines():
        m = re.match(r"^(PASS|FAIL) ([^\s:]+)(?::\s*(.*))?$", line)
        if m:
            result[m.group(2)] = None if m.group(1) == "PASS" else (m.group(3) or "failed")
    if not result and tests:
        # The runner itself broke: show what it said and fail.
        sys.stdout.write(out)
        print("run_conformance: the runner reported no test (exit status %d)" % p.returncode)
        print("0 passed, 1 failed")
        sys.exit(1)

    passed = failed = expected_fail = 0
    now_passing = []
    for name in tests:
        why = result.get(name, "not reported by the runner")
        if name in pending:
            if why is None:
                passed += 1
                now_passing.append(name)
                print("PASS %s  (pending: now passing — remove it from the pending list)" % name)
            else:
                expected_fail += 1
                print("pending %s: %s  [%s]" % (name, why, pending[name] or "no reason given"))
        elif why is None:
            passed += 1
        else:
            failed += 1
            print("FAIL %s: %s" % (name, why))
    for name in sorted(set(pending) - set(tests)):
        print("warning: pending list names %s, which is not a test in %s" % (name, args.dir))
    if now_passing:
        print("warning: %d pending test(s) now pass — remove them from %s: %s" % (
            len(now_passing), os.path.relpath(args.pending), " ".join(now_passing)))
    print("conformance: %d passed, %d failed, %d pending (failing as expected), %d now passing"
          % (passed, failed, expected_fail, len(now_passing)))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
