// Checkpoints of the paper's training code: architecture inference checked
// against the paper's CIFAR-10 state dict layout, the import checked against a
// golden forward pass computed by the paper's own code, and every malformed
// input rejected with an error naming the culprit and nothing written.
#include "family_test_support.h"

#include "base/sha256.h"
#include "engine/model_file.h"
#include "engine/slimmable_unet.h"
#include "family/paper_architecture.h"
#include "family/paper_checkpoint_import.h"
#include "family/paper_state_dict.h"
#include "schedule/schedule_file.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <sstream>

using namespace ddsm;
using ddsm::testing::tensorNamed;
using ddsm::testing::throwsErrorMentioning;

namespace {

const std::string kCifarTsv = DDSM_SHARED_DIR "/reference/ddsm-cifar10-slimmable-unet.tsv";
const std::string kGolden = DDSM_SHARED_DIR "/reference/ddsm-small-golden.pt";

// "name<TAB>AxBxC" lines; '#' lines are comments.
TensorShapes readShapeTable(const std::string& path)
{
    std::ifstream in(path);
    TensorShapes shapes;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        const auto tab = line.find('\t');
        std::vector<int64_t> shape;
        std::stringstream dims(line.substr(tab + 1));
        for (std::string dim; std::getline(dims, dim, 'x');)
            shape.push_back(std::stoll(dim));
        shapes[line.substr(0, tab)] = shape;
    }
    return shapes;
}

// The golden checkpoint's architecture, as its README states it.
NetConfig goldenConfig()
{
    NetConfig c;
    c.imageSize = 16;
    c.channels = 3;
    c.baseChannels = 64;
    c.channelMult = {1, 2};
    c.numResBlocks = 1;
    c.attentionLevels = {1};
    c.dropout = 0.1;
    c.normGroups = 32;
    c.widths = {1.0, 0.5};
    c.diffusion.T = 1000;
    return c;
}

// A state dict in the paper's layout, made from our own network.
NamedTensors paperStateDictOf(SlimmableUNet& net)
{
    NamedTensors tensors{{kPaperTimeTable, sinusoidalTimeTable(net.config().diffusion.T, net.config().baseChannels)}};
    for (const auto& p : net.named_parameters())
        tensors.emplace_back(p.key(), p.value().detach().clone());
    return tensors;
}

}  // namespace

class TestPaperCheckpoint final : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::string pythonMissing_;

    std::string path(const std::string& name) const { return (dir_.path() + "/").toStdString() + name; }

    // Why the golden checkpoint cannot be imported here; empty if it can.
    std::string goldenUnavailable() const
    {
        if (!QFile::exists(QString::fromStdString(kGolden)))
            return "the golden checkpoint is absent: " + kGolden;
        return pythonMissing_;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        pythonMissing_ = ddsm::testing::makeTestNetworks(dir_.path());
    }

    void infersTheCifar10Architecture()
    {
        if (!QFile::exists(QString::fromStdString(kCifarTsv)))
            QSKIP(("the reference shape table is absent: " + kCifarTsv).c_str());
        const TensorShapes shapes = readShapeTable(kCifarTsv);
        QCOMPARE(shapes.size(), size_t(329));
        const NetConfig inferred = inferPaperArchitecture(shapes, 32, kCifarTsv);
        const NetConfig expected = loadNetConfig(DDSM_SOURCE_DIR "/configs/ddpm-cifar10.json");
        QCOMPARE(toJson(inferred).dump(), toJson(expected).dump());

        // Our network for that config has exactly the paper's tensors, but the frozen time table.
        SlimmableUNet net(inferred);
        TensorShapes ours{{kPaperTimeTable, {1000, 128}}};
        for (const auto& p : net.named_parameters())
            ours[p.key()] = p.value().sizes().vec();
        for (const auto& [name, shape] : shapes)
            QVERIFY2(ours.count(name) && ours.at(name) == shape, name.c_str());
        QCOMPARE(ours.size(), shapes.size());
    }

    void inferenceRejectsOtherLayouts()
    {
        if (!QFile::exists(QString::fromStdString(kCifarTsv)))
            QSKIP(("the reference shape table is absent: " + kCifarTsv).c_str());
        const TensorShapes cifar = readShapeTable(kCifarTsv);
        TensorShapes shapes = cifar;
        shapes.erase("head.weight");
        QVERIFY(throwsErrorMentioning([&] { inferPaperArchitecture(shapes, 32, "x.pt"); },
                                      {"x.pt", "not a state dict of the paper's SlimmableUNet", "\"head.weight\""}));
        shapes = cifar;
        shapes["downblocks.4.block1.2.weight"] = {200, 128, 3, 3};
        QVERIFY(throwsErrorMentioning([&] { inferPaperArchitecture(shapes, 32, "x.pt"); }, {"downblocks.4"}));
        shapes = cifar;
        shapes["time_embedding.timembedding.1.weight"] = {256, 128};
        QVERIFY(throwsErrorMentioning([&] { inferPaperArchitecture(shapes, 32, "x.pt"); },
                                      {"time_embedding.timembedding.1.weight", "4 x ch"}));
    }

    void widthsThePaperCanRun()
    {
        // ch 64 x (1, 2): 0.75 and 0.25 leave 48 and 16 channels for GroupNorm(32).
        QCOMPARE(paperWidthsFor(goldenConfig()), (std::vector<double>{1.0, 0.5}));
        QVERIFY(paperRunsAtWidth(goldenConfig(), 0.5));
        QVERIFY(!paperRunsAtWidth(goldenConfig(), 0.75));
    }

    void stateDictKeysAreChecked()
    {
        NetConfig config = goldenConfig();
        SlimmableUNet source(config);
        source.initialize(3);
        const NamedTensors good = paperStateDictOf(source);
        auto loaded = loadPaperStateDict(good, config, "good.pt");
        for (const auto& p : loaded->named_parameters())
            QVERIFY(torch::equal(p.value(), tensorNamed(good, p.key())));

        NamedTensors missing;
        for (const auto& item : good)
            if (item.first != "downblocks.2.attn.proj_k.bias")
                missing.push_back(item);
        QVERIFY(throwsErrorMentioning([&] { loadPaperStateDict(missing, config, "m.pt"); },
                                      {"m.pt", "\"downblocks.2.attn.proj_k.bias\"", "missing"}));

        NamedTensors extra = good;
        extra.emplace_back("downblocks.0.extra.weight", torch::zeros({4}));
        QVERIFY(throwsErrorMentioning([&] { loadPaperStateDict(extra, config, "e.pt"); },
                                      {"e.pt", "unexpected tensor \"downblocks.0.extra.weight\""}));

        NamedTensors reshaped = good;
        for (auto& [name, tensor] : reshaped)
            if (name == "upblocks.1.block1.2.weight")
                tensor = torch::zeros({128, 160, 3, 3});
        QVERIFY(throwsErrorMentioning([&] { loadPaperStateDict(reshaped, config, "s.pt"); },
                                      {"\"upblocks.1.block1.2.weight\"", "[128, 160, 3, 3]", "[128, 192, 3, 3]"}));

        NamedTensors learnedTable = good;
        learnedTable[0].second = learnedTable[0].second + 0.1;
        QVERIFY(throwsErrorMentioning([&] { loadPaperStateDict(learnedTable, config, "t.pt"); },
                                      {"time_embedding.timembedding.0.weight", "sinusoidal"}));
    }

    void reproducesThePapersForwardPass()
    {
        if (const auto why = goldenUnavailable(); !why.empty())
            QSKIP(why.c_str());
        const std::string model = path("golden.safetensors");
        const CheckpointImportResult result = importPaperCheckpoint(kGolden, model);
        QVERIFY(result.architectureInferred);
        QCOMPARE(toJson(result.config).dump(), toJson(goldenConfig()).dump());

        const LoadedModel loaded = loadModel(model);
        const CheckpointEntry golden = readCheckpointEntry(kGolden, "golden");
        const auto x = tensorNamed(golden.tensors, "x");
        const auto t = tensorNamed(golden.tensors, "t");
        QCOMPARE(x.sizes(), (c10::IntArrayRef{2, 3, 16, 16}));
        torch::NoGradGuard noGrad;
        for (const char* width : {"1.0", "0.5"}) {
            const auto expected = tensorNamed(golden.tensors, std::string("eps_width_") + width);
            const auto eps = loaded.net->forward(x, t, std::stod(width));
            const double error = (eps - expected).abs().max().item<double>();
            qInfo("width %s: max |eps - paper| = %.3g (max |eps| %.3g)", width, error,
                  expected.abs().max().item<double>());
            QVERIFY2(error < 1e-4, width);
        }
        const auto provenance = nlohmann::json::parse(loaded.provenanceJson);
        QCOMPARE(provenance["entry"].get<std::string>(), std::string("ema_model"));
        QCOMPARE(provenance["source_sha256"].get<std::string>(), sha256OfFile(kGolden));
    }

    void importsTheRawWeightsAndASchedule()
    {
        if (const auto why = goldenUnavailable(); !why.empty())
            QSKIP(why.c_str());
        // search.txt: index = training timestep, the clean half at 0.5.
        std::string text = "[";
        for (int t = 0; t < 1000; ++t)
            text += (t ? ", " : "") + std::string(t < 500 ? "0.5" : "1.0");
        std::ofstream(path("search.txt")) << text << "]\n";

        CheckpointImportOptions options;
        options.entry = "net_model";
        options.schedulePath = path("search.txt");
        const std::string model = path("raw.safetensors");
        const auto result = importPaperCheckpoint(kGolden, model, options);
        QCOMPARE(result.schedulePath, path("raw.schedule.json"));
        QCOMPARE(nlohmann::json::parse(loadModel(model).provenanceJson)["entry"].get<std::string>(),
                 std::string("net_model"));
        const ScheduleDocument schedule = loadSchedule(result.schedulePath, 1000);
        QCOMPARE(schedule.schedule.widthAt(0), 0.5);
        QCOMPARE(schedule.schedule.widthAt(499), 0.5);
        QCOMPARE(schedule.schedule.widthAt(500), 1.0);
        QVERIFY(schedule.model.has_value());
        QCOMPARE(schedule.model->sha256, sha256OfFile(model));
    }

    void scheduleWidthsTheNetworkLacks()
    {
        if (const auto why = goldenUnavailable(); !why.empty())
            QSKIP(why.c_str());
        // The golden network has widths 1.0 and 0.5; the paper's 0.75 is not one of them.
        std::string text = "[";
        for (int t = 0; t < 1000; ++t)
            text += (t ? ", " : "") + std::string(t < 500 ? "0.75" : "1.0");
        std::ofstream(path("search075.txt")) << text << "]\n";
        CheckpointImportOptions options;
        options.schedulePath = path("search075.txt");
        QVERIFY(throwsErrorMentioning([&] { importPaperCheckpoint(kGolden, path("never.safetensors"), options); },
                                      {"search075.txt: width 0.75 at t = 0 (and 499 more timesteps) is not one of the "
                                       "model's widths (1.0, 0.5)"}));
        QVERIFY(!QFile::exists(QString::fromStdString(path("never.safetensors"))));

        options.snapScheduleWidths = true;  // halfway between 1.0 and 0.5: the wider
        const auto result = importPaperCheckpoint(kGolden, path("snapped.safetensors"), options);
        const ScheduleDocument schedule = loadSchedule(result.schedulePath, 1000);
        QCOMPARE(schedule.schedule.widthAt(0), 1.0);
        QCOMPARE(schedule.schedule.widthAt(499), 1.0);
        bool noted = false;
        for (const auto& note : result.notes)
            noted = noted || note.find("search075.txt: snapped to the model's widths: 0.75 -> 1.0 (500 timesteps)") !=
                                 std::string::npos;
        QVERIFY(noted);
    }

    void failedImportsWriteNothing()
    {
        if (const auto why = goldenUnavailable(); !why.empty())
            QSKIP(why.c_str());
        std::ofstream(path("short.txt")) << "[1.0, 0.5]\n";
        CheckpointImportOptions options;
        options.schedulePath = path("short.txt");
        const std::string model = path("never.safetensors");
        QVERIFY(throwsErrorMentioning([&] { importPaperCheckpoint(kGolden, model, options); }, {"short.txt"}));
        QVERIFY(!QFile::exists(QString::fromStdString(model)));

        options = {};
        NetConfig wrong = goldenConfig();
        wrong.numResBlocks = 2;
        options.config = wrong;
        QVERIFY(throwsErrorMentioning([&] { importPaperCheckpoint(kGolden, model, options); },
                                      {"[ema_model]", "missing"}));
        QVERIFY(!QFile::exists(QString::fromStdString(model)));
    }

    void rejectsCheckpointsOfOtherLayouts()
    {
        if (!pythonMissing_.empty())
            QSKIP(pythonMissing_.c_str());
        const std::string model = path("never.safetensors");
        QVERIFY(throwsErrorMentioning([&] { importPaperCheckpoint(path("ckpt_not_a_dict.pt"), model); },
                                      {"ckpt_not_a_dict.pt", "not a checkpoint of DDSM's training code"}));
        QVERIFY(throwsErrorMentioning([&] { importPaperCheckpoint(path("ckpt_other_layout.pt"), model); },
                                      {"ckpt_other_layout.pt", "no 'ema_model' entry", "'model'"}));
        QVERIFY(throwsErrorMentioning([&] { importPaperCheckpoint(path("ckpt_not_a_unet.pt"), model); },
                                      {"ckpt_not_a_unet.pt", "not a state dict of the paper's SlimmableUNet"}));
        QVERIFY(throwsErrorMentioning([&] { importPaperCheckpoint(path("not_torchscript.pt"), model); },
                                      {"not_torchscript.pt", "not a PyTorch checkpoint (torch.save's zip archive)"}));
        QVERIFY(throwsErrorMentioning([&] { importPaperCheckpoint(path("absent.pt"), model); },
                                      {"absent.pt", "no such file"}));
        QVERIFY(!QFile::exists(QString::fromStdString(model)));
    }
};

QTEST_APPLESS_MAIN(TestPaperCheckpoint)
#include "test_paper_checkpoint.moc"
