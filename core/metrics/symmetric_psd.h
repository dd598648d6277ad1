#pragma once
// Square roots and traces of symmetric positive semi-definite matrices via
// the symmetric eigensolver (float64).
//
// Covariances of fewer samples than dimensions are singular, and round-off
// turns their zero eigenvalues into noise of about max|lambda| * 1e-16, either
// sign. A square root magnifies that noise to ~1e-8 relative, so eigenvalues of
// a covariance at or below max|lambda| * D * machine epsilon
// (numpy.linalg.matrix_rank's tolerance) count as 0.
#include <ATen/core/Tensor.h>

namespace ddsm {

// The PSD square root R of a symmetric [D, D] matrix S: R R = S, R = R^T.
at::Tensor psdSqrt(const at::Tensor& s);

// tr(M^{1/2}) = sum of the square roots of the eigenvalues of a symmetric PSD M.
double traceOfPsdSqrt(const at::Tensor& m);

// tr((S1 S2)^{1/2}) for covariances S1, S2, as the sum of the singular values
// of S1^{1/2} S2^{1/2} (its Gram matrix S1^{1/2} S2 S1^{1/2} has the spectrum
// of S1 S2). Singular values carry an absolute error of ~|S|^{1/2} * 1e-16,
// while the square root of an eigenvalue of S1^{1/2} S2 S1^{1/2} carries
// |S| * 1e-16 / (2 sqrt(lambda)): for FID's nearly singular covariances a
// genuine eigenvalue of 1e-10 is then either lost or noise, 1e-5 off.
double traceOfSqrtOfProduct(const at::Tensor& s1, const at::Tensor& s2);

}  // namespace ddsm
