#include "evaluation/classifier_training.h"

#include "base/error.h"
#include "data/batch_sampler.h"
#include "metrics/tensor_checks.h"

#include <torch/torch.h>

#include <chrono>

namespace ddsm {

namespace {

void checkLabelled(const FeatureClassifier& net, const at::Tensor& images, const at::Tensor& labels,
                   const std::string& what)
{
    const auto& c = net->config();
    if (images.dim() != 4 || images.size(1) != c.channels || images.size(2) != c.imageSize ||
        images.size(3) != c.imageSize)
        throw Error(what + " images must be [N, " + std::to_string(c.channels) + ", " + std::to_string(c.imageSize) +
                    ", " + std::to_string(c.imageSize) + "], got " + shapeString(images));
    if (!labels.defined() || labels.dim() != 1 || labels.size(0) != images.size(0))
        throw Error(what + " data needs one label per image");
    if (labels.numel() > 0 && (labels.min().item<int64_t>() < 0 || labels.max().item<int64_t>() >= c.classes))
        throw Error(what + " labels must be in [0, " + std::to_string(c.classes) + ")");
}

}  // namespace

FeatureClassifier makeClassifier(const ClassifierConfig& config, uint64_t seed)
{
    torch::manual_seed(seed);
    return FeatureClassifier(config);
}

double classifierAccuracy(FeatureClassifier& net, const at::Tensor& images, const at::Tensor& labels)
{
    checkLabelled(net, images, labels, "test");
    torch::NoGradGuard noGrad;
    net->eval();
    int64_t correct = 0;
    for (int64_t begin = 0; begin < images.size(0); begin += 1000) {
        const int64_t end = std::min(images.size(0), begin + 1000);
        const auto predicted = net->forward(images.slice(0, begin, end)).argmax(1);
        correct += predicted.eq(labels.slice(0, begin, end)).sum().item<int64_t>();
    }
    return images.size(0) > 0 ? double(correct) / double(images.size(0)) : 0.0;
}

ClassifierEpoch trainClassifier(FeatureClassifier& net, const at::Tensor& trainImages, const at::Tensor& trainLabels,
                                const at::Tensor& testImages, const at::Tensor& testLabels,
                                const ClassifierTrainOptions& options,
                                const std::function<void(const ClassifierEpoch&)>& onEpoch,
                                const std::function<void(int64_t, int64_t)>& onBatch)
{
    checkLabelled(net, trainImages, trainLabels, "training");
    checkLabelled(net, testImages, testLabels, "test");
    if (options.epochs < 1 || options.batchSize < 1 || !(options.learningRate > 0))
        throw Error("classifier training needs epochs >= 1, batch size >= 1 and a positive learning rate");
    // Dropout draws from the global generator.
    torch::manual_seed(options.seed);
    torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(options.learningRate));
    BatchSampler sampler(trainImages.size(0), options.batchSize, options.seed);
    const auto start = std::chrono::steady_clock::now();
    ClassifierEpoch result;
    for (int epoch = 1; epoch <= options.epochs; ++epoch) {
        net->train();
        double lossSum = 0;
        const int64_t batches = sampler.batchesPerEpoch();
        for (int64_t b = 0; b < batches; ++b) {
            const auto indices = sampler.nextIndices();
            optimizer.zero_grad();
            auto loss = torch::cross_entropy_loss(net->forward(trainImages.index_select(0, indices)),
                                                  trainLabels.index_select(0, indices));
            loss.backward();
            optimizer.step();
            lossSum += loss.item<double>();
            if (onBatch)
                onBatch(b + 1, batches);
        }
        result.epoch = epoch;
        result.trainLoss = lossSum / double(batches);
        result.testAccuracy = classifierAccuracy(net, testImages, testLabels);
        result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (onEpoch)
            onEpoch(result);
    }
    net->eval();
    return result;
}

}  // namespace ddsm
