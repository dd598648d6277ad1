// api::widenModel on a tiny model file: the wider file's embedded width
// computes what the original's full width computes (a prefix of a prefix at
// the narrower widths), its provenance names the original, and an
// architecture that cannot hold it is refused naming why.
#include "api/ddsm_api.h"

#include "engine/denoiser.h"
#include "engine/model_file.h"
#include "engine/slimmable_unet.h"
#include "error_of.h"
#include "perturbed_weights.h"
#include "tiny_net.h"

#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

using namespace ddsm;

namespace {

std::string inDir(const QTemporaryDir& dir, const std::string& name)
{
    return (std::filesystem::path(dir.path().toStdString()) / name).string();
}

api::Model open(const std::string& path)
{
    api::OpenOptions options;
    options.path = path;
    return api::openModel(options);
}

double largestDifference(const api::Model& a, double widthA, const api::Model& b, double widthB)
{
    torch::NoGradGuard noGrad;
    auto g = at::detail::createCPUGenerator(11);
    const auto x = torch::randn({6, 1, 8, 8}, g);
    const auto t = torch::tensor({0, 5, 13, 21, 30, 39}, torch::kLong);
    return (a.denoiser()->predictEps(x, t, widthA) - b.denoiser()->predictEps(x, t, widthB)).abs().max().item<double>();
}

}  // namespace

class TestApiWiden final : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { torch::set_num_threads(1); }

    void theWiderModelEmbedsTheOriginal()
    {
        QTemporaryDir dir;
        const std::string original = inDir(dir, "small.safetensors");
        {
            SlimmableUNet net(test::tinyNet());
            net.initialize(3);
            test::perturbWeights(net, 4);
            saveModel(original, net, R"({"created_by": "test"})");
        }
        NetConfig wider = test::tinyNet();
        wider.baseChannels = 32;
        wider.widths = {1.0, 0.75, 0.5, 0.25};
        const std::string widerConfig = inDir(dir, "wider.json");
        saveNetConfig(widerConfig, wider);

        api::WidenOptions options;
        options.model = original;
        options.config = widerConfig;
        options.out = inDir(dir, "wider.safetensors");
        options.seed = 7;
        const api::WidenResult result = api::widenModel(options);
        QCOMPARE(result.embeddedWidth, 0.5);
        QCOMPARE(result.architecture, describe(wider));
        QVERIFY(result.maxDifference < 1e-4);

        // Read back from the files, not the widening's own network.
        const api::Model small = open(original);
        const api::Model widened = open(options.out);
        QCOMPARE(widened.widths(), wider.widths);
        QVERIFY(largestDifference(small, 1.0, small, 0.5) > 1e-2);  // widths compute different things
        QVERIFY(largestDifference(widened, 0.5, small, 1.0) < 1e-5);
        QVERIFY(largestDifference(widened, 0.25, small, 0.5) < 1e-5);
        QVERIFY(largestDifference(widened, 1.0, small, 1.0) > 1e-3);
        const std::string provenance = api::describeModel(widened).provenanceJson;
        QVERIFY(provenance.find("\"created_by\":\"ddsm widen\"") != std::string::npos);
        QVERIFY(provenance.find(original + "@") != std::string::npos);
        QVERIFY(provenance.find("\"from_provenance\":{\"created_by\":\"test\"}") != std::string::npos);

        // Not a multiple of the original's base channels: refused, naming the field.
        wider.baseChannels = 24;
        saveNetConfig(widerConfig, wider);
        options.out = inDir(dir, "refused.safetensors");
        const std::string refusal = test::errorOf([&] { api::widenModel(options); });
        QVERIFY2(refusal.find("base_channels") != std::string::npos, refusal.c_str());
        QVERIFY(!std::filesystem::exists(options.out));
    }
};

QTEST_APPLESS_MAIN(TestApiWiden)
#include "test_api_widen.moc"
