#pragma once
// The search state after a generation, as JSON ("ddsm-search-checkpoint",
// version 1): settings fingerprint, generation, population, the archive of
// every evaluation and the cache counters. Doubles are written in their
// shortest round-trip form, so a resumed search sees bit-identical numbers.
#include "search/candidate.h"
#include "search/evaluation_cache.h"

#include <string>
#include <vector>

namespace ddsm {

struct SearchCheckpoint {
    std::string fingerprint;  // SearchSettings::fingerprint()
    int generation = -1;      // last complete generation
    double elapsedSeconds = 0;
    std::vector<Candidate> population;
    std::vector<ArchivedCandidate> archive;
    int64_t cacheLookups = 0, cacheHits = 0;
};

void saveSearchCheckpoint(const std::string& path, const SearchCheckpoint& checkpoint);  // atomic
SearchCheckpoint loadSearchCheckpoint(const std::string& path);  // errors name the path and field

}  // namespace ddsm
