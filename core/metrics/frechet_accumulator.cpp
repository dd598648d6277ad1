#include "metrics/frechet_accumulator.h"

#include "base/error.h"
#include "metrics/fid_bootstrap.h"
#include "metrics/frechet.h"

#include <ATen/ATen.h>

namespace ddsm {
namespace {

GaussianStats checkedReference(GaussianStats reference)
{
    checkGaussian(reference.mu, reference.sigma, "reference statistics");
    reference.mu = reference.mu.to(at::kCPU, at::kDouble).contiguous();
    reference.sigma = reference.sigma.to(at::kCPU, at::kDouble).contiguous();
    return reference;
}

}  // namespace

FrechetAccumulator::FrechetAccumulator(GaussianStats reference, double level)
    : reference_(checkedReference(std::move(reference))),
      level_(level),
      features_(reference_.dim())
{
    if (!(level > 0.0 && level < 1.0))
        throw Error("confidence level must be between 0 and 1, got " + std::to_string(level));
}

void FrechetAccumulator::add(const at::Tensor& features)
{
    features_.add(features);
}

int64_t FrechetAccumulator::count() const
{
    return features_.count();
}

Estimate FrechetAccumulator::current(int bootstrapRounds, uint64_t seed) const
{
    const FidBootstrap fid =
        bootstrapFid(reference_, features_.all(), {bootstrapRounds, seed, level_});
    Estimate e;
    e.value = fid.value;
    e.low = fid.interval.low;
    e.high = fid.interval.high;
    e.level = level_;
    e.samples = features_.count();
    e.estimator = "FID";
    e.featureName = reference_.featureName;
    e.reference = reference_.source;
    return e;
}

}  // namespace ddsm
