#pragma once
// Architecture and diffusion settings of a slimmable denoising UNet, as JSON.
// The same description drives the network, the FLOPs count and the model file.
#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace ddsm {

struct DiffusionConfig {
    int T = 1000;
    std::string betaSchedule = "linear";  // "linear" or "cosine"
    double betaStart = 1e-4;              // linear only
    double betaEnd = 0.02;                // linear only
    std::string prediction = "epsilon";   // the network predicts the added noise
};

struct NetConfig {
    int imageSize = 28;
    int channels = 1;  // image channels in and out
    int baseChannels = 32;
    std::vector<int> channelMult{1, 2, 2};
    int numResBlocks = 2;
    std::vector<int> attentionLevels{2};  // levels (indices into channelMult) with attention
    double dropout = 0.1;
    int normGroups = 8;
    std::vector<double> widths{1.0, 0.75, 0.5, 0.25};  // descending, first is 1.0
    int divisor = 8;         // convolution channels round to a multiple of this
    int linearDivisor = 16;  // time-embedding MLP rounds to a multiple of this
    DiffusionConfig diffusion;

    int timeEmbeddingDim() const { return baseChannels * 4; }

    // Throws ddsm::Error naming the offending field.
    void validate() const;
};

nlohmann::json toJson(const DiffusionConfig& config);
nlohmann::json toJson(const NetConfig& config);
// `where` names the source (a file) in error messages.
DiffusionConfig diffusionConfigFromJson(const nlohmann::json& json, const std::string& where);
NetConfig netConfigFromJson(const nlohmann::json& json, const std::string& where);

NetConfig loadNetConfig(const std::string& path);
void saveNetConfig(const std::string& path, const NetConfig& config);

// A one-line summary, e.g. "28x28x1, ch 32 x (1,2,2), 2 res blocks, attn at 7x7, widths 1/0.75/0.5/0.25".
std::string describe(const NetConfig& config);

}  // namespace ddsm
