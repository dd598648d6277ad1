#pragma once
// The penultimate features of a feature classifier file.
#include "evaluation/classifier_file.h"
#include "evaluation/feature_extractor.h"

namespace ddsm {

class ClassifierFeatures : public FeatureExtractor {
public:
    explicit ClassifierFeatures(LoadedClassifier classifier);

    // The file's feature name and the first 8 hex digits of its SHA-256,
    // e.g. "fmnist-cnn-128@1a2b3c4d": retrained weights are another space.
    std::string name() const override;
    int64_t dim() const override;
    // Images must be [B, channels, S, S] of the classifier's architecture.
    at::Tensor features(const at::Tensor& images) override;

    const LoadedClassifier& classifier() const { return classifier_; }

private:
    LoadedClassifier classifier_;
};

}  // namespace ddsm
