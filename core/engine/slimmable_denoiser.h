#pragma once
// A Denoiser backed by one SlimmableUNet.
#include "engine/denoiser.h"

#include <memory>

namespace ddsm {

class SlimmableUNet;

class SlimmableDenoiser : public Denoiser {
public:
    SlimmableDenoiser(std::shared_ptr<SlimmableUNet> net, std::string name, c10::Device device);

    at::Tensor predictEps(const at::Tensor& x, const at::Tensor& t, double width) override;
    std::vector<double> widths() const override;
    int imageSize() const override;
    int channels() const override;
    const DiffusionConfig& diffusion() const override;
    double macsPerImage(double width) const override;
    std::string name() const override { return name_; }
    c10::Device device() const override { return device_; }

    SlimmableUNet& net() { return *net_; }

private:
    std::shared_ptr<SlimmableUNet> net_;
    std::string name_;
    c10::Device device_;
};

}  // namespace ddsm
