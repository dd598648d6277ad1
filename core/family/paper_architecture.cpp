#include "family/paper_architecture.h"

#include "base/error.h"
#include "engine/slicing_rules.h"

#include <algorithm>
#include <set>

namespace ddsm {

namespace {

constexpr int kPaperNormGroups = 32;

std::string shapeText(const std::vector<int64_t>& shape)
{
    std::string out = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + "]";
}

class ShapeReader {
public:
    ShapeReader(const TensorShapes& shapes, const std::string& where) : shapes_(shapes), where_(where) {}

    bool has(const std::string& name) const { return shapes_.count(name) != 0; }

    // The shape of `name`, which must have `rank` dimensions.
    const std::vector<int64_t>& need(const std::string& name, size_t rank) const
    {
        const auto it = shapes_.find(name);
        if (it == shapes_.end())
            fail("no tensor \"" + name + "\"");
        if (it->second.size() != rank)
            fail("tensor \"" + name + "\" has shape " + shapeText(it->second) + ", expected " + std::to_string(rank) +
                 " dimensions");
        return it->second;
    }

    [[noreturn]] void fail(const std::string& what) const
    {
        throw Error(where_ + ": not a state dict of the paper's SlimmableUNet: " + what);
    }

private:
    const TensorShapes& shapes_;
    const std::string& where_;
};

struct DownBlock {
    bool resample = false;
    int64_t outChannels = 0;
    bool attention = false;
};

std::vector<DownBlock> readDownBlocks(const ShapeReader& reader)
{
    std::vector<DownBlock> blocks;
    for (int i = 0;; ++i) {
        const std::string prefix = "downblocks." + std::to_string(i) + ".";
        DownBlock block;
        if (reader.has(prefix + "block1.2.weight")) {
            block.outChannels = reader.need(prefix + "block1.2.weight", 4)[0];
            block.attention = reader.has(prefix + "attn.proj_q.weight");
        } else if (reader.has(prefix + "main.weight")) {
            block.resample = true;
            block.outChannels = reader.need(prefix + "main.weight", 4)[0];
        } else {
            break;
        }
        blocks.push_back(block);
    }
    if (blocks.empty())
        reader.fail("no tensor \"downblocks.0.block1.2.weight\"");
    if (blocks.back().resample)
        reader.fail("downblocks." + std::to_string(blocks.size() - 1) + " is a downsampling conv with no level after it");
    return blocks;
}

}  // namespace

NetConfig inferPaperArchitecture(const TensorShapes& shapes, int imageSize, const std::string& where)
{
    const ShapeReader reader(shapes, where);
    const auto& head = reader.need("head.weight", 4);
    const auto& table = reader.need("time_embedding.timembedding.0.weight", 2);
    const auto& time1 = reader.need("time_embedding.timembedding.1.weight", 2);
    const int64_t ch = head[0];
    if (table[1] != ch)
        reader.fail("time embedding table is " + shapeText(table) + " but head.weight has " + std::to_string(ch) +
                    " output channels");
    if (time1[0] != 4 * ch || time1[1] != ch)
        reader.fail("time_embedding.timembedding.1.weight is " + shapeText(time1) + ", expected [" +
                    std::to_string(4 * ch) + ", " + std::to_string(ch) + "] (time embedding width 4 x ch)");

    NetConfig config;
    config.imageSize = imageSize;
    config.channels = int(head[1]);
    config.baseChannels = int(ch);
    config.normGroups = kPaperNormGroups;
    config.dropout = 0.1;
    config.divisor = 8;
    config.linearDivisor = 16;
    config.diffusion = DiffusionConfig{};  // linear 1e-4..0.02, epsilon: the paper's settings
    config.diffusion.T = int(table[0]);
    config.channelMult.clear();
    config.attentionLevels.clear();

    const std::vector<DownBlock> blocks = readDownBlocks(reader);
    int resBlocksInLevel = 0;
    config.numResBlocks = 0;
    for (size_t i = 0; i < blocks.size(); ++i) {
        const DownBlock& b = blocks[i];
        const std::string name = "downblocks." + std::to_string(i);
        if (b.resample) {
            if (resBlocksInLevel == 0)
                reader.fail(name + " downsamples a level that has no residual block");
            resBlocksInLevel = 0;
            continue;
        }
        const int level = int(config.channelMult.size()) - (resBlocksInLevel > 0 ? 1 : 0);
        if (resBlocksInLevel == 0) {
            if (b.outChannels % ch != 0)
                reader.fail(name + ".block1.2.weight has " + std::to_string(b.outChannels) +
                            " output channels, not a multiple of ch " + std::to_string(ch));
            config.channelMult.push_back(int(b.outChannels / ch));
            if (b.attention)
                config.attentionLevels.push_back(level);
        } else if (b.outChannels != ch * config.channelMult.back()) {
            reader.fail(name + ".block1.2.weight has " + std::to_string(b.outChannels) +
                        " output channels, the other blocks of its level " + std::to_string(ch * config.channelMult.back()));
        } else if (b.attention != (!config.attentionLevels.empty() && config.attentionLevels.back() == level)) {
            reader.fail(name + (b.attention ? " has" : " lacks") + " attention, unlike the other blocks of its level");
        }
        ++resBlocksInLevel;
        const bool levelEnds = i + 1 == blocks.size() || blocks[i + 1].resample;
        if (levelEnds) {
            if (config.numResBlocks == 0)
                config.numResBlocks = resBlocksInLevel;
            else if (resBlocksInLevel != config.numResBlocks)
                reader.fail("level " + std::to_string(level) + " has " + std::to_string(resBlocksInLevel) +
                            " residual blocks, level 0 has " + std::to_string(config.numResBlocks));
        }
    }
    config.widths = {1.0};
    try {
        config.validate();
    } catch (const Error& e) {
        throw Error(where + ": inferred architecture is not valid: " + e.what());
    }
    config.widths = paperWidthsFor(config);
    return config;
}

bool paperRunsAtWidth(const NetConfig& c, double width)
{
    // Full channel counts of the layers whose slicing can fail, and whether
    // they feed an attention block.
    std::map<int64_t, bool> counts{{c.baseChannels, false}};
    for (size_t level = 0; level < c.channelMult.size(); ++level) {
        const bool attention = std::count(c.attentionLevels.begin(), c.attentionLevels.end(), int(level)) > 0 ||
                               level + 1 == c.channelMult.size();  // the middle blocks' attention
        counts[int64_t(c.baseChannels) * c.channelMult[level]] |= attention;
    }
    for (const auto& [full, attention] : counts) {
        const double scaled = double(full) * width;
        const int conv = width >= 1.0 ? int(full) : makeDivisible(scaled, c.divisor);
        if (conv % kPaperNormGroups != 0)
            return false;
        if (width < 1.0 && makeDivisible(scaled, c.linearDivisor) != conv)
            return false;
        if (attention && width < 1.0 && makeDivisible(scaled, 1) != conv)
            return false;
    }
    return true;
}

std::vector<double> paperWidthsFor(const NetConfig& config)
{
    std::vector<double> widths{1.0};  // a trained checkpoint ran at full width, whatever the rules say
    for (double w : {0.75, 0.5, 0.25})
        if (paperRunsAtWidth(config, w))
            widths.push_back(w);
    return widths;
}

}  // namespace ddsm
