#!/usr/bin/env python3
"""Build jx twice and run every test; what `./jx-dev test` and CI run.

usage: tests/run_all.py [--no-asan] [--no-build] [-j N] [--soak] [--fuzz SECONDS]

Stages, in order:
  1. build/       (make)       the normal -O2 build: jx, then the unit tests
  2. build-asan/  (make asan)  AddressSanitizer + UBSan, LeakSanitizer on
  3. unit tests (Criterion, through ctest) of both builds
  4. golden tests tests/jx/**  (tests/run_golden.py) and the REPL tests
     (tests/repl/test_repl.py, through a pty) under both builds
  5. examples/*.jx under both builds: each must exit 0; then
     tests/teach/test_*.py (numpy .npy round trips, the Jupyter kernel)
  6. the shared conformance tests (../shared/conformance, when it exists)
     under both builds, through tests/run_conformance.py and the
     pending list tests/conformance-pending.txt
  7. reliability (tests/fault, tests/fuzz; see tests/fault/README.md) under
     both builds: malformed syntax at every position (fault_parse), the
     out-of-memory injection (fault_oom), the fuzz corpus replay
     (fuzz_replay), the fault table (tests/fault/run_faults.py) and a
     1,000-command REPL session (tests/fault/soak.py; --soak: 10,000)
  8. with --fuzz SECONDS (CI: 60): each libFuzzer target for that long
     (tests/fuzz/run.sh; needs clang)
A stage whose build failed is skipped (the failed build counts as one
failure). The last line is `N passed, N failed` over every test of every
stage; the exit status is 1 if anything failed. Standard library only.
"""
import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_CONFORMANCE = os.path.normpath(os.path.join(ROOT, "..", "shared", "conformance"))
ASAN_ENV = {
    "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:strict_string_checks=1",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
}
EXAMPLE_TIMEOUT = 120  # seconds per example
COUNT_RE = re.compile(r"^(?:\w+: )?(\d+) passed, (\d+) failed")
ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")

results = []  # (stage, passed, failed, note, seconds)
stage_start = [time.time()]


def header(title):
    stage_start[0] = time.time()
    print("\n==> %s" % title, flush=True)


def record(stage, passed, failed, note=""):
    secs = time.time() - stage_start[0]
    results.append((stage, passed, failed, note, secs))
    print("--- %s: %d passed, %d failed%s (%.0fs)" % (
        stage, passed, failed, " (%s)" % note if note else "", secs), flush=True)


def run(cmd, env=None, capture=False, timeout=None, cwd=ROOT):
    """Run cmd from cwd; returns (exit status, output if capture else '')."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    try:
        p = subprocess.run(cmd, cwd=cwd, env=full_env, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE if capture else None,
                           stderr=subprocess.STDOUT if capture else None, timeout=timeout)
    except subprocess.TimeoutExpired as ex:
        out = ex.output.decode("utf-8", "replace") if capture and ex.output else ""
        return 124, out + "\n[timed out after %ss]\n" % timeout
    except OSError as ex:
        return 127, "cannot run %s: %s\n" % (cmd[0], ex)
    out = p.stdout.decode("utf-8", "replace") if capture else ""
    return p.returncode, out


def counted(stage, cmd, env=None, timeout=None):
    """Run a runner that ends with `N passed, N failed`; record its counts."""
    sys.stdout.flush()
    rc, out = run(cmd, env=env, capture=True, timeout=timeout)
    sys.stdout.write(out)
    passed = failed = 0
    for line in out.splitlines():
        m = COUNT_RE.match(line.strip())
        if m:
            passed, failed = int(m.group(1)), int(m.group(2))
    note = ""
    if rc != 0 and failed == 0:
        failed, note = 1, "runner exited with status %d" % rc
    record(stage, passed, failed, note)


def build(stage, make_args):
    header(stage)
    rc, _ = run(["make", "--no-print-directory"] + make_args)
    if rc != 0:
        record(stage, 0, 1, "build failed")
    else:
        print("--- %s: done (%.0fs)" % (stage, time.time() - stage_start[0]), flush=True)
    return rc == 0


def unit_tests(stage, build_dir, env, jobs):
    """ctest in build_dir; counts the Criterion tests inside each test binary."""
    header(stage)
    rc, out = run(["ctest", "--test-dir", build_dir, "-V", "-j", str(jobs), "--timeout", "300"],
                  env=env, capture=True, timeout=1800)
    out = ANSI_RE.sub("", out)
    names, status, synth, lines = {}, {}, {}, {}
    for line in out.splitlines():
        m = re.match(r"^\s*\d+/\d+ Test\s+#(\d+): (\S+) \.+\**\s*(.*?)\s+[\d.]+ sec", line)
        if m:
            names[m.group(1)] = m.group(2)
            status[m.group(1)] = m.group(3).strip()
            print(line.strip())
            continue
        m = re.match(r"^(\d+): (.*)$", line)
        if m:
            lines.setdefault(m.group(1), []).append(m.group(2))
            s = re.search(r"Synthesis: Tested: (\d+) \| Passing: (\d+) \| Failing: (\d+) \| "
                          r"Crashing: (\d+)", m.group(2))
            if s:
                synth[m.group(1)] = tuple(int(x) for x in s.groups())
    if not names:
        sys.stdout.write(out[-3000:])
        if "No tests were found" in out:
            record(stage, 0, 0, "no unit tests yet")
        else:
            record(stage, 0, 1, "ctest exited with status %d" % rc)
        return
    passed = failed = 0
    for num, name in sorted(names.items(), key=lambda kv: int(kv[0])):
        ok = status.get(num) == "Passed"
        # Criterion ignores a leak found when a test's worker exits: count each report.
        leaks = sum("LeakSanitizer: detected memory leaks" in l for l in lines.get(num, []))
        if leaks:
            failed += leaks
            ok = False
            status[num] = "%d leak report(s)" % leaks
        if num in synth:
            _, p, f, c = synth[num]
            passed += max(0, p - leaks)
            failed += f + c
            if not ok and f + c == 0 and not leaks:
                failed += 1  # e.g. a leak or a crash after the tests ran
        elif ok:
            passed += 1
        else:
            failed += 1
        if not ok:
            print("\n--- output of %s (%s):" % (name, status.get(num)))
            print("\n".join(lines.get(num, [])[-80:]))
    record(stage, passed, failed)


def golden(stage, jx, env, jobs, timeout):
    header(stage)
    tdir = os.path.join(ROOT, "tests", "jx")
    if not any(f.endswith(".jx") for _, _, fs in os.walk(tdir) for f in fs):
        record(stage, 0, 0, "no tests in tests/jx yet")
        return
    counted(stage, [sys.executable, os.path.join(ROOT, "tests", "run_golden.py"), "--jx", jx,
                    "-j", str(jobs), "--timeout", str(timeout), tdir], env=env, timeout=1800)


def repl_tests(stage, jx, env):
    header(stage)
    script = os.path.join(ROOT, "tests", "repl", "test_repl.py")
    if not os.path.exists(script):
        record(stage, 0, 0, "no tests/repl/test_repl.py yet")
        return
    counted(stage, [sys.executable, script, "--jx", jx], env=env, timeout=900)


def examples(stage, jx, env=None):
    header(stage)
    exdir = os.path.join(ROOT, "examples")
    files = sorted(f for f in os.listdir(exdir) if f.endswith(".jx")) if os.path.isdir(exdir) else []
    passed = failed = 0
    for f in files:
        t0 = time.time()
        rc, out = run([jx, f], env=env, capture=True, timeout=EXAMPLE_TIMEOUT, cwd=exdir)
        if rc == 0:
            passed += 1
            print("ok   examples/%s (%.1fs)" % (f, time.time() - t0))
        else:
            failed += 1
            print("FAIL examples/%s: exit status %d; last output:" % (f, rc))
            print("\n".join("    " + l for l in out.strip().splitlines()[-15:]))
    record(stage, passed, failed, "" if files else "no examples yet")


def teach_tests(stage, jx, env=None):
    """tests/teach/test_*.py: .npy round trips with numpy, the Jupyter kernel
    (each prints `N passed, N failed`; each skips itself when its tools are
    missing)."""
    header(stage)
    tdir = os.path.join(ROOT, "tests", "teach")
    files = sorted(f for f in os.listdir(tdir) if f.startswith("test_") and f.endswith(".py")) \
        if os.path.isdir(tdir) else []
    passed = failed = 0
    for f in files:
        rc, out = run([sys.executable, os.path.join(tdir, f), "--jx", jx], env=env, capture=True,
                      timeout=900)
        sys.stdout.write(out)
        p = fl = 0
        for line in out.splitlines():
            m = COUNT_RE.match(line.strip())
            if m:
                p, fl = int(m.group(1)), int(m.group(2))
        if rc != 0 and fl == 0:
            fl = 1
        passed += p
        failed += fl
    record(stage, passed, failed, "" if files else "no tests/teach yet")


def conformance(stage, jx, jobs, env=None):
    header(stage)
    if not os.path.isdir(SHARED_CONFORMANCE):
        record(stage, 0, 0, "no ../shared/conformance here: skipped")
        return
    counted(stage, [sys.executable, os.path.join(ROOT, "tests", "run_conformance.py"),
                    "--jx", jx, "-j", str(jobs), SHARED_CONFORMANCE], env=env, timeout=1800)


def fault_programs():
    """The test programs whose every prefix and deletion fault_parse parses."""
    out = []
    for d in (os.path.join(ROOT, "tests", "jx"), SHARED_CONFORMANCE):
        for dirpath, _, fs in os.walk(d):
            out += [os.path.join(dirpath, f) for f in sorted(fs) if f.endswith(".jx")]
    return sorted(out)


def reliability(label, bdir, env, asan, soak):
    """Stage 7 (tests/fault, tests/fuzz) with the tools built in bdir."""
    tool = lambda name: os.path.join(ROOT, bdir, name)
    jx = tool("jx")
    t0 = time.time()
    # every prefix and deletion of every test program (ASan: every 25th position)
    header("malformed syntax (%s)" % label)
    counted("malformed syntax (%s)" % label,
            [tool("fault_parse"), "--max-parses", "20000"] + (["--stride", "25"] if asan else []) +
            fault_programs(), env=env, timeout=1800)
    header("out-of-memory injection (%s)" % label)
    counted("OOM injection (%s)" % label, [tool("fault_oom"), "--full"], env=env, timeout=1800)
    header("fuzz corpus replay (%s)" % label)
    counted("fuzz corpus replay (%s)" % label,
            [tool("fuzz_replay"), "-q", os.path.join(ROOT, "tests", "fuzz", "corpus")], env=env,
            timeout=1800)
    header("fault table (%s)" % label)
    counted("fault table (%s)" % label,
            [sys.executable, os.path.join(ROOT, "tests", "fault", "run_faults.py"), "--jx", jx] +
            (["--quick"] if asan else []), env=env, timeout=1800)
    header("long REPL session (%s)" % label)
    counted("long session (%s)" % label,
            [sys.executable, os.path.join(ROOT, "tests", "fault", "soak.py"), "--jx", jx,
             "-n", str(10000 if soak else 1000)] + (["--no-rss"] if asan else []), env=env,
            timeout=3600)
    print("(reliability stages, %s: %.0fs)" % (label, time.time() - t0), flush=True)


def fuzz(seconds):
    """Stage 8: the libFuzzer targets, SECONDS each (tests/fuzz/run.sh)."""
    header("fuzzing (%ds per target)" % seconds)
    counted("fuzzing (libFuzzer)", ["sh", os.path.join(ROOT, "tests", "fuzz", "run.sh"), str(seconds)],
            timeout=3 * seconds + 1800)


def main():
    ap = argparse.ArgumentParser(description="Build jx (normal and ASan) and run every test.")
    ap.add_argument("--no-asan", action="store_true", help="skip the ASan+UBSan build and its tests")
    ap.add_argument("--no-build", action="store_true", help="test the existing builds as they are")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--soak", action="store_true",
                    help="the long REPL session with 10,000 commands instead of 1,000")
    ap.add_argument("--fuzz", type=int, metavar="SECONDS", default=0,
                    help="also run each libFuzzer target for SECONDS (needs clang; CI: 60)")
    args = ap.parse_args()
    t_start = time.time()
    jobs = ["JOBS=%d" % args.jobs]

    jx, jx_asan = os.path.join(ROOT, "build", "jx"), os.path.join(ROOT, "build-asan", "jx")
    if args.no_build:
        have = have_units = os.path.exists(jx)
        have_asan = have_asan_units = os.path.exists(jx_asan) and not args.no_asan
    else:
        # jx first, so that a unit test that does not compile hides nothing else.
        have = build("build (build/jx)", ["all", "TARGETS=jx"] + jobs)
        have_units = have and build("build (unit tests)", ["all"] + jobs)
        have_asan = have_asan_units = False
        if not args.no_asan:
            have_asan = build("build-asan (jx)", ["asan", "TARGETS=jx"] + jobs)
            have_asan_units = have_asan and build("build-asan (unit tests)", ["asan"] + jobs)

    # A failed later link deletes an earlier binary: test only what is there.
    have = have and os.path.exists(jx)
    have_asan = have_asan and os.path.exists(jx_asan)
    if have_units:
        unit_tests("unit tests (build)", "build", {}, args.jobs)
    if have_asan_units:
        unit_tests("unit tests (build-asan)", "build-asan", ASAN_ENV, args.jobs)
    if have:
        golden("golden tests (build)", jx, {}, args.jobs, 60)
    if have_asan:
        golden("golden tests (build-asan)", jx_asan, ASAN_ENV, args.jobs, 300)
    if have:
        repl_tests("REPL tests (build)", jx, {})
    if have_asan:
        repl_tests("REPL tests (build-asan)", jx_asan, ASAN_ENV)
    if have:
        examples("examples (build)", jx)
        teach_tests("teaching tools (build)", jx)
        conformance("conformance (build)", jx, args.jobs)
    if have_asan:
        examples("examples (build-asan)", jx_asan, ASAN_ENV)
        teach_tests("teaching tools (build-asan)", jx_asan, ASAN_ENV)
        conformance("conformance (build-asan)", jx_asan, args.jobs, ASAN_ENV)
    if have_units:
        reliability("build", "build", {}, False, args.soak)
    if have_asan_units:
        reliability("build-asan", "build-asan", ASAN_ENV, True, args.soak)
    if args.fuzz > 0:
        fuzz(args.fuzz)

    passed = sum(r[1] for r in results)
    failed = sum(r[2] for r in results)
    print("\n==> summary (%.0fs)" % (time.time() - t_start))
    for stage, p, f, note, secs in results:
        print("  %-28s %5d passed %5d failed %5.0fs%s" % (stage, p, f, secs,
                                                         "  " + note if note else ""))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
