/* blas.c — calls into OpenBLAS (cblas) and LAPACK (Fortran symbols, with
 * gfortran's hidden string-length arguments).  The only file that
 * includes <cblas.h>. */
#include "blas.h"

#include <cblas.h>
#include <limits.h>
#include <stddef.h>

bool blas_dims_ok(int64_t a, int64_t b, int64_t c) {
  return a <= INT_MAX && b <= INT_MAX && c <= INT_MAX;
}

void blas_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const double *A,
               int64_t lda, const double *B, int64_t ldb, double *C, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              (blasint)M, (blasint)N, (blasint)K, 1.0, A, (blasint)lda, B, (blasint)ldb, 0.0, C,
              (blasint)ldc);
}

void blas_gemv(bool trans, int64_t rows, int64_t cols, const double *A, int64_t lda,
               const double *x, double *y) {
  cblas_dgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, (blasint)rows, (blasint)cols,
              1.0, A, (blasint)lda, x, 1, 0.0, y, 1);
}

double blas_dot(int64_t n, const double *x, const double *y) {
  return cblas_ddot((blasint)n, x, 1, y, 1);
}

/* LAPACK (LP64 Fortran interface) */
void dgetrf_(const int *m, const int *n, double *a, const int *lda, int *ipiv, int *info);
void dgetrs_(const char *trans, const int *n, const int *nrhs, const double *a, const int *lda,
             const int *ipiv, double *b, const int *ldb, int *info, size_t ltrans);
void dgetri_(const int *n, double *a, const int *lda, const int *ipiv, double *work,
             const int *lwork, int *info);
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info, size_t luplo);
void dtrtrs_(const char *uplo, const char *trans, const char *diag, const int *n, const int *nrhs,
             const double *a, const int *lda, double *b, const int *ldb, int *info, size_t l1,
             size_t l2, size_t l3);

int lapack_getrf(int n, double *a, int *ipiv) {
  int info = 0, lda = n > 0 ? n : 1;
  dgetrf_(&n, &n, a, &lda, ipiv, &info);
  return info;
}

int lapack_getrs(char trans, int n, int nrhs, const double *a, const int *ipiv, double *b) {
  int info = 0, lda = n > 0 ? n : 1;
  dgetrs_(&trans, &n, &nrhs, a, &lda, ipiv, b, &lda, &info, 1);
  return info;
}

int lapack_getri(int n, double *a, const int *ipiv, double *work, int lwork) {
  int info = 0, lda = n > 0 ? n : 1;
  dgetri_(&n, a, &lda, ipiv, work, &lwork, &info);
  return info;
}

int lapack_potrf(char uplo, int n, double *a) {
  int info = 0, lda = n > 0 ? n : 1;
  dpotrf_(&uplo, &n, a, &lda, &info, 1);
  return info;
}

int lapack_trtrs(char uplo, char trans, int n, int nrhs, const double *a, double *b) {
  int info = 0, lda = n > 0 ? n : 1;
  char diag = 'N';
  dtrtrs_(&uplo, &trans, &diag, &n, &nrhs, a, &lda, b, &lda, &info, 1, 1, 1);
  return info;
}
