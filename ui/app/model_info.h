#pragma once
// What the interface shows about a loaded model: torch-free, so every widget
// can hold a copy and recount costs without touching the network.
#include <QString>

#include <cstdint>
#include <string>
#include <vector>

namespace ddsm::ui {

struct ModelInfo {
    QString path;                  // file it was opened from
    std::string sha256;            // of the model file it runs (describeModel), keying its stored features
    QString name;                  // short name for titles and the status bar
    int timesteps = 0;             // T, the training timesteps every schedule spans
    QString architecture;          // one line for display
    std::vector<QString> widthSources;  // per width: where it comes from (sliced sub-network or family member)
    int64_t parameterCount = 0;    // every weight of the full network
    std::vector<double> widths;    // descending, widths.front() is the full network
    std::vector<int64_t> macs;     // per image and forward pass, one per width (flops.h)
    QString device;                // torch device the network runs on, e.g. "cpu"

    bool isLoaded() const { return !widths.empty(); }
    int T() const { return timesteps; }
    double fullWidth() const { return widths.empty() ? 1.0 : widths.front(); }
};

}  // namespace ddsm::ui
