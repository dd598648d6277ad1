#include "metrics/fid_bootstrap.h"

#include "base/error.h"
#include "metrics/frechet.h"
#include "metrics/random_indices.h"
#include "metrics/symmetric_psd.h"
#include "metrics/tensor_checks.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace ddsm {
namespace {

// FID of any row selection of X against the reference. With C the centred
// selected rows and R = S_ref^{1/2}:
//   S = C^T C / (n-1),   R S R = (C R)^T (C R) / (n-1),
// so tr((R S R)^{1/2}) is the sum of the singular values of A = C R over
// sqrt(n-1) (accurate where square roots of eigenvalues are not, see
// symmetric_psd.h). C R equals the centred rows of X R, so X R is computed once.
class FidOfRows {
public:
    FidOfRows(const GaussianStats& reference, const at::Tensor& features)
        : features_(features),
          referenceMu_(reference.mu.to(at::kDouble)),
          whitened_(features.mm(psdSqrt(reference.sigma.to(at::kDouble)))),
          referenceTrace_(reference.sigma.to(at::kDouble).trace().item<double>())
    {
    }

    double operator()(const at::Tensor& rows) const
    {
        const int64_t n = rows.size(0);
        const at::Tensor x = features_.index_select(0, rows);
        const at::Tensor mu = x.mean(0);
        const at::Tensor centred = x - mu;
        const double sampleTrace = centred.pow(2).sum().item<double>() / double(n - 1);

        const at::Tensor y = whitened_.index_select(0, rows);
        const at::Tensor a = y - y.mean(0);
        const double traceTerm = at::linalg_svdvals(a).sum().item<double>() / std::sqrt(double(n - 1));

        const at::Tensor diff = mu - referenceMu_;
        // A squared distance: below 0 is round-off.
        return std::max(0.0, diff.dot(diff).item<double>() + sampleTrace + referenceTrace_ - 2.0 * traceTerm);
    }

private:
    at::Tensor features_;
    at::Tensor referenceMu_;
    at::Tensor whitened_;
    double referenceTrace_;
};

}  // namespace

FidBootstrap bootstrapFid(const GaussianStats& reference, const at::Tensor& features,
                          const BootstrapOptions& options)
{
    checkGaussian(reference.mu, reference.sigma, "reference statistics");
    const at::Tensor x = featuresAsDouble(features, "generated features");
    const int64_t n = x.size(0);
    if (x.size(1) != reference.dim())
        throw Error("generated features have dimension " + std::to_string(x.size(1)) +
                    " but the reference statistics have dimension " +
                    std::to_string(reference.dim()));
    if (n < 2)
        throw Error("FID needs at least 2 generated samples, got " + std::to_string(n));
    if (options.rounds < 2)
        throw Error("bootstrap needs at least 2 rounds, got " + std::to_string(options.rounds));
    centralInterval({0.0}, options.level);  // rejects a bad level before the work

    const FidOfRows fidOf(reference, x);
    FidBootstrap result;
    result.value = fidOf(at::arange(n, at::TensorOptions().dtype(at::kLong)));

    std::mt19937_64 rng(options.seed);
    result.rounds.reserve(static_cast<size_t>(options.rounds));
    for (int r = 0; r < options.rounds; ++r)
        result.rounds.push_back(fidOf(indicesWithReplacement(n, n, rng)));

    const double mean = std::accumulate(result.rounds.begin(), result.rounds.end(), 0.0) /
                        double(result.rounds.size());
    result.resamplingBias = mean - result.value;
    std::vector<double> recentred = result.rounds;
    for (double& v : recentred)
        v -= result.resamplingBias;
    result.interval = centralInterval(recentred, options.level);
    return result;
}

}  // namespace ddsm
