#pragma once
// Supervised training of the feature classifier: Adam on cross-entropy, the
// batch order from a seeded BatchSampler, test accuracy after every epoch.
#include "evaluation/feature_classifier.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>

namespace ddsm {

struct ClassifierTrainOptions {
    int epochs = 3;
    int64_t batchSize = 128;
    double learningRate = 1e-3;
    uint64_t seed = 0;
};

struct ClassifierEpoch {
    int epoch = 0;            // 1-based, just completed
    double trainLoss = 0;     // mean cross-entropy over the epoch
    double testAccuracy = 0;  // fraction of test images classified correctly
    double seconds = 0;       // since training started
};

// images [N, C, S, S] in [-1, 1], labels int64 [N] in [0, classes). Returns
// the last epoch. `onBatch(done, total)` reports batches within an epoch.
// Throws ddsm::Error for mismatched shapes or labels out of range.
ClassifierEpoch trainClassifier(FeatureClassifier& net, const at::Tensor& trainImages, const at::Tensor& trainLabels,
                                const at::Tensor& testImages, const at::Tensor& testLabels,
                                const ClassifierTrainOptions& options,
                                const std::function<void(const ClassifierEpoch&)>& onEpoch = {},
                                const std::function<void(int64_t, int64_t)>& onBatch = {});

// A classifier with initial weights drawn from `seed` (torch's global generator).
FeatureClassifier makeClassifier(const ClassifierConfig& config, uint64_t seed);

// Fraction of `images` whose arg-max logit equals the label.
double classifierAccuracy(FeatureClassifier& net, const at::Tensor& images, const at::Tensor& labels);

}  // namespace ddsm
