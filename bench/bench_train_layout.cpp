// Training step time in NCHW against channels-last, side by side: the wide
// architecture's training as scripts/train-wide.sh runs it (batch 64, every
// width every batch, optionally with in-place distillation), alternating the
// layout every few steps on one trainer so both see the same machine. First
// checks that one forward and backward pass gives the same loss and gradients
// in both layouts.
//
//   build/release/bench/bench_train_layout [CONFIG] [STEPS_PER_ROUND] [ROUNDS] [DISTILL]
//   (defaults: configs/fmnist-wide.json 4 4 0; 2 threads)
#include "data/dataset_spec.h"
#include "engine/inference_layout.h"
#include "engine/net_config.h"
#include "engine/slimmable_unet.h"
#include "training/trainer.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace ddsm;

namespace {

double seconds(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Loss and parameter gradients of one pass of `width` on a fixed batch.
std::pair<double, std::vector<at::Tensor>> lossAndGradients(SlimmableUNet& net, const at::Tensor& x,
                                                            const at::Tensor& t, const at::Tensor& noise, double width)
{
    net.zero_grad();
    const auto loss = (net.forward(x, t, width) - noise).pow(2).mean();
    loss.backward();
    std::vector<at::Tensor> grads;
    for (const auto& p : net.parameters())
        grads.push_back(p.grad().defined() ? p.grad().clone() : at::zeros_like(p));
    return {loss.item<double>(), grads};
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv)
{
    try {
        const std::string config = argc > 1 ? argv[1] : std::string(DDSM_SOURCE_DIR) + "/configs/fmnist-wide.json";
        const int perRound = argc > 2 ? std::atoi(argv[2]) : 4;
        const int rounds = argc > 3 ? std::atoi(argv[3]) : 4;
        const double distill = argc > 4 ? std::atof(argv[4]) : 0.0;
        torch::set_num_threads(2);
        const NetConfig net = loadNetConfig(config);
        ImageFolderOptions folder;
        folder.limit = 4096;
        const auto data = loadDataset("fashion-mnist", folder);

        // The same pass in both layouts.
        {
            SlimmableUNet model(net);
            model.initialize(1);
            model.eval();  // dropout off: the same function in both layouts (gradients still recorded)
            torch::manual_seed(2);
            const auto x = torch::randn({16, net.channels, net.imageSize, net.imageSize});
            const auto noise = torch::randn_like(x);
            const auto t = torch::randint(0, net.diffusion.T, {16}, torch::kLong);
            double worstLoss = 0, worstGrad = 0;
            for (double w : net.widths) {
                setChannelsLastTrainingEnabled(false);
                const auto [lossA, gradsA] = lossAndGradients(model, x, t, noise, w);
                setChannelsLastTrainingEnabled(true);
                const auto [lossB, gradsB] = lossAndGradients(model, x, t, noise, w);
                worstLoss = std::max(worstLoss, std::abs(lossA - lossB) / std::abs(lossA));
                // Over all parameters at once: a tensor whose true gradient is zero (the
                // attention key bias: softmax ignores a shift shared by every key) holds
                // only rounding noise, which a per-tensor ratio would magnify.
                std::vector<at::Tensor> a, b;
                for (size_t i = 0; i < gradsA.size(); ++i) {
                    a.push_back(gradsA[i].flatten());
                    b.push_back(gradsB[i].flatten());
                }
                const auto flatA = at::cat(a), flatB = at::cat(b);
                worstGrad = std::max(worstGrad, ((flatA - flatB).norm() / flatA.norm()).item<double>());
            }
            std::printf("one pass per width, 16 images: largest relative difference between the layouts, loss %.2e, "
                        "gradient vector %.2e (L2)\n",
                        worstLoss, worstGrad);
        }

        if (rounds < 1)
            return 0;
        TrainOptions options;
        options.batchSize = 64;
        options.steps = 100000;
        options.middleWidths = int(net.widths.size()) - 2;
        options.distill = distill;
        options.seed = 3;
        Trainer trainer(net, options, data.images, c10::Device(c10::kCPU));
        std::printf("%s, batch 64, %d middle widths (distinct), distill %g, 2 threads; %d rounds of %d steps per "
                    "layout, alternating\n",
                    config.c_str(), options.middleWidths, distill, rounds, perRound);
        for (bool last : {false, true}) {  // warm-up: oneDNN builds its kernels per layout
            setChannelsLastTrainingEnabled(last);
            trainer.step();
        }
        std::vector<double> nchw, last, ratio;
        for (int r = 0; r < rounds; ++r) {
            double pair[2];
            for (int layout = 0; layout < 2; ++layout) {
                setChannelsLastTrainingEnabled(layout == 1);
                const auto start = std::chrono::steady_clock::now();
                for (int i = 0; i < perRound; ++i)
                    trainer.step();
                pair[layout] = seconds(start) / perRound;
            }
            nchw.push_back(pair[0]);
            last.push_back(pair[1]);
            ratio.push_back(pair[0] / pair[1]);
            std::printf("round %d: NCHW %.3f s/step, channels-last %.3f s/step\n", r + 1, pair[0], pair[1]);
            std::fflush(stdout);
        }
        std::printf("median: NCHW %.3f s/step, channels-last %.3f s/step; channels-last is %.2fx as fast "
                    "(median of the rounds' ratios)\n",
                    median(nchw), median(last), median(ratio));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
