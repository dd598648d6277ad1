#pragma once
// The seam between the search and whatever scores its candidates. The search
// hands over a batch of genomes and gets one Evaluation each, in order; an
// implementation may sample them itself (SamplingEvaluator) or, later, spread
// the batch over a process group.
#include "search/genome.h"

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace ddsm {

struct Evaluation {
    double quality = 0;  // a distance, lower is better (e.g. FID)
    double kid = std::numeric_limits<double>::quiet_NaN();  // when measured
    int64_t samples = 0;  // images behind the numbers
    double uncertainty = 0;  // standard error of `quality` (0 when not estimated)
};

// Work done and work avoided by an evaluator that samples.
struct EvaluatorStats {
    int64_t stepsRun = 0;      // image-batch network steps actually run
    int64_t stepsReused = 0;   // steps skipped by resuming from a cached shared prefix
    int64_t prefixLookups = 0;
    int64_t prefixHits = 0;    // lookups that found a prefix of at least one step
    double samplingSeconds = 0;
    int64_t imagesFromStore = 0;  // full-width images whose features were read from the feature store
    double reuseRate() const { return stepsRun + stepsReused > 0 ? double(stepsReused) / double(stepsRun + stepsReused) : 0; }
    // The skipped steps at the mean measured cost of a step run.
    double secondsSavedEstimate() const { return stepsRun > 0 ? samplingSeconds * double(stepsReused) / double(stepsRun) : 0; }
};

class CandidateEvaluator {
public:
    virtual ~CandidateEvaluator() = default;
    virtual std::vector<Evaluation> evaluate(const std::vector<Genome>& genomes) = 0;
    // What `quality` is, e.g. "FID (pixels-7x7, 256 samples)".
    virtual std::string qualityName() const { return "quality"; }
    // Racing: the same genomes scored again on their first `samples` images
    // (more than before). An evaluator that cannot returns nothing.
    virtual std::vector<Evaluation> evaluateWith(const std::vector<Genome>& /*genomes*/, int /*samples*/) { return {}; }
    virtual EvaluatorStats stats() const { return {}; }
};

// Optional pre-screening: a cheap estimate of quality decides which offspring
// are worth a real evaluation.
class CandidatePredictor {
public:
    virtual ~CandidatePredictor() = default;
    virtual std::vector<double> predictQuality(const std::vector<Genome>& genomes) = 0;
};

// Thrown by an evaluator that saw the cancel flag; the search stops at its
// last complete generation.
class SearchCancelled : public std::runtime_error {
public:
    SearchCancelled() : std::runtime_error("search cancelled") {}
};

}  // namespace ddsm
