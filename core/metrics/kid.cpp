#include "metrics/kid.h"

#include "base/error.h"
#include "metrics/random_indices.h"
#include "metrics/tensor_checks.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace ddsm {
namespace {

at::Tensor cubicKernel(const at::Tensor& a, const at::Tensor& b)
{
    return (a.mm(b.t()) / double(a.size(1)) + 1.0).pow(3);
}

double offDiagonalSum(const at::Tensor& k)
{
    return (k.sum() - k.trace()).item<double>();
}

// Inputs already checked and in float64.
double mmd2(const at::Tensor& x, const at::Tensor& y)
{
    const auto m = double(x.size(0));
    const auto n = double(y.size(0));
    return offDiagonalSum(cubicKernel(x, x)) / (m * (m - 1)) +
           offDiagonalSum(cubicKernel(y, y)) / (n * (n - 1)) -
           2.0 * cubicKernel(x, y).sum().item<double>() / (m * n);
}

void checkPair(const at::Tensor& x, const at::Tensor& y)
{
    if (x.size(1) != y.size(1))
        throw Error("KID needs features of equal dimension, got " + std::to_string(x.size(1)) +
                    " and " + std::to_string(y.size(1)));
    if (x.size(0) < 2 || y.size(0) < 2)
        throw Error("KID needs at least 2 feature vectors on each side, got " +
                    std::to_string(x.size(0)) + " and " + std::to_string(y.size(0)));
}

}  // namespace

double unbiasedMmd2(const at::Tensor& x, const at::Tensor& y)
{
    const at::Tensor xd = featuresAsDouble(x, "first features");
    const at::Tensor yd = featuresAsDouble(y, "second features");
    checkPair(xd, yd);
    return mmd2(xd, yd);
}

KidResult computeKid(const at::Tensor& generated, const at::Tensor& reference,
                     const KidOptions& options)
{
    const at::Tensor x = featuresAsDouble(generated, "generated features");
    const at::Tensor y = featuresAsDouble(reference, "reference features");
    checkPair(x, y);
    if (options.subsets < 1)
        throw Error("KID needs at least 1 subset, got " + std::to_string(options.subsets));
    if (options.maxSubsetSize < 2)
        throw Error("KID subsets need at least 2 rows, got " +
                    std::to_string(options.maxSubsetSize));

    KidResult result;
    result.subsetSize = std::min({options.maxSubsetSize, x.size(0), y.size(0)});
    std::mt19937_64 rng(options.seed);
    for (int s = 0; s < options.subsets; ++s) {
        const at::Tensor xs = x.index_select(0, indicesWithoutReplacement(x.size(0), result.subsetSize, rng));
        const at::Tensor ys = y.index_select(0, indicesWithoutReplacement(y.size(0), result.subsetSize, rng));
        result.subsetValues.push_back(mmd2(xs, ys));
    }
    double sum = 0;
    for (double v : result.subsetValues)
        sum += v;
    result.mean = sum / double(result.subsetValues.size());
    double squares = 0;
    for (double v : result.subsetValues)
        squares += (v - result.mean) * (v - result.mean);
    result.std = std::sqrt(squares / double(result.subsetValues.size()));
    return result;
}

}  // namespace ddsm
