// Model families: TorchScript networks of different size behind one Denoiser.
// The networks are made at test time by make_test_networks.py; their costs
// have closed forms, and each member's output is checked against running its
// TorchScript file directly.
#include "family_test_support.h"

#include "engine/diffusion.h"
#include "engine/flops.h"
#include "engine/model_file.h"
#include "engine/sampler.h"
#include "engine/slimmable_denoiser.h"
#include "engine/slimmable_unet.h"
#include "family/family_denoiser.h"
#include "family/family_manifest.h"
#include "family/open_denoiser.h"
#include "schedule/respacing.h"
#include "schedule/step_schedule.h"

#include <nlohmann/json.hpp>
#include <torch/script.h>
#include <torch/torch.h>

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace ddsm;
using ddsm::testing::throwsErrorMentioning;
using nlohmann::json;

namespace {

const c10::Device kCpu(c10::kCPU);

// TinyEps(h) on 3x16x16 images: two 3x3 convs (256 * 27 * h each) and a 1 -> h linear.
double tinyEpsMacs(int hidden) { return 256.0 * 27 * hidden * 2 + hidden; }

json member(const std::string& name, const std::string& file, double width)
{
    return json{{"name", name}, {"file", file}, {"width", width}};
}

json manifestWith(json members)
{
    return json{{"format", "ddsm-family"},
                {"version", 1},
                {"name", "tiny-convs"},
                {"image_size", 16},
                {"channels", 3},
                {"diffusion",
                 {{"T", 1000}, {"beta_schedule", "linear"}, {"beta_start", 1e-4}, {"beta_end", 0.02},
                  {"prediction", "epsilon"}}},
                {"members", std::move(members)}};
}

json goodManifest() { return manifestWith({member("wide", "wide.pt", 1.0), member("narrow", "narrow.pt", 0.5)}); }

}  // namespace

class TestFamily final : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::string skipReason_;

    std::string path(const std::string& name) const { return (dir_.path() + "/").toStdString() + name; }

    std::string writeManifest(const std::string& name, const json& manifest) const
    {
        std::ofstream(path(name)) << manifest.dump(2);
        return path(name);
    }

    std::string writeText(const std::string& name, const std::string& text) const
    {
        std::ofstream(path(name)) << text;
        return path(name);
    }

    bool openFails(const json& manifest, const std::vector<std::string>& fragments)
    {
        const std::string file = writeManifest("bad.json", manifest);
        return throwsErrorMentioning([&] { FamilyDenoiser::open(file, kCpu); }, fragments);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        skipReason_ = ddsm::testing::makeTestNetworks(dir_.path());
    }

    void init()
    {
        if (!skipReason_.empty())
            QSKIP(skipReason_.c_str());
    }

    void loadsMembersWithCountedCosts()
    {
        auto family = FamilyDenoiser::open(writeManifest("family.json", goodManifest()), kCpu);
        QCOMPARE(family->widths(), (std::vector<double>{1.0, 0.5}));
        QCOMPARE(family->imageSize(), 16);
        QCOMPARE(family->channels(), 3);
        QCOMPARE(family->diffusion().T, 1000);
        QCOMPARE(family->name(), std::string("tiny-convs"));
        QCOMPARE(family->macsPerImage(1.0), tinyEpsMacs(8));
        QCOMPARE(family->macsPerImage(0.5), tinyEpsMacs(4));
        QCOMPARE(family->member(0.5).costSource, std::string("counted"));
        QCOMPARE(family->member(0.5).name, std::string("narrow"));
        // conv 3->4 (108 + 4), linear 1->4 (4 + 4), conv 4->3 (108 + 3)
        QCOMPARE(family->member(0.5).parameters, int64_t(231));
        const std::string line = describeWidth(*family, 0.5);
        QVERIFY2(line.find("\"narrow\"") != std::string::npos && line.find("narrow.pt") != std::string::npos &&
                     line.find("counted") != std::string::npos,
                 line.c_str());
        QVERIFY(throwsErrorMentioning([&] { family->macsPerImage(0.75); }, {"no member at width 0.75", "1, 0.5"}));
    }

    void widthsRunTheirOwnMember()
    {
        auto family = FamilyDenoiser::open(writeManifest("family.json", goodManifest()), kCpu);
        const auto x = torch::randn({3, 3, 16, 16});
        const auto t = torch::tensor({999, 500, 0}, torch::kLong);
        for (const auto& [width, file] : {std::pair{1.0, "wide.pt"}, std::pair{0.5, "narrow.pt"}}) {
            auto direct = torch::jit::load(path(file));
            torch::NoGradGuard noGrad;
            const auto expected = direct.forward({x, t}).toTensor();
            QVERIFY(torch::equal(family->predictEps(x, t, width), expected));
        }
        QVERIFY(!torch::allclose(family->predictEps(x, t, 1.0), family->predictEps(x, t, 0.5)));
    }

    void samplesUnderASchedule()
    {
        auto family = FamilyDenoiser::open(writeManifest("family.json", goodManifest()), kCpu);
        // The noisy half of the trajectory on the wide member, the rest on the narrow one.
        const auto schedule = StepSchedule::switchFraction(1000, 0.5, 1.0, 0.5);
        SamplerSettings settings;
        settings.steps = 10;
        SamplerRun run;
        run.timesteps = respacedTimesteps(1000, settings.steps);
        run.stepWidths = stepWidths(schedule, settings.steps);
        run.x = initialNoise(settings.seed, 0, 2, 3, 16);
        std::vector<double> seen;
        run.onStep = [&](const SamplerStep& step) { seen.push_back(step.width); };
        const GaussianDiffusion diffusion(family->diffusion());
        const auto result = runSampler(*family, diffusion, settings, run);
        QCOMPARE(result.stepsRun, 10);
        QCOMPARE(seen, run.stepWidths);
        QCOMPARE(std::count(seen.begin(), seen.end(), 1.0), 5L);
        QCOMPARE(result.images.sizes(), (c10::IntArrayRef{2, 3, 16, 16}));
        QVERIFY(torch::isfinite(result.images).all().item<bool>());

        const auto cost = scheduleCost(run.stepWidths, 1.0, [&](double w) { return family->macsPerImage(w); });
        QCOMPARE(cost.macsPerImage, 5 * tinyEpsMacs(8) + 5 * tinyEpsMacs(4));
        QCOMPARE(cost.fullWidthMacsPerImage, 10 * tinyEpsMacs(8));
    }

    void costFromManifestWhenNothingCountable()
    {
        json manifest = manifestWith({member("wide", "wide.pt", 1.0), member("scaling", "scaling.pt", 0.5)});
        QVERIFY(openFails(manifest, {"member \"scaling\"", "cannot be counted", "\"macs\""}));
        manifest["members"][1]["macs"] = 1234.5;
        auto family = FamilyDenoiser::open(writeManifest("family.json", manifest), kCpu);
        QCOMPARE(family->macsPerImage(0.5), 1234.5);
        QCOMPARE(family->member(0.5).costSource, std::string("manifest"));
        // A counted cost wins over a stated one.
        manifest["members"][0]["macs"] = 1.0;
        family = FamilyDenoiser::open(writeManifest("family.json", manifest), kCpu);
        QCOMPARE(family->macsPerImage(1.0), tinyEpsMacs(8));
    }

    void missingMemberFile()
    {
        QVERIFY(openFails(manifestWith({member("wide", "wide.pt", 1.0), member("ghost", "ghost.pt", 0.5)}),
                          {"bad.json", "member \"ghost\"", "ghost.pt", "not found"}));
    }

    void memberThatIsAFolder()
    {
        QVERIFY(QDir(dir_.path()).mkpath("folder.pt"));
        QVERIFY(openFails(manifestWith({member("wide", "wide.pt", 1.0), member("dir", "folder.pt", 0.5)}),
                          {"bad.json", "member \"dir\"", path("folder.pt") + " is a folder, not a file"}));
        // The manifest itself given as a folder.
        QVERIFY(QDir(dir_.path()).mkpath("manifest.json"));
        QVERIFY(ddsm::testing::throwsErrorMentioning([&] { FamilyDenoiser::open(path("manifest.json"), kCpu); },
                                                     {path("manifest.json") + " is a folder, not a file"}));
    }

    void memberThatIsNotTorchScript()
    {
        QVERIFY(openFails(manifestWith({member("wide", "wide.pt", 1.0), member("text", "not_torchscript.pt", 0.5)}),
                          {"member \"text\"", "not a TorchScript module"}));
    }

    void memberWithOtherImageShape()
    {
        QVERIFY(openFails(manifestWith({member("wide", "wide.pt", 1.0), member("half", "downsampling.pt", 0.5)}),
                          {"member \"half\"", "[2, 3, 8, 8]", "[2, 3, 16, 16]"}));
        QVERIFY(openFails(manifestWith({member("gray", "grayscale.pt", 1.0), member("narrow", "narrow.pt", 0.5)}),
                          {"member \"gray\"", "dummy batch failed", "expected input[2, 3, 16, 16] to have 1 channels"}));
    }

    void memberWhoseForwardFails()
    {
        // Listed last, after a good member: the whole open still fails.
        QVERIFY(openFails(manifestWith({member("wide", "wide.pt", 1.0), member("raising", "raising.pt", 0.25)}),
                          {"member \"raising\"", "only takes 5-channel input"}));
    }

    void malformedManifests()
    {
        QVERIFY(throwsErrorMentioning([&] { FamilyDenoiser::open(writeText("broken.json", "{\"format\": "), kCpu); },
                                      {"broken.json:1:", "malformed JSON"}));  // line and column
        json m = goodManifest();
        m["format"] = "something-else";
        QVERIFY(openFails(m, {"\"format\""}));
        m = goodManifest();
        m["version"] = 2;
        QVERIFY(openFails(m, {"version 2", "newer"}));
        m = goodManifest();
        m.erase("diffusion");
        QVERIFY(openFails(m, {"\"diffusion\"", "missing"}));
        m = goodManifest();
        m["diffusion"]["prediction"] = "v";
        QVERIFY(openFails(m, {"\"prediction\""}));
        m = goodManifest();
        m["members"] = json::array();
        QVERIFY(openFails(m, {"\"members\"", "non-empty"}));
        m = goodManifest();
        m["members"][1]["widht"] = 0.5;
        QVERIFY(openFails(m, {"member 1 (\"narrow\")", "unknown field \"widht\""}));
        m = goodManifest();
        m["members"][1]["width"] = 1.5;
        QVERIFY(openFails(m, {"member 1 (\"narrow\")", "\"width\""}));
        m = goodManifest();
        m["members"][1]["width"] = 1.0;
        QVERIFY(openFails(m, {"same width"}));
        m = goodManifest();
        m["members"][1]["name"] = "wide";
        QVERIFY(openFails(m, {"two members are named \"wide\""}));
        m = goodManifest();
        m["members"].erase(0);
        QVERIFY(openFails(m, {"largest member (\"narrow\")", "width 1.0"}));
        m = goodManifest();
        m["image_size"] = "28";
        QVERIFY(openFails(m, {R"(field "image_size" is the string "28", expected an integer)"}));
        m = goodManifest();
        m["diffusion"]["T"] = 1e42;
        QVERIFY(openFails(m, {R"(field "T" is 1e+42, expected a positive integer (at most 1048576))"}));
    }

    void openDenoiserDispatchesOnTheFile()
    {
        auto family = openDenoiser(writeManifest("family.json", goodManifest()), kCpu);
        QVERIFY(dynamic_cast<FamilyDenoiser*>(family.get()));

        NetConfig config;
        config.imageSize = 8;
        config.baseChannels = 8;
        config.channelMult = {1, 2};
        config.numResBlocks = 1;
        config.attentionLevels = {};
        config.normGroups = 4;
        SlimmableUNet net(config);
        saveModel(path("model.safetensors"), net, "{}");
        auto slimmable = openDenoiser(path("model.safetensors"), kCpu);
        QVERIFY(dynamic_cast<SlimmableDenoiser*>(slimmable.get()));
        QVERIFY(describeWidth(*slimmable, 0.5).find("prefix-sliced") != std::string::npos);

        QVERIFY(throwsErrorMentioning([&] { openDenoiser(path("wide.pt"), kCpu); }, {"import-checkpoint"}));
        QVERIFY(throwsErrorMentioning([&] { openDenoiser(path("nothing.safetensors"), kCpu); }, {"no such file"}));
        QVERIFY(throwsErrorMentioning([&] { openDenoiser(writeText("other.json", "{\"a\": 1}"), kCpu); },
                                      {"not a family manifest"}));
    }
};

QTEST_APPLESS_MAIN(TestFamily)
#include "test_family.moc"
