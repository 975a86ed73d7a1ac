/* blas.h — the engine's thin interface to OpenBLAS and LAPACK (internal
 * to stdlib/).  stdlib/blas.c is the only file that includes <cblas.h>.
 *
 * All matrices are row-major unless a function says "col-major".  Sizes
 * must fit a 32-bit BLAS integer: callers check with blas_dims_ok.
 * LAPACK functions return LAPACK's 'info' (0 ok, > 0 singular/not
 * positive definite, < 0 bad argument).
 */
#ifndef JX_BLAS_H
#define JX_BLAS_H

#include <stdbool.h>
#include <stdint.h>

bool blas_dims_ok(int64_t a, int64_t b, int64_t c);
/* C(M,N) = op(A) op(B); op(A) is (M,K): A stored (M,K) with leading
 * dimension lda, or (K,M) when ta.  Same for B ((K,N), or (N,K) when tb). */
void blas_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const double *A,
               int64_t lda, const double *B, int64_t ldb, double *C, int64_t ldc);
/* y = op(A) x with A stored (rows, cols), leading dimension lda. */
void blas_gemv(bool trans, int64_t rows, int64_t cols, const double *A, int64_t lda,
               const double *x, double *y);
double blas_dot(int64_t n, const double *x, const double *y);

/* LAPACK on COLUMN-MAJOR n x n matrices (lda = n). */
int lapack_getrf(int n, double *a, int *ipiv);
int lapack_getrs(char trans, int n, int nrhs, const double *a, const int *ipiv, double *b);
/* work must hold lwork >= n doubles. */
int lapack_getri(int n, double *a, const int *ipiv, double *work, int lwork);
int lapack_potrf(char uplo, int n, double *a);
int lapack_trtrs(char uplo, char trans, int n, int nrhs, const double *a, double *b);

#endif
