#!/usr/bin/python3
"""Generate tests/data/print_cases.txt: numpy's str() of many arrays and
Python's repr() of many floats, the reference output for
tests/unit/test_print.c.

Run with a Python that has numpy (Debian's: /usr/bin/python3):
    /usr/bin/python3 tests/gen_print_cases.py [OUTPUT]

File format (line based, '#' lines are comments):
    F <float.hex(x)> <repr(x)>           one fmt_float case
    A <name> <dtype> <dim0> <dim1> ...    start of an array case
    D <v> <v> ...                         element values, row-major; repeated
                                          D lines concatenate.  float64 values
                                          as float.hex (bit-exact), int64 as
                                          decimal, bool as 0/1
    |<text>                               one line of numpy's str(a)
    .                                     end of the array case
"""
import math
import os
import random
import struct
import sys

import numpy as np

np.set_printoptions()  # defaults: precision 8, linewidth 75, threshold 1000

rng = np.random.default_rng(20240611)
pyr = random.Random(20240611)

cases = []  # (name, array)


def add(name, a):
    a = np.asarray(a)
    if a.dtype.kind == 'f':
        a = a.astype(np.float64)
    elif a.dtype.kind in 'iu':
        a = a.astype(np.int64)
    elif a.dtype.kind == 'b':
        pass
    else:
        raise ValueError(a.dtype)
    if a.ndim == 0:
        a = a.reshape(1)
    cases.append((name, np.ascontiguousarray(a)))


def bits_double(u):
    return struct.unpack('<d', struct.pack('<Q', u))[0]


def random_finite_double():
    while True:
        x = bits_double(pyr.getrandbits(64))
        if math.isfinite(x):
            return x


# ---------------------------------------------------------------- floats
add('brief_example', [0.0, 0.42, 1.0])
add('brief_exp', [1e-5, 1.0])
add('ints_as_floats', [1.0, 2.0, 3.0])
add('neg_ints_as_floats', [-1.0, 2.0, -300.0])
add('single', [3.5])
add('single_neg', [-0.5])
add('zero', [0.0])
add('negzero', [-0.0])
add('zeros_mixed_sign', [0.0, -0.0, 0.0])
add('third', [1 / 3, 2 / 3, 1.0])
add('tenths', [0.1, 0.2, 0.3, 0.1 + 0.2])
add('pi_e', [math.pi, math.e, -math.pi])
add('nan_only', [float('nan')])
add('inf_only', [float('inf')])
add('neginf_only', [float('-inf')])
add('nonfinite', [float('nan'), float('inf'), float('-inf')])
add('nan_inf', [float('nan'), float('inf')])
add('nan_with_vals', [1.5, float('nan'), -2.25])
add('inf_with_small', [0.5, float('-inf'), 0.25])
add('inf_with_exp', [1e-7, float('inf'), 3.0])
add('nan_with_exp', [1e10, float('nan'), -3.0])
add('neginf_exp', [1e-9, float('-inf')])
add('nan_zero', [0.0, float('nan')])
add('negnan', [-float('nan'), 1.0])
add('thresh_1e8_below', [99999999.0, 1.0])
add('thresh_1e8', [1e8, 1.0])
add('thresh_1e8_alone', [1e8])
add('thresh_small_edge', [1e-4, 0.1])
add('thresh_small_below', [0.99e-4, 0.05])
add('ratio_1000', [1.0, 1000.0])
add('ratio_1000_plus', [1.0, 1000.0000001])
add('ratio_big_with_zero', [0.0, 0.001, 1.0])
add('round8', [0.123456785, 0.123456789123, 1.000000005, 2.999999999])
add('round8_carry', [9.999999999, 0.5])
add('round8_carry2', [99.999999999, 1.5])
add('sci_round9', [1.234567891234e-7, 1.0])
add('sci_carry', [9.9999999999e-7, 1.0])
add('sci_exp3', [1e100, 1.0])
add('sci_exp3_neg', [1e-300, 1.0])
add('sci_huge', [1.7976931348623157e308, -1.7976931348623157e308])
add('denormals', [5e-324, 2.2250738585072014e-308, 1e-310])
add('denormal_one', [5e-324])
add('denormal_pad_1', [5e-324, 1.5])
add('denormal_pad_8', [5e-324, 1.23456789])
add('denormal_pad_mid', [1e-320, 1.23456789])
add('denormal_pad_2', [2.5e-318, 1.5])
add('denormal_neg', [-5e-324, -1e-315, 2.0])
for i in range(16):
    # subnormals with 1..52 significant bits, padded to 1..9 digits
    bits = pyr.randint(1, 52)
    sub = [bits_double(pyr.getrandbits(bits)) for _ in range(pyr.randint(1, 4))]
    sub = [x for x in sub if x != 0] or [5e-324]
    other = round(pyr.uniform(1, 9), pyr.randint(0, 8))
    add(f'subnormal_{i}', sub + [other])
add('decades', [10.0 ** k for k in range(-5, 21)])
add('decades_neg', [-(10.0 ** k) for k in range(-8, 9)])
add('decades_2d', np.array([10.0 ** k for k in range(-6, 18)]).reshape(4, 6))
add('large_ints_float', [123456789012345.0, 1.0])
add('e16', [1e16, 2e16])
add('e20', [1e20])
add('mixed_width_pos', [1234567.891, 0.5, -12.25])
add('max_pos_digits', [12345678.12345678, 0.001])
add('max_pos_digits2', [99999999.99999999, 1.0])
add('near_int', [0.99999999999, 1.00000000001])
add('small_pos', [0.0001, 0.00012345678, 0.1])
add('tiny_vs_zero', [0.0, 1e-20])
add('neg_zero_exp', [-0.0, 1e-9])
add('linspace', np.linspace(0, 1, 11))
add('linspace_neg', np.linspace(-1, 1, 7))
add('arange_f', np.arange(20.0))
add('arange_half', np.arange(0, 10, 0.5))
add('exp_sign_mix', [1.5e-10, -2.5e10, 3.0])
add('exp_all_neg', [-1e-5, -2e-6])
add('exp_one_int', [5e9])
add('exp_prec_mix', [1.23456789e-5, 2e-5, 3.5e-5])

for k in range(-12, 23, 1):
    add(f'scale_1e{k}', rng.standard_normal(5) * 10.0 ** k)
for k in range(-6, 10, 3):
    add(f'uniform_1e{k}', rng.uniform(0, 1, 7) * 10.0 ** k)
for n in (4, 8, 9, 10, 11, 12, 13, 14, 20, 30, 50, 75, 100, 150):
    add(f'normal_{n}', rng.standard_normal(n))
for n in (5, 9, 10, 20, 37, 76, 200):
    add(f'rounded_{n}', np.round(rng.standard_normal(n) * 100, 2))
for n in (7, 13, 26, 40):
    add(f'wrap_exp_{n}', rng.standard_normal(n) * 1e-6)
for n in (10, 30):
    add(f'wrap_ints_float_{n}', np.arange(n, dtype=float) * 1000.0)
for shape in [(2, 2), (2, 3), (3, 2), (1, 5), (5, 1), (4, 4), (3, 10), (3, 20),
              (2, 40), (10, 10), (2, 2, 2), (2, 3, 4), (3, 1, 5), (2, 2, 2, 2),
              (2, 3, 2, 3), (1, 1, 1, 1), (2, 2, 13), (3, 2, 30), (1, 2, 1, 2, 1),
              (2, 1, 2, 1, 2, 1)]:
    n = int(np.prod(shape))
    add('normal_' + 'x'.join(map(str, shape)), rng.standard_normal(n).reshape(shape))
for shape in [(2, 3), (4, 5), (2, 3, 4), (2, 2, 3, 3)]:
    n = int(np.prod(shape))
    add('ints_f_' + 'x'.join(map(str, shape)), np.arange(n, dtype=float).reshape(shape) - n // 2)
    add('exp_f_' + 'x'.join(map(str, shape)), (rng.standard_normal(n) * 1e5 ** rng.integers(-3, 4, n)).reshape(shape))
    a = rng.standard_normal(n)
    a[rng.integers(0, n, 2)] = np.nan
    a[rng.integers(0, n, 1)] = -np.inf
    add('nonfinite_' + 'x'.join(map(str, shape)), a.reshape(shape))
# random bit patterns: wild exponents
for i in range(12):
    n = pyr.choice([1, 2, 3, 5, 8, 13])
    add(f'randbits_{i}', [random_finite_double() for _ in range(n)])
# mixed special arrays
for i in range(20):
    n = pyr.randint(1, 12)
    pool = [0.0, -0.0, 1.0, -1.0, 0.5, 1e-5, 1e5, 1e8, 123.456, float('nan'), float('inf'),
            float('-inf'), 2.5e-300, 7e22, 1 / 3, 0.1, 1e-4, 9.5, 1000.0]
    add(f'mixed_{i}', [pyr.choice(pool) for _ in range(n)])
# decimal numbers with k digits
for k in range(0, 12):
    add(f'digits_{k}', np.round(rng.uniform(-10, 10, 6), k))
# summarisation
add('summ_1001', rng.standard_normal(1001))
add('summ_2000_ints', np.arange(2000.0))
add('summ_1000_not', np.arange(1000.0))
add('summ_30x40', rng.standard_normal((30, 40)))
add('summ_3x400', np.arange(1200.0).reshape(3, 400))
add('summ_400x3', (np.arange(1200.0) * 0.25).reshape(400, 3))
add('summ_10x10x11', rng.standard_normal((10, 10, 11)))
add('summ_7x7x7x7', np.arange(7.0 ** 4).reshape(7, 7, 7, 7) * 1e-3)
add('summ_2pow10', rng.standard_normal(1024).reshape((2,) * 10))
add('summ_5x201', rng.standard_normal((5, 201)) * 1e6)
add('summ_exp_hidden', np.concatenate([[1.0, 2.0, 3.0], np.full(1000, 1e-9), [4.0, 5.0, 6.0]]))
add('summ_nan_hidden', np.concatenate([[1.0, 2.0, 3.0], np.full(1000, np.nan), [4.0, 5.0, 6.5]]))
add('summ_1x1x1001', np.arange(1001.0).reshape(1, 1, 1001))
add('summ_1001x1', np.arange(1001.0).reshape(1001, 1))

# ---------------------------------------------------------------- ints
add('int_brief', [1, -2, 3])
add('int_2d', [[1, 2], [3, 4]])
add('int_single', [7])
add('int_zero', [0])
add('int_neg_single', [-5])
add('int_extremes', [np.iinfo(np.int64).min, np.iinfo(np.int64).max, 0])
add('int_max', [np.iinfo(np.int64).max])
add('int_min', [np.iinfo(np.int64).min])
add('int_arange', np.arange(10))
add('int_arange_100', np.arange(100))
add('int_arange_neg', np.arange(-50, 50))
add('int_big', rng.integers(-10 ** 15, 10 ** 15, 30))
add('int_huge', rng.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max, 20, dtype=np.int64))
for shape in [(2, 3), (3, 3, 3), (2, 2, 2, 2), (4, 30), (2, 3, 25), (1, 40), (40, 1)]:
    n = int(np.prod(shape))
    add('int_' + 'x'.join(map(str, shape)), rng.integers(-1000, 1000, n).reshape(shape))
add('int_summ_1001', np.arange(1001))
add('int_summ_5000', rng.integers(-100, 100, 5000))
add('int_summ_40x40', np.arange(1600).reshape(40, 40) - 800)
add('int_summ_8x8x20', np.arange(1280).reshape(8, 8, 20))
add('int_summ_hidden_width', np.concatenate([[1, 2, 3], np.full(1000, -10 ** 12), [4, 5, 6]]))
add('int_keys', np.array([0, 42], dtype=np.int64))

# ---------------------------------------------------------------- bools
add('bool_brief', [True, False])
add('bool_true', [True])
add('bool_false', [False])
add('bool_2d', [[True, False], [False, True]])
for shape in [(20,), (13,), (3, 5), (2, 2, 2), (2, 2, 15), (1, 30)]:
    n = int(np.prod(shape))
    add('bool_' + 'x'.join(map(str, shape)), (rng.uniform(size=n) > 0.5).reshape(shape))
add('bool_summ_1001', rng.uniform(size=1001) > 0.5)
add('bool_summ_40x30', (rng.uniform(size=1200) > 0.3).reshape(40, 30))

# ---------------------------------------------------------------- empty
add('empty_f', np.zeros(0))
add('empty_i', np.zeros(0, dtype=np.int64))
add('empty_b', np.zeros(0, dtype=bool))
add('empty_0x3', np.zeros((0, 3)))
add('empty_3x0', np.zeros((3, 0)))
add('empty_2x0x4', np.zeros((2, 0, 4), dtype=np.int64))

# line-wrapping sweep: every width of row around the 75-column limit
for n in range(1, 25):
    add(f'wrapsweep_f_{n}', np.full(n, 1.5) * np.arange(1, n + 1))
for n in (12, 13, 14, 18, 19, 20, 24, 25, 26, 37, 38, 39):
    add(f'wrapsweep_i_{n}', np.arange(n) * 1000)
    add(f'wrapsweep_2d_{n}', (np.arange(2 * n) * 7).reshape(2, n))
    add(f'wrapsweep_3d_{n}', (np.arange(2 * n) * 0.125).reshape(1, 2, n))


def fmt_value(a, x):
    if a.dtype == np.float64:
        return float(x).hex()
    if a.dtype == np.int64:
        return str(int(x))
    return '1' if x else '0'


def float_cases():
    xs = [0.0, -0.0, float('nan'), float('inf'), float('-inf'), 0.1, -12.0, 1e-5,
          1e20, 1.5e-7, 123456789012345.0, 1e16, 1e15, 9999999999999998.0, 1e-4,
          0.001, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
          1e22, 1e23, 9007199254740993.0, 2.0 ** 53, 2.0 ** 53 - 1, 0.5, 1 / 3]
    xs += [math.ldexp(1.0, k) for k in range(-1074, 1024)]
    xs += [10.0 ** k for k in range(-323, 309)]
    xs += [float(f'1e{k}') for k in range(-323, 309)]
    xs += [float(f'{d}e{k}') for d in (5, 9, 1.5, 2.5) for k in range(-20, 25)]
    xs += [random_finite_double() for _ in range(4000)]
    xs += [bits_double(pyr.getrandbits(pyr.randint(1, 52))) for _ in range(300)]
    xs += [round(pyr.uniform(-1, 1) * 10 ** pyr.randint(-8, 20), pyr.randint(0, 10))
           for _ in range(2000)]
    xs += [float(pyr.randint(-10 ** 18, 10 ** 18)) for _ in range(300)]
    xs += [pyr.randint(1, 999) / 10 ** pyr.randint(0, 6) for _ in range(500)]
    xs += [math.nextafter(x, math.inf) for x in (1.0, 0.1, 1e16, 1e-5, 2.0 ** 60)]
    xs += [math.nextafter(x, -math.inf) for x in (1.0, 0.1, 1e16, 1e-5, 2.0 ** 60)]
    xs += [-x for x in xs[:40]]
    return xs


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, 'data', 'print_cases.txt')
    os.makedirs(os.path.dirname(out), exist_ok=True)
    lines = ['# print_cases.txt: reference output for tests/unit/test_print.c',
             f'# generated by tests/gen_print_cases.py with numpy {np.__version__}; do not edit',
             '# F <float.hex> <python repr>   |   A <name> <dtype> <shape..> / D <values..> / |<line> / .']
    for x in float_cases():
        lines.append(f'F {x.hex()} {x!r}')
    for name, a in cases:
        lines.append(f'A {name} {a.dtype.name} ' + ' '.join(str(d) for d in a.shape))
        flat = a.reshape(-1)
        for i in range(0, flat.size, 16):
            lines.append('D ' + ' '.join(fmt_value(a, x) for x in flat[i:i + 16]))
        for ln in str(a).split('\n'):
            lines.append('|' + ln)
        lines.append('.')
    with open(out, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print(f'{out}: {len(cases)} arrays, {sum(1 for l in lines if l.startswith("F "))} floats,'
          f' {os.path.getsize(out)} bytes')


if __name__ == '__main__':
    main()
