#pragma once
// Selection bias: the search keeps the candidates that scored best on its own
// noise, so their search scores are optimistic. The chosen schedules are
// therefore scored again on fresh noise (another seed) with more samples,
// side by side with a reference schedule (full width) on the same images, and
// compared with a paired bootstrap.
#include "metrics/fid_bootstrap.h"
#include "metrics/percentile.h"
#include "search/sampling_evaluator.h"

#include <functional>
#include <string>
#include <vector>

namespace ddsm {

struct ScheduleToReevaluate {
    std::string label;
    std::vector<int> stepWidthIndices;
    // Another model's evaluator (same image shape, sampler and seed, so image
    // i starts from the same noise); null: the one reevaluate() is given.
    SamplingEvaluator* evaluator = nullptr;
};

struct Reevaluation {
    std::string label;
    std::vector<int> stepWidthIndices;
    FidBootstrap fid;            // with its own bootstrap interval
    double kid = 0;              // NaN unless the evaluator measures KID
    double differenceFromFirst = 0;   // FID(this) - FID(first), same images
    Interval differenceInterval;      // paired bootstrap, at the bootstrap level
    double samplingSeconds = 0;       // sampler time for all samples (this rank's share when sharded), no prefix sharing
    int64_t imagesFromStore = 0;      // images whose features were read from the feature store, not sampled
};

// FID(b) - FID(a) and its percentile interval when both feature sets are
// resampled with the same indices (rows i of a and b come from the same noise).
struct PairedDifference {
    double value = 0;
    Interval interval;
    double standardError = 0;  // standard deviation of the bootstrap rounds
};
PairedDifference pairedFidDifference(const GaussianStats& reference, const at::Tensor& a, const at::Tensor& b,
                                     const BootstrapOptions& options);

// Samples every schedule with `evaluator` (build it with the fresh seed, the
// larger sample count and sharePrefixes = false, so the times are honest).
// The first schedule is the one the others are compared with.
// `onEach`, if given, sees every result as soon as it is measured.
// Sharded evaluators (options().ranks): every rank calls this and samples its
// share; rank 0 alone scores and calls `onEach`, the others' rows hold only
// the labels, step widths and sampling times.
std::vector<Reevaluation> reevaluate(SamplingEvaluator& evaluator, const std::vector<ScheduleToReevaluate>& schedules,
                                     const BootstrapOptions& options = {},
                                     const std::function<void(const Reevaluation&)>& onEach = {});

// The same images and scores, sampled batch by batch in turn (schedule 1's
// batch 0, schedule 2's batch 0, ..., then every batch 1): a change of load
// during the run (another job, a throttled core) lands on every schedule
// alike, so the sampling seconds compare side by side. Rows are scored once
// every image is sampled.
std::vector<Reevaluation> reevaluateSideBySide(SamplingEvaluator& evaluator,
                                               const std::vector<ScheduleToReevaluate>& schedules,
                                               const BootstrapOptions& options = {});

}  // namespace ddsm
