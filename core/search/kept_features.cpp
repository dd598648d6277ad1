#include "search/kept_features.h"

#include <torch/torch.h>

#include <algorithm>

namespace ddsm {

KeptFeatures::KeptFeatures(std::string storeDirectory, std::string storeKey, int alignment)
    : store_(std::move(storeDirectory)), key_(std::move(storeKey)), alignment_(std::max(1, alignment))
{
}

int KeptFeatures::size() const { return rows_.defined() ? int(rows_.size(0)) : 0; }

at::Tensor KeptFeatures::upTo(int count, const std::function<at::Tensor(int, int)>& sample)
{
    int have = size();
    if (have < count && !key_.empty() && !storeRead_) {
        storeRead_ = true;
        if (const auto stored = store_.load(key_); stored && stored->size(0) > have) {
            fromStore_ += stored->size(0) - have;
            rows_ = *stored;
            have = size();
        }
    }
    if (have < count) {
        const int begin = have - have % alignment_;
        const at::Tensor more = sample(begin, count);
        rows_ = begin > 0 ? torch::cat({rows_.slice(0, 0, begin), more}) : more;
        sampled_ += count - begin;
        if (!key_.empty())
            storeProblem_ = store_.save(key_, rows_);
    }
    return rows_.slice(0, 0, count);
}

}  // namespace ddsm
