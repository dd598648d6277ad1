#include "training/training_run.h"

#include "distributed/process_group.h"
#include "engine/diffusion.h"
#include "engine/flops.h"
#include "engine/model_file.h"
#include "engine/sampler.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"
#include "io/image_grid.h"
#include "io/png_text.h"
#include "schedule/respacing.h"
#include "training/loss_log.h"
#include "training/trainer.h"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <optional>
#include <sstream>

namespace ddsm {

namespace {

std::string formatWidthName(double w)
{
    std::ostringstream out;
    out << w;
    return out.str();
}

void writeSampleGrids(Trainer& trainer, const TrainingRunSettings& s)
{
    const auto& c = trainer.config();
    SlimmableDenoiser denoiser(trainer.emaShared(), "ema", c10::Device(c10::kCPU));
    GaussianDiffusion diffusion(c.diffusion);
    SamplerSettings sampler;
    sampler.steps = s.sampleSteps;
    const auto timesteps = respacedTimesteps(c.diffusion.T, s.sampleSteps);
    const std::string dir = s.outDir + "/samples";
    std::filesystem::create_directories(dir);
    for (double width : c.widths) {
        SamplerRun run;
        run.timesteps = timesteps;
        run.stepWidths.assign(timesteps.size(), width);
        run.x = initialNoise(sampler.seed, 0, s.sampleCount, c.channels, c.imageSize);
        auto images = runSampler(denoiser, diffusion, sampler, run).images;
        char name[64];
        std::snprintf(name, sizeof name, "/step-%07lld-w%s.png", static_cast<long long>(trainer.completedSteps()),
                      formatWidthName(width).c_str());
        GridOptions grid;
        grid.upscale = c.imageSize < 64 ? 2 : 1;
        writePngWithText(dir + name, makeImageGrid(images, grid),
                         {{"ddsm-settings", nlohmann::json{{"width", width},
                                                           {"step", trainer.completedSteps()},
                                                           {"sampler", sampler.toString()}}
                                                .dump()}});
    }
    trainer.model().train();
}

void exportModel(Trainer& trainer, const TrainingRunSettings& s)
{
    const nlohmann::json provenance{{"created_by", "ddsm train"},
                                    {"weights", "EMA"},
                                    {"steps", trainer.completedSteps()},
                                    {"dataset", s.datasetDescription},
                                    {"options", toJson(trainer.options())}};
    saveModel(s.outDir + "/model.safetensors", trainer.ema(), provenance.dump());
}

}  // namespace

int64_t runTraining(Trainer& trainer, const TrainingRunSettings& s, const TrainingProgressCallback& progress,
                    const std::atomic<bool>* cancel)
{
    // Rank 0 alone writes (and reports); checkpoints and the model are
    // written atomically, so a rank that dies leaves the last whole one.
    ProcessGroup& group = trainer.processGroup();
    const bool main = group.isMain();
    trainer.synchronizeRanks();
    const auto& c = trainer.config();
    std::optional<LossLog> log;
    if (main) {
        std::filesystem::create_directories(s.outDir);
        log.emplace(s.outDir + "/loss.csv", c.widths, trainer.completedSteps());
    }
    std::vector<double> macs;
    for (double w : c.widths)
        macs.push_back(double(totalMacs(c, w)));

    const int64_t total = trainer.options().steps;
    auto report = [&](TrainingProgress p) {
        if (progress && main)
            progress(p);
    };
    auto checkpoint = [&] {
        if (!main)
            return;
        log->flush();  // the rows the checkpoint holds, on disk before it
        trainer.saveCheckpoint(s.outDir + "/checkpoint.safetensors",
                               {{"dataset", s.datasetDescription}, {"data_spec", s.dataSpec}});
        exportModel(trainer, s);
    };
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    auto intervalStart = start;
    int64_t intervalSteps = 0;
    double intervalLoss = 0, intervalMacs = 0;

    while (trainer.completedSteps() < total) {
        // All ranks stop at the same step when any of them is asked to.
        const bool stop = cancel && cancel->load();
        if (group.worldSize() > 1 ? group.allReduceMax(stop ? 1 : 0, "agreeing whether to stop") > 0 : stop)
            break;
        const auto stats = trainer.step();
        ++intervalSteps;
        intervalLoss += stats.losses.front();
        for (double w : stats.widths)
            for (size_t i = 0; i < c.widths.size(); ++i)
                if (c.widths[i] == w)
                    intervalMacs += 3.0 * macs[i] * trainer.options().batchSize;

        if (main)
            log->append(stats.step, std::chrono::duration<double>(Clock::now() - start).count(), stats.learningRate,
                        stats.gradNorm, stats.widths, stats.losses);

        if (stats.step % s.progressEvery == 0 || stats.step == total) {
            const double seconds = std::chrono::duration<double>(Clock::now() - intervalStart).count();
            TrainingProgress p;
            p.step = stats.step;
            p.totalSteps = total;
            p.stepsPerSecond = intervalSteps / std::max(seconds, 1e-9);
            p.samplesPerSecond = p.stepsPerSecond * trainer.options().batchSize;
            p.etaSeconds = (total - stats.step) / std::max(p.stepsPerSecond, 1e-9);
            p.recentLoss = intervalLoss / std::max<int64_t>(intervalSteps, 1);
            p.achievedGflops = 2.0 * intervalMacs / std::max(seconds, 1e-9) * 1e-9;
            report(p);
            intervalStart = Clock::now();
            intervalSteps = 0;
            intervalLoss = intervalMacs = 0;
            if (main)
                log->flush();  // for whoever plots the log as it grows
        }
        if (s.checkpointEvery > 0 && stats.step % s.checkpointEvery == 0)
            checkpoint();
        if (main && s.sampleEvery > 0 && stats.step % s.sampleEvery == 0)
            writeSampleGrids(trainer, s);
    }
    checkpoint();
    TrainingProgress done;
    done.step = trainer.completedSteps();
    done.totalSteps = total;
    done.message = trainer.completedSteps() < total ? "stopped; checkpoint saved, continue with --resume"
                                                    : "finished; model saved";
    report(done);
    return trainer.completedSteps();
}

}  // namespace ddsm
