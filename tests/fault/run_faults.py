#!/usr/bin/env python3
"""The fault table (docs: tests/fault/README.md): one check per row, run
against a jx binary.  Each check runs jx on hostile input and demands a
clean outcome: the right exit status and error kind, no crash, no hang, no
sanitizer report, and an interpreter (or REPL session) that still works.

usage: tests/fault/run_faults.py [--jx PATH] [--only WORDS] [--quick] [-v]

Rows (the golden tests in tests/jx/faults and the C drivers fault_parse and
fault_oom cover the rest of the table):
  syntax     malformed syntax through `jx -e` and the REPL: truncated and
             damaged test programs give a SyntaxError with line:col
  unterm     unterminated strings and brackets: the REPL shows the
             continuation prompt (pty); a script's error names the opening
  nesting    10^5-deep parentheses, brackets, braces, unary operators, **,
             if, fn, calls, indexing…: a RecursionError or a result, never
             a crash, in a script and in the REPL
  recursion  unbounded recursion (plain, mutual, in grad, vmap, jit,
             tree_map, custom_jvp): RecursionError three times in a row in
             one REPL session, also with `ulimit -s 1024`
  alloc      impossible allocations and int64 overflow in shapes: a clean
             MemoryError/ValueError/ShapeError, also inside transformations
  naninf     NaN and ±inf through every builtin (and grad/vmap of the
             differentiable ones): no crash, no hang (the values: golden
             test tests/jx/faults/nan_inf.jx)
  builtins   4,000 calls of random builtins with hostile arguments (wrong
             types, extreme ints, empty and odd shapes, functions, keys),
             some under vmap, jit and grad: no crash, no sanitizer report
  interrupt  Ctrl-C (pty) during a long loop, a long kernel (big matmul,
             10^8-element op), inside grad, vmap and jit: Interrupted, the
             prompt comes back, and an earlier binding still prints
  bytes      invalid UTF-8, NUL bytes, a binary file, 10 MB lines: in a
             script, in -e and in the REPL
  files      a missing file, a directory, an empty file, :load of each; a
             closed stdout (EPIPE, `| head -1`), /dev/full, closed stdout
Exit status 1 if anything failed; ends with `N passed, N failed`.
Environment: ASAN_OPTIONS/UBSAN_OPTIONS are passed through; any sanitizer
report on stderr is a failure.  Standard library only.
"""
import argparse
import os
import pty
import re
import resource
import select
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAN_RE = re.compile(r"AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer|"
                    r"Segmentation fault|core dumped")
LOC_RE = re.compile(r"^(\S+):(\d+):(\d+): (\w+): ", re.M)
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r")

JX = None
VERBOSE = False
SLOW = 1.0  # time multiplier (ASan builds are slower)
results = []
TMP = tempfile.mkdtemp(prefix="jxfault")


def check(name, ok, why=""):
    results.append(bool(ok))
    if ok:
        print("ok   %s" % name, flush=True)
    else:
        why = why if len(why) < 3000 else why[:1500] + "\n...\n" + why[-1500:]
        print("FAIL %s: %s" % (name, why), flush=True)
    return ok


def run(args, stdin=b"", timeout=60, limit_stack=None, cwd=None):
    """Run jx; returns (status, stdout, stderr, seconds).  status is -SIG
    for a signal, None for a timeout."""
    def pre():
        if limit_stack:
            resource.setrlimit(resource.RLIMIT_STACK, (limit_stack, limit_stack))
    t0 = time.time()
    try:
        p = subprocess.run([JX] + list(args), input=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout * SLOW, preexec_fn=pre,
                           cwd=cwd or TMP)
        return p.returncode, p.stdout.decode("utf-8", "replace"), \
            p.stderr.decode("utf-8", "replace"), time.time() - t0
    except subprocess.TimeoutExpired as ex:
        return None, (ex.stdout or b"").decode("utf-8", "replace"), \
            (ex.stderr or b"").decode("utf-8", "replace"), time.time() - t0


def clean(status, err, allowed=(0, 1)):
    """'' if the run ended cleanly, else why not."""
    if status is None:
        return "timed out (a hang)"
    if status < 0:
        return "killed by signal %d" % -status
    m = SAN_RE.search(err)
    if m:
        return "sanitizer/crash report: " + err[max(0, m.start() - 200):m.start() + 1200]
    if status not in allowed:
        return "exit status %d" % status
    return ""


def write(name, data):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path


def repl_pipe(lines, timeout=120, limit_stack=None):
    """Feed lines to the REPL (stdin a pipe: no prompt); returns run()'s tuple."""
    data = "".join(l + "\n" for l in lines).encode() if isinstance(lines, list) else lines
    return run([], stdin=data, timeout=timeout, limit_stack=limit_stack)


class Pty:
    """The REPL through a pseudo-terminal (readline, prompts, Ctrl-C)."""

    def __init__(self, args=()):
        env = dict(os.environ, HOME=TMP, TERM="xterm", INPUTRC="/dev/null")
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(JX, [JX] + list(args), env)
        self.pid, self.fd, self.buf = pid, fd, b""

    def read_until(self, pattern, timeout=10.0):
        end = time.time() + timeout * SLOW
        while True:
            if re.search(pattern, ANSI.sub(b"", self.buf)):
                return True
            left = end - time.time()
            if left <= 0:
                return False
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    data = b""
                if not data:
                    return bool(re.search(pattern, ANSI.sub(b"", self.buf)))
                self.buf += data

    def mark(self):
        self.buf = b""

    def send(self, s):
        os.write(self.fd, s.encode() if isinstance(s, str) else s)

    def text(self):
        return ANSI.sub(b"", self.buf).decode("utf-8", "replace")

    def alive(self):
        try:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
            return pid == 0
        except OSError:
            return False

    def close(self):
        for sig in (signal.SIGKILL,):
            try:
                os.kill(self.pid, sig)
            except OSError:
                pass
        try:
            os.waitpid(self.pid, 0)
        except OSError:
            pass
        try:
            os.close(self.fd)
        except OSError:
            pass


PROMPT = rb">>> $"


# ---------------------------------------------------------------------------
def row_syntax(quick):
    """Truncated and damaged programs through the command line (the C driver
    fault_parse does every prefix and deletion through the parser)."""
    files = []
    for d in ("tests/jx/lang", "tests/jx/ad", "examples"):
        p = os.path.join(ROOT, d)
        if os.path.isdir(p):
            files += sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(".jx"))
    files = files[:: 12 if quick else 4]
    bad = []
    n = 0
    for path in files:
        src = open(path, "rb").read()
        try:
            text = src.decode("utf-8")
        except UnicodeDecodeError:
            continue
        cuts = sorted(set(int(len(text) * k / 5) for k in range(1, 5)))
        for c in cuts:
            for variant in (text[:c], text[:c] + text[c + 1:]):
                n += 1
                st, out, err, _ = run(["-e", variant], timeout=30)
                why = clean(st, err)
                if not why and st == 1:
                    m = LOC_RE.search(err)
                    if not m:
                        why = "an error without FILE:LINE:COL"
                    elif m.group(4) == "SyntaxError" and (int(m.group(2)) < 1 or int(m.group(3)) < 1):
                        why = "a SyntaxError without line:col"
                if why:
                    bad.append("%s cut at %d: %s" % (os.path.relpath(path, ROOT), c, why))
    check("syntax: %d truncated/damaged programs via -e" % n, not bad, "\n".join(bad[:10]))
    # the REPL: damaged lines, then a command that must still work
    lines = ["let keep = 41", "1 + * 2", "let = 3", "def (x) = 1", "fn => 2", "x[", "]", "}",
             "print(1,, 2)", "if { }", "for in range(3) { }", "let (a, = (1, 2)", "f\"{}\"",
             "f\"{1:{2}}\"", "0x", "1e", "1__0", "'\\q'", "@", "$", "`", "keep + 1"]
    st, out, err, _ = repl_pipe(lines)
    why = clean(st, err)
    check("syntax: damaged REPL lines, then the session goes on", not why and "42" in out.split(),
          why or "out=%r err=%r" % (out[-300:], err[-600:]))


def row_unterm():
    cases = [
        ("string", 'print("ok")\nlet s = "abc\nprint(s)\n', "opened at line 2"),
        ("f-string", 'let x = 1\nprint(f"value {x} and more)\n', "opened at line 2"),
        ("paren", 'let t = (1,\n  2,\n  3\n', "at line 1"),
        ("bracket", 'print(1)\nlet a = [1, 2,\n 3\n', "at line 2"),
        ("brace block", 'def f(x) {\n  let y = x\n\nprint(1)\n', "at line 1"),
        ("dict", "let d = {'a': 1,\n 'b': 2\n", "at line 1"),
        ("call", 'print(max(1,\n  2)\n', "at line 1"),
        ("string continued", 'let s = "abc\\\n', "opened at line 1"),
        ("nested", 'let v = [(1, {\'a\': [2,\n', "at line 1"),
    ]
    bad = []
    for name, src, want in cases:
        path = write("unterm_%s.jx" % name.replace(" ", "_"), src)
        st, out, err, _ = run([path])
        why = clean(st, err)
        if not why and st != 1:
            why = "exit status %d, expected 1" % st
        if not why and ("SyntaxError" not in err or want not in err):
            why = "error %r does not name the opening (%s)" % (err.strip()[:200], want)
        if why:
            bad.append("%s: %s" % (name, why))
    check("unterm: %d scripts name the opening line" % len(cases), not bad, "\n".join(bad))

    r = Pty()
    try:
        ok = r.read_until(PROMPT)
        why = [] if ok else ["no prompt: %r" % r.text()]
        r.send("let keep = 7\n")
        r.read_until(PROMPT)
        for opener, closer, want in [("let t = (1,", "2)", "t"), ("let a = [1,", "2]", "a"),
                                     ("def f(x) {", "x * 2 }", "f(3)"),
                                     ("let d = {'k':", "1}", "d"),
                                     ('let s = "abc\\', 'def"', "s"),
                                     ("let u = 1 +", "2", "u"),
                                     ("print(max(1,", "2))", "keep")]:
            r.mark()
            r.send(opener + "\n")
            if not r.read_until(rb"\.\.\. $"):
                why.append("no continuation prompt after %r: %r" % (opener, r.text()))
                r.send("\x03")
                r.read_until(PROMPT)
                continue
            r.mark()
            r.send(closer + "\n")
            if not r.read_until(PROMPT):
                why.append("no prompt after closing %r: %r" % (opener, r.text()))
            r.mark()
            r.send(want + "\n")
            if not r.read_until(PROMPT) or "Error" in r.text():
                why.append("%r after %r: %r" % (want, opener, r.text()))
        # an unterminated string on one line is an error at once, not a wait
        r.mark()
        r.send('let z = "abc\n')
        if not r.read_until(rb"SyntaxError[\s\S]*>>> $"):
            why.append("unterminated one-line string: %r" % r.text())
        r.mark()
        r.send("keep\n")
        if not r.read_until(rb"\n7\n>>> $"):
            why.append("binding lost: %r" % r.text())
        check("unterm: the REPL shows '...' for open brackets, blocks and strings", not why,
              "\n".join(why))
    finally:
        r.close()


def row_nesting(quick):
    N = 100000
    progs = {
        "parens": "(" * N + "1" + ")" * N,
        "brackets": "[" * N + "1" + "]" * N,
        "braces (blocks)": "{" * N + "1" + "}" * N,
        "dict literals": "{'a': " * N + "1" + "}" * N,
        "unary minus": "-" * N + "1",
        "unary plus/tilde": "+~" * (N // 2) + "1",
        "not": "not " * N + "True",
        "power chain": "2" + " ** 1" * N,
        "if nesting": "if True { " * N + "1" + " }" * N,
        "else-if chain": "let x = 1\n" + "if x == 0 { 0 } else " * N + "{ 1 }",
        "lambdas": "fn(x) => " * N + "1",
        "calls": "print(" * N + ")" * N,
        "call chain": "let f = fn() => f\nf" + "()" * N,
        "index chain": "let t = (1,)\nt" + "[0]" * N,
        "attribute chain": "let a = 1\na" + ".b" * N,
        "sum chain": "1" + " + 1" * N,
        "comparison chain": "1" + " < 2" * N,
        "and chain": "True" + " and True" * N,
        "tuple nesting": "(" * N + "1," + "),".join([""] * 1) + ")" * N,
        "let pattern": "let " + "(" * N + "a" + ",)" * N + " = 1",
        "f-string in f-string": "f\"{" * 50 + "1" + "}\"" * 50,
        "mixed": "([{-(" * (N // 5) + "1" + ")}])" * (N // 5),
        "array literal": "array(" + "[" * N + "1.0" + "]" * N + ")",
        "deep tuple value": "let t = ()\nfor i in range(200000) { t = (t, 1.0) }\nprint(len(t), t == t)",
        "deep dict value": "let d = {}\nfor i in range(200000) { d = {'a': d} }\nprint(len(d))",
        "deep closure chain": "let f = fn(x) => x\nfor i in range(100000) { let g = f; f = fn(x) => g(x) }\nf(1)",
        "deep pytree": "let t = 1.0\nfor i in range(5000) { t = (t,) }\ngrad(fn(p) => 1.0)(t)",
    }
    if quick:
        for k in ("unary plus/tilde", "dict literals", "mixed", "tuple nesting", "call chain"):
            progs.pop(k, None)
    bad = []
    for name, src in progs.items():
        path = write("nest_%s.jx" % re.sub(r"\W", "_", name), src + "\n")
        st, out, err, secs = run([path], timeout=60)
        why = clean(st, err)
        if not why and st == 1 and not re.search(r"(RecursionError|SyntaxError|NameError|TypeError|"
                                                 r"IndexError|MemoryError):", err):
            why = "unexpected error: %s" % err.strip()[:300]
        if not why and st == 1 and not LOC_RE.search(err) and "RecursionError" not in err:
            why = "error without a location: %s" % err.strip()[:300]
        if VERBOSE:
            print("     %-22s status %s %.1fs %s" % (name, st, secs, (err.strip().splitlines() or [""])[0][:100]))
        if why:
            bad.append("%s: %s" % (name, why))
    check("nesting: %d programs nested 10^5 deep (script)" % len(progs), not bad, "\n".join(bad))
    # the REPL: two of them, then a command
    lines = ["let keep = 5", "(" * N + "1" + ")" * N, "-" * N + "1", "[" * N, "keep * 2"]
    st, out, err, _ = repl_pipe(lines)
    why = clean(st, err)
    check("nesting: the REPL survives 10^5-deep input",
          not why and "10" in out.split() and err.count("RecursionError") >= 2,
          why or "out=%r err=%r" % (out[-200:], err[-500:]))


RECURSIONS = [
    "def deep(n) = deep(n + 1); deep(0)",
    "def ping(n) = pong(n); def pong(n) = ping(n + 1); ping(0)",
    "grad(fn(x) { def r(y) = r(y * 1.0); r(x) })(1.0)",
    "vmap(fn(x) { def r(y) = r(y + 1.0); r(x) })(array([1.0, 2.0]))",
    "jit(fn(x) { def r(y) = r(y + 1.0); r(x) })(1.0)",
    "def tm(t) = tree_map(fn(x) => tm(x), t); tm((1.0, 2.0))",
    "let cj = custom_jvp(fn(x) => x, fn(p, t) => jvp(cj, p, t)); jvp(cj, (1.0,), (1.0,))",
    "let fr = fn(k) => k(k); fr(fr)",
    "def d2(x) = d2(x) + 1.0; grad(grad(d2))(1.0)",
    "def s(n) = scan(fn(c, x) => (s(c), c), n, array([1.0]))[0]; s(1.0)",
]


def row_recursion(quick):
    session = ["let keep = 99"]
    for r_ in RECURSIONS:
        session += [r_, r_, r_]
    session.append("keep + 1")
    nrec = 3 * len(RECURSIONS)
    for label, stack in (("", None), (" under ulimit -s 1024", 1024 * 1024)):
        st, out, err, secs = repl_pipe(session, timeout=300, limit_stack=stack)
        why = clean(st, err)
        got = err.count("RecursionError")
        if not why and got < nrec:
            # which ones gave something else?
            others = [l for l in err.splitlines() if re.search(r"\w+Error:", l) and "Recursion" not in l]
            why = "%d RecursionErrors for %d recursions; other errors: %s" % (got, nrec, others[:5])
        if not why and "100" not in out.split():
            why = "the binding is lost after the recursions: %r" % out[-200:]
        check("recursion: %d unbounded recursions, each three times in one REPL%s (%.0fs)"
              % (len(RECURSIONS), label, secs), not why, why)
    # scripts too, with a small stack
    path = write("rec.jx", RECURSIONS[0] + "\n")
    st, out, err, _ = run([path], limit_stack=1024 * 1024)
    why = clean(st, err)
    check("recursion: a script under ulimit -s 1024 ends in RecursionError",
          not why and st == 1 and "RecursionError" in err, why or err[-300:])
    # the pty REPL, 3 times
    r = Pty()
    try:
        why = [] if r.read_until(PROMPT) else ["no prompt"]
        r.send("let keep = 3\n")
        r.read_until(PROMPT)
        for i in range(3):
            r.mark()
            r.send("def deep(n) = deep(n + 1); deep(0)\n")
            if not r.read_until(rb"RecursionError[\s\S]*>>> $", 60):
                why.append("attempt %d: %r" % (i + 1, r.text()[-300:]))
        r.mark()
        r.send("keep\n")
        if not r.read_until(rb"\n3\n>>> $"):
            why.append("binding lost: %r" % r.text())
        check("recursion: three RecursionErrors in a row at the REPL prompt (pty)", not why,
              "\n".join(why))
    finally:
        r.close()


ALLOCS = [
    ("zeros((10**12,))", "MemoryError"),
    ("ones((10**6, 10**6))", "MemoryError"),
    ("zeros((2**62, 4))", "MemoryError"),
    ("zeros((2**40, 2**40))", "MemoryError"),
    ("zeros((2**63 - 1,))", "MemoryError"),
    ("zeros((-1,))", "ValueError"),
    ("arange(1e15)", "MemoryError"),
    ("arange(0, 2**62)", "MemoryError"),
    ("linspace(0, 1, 10**13)", "MemoryError"),
    ("eye(10**7)", "MemoryError"),
    ("full((10**10,), 1.0)", "MemoryError"),
    ("reshape(arange(6), (2**62, 4))", "ShapeError"),
    ("broadcast_to(1.0, (10**9, 10**9))", "MemoryError"),
    ("tile(ones(10), (10**9, 10**9))", "MemoryError"),
    ("repeat(ones(10), 10**12)", "MemoryError"),
    ("pad(ones(3), 10**12)", "MemoryError"),
    ("random.normal(random.PRNGKey(0), (10**12,))", "MemoryError"),
    ("nn.one_hot(array([1]), 10**12)", "MemoryError"),
    ("outer(ones(10**6), ones(10**6))", "MemoryError"),
    ("einsum('i,j->ij', ones(10**6), ones(10**6))", "MemoryError"),
    ("len(range(-2**63, 2**63 - 1))", "ValueError"),
    ("grad(fn(x) => sum(zeros((10**12,)) * x))(1.0)", "MemoryError"),
    ("vmap(fn(x) => zeros((10**12,)) * x)(array([1.0, 2.0]))", "MemoryError"),
    ("jit(fn(x) => zeros((10**12,)) + x)(1.0)", "MemoryError"),
    ("vmap(fn(x) => x)(zeros((2**62, 4)))", "MemoryError"),
    ("grad(fn(x) => sum(broadcast_to(x, (10**7, 10**7))))(1.0)", "MemoryError"),
    ("zeros((2**31, 2**31, 2**31))", "MemoryError"),
    ("ones((10**5,)) @ ones((10**5, 10**5))", "MemoryError"),
]


def row_alloc():
    lines = ["let keep = 8"] + [a for a, _ in ALLOCS] + ["keep * 3"]
    st, out, err, _ = repl_pipe(lines, timeout=300)
    why = clean(st, err)
    errs = [l for l in err.splitlines() if re.match(r"<stdin>:\d+:\d+: \w+:", l)]
    bad = []
    if not why:
        if len(errs) != len(ALLOCS):
            bad.append("%d errors for %d impossible allocations:\n%s" % (len(errs), len(ALLOCS),
                                                                       "\n".join(errs)))
        else:
            for (src, kind), line in zip(ALLOCS, errs):
                if ": %s:" % kind not in line:
                    bad.append("%s gave %s (expected %s)" % (src, line, kind))
        if "24" not in out.split():
            bad.append("binding lost: %r" % out[-200:])
    check("alloc: %d impossible allocations and shape overflows (REPL)" % len(ALLOCS),
          not why and not bad, why or "\n".join(bad))


def builtin_names():
    st, out, err, _ = repl_pipe([":help"], timeout=60)
    names = []
    seen = False
    for line in out.splitlines():
        if line.startswith("Builtins:"):
            seen = True
            continue
        if seen:
            names += line.split()
    return names


NOT_SWEPT = {"argv", "time", "load_csv", "save_csv", "load_npy", "save_npy", "savefig", "plot",
             "graph", "explain", "print"}
SPECIALS = ["nan", "inf", "-inf", "-0.0", "1e308", "5e-324",
            "array([nan, inf, -inf, 0.0, -0.0, 1.0])", "array([[nan, 1.0], [inf, -inf]])"]


def row_naninf(quick):
    names = [n for n in builtin_names() if n not in NOT_SWEPT and not n.startswith("random.")]
    if not names:
        check("naninf: the builtin list", False, "`:help` listed no builtins")
        return
    lines = ["let keep = 11"]
    specials = SPECIALS[::2] + SPECIALS[6:] if quick else SPECIALS
    for n in names:
        for x in specials:
            lines.append("%s(%s)" % (n, x))
        for x, y in (("nan", "1.0"), ("inf", "-inf"), (SPECIALS[6], "nan"), (SPECIALS[7], SPECIALS[7])):
            lines.append("%s(%s, %s)" % (n, x, y))
    # derivatives and batching of the elementwise ones
    for n in ["exp", "log", "log1p", "expm1", "sqrt", "sin", "cos", "tan", "arcsin", "arccos",
              "arctan", "sinh", "cosh", "tanh", "abs", "erf", "square", "reciprocal", "exp2",
              "log2", "log10", "nn.sigmoid", "nn.relu", "nn.softplus", "nn.gelu", "nn.silu",
              "logsumexp", "nn.softmax", "sign", "floor", "power", "maximum", "arctan2"]:
        for x in ("nan", "inf", "-inf", "0.0", "-0.0"):
            if n in ("power", "maximum", "arctan2"):
                lines.append("grad(fn(x) => %s(x, x))(%s)" % (n, x))
            else:
                lines.append("grad(fn(x) => sum(%s(x)))(%s)" % (n, x))
        lines.append("vmap(fn(x) => %s(x%s))(%s)" % (n, ", x" if n in ("power", "maximum", "arctan2") else "",
                                                   SPECIALS[6]))
        lines.append("grad(grad(fn(x) => sum(%s(x%s))))(nan)" % (n, ", x" if n in ("power", "maximum", "arctan2") else ""))
    lines += ["linalg.inv(array([[nan, 1.0], [1.0, 1.0]]))",
              "linalg.solve(array([[inf, 1.0], [1.0, 1.0]]), array([1.0, nan]))",
              "linalg.cholesky(array([[nan, 0.0], [0.0, 1.0]]))",
              "linalg.det(array([[inf, inf], [inf, inf]]))",
              "ones((300, 300)) * nan @ ones((300, 300))",
              "sum(array([inf, -inf])) + max(array([nan, 1.0])) + argmax(array([1.0, nan]))",
              "int(nan)", "int(inf)", "range(int(1e300))", "astype(array([nan, inf]), int64)",
              "array([nan, inf]) // 0.0", "array([nan]) % 0.0", "1.0 / 0.0", "0.0 / 0.0",
              "f\"{nan:.3f} {inf:e} {-inf:g} {nan:+08.2f}\"", "str(nan) + repr(-inf)",
              "round(nan)", "round(inf)", "clip(nan, 0.0, 1.0)", "where(nan, 1.0, 2.0)",
              "check_grads(fn(x) => sin(x), (nan,), order=2)",
              "while_loop(fn(v) => v < 10.0, fn(v) => v + nan, 1.0)",
              "fori_loop(0, 3, fn(i, s) => s * inf, nan)",
              "keep * 2"]
    st, out, err, secs = repl_pipe(lines, timeout=600)
    why = clean(st, err)
    if not why and "22" not in out.split():
        why = "the session did not reach its end (binding check): %r" % out[-300:]
    check("naninf: %d builtins x %d special values, grad/vmap of %d (%d commands, %.0fs)"
          % (len(names), len(specials) + 4, 33, len(lines), secs), not why, why)


HOSTILE = ["0", "1", "-1", "2", "3", "-3", "100", "10**18", "-2**63", "2**63 - 1", "2**62", "0.5", "-0.0",
           "nan", "inf", "-inf", "1e308", "True", "None", "'abc'", "''", "()", "(1,)", "(2, 3)", "(0,)",
           "(-1,)", "(2**62, 2**62)", "(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17)", "{}",
           "{'a': 1.0}", "array([])", "zeros((0, 3))", "zeros((3, 0))", "array([1.0, 2.0, 3.0])",
           "array([[1.0, 2.0], [3.0, 4.0]])", "array([1, 2, 3])", "array([True, False])",
           "arange(24.0).reshape((2, 3, 4))", "ones((1, 1, 1, 1))", "array([nan, inf, -inf])", "eye(3)",
           "array([[1.0]])", "fn(x) => x", "fn(x, y) => x + y", "fn() => 1.0", "sin", "grad(sin)",
           "random.PRNGKey(0)", "range(5)", "print", "2**31", "-2**31", "(-1, 2)", "(10**6, 10**6)",
           "array([2**63 - 1, -2**63])", "array([-1, 0, 5])", "zeros((2, 0, 3))", "(1, -2**63)",
           "1e-320", "-1e308", "slice", "array([[True]])"]
HOSTILE_OPS = ["+", "-", "*", "/", "//", "%", "**", "@", "<", "==", "!=", "&", "|", "and", "or"]
HOSTILE_KW = ["axis=0", "axis=-1", "axis=5", "axis=(0, 1)", "axis=None", "keepdims=True",
              "dtype=int64", "in_axes=0", "in_axes=(0, None)", "argnums=1", "has_aux=True",
              "shape=(2, 2)", "k=1", "ord=2", "k=-2**63", "num=2**62"]


def hostile_calls(n, seed, names):
    """n calls of random builtins with random hostile arguments (fixed PRNG)."""
    import random
    r = random.Random(seed)
    out = []
    for _ in range(n):
        args = [r.choice(HOSTILE) for _ in range(r.choice([0, 1, 1, 2, 2, 3]))]
        if r.random() < 0.25:
            args.append(r.choice(HOSTILE_KW))
        call = "%s(%s)" % (r.choice(names), ", ".join(args))
        v = r.random()
        if v < 0.12:  # an operator instead
            call = "(%s) %s (%s)" % (r.choice(HOSTILE), r.choice(HOSTILE_OPS), r.choice(HOSTILE))
        elif v < 0.2:  # indexing and slicing
            idx = ", ".join(r.choice(HOSTILE + [":", "::-1", "1:", ":-2**63", "2**63 - 1:", "::0",
                                               "None", "...", "-4"])
                            for _ in range(r.choice([1, 1, 2, 3])))
            call = "(%s)[%s]" % (r.choice(HOSTILE), idx)
        u = r.random()
        if u < 0.08:
            call = "vmap(fn(q) => %s)(array([1.0, 2.0]))" % call
        elif u < 0.12:
            call = "jit(fn(q) => %s)(1.0)" % call
        elif u < 0.16:
            call = "grad(fn(q) => sum(%s) * q)(1.0)" % call
        out.append(call)
    return out


def row_builtins(quick, seeds=(1,)):
    """Every builtin called with hostile arguments (wrong types, extreme
    ints, empty and odd shapes, NaN, functions, keys), through the REPL."""
    names = [n for n in builtin_names() if n not in NOT_SWEPT]
    if not names:
        check("builtins: the builtin list", False, "`:help` listed no builtins")
        return
    for seed in seeds:
        calls = hostile_calls(1500 if quick else 4000, seed, names)
        lines = ["let keep = 13"]
        for i, c in enumerate(calls):
            lines += ["print('@@%d')" % i, c]
        lines.append("keep * 2")
        st, out, err, secs = repl_pipe(lines, timeout=900)
        why = clean(st, err)
        if not why and "26" not in out.split():
            why = "the session did not reach its end"
        if why:
            marks = re.findall(r"@@(\d+)", out)
            if marks:
                why += "\nlast command started: %s" % calls[int(marks[-1])]
        check("builtins: %d calls of %d builtins with hostile arguments (seed %d, %.0fs)"
              % (len(calls), len(names), seed, secs), not why, why)


INTERRUPTS = [
    ("a long loop", "let spin = 0; while True { spin += 1 }"),
    ("a for loop over range(10**12)", "for i in range(10**12) { let q = i }"),
    ("a big matmul", "let big = ones((4000, 4000)); for i in range(100) { big = big @ big * 0.0 + 1.0 }"),
    ("a 10^8-element op", "let e = arange(1e8); for i in range(100) { e = sin(e) }"),
    ("grad of a long loop", "grad(fn(x) { let s = x; for i in range(10**9) { s = s * 1.000001 }; s })(1.0)"),
    ("vmap of an endless per-lane loop", "vmap(fn(x) { while x > 0.0 { x = x + 1.0 }; x })(array([1.0, 2.0]))"),
    ("jit with a long loop", "jit(fn(x) { let s = x; for i in range(10**9) { s = s + 1.0 }; s })(1.0)"),
    ("a long while_loop", "while_loop(fn(v) => v > 0.0, fn(v) => v + 1.0, 1.0)"),
    ("a long scan", "scan(fn(c, x) => (c + x, c), 0.0, ones(10**8))"),
    ("grad of grad of a loop", "grad(grad(fn(x) { let s = x; for i in range(10**9) { s = sin(s) }; s }))(1.0)"),
]


def row_interrupt(quick):
    r = Pty()
    try:
        ok = r.read_until(PROMPT)
        r.send("let keep = 1234\n")
        ok = ok and r.read_until(PROMPT)
        if not check("interrupt: the REPL starts", ok, r.text()):
            return
        for name, cmd in (INTERRUPTS[:4] + INTERRUPTS[4::2] if quick else INTERRUPTS):
            r.mark()
            r.send(cmd + "\n")
            time.sleep(0.5 * SLOW)
            t0 = time.time()
            for attempt in range(3):  # a Ctrl-C may land before the command starts
                r.send("\x03")
                got = r.read_until(rb"Interrupted[\s\S]*>>> $", 10)
                if got:
                    break
            secs = time.time() - t0
            why = "" if got else "no Interrupted and prompt after Ctrl-C: %r" % r.text()[-400:]
            if not got:
                r.send("\x03")
                r.read_until(PROMPT, 30)
            if not r.alive():
                check("interrupt: Ctrl-C during %s" % name, False, "the REPL died: %r" % r.text()[-500:])
                return
            r.mark()
            r.send("keep\n")
            if not why and not r.read_until(rb"\n1234\n>>> $"):
                why = "the binding `keep` is lost: %r" % r.text()
            check("interrupt: Ctrl-C during %s (back in %.1fs)" % (name, secs), not why, why)
        # Ctrl-C at an idle prompt, twice, then Ctrl-D exits cleanly
        r.mark()
        r.send("\x03")
        r.send("\x03")
        ok = r.read_until(PROMPT)
        r.send("\x04")
        end = time.time() + 20 * SLOW
        status = None
        while time.time() < end:
            try:
                r.read_until(rb"$^", 0.2)
                pid, st = os.waitpid(r.pid, os.WNOHANG)
                if pid:
                    status = os.WEXITSTATUS(st) if os.WIFEXITED(st) else -os.WTERMSIG(st)
                    break
            except OSError:
                break
        tail = r.text()
        why = "" if ok and status == 0 else "status %r: %r" % (status, tail[-500:])
        if not why and SAN_RE.search(tail):
            why = "sanitizer report at exit: %r" % tail[-2000:]
        check("interrupt: idle Ctrl-C, then Ctrl-D exits with status 0 (no leak report)", not why, why)
    finally:
        r.close()


def row_bytes(quick):
    bad = []
    big = (1 << 20) if quick else (10 << 20)  # the slow-to-parse ones in ASan builds
    cases = {
        "invalid UTF-8": (b'print("ok")\nlet s = "\xff\xfe"\n', 1, "SyntaxError"),
        "truncated UTF-8": (b'print("\xe2\x82")\n', 1, "SyntaxError"),
        "overlong UTF-8": (b'let x = 1 \xc0\xaf 2\n', 1, "SyntaxError"),
        "surrogate UTF-8": (b'print("\xed\xa0\x80")\n', 1, "SyntaxError"),
        "NUL byte": (b'print(1)\x00print(2)\n', 2, "binary"),
        "binary file": (bytes(range(256)) * 64, 2, ""),
        "BOM": (b'\xef\xbb\xbfprint("bom ok")\n', 0, ""),
        "CRLF": (b'let a = 1\r\nprint(a + 1)\r\n', 0, ""),
        "lone CR": (b'let a = 1\rprint(a)\n', None, ""),
        "10 MB string": (b'let s = "' + b"a" * (10 << 20) + b'"\nprint(len(s))\n', 0, ""),
        "10 MB comment": (b"# " + b"x" * (10 << 20) + b"\nprint(7)\n", 0, ""),
        "10 MB of garbage": (b"@" * (10 << 20) + b"\n", 1, "SyntaxError"),
        "10 MB sum": (b"1" + b"+1" * (big // 2) + b"\n", 1, ""),
        "10 MB tuple": (b"let t = (" + b"1," * (big // 2) + b")\nprint(len(t))\n", 0, ""),
        "10 MB name": (b"let " + b"x" * (10 << 20) + b" = 1\nprint(2)\n", 0, ""),
        "10 MB number": (b"let y = " + b"1" * (10 << 20) + b"\n", 1, "SyntaxError"),
        "long float": (b"print(0." + b"1" * (10 << 20) + b")\n", 0, ""),
        "10 MB of invalid UTF-8": (b"\xff" * (10 << 20), 1, "SyntaxError"),
    }
    try:
        bin_ls = open("/bin/ls", "rb").read(1 << 20)
        cases["/bin/ls"] = (bin_ls, 2, "binary")
    except OSError:
        pass
    for name, (data, want_st, want_err) in cases.items():
        path = write("bytes_%s" % re.sub(r"\W", "_", name), data)
        st, out, err, secs = run([path], timeout=120)
        why = clean(st, err, allowed=(0, 1, 2))
        if not why and want_st is not None and st != want_st:
            why = "exit status %d, expected %d: %s" % (st, want_st, err.strip()[:200])
        if not why and want_err and want_err not in err:
            why = "stderr lacks %r: %s" % (want_err, err.strip()[:200])
        if not why and st == 1 and "SyntaxError" in err and not LOC_RE.search(err):
            why = "SyntaxError without line:col: %s" % err.strip()[:200]
        if VERBOSE:
            print("     %-22s status %s %.1fs %s" % (name, st, secs, (err.strip().splitlines() or [""])[0][:100]))
        if why:
            bad.append("%s: %s" % (name, why))
    check("bytes: %d hostile files (invalid UTF-8, NUL, binary, 10 MB lines)" % len(cases), not bad,
          "\n".join(bad))
    # -e with invalid UTF-8 and a 10 MB argument? (argv limits: 128 kB per argument)
    st, out, err, _ = run(["-e", b'print("\xff")'.decode("latin-1").encode("latin-1").decode("utf-8", "surrogateescape")])
    why = clean(st, err)
    check("bytes: -e with invalid UTF-8 gives a SyntaxError",
          not why and st == 1 and "SyntaxError" in err, why or err[-300:])
    # the REPL: invalid UTF-8, NUL bytes, a 10 MB line, a binary blob, then a command
    data = (b"let keep = 6\n" + b'print("\xff\xfe")\n' + b"print(1)\x00print(2)\n" +
            b"let big = '" + b"b" * (10 << 20) + b"'\n" + b"len(big)\n" +
            bytes(range(1, 256)) + b"\n" + b"\x1b[A\x7f\x08\n" + b"keep * 7\n")
    st, out, err, _ = repl_pipe(data, timeout=120)
    why = clean(st, err)
    check("bytes: the REPL survives invalid UTF-8, NUL bytes, a 10 MB line and binary junk",
          not why and "42" in out.split() and str(10 << 20) in out.split(),
          why or "out=%r err=%r" % (out[-300:], err[-600:]))


def row_files():
    bad = []
    missing = os.path.join(TMP, "no_such_file.jx")
    st, out, err, _ = run([missing])
    why = clean(st, err, allowed=(2,))
    if why or "cannot open" not in err:
        bad.append("missing file: %s %s" % (why, err.strip()))
    st, out, err, _ = run([TMP])
    why = clean(st, err, allowed=(2,))
    if why or "directory" not in err:
        bad.append("directory: %s %s" % (why, err.strip()))
    empty = write("empty.jx", b"")
    st, out, err, _ = run([empty])
    if st != 0 or out or err:
        bad.append("empty file: status %s out=%r err=%r" % (st, out, err))
    blank = write("blank.jx", b"\n\n  \n# only a comment\n")
    st, out, err, _ = run([blank])
    if st != 0 or out or err:
        bad.append("blank file: status %s out=%r err=%r" % (st, out, err))
    unreadable = write("unreadable.jx", b"print(1)\n")
    os.chmod(unreadable, 0)
    if os.geteuid() != 0:
        st, out, err, _ = run([unreadable])
        if clean(st, err, allowed=(2,)):
            bad.append("unreadable file: status %s %s" % (st, err.strip()))
    st, out, err, _ = run(["/dev/null"])
    if st != 0:
        bad.append("/dev/null: status %s %s" % (st, err.strip()))
    st, out, err, _ = run(["-e"])
    if st != 2:
        bad.append("-e without code: status %s" % st)
    st, out, err, _ = run(["--no-such-option"])
    if st != 2:
        bad.append("unknown option: status %s" % st)
    check("files: missing, directory, empty, blank, /dev/null, bad usage", not bad, "\n".join(bad))
    # :load of each, in one REPL session
    lines = ["let keep = 9", ":load " + missing, ":load " + TMP, ":load " + empty, ":load",
             ":load " + write("bin.jx", bytes(range(256))), "keep + 1"]
    st, out, err, _ = repl_pipe(lines)
    why = clean(st, err)
    check("files: :load of a missing file, a directory, an empty and a binary file",
          not why and "10" in out.split(), why or "out=%r err=%r" % (out[-300:], err[-600:]))
    # EPIPE: `jx -e 'for …print(i)' | head -1` exits promptly
    t0 = time.time()
    p = subprocess.Popen([JX, "-e", "for i in range(10**6) { print(i) }"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, cwd=TMP)
    first = p.stdout.readline()
    p.stdout.close()
    try:
        p.wait(timeout=20 * SLOW)
        err = p.stderr.read().decode("utf-8", "replace")
        st = p.returncode
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        st, err = None, ""
    secs = time.time() - t0
    why = clean(st, err, allowed=(0, 1)) if st != -signal.SIGPIPE else ""
    if st is not None and st < 0 and st != -signal.SIGPIPE:
        why = "killed by signal %d" % -st
    check("files: `| head -1` (EPIPE) exits promptly (%.1fs, status %s)" % (secs, st),
          first.strip() == b"0" and not why, why or "first line %r" % first)
    # the same with SIGPIPE ignored: print must fail with an IOError
    def ign():
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    p = subprocess.Popen([JX, "-e", "while True { print(1) }"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, cwd=TMP, preexec_fn=ign)
    p.stdout.readline()
    p.stdout.close()
    try:
        p.wait(timeout=20 * SLOW)
        err = p.stderr.read().decode("utf-8", "replace")
        st = p.returncode
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        st, err = None, "(it kept printing into the closed pipe)"
    why = clean(st, err, allowed=(1,))
    check("files: closed pipe with SIGPIPE ignored: IOError, exit 1", not why and "IOError" in err,
          why or err[-300:])
    # a closed stdout, and /dev/full
    for label, out_arg in (("closed stdout", "close"), ("/dev/full", "/dev/full")):
        if out_arg == "close":
            p = subprocess.run("exec 1>&-; exec %s -e 'for i in range(10**6) { print(i) }'" % JX,
                               shell=True, stderr=subprocess.PIPE, timeout=60, cwd=TMP)
        else:
            with open("/dev/full", "wb") as full:
                p = subprocess.run([JX, "-e", "for i in range(10**6) { print(i) }"], stdout=full,
                                   stderr=subprocess.PIPE, timeout=60, cwd=TMP)
        err = p.stderr.decode("utf-8", "replace")
        why = clean(p.returncode, err, allowed=(1,))
        check("files: %s: an IOError, exit status 1" % label, not why and "IOError" in err,
              why or err[-300:])


ROWS = [("syntax", row_syntax), ("unterm", row_unterm), ("nesting", row_nesting),
        ("recursion", row_recursion), ("alloc", row_alloc), ("naninf", row_naninf),
        ("builtins", row_builtins), ("interrupt", row_interrupt), ("bytes", row_bytes),
        ("files", row_files)]


def main():
    global JX, VERBOSE, SLOW
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jx", default=os.path.join(ROOT, "build", "jx"))
    ap.add_argument("--only", default="", help="comma-separated rows (default: all)")
    ap.add_argument("--quick", action="store_true", help="fewer cases per row (ASan builds)")
    ap.add_argument("--slow", type=float, default=None,
                    help="time multiplier (default 3 when ASAN_OPTIONS is set, else 1)")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    JX = os.path.abspath(args.jx)
    VERBOSE = args.v
    SLOW = args.slow if args.slow else (3.0 if "ASAN_OPTIONS" in os.environ else 1.0)
    only = set(w for w in args.only.split(",") if w)
    t0 = time.time()
    for name, fn in ROWS:
        if only and name not in only:
            continue
        t1 = time.time()
        try:
            if fn.__code__.co_argcount:
                fn(args.quick)
            else:
                fn()
        except Exception as ex:  # a bug in the driver is a failure too
            import traceback
            check("%s: the driver" % name, False, traceback.format_exc())
        if VERBOSE:
            print("     (%s: %.1fs)" % (name, time.time() - t1))
    print("fault table: %.0fs" % (time.time() - t0))
    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    sys.exit(0 if passed == len(results) else 1)


if __name__ == "__main__":
    main()
