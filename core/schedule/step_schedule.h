#pragma once
// A step-aware schedule: which network width runs at each training timestep.
//
// Axis and direction: a schedule lives on the TRAINING-TIMESTEP axis, like
// DDSM's search.txt. Index t in [0, T) is training timestep t; t = 0 is the
// clean-image end and t = T-1 the pure-noise end. Denoising runs from t = T-1
// down to t = 0. A sampler with fewer steps than T looks the schedule up at
// the timesteps it visits (respacing.h, stepWidths below).
#include <cstddef>
#include <string>
#include <vector>

namespace ddsm {

// Training timesteps t_lo..t_hi (both inclusive, t_lo <= t_hi) at one width.
struct WidthRange {
    int t_lo = 0;
    int t_hi = 0;
    double width = 1.0;
};

// A maximal run of equal width, in denoising order: the sampler enters it at
// t_begin and leaves it at t_end, so t_begin >= t_end (both inclusive).
struct ScheduleSegment {
    int t_begin = 0;
    int t_end = 0;
    double width = 1.0;
};
bool operator==(const ScheduleSegment& a, const ScheduleSegment& b);

class StepSchedule {
public:
    // Empty (T() == 0), a placeholder only; every named constructor gives T > 0.
    StepSchedule() = default;

    static StepSchedule uniform(int T, double width);
    // widths[t] is the width at training timestep t; T = widths.size().
    static StepSchedule fromWidths(std::vector<double> widths);
    // `default_width` everywhere, then each range in order (later ranges
    // override earlier ones where they overlap).
    static StepSchedule fromRanges(int T, double default_width,
                                   const std::vector<WidthRange>& ranges);
    // Maps an importance curve (T finite values, any scale, index = t) to
    // widths: importance[t] >= thresholds[i] picks widths[i] for the first such
    // i; below every threshold, the last width. Thresholds strictly descending;
    // widths has one entry more than thresholds (usually descending too, so
    // that more important steps get wider networks).
    static StepSchedule fromImportance(int T, const std::vector<double>& importance,
                                       const std::vector<double>& thresholds,
                                       const std::vector<double>& widths);
    // T-Stitch style: the first `fraction` (in [0, 1]) of the DENOISING
    // trajectory, i.e. the noisy end t >= round((1 - fraction) * T), runs at
    // `first_width`; the rest, down to t = 0, at `second_width`.
    static StepSchedule switchFraction(int T, double fraction, double first_width,
                                       double second_width);

    int T() const { return static_cast<int>(widths_.size()); }
    bool empty() const { return widths_.empty(); }

    double widthAt(int t) const;
    // Index = training timestep t.
    const std::vector<double>& widths() const { return widths_; }
    // The width at each given timestep, in the order given.
    std::vector<double> widthsAt(const std::vector<int>& timesteps) const;

    void setWidth(int t, double width);
    // t_lo..t_hi both inclusive.
    void setRange(int t_lo, int t_hi, double width);

    // Runs of equal width in denoising order: the first starts at T-1, the
    // last ends at 0.
    std::vector<ScheduleSegment> segments() const;
    // "1.0 for t 999..500, 0.5 for t 499..0", in denoising order; after
    // `max_segments` runs the rest is summarised as "and N more segments".
    std::string description(std::size_t max_segments = 6) const;

    friend bool operator==(const StepSchedule& a, const StepSchedule& b)
    {
        return a.widths_ == b.widths_;
    }
    friend bool operator!=(const StepSchedule& a, const StepSchedule& b) { return !(a == b); }

private:
    explicit StepSchedule(std::vector<double> widths) : widths_(std::move(widths)) {}
    void requireTimestep(int t) const;

    std::vector<double> widths_;
};

// The width of each step of a sampler with `steps` steps, in denoising order
// (step 0 is the noisiest): schedule.widthsAt(respacedTimesteps(T, steps)).
std::vector<double> stepWidths(const StepSchedule& schedule, int steps);

}  // namespace ddsm
