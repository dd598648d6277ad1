#pragma once
// Every feature vector added so far, kept in float64 so that estimators can
// resample them. Feature vectors are small (D <= 2048), so tens of thousands fit.
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace ddsm {

class FeatureBuffer {
public:
    // dim: the feature dimension every batch must have.
    explicit FeatureBuffer(int64_t dim);

    // features [N, D]; throws ddsm::Error for another D or non-finite values.
    void add(const at::Tensor& features);
    int64_t count() const { return count_; }
    int64_t dim() const { return dim_; }
    // All rows added so far, [count, D] float64.
    at::Tensor all() const;

private:
    int64_t dim_;
    int64_t count_ = 0;
    // Batches are joined lazily; `all()` caches the joined tensor.
    mutable std::vector<at::Tensor> batches_;
};

}  // namespace ddsm
