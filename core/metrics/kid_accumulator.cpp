#include "metrics/kid_accumulator.h"

#include "base/error.h"
#include "metrics/kid.h"
#include "metrics/percentile.h"

#include <ATen/ATen.h>

namespace ddsm {
namespace {

int64_t columnsOf(const at::Tensor& t)
{
    if (!t.defined() || t.dim() != 2)
        throw Error("reference features must be a 2-D tensor [M, D]");
    return t.size(1);
}

}  // namespace

KidAccumulator::KidAccumulator(const at::Tensor& referenceFeatures, std::string featureName,
                               std::string referenceName, double level, int64_t maxSubsetSize)
    : reference_(columnsOf(referenceFeatures)),
      featureName_(std::move(featureName)),
      referenceName_(std::move(referenceName)),
      level_(level),
      maxSubsetSize_(maxSubsetSize),
      features_(reference_.dim())
{
    if (!(level > 0.0 && level < 1.0))
        throw Error("confidence level must be between 0 and 1, got " + std::to_string(level));
    reference_.add(referenceFeatures);
    if (reference_.count() < 2)
        throw Error("KID needs at least 2 reference feature vectors, got " +
                    std::to_string(reference_.count()));
}

void KidAccumulator::add(const at::Tensor& features)
{
    features_.add(features);
}

int64_t KidAccumulator::count() const
{
    return features_.count();
}

Estimate KidAccumulator::current(int subsets, uint64_t seed) const
{
    const KidResult kid =
        computeKid(features_.all(), reference_.all(), {maxSubsetSize_, subsets, seed});
    const Interval interval = centralInterval(kid.subsetValues, level_);
    Estimate e;
    e.value = kid.mean;
    e.low = interval.low;
    e.high = interval.high;
    e.level = level_;
    e.samples = features_.count();
    e.estimator = "KID";
    e.featureName = featureName_;
    e.reference = referenceName_;
    return e;
}

}  // namespace ddsm
