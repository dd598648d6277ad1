// ddsm train-classifier: the Fashion-MNIST classifier whose penultimate
// features are the default feature space of FID and KID.
#include "commands.h"
#include "common.h"

#include "base/error.h"
#include "data/dataset_spec.h"
#include "evaluation/classifier_file.h"
#include "evaluation/classifier_training.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>

namespace ddsm::cli {

namespace {

const char* kHelp =
    "usage: ddsm train-classifier --out FILE [options]\n"
    "\n"
    "Trains the feature classifier (two conv layers, a 128-unit feature layer, 10\n"
    "classes) and writes it with its architecture, test accuracy and this command.\n"
    "\n";

// The network's and the training's defaults are those of ClassifierConfig and ClassifierTrainOptions.
OptionTable optionTable()
{
    const ClassifierConfig network;
    const ClassifierTrainOptions training;
    return OptionTable{
               {"out", "FILE", "classifier .safetensors (models/fmnist-classifier.safetensors)"},
               {"data", "DATA", "labelled training data", "fashion-mnist"},
               {"test", "DATA", "labelled test data", "fashion-mnist:test"},
               {"epochs", "N", "passes over the training data", std::to_string(training.epochs)},
               {"batch", "N", "batch size", std::to_string(training.batchSize)},
               {"lr", "X", "Adam learning rate", numberText(training.learningRate)},
               {"feature-dim", "N", "width of the feature layer", std::to_string(network.featureDim)},
               {"conv1", "N", "channels of the first convolution", std::to_string(network.conv1)},
               {"conv2", "N", "channels of the second convolution", std::to_string(network.conv2)},
               {"seed", "N", "initialisation, batch order and dropout", std::to_string(training.seed)},
               {"min-accuracy", "X", "fail (and write nothing) below this test accuracy", "0.9"},
           } +
           threadsOption();
}

}  // namespace

int runTrainClassifier(const std::vector<std::string>& argv)
{
    const OptionTable table = optionTable();
    const Args args(argv, table);
    if (args.wantsHelp()) {
        std::printf("%s%s", kHelp, table.help().c_str());
        return 0;
    }
    applyThreads(args);
    const auto out = args.given("out");
    if (!out)
        throw Error("--out FILE is required");
    const auto train = loadDataset(args.get("data"));
    const auto test = loadDataset(args.get("test"));
    if (!train.labels.defined() || !test.labels.defined())
        throw Error("the classifier needs labelled data (Fashion-MNIST, or image folders labelled by subfolder)");

    ClassifierConfig config;
    config.imageSize = int(train.images.size(2));
    config.channels = int(train.images.size(1));
    config.classes = int(std::max<size_t>(train.class_names.size(), size_t(train.labels.max().item<int64_t>() + 1)));
    config.featureDim = args.getInt("feature-dim");
    config.conv1 = args.getInt("conv1");
    config.conv2 = args.getInt("conv2");
    ClassifierTrainOptions options;
    options.epochs = args.getInt("epochs");
    options.batchSize = args.getInt64("batch");
    options.learningRate = args.getDouble("lr");
    options.seed = args.getSeed("seed");
    const double minAccuracy = args.getDouble("min-accuracy");

    std::printf("training data: %s\ntest data: %s\n", train.description.c_str(), test.description.c_str());
    auto net = makeClassifier(config, options.seed);
    const auto last = trainClassifier(
        net, train.images, train.labels, test.images, test.labels, options,
        [](const ClassifierEpoch& e) {
            std::fprintf(stderr, "\n");
            std::printf("epoch %d: train loss %.4f, test accuracy %.4f (%.0f s)\n", e.epoch, e.trainLoss,
                        e.testAccuracy, e.seconds);
            std::fflush(stdout);
        },
        [](int64_t done, int64_t total) {
            if (done % 50 == 0 || done == total)
                std::fprintf(stderr, "\r  batch %lld/%lld", static_cast<long long>(done), static_cast<long long>(total));
        });
    if (last.testAccuracy < minAccuracy) {
        std::fprintf(stderr, "test accuracy %.4f is below --min-accuracy %.4f; nothing written\n", last.testAccuracy,
                     minAccuracy);
        return 1;
    }
    std::string command = "ddsm train-classifier";
    for (const auto& a : argv)
        command += " " + a;
    ClassifierInfo info;
    info.featureName = "fmnist-cnn-" + std::to_string(config.featureDim);
    info.testAccuracy = last.testAccuracy;
    info.trainingJson = nlohmann::json{{"command", command},
                                       {"train_data", train.description},
                                       {"test_data", test.description},
                                       {"epochs", options.epochs},
                                       {"batch", options.batchSize},
                                       {"learning_rate", options.learningRate},
                                       {"seed", options.seed},
                                       {"seconds", last.seconds}}
                            .dump();
    saveClassifier(*out, net, info);
    std::printf("wrote %s: features %s (%d-d), test accuracy %.4f\n", out->c_str(), info.featureName.c_str(),
                config.featureDim, last.testAccuracy);
    return 0;
}

}  // namespace ddsm::cli
