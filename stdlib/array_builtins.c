/* array_builtins.c — the table of the array library's builtins.
 *
 * Owns: array_builtins[] (stdlib/builtins.h), one row per user-visible
 * name: {name, fn, sig, doc}.  The functions live in stdlib/lib_*.c
 * (creation, math, reductions, shape, linalg, nn); the docs feed :help.
 * Dotted names ("nn.relu", "linalg.solve") go into their namespace.
 */
#include "builtins.h"
#include "lib_internal.h"

LIB_FN(bi_array);
LIB_FN(bi_zeros);
LIB_FN(bi_ones);
LIB_FN(bi_empty);
LIB_FN(bi_full);
LIB_FN(bi_zeros_like);
LIB_FN(bi_ones_like);
LIB_FN(bi_empty_like);
LIB_FN(bi_full_like);
LIB_FN(bi_arange);
LIB_FN(bi_linspace);
LIB_FN(bi_eye);
LIB_FN(bi_identity);
LIB_FN(bi_tri);
LIB_FN(bi_tril);
LIB_FN(bi_triu);
LIB_FN(bi_astype);
LIB_FN(bi_copy);
LIB_FN(bi_float64);
LIB_FN(bi_int64);
LIB_FN(bi_bool_);
LIB_FN(bi_abs);
LIB_FN(bi_sign);
LIB_FN(bi_exp);
LIB_FN(bi_log);
LIB_FN(bi_log1p);
LIB_FN(bi_expm1);
LIB_FN(bi_sqrt);
LIB_FN(bi_sin);
LIB_FN(bi_cos);
LIB_FN(bi_tan);
LIB_FN(bi_arcsin);
LIB_FN(bi_arccos);
LIB_FN(bi_arctan);
LIB_FN(bi_sinh);
LIB_FN(bi_cosh);
LIB_FN(bi_tanh);
LIB_FN(bi_floor);
LIB_FN(bi_ceil);
LIB_FN(bi_isnan);
LIB_FN(bi_isinf);
LIB_FN(bi_isfinite);
LIB_FN(bi_negative);
LIB_FN(bi_positive);
LIB_FN(bi_erf);
LIB_FN(bi_square);
LIB_FN(bi_reciprocal);
LIB_FN(bi_exp2);
LIB_FN(bi_log2);
LIB_FN(bi_log10);
LIB_FN(bi_deg2rad);
LIB_FN(bi_rad2deg);
LIB_FN(bi_trunc);
LIB_FN(bi_real);
LIB_FN(bi_logical_not);
LIB_FN(bi_add);
LIB_FN(bi_subtract);
LIB_FN(bi_multiply);
LIB_FN(bi_divide);
LIB_FN(bi_floor_divide);
LIB_FN(bi_mod);
LIB_FN(bi_maximum);
LIB_FN(bi_minimum);
LIB_FN(bi_arctan2);
LIB_FN(bi_equal);
LIB_FN(bi_not_equal);
LIB_FN(bi_less);
LIB_FN(bi_less_equal);
LIB_FN(bi_greater);
LIB_FN(bi_greater_equal);
LIB_FN(bi_power);
LIB_FN(bi_float_power);
LIB_FN(bi_logaddexp);
LIB_FN(bi_logical_and);
LIB_FN(bi_logical_or);
LIB_FN(bi_logical_xor);
LIB_FN(bi_clip);
LIB_FN(bi_where);
LIB_FN(bi_round);
LIB_FN(bi_rint);
LIB_FN(bi_isclose);
LIB_FN(bi_allclose);
LIB_FN(bi_array_equal);
LIB_FN(bi_sum);
LIB_FN(bi_mean);
LIB_FN(bi_prod);
LIB_FN(bi_max);
LIB_FN(bi_min);
LIB_FN(bi_ptp);
LIB_FN(bi_argmax);
LIB_FN(bi_argmin);
LIB_FN(bi_var);
LIB_FN(bi_std);
LIB_FN(bi_all);
LIB_FN(bi_any);
LIB_FN(bi_count_nonzero);
LIB_FN(bi_norm);
LIB_FN(bi_linalg_norm);
LIB_FN(bi_cumsum);
LIB_FN(bi_logsumexp);
LIB_FN(bi_shape);
LIB_FN(bi_ndim);
LIB_FN(bi_size);
LIB_FN(bi_dtype);
LIB_FN(bi_reshape);
LIB_FN(bi_ravel);
LIB_FN(bi_transpose);
LIB_FN(bi_moveaxis);
LIB_FN(bi_swapaxes);
LIB_FN(bi_expand_dims);
LIB_FN(bi_squeeze);
LIB_FN(bi_atleast_1d);
LIB_FN(bi_atleast_2d);
LIB_FN(bi_concatenate);
LIB_FN(bi_stack);
LIB_FN(bi_hstack);
LIB_FN(bi_vstack);
LIB_FN(bi_split);
LIB_FN(bi_array_split);
LIB_FN(bi_broadcast_to);
LIB_FN(bi_tile);
LIB_FN(bi_repeat);
LIB_FN(bi_flip);
LIB_FN(bi_flipud);
LIB_FN(bi_fliplr);
LIB_FN(bi_roll);
LIB_FN(bi_take);
LIB_FN(bi_pad);
LIB_FN(bi_dot);
LIB_FN(bi_vdot);
LIB_FN(bi_matmul);
LIB_FN(bi_inner);
LIB_FN(bi_outer);
LIB_FN(bi_tensordot);
LIB_FN(bi_einsum);
LIB_FN(bi_trace);
LIB_FN(bi_diagonal);
LIB_FN(bi_diag);
LIB_FN(bi_solve);
LIB_FN(bi_inv);
LIB_FN(bi_det);
LIB_FN(bi_cholesky);
LIB_FN(bi_slogdet);
LIB_FN(bi_sigmoid);
LIB_FN(bi_relu);
LIB_FN(bi_relu6);
LIB_FN(bi_softplus);
LIB_FN(bi_log_sigmoid);
LIB_FN(bi_silu);
LIB_FN(bi_mish);
LIB_FN(bi_gelu);
LIB_FN(bi_elu);
LIB_FN(bi_celu);
LIB_FN(bi_selu);
LIB_FN(bi_leaky_relu);
LIB_FN(bi_hard_tanh);
LIB_FN(bi_hard_sigmoid);
LIB_FN(bi_hard_silu);
LIB_FN(bi_soft_sign);
LIB_FN(bi_softmax);
LIB_FN(bi_log_softmax);
LIB_FN(bi_standardize);
LIB_FN(bi_one_hot);
LIB_FN(bi_glu);

const BuiltinDef array_builtins[] = {
    {"array", bi_array, "x, dtype=None",
     "Make an array from a number, an array, or a (nested) tuple of them; ints and floats mix to float64, and dtype (\"float64\", \"int64\", \"bool\") converts. Elements may be traced values, so array((x, y)) works under grad. Example: array(((1, 2), (3, 4.0))) gives [[1. 2.] [3. 4.]]."},
    {"asarray", bi_array, "x, dtype=None",
     "Same as array(x, dtype): values are immutable, so no copy is ever needed. Example: asarray(3) gives 3."},
    {"zeros", bi_zeros, "shape, dtype=None",
     "A new float64 array of zeros (dtype= to change); shape is an int or a tuple of ints, and zeros(()) is the scalar 0.0. Example: zeros((2, 3)).shape gives (2, 3)."},
    {"ones", bi_ones, "shape, dtype=None",
     "A new array of ones, float64 unless dtype is given. Example: ones(3, dtype=\"int64\") gives [1 1 1]."},
    {"empty", bi_empty, "shape, dtype=None",
     "Like zeros (jx has no uninitialised memory). Example: empty(2) gives [0. 0.]."},
    {"full", bi_full, "shape, fill_value, dtype=None",
     "An array of the given shape filled with fill_value (which may be an array broadcast to the shape, or a traced value); the dtype is fill_value's unless given. Example: full((2, 2), 7) gives [[7 7] [7 7]]."},
    {"zeros_like", bi_zeros_like, "x, dtype=None, shape=None",
     "Zeros with the shape and dtype of x (works on traced x; the result is a constant). Example: zeros_like([1.5, 2.5]) gives [0. 0.]."},
    {"ones_like", bi_ones_like, "x, dtype=None, shape=None",
     "Ones with the shape and dtype of x. Example: ones_like([[1, 2]]) gives [[1 1]]."},
    {"empty_like", bi_empty_like, "x, dtype=None, shape=None",
     "Same as zeros_like. Example: empty_like([1.0]) gives [0.]."},
    {"full_like", bi_full_like, "x, fill_value, dtype=None, shape=None",
     "An array shaped like x filled with fill_value, in x's dtype unless dtype is given (numpy rule: full_like of an int array truncates). Example: full_like([1.0, 2.0], 3) gives [3. 3.]."},
    {"arange", bi_arange, "start, stop=None, step=None, dtype=None",
     "Evenly spaced values in [start, stop) (numpy rules): arange(n) is 0..n-1; the result is int64 when all arguments are ints, else float64. The arguments must be concrete. Example: arange(1, 2, 0.25) gives [1.   1.25 1.5  1.75]."},
    {"linspace", bi_linspace, "start, stop, num=50, endpoint=True, dtype=None",
     "num evenly spaced float64 values from start to stop (stop included unless endpoint=False), computed as numpy does (i * step + start, last value exactly stop). Differentiable in start and stop. Example: linspace(0, 1, 5) gives [0.   0.25 0.5  0.75 1.  ]."},
    {"eye", bi_eye, "N, M=None, k=0, dtype=None",
     "The N x M (default N x N) float64 matrix with ones on diagonal k (k > 0 above the main diagonal). Example: eye(2) gives [[1. 0.] [0. 1.]]."},
    {"identity", bi_identity, "n, dtype=None",
     "The n x n identity matrix. Example: identity(3).shape gives (3, 3)."},
    {"tri", bi_tri, "N, M=None, k=0, dtype=None",
     "An N x M array with ones at and below diagonal k and zeros elsewhere. Example: tri(2) gives [[1. 0.] [1. 1.]]."},
    {"tril", bi_tril, "x, k=0",
     "x with the elements above diagonal k set to zero (on the last two axes). Example: tril([[1, 2], [3, 4]]) gives [[1 0] [3 4]]."},
    {"triu", bi_triu, "x, k=0",
     "x with the elements below diagonal k set to zero (on the last two axes). Example: triu([[1, 2], [3, 4]]) gives [[1 2] [0 4]]."},
    {"astype", bi_astype, "x, dtype",
     "x converted to dtype (\"float64\", \"int64\", \"bool\"; float to int truncates toward zero). Same as x.astype(dtype). Example: astype([1.7, -1.7], \"int64\") gives [ 1 -1]."},
    {"copy", bi_copy, "x",
     "x itself: arrays are immutable, so a copy is never needed. Example: copy([1, 2]) gives [1 2]."},
    {"float64", bi_float64, "x",
     "Convert x (number, array or nested tuple) to float64; also usable as a dtype (zeros(3, dtype=float64)). Example: float64([1, 2]) gives [1. 2.]."},
    {"float32", bi_float64, "x",
     "jx computes in float64: float32 is an alias of float64 (so JAX code naming float32 runs). Example: float32(1) gives 1.0."},
    {"int64", bi_int64, "x",
     "Convert x to int64 (truncating toward zero); also usable as a dtype. Example: int64([1.9, -1.9]) gives [ 1 -1]."},
    {"int32", bi_int64, "x",
     "Alias of int64 (jx's only integer type). Example: int32(2.5) gives 2."},
    {"bool_", bi_bool_, "x",
     "Convert x to bool (nonzero is True); also usable as a dtype. Example: bool_([0, 2]) gives [False  True]."},
    {"abs", bi_abs, "x",
     "Elementwise absolute value; keeps int dtype; abs'(0) = 1 as in JAX. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: abs([-1.5, 2]) gives [1.5 2. ]."},
    {"absolute", bi_abs, "x",
     "Elementwise alias of abs. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: absolute(-3) gives 3."},
    {"sign", bi_sign, "x",
     "Elementwise -1, 0 or 1 by the sign of x (nan for nan); keeps int dtype; zero derivative. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: sign([-2.0, 0.0, 3.0]) gives [-1.  0.  1.]."},
    {"exp", bi_exp, "x",
     "Elementwise e**x. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: exp(1.0) gives 2.718281828459045."},
    {"log", bi_log, "x",
     "Elementwise natural logarithm (log(0) = -inf, log(-1) = nan). Scalars in give scalars out; arrays of any shape are mapped element by element. Example: log(1.0) gives 0.0."},
    {"log1p", bi_log1p, "x",
     "Elementwise log(1 + x), accurate for small x. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: log1p(1e-10) gives 9.999999999500001e-11."},
    {"expm1", bi_expm1, "x",
     "Elementwise exp(x) - 1, accurate for small x. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: expm1(1e-10) gives 1.00000000005e-10."},
    {"sqrt", bi_sqrt, "x",
     "Elementwise square root (sqrt'(0) = inf). Scalars in give scalars out; arrays of any shape are mapped element by element. Example: sqrt([4.0, 9.0]) gives [2. 3.]."},
    {"sin", bi_sin, "x",
     "Elementwise sine (radians). Scalars in give scalars out; arrays of any shape are mapped element by element. Example: sin(0.0) gives 0.0."},
    {"cos", bi_cos, "x",
     "Elementwise cosine (radians). Scalars in give scalars out; arrays of any shape are mapped element by element. Example: cos(0.0) gives 1.0."},
    {"tan", bi_tan, "x",
     "Elementwise tangent (radians). Scalars in give scalars out; arrays of any shape are mapped element by element. Example: tan(0.0) gives 0.0."},
    {"arcsin", bi_arcsin, "x",
     "Elementwise inverse sine. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: arcsin(1.0) gives 1.5707963267948966."},
    {"arccos", bi_arccos, "x",
     "Elementwise inverse cosine. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: arccos(1.0) gives 0.0."},
    {"arctan", bi_arctan, "x",
     "Elementwise inverse tangent. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: arctan(1.0) gives 0.7853981633974483."},
    {"sinh", bi_sinh, "x",
     "Elementwise hyperbolic sine. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: sinh(0.0) gives 0.0."},
    {"cosh", bi_cosh, "x",
     "Elementwise hyperbolic cosine. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: cosh(0.0) gives 1.0."},
    {"tanh", bi_tanh, "x",
     "Elementwise hyperbolic tangent. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: tanh(0.5) gives 0.46211715726000974."},
    {"floor", bi_floor, "x",
     "Elementwise largest integer <= x (zero derivative). Scalars in give scalars out; arrays of any shape are mapped element by element. Example: floor([-1.5, 1.5]) gives [-2.  1.]."},
    {"ceil", bi_ceil, "x",
     "Elementwise smallest integer >= x (zero derivative). Scalars in give scalars out; arrays of any shape are mapped element by element. Example: ceil([-1.5, 1.5]) gives [-1.  2.]."},
    {"isnan", bi_isnan, "x",
     "Elementwise True where x is nan. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: isnan([1.0, nan]) gives [False  True]."},
    {"isinf", bi_isinf, "x",
     "Elementwise True where x is +inf or -inf. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: isinf(1.0 / 0.0) gives True."},
    {"isfinite", bi_isfinite, "x",
     "Elementwise True where x is neither nan nor infinite. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: isfinite([1.0, inf]) gives [ True False]."},
    {"negative", bi_negative, "x",
     "Elementwise -x. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: negative([1, -2]) gives [-1  2]."},
    {"positive", bi_positive, "x",
     "Elementwise x itself. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: positive(-2) gives -2."},
    {"erf", bi_erf, "x",
     "Elementwise the error function. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: erf(0.0) gives 0.0."},
    {"square", bi_square, "x",
     "Elementwise x * x (keeps int dtype). Scalars in give scalars out; arrays of any shape are mapped element by element. Example: square([2, 3]) gives [4 9]."},
    {"reciprocal", bi_reciprocal, "x",
     "Elementwise 1 / x as float. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: reciprocal(4) gives 0.25."},
    {"exp2", bi_exp2, "x",
     "Elementwise 2 ** x. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: exp2(3.0) gives 8.0."},
    {"log2", bi_log2, "x",
     "Elementwise base-2 logarithm. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: log2(8.0) gives 3.0."},
    {"log10", bi_log10, "x",
     "Elementwise base-10 logarithm (log(x) / log(10), as JAX computes it). Scalars in give scalars out; arrays of any shape are mapped element by element. Example: log10(100.0) gives 2.0."},
    {"deg2rad", bi_deg2rad, "x",
     "Elementwise degrees to radians. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: deg2rad(180.0) gives 3.141592653589793."},
    {"radians", bi_deg2rad, "x",
     "Elementwise degrees to radians. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: radians(90.0) gives 1.5707963267948966."},
    {"rad2deg", bi_rad2deg, "x",
     "Elementwise radians to degrees. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: rad2deg(3.141592653589793) gives 180.0."},
    {"degrees", bi_rad2deg, "x",
     "Elementwise radians to degrees. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: degrees(1.0) gives 57.29577951308232."},
    {"trunc", bi_trunc, "x",
     "Elementwise round toward zero. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: trunc([-1.7, 1.7]) gives [-1.  1.]."},
    {"fix", bi_trunc, "x",
     "Elementwise round toward zero (alias of trunc). Scalars in give scalars out; arrays of any shape are mapped element by element. Example: fix(-2.5) gives -2.0."},
    {"real", bi_real, "x",
     "Elementwise the real part: x itself for jx's real arrays. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: real(2.0) gives 2.0."},
    {"conj", bi_real, "x",
     "Elementwise the complex conjugate: x itself for real arrays. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: conj([1.0]) gives [1.]."},
    {"conjugate", bi_real, "x",
     "Elementwise alias of conj. Scalars in give scalars out; arrays of any shape are mapped element by element. Example: conjugate(1.0) gives 1.0."},
    {"logical_not", bi_logical_not, "x",
     "Elementwise elementwise not (nonzero is True). Scalars in give scalars out; arrays of any shape are mapped element by element. Example: logical_not([True, False]) gives [False  True]."},
    {"add", bi_add, "x, y",
     "Elementwise x + y, with numpy broadcasting and type promotion (bool < int64 < float64). Example: add([1, 2], 10) gives [11 12]."},
    {"subtract", bi_subtract, "x, y",
     "Elementwise x - y, with numpy broadcasting and type promotion (bool < int64 < float64). Example: subtract(5, [1, 2]) gives [4 3]."},
    {"multiply", bi_multiply, "x, y",
     "Elementwise x * y, with numpy broadcasting and type promotion (bool < int64 < float64). Example: multiply([[1], [2]], [3, 4]) gives [[3 4] [6 8]]."},
    {"divide", bi_divide, "x, y",
     "Elementwise true division x / y (always float; 1 / 0 is inf), with numpy broadcasting and type promotion (bool < int64 < float64). Example: divide(1, 4) gives 0.25."},
    {"true_divide", bi_divide, "x, y",
     "Elementwise alias of divide, with numpy broadcasting and type promotion (bool < int64 < float64). Example: true_divide(3, 2) gives 1.5."},
    {"floor_divide", bi_floor_divide, "x, y",
     "Elementwise x // y, flooring like Python (int division by zero is a ValueError), with numpy broadcasting and type promotion (bool < int64 < float64). Example: floor_divide(-7, 2) gives -4."},
    {"mod", bi_mod, "x, y",
     "Elementwise x % y with the sign of y, like Python, with numpy broadcasting and type promotion (bool < int64 < float64). Example: mod(-7, 3) gives 2."},
    {"remainder", bi_mod, "x, y",
     "Elementwise alias of mod, with numpy broadcasting and type promotion (bool < int64 < float64). Example: remainder(7, -3) gives -2."},
    {"maximum", bi_maximum, "x, y",
     "Elementwise larger of x and y (nan propagates; at ties the derivative is split 0.5/0.5), with numpy broadcasting and type promotion (bool < int64 < float64). Example: maximum([1, 5], 3) gives [3 5]."},
    {"minimum", bi_minimum, "x, y",
     "Elementwise smaller of x and y (nan propagates; ties split the derivative), with numpy broadcasting and type promotion (bool < int64 < float64). Example: minimum([1, 5], 3) gives [1 3]."},
    {"arctan2", bi_arctan2, "x, y",
     "Elementwise angle of the point (y=x, x=y): arctan2(x1, x2) in (-pi, pi], with numpy broadcasting and type promotion (bool < int64 < float64). Example: arctan2(1.0, -1.0) gives 2.356194490192345."},
    {"equal", bi_equal, "x, y",
     "Elementwise x == y as bools, with numpy broadcasting and type promotion (bool < int64 < float64). Example: equal([1, 2], 2) gives [False  True]."},
    {"not_equal", bi_not_equal, "x, y",
     "Elementwise x != y as bools, with numpy broadcasting and type promotion (bool < int64 < float64). Example: not_equal([1, 2], 2) gives [ True False]."},
    {"less", bi_less, "x, y",
     "Elementwise x < y as bools, with numpy broadcasting and type promotion (bool < int64 < float64). Example: less([1, 2], 2) gives [ True False]."},
    {"less_equal", bi_less_equal, "x, y",
     "Elementwise x <= y as bools, with numpy broadcasting and type promotion (bool < int64 < float64). Example: less_equal([1, 3], 2) gives [ True False]."},
    {"greater", bi_greater, "x, y",
     "Elementwise x > y as bools, with numpy broadcasting and type promotion (bool < int64 < float64). Example: greater([1, 3], 2) gives [False  True]."},
    {"greater_equal", bi_greater_equal, "x, y",
     "Elementwise x >= y as bools, with numpy broadcasting and type promotion (bool < int64 < float64). Example: greater_equal([1, 2], 2) gives [False  True]."},
    {"power", bi_power, "x, y",
     "Elementwise x ** y; an int exponent on a float base is an integer power (so power(x, 2) is differentiable at x <= 0); int ** int stays int, with numpy broadcasting and type promotion (bool < int64 < float64). Example: power([2.0, 3.0], 2) gives [4. 9.]."},
    {"pow", bi_power, "x, y",
     "Elementwise alias of power, with numpy broadcasting and type promotion (bool < int64 < float64). Example: pow(2, 10) gives 1024."},
    {"float_power", bi_float_power, "x, y",
     "Elementwise x ** y computed in float64, with numpy broadcasting and type promotion (bool < int64 < float64). Example: float_power(2, -1) gives 0.5."},
    {"logaddexp", bi_logaddexp, "x, y",
     "Elementwise log(exp(x) + exp(y)) without overflow; derivative sigmoid(x - y) (1/2 at ties), with numpy broadcasting and type promotion (bool < int64 < float64). Example: logaddexp(1000.0, 1000.0) gives 1000.6931471805599."},
    {"logical_and", bi_logical_and, "x, y",
     "Elementwise x and y elementwise (nonzero is True), with numpy broadcasting and type promotion (bool < int64 < float64). Example: logical_and([True, True], [True, False]) gives [ True False]."},
    {"logical_or", bi_logical_or, "x, y",
     "Elementwise x or y elementwise, with numpy broadcasting and type promotion (bool < int64 < float64). Example: logical_or([True, False], False) gives [ True False]."},
    {"logical_xor", bi_logical_xor, "x, y",
     "Elementwise x xor y elementwise, with numpy broadcasting and type promotion (bool < int64 < float64). Example: logical_xor(True, [True, False]) gives [False  True]."},
    {"clip", bi_clip, "x, lo=None, hi=None, a_min=None, a_max=None, min=None, max=None",
     "x limited to [lo, hi] (either bound may be None; numpy's a_min/a_max and JAX's min/max keywords work too), computed as minimum(maximum(x, lo), hi), so the derivative at a bound is split 0.5/0.5 like JAX. Example: clip([-2, 0.5, 3], 0, 1) gives [0.  0.5 1. ]."},
    {"where", bi_where, "condition, x=None, y=None",
     "Elementwise choice: x where condition is True, else y; all three broadcast together. Derivatives flow only to the chosen branch. Example: where([True, False], 1.0, [5.0, 6.0]) gives [1. 6.]."},
    {"round", bi_round, "x, decimals=0",
     "Round to the nearest value with the given number of decimals, halves to even like numpy (zero derivative). Example: round([0.5, 1.5, 2.5]) gives [0. 2. 2.]; round(1.2345, 2) gives 1.23."},
    {"around", bi_round, "x, decimals=0",
     "Alias of round. Example: around(1.25, 1) gives 1.2."},
    {"rint", bi_rint, "x",
     "Round to the nearest integer as a float, halves to even. Example: rint(2.5) gives 2.0."},
    {"isclose", bi_isclose, "a, b, rtol=1e-05, atol=1e-08, equal_nan=False",
     "Elementwise |a - b| <= atol + rtol * |b| (infinities must be equal; nan equals nan only with equal_nan). Example: isclose([1.0, 2.0], [1.0 + 1e-9, 2.1]) gives [ True False]."},
    {"allclose", bi_allclose, "a, b, rtol=1e-05, atol=1e-08, equal_nan=False",
     "True when isclose(a, b) holds everywhere. Example: allclose([1.0, 2.0], [1.0, 2.0 + 1e-9]) gives True."},
    {"array_equal", bi_array_equal, "a, b",
     "True when a and b have the same shape and equal elements. Example: array_equal([1, 2], [1, 2]) gives True."},
    {"sum", bi_sum, "x, axis=None, keepdims=False, dtype=None",
     "Sum of the elements over the given axes; axis is None (all axes), an int or a tuple of ints (negatives count from the end); keepdims=True keeps the reduced axes with size 1. Bools and ints sum to int64. Example: sum([[1, 2], [3, 4]], axis=0) gives [4 6]."},
    {"mean", bi_mean, "x, axis=None, keepdims=False, dtype=None",
     "Arithmetic mean over the given axes, as float64 (the mean of an empty array is nan); axis is None (all axes), an int or a tuple of ints (negatives count from the end); keepdims=True keeps the reduced axes with size 1. Example: mean([[1, 2], [3, 4]], axis=1) gives [1.5 3.5]."},
    {"prod", bi_prod, "x, axis=None, keepdims=False, dtype=None",
     "Product of the elements over the given axes; axis is None (all axes), an int or a tuple of ints (negatives count from the end); keepdims=True keeps the reduced axes with size 1. Example: prod([1, 2, 3, 4]) gives 24."},
    {"max", bi_max, "x, axis=None, keepdims=False",
     "Largest element over the given axes (nan propagates; an empty reduction is a ValueError; the derivative is shared equally by tied maxima); axis is None (all axes), an int or a tuple of ints (negatives count from the end); keepdims=True keeps the reduced axes with size 1. Example: max([[1, 5], [7, 2]], axis=1) gives [5 7]."},
    {"min", bi_min, "x, axis=None, keepdims=False",
     "Smallest element over the given axes (an empty reduction is a ValueError); axis is None (all axes), an int or a tuple of ints (negatives count from the end); keepdims=True keeps the reduced axes with size 1. Example: min([[1, 5], [7, 2]]) gives 1."},
    {"amax", bi_max, "x, axis=None, keepdims=False",
     "Alias of max. Example: amax([3, 1]) gives 3."},
    {"amin", bi_min, "x, axis=None, keepdims=False",
     "Alias of min. Example: amin([3, 1]) gives 1."},
    {"ptp", bi_ptp, "x, axis=None, keepdims=False",
     "Peak to peak: max - min over the given axes; axis is None (all axes), an int or a tuple of ints (negatives count from the end); keepdims=True keeps the reduced axes with size 1. Example: ptp([4, 9, 1]) gives 8."},
    {"argmax", bi_argmax, "x, axis=None, keepdims=False",
     "Index of the largest element (the first one on ties; nan counts as largest) along axis, or in the flattened array when axis is None. An empty array is a ValueError. Example: argmax([[1, 9], [7, 2]], axis=1) gives [1 0]."},
    {"argmin", bi_argmin, "x, axis=None, keepdims=False",
     "Index of the smallest element along axis (flattened when axis is None). Example: argmin([3, 1, 2]) gives 1."},
    {"var", bi_var, "x, axis=None, ddof=0, keepdims=False",
     "Variance: mean of squared deviations from the mean, divided by n - ddof; axis is None (all axes), an int or a tuple of ints (negatives count from the end); keepdims=True keeps the reduced axes with size 1. Example: var([1.0, 2.0, 3.0, 4.0]) gives 1.25."},
    {"std", bi_std, "x, axis=None, ddof=0, keepdims=False",
     "Standard deviation sqrt(var(x, axis, ddof)); axis is None (all axes), an int or a tuple of ints (negatives count from the end); keepdims=True keeps the reduced axes with size 1. Example: std([1.0, 3.0]) gives 1.0."},
    {"all", bi_all, "x, axis=None, keepdims=False",
     "True when every element is nonzero (True for an empty array); axis is None (all axes), an int or a tuple of ints (negatives count from the end); keepdims=True keeps the reduced axes with size 1. Example: all([[True, False], [True, True]], axis=1) gives [False  True]."},
    {"any", bi_any, "x, axis=None, keepdims=False",
     "True when some element is nonzero; axis is None (all axes), an int or a tuple of ints (negatives count from the end); keepdims=True keeps the reduced axes with size 1. Example: any([0, 0, 3]) gives True."},
    {"count_nonzero", bi_count_nonzero, "x, axis=None, keepdims=False",
     "Number of nonzero elements; axis is None (all axes), an int or a tuple of ints (negatives count from the end); keepdims=True keeps the reduced axes with size 1. Example: count_nonzero([0, 1, 2, 0]) gives 2."},
    {"norm", bi_norm, "x, ord=None, axis=None, keepdims=False",
     "Vector or matrix norm. ord=None is the 2-norm of a vector and the Frobenius norm of a matrix (axis None: of all elements); for vectors ord may be 1, 2, inf, -inf, 0 or any p; for matrices (a 2-d x with ord given, or a pair of axes) None, 'fro', 1, -1, inf, -inf. Example: norm([3.0, 4.0]) gives 5.0."},
    {"linalg.norm", bi_linalg_norm, "x, ord=None, axis=None, keepdims=False",
     "Vector or matrix norm (same as norm). ord=None is the 2-norm of a vector and the Frobenius norm of a matrix (axis None: of all elements); for vectors ord may be 1, 2, inf, -inf, 0 or any p; for matrices (a 2-d x with ord given, or a pair of axes) None, 'fro', 1, -1, inf, -inf. Example: linalg.norm([[1.0, 2.0], [3.0, 4.0]], ord=1) gives 6.0."},
    {"cumsum", bi_cumsum, "x, axis=None, dtype=None",
     "Cumulative sum along axis (of the flattened array when axis is None); bools and ints give int64. Example: cumsum([[1, 2], [3, 4]], axis=1) gives [[1 3] [3 7]]."},
    {"logsumexp", bi_logsumexp, "x, axis=None, keepdims=False",
     "log(sum(exp(x))) over the given axes, computed stably by shifting by the maximum (held constant for differentiation, as JAX does); axis None reduces everything. Example: logsumexp([1000.0, 1000.0]) gives 1000.6931471805599."},
    {"nn.logsumexp", bi_logsumexp, "x, axis=None, keepdims=False",
     "log(sum(exp(x))) over the given axes, computed stably by shifting by the maximum (held constant for differentiation, as JAX does); axis None reduces everything. Example: nn.logsumexp([0.0, 0.0], keepdims=True) gives [0.69314718]."},
    {"shape", bi_shape, "x",
     "The shape of x as a tuple of ints (() for a scalar). Example: shape([[1, 2, 3]]) gives (1, 3)."},
    {"ndim", bi_ndim, "x",
     "The number of dimensions of x (0 for a scalar). Example: ndim([[1, 2]]) gives 2."},
    {"size", bi_size, "x, axis=None",
     "The number of elements of x, or the length of one axis. Example: size(zeros((2, 3))) gives 6."},
    {"dtype", bi_dtype, "x",
     "The dtype of x as a string: \"float64\", \"int64\" or \"bool\". Example: dtype(1) gives int64."},
    {"reshape", bi_reshape, "x, shape",
     "The elements of x in row-major order, in a new shape with the same size; one entry may be -1 (inferred). Example: reshape(arange(6), (2, -1)) gives [[0 1 2] [3 4 5]]."},
    {"ravel", bi_ravel, "x",
     "x flattened to 1-d in row-major order. Example: ravel([[1, 2], [3, 4]]) gives [1 2 3 4]."},
    {"transpose", bi_transpose, "x, axes=None",
     "x with its axes permuted: reversed by default, else output axis i is input axis axes[i]. Example: transpose(zeros((2, 3, 4)), (1, 0, 2)).shape gives (3, 2, 4)."},
    {"permute_dims", bi_transpose, "x, axes=None",
     "Alias of transpose. Example: permute_dims([[1, 2]]) gives [[1] [2]]."},
    {"moveaxis", bi_moveaxis, "x, source, destination",
     "x with axis source (an int or tuple) moved to position destination, the other axes keeping their order. Example: moveaxis(zeros((2, 3, 4)), 0, -1).shape gives (3, 4, 2)."},
    {"swapaxes", bi_swapaxes, "x, axis1, axis2",
     "x with two axes interchanged. Example: swapaxes(zeros((2, 3, 4)), 0, 2).shape gives (4, 3, 2)."},
    {"expand_dims", bi_expand_dims, "x, axis",
     "x with new axes of size 1 inserted at the given positions (of the result). Example: expand_dims([1, 2], 0) gives [[1 2]]."},
    {"squeeze", bi_squeeze, "x, axis=None",
     "x without axes of size 1 (all of them, or the given ones, which must have size 1). Example: squeeze(zeros((1, 3, 1))).shape gives (3,)."},
    {"atleast_1d", bi_atleast_1d, "x",
     "x as an array with at least one dimension. Example: atleast_1d(5) gives [5]."},
    {"atleast_2d", bi_atleast_2d, "x",
     "x as an array with at least two dimensions ((n,) becomes (1, n)). Example: atleast_2d([1, 2]).shape gives (1, 2)."},
    {"concatenate", bi_concatenate, "arrays, axis=0",
     "Join a tuple of arrays along an existing axis; other dimensions must match; dtypes promote; axis=None flattens first. Example: concatenate(([1, 2], [3])) gives [1 2 3]."},
    {"concat", bi_concatenate, "arrays, axis=0",
     "Alias of concatenate. Example: concat(([[1]], [[2]]), axis=1) gives [[1 2]]."},
    {"stack", bi_stack, "arrays, axis=0",
     "Join a tuple of same-shaped arrays along a new axis. Example: stack(([1, 2], [3, 4]), axis=1) gives [[1 3] [2 4]]."},
    {"hstack", bi_hstack, "arrays",
     "Concatenate along axis 1 (axis 0 for 1-d arrays). Example: hstack(([1, 2], [3])) gives [1 2 3]."},
    {"vstack", bi_vstack, "arrays",
     "Stack as rows: 1-d arrays become rows, then concatenate along axis 0. Example: vstack(([1, 2], [3, 4])) gives [[1 2] [3 4]]."},
    {"split", bi_split, "x, indices_or_sections, axis=0",
     "Split x into a tuple of arrays: into n equal parts (an int, which must divide the axis), or at the given indices (a tuple). Example: split(arange(6), 3) gives ([0 1], [2 3], [4 5])."},
    {"array_split", bi_array_split, "x, indices_or_sections, axis=0",
     "Like split, but n parts need not be equal (the first ones get one more element). Example: array_split(arange(5), 2) gives ([0 1 2], [3 4])."},
    {"broadcast_to", bi_broadcast_to, "x, shape",
     "x broadcast to shape by numpy's rules (dimensions of size 1 stretch, missing leading ones are added). Example: broadcast_to([1, 2], (2, 2)) gives [[1 2] [1 2]]."},
    {"tile", bi_tile, "x, reps",
     "x repeated reps times along each axis (numpy.tile). Example: tile([1, 2], 2) gives [1 2 1 2]."},
    {"repeat", bi_repeat, "x, repeats, axis=None",
     "Each element repeated (repeats an int, or a tuple with one count per element) along axis, of the flattened array when axis is None. Example: repeat([1, 2], 2) gives [1 1 2 2]."},
    {"flip", bi_flip, "x, axis=None",
     "x with the order of elements reversed along the given axes (all by default). Example: flip([[1, 2], [3, 4]], axis=1) gives [[2 1] [4 3]]."},
    {"flipud", bi_flipud, "x",
     "x reversed along axis 0. Example: flipud([1, 2, 3]) gives [3 2 1]."},
    {"fliplr", bi_fliplr, "x",
     "x reversed along axis 1. Example: fliplr([[1, 2]]) gives [[2 1]]."},
    {"roll", bi_roll, "x, shift, axis=None",
     "Elements shifted cyclically by shift along axis (of the flattened array when axis is None). Example: roll([1, 2, 3, 4], 1) gives [4 1 2 3]."},
    {"take", bi_take, "x, indices, axis=0",
     "The slices of x at the given int indices along axis (axis 0 by default, as LANGUAGE.md specifies; axis=None takes from the flattened x like numpy's default); negative indices count from the end; out-of-range concrete indices are an IndexError (traced ones are clamped, as in JAX). Example: take([[1, 2], [3, 4]], [1, 1]) gives [[3 4] [3 4]]; take([10, 20, 30], [2, -1], axis=None) gives [30 30]."},
    {"pad", bi_pad, "x, pad_width, mode='constant', constant_values=0",
     "x padded with constant_values: pad_width is an int, a pair (before, after) for every axis, or one pair per axis. Example: pad([1, 2], (1, 2)) gives [0 1 2 0 0]."},
    {"dot", bi_dot, "a, b",
     "numpy dot: the inner product of two vectors, matrix-vector and matrix-matrix products, and for n-d arrays the sum over the last axis of a and the second-to-last of b; a scalar operand multiplies. Example: dot([1, 2], [3, 4]) gives 11."},
    {"vdot", bi_vdot, "a, b",
     "The dot product of a and b flattened (same size required). Example: vdot([[1, 2], [3, 4]], [[1, 1], [1, 1]]) gives 10."},
    {"matmul", bi_matmul, "a, b",
     "Matrix product (the @ operator), numpy rules: 1-d operands are promoted to matrices and the added axis removed; leading axes broadcast as batch dimensions; scalars are an error. Example: matmul([[1, 2], [3, 4]], [1, 1]) gives [3 7]."},
    {"inner", bi_inner, "a, b",
     "Sum product over the last axes of a and b. Example: inner([[1, 2], [3, 4]], [1, 10]) gives [21 43]."},
    {"outer", bi_outer, "a, b",
     "Outer product of the flattened a and b: result[i, j] = a[i] * b[j]. Example: outer([1, 2], [1, 10]) gives [[ 1 10] [ 2 20]]."},
    {"tensordot", bi_tensordot, "a, b, axes=2",
     "Sum products over the last `axes` axes of a and the first of b, or over the axis lists given as a pair (axes_a, axes_b). Example: tensordot(ones((2, 3)), ones((3, 4)), 1).shape gives (2, 4)."},
    {"einsum", bi_einsum, "subscripts, *operands",
     "Einstein summation: subscripts like \"ij,jk->ik\" name each operand's axes by letters (\"...\" for leading axes); letters missing from the output (after ->, or, without ->, the letters used once, sorted) are summed; repeated letters in one operand take its diagonal. Built on dot_general, so it differentiates and batches. Example: einsum(\"ij,j->i\", [[1, 2], [3, 4]], [1, 1]) gives [3 7]."},
    {"trace", bi_trace, "x, offset=0, axis1=0, axis2=1",
     "Sum along a diagonal of x (offset > 0 above the main one). Example: trace([[1, 2], [3, 4]]) gives 5."},
    {"diagonal", bi_diagonal, "x, offset=0, axis1=0, axis2=1",
     "The diagonal of x on axes axis1, axis2, as the last axis of the result. Example: diagonal([[1, 2], [3, 4]]) gives [1 4]."},
    {"diag", bi_diag, "v, k=0",
     "For a 1-d v, the square matrix with v on diagonal k; for a 2-d v, its k-th diagonal. Example: diag([1, 2]) gives [[1 0] [0 2]]."},
    {"linalg.solve", bi_solve, "a, b",
     "The solution x of a @ x = b for square a (LAPACK gesv); b is a vector or a matrix of right-hand sides; leading axes batch. A singular a is an error. Example: linalg.solve([[2.0, 0.0], [0.0, 4.0]], [2.0, 2.0]) gives [1.  0.5]."},
    {"linalg.inv", bi_inv, "a",
     "The inverse of the square matrix a (leading axes batch); singular is an error. Example: linalg.inv([[1.0, 2.0], [3.0, 4.0]]) gives [[-2.   1. ] [ 1.5 -0.5]]."},
    {"linalg.det", bi_det, "a",
     "The determinant of the square matrix a (leading axes batch). Example: linalg.det([[2.0, 1.0], [1.0, 3.0]]) gives 5.0."},
    {"linalg.cholesky", bi_cholesky, "a",
     "The lower-triangular Cholesky factor L of a symmetric positive-definite a (a = L @ L.T). Example: linalg.cholesky([[4.0, 2.0], [2.0, 2.0]]) gives [[2. 0.] [1. 1.]]."},
    {"linalg.slogdet", bi_slogdet, "a",
     "(sign, log|det a|) of a square matrix, computed from the determinant. Example: linalg.slogdet([[2.0, 0.0], [0.0, 3.0]]) gives (1.0, 1.791759469228055)."},
    {"nn.sigmoid", bi_sigmoid, "x",
     "The logistic function 1 / (1 + exp(-x)), computed stably. Example: nn.sigmoid(0.0) gives 0.5."},
    {"nn.relu", bi_relu, "x",
     "max(x, 0), with derivative 0 at x = 0 (as jax.nn.relu); nan stays nan. Example: nn.relu([-1.0, 0.0, 2.0]) gives [0. 0. 2.]."},
    {"nn.relu6", bi_relu6, "x",
     "min(max(x, 0), 6), with derivative 0 at 0 and at 6. Example: nn.relu6([-1.0, 3.0, 9.0]) gives [0. 3. 6.]."},
    {"nn.softplus", bi_softplus, "x",
     "log(1 + exp(x)) computed without overflow (derivative sigmoid(x), 1/2 at 0). Example: nn.softplus(0.0) gives 0.6931471805599453."},
    {"nn.log_sigmoid", bi_log_sigmoid, "x",
     "log(sigmoid(x)) = -softplus(-x), stable for large |x|. Example: nn.log_sigmoid(0.0) gives -0.6931471805599453."},
    {"nn.silu", bi_silu, "x",
     "x * sigmoid(x) (the swish activation). Example: nn.silu(1.0) gives 0.7310585786300049."},
    {"nn.swish", bi_silu, "x",
     "Alias of nn.silu: x * sigmoid(x). Example: nn.swish(0.0) gives 0.0."},
    {"nn.mish", bi_mish, "x",
     "x * tanh(softplus(x)). Example: nn.mish(1.0) gives 0.8650983882673103."},
    {"nn.gelu", bi_gelu, "x, approximate=True",
     "Gaussian error linear unit: with approximate=True (the default, like jax.nn.gelu) x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), else x/2 (1 + erf(x / sqrt 2)). Example: nn.gelu(1.0) gives 0.8411919906082768."},
    {"nn.elu", bi_elu, "x, alpha=1.0",
     "x for x > 0, alpha (exp(x) - 1) otherwise. Example: nn.elu(-1.0) gives -0.6321205588285577."},
    {"nn.celu", bi_celu, "x, alpha=1.0",
     "x for x > 0, alpha (exp(x / alpha) - 1) otherwise. Example: nn.celu(-1.0, alpha=2.0) gives -0.7869386805747332."},
    {"nn.selu", bi_selu, "x",
     "Scaled elu with the self-normalising constants (scale 1.0507…, alpha 1.6732…). Example: nn.selu(1.0) gives 1.0507009873554805."},
    {"nn.leaky_relu", bi_leaky_relu, "x, negative_slope=0.01",
     "x for x >= 0, negative_slope * x otherwise. Example: nn.leaky_relu(-2.0) gives -0.02."},
    {"nn.hard_tanh", bi_hard_tanh, "x",
     "x clipped to [-1, 1]. Example: nn.hard_tanh([-3.0, 0.5, 3.0]) gives [-1.   0.5  1. ]."},
    {"nn.hard_sigmoid", bi_hard_sigmoid, "x",
     "relu6(x + 3) / 6. Example: nn.hard_sigmoid(0.0) gives 0.5."},
    {"nn.hard_silu", bi_hard_silu, "x",
     "x * hard_sigmoid(x). Example: nn.hard_silu(1.0) gives 0.6666666666666666."},
    {"nn.hard_swish", bi_hard_silu, "x",
     "Alias of nn.hard_silu. Example: nn.hard_swish(3.0) gives 3.0."},
    {"nn.soft_sign", bi_soft_sign, "x",
     "x / (|x| + 1). Example: nn.soft_sign(1.0) gives 0.5."},
    {"nn.tanh", bi_tanh, "x",
     "The hyperbolic tangent (same as tanh). Example: nn.tanh(0.0) gives 0.0."},
    {"nn.softmax", bi_softmax, "x, axis=-1",
     "exp(x) / sum(exp(x)) along axis (an int, tuple or None), shifted by the maximum for stability. Example: nn.softmax([0.0, 0.0]) gives [0.5 0.5]."},
    {"nn.log_softmax", bi_log_softmax, "x, axis=-1",
     "log(softmax(x)) along axis, computed as x - max - log(sum(exp(x - max))). Example: nn.log_softmax([0.0, 0.0]) gives [-0.69314718 -0.69314718]."},
    {"nn.standardize", bi_standardize, "x, axis=-1, epsilon=1e-05",
     "(x - mean) / sqrt(var + epsilon) along axis. Example: nn.standardize([1.0, 3.0], epsilon=0.0) gives [-1.  1.]."},
    {"nn.normalize", bi_standardize, "x, axis=-1, epsilon=1e-05",
     "Alias of nn.standardize. Example: nn.normalize([0.0, 2.0], epsilon=0.0) gives [-1.  1.]."},
    {"nn.one_hot", bi_one_hot, "x, num_classes, dtype=None, axis=-1",
     "One-hot encoding: a new axis of length num_classes with 1.0 where the index equals x (out-of-range labels give all zeros). Example: nn.one_hot([0, 2], 3) gives [[1. 0. 0.] [0. 0. 1.]]."},
    {"nn.glu", bi_glu, "x, axis=-1",
     "Gated linear unit: the first half of x along axis times sigmoid of the second half. Example: nn.glu([1.0, 0.0]) gives [0.5]."},
    {NULL, NULL, NULL, NULL},
};
