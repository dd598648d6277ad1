#pragma once
// Stand-ins with known behaviour, so that evaluation results have closed forms.
#include "engine/denoiser.h"
#include "evaluation/feature_extractor.h"

#include <ATen/ATen.h>

namespace ddsm::testing {

// eps = (1 - width) * offset: every width equals full width when offset = 0,
// and a narrow width departs by exactly ((1 - width) * offset)^2 per element.
class OffsetDenoiser : public Denoiser {
public:
    explicit OffsetDenoiser(double offset, int T = 100) : offset_(offset) { config_.T = T; }
    at::Tensor predictEps(const at::Tensor& x, const at::Tensor&, double width) override
    {
        return at::full_like(x, (1.0 - width) * offset_);
    }
    std::vector<double> widths() const override { return {1.0, 0.5, 0.25}; }
    int imageSize() const override { return 4; }
    int channels() const override { return 1; }
    const DiffusionConfig& diffusion() const override { return config_; }
    double macsPerImage(double width) const override { return 100 * width * width; }
    std::string name() const override { return "offset"; }
    c10::Device device() const override { return c10::kCPU; }

private:
    double offset_;
    DiffusionConfig config_;
};

// Features: the 16 pixels of a 1x4x4 image, flattened.
class PixelFeatures : public FeatureExtractor {
public:
    std::string name() const override { return "pixels"; }
    int64_t dim() const override { return 16; }
    at::Tensor features(const at::Tensor& images) override { return images.reshape({images.size(0), -1}).to(at::kFloat); }
};

}  // namespace ddsm::testing
