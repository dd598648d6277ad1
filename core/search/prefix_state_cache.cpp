#include "search/prefix_state_cache.h"

namespace ddsm {

PrefixStateCache::PrefixStateCache(size_t maxBytes) : maxBytes_(maxBytes) {}

std::string PrefixStateCache::key(int batch, const std::vector<int>& indices, int steps)
{
    std::string k = std::to_string(batch) + ':';
    for (int s = 0; s < steps; ++s)
        k.push_back(char('0' + indices[s]));
    return k;
}

int PrefixStateCache::longestPrefix(int batch, const std::vector<int>& stepWidthIndices, int maxSteps, at::Tensor* state)
{
    ++stats_.lookups;
    const int longest = std::min<int>(maxSteps, int(stepWidthIndices.size()));
    std::string k = key(batch, stepWidthIndices, longest);
    for (int steps = longest; steps >= 1; --steps, k.pop_back()) {
        const auto found = entries_.find(k);
        if (found == entries_.end())
            continue;
        recency_.splice(recency_.begin(), recency_, found->second.recency);
        *state = found->second.state;
        ++stats_.hits;
        stats_.stepsReused += steps;
        return steps;
    }
    return 0;
}

void PrefixStateCache::insert(int batch, const std::vector<int>& stepWidthIndices, int steps, const at::Tensor& state)
{
    const size_t bytes = state.numel() * state.element_size();
    if (bytes > maxBytes_)
        return;
    std::string k = key(batch, stepWidthIndices, steps);
    const auto found = entries_.find(k);
    if (found != entries_.end()) {
        recency_.splice(recency_.begin(), recency_, found->second.recency);
        return;
    }
    evictUntilFits(bytes);
    recency_.push_front(k);
    entries_.emplace(std::move(k), Entry{state, recency_.begin()});
    stats_.bytes += bytes;
    ++stats_.insertions;
    stats_.entries = entries_.size();
}

void PrefixStateCache::evictUntilFits(size_t incoming)
{
    while (!recency_.empty() && stats_.bytes + incoming > maxBytes_) {
        const auto found = entries_.find(recency_.back());
        stats_.bytes -= found->second.state.numel() * found->second.state.element_size();
        entries_.erase(found);
        recency_.pop_back();
        ++stats_.evictions;
    }
    stats_.entries = entries_.size();
}

void PrefixStateCache::clear()
{
    entries_.clear();
    recency_.clear();
    stats_.bytes = 0;
    stats_.entries = 0;
}

}  // namespace ddsm
