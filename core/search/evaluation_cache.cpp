#include "search/evaluation_cache.h"

namespace ddsm {

std::optional<Evaluation> EvaluationCache::lookup(const Genome& genome)
{
    ++lookups_;
    const auto found = index_.find(genomeKey(genome));
    if (found == index_.end())
        return std::nullopt;
    ++hits_;
    return entries_[found->second].evaluation;
}

bool EvaluationCache::contains(const Genome& genome) const
{
    return index_.count(genomeKey(genome)) > 0;
}

const Evaluation* EvaluationCache::find(const Genome& genome) const
{
    const auto found = index_.find(genomeKey(genome));
    return found == index_.end() ? nullptr : &entries_[found->second].evaluation;
}

void EvaluationCache::insert(const Genome& genome, const Evaluation& evaluation)
{
    const auto [it, added] = index_.emplace(genomeKey(genome), entries_.size());
    if (added)
        entries_.push_back({genome, evaluation});
    else
        entries_[it->second].evaluation = evaluation;
}

}  // namespace ddsm
