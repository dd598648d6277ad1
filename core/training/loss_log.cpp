#include "training/loss_log.h"

#include "base/atomic_file.h"
#include "base/error.h"

#include <filesystem>
#include <sstream>

namespace ddsm {
namespace {

std::string header(const std::vector<double>& widths)
{
    std::ostringstream out;
    out << "step,seconds,learning_rate,grad_norm";
    for (double w : widths)
        out << ",loss_w" << w;
    out << "\n";
    return out.str();
}

// The rows of steps 1..lastStep (whole lines only), and the seconds of the last of them.
std::string rowsUpTo(const std::string& text, int64_t lastStep, double& seconds)
{
    std::string kept;
    size_t start = text.find('\n');
    if (start == std::string::npos)
        return kept;
    kept = text.substr(0, start + 1);
    for (++start; start < text.size();) {
        const size_t end = text.find('\n', start);
        if (end == std::string::npos)
            break;  // cut short by a kill
        const std::string line = text.substr(start, end - start);
        start = end + 1;
        std::istringstream fields(line);
        long long step = 0;
        char comma = 0;
        double rowSeconds = 0;
        if (!(fields >> step >> comma >> rowSeconds) || comma != ',' || step < 1 || step > lastStep)
            continue;
        kept += line + "\n";
        seconds = rowSeconds;
    }
    return kept;
}

}  // namespace

LossLog::LossLog(const std::string& path, const std::vector<double>& widths, int64_t resumedAt) : widths_(widths)
{
    const std::string expected = header(widths);
    if (!std::filesystem::exists(path) || resumedAt == 0) {
        writeFileAtomically(path, expected);
    } else {
        const std::string text = readWholeFile(path);
        if (text.rfind(expected, 0) != 0)
            throw Error(path + ": not this run's loss log (its header differs from \"" +
                        expected.substr(0, expected.size() - 1) + "\")");
        writeFileAtomically(path, rowsUpTo(text, resumedAt, secondsBefore_));
    }
    out_.open(path, std::ios::app);
    if (!out_)
        throw Error(path + ": cannot open the loss log for writing");
}

void LossLog::append(int64_t step, double seconds, double learningRate, double gradNorm,
                     const std::vector<double>& stepWidths, const std::vector<double>& losses)
{
    out_ << step << "," << secondsBefore_ + seconds << "," << learningRate << "," << gradNorm;
    for (double w : widths_) {
        out_ << ",";
        for (size_t i = 0; i < stepWidths.size(); ++i)
            if (stepWidths[i] == w) {
                out_ << losses[i];
                break;
            }
    }
    out_ << "\n";
}

void LossLog::flush()
{
    out_.flush();
}

}  // namespace ddsm
