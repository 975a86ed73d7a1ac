/* array.h — n-d arrays: storage, construction and the numeric kernels.
 *
 * Owns: the Array object (T_ARRAY), dtypes and promotion, overflow-checked
 * shape arithmetic, and the concrete kernels every primitive's
 * implementation calls (elementwise with broadcasting, reductions, shape
 * manipulation, gather/scatter, BLAS/LAPACK).  Knows nothing of tracers or
 * transformations: kernels take and return concrete values only.
 *
 * Representation: every array is C-contiguous row-major.  The data buffer
 * may be shared between arrays (reshape returns a view on the same buffer)
 * through 'base'.  Arrays are immutable once returned to the language.
 *
 * Scalars: a jx value of rank 0 is ALWAYS a plain scalar Value (T_BOOL,
 * T_INT, T_FLOAT), never a 0-d Array.  Kernels that produce a 0-d result
 * return a scalar; arr_normalize() does the conversion.  Every kernel
 * accepts scalars wherever it accepts arrays.
 *
 * Ownership: as in eval/value.h — arguments borrowed, results owned,
 * errors returned as v_exc() with I->err set.
 */
#ifndef JX_ARRAY_H
#define JX_ARRAY_H

#include "../eval/value.h"

#define JX_MAXDIM 16

typedef enum { DT_BOOL = 0, DT_INT = 1, DT_FLOAT = 2 } DType;

typedef struct Array {
  Obj hdr;
  uint8_t dtype;     /* DType */
  int ndim;          /* >= 1 for values seen by the language */
  int64_t size;      /* product of shape */
  void *data;        /* bool: uint8_t, int: int64_t, float: double */
  struct Array *base;/* owner of data, or NULL if this array owns it */
  int64_t shape[JX_MAXDIM];
} Array;

static inline Array *AS_ARRAY(Value v) { return (Array *)v.u.o; }
static inline double *ARR_F(Array *a) { return (double *)a->data; }
static inline int64_t *ARR_I(Array *a) { return (int64_t *)a->data; }
static inline uint8_t *ARR_B(Array *a) { return (uint8_t *)a->data; }

const char *dtype_name(DType d); /* "float64", "int64", "bool" */
size_t dtype_size(DType d);
static inline DType dtype_promote(DType a, DType b) { return a > b ? a : b; }

/* dtype and shape of any numeric value (scalar or array).  Returns -1 and
 * raises TypeError for non-numeric values.  shape must hold JX_MAXDIM. */
int val_dtype(Value v, DType *dt);
int val_shape(Value v, int *ndim, int64_t *shape);
bool is_numeric(Value v); /* bool/int/float/array */

/* Overflow-checked product of a shape; -1 and ShapeError/MemoryError on overflow. */
int shape_size(Interp *I, int ndim, const int64_t *shape, int64_t *size);

/* New uninitialised array (ndim may be 0 internally; see arr_normalize).
 * Checks size overflow and raises MemoryError on impossible sizes before
 * allocating.  Returns NULL on error. */
Array *arr_alloc(Interp *I, DType dt, int ndim, const int64_t *shape);
/* Same shape/dtype, zero-filled. */
Array *arr_zeros(Interp *I, DType dt, int ndim, const int64_t *shape);
/* Turn a freshly built Array into a language value: 0-d -> scalar. Consumes a. */
Value arr_normalize(Interp *I, Array *a);
/* A contiguous Array view of any numeric value (scalars become 0-d arrays,
 * arrays are increfed and returned as is).  Owned; NULL on error. */
Array *arr_from_value(Interp *I, Value v);
/* Convert to dtype (copy unless already that dtype: then incref). */
Value arr_astype(Interp *I, Value v, DType dt);
/* Element k (flat index) of a numeric value as double / int64. */
double arr_get_f(Array *a, int64_t k);
int64_t arr_get_i(Array *a, int64_t k);

/* Build an array from a nested tuple/list literal of numbers/arrays.
 * dt < 0 means infer (bool < int < float). ValueError if ragged. */
Value arr_from_nested(Interp *I, Value nested, int dt);

#endif
