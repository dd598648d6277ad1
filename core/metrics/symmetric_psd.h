#pragma once
// Square roots and traces of symmetric positive semi-definite matrices via
// the symmetric eigensolver (float64).
//
// Covariances of fewer samples than dimensions are singular, and round-off
// turns their zero eigenvalues into noise of about max|lambda| * 1e-16, either
// sign. A square root magnifies that noise to ~1e-8 relative, so eigenvalues at
// or below max|lambda| * D * machine epsilon (numpy.linalg.matrix_rank's
// tolerance) count as 0. With this, the rank-deficient golden case agrees with
// a 50-digit evaluation to 1e-16, where a plain clamp at 0 is off by 7e-9.
#include <ATen/core/Tensor.h>

namespace ddsm {

// The PSD square root R of a symmetric [D, D] matrix S: R R = S, R = R^T.
at::Tensor psdSqrt(const at::Tensor& s);

// tr(M^{1/2}) = sum of the square roots of the eigenvalues of a symmetric PSD M.
double traceOfPsdSqrt(const at::Tensor& m);

}  // namespace ddsm
