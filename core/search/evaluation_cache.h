#pragma once
// Every candidate evaluated so far, keyed by genome: a repeated genome is never
// evaluated twice, and the whole set is the archive from which the Pareto
// front is read. Keeps insertion order, so its contents are deterministic.
#include "search/evaluator.h"

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

namespace ddsm {

struct ArchivedCandidate {
    Genome genome;
    Evaluation evaluation;
};

class EvaluationCache {
public:
    // Counts a lookup, and a hit when found.
    std::optional<Evaluation> lookup(const Genome& genome);
    bool contains(const Genome& genome) const;
    // Without counting; null when absent.
    const Evaluation* find(const Genome& genome) const;
    void insert(const Genome& genome, const Evaluation& evaluation);

    const std::vector<ArchivedCandidate>& entries() const { return entries_; }
    int64_t lookups() const { return lookups_; }
    int64_t hits() const { return hits_; }
    double hitRate() const { return lookups_ > 0 ? double(hits_) / double(lookups_) : 0; }
    // For restoring a checkpoint.
    void setCounters(int64_t lookups, int64_t hits) { lookups_ = lookups, hits_ = hits; }

private:
    std::vector<ArchivedCandidate> entries_;
    std::unordered_map<std::string, size_t> index_;
    int64_t lookups_ = 0, hits_ = 0;
};

}  // namespace ddsm
