#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

namespace ddsm {

// loss.csv of a training run: one row per optimizer step (step, seconds,
// learning rate, gradient norm, then the loss of each width the step trained,
// empty for the others).
//
// The log follows the checkpoint: rows reach the disk before each checkpoint
// is written, and a resumed run first drops the rows its checkpoint does not
// hold (steps logged after it by the run that stopped, a row cut short by a
// kill), so every step appears once, whatever stopped the run. Seconds count
// training time across resumes.
class LossLog {
public:
    // Opens (or creates, with its header) `path`; `resumedAt` is the step the
    // run starts from (0 for a fresh run).
    LossLog(const std::string& path, const std::vector<double>& widths, int64_t resumedAt);

    void append(int64_t step, double seconds, double learningRate, double gradNorm,
                const std::vector<double>& stepWidths, const std::vector<double>& losses);
    void flush();

private:
    std::vector<double> widths_;
    std::ofstream out_;
    double secondsBefore_ = 0;  // training time of the runs this one resumes
};

}  // namespace ddsm
