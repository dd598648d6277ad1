#include "engine/slimmable_denoiser.h"

#include "engine/flops.h"
#include "engine/slimmable_unet.h"

#include <torch/torch.h>

namespace ddsm {

SlimmableDenoiser::SlimmableDenoiser(std::shared_ptr<SlimmableUNet> net, std::string name, c10::Device device)
    : net_(std::move(net)), name_(std::move(name)), device_(device)
{
    net_->to(device_);
    net_->eval();
}

at::Tensor SlimmableDenoiser::predictEps(const at::Tensor& x, const at::Tensor& t, double width)
{
    torch::NoGradGuard noGrad;
    if (net_->is_training())
        net_->eval();
    return net_->forward(x.to(device_), t.to(device_), width);
}

std::vector<double> SlimmableDenoiser::widths() const { return net_->config().widths; }
int SlimmableDenoiser::imageSize() const { return net_->config().imageSize; }
int SlimmableDenoiser::channels() const { return net_->config().channels; }
const DiffusionConfig& SlimmableDenoiser::diffusion() const { return net_->config().diffusion; }
double SlimmableDenoiser::macsPerImage(double width) const { return double(totalMacs(net_->config(), width)); }

}  // namespace ddsm
