// Training the feature classifier whose penultimate features are the default
// feature space of FID and KID (`ddsm train-classifier`).
#include "api/api_internal.h"

#include "base/error.h"
#include "data/dataset_spec.h"
#include "evaluation/classifier_file.h"
#include "evaluation/classifier_training.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>

namespace ddsm::api {

ClassifierTrainingOptions::ClassifierTrainingOptions()
{
    const ClassifierConfig network;
    const ClassifierTrainOptions training;
    epochs = training.epochs;
    batch = training.batchSize;
    learningRate = training.learningRate;
    seed = training.seed;
    featureDim = network.featureDim;
    conv1 = network.conv1;
    conv2 = network.conv2;
}

ClassifierTrainingResult trainFeatureClassifier(const ClassifierTrainingOptions& options)
{
    if (options.out.empty())
        throw Error("--out FILE is required");
    const Reporter<ClassifierProgress> report(options.progress);
    const auto train = loadDataset(options.data);
    const auto test = loadDataset(options.test);
    if (!train.labels.defined() || !test.labels.defined())
        throw Error("the classifier needs labelled data (Fashion-MNIST, or image folders labelled by subfolder)");

    ClassifierConfig config;
    config.imageSize = int(train.images.size(2));
    config.channels = int(train.images.size(1));
    config.classes = int(std::max<size_t>(train.class_names.size(), size_t(train.labels.max().item<int64_t>() + 1)));
    config.featureDim = options.featureDim;
    config.conv1 = options.conv1;
    config.conv2 = options.conv2;
    ClassifierTrainOptions training;
    training.epochs = options.epochs;
    training.batchSize = options.batch;
    training.learningRate = options.learningRate;
    training.seed = options.seed;

    ClassifierProgress started;
    started.trainData = train.description;
    started.testData = test.description;
    report(started);
    auto net = makeClassifier(config, training.seed);
    const auto last = trainClassifier(
        net, train.images, train.labels, test.images, test.labels, training,
        [&](const ClassifierEpoch& e) {
            ClassifierProgress p;
            p.stage = ClassifierProgress::Stage::Epoch;
            p.epoch = e.epoch;
            p.trainLoss = e.trainLoss;
            p.testAccuracy = e.testAccuracy;
            p.seconds = e.seconds;
            report(p);
        },
        [&](int64_t done, int64_t total) {
            ClassifierProgress p;
            p.stage = ClassifierProgress::Stage::Batch;
            p.done = done;
            p.total = total;
            report(p);
        });
    ClassifierTrainingResult result;
    result.featureName = "fmnist-cnn-" + std::to_string(config.featureDim);
    result.featureDim = config.featureDim;
    result.testAccuracy = last.testAccuracy;
    if (last.testAccuracy < options.minAccuracy)
        return result;
    ClassifierInfo info;
    info.featureName = result.featureName;
    info.testAccuracy = last.testAccuracy;
    info.trainingJson = nlohmann::json{{"command", options.command},
                                       {"train_data", train.description},
                                       {"test_data", test.description},
                                       {"epochs", training.epochs},
                                       {"batch", training.batchSize},
                                       {"learning_rate", training.learningRate},
                                       {"seed", training.seed},
                                       {"seconds", last.seconds}}
                            .dump();
    saveClassifier(options.out, net, info);
    result.written = true;
    return result;
}

}  // namespace ddsm::api
