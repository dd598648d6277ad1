#pragma once
// A sampling job as the interface describes it, and what it sends back.
// Torch-free: the worker translates these to the engine's sampler types.
#include "sampler_choice.h"

#include <QImage>
#include <QRect>
#include <QString>

#include <cstdint>
#include <string>
#include <vector>

namespace ddsm::ui {

// How the tiles of a grid image are laid out (the same rule as io/image_grid.h).
struct GridGeometry {
    int count = 0;
    int columns = 1;
    int tileSize = 0;  // pixels, after upscaling
    int padding = 2;
    // Index of the tile under `x, y` in grid pixels, or -1 between tiles.
    int tileAt(int x, int y) const;
    // The pixel rectangle of tile `index`.
    QRect tileRect(int index) const;
};

struct SamplingRequest {
    SamplerChoice sampler;
    std::vector<double> stepWidths;  // one per sampler step, denoising order (step 0 the noisiest)
    bool sendFrames = true;          // per-step grids of x_t and predicted x0
};

// One denoising step as seen by the interface. x_t is the state after the
// step, so the last frame's x_t is the finished grid.
struct StepFrame {
    int job = 0;
    int step = 0;      // 0-based
    int steps = 0;
    int timestep = 0;  // training timestep the network saw
    double width = 1.0;
    QImage xt;
    QImage x0;
    GridGeometry grid;
};

struct SamplingOutcome {
    int job = 0;
    bool cancelled = false;
    bool failed = false;
    QString error;
    int stepsRun = 0;
    double seconds = 0;
    QImage finalGrid;         // the images after the last step run
    GridGeometry grid;
    std::string samplerText;  // the engine's own description of the sampler settings
};

}  // namespace ddsm::ui
