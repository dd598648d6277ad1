#include "metrics/feature_buffer.h"

#include "base/error.h"
#include "metrics/tensor_checks.h"

#include <ATen/ATen.h>

namespace ddsm {

FeatureBuffer::FeatureBuffer(int64_t dim) : dim_(dim)
{
    if (dim <= 0)
        throw Error("feature dimension must be positive, got " + std::to_string(dim));
}

void FeatureBuffer::add(const at::Tensor& features)
{
    at::Tensor x = featuresAsDouble(features, "added features");
    if (x.size(1) != dim_)
        throw Error("added features have dimension " + std::to_string(x.size(1)) +
                    " but the reference has dimension " + std::to_string(dim_));
    if (x.size(0) == 0)
        return;
    // Own the data: the caller may reuse its batch tensor.
    batches_.push_back(x.is_same(features) ? x.clone() : x);
    count_ += x.size(0);
}

at::Tensor FeatureBuffer::all() const
{
    if (batches_.empty())
        return at::empty({0, dim_}, at::TensorOptions().dtype(at::kDouble));
    if (batches_.size() > 1) {
        at::Tensor joined = at::cat(batches_, 0);
        batches_.assign(1, joined);
    }
    return batches_.front();
}

}  // namespace ddsm
