#!/usr/bin/env python3
"""A long REPL session: N mixed commands (definitions, arithmetic, arrays,
printing, f-strings, grad, vmap, jit, control flow, random, errors of every
kind, Ctrl-C interrupts) typed into one jx REPL (stdin a pipe, so no
prompt), checking that it never crashes, keeps its bindings, keeps flat
memory, and (in the ASan build) leaks nothing at exit.

usage: tests/fault/soak.py [--jx PATH] [-n N] [--seed S] [--rss-slack MB] [--no-rss] [-v]

The commands come from a fixed PRNG (--seed), rebinding a small pool of
names so that the live data stays bounded.  Every 250 commands the script
waits for a marker line and samples the process's resident memory
(/proc/PID/status VmRSS); memory is flat when the last sample exceeds the
sample taken after the warm-up (20% of the run) by at most --rss-slack MB
(default 24).  Checks: exit status 0 after :quit; no sanitizer report; the
first binding still holds its value at the end; every interrupt and every
error was reported; the RSS growth.  Prints the samples and ends with
`N passed, N failed`.  Standard library only.
"""
import argparse
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time

SAN_RE = re.compile(r"AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer")

NAMES = ["a", "b", "c", "v", "w", "m"]
FUNCS = ["f", "g", "h"]


def gen_commands(n, seed):
    """[(kind, text)]: kind is 'ok', 'err' (an error message expected),
    'intr' (a long loop to interrupt) or 'mark' (inserted by the runner)."""
    r = random.Random(seed)
    out = []

    def num():
        return r.choice(["1.5", "-2.0", "0.25", "3", "7", "1e-3", "2.5e2"])

    def arr():
        k = r.randint(1, 5)
        return "array([%s])" % ", ".join("%.3f" % r.uniform(-2, 2) for _ in range(k))

    def pick(x):
        return r.choice(x)

    simple = [
        lambda: ("ok", "%s = %s" % (pick(NAMES), arr())),
        lambda: ("ok", "%s = %s * %s + %s" % (pick(NAMES), arr(), num(), num())),
        lambda: ("ok", "%s = reshape(arange(%d.0), (%d, 3))" % (pick(NAMES), 3 * (k := r.randint(1, 6)), k)),
        lambda: ("ok", "def %s(x) = sum(sin(x) * x + x ** 2.0) * %s" % (pick(FUNCS), num())),
        lambda: ("ok", "def %s(x) = sum(tanh(x @ transpose(x)))" % pick(FUNCS)),
        lambda: ("ok", "grad(fn(x) => sum(sin(x) * x))(%s)" % arr()),
        lambda: ("ok", "vmap(fn(x) => x * 2.0 + cos(x))(%s)" % arr()),
        lambda: ("ok", "jit(fn(x) => sum(exp(x) / (1.0 + exp(x))))(%s)" % arr()),
        lambda: ("ok", "vmap(grad(fn(x) => tanh(x) * x))(%s)" % arr()),
        lambda: ("ok", "grad(grad(fn(x) => x ** 3.0 + sin(x)))(%s)" % num().replace("3", "3.0").replace("7", "7.0")),
        lambda: ("ok", "print(f\"step {%d}: loss={%s:.4f} {%s}\")" % (r.randint(0, 99), num(), arr())),
        lambda: ("ok", "let t%d = (%s, %s, 'x', None)" % (r.randint(0, 3), num(), arr())),
        lambda: ("ok", "{'w': %s, 'b': %s}" % (arr(), num())),
        lambda: ("ok", "let k = 0; for i in range(%d) { k += i }; k" % r.randint(1, 300)),
        lambda: ("ok", "random.normal(random.PRNGKey(%d), (%d,))" % (r.randint(0, 9), r.randint(1, 4))),
        lambda: ("ok", "sum(%s) + mean(%s) - max(%s)" % (arr(), arr(), arr())),
        lambda: ("ok", "where(%s > 0.0, 1.0, -1.0)" % arr()),
        lambda: ("ok", "make_jaxpr(fn(x) => sin(x) * %s)(1.0)" % num()),
        lambda: ("ok", "value_and_grad(fn(p) => sum(p['w'] * p['w']) + p['b'])({'w': %s, 'b': 1.0})" % arr()),
        lambda: ("ok", "while_loop(fn(s) => s < 100.0, fn(s) => s * 2.0 + 1.0, %s)" % r.choice(["1.0", "0.5"])),
        lambda: ("ok", "linalg.inv(array([[2.0, 1.0], [1.0, 3.0]])) @ %s" % "array([1.0, 2.0])"),
        lambda: ("ok", "print(arange(%d.0))" % r.randint(1, 1500)),
        lambda: ("ok", "str(%s) + repr('s')" % arr()),
    ]
    errors = [
        lambda: ("err", "undefined_%d + 1" % r.randint(0, 9)),
        lambda: ("err", "array([1.0, 2.0]) + array([1.0, 2.0, 3.0])"),
        lambda: ("err", "(1, 2, 3)[%d]" % r.randint(3, 99)),
        lambda: ("err", "{'a': 1}['nope']"),
        lambda: ("err", "'a' + 1"),
        lambda: ("err", "1 // 0"),
        lambda: ("err", "zeros((10**12,))"),
        lambda: ("err", "grad(fn(x) => x * array([1.0, 2.0]))(1.0)"),
        lambda: ("err", "vmap(fn(x) => undefined_q * x)(array([1.0, 2.0]))"),
        lambda: ("err", "jit(fn(x) => x[99])(array([1.0]))"),
        lambda: ("err", "1 + * 2"),
        lambda: ("err", ")"),
        lambda: ("err", "assert(1 == 2, 'soak')"),
        lambda: ("err", "reshape(arange(6.0), (4, 4))"),
        lambda: ("err", "def deep(n) = deep(n + 1); deep(0)"),
        lambda: ("err", "grad(fn(x) => deep2(x))(1.0); def deep2(x) = deep2(x)"),
    ]
    out.append(("ok", "let keep = 12345"))
    for i in range(n - 1):
        u = r.random()
        if u < 0.012:
            out.append(("intr", r.choice([
                "let spin = 0; while spin < 10**9 { spin += 1 }",
                "grad(fn(x) { let s = x; for i in range(10**9) { s = s * 1.0 }; s })(1.0)",
                "vmap(fn(x) { let s = x; while True { s = s + 1.0 }; s })(array([1.0, 2.0]))",
            ])))
        elif u < 0.25:
            out.append(pick(errors)())
        else:
            out.append(pick(simple)())
    return out


class Reader(threading.Thread):
    def __init__(self, stream):
        super().__init__(daemon=True)
        self.stream = stream
        self.lines = []
        self.cond = threading.Condition()
        self.bytes = 0

    def run(self):
        for raw in iter(self.stream.readline, b""):
            line = raw.decode("utf-8", "replace")
            with self.cond:
                self.bytes += len(raw)
                # keep only what the checks need
                if line.startswith("@@") or SAN_RE.search(line) or "Error" in line[:200] \
                        or "Interrupted" in line or line.strip() == "12345" or len(self.lines) < 50:
                    self.lines.append(line)
                self.cond.notify_all()

    def wait_for(self, text, timeout):
        end = time.time() + timeout
        with self.cond:
            while True:
                if any(text in l for l in self.lines[-20:]):
                    return True
                left = end - time.time()
                if left <= 0:
                    return False
                self.cond.wait(left)


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jx", default="build/jx")
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rss-slack", type=float, default=24.0)
    ap.add_argument("--no-rss", action="store_true",
                    help="report the RSS but do not check it (ASan builds: the quarantine grows)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds to wait at a marker")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()

    cmds = gen_commands(args.n, args.seed)
    env = dict(os.environ)
    p = subprocess.Popen([os.path.abspath(args.jx)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env, cwd=os.path.dirname(os.path.abspath(__file__)))
    out, err = Reader(p.stdout), Reader(p.stderr)
    out.start()
    err.start()
    results = []

    def check(name, ok, why=""):
        results.append(ok)
        print(("ok   %s" % name) if ok else ("FAIL %s: %s" % (name, why)), flush=True)

    t0 = time.time()
    samples = []  # (command index, rss kB)
    n_err = n_intr = 0
    stuck = None
    mark = 0
    def sync(timeout):
        """Send a marker and wait for it; False if it does not come."""
        nonlocal mark
        mark += 1
        p.stdin.write(("print('@@%d')\n" % mark).encode())
        p.stdin.flush()
        return out.wait_for("@@%d" % mark, timeout)

    try:
        for i, (kind, text) in enumerate(cmds):
            if kind == "intr":
                n_intr += 1
                if not sync(args.timeout):  # nothing queued before the loop
                    stuck = (i, "(before) " + text)
                    break
                p.stdin.write((text + "\n").encode())
                p.stdin.flush()
                time.sleep(0.3)
                p.send_signal(signal.SIGINT)
                ok = sync(10)
                for _ in range(3):  # the signal came too early: again
                    if ok:
                        break
                    p.send_signal(signal.SIGINT)
                    ok = sync(10)
                if not ok:
                    stuck = (i, text)
                    break
                continue
            p.stdin.write((text + "\n").encode())
            if kind == "err":
                n_err += 1
            if (i + 1) % 250 == 0 or i == len(cmds) - 1:
                if not sync(args.timeout):
                    stuck = (i, text)
                    break
                samples.append((i + 1, rss_kb(p.pid)))
                if args.v:
                    print("  %6d commands  %6.1f MB  %.0fs" % (i + 1, samples[-1][1] / 1024.0,
                                                              time.time() - t0), flush=True)
        if not stuck:
            p.stdin.write(b"keep\n:quit\n")
            p.stdin.flush()
        p.stdin.close()
    except BrokenPipeError:
        stuck = stuck or (-1, "the REPL closed its input")
    try:
        status = p.wait(timeout=300)
    except subprocess.TimeoutExpired:
        p.kill()
        status = p.wait()
    out.join(5)
    err.join(5)
    elapsed = time.time() - t0

    check("session ran to the end", stuck is None,
          "no answer after command %d `%s`" % stuck if stuck else "")
    check("exit status 0", status == 0, "status %s" % status)
    san = [l for l in err.lines + out.lines if SAN_RE.search(l)]
    check("no sanitizer report", not san, "".join(san[:10]))
    check("bindings kept (`keep` still 12345)", any(l.strip() == "12345" for l in out.lines[-30:]),
          "".join(out.lines[-5:]))
    got_intr = sum("Interrupted" in l for l in err.lines)
    check("every interrupt reported (%d)" % n_intr, got_intr >= n_intr,
          "%d Interrupted messages for %d interrupts" % (got_intr, n_intr))
    kinds = sum(1 for l in err.lines if re.search(r"\w+Error: |Interrupted", l))
    check("errors reported (%d expected)" % n_err, kinds >= n_err,
          "%d error messages for %d erroneous commands" % (kinds, n_err))
    if samples and samples[0][1] > 0:
        base_i = max(0, len(samples) // 5 - 1)
        base = samples[base_i][1] / 1024.0
        last = samples[-1][1] / 1024.0
        peak = max(s[1] for s in samples) / 1024.0
        print("  RSS: %s" % ", ".join("%d:%.1fMB" % (i, kb / 1024.0) for i, kb in samples))
        if not args.no_rss:
            check("flat memory (RSS %.1f MB after warm-up, %.1f MB at the end, peak %.1f MB)"
                  % (base, last, peak), last - base <= args.rss_slack,
                  "grew by %.1f MB" % (last - base))
    print("soak: %d commands (%d errors, %d interrupts) in %.0fs" % (len(cmds), n_err, n_intr, elapsed))
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    sys.exit(0 if passed == len(results) else 1)


if __name__ == "__main__":
    main()
