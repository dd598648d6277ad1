#include "metrics/symmetric_psd.h"

#include <ATen/ATen.h>

#include <limits>

namespace ddsm {
namespace {

// Only one triangle reaches LAPACK; averaging makes that choice not matter.
at::Tensor symmetrised(const at::Tensor& m)
{
    return (m + m.t()) * 0.5;
}

// Square roots of eigenvalues, with round-off-sized ones (see the header) as 0.
at::Tensor rootsOfEigenvalues(const at::Tensor& eigenvalues)
{
    if (eigenvalues.numel() == 0)
        return eigenvalues;
    const double tolerance = eigenvalues.abs().max().item<double>() *
                             double(eigenvalues.numel()) *
                             std::numeric_limits<double>::epsilon();
    return at::where(eigenvalues > tolerance, eigenvalues, at::zeros_like(eigenvalues)).sqrt();
}

}  // namespace

at::Tensor psdSqrt(const at::Tensor& s)
{
    auto [eigenvalues, eigenvectors] = at::linalg_eigh(symmetrised(s));
    const at::Tensor roots = rootsOfEigenvalues(eigenvalues);
    return (eigenvectors * roots.unsqueeze(0)).mm(eigenvectors.t());
}

double traceOfPsdSqrt(const at::Tensor& m)
{
    return rootsOfEigenvalues(at::linalg_eigvalsh(symmetrised(m))).sum().item<double>();
}

double traceOfSqrtOfProduct(const at::Tensor& s1, const at::Tensor& s2)
{
    return at::linalg_svdvals(psdSqrt(s1).mm(psdSqrt(s2))).sum().item<double>();
}

}  // namespace ddsm
