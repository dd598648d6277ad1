// Data parallelism on this machine: training and FID-sampling throughput on
// 1 vs 2 ranks (one thread each, started by the `ddsm launch` launcher), the
// time of one all-reduce of the default model's and the CIFAR-10 network's
// gradients on 127.0.0.1, and from those figures an estimate of the speed-up
// at 8 and 64 ranks on a 10 Gb/s network.
//
//   build/release/bench/bench_distributed > bench/results/distributed.txt
//
// The program runs itself as the ranks (bench_distributed --worker KIND ...);
// rank 0 writes its figure to the file named by DDSM_BENCH_RESULT.
#include "distributed/launcher.h"
#include "distributed/process_group.h"
#include "data/dataset_spec.h"
#include "engine/diffusion.h"
#include "engine/model_file.h"
#include "engine/net_config.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"
#include "evaluation/feature_extractor.h"
#include "evaluation/feature_network.h"
#include "evaluation/sample_quality.h"
#include "schedule/respacing.h"
#include "training/trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

using namespace ddsm;

namespace {

const std::string kSource = DDSM_SOURCE_DIR;
const std::string kDefaultModel = kSource + "/models/fmnist-default.safetensors";
const std::string kCifarConfig = kSource + "/configs/ddpm-cifar10.json";
constexpr int kTrainBatch = 64, kTrainSteps = 6, kFidImages = 48, kFidBatch = 8, kFidSteps = 10;

double seconds(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void writeResult(ProcessGroup& group, double value)
{
    if (!group.isMain())
        return;
    std::ofstream(std::getenv("DDSM_BENCH_RESULT")) << value << "\n";
}

// Median seconds of one all-reduce of gradients shaped like `net`'s parameters.
void allReduceWorker(ProcessGroup& group, const std::string& which)
{
    std::shared_ptr<SlimmableUNet> net =
        which == "cifar" ? std::make_shared<SlimmableUNet>(loadNetConfig(kCifarConfig)) : loadModel(kDefaultModel).net;
    std::vector<at::Tensor> grads;
    for (const auto& p : net->parameters())
        grads.push_back(torch::ones_like(p));
    std::vector<double> times;
    for (int i = 0; i < 7; ++i) {
        group.barrier("bench");
        const auto start = std::chrono::steady_clock::now();
        group.allReduceSum(grads, "bench all-reduce");
        times.push_back(seconds(start));
    }
    times.erase(times.begin(), times.begin() + 2);  // warm-up: connections, buffers
    std::sort(times.begin(), times.end());
    writeResult(group, times[times.size() / 2]);
}

// Training samples per second (the sandwich rule, global batch kTrainBatch).
void trainWorker(ProcessGroup& group)
{
    const auto model = loadModel(kDefaultModel);
    ImageFolderOptions folder;
    folder.limit = 1024;
    const auto data = loadDataset("fashion-mnist", folder);
    TrainOptions options;
    options.batchSize = kTrainBatch;
    options.steps = 1000;
    Trainer trainer(model.config, options, data.images, c10::Device(c10::kCPU));
    trainer.joinProcessGroup(std::shared_ptr<ProcessGroup>(&group, [](ProcessGroup*) {}));
    trainer.synchronizeRanks();
    trainer.step();  // warm-up
    group.barrier("bench");
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kTrainSteps; ++i)
        trainer.step();
    group.barrier("bench");
    writeResult(group, kTrainSteps * kTrainBatch / seconds(start));
}

// FID sampling images per second: DDIM steps plus features, batches dealt out
// round-robin and features gathered, as `ddsm fid` does.
void fidWorker(ProcessGroup& group)
{
    auto model = loadModel(kDefaultModel);
    SlimmableDenoiser denoiser(model.net, "default", c10::Device(c10::kCPU));
    auto extractor = openFeatureExtractor("default", {});
    const GaussianDiffusion diffusion(model.config.diffusion);
    SampleRecipe recipe;
    recipe.sampler.steps = kFidSteps;
    recipe.timesteps = respacedTimesteps(model.config.diffusion.T, kFidSteps);
    recipe.stepWidths.assign(recipe.timesteps.size(), 1.0);
    sampleFeatures(denoiser, diffusion, recipe, *extractor, 0, 2);  // warm-up
    group.barrier("bench");
    const auto start = std::chrono::steady_clock::now();
    int64_t gathered = 0;
    for (int round = 0; gathered < kFidImages; ++round) {
        const int first = int(gathered) + group.rank() * kFidBatch;
        auto mine = first < kFidImages ? sampleFeatures(denoiser, diffusion, recipe, *extractor, first,
                                                        std::min(kFidBatch, kFidImages - first))
                                       : torch::empty({0, extractor->dim()});
        for (const auto& f : group.allGatherRows(mine, "bench gather"))
            gathered += f.size(0);
    }
    writeResult(group, kFidImages / seconds(start));
}

int worker(const std::string& kind, const std::string& argument)
{
    torch::set_num_threads(1);
    auto group = ProcessGroup::create(distributedConfigFromEnvironment());
    if (kind == "allreduce")
        allReduceWorker(*group, argument);
    else if (kind == "train")
        trainWorker(*group);
    else
        fidWorker(*group);
    return 0;
}

// Runs `nproc` ranks of one worker kind and returns rank 0's figure.
double measure(int nproc, const std::string& kind, const std::string& argument = "-")
{
    const std::string result = "/tmp/ddsm-bench-distributed-" + std::to_string(::getpid()) + ".txt";
    ::setenv("DDSM_BENCH_RESULT", result.c_str(), 1);
    LaunchOptions options;
    options.nproc = nproc;
    options.masterPort = 0;
    options.command = {"/proc/self/exe", "--worker", kind, argument};
    if (launchLocalRanks(options, [](const std::string&) {}) != 0)
        throw std::runtime_error("the " + kind + " ranks failed");
    double value = 0;
    std::ifstream(result) >> value;
    std::remove(result.c_str());
    return value;
}

double loadAverage()
{
    double load = 0;
    std::ifstream("/proc/loadavg") >> load;
    return load;
}

int64_t parameterCount(SlimmableUNet& net)
{
    int64_t n = 0;
    for (const auto& p : net.parameters())
        n += p.numel();
    return n;
}

}  // namespace

int main(int argc, char** argv)
{
    if (argc >= 4 && std::string(argv[1]) == "--worker")
        return worker(argv[2], argv[3]);

    SlimmableUNet cifar(loadNetConfig(kCifarConfig));
    const int64_t defaultParams = parameterCount(*loadModel(kDefaultModel).net), cifarParams = parameterCount(cifar);
    std::printf("Data-parallel figures on this machine (%u cores, load average %.1f at the start), ranks on "
                "127.0.0.1, one thread per rank\n\n",
                std::thread::hardware_concurrency(), loadAverage());

    const double arDefault = measure(2, "allreduce", "default"), arCifar = measure(2, "allreduce", "cifar");
    std::printf("all-reduce of the gradients, 2 ranks (median of 5, Gloo ring, 25 MB buckets):\n");
    std::printf("  default model  %6.2fM parameters (%6.1f MB): %8.2f ms\n", defaultParams / 1e6, defaultParams * 4 / 1e6,
                arDefault * 1e3);
    std::printf("  CIFAR-10 UNet  %6.2fM parameters (%6.1f MB): %8.2f ms\n\n", cifarParams / 1e6, cifarParams * 4 / 1e6,
                arCifar * 1e3);

    const double train1 = measure(1, "train"), train2 = measure(2, "train");
    std::printf("training, default model, sandwich rule, global batch %d (%d timed steps):\n", kTrainBatch, kTrainSteps);
    std::printf("  1 rank : %7.1f samples/s\n  2 ranks: %7.1f samples/s   speed-up %.2fx\n\n", train1, train2,
                train2 / train1);
    const double fid1 = measure(1, "fid"), fid2 = measure(2, "fid");
    std::printf("FID sampling, default model, DDIM %d steps + features, %d images in batches of %d:\n", kFidSteps,
                kFidImages, kFidBatch);
    std::printf("  1 rank : %7.2f images/s\n  2 ranks: %7.2f images/s   speed-up %.2fx\n\n", fid1, fid2, fid2 / fid1);

    // Estimate: ring all-reduce moves 2 (N-1)/N of the gradient bytes through
    // each link and takes 2 (N-1) latency-bound hops; compute per rank shrinks
    // with its share of the batch (strong scaling) or stays (weak scaling).
    const double bandwidth = 10e9 / 8, hop = 50e-6;  // 10 Gb/s; 50 us per message, typical of TCP on Ethernet
    const double step1 = kTrainBatch / train1;        // seconds per step on one rank
    std::printf("ESTIMATE (a model, not a measurement) at 10 Gb/s, 50 us per hop, from the figures above:\n");
    std::printf("  one step on one rank takes %.3f s (batch %d); all-reduce time t(N) = 2(N-1)/N x bytes / 1.25 GB/s "
                "+ 2(N-1) x 50 us\n",
                step1, kTrainBatch);
    for (int n : {8, 64}) {
        const double allReduce = 2.0 * (n - 1) / n * double(defaultParams) * 4 / bandwidth + 2.0 * (n - 1) * hop;
        std::printf("  default model, %2d ranks: all-reduce %.1f ms; weak scaling (batch %d per rank) %.1fx, strong "
                    "scaling (global batch %d) %.1fx\n",
                    n, allReduce * 1e3, kTrainBatch, n * step1 / (step1 + allReduce), kTrainBatch,
                    step1 / (step1 / n + allReduce));
    }
    // The CIFAR-10 step is not timed here (minutes per step on one core); what
    // scaling needs is a step that is long against its all-reduce.
    for (int n : {8, 64}) {
        const double allReduce = 2.0 * (n - 1) / n * double(cifarParams) * 4 / bandwidth + 2.0 * (n - 1) * hop;
        std::printf("  CIFAR-10 UNet, %2d ranks: all-reduce %.0f ms; 90%% efficiency needs a step of at least %.2f s per "
                    "rank (without overlapping the all-reduce with the backward pass)\n",
                    n, allReduce * 1e3, 9 * allReduce);
    }
    std::printf("  FID sampling gathers 128 floats (512 bytes) per image, microseconds against ~%.0f ms of sampling per "
                "image: with a core per rank the speed-up is about N (8x, 64x); the 2-rank figure above is only as "
                "good as the free cores (load average %.1f when it ran)\n",
                1e3 / fid1, loadAverage());
    std::printf("  Strong scaling at 64 ranks gives each rank one image of the batch of 64, where a CPU step is "
                "less efficient than this linear model assumes.\n");
    return 0;
}
