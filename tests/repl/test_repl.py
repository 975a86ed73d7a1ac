#!/usr/bin/env python3
"""Drive the jx REPL through a pseudo-terminal (readline, Ctrl-C, Ctrl-D,
multi-line entry, completion, :commands) and check what it prints; then
check the command line of LANGUAGE.md §1 (options, exit statuses, piped
input) with plain pipes.

usage: tests/repl/test_repl.py [--jx PATH]

Each check prints `ok NAME` or `FAIL NAME: why`; the last line is
`N passed, N failed`.  Standard library only (pty, os, select).
"""
import argparse
import os
import pty
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r")


class Repl:
    def __init__(self, jx, args=(), home=None):
        self.home = home or tempfile.mkdtemp(prefix="jxhome")
        env = dict(os.environ, HOME=self.home, TERM="xterm", INPUTRC="/dev/null")
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(jx, [jx] + list(args), env)
        self.pid, self.fd = pid, fd
        self.buf = b""

    def read_until(self, pattern, timeout=20.0):
        """Read until the cleaned output matches pattern (bytes regex)."""
        end = time.time() + timeout
        while True:
            m = re.search(pattern, ANSI.sub(b"", self.buf))
            if m:
                return True
            left = end - time.time()
            if left <= 0:
                return False
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    return bool(re.search(pattern, ANSI.sub(b"", self.buf)))
                if not data:
                    return bool(re.search(pattern, ANSI.sub(b"", self.buf)))
                self.buf += data

    def mark(self):
        self.buf = b""

    def send(self, s):
        os.write(self.fd, s.encode() if isinstance(s, str) else s)

    def text(self):
        return ANSI.sub(b"", self.buf).decode("utf-8", "replace")

    def close(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
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

    def wait_exit(self, timeout=30.0):
        end = time.time() + timeout
        while time.time() < end:
            try:
                r, _, _ = select.select([self.fd], [], [], 0.1)
                if r:
                    self.buf += os.read(self.fd, 65536)
            except OSError:
                pass
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
        return None


results = []


def check(name, ok, why=""):
    results.append(ok)
    print(("ok   %s" % name) if ok else ("FAIL %s: %s" % (name, why)), flush=True)


def prompt(r):
    return r.read_until(rb">>> $")


def run_cli(jx, args, stdin=b"", cwd=None):
    p = subprocess.run([jx] + args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       cwd=cwd, timeout=60)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def cli_checks(jx, tmp):
    rc, out, err = run_cli(jx, ["--version"])
    check("--version", rc == 0 and re.match(r"jx \d+\.\d+", out) is not None, out + err)
    rc, out, err = run_cli(jx, ["--help"])
    check("--help", rc == 0 and "usage:" in out and "-e CODE" in out, out + err)
    rc, out, err = run_cli(jx, ["-e", "print(1 + 1)"])
    check("-e runs code", rc == 0 and out == "2\n", repr((rc, out, err)))
    rc, out, err = run_cli(jx, ["-e", "print(argv())", "a", "b c"])
    check("-e passes argv", rc == 0 and out == "('a', 'b c')\n", repr((rc, out, err)))
    rc, out, err = run_cli(jx, ["-e", "1 + 1\nlet x = 2\nx"])
    check("a script does not echo", rc == 0 and out == "", repr((rc, out, err)))
    rc, out, err = run_cli(jx, ["-e", "print(\"out\")\nnope"])
    check("runtime error: status 1", rc == 1 and out == "out\n", repr((rc, out, err)))
    check("error format", err.startswith("<string>:2:1: NameError: name 'nope' is not defined\n"
                                         "    nope\n    ^\n"), err)
    rc, out, err = run_cli(jx, ["-e", "let x = (1,"])
    check("syntax error: status 1", rc == 1 and "SyntaxError" in err, repr((rc, out, err)))
    script = os.path.join(tmp, "args.jx")
    with open(script, "w") as f:
        f.write("print(argv())\n")
    rc, out, err = run_cli(jx, [script, "x", "-e", "--y"])
    check("script argv", rc == 0 and out == "('x', '-e', '--y')\n", repr((rc, out, err)))
    rc, out, err = run_cli(jx, ["-"], stdin=b"print(40 + 2)\n")
    check("'-' reads the script from stdin", rc == 0 and out == "42\n", repr((rc, out, err)))
    rc, out, err = run_cli(jx, [os.path.join(tmp, "missing.jx")])
    check("missing file: status 2", rc == 2 and "cannot open" in err, repr((rc, out, err)))
    rc, out, err = run_cli(jx, [tmp])
    check("directory: status 2", rc == 2 and "directory" in err, repr((rc, out, err)))
    binf = os.path.join(tmp, "bin.jx")
    with open(binf, "wb") as f:
        f.write(b"\x7fELF\x00\x01\x02")
    rc, out, err = run_cli(jx, [binf])
    check("binary file: status 2", rc == 2 and "binary file" in err, repr((rc, out, err)))
    bad = os.path.join(tmp, "bad.jx")
    with open(bad, "wb") as f:
        f.write(b"print(1)\nlet s = \"\xff\"\n")
    rc, out, err = run_cli(jx, [bad])
    check("invalid UTF-8: SyntaxError with location", rc == 1 and "bad.jx:2:10: SyntaxError" in err,
          repr((rc, out, err)))
    rc, out, err = run_cli(jx, ["--bogus"])
    check("unknown option: status 2", rc == 2 and "unknown option" in err, repr((rc, out, err)))
    rc, out, err = run_cli(jx, ["-e"])
    check("-e without code: status 2", rc == 2, repr((rc, out, err)))
    rc, out, err = run_cli(jx, ["-i"])
    check("-i without a script: status 2", rc == 2, repr((rc, out, err)))
    rc, out, err = run_cli(jx, [], stdin=b"1 + 1\nlet y = 3\ny * 2\nNone\nnope\n\"after\"\n")
    check("piped REPL echoes and survives errors",
          rc == 0 and out == "2\n6\n'after'\n" and "NameError" in err, repr((rc, out, err)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jx", default="build/jx")
    args = ap.parse_args()
    jx = os.path.abspath(args.jx)

    r = Repl(jx)
    try:
        check("banner and prompt", prompt(r), r.text())

        r.mark(); r.send("1 + 2\n")
        check("echo of an expression", r.read_until(rb"\n3\n>>> $"), r.text())

        r.mark(); r.send("let x = 40\n")
        check("let does not echo", r.read_until(rb"let x = 40\n>>> $"), r.text())

        r.mark(); r.send("x + 2\n")
        check("bindings persist", r.read_until(rb"\n42\n>>> $"), r.text())

        r.mark(); r.send("_ + 1\n")
        check("_ holds the last value", r.read_until(rb"\n43\n>>> $"), r.text())

        r.mark(); r.send("None\n")
        check("None is not echoed", r.read_until(rb"None\n>>> $"), r.text())

        r.mark(); r.send("\"s\"\n")
        check("strings echo quoted", r.read_until(rb"\n's'\n>>> $"), r.text())

        r.mark(); r.send("def f(a) {\n")
        check("open brace continues", r.read_until(rb"\.\.\. $"), r.text())
        r.send("  a * 2\n")
        check("still open", r.read_until(rb"\.\.\. $"), r.text())
        r.mark(); r.send("}\n")
        check("block closes", prompt(r), r.text())
        r.mark(); r.send("f(21)\n")
        check("multi-line def works", r.read_until(rb"\n42\n>>> $"), r.text())

        r.mark(); r.send("1 +\n")
        check("trailing operator continues", r.read_until(rb"\.\.\. $"), r.text())
        r.mark(); r.send("2\n")
        check("continued expression", r.read_until(rb"\n3\n>>> $"), r.text())

        r.mark(); r.send("(1,\n2)\n")
        check("open paren continues", r.read_until(rb"\(1, 2\)\n>>> $"), r.text())

        r.mark(); r.send("nope + 1\n")
        ok = r.read_until(rb"NameError: name 'nope' is not defined[\s\S]*>>> $")
        check("error is reported", ok, r.text())
        check("error has location and caret",
              "<stdin>:1:1: NameError" in r.text() and "^" in r.text(), r.text())
        r.mark(); r.send("x\n")
        check("bindings survive an error", r.read_until(rb"\n40\n>>> $"), r.text())

        r.mark(); r.send("let y = (1,\n")
        r.read_until(rb"\.\.\. $")
        r.send("\x03")
        check("Ctrl-C cancels a pending entry", prompt(r), r.text())
        r.mark(); r.send("y\n")
        check("cancelled entry bound nothing", r.read_until(rb"NameError[\s\S]*>>> $"), r.text())

        r.mark(); r.send("abc def")
        time.sleep(0.2)
        r.send("\x03")
        check("Ctrl-C cancels the line", prompt(r), r.text())

        r.mark(); r.send("let k = 0; while True { k += 1 }\n")
        time.sleep(0.5)
        r.send("\x03")
        ok = r.read_until(rb"Interrupted[\s\S]*>>> $")
        check("Ctrl-C interrupts a computation", ok, r.text())
        r.mark(); r.send("k > 0\n")
        check("bindings intact after interrupt", r.read_until(rb"True\n>>> $"), r.text())

        for i in range(3):
            r.mark(); r.send("def deep(n) = deep(n + 1); deep(0)\n")
            ok = r.read_until(rb"RecursionError[\s\S]*>>> $")
            check("RecursionError %d" % (i + 1), ok, r.text()[-300:])
        r.mark(); r.send("1 + 1\n")
        check("usable after RecursionErrors", r.read_until(rb"\n2\n>>> $"), r.text())

        r.mark(); r.send(":help len\n")
        check(":help name", r.read_until(rb"len\(x\)[\s\S]*Example[\s\S]*>>> $"), r.text())
        r.mark(); r.send(":help\n")
        check(":help", r.read_until(rb":timeit[\s\S]*print[\s\S]*>>> $"), r.text())
        r.mark(); r.send(":timeit 1 + 1\n")
        ok = r.read_until(rb"per loop \(mean \xc2\xb1 std\. dev\. of 7 runs, [\d,]+ loops? each\)\n>>> $", 60)
        check(":timeit", ok, r.text())
        r.mark(); r.send(":nosuch\n")
        check("unknown command", r.read_until(rb"unknown command[\s\S]*>>> $"), r.text())

        tmp = os.path.join(r.home, "lib.jx")
        with open(tmp, "w") as f:
            f.write("def triple(x) = 3 * x\nlet loaded = 7\n")
        r.mark(); r.send(":load %s\n" % tmp)
        prompt(r)
        r.mark(); r.send("triple(loaded)\n")
        check(":load", r.read_until(rb"\n21\n>>> $"), r.text())

        r.mark(); r.send("trip\t")
        ok = r.read_until(rb"triple")
        r.send("(1)\n")
        ok = ok and r.read_until(rb"\n3\n>>> $")
        check("tab completes a global", ok, r.text())
        r.mark(); r.send("rang\t")
        ok = r.read_until(rb"range")
        r.send("(3)\n")
        ok = ok and r.read_until(rb"range\(0, 3\)\n>>> $")
        check("tab completes a builtin", ok, r.text())
        r.mark(); r.send("jnp.tree_ma\t")
        ok = r.read_until(rb"jnp\.tree_map")
        r.send("(fn(v) => v + 1, (1, 2))\n")
        ok = ok and r.read_until(rb"\(2, 3\)\n>>> $")
        check("tab completes in a namespace", ok, r.text())

        r.mark(); r.send(":reset\n")
        prompt(r)
        r.mark(); r.send("x\n")
        check(":reset forgets bindings", r.read_until(rb"NameError[\s\S]*>>> $"), r.text())

        r.mark(); r.send("\x04")
        st = r.wait_exit()
        check("Ctrl-D exits with status 0", st == 0, "status %r" % st)
    finally:
        r.close()

    hist = os.path.join(r.home, ".jx_history")
    ok = os.path.exists(hist) and "let x = 40" in open(hist, encoding="utf-8", errors="replace").read()
    check("history saved to ~/.jx_history", ok, "no history file" if not os.path.exists(hist) else "")

    r2 = Repl(jx, home=r.home)
    try:
        prompt(r2)
        r2.mark(); r2.send("\x1b[A")  # up arrow: last history entry
        ok = r2.read_until(rb"x\n?$|\.jx_history|:reset|x$", 5)
        r2.send("\x03")
        prompt(r2)
        r2.mark(); r2.send(":quit\n")
        st = r2.wait_exit()
        check(":quit exits with status 0", st == 0, "status %r" % st)
    finally:
        r2.close()

    # -i: run a script, then the REPL with its bindings
    script = os.path.join(r.home, "s.jx")
    with open(script, "w") as f:
        f.write("let from_script = 5\nprint(\"ran\")\n")
    r3 = Repl(jx, ["-i", script], home=r.home)
    try:
        ok = r3.read_until(rb"ran[\s\S]*>>> $")
        r3.mark(); r3.send("from_script * 2\n")
        ok = ok and r3.read_until(rb"\n10\n>>> $")
        check("jx -i keeps the script's bindings", ok, r3.text())
        r3.send("\x04")
        r3.wait_exit()
    finally:
        r3.close()

    cli_checks(jx, r.home)

    passed = sum(results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    sys.exit(0 if passed == len(results) else 1)


if __name__ == "__main__":
    main()
