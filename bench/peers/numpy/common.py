"""Shared helpers of the numpy peers (see docs/benchmarks.md for the rules)."""
import os
import time

import numpy as np

QUICK = os.environ.get("BENCH_QUICK") == "1"
clock = time.perf_counter


def det(n, a, c):
    """det(n, a, c)[k] = ((a*k + c) mod 1009) / 1009 - 0.5, in int64 then one division."""
    k = np.arange(n, dtype=np.int64)
    return ((a * k + c) % 1009) / 1009 - 0.5


def linspace01(n):
    """numpy's linspace(0, 1, n): i * step + start, the last value exactly stop."""
    return np.linspace(0.0, 1.0, n)


def result(workload, impl, value, unit, checksum, **notes):
    extra = "".join(f" {k}={v}" for k, v in notes.items())
    print(f"RESULT {workload} {impl} {value:.4g} {unit} checksum={float(checksum)!r}{extra}", flush=True)
