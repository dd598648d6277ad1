// Feature networks against independent truth: a classifier with hand-set
// weights, save/load round trips, a tiny separable training problem, and
// TorchScript networks scripted here whose outputs reveal what they received.
#include "base/error.h"
#include "evaluation/classifier_features.h"
#include "evaluation/classifier_file.h"
#include "evaluation/classifier_training.h"
#include "evaluation/feature_classifier.h"
#include "evaluation/feature_network.h"
#include "evaluation/torchscript_features.h"
#include "error_of.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

#include <cstdio>
#include <cstdlib>
#include <fstream>

using namespace ddsm;

namespace {

using ddsm::test::errorOf;


ClassifierConfig tinyConfig()
{
    ClassifierConfig c;
    c.imageSize = 8;
    c.conv1 = 4;
    c.conv2 = 4;
    c.featureDim = 6;
    c.classes = 2;
    return c;
}

// A network that reports what it was given: per image the mean, min and max
// value, the channel count, height and width.
const char* kScript = R"PY(
import sys, torch
from typing import Dict

def stats(x):
    b = x.shape[0]
    one = torch.ones(b)
    return torch.stack([x.mean((1, 2, 3)), x.amin((1, 2, 3)), x.amax((1, 2, 3)),
                        one * x.shape[1], one * x.shape[2], one * x.shape[3]], 1)

class Flag(torch.nn.Module):
    def forward(self, x, return_features: bool = False):
        if return_features:
            return stats(x)
        return stats(x)[:, :2]

class Named(torch.nn.Module):
    def forward(self, x) -> Dict[str, torch.Tensor]:
        return {"pool": stats(x), "logits": x.mean((1, 2, 3)).unsqueeze(1)}

    @torch.jit.export
    def embed(self, x):
        return stats(x) * 2

torch.jit.script(Flag()).save(sys.argv[1] + "/flag.pt")
torch.jit.script(Named()).save(sys.argv[1] + "/named.pt")
)PY";

}  // namespace

class TestFeatureNetworks final : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    bool scripted_ = false;
    QString skipReason_;

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        torch::set_num_threads(1);
        // Debian's python3-torch; the python3 on PATH may be another interpreter.
        const std::string script = dir_.filePath("make.py").toStdString();
        std::ofstream(script) << kScript;
        if (std::system("/usr/bin/python3 -c 'import torch' > /dev/null 2>&1") != 0) {
            skipReason_ = "/usr/bin/python3 cannot import torch (install python3-torch)";
            return;
        }
        const std::string command = "/usr/bin/python3 " + script + " " + dir_.path().toStdString();
        QCOMPARE(std::system(command.c_str()), 0);
        scripted_ = true;
    }

    void classifierFeaturesAreThePenultimateLayer()
    {
        auto net = makeClassifier(tinyConfig(), 0);
        torch::NoGradGuard noGrad;
        for (auto& p : net->named_parameters())
            p.value().zero_();
        // With zero weights the feature layer outputs relu(its bias).
        auto bias = net->named_parameters()["hidden.bias"];
        bias.copy_(torch::tensor({-1.0, 0.5, 2.0, -0.25, 0.0, 3.0}));
        const std::string path = dir_.filePath("zero.safetensors").toStdString();
        saveClassifier(path, net, {"test-cnn", 0.5, "{}"});
        ClassifierFeatures features(loadClassifier(path));
        QCOMPARE(features.dim(), int64_t(6));
        QVERIFY(QString::fromStdString(features.name()).startsWith("test-cnn@"));
        const auto f = features.features(torch::rand({3, 1, 8, 8}) * 2 - 1);
        QCOMPARE(f.sizes(), (at::IntArrayRef{3, 6}));
        const auto expected = torch::tensor({0.0, 0.5, 2.0, 0.0, 0.0, 3.0}).to(torch::kFloat).expand({3, 6});
        QVERIFY(torch::equal(f, expected));
        QVERIFY(errorOf([&] { features.features(torch::zeros({1, 1, 28, 28})); }).find("[B, 1, 8, 8]") !=
                std::string::npos);
    }

    void classifierFileRoundTripsAndRejectsBadFiles()
    {
        auto net = makeClassifier(tinyConfig(), 3);
        const std::string path = dir_.filePath("c.safetensors").toStdString();
        saveClassifier(path, net, {"test-cnn", 0.875, R"({"command":"x"})"});
        auto loaded = loadClassifier(path);
        QCOMPARE(loaded.info.testAccuracy, 0.875);
        QCOMPARE(loaded.info.featureName, std::string("test-cnn"));
        const auto images = torch::rand({2, 1, 8, 8});
        torch::NoGradGuard noGrad;
        net->eval();
        QVERIFY(torch::equal(loaded.net->features(images), net->features(images)));

        QVERIFY(errorOf([&] { loadClassifier(dir_.filePath("missing.safetensors").toStdString()); })
                    .find("not found") != std::string::npos);
        const std::string corrupt = dir_.filePath("corrupt.safetensors").toStdString();
        std::ofstream(corrupt) << "not a safetensors file at all";
        QVERIFY(!errorOf([&] { loadClassifier(corrupt); }).empty());
        QVERIFY(errorOf([&] { openFeatureExtractor(corrupt); }).find("corrupt.safetensors") != std::string::npos);

        // A damaged architecture names the file and the field.
        auto architecture = toJson(tinyConfig());
        architecture["conv1"] = 2.5;
        QCOMPARE(errorOf([&] { classifierConfigFromJson(architecture, "c.safetensors"); }),
                 std::string(R"(c.safetensors: classifier architecture: field "conv1" is 2.5, expected an integer)"));
    }

    void trainingSeparatesASeparableProblem()
    {
        // Class 1 images are bright, class 0 dark: any working training loop
        // reaches full accuracy.
        const auto labels = torch::arange(256) % 2;
        const auto images = (labels.to(torch::kFloat).view({-1, 1, 1, 1}) * 1.2 - 0.6) +
                            0.2 * torch::randn({256, 1, 8, 8});
        auto net = makeClassifier(tinyConfig(), 1);
        ClassifierTrainOptions options;
        options.epochs = 3;
        options.batchSize = 32;
        options.learningRate = 1e-2;
        int epochs = 0;
        const auto last = trainClassifier(net, images, labels, images, labels, options,
                                          [&](const ClassifierEpoch&) { ++epochs; });
        QCOMPARE(epochs, 3);
        QCOMPARE(last.testAccuracy, 1.0);
        QVERIFY(errorOf([&] { trainClassifier(net, images, labels + 5, images, labels, options); })
                    .find("labels must be in [0, 2)") != std::string::npos);
    }

    void torchscriptBoolFlagGetsStandardPreprocessing()
    {
        if (!scripted_)
            QSKIP(qPrintable(skipReason_));
        TorchScriptFeatureOptions options;
        options.path = dir_.filePath("flag.pt").toStdString();
        options.output = "return_features";
        TorchScriptFeatures features(options);
        QCOMPARE(features.dim(), int64_t(6));
        QCOMPARE(features.name(), std::string("torchscript:flag.pt:return_features"));
        // Black and white grayscale 28x28 images: 0 and 255 on 3 channels of 299x299.
        const auto images = torch::cat({torch::full({1, 1, 28, 28}, -1.0), torch::full({1, 1, 28, 28}, 1.0)});
        const auto f = features.features(images);
        const auto expected = torch::tensor({{0.0, 0.0, 0.0, 3.0, 299.0, 299.0}, {255.0, 255.0, 255.0, 3.0, 299.0, 299.0}})
                                  .to(torch::kFloat);
        QVERIFY2(torch::allclose(f, expected, 0, 1e-3), qPrintable(QString::fromStdString(c10::str(f))));

        options.range = "0-1";
        options.inputSize = 0;  // keep 28x28
        options.channels = 1;
        const auto g = TorchScriptFeatures(options).features(images);
        const auto expectedG = torch::tensor({{0.0, 0.0, 0.0, 1.0, 28.0, 28.0}, {1.0, 1.0, 1.0, 1.0, 28.0, 28.0}})
                                   .to(torch::kFloat);
        QVERIFY(torch::allclose(g, expectedG, 0, 1e-6));
    }

    void torchscriptDictKeysAndMethods()
    {
        if (!scripted_)
            QSKIP(qPrintable(skipReason_));
        TorchScriptFeatureOptions options;
        options.path = dir_.filePath("named.pt").toStdString();
        options.range = "-1-1";
        options.inputSize = 16;
        options.output = "pool";
        const auto image = torch::full({1, 1, 8, 8}, 0.5);
        const auto pool = TorchScriptFeatures(options).features(image);
        QVERIFY(torch::allclose(pool, torch::tensor({{0.5, 0.5, 0.5, 3.0, 16.0, 16.0}}).to(torch::kFloat)));
        options.output = "embed";
        const auto embed = TorchScriptFeatures(options).features(image);
        QVERIFY(torch::allclose(embed, pool * 2));
        options.output = "nothing";
        const auto message = errorOf([&] { TorchScriptFeatures{options}; });
        QVERIFY2(message.find("no output \"nothing\"") != std::string::npos && message.find("pool") != std::string::npos,
                 message.c_str());
        options.output = "";
        QVERIFY(errorOf([&] { TorchScriptFeatures{options}; }).find("name an output") != std::string::npos);
    }

    void torchscriptBadFilesAreErrors()
    {
        TorchScriptFeatureOptions options;
        options.path = dir_.filePath("absent.pt").toStdString();
        QVERIFY(errorOf([&] { TorchScriptFeatures{options}; }).find("not found") != std::string::npos);
        options.path = dir_.filePath("garbage.pt").toStdString();
        std::ofstream(options.path) << "garbage";
        QVERIFY(errorOf([&] { TorchScriptFeatures{options}; }).find("not a readable TorchScript") != std::string::npos);
    }
};

QTEST_APPLESS_MAIN(TestFeatureNetworks)
#include "test_feature_networks.moc"
