// ddsm train-classifier: the Fashion-MNIST classifier whose penultimate
// features are the default feature space of FID and KID (api::trainFeatureClassifier).
#include "commands.h"
#include "common.h"

#include "base/error.h"

#include <cstdio>

namespace ddsm::cli {

namespace {

const char* kHelp =
    "usage: ddsm train-classifier --out FILE [options]\n"
    "\n"
    "Trains the feature classifier (two conv layers, a 128-unit feature layer, 10\n"
    "classes) and writes it with its architecture, test accuracy and this command.\n"
    "\n";

// The network's and the training's defaults are the API's (the evaluation module's).
OptionTable optionTable()
{
    const api::ClassifierTrainingOptions defaults;
    return OptionTable{
               {"out", "FILE", "classifier .safetensors (models/fmnist-classifier.safetensors)"},
               {"data", "DATA", "labelled training data", defaults.data},
               {"test", "DATA", "labelled test data", defaults.test},
               {"epochs", "N", "passes over the training data", std::to_string(defaults.epochs)},
               {"batch", "N", "batch size", std::to_string(defaults.batch)},
               {"lr", "X", "Adam learning rate", numberText(defaults.learningRate)},
               {"feature-dim", "N", "width of the feature layer", std::to_string(defaults.featureDim)},
               {"conv1", "N", "channels of the first convolution", std::to_string(defaults.conv1)},
               {"conv2", "N", "channels of the second convolution", std::to_string(defaults.conv2)},
               {"seed", "N", "initialisation, batch order and dropout", std::to_string(defaults.seed)},
               {"min-accuracy", "X", "fail (and write nothing) below this test accuracy", numberText(defaults.minAccuracy)},
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
    api::ClassifierTrainingOptions options;
    options.out = args.get("out", "");  // the API names it when missing
    options.data = args.get("data");
    options.test = args.get("test");
    options.featureDim = args.getInt("feature-dim");
    options.conv1 = args.getInt("conv1");
    options.conv2 = args.getInt("conv2");
    options.epochs = args.getInt("epochs");
    options.batch = args.getInt64("batch");
    options.learningRate = args.getDouble("lr");
    options.seed = args.getSeed("seed");
    options.minAccuracy = args.getDouble("min-accuracy");
    options.command = "ddsm train-classifier";
    for (const auto& a : argv)
        options.command += " " + a;
    options.progress = [](const api::ClassifierProgress& p) {
        switch (p.stage) {
        case api::ClassifierProgress::Stage::Started:
            std::printf("training data: %s\ntest data: %s\n", p.trainData.c_str(), p.testData.c_str());
            break;
        case api::ClassifierProgress::Stage::Batch:
            if (p.done % 50 == 0 || p.done == p.total)
                std::fprintf(stderr, "\r  batch %lld/%lld", static_cast<long long>(p.done),
                             static_cast<long long>(p.total));
            break;
        case api::ClassifierProgress::Stage::Epoch:
            std::fprintf(stderr, "\n");
            std::printf("epoch %d: train loss %.4f, test accuracy %.4f (%.0f s)\n", p.epoch, p.trainLoss,
                        p.testAccuracy, p.seconds);
            std::fflush(stdout);
            break;
        }
    };
    const api::ClassifierTrainingResult result = api::trainFeatureClassifier(options);
    if (!result.written) {
        std::fprintf(stderr, "test accuracy %.4f is below --min-accuracy %.4f; nothing written\n", result.testAccuracy,
                     options.minAccuracy);
        return 1;
    }
    std::printf("wrote %s: features %s (%d-d), test accuracy %.4f\n", options.out.c_str(), result.featureName.c_str(),
                result.featureDim, result.testAccuracy);
    return 0;
}

}  // namespace ddsm::cli
