#include "engine/flops.h"

#include "engine/slicing_rules.h"

#include <algorithm>

namespace ddsm {

namespace {

// Walks the architecture exactly as SlimmableUNet builds it, but only with
// channel counts and resolutions.
class MacsCounter {
public:
    MacsCounter(const NetConfig& c, double w) : c_(c), w_(w) {}

    std::vector<LayerMacs> run()
    {
        const int64_t ch = c_.baseChannels;
        const int64_t tdim = slicedChannels(c_.timeEmbeddingDim(), w_, c_.linearDivisor);
        add("time_embedding.timembedding.1", "linear", ch * tdim);
        add("time_embedding.timembedding.3", "linear", tdim * tdim);
        tdim_ = tdim;

        int64_t size = c_.imageSize;
        int64_t now = slice(ch);
        add("head", "conv", size * size * c_.channels * now * 9);
        std::vector<int64_t> skips{now};
        int64_t nowFull = ch;
        int index = 0;
        for (size_t level = 0; level < c_.channelMult.size(); ++level) {
            const int64_t outFull = ch * c_.channelMult[level];
            for (int i = 0; i < c_.numResBlocks; ++i) {
                now = resBlock("downblocks." + std::to_string(index++), now, nowFull != outFull, outFull, size,
                               attention(level));
                nowFull = outFull;
                skips.push_back(now);
            }
            if (level + 1 < c_.channelMult.size()) {
                size /= 2;
                add("downblocks." + std::to_string(index++) + ".main", "conv", size * size * now * slice(nowFull) * 9);
                now = slice(nowFull);
                skips.push_back(now);
            }
        }
        now = resBlock("middleblocks.0", now, false, nowFull, size, true);
        now = resBlock("middleblocks.1", now, false, nowFull, size, false);
        index = 0;
        for (size_t level = c_.channelMult.size(); level-- > 0;) {
            const int64_t outFull = ch * c_.channelMult[level];
            for (int i = 0; i <= c_.numResBlocks; ++i) {
                const int64_t in = now + skips.back();
                skips.pop_back();
                // Decoder blocks always change channel count (concat input), so they have a shortcut.
                now = resBlock("upblocks." + std::to_string(index++), in, true, outFull, size, attention(level));
                nowFull = outFull;
            }
            if (level != 0) {
                size *= 2;
                add("upblocks." + std::to_string(index++) + ".main", "conv", size * size * now * slice(nowFull) * 9);
            }
        }
        add("tail.2", "conv", size * size * now * c_.channels * 9);
        return std::move(layers_);
    }

private:
    int64_t slice(int64_t full) const { return slicedChannels(int(full), w_, c_.divisor); }
    bool attention(size_t level) const
    {
        return std::find(c_.attentionLevels.begin(), c_.attentionLevels.end(), int(level)) != c_.attentionLevels.end();
    }
    void add(std::string layer, const char* kind, int64_t macs) { layers_.push_back({std::move(layer), kind, macs}); }

    int64_t resBlock(const std::string& name, int64_t in, bool hasShortcut, int64_t outFull, int64_t size, bool attn)
    {
        const int64_t out = slice(outFull), hw = size * size;
        add(name + ".block1.2", "conv", hw * in * out * 9);
        add(name + ".temb_proj.1", "linear", tdim_ * out);
        add(name + ".block2.3", "conv", hw * out * out * 9);
        if (hasShortcut)
            add(name + ".shortcut", "conv", hw * in * out);
        if (attn) {
            for (const char* p : {".attn.proj_q", ".attn.proj_k", ".attn.proj_v"})
                add(name + p, "conv", hw * out * out);
            add(name + ".attn", "attention-matmul", 2 * hw * hw * out);
            add(name + ".attn.proj", "conv", hw * out * out);
        }
        return out;
    }

    const NetConfig& c_;
    double w_;
    int64_t tdim_ = 0;
    std::vector<LayerMacs> layers_;
};

}  // namespace

std::vector<LayerMacs> countLayerMacs(const NetConfig& config, double width) { return MacsCounter(config, width).run(); }

int64_t totalMacs(const NetConfig& config, double width)
{
    int64_t total = 0;
    for (const auto& layer : countLayerMacs(config, width))
        total += layer.macs;
    return total;
}

}  // namespace ddsm
