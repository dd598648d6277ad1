#pragma once
// How a width multiplier turns into channel counts. One rule set, shared by the
// network, the FLOPs count and the tests, so they can never disagree.
//
// Paper semantics (DDSM's slimmable_ops): a slimmed layer keeps the prefix
// weight[:out, :in] with out = make_divisible(out_max * w, 8).
// Where those rules break on small networks we choose rules that always work:
//  - GroupNorm uses gcd(groups, channels) groups, which equals `groups`
//    whenever the paper's layer is valid (channels a multiple of groups);
//  - a ResBlock's time projection emits exactly as many channels as the
//    convolution it is added to (the paper rounds it to 16 and the conv to 8,
//    which only agree on large networks);
//  - attention q/k/v keep the sliced channel count of their input;
//  - a sliced count never exceeds the full count.
#include <algorithm>
#include <numeric>

namespace ddsm {

// MobileNet rounding: nearest multiple of `divisor`, bumped up one step if
// rounding lost more than 10%.
inline int makeDivisible(double value, int divisor, int minValue = 1)
{
    int rounded = std::max(minValue, static_cast<int>(value + divisor / 2.0) / divisor * divisor);
    if (rounded < 0.9 * value)
        rounded += divisor;
    return rounded;
}

inline int slicedChannels(int fullChannels, double width, int divisor)
{
    if (width >= 1.0)
        return fullChannels;
    return std::min(fullChannels, makeDivisible(fullChannels * width, divisor));
}

inline int groupNormGroups(int groups, int channels) { return std::gcd(groups, channels); }

}  // namespace ddsm
