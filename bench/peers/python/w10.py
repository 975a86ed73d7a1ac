"""W10 in plain CPython: the 1e6-iteration scalar loop inside a function."""
import time


def run(n):
    s = 0
    for i in range(n):
        s += i * 0.5
    return s


def main():
    run(1_000_000)
    reps = 3
    t0 = time.perf_counter()
    for _ in range(reps):
        s = run(1_000_000)
    t1 = time.perf_counter()
    print(f"RESULT W10 python {(t1 - t0) / reps * 1e3:.4g} ms checksum={s!r}")


if __name__ == "__main__":
    main()
