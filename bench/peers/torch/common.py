"""Shared helpers of the torch peers (see docs/benchmarks.md for the rules).

Threads: torch.set_num_threads(BENCH_TORCH_THREADS or BENCH_THREADS).  When
BENCH_TORCH_THREADS is given (torch's OpenMP pool pinned apart from OpenBLAS)
the implementation is labelled e.g. torch[omp=1].  OpenBLAS itself follows
OPENBLAS_NUM_THREADS (Debian's torch calls the system OpenBLAS).
"""
import os
import sys
import time

import numpy as np
import torch

QUICK = os.environ.get("BENCH_QUICK") == "1"
clock = time.perf_counter
F64 = torch.float64

_omp = os.environ.get("BENCH_TORCH_THREADS")
torch.set_num_threads(int(_omp or os.environ.get("BENCH_THREADS", "1")))


def impl_name():
    """'torch' or 'torch-functorch' from argv[1], with '[omp=N]' when pinned apart."""
    impl = sys.argv[1] if len(sys.argv) > 1 else "torch"
    if impl not in ("torch", "torch-functorch"):
        raise SystemExit(f"unknown implementation {impl!r} (torch or torch-functorch)")
    return impl


def label(impl):
    return f"{impl}[omp={_omp}]" if _omp else impl


def det(n, a, c):
    """det(n, a, c)[k] = ((a*k + c) mod 1009) / 1009 - 0.5, as a float64 tensor."""
    k = np.arange(n, dtype=np.int64)
    return torch.from_numpy(((a * k + c) % 1009) / 1009 - 0.5)


def result(workload, impl, value, unit, checksum, **notes):
    extra = "".join(f" {k}={v}" for k, v in notes.items())
    print(f"RESULT {workload} {label(impl)} {value:.4g} {unit} checksum={float(checksum)!r}{extra}",
          flush=True)
