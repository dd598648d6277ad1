#pragma once
// Where the interface's quality numbers are measured: the shipped feature
// network and reference statistics (evaluation/feature_network.h), checked
// against the model before any sampling starts. Worker side only (torch).
#include "full_width_features.h"
#include "metrics/gaussian_stats.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <memory>

namespace ddsm {
class Denoiser;
class FeatureExtractor;
}  // namespace ddsm

namespace ddsm::ui {

struct QualitySpace {
    std::shared_ptr<FeatureExtractor> extractor;
    GaussianStats reference;
    at::Tensor kidReference;  // real-image features for KID; undefined without the dataset
};

// Throws ddsm::Error naming what is missing or does not fit: no shipped
// classifier or statistics, statistics of another feature network, or a model
// whose images the feature network cannot take.
QualitySpace openQualitySpace(const Denoiser& denoiser, bool withKidReference);

// Every edit starts a new quality run: the feature network, statistics and
// real-image features are read once and reused while the image shape stays.
// Used on the worker thread only.
class QualitySpaceCache {
public:
    // Throws like openQualitySpace; a failure is not cached.
    const QualitySpace& get(const Denoiser& denoiser, bool withKidReference);
    FullWidthFeatures& fullWidth() { return fullWidth_; }

private:
    std::unique_ptr<QualitySpace> space_;
    int64_t channels_ = 0, imageSize_ = 0;
    bool kidTried_ = false;  // the KID reference was asked for (it may be missing)
    FullWidthFeatures fullWidth_;
};

}  // namespace ddsm::ui
