#include "tiny_model.h"
#include "tiny_net.h"

#include "engine/model_file.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"
#include "evaluation/feature_network.h"
#include "evaluation/sample_quality.h"
#include "metrics/stats_file.h"

#include <torch/torch.h>

ddsm::NetConfig tinyConfig()
{
    ddsm::NetConfig c = ddsm::test::tinyNet();
    c.baseChannels = 8;
    c.diffusion.T = 100;
    return c;
}

ddsm::NetConfig slowerConfig()
{
    ddsm::NetConfig c = tinyConfig();
    c.imageSize = 16;
    c.baseChannels = 32;
    c.normGroups = 8;
    return c;
}

int64_t writeModel(const std::string& path, const ddsm::NetConfig& config, uint64_t seed)
{
    ddsm::SlimmableUNet net(config);
    net.initialize(seed);
    ddsm::saveModel(path, net, R"({"created_by": "test_ui"})");
    int64_t count = 0;
    for (const auto& p : net.parameters())
        count += p.numel();
    return count;
}

void writeModelWithDistinctWidths(const std::string& path, const ddsm::NetConfig& config, uint64_t seed)
{
    ddsm::SlimmableUNet net(config);
    net.initialize(seed);
    torch::NoGradGuard noGrad;
    auto generator = at::detail::createCPUGenerator(seed);
    // The initialisation starts every block near the identity, which makes all
    // widths compute almost the same image; noise on every weight does not.
    for (auto& p : net.parameters())
        if (p.dim() >= 2)
            p.add_(torch::randn(p.sizes(), generator) * 0.1);
    ddsm::saveModel(path, net, R"({"created_by": "test_ui"})");
}

ddsm::NetConfig fmnistShapedConfig()
{
    ddsm::NetConfig c = tinyConfig();
    c.imageSize = 28;
    c.channels = 1;
    c.attentionLevels = {};
    return c;
}

double referenceFid(const std::string& modelPath, int steps, uint64_t seed, int samples, int batch,
                    const std::vector<double>& widthsByTimestep)
{
    torch::NoGradGuard noGrad;
    auto denoiser = ddsm::openSlimmableDenoiser(modelPath, torch::kCPU);
    auto extractor = ddsm::openFeatureExtractor("default");
    const auto reference = ddsm::loadStatsNpz(ddsm::defaultReferenceStatsPath());
    ddsm::SamplerSettings sampler;
    sampler.steps = steps;
    sampler.seed = seed;
    ddsm::SampleQualityRun run(*denoiser, *extractor, reference, at::Tensor(), ddsm::makeRecipe(sampler, widthsByTimestep));
    while (run.count() < samples)
        run.addBatch(std::min<int>(batch, samples - int(run.count())));
    return run.fid().value;
}
