#!/usr/bin/env python3
"""Round trips of .npy files between jx and numpy.

usage: tests/teach/test_npy_numpy.py [--jx PATH]

1. numpy writes arrays (float64/32, int64/32/16/8, uint8, bool; 0-d, 1-d,
   n-d, empty, Fortran order, big-endian); jx loads each and saves it back
   with save_npy; numpy checks the values, and that the dtype is the
   widened one (<f8, <i8, |b1).
2. jx writes arrays; numpy checks format version 1.0, 64-byte alignment,
   C order, dtype, shape and values.
Skipped (exit 0) when no python3 with numpy is found.  Ends with the line
`N passed, N failed`.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

NUMPY_SIDE = r'''
import sys, numpy as np
d = sys.argv[1]
cases = {
  "f64": np.array([[1.5, -2.0, 1e-300], [np.inf, -0.0, 3.25]]),
  "f32": np.linspace(-1, 1, 7, dtype=np.float32),
  "i64": np.arange(-5, 7, dtype=np.int64).reshape(3, 2, 2),
  "i32": np.array([-2**31, 0, 2**31 - 1], dtype=np.int32),
  "i16": np.array([-7, 8], dtype=np.int16),
  "i8": np.array([-128, 127], dtype=np.int8),
  "u8": np.array([0, 255], dtype=np.uint8),
  "b": np.array([[True, False, True]]),
  "scalar": np.float64(0.1),
  "empty": np.zeros((0, 4)),
  "fortran": np.asfortranarray(np.arange(12.0).reshape(3, 4)),
  "big": np.arange(5, dtype=">f8") / 3,
  "bigint": np.arange(4, dtype=">i8") - 2,
}
for k, v in cases.items():
    np.save("%s/np_%s.npy" % (d, k), v)
print(" ".join(cases))
'''

CHECK_BACK = r'''
import sys, numpy as np
d, names = sys.argv[1], sys.argv[2:]
want = {"f64": "<f8", "f32": "<f8", "i64": "<i8", "i32": "<i8", "i16": "<i8", "i8": "<i8",
        "u8": "<i8", "b": "|b1", "scalar": "<f8", "empty": "<f8", "fortran": "<f8",
        "big": "<f8", "bigint": "<i8"}
bad = 0
for k in names:
    a = np.load("%s/np_%s.npy" % (d, k))
    b = np.load("%s/jx_%s.npy" % (d, k))
    ok = a.shape == b.shape and b.dtype.str == want[k] and np.array_equal(a.astype(b.dtype), b)
    ok = ok and (np.signbit(a) == np.signbit(b)).all() if a.dtype.kind == "f" else ok
    print(("ok   " if ok else "FAIL ") + "numpy -> jx -> numpy: %s (%s %s -> %s %s)" % (k, a.dtype, a.shape, b.dtype, b.shape))
    bad += not ok
sys.exit(1 if bad else 0)
'''

JX_SIDE = r'''
let d = argv()[0]
save_npy(d + "/out_f.npy", arange(12).reshape((3, 4)) * 0.5 - 1.0)
save_npy(d + "/out_i.npy", arange(-3, 3))
save_npy(d + "/out_b.npy", arange(6).reshape((2, 3)) % 2 == 0)
save_npy(d + "/out_s.npy", 2.5)
save_npy(d + "/out_e.npy", zeros((2, 0)))
save_npy(d + "/out_t.npy", transpose(arange(6).reshape((2, 3))) * 1.0)
'''

CHECK_JX = r'''
import sys, numpy as np
d = sys.argv[1]
want = {
  "f": np.arange(12).reshape(3, 4) * 0.5 - 1.0,
  "i": np.arange(-3, 3),
  "b": np.arange(6).reshape(2, 3) % 2 == 0,
  "s": np.float64(2.5),
  "e": np.zeros((2, 0)),
  "t": np.arange(6).reshape(2, 3).T * 1.0,
}
bad = 0
for k, w in want.items():
    p = "%s/out_%s.npy" % (d, k)
    with open(p, "rb") as f:
        version = np.lib.format.read_magic(f)
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        offset = f.tell()
    a = np.load(p)
    ok = (version == (1, 0) and offset % 64 == 0 and not fortran and a.shape == np.shape(w)
          and a.dtype == np.asarray(w).dtype and np.array_equal(a, w))
    print(("ok   " if ok else "FAIL ") + "jx -> numpy: out_%s (%s %s, header %d bytes)" % (k, a.dtype, a.shape, offset))
    bad += not ok
sys.exit(1 if bad else 0)
'''


def python_with_numpy():
    for py in (sys.executable, "/usr/bin/python3", shutil.which("python3")):
        if py and os.path.exists(py):
            if subprocess.run([py, "-c", "import numpy"], capture_output=True).returncode == 0:
                return py
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jx", default=os.path.join(ROOT, "build", "jx"))
    args = ap.parse_args()
    py = python_with_numpy()
    if not py:
        print("skipped: needs python3 with numpy (apt-get install python3-numpy)")
        print("0 passed, 0 failed")
        return 0
    jx = os.path.abspath(args.jx)
    tmp = tempfile.mkdtemp(prefix="jx-npy-")
    passed = failed = 0
    try:
        names = subprocess.run([py, "-c", NUMPY_SIDE, tmp], check=True, capture_output=True,
                               text=True).stdout.split()
        prog = "".join('save_npy("%s/jx_%s.npy", load_npy("%s/np_%s.npy"))\n' % (tmp, k, tmp, k)
                       for k in names)
        r = subprocess.run([jx, "-e", prog], capture_output=True, text=True)
        if r.returncode != 0:
            print("FAIL jx could not load/save numpy's files:\n" + r.stderr)
            failed += 1
        else:
            r = subprocess.run([py, "-c", CHECK_BACK, tmp] + names, capture_output=True, text=True)
            sys.stdout.write(r.stdout + r.stderr)
            passed += r.stdout.count("ok   ")
            failed += r.stdout.count("FAIL ") + (1 if r.returncode and "FAIL" not in r.stdout else 0)
        r = subprocess.run([jx, "-e", JX_SIDE, tmp], capture_output=True, text=True)
        if r.returncode != 0:
            print("FAIL jx could not save:\n" + r.stderr)
            failed += 1
        else:
            r = subprocess.run([py, "-c", CHECK_JX, tmp], capture_output=True, text=True)
            sys.stdout.write(r.stdout + r.stderr)
            passed += r.stdout.count("ok   ")
            failed += r.stdout.count("FAIL ") + (1 if r.returncode and "FAIL" not in r.stdout else 0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
