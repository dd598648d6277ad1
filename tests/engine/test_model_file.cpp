// Model files: round trips, and every way a file can be wrong.
#include "base/atomic_file.h"
#include "base/error.h"
#include "engine/model_file.h"
#include "engine/slimmable_unet.h"
#include "io/safetensors.h"
#include "tiny_net.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QTemporaryDir>
#include <QtTest>

using namespace ddsm;

namespace {

NetConfig tiny()
{
    NetConfig c = test::tinyNet();
    c.dropout = 0.1;  // stored and read back like every field
    c.diffusion.T = 50;
    return c;
}

void expectError(const std::function<void()>& f, const QString& fragment)
{
    try {
        f();
    } catch (const Error& e) {
        QVERIFY2(QString(e.what()).contains(fragment), e.what());
        return;
    }
    QFAIL(qPrintable("expected an error containing: " + fragment));
}

}  // namespace

class TestModelFile final : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string path(const char* name) { return dir_.filePath(name).toStdString(); }

    // A valid model file's tensors and metadata, to corrupt one way at a time.
    SafetensorsFile validFile()
    {
        SlimmableUNet net(tiny());
        saveModel(path("valid.safetensors"), net, R"({"created_by": "test"})");
        return loadSafetensors(path("valid.safetensors"));
    }

private slots:
    void initTestCase() { torch::set_num_threads(1); }

    void roundTripKeepsWeightsConfigAndProvenance()
    {
        SlimmableUNet net(tiny());
        net.initialize(42);
        saveModel(path("m.safetensors"), net, R"({"created_by": "test", "steps": 7})");
        const LoadedModel loaded = loadModel(path("m.safetensors"));
        QVERIFY(toJson(loaded.config) == toJson(tiny()));
        QCOMPARE(nlohmann::json::parse(loaded.provenanceJson)["steps"].get<int>(), 7);
        const auto original = net.named_parameters();
        for (const auto& p : loaded.net->named_parameters())
            QVERIFY2(torch::equal(p.value(), original[p.key()]), p.key().c_str());
        // Same outputs at every width.
        torch::NoGradGuard noGrad;
        net.eval();
        auto x = torch::randn({1, 1, 8, 8});
        auto t = torch::tensor({3}, torch::kLong);
        for (double w : {1.0, 0.5})
            QVERIFY(torch::equal(net.forward(x, t, w), loaded.net->forward(x, t, w)));
    }

    void metadataIsPlainJsonStrings()
    {
        validFile();
        const auto meta = readSafetensorsMetadata(path("valid.safetensors"));
        QCOMPARE(QString::fromStdString(meta.at("format")), QString("ddsm-model"));
        QCOMPARE(QString::fromStdString(meta.at("format_version")), QString("1"));
        QCOMPARE(nlohmann::json::parse(meta.at("architecture"))["base_channels"].get<int>(), 16);
    }

    void missingTensorIsNamed()
    {
        auto file = validFile();
        file.tensors.erase(file.tensors.begin());
        const std::string name = loadSafetensors(path("valid.safetensors")).tensors.front().first;
        saveSafetensors(path("bad.safetensors"), file.tensors, file.metadata);
        expectError([&] { loadModel(path("bad.safetensors")); }, QString::fromStdString("\"" + name + "\" is missing"));
    }

    void wrongShapeIsNamed()
    {
        auto file = validFile();
        for (auto& [name, tensor] : file.tensors)
            if (name == "head.weight")
                tensor = torch::zeros({8, 1, 3, 3});
        saveSafetensors(path("bad.safetensors"), file.tensors, file.metadata);
        expectError([&] { loadModel(path("bad.safetensors")); }, "\"head.weight\" has shape [8, 1, 3, 3]");
    }

    void extraTensorIsRejected()
    {
        auto file = validFile();
        file.tensors.emplace_back("extra.weight", torch::zeros({2}));
        saveSafetensors(path("bad.safetensors"), file.tensors, file.metadata);
        expectError([&] { loadModel(path("bad.safetensors")); }, "unexpected tensor \"extra.weight\"");
    }

    void wrongFormatOrFutureVersionIsRejected()
    {
        auto file = validFile();
        file.metadata["format_version"] = "9";
        saveSafetensors(path("bad.safetensors"), file.tensors, file.metadata);
        expectError([&] { loadModel(path("bad.safetensors")); }, "version 9 is newer");
        file.metadata.erase("format");
        saveSafetensors(path("bad.safetensors"), file.tensors, file.metadata);
        expectError([&] { loadModel(path("bad.safetensors")); }, "not a DDSM Studio model");
    }

    void corruptArchitectureIsRejected()
    {
        auto file = validFile();
        file.metadata["architecture"] = "{not json";
        saveSafetensors(path("bad.safetensors"), file.tensors, file.metadata);
        expectError([&] { loadModel(path("bad.safetensors")); }, "\"architecture\" is not valid JSON");
        auto arch = nlohmann::json::parse(validFile().metadata.at("architecture"));
        arch["channel_mult"] = {1, 2, 2, 2, 2};  // 8x8 cannot be halved four times
        file.metadata["architecture"] = arch.dump();
        saveSafetensors(path("bad.safetensors"), file.tensors, file.metadata);
        expectError([&] { loadModel(path("bad.safetensors")); }, "cannot be halved");
        arch = nlohmann::json::parse(validFile().metadata.at("architecture"));
        arch["diffusion"]["T"] = 1e42;  // beyond int: refused before conversion
        file.metadata["architecture"] = arch.dump();
        saveSafetensors(path("bad.safetensors"), file.tensors, file.metadata);
        expectError([&] { loadModel(path("bad.safetensors")); },
                    R"(field "diffusion.T" is 1e+42, expected an integer in -2147483648..2147483647)");
        arch = nlohmann::json::parse(validFile().metadata.at("architecture"));
        arch["channel_mult"] = {1, "2"};
        file.metadata["architecture"] = arch.dump();
        saveSafetensors(path("bad.safetensors"), file.tensors, file.metadata);
        expectError([&] { loadModel(path("bad.safetensors")); },
                    R"(field "channel_mult[1]" is the string "2", expected an integer)");
        arch = nlohmann::json::parse(validFile().metadata.at("architecture"));
        arch["divisor"] = 0;  // checked before base_channels is divided by it (found by fuzz_safetensors)
        file.metadata["architecture"] = arch.dump();
        saveSafetensors(path("bad.safetensors"), file.tensors, file.metadata);
        expectError([&] { loadModel(path("bad.safetensors")); }, R"("divisor" and "linear_divisor" must be positive)");
    }

    void truncatedFileIsRejected()
    {
        validFile();
        std::string bytes = readWholeFile(path("valid.safetensors"));
        writeFileAtomically(path("cut.safetensors"), bytes.substr(0, bytes.size() / 2));
        expectError([&] { loadModel(path("cut.safetensors")); }, "cut.safetensors");
        writeFileAtomically(path("empty.safetensors"), "");
        expectError([&] { loadModel(path("empty.safetensors")); }, "empty.safetensors");
    }
};

QTEST_APPLESS_MAIN(TestModelFile)
#include "test_model_file.moc"
