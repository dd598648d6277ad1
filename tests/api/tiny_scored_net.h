#pragma once
// The API suites' network: the suites' tiny UNet at 28x28x1 (the shipped
// Fashion-MNIST features' shape, so distances can be scored) with weights as
// training leaves them (perturbed_weights.h).
#include "api/ddsm_api.h"

#include "engine/model_file.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"
#include "perturbed_weights.h"
#include "tiny_net.h"

#include <torch/torch.h>

#include <opencv2/imgcodecs.hpp>

#include <filesystem>
#include <string>

namespace ddsm::test {

inline NetConfig tinyScoredNet()
{
    NetConfig c = tinyNet();
    c.imageSize = 28;
    c.baseChannels = 8;
    c.diffusion.T = 100;
    return c;
}

inline std::shared_ptr<SlimmableUNet> tinyScoredUNet()
{
    auto net = std::make_shared<SlimmableUNet>(tinyScoredNet());
    net->initialize(5);
    perturbWeights(*net, 6);
    net->eval();
    return net;
}

inline api::Model tinyScoredModel()
{
    return api::Model(std::make_shared<SlimmableDenoiser>(tinyScoredUNet(), "tiny", c10::Device(c10::kCPU)), "tiny");
}

// The same network saved as a model file at `path` and opened from it, as
// `ddsm` opens one (operations that key files by the model's sha256 need one).
inline api::Model tinyScoredModelFile(const std::string& path)
{
    saveModel(path, *tinyScoredUNet(), R"({"created_by": "test"})");
    api::OpenOptions open;
    open.path = path;
    return api::openModel(open);
}

// `count` random 28x28 grayscale PNGs in `folder` (created), a data set for the API's `data`.
inline void writeImageFolder(const std::string& folder, int count)
{
    std::filesystem::create_directories(folder);
    cv::RNG rng(3);
    for (int i = 0; i < count; ++i) {
        cv::Mat image(28, 28, CV_8UC1);
        rng.fill(image, cv::RNG::UNIFORM, 0, 256);
        cv::imwrite(folder + "/" + std::to_string(100 + i) + ".png", image);
    }
}

}  // namespace ddsm::test
