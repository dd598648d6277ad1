// The checkpoint reader never runs code from a file: hostile pickles (made by
// make_checkpoints.py) are refused by the name of their global and their
// payload provably did not run, while the same payloads do run under torch's
// full unpickler (the control). Genuine training checkpoints, with optimizer
// and scheduler state, import; every dtype and tensor view reads back exactly.
#include "family_test_support.h"

#include "engine/model_file.h"
#include "engine/slimmable_unet.h"
#include "family/checkpoint_entry.h"
#include "family/paper_checkpoint_import.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace ddsm;
using ddsm::testing::tensorNamed;
using ddsm::testing::throwsErrorMentioning;

namespace {

const std::string kGolden = DDSM_SHARED_DIR "/reference/ddsm-small-golden.pt";
const std::string kMaker = DDSM_SOURCE_DIR "/tests/family/make_checkpoints.py";

}  // namespace

class TestCheckpointReader final : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::string unavailable_;

    std::string path(const std::string& name) const { return (dir_.path() + "/").toStdString() + name; }
    bool exists(const std::string& name) const { return QFile::exists(QString::fromStdString(path(name))); }

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        if (!QFile::exists(QString::fromStdString(kGolden))) {
            unavailable_ = "the golden checkpoint is absent: " + kGolden;
            return;
        }
        if (!checkpointPythonHasTorch(&unavailable_))
            return;
        const ProcessResult made = runProcess({checkpointPython(), kMaker, dir_.path().toStdString(), kGolden});
        QVERIFY2(made.exitCode == 0, made.output.c_str());
    }

    void init()
    {
        if (!unavailable_.empty())
            QSKIP(unavailable_.c_str());
    }

    void hostileCheckpointsRunNothing_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("refusal");
        QTest::newRow("GLOBAL posix.system") << "posix_system" << "refuses global posix.system";
        QTest::newRow("STACK_GLOBAL builtins.eval") << "builtins_eval" << "refuses global builtins.eval";
        QTest::newRow("torch name that unpickles") << "load_from_bytes" << "refuses global torch.storage._load_from_bytes";
        QTest::newRow("INST posix.system") << "inst" << "refuses global posix.system";
    }

    void hostileCheckpointsRunNothing()
    {
        QFETCH(QString, name);
        QFETCH(QString, refusal);
        const std::string file = "hostile_" + name.toStdString() + ".pt";
        const std::string marker = "marker-" + name.toStdString();
        const std::string model = path("never.safetensors");
        QVERIFY(!exists(marker));
        QVERIFY(throwsErrorMentioning([&] { importPaperCheckpoint(path(file), model); },
                                      {file, refusal.toStdString(), "may only hold tensors, dicts, lists and numbers"}));
        QVERIFY2(!exists(marker), "the payload ran");
        QVERIFY(!exists("never.safetensors"));

        // Control: torch's full unpickler does run the payload, so the check above can fail.
        const ProcessResult control = runProcess({checkpointPython(), kMaker, "--unsafe-load", path(file)});
        QVERIFY2(control.exitCode == 0, control.output.c_str());
        QVERIFY2(exists(marker), "the payload is not live: the test proves nothing");
        QFile::remove(QString::fromStdString(path(marker)));
    }

    void legacyFormatIsRefused()
    {
        QVERIFY(throwsErrorMentioning([&] { readCheckpointEntry(path("legacy.pt"), "ema_model"); },
                                      {"legacy.pt", "legacy (non-zip) torch.save file"}));
        QVERIFY(!exists("marker-legacy"));
        const ProcessResult control = runProcess({checkpointPython(), kMaker, "--unsafe-load", path("legacy.pt")});
        QVERIFY2(exists("marker-legacy"), control.output.c_str());
    }

    void allowedNamesMisusedAreRefused()
    {
        QVERIFY(throwsErrorMentioning([&] { readCheckpointEntry(path("storage_call.pt"), "ema_model"); },
                                      {"storage_call.pt", "malformed checkpoint pickle", "not callable"}));
        QVERIFY(throwsErrorMentioning([&] { readCheckpointEntry(path("odd_persistent_id.pt"), "ema_model"); },
                                      {"odd_persistent_id.pt", "refuses persistent id 'evil'"}));
        QVERIFY(throwsErrorMentioning([&] { readCheckpointEntry(path("build_on_storage_type.pt"), "ema_model"); },
                                      {"build_on_storage_type.pt: a storage type carries extra state (BUILD)"}));
        QVERIFY(throwsErrorMentioning([&] { readCheckpointEntry(path("expanded.pt"), "ema_model"); },
                                      {"expanded.pt: a tensor of shape [1000000000, 1000000000] expands a storage "
                                       "of 1 elements"}));
        QVERIFY(throwsErrorMentioning([&] { readCheckpointEntry(path("views.pt"), "ema_model"); },
                                      {"views.pt: its tensors would hold 1051000 elements from storages of 1000: "
                                       "a checkpoint's tensors may hold at most twice the elements stored plus 1048576"}));
    }

    // Inputs on which the fuzz harness (fuzz/fuzz_checkpoint_reader.py) once made the reader fail: an
    // exception escaping as a traceback, or 3 GB allocated for a 13-byte pickle. Each is now refused
    // naming the file and its flaw.
    void fuzzFindingsAreRefusedCleanly_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("refusal");
        QTest::newRow("memo index") << "memo-index-200000000.pt"
                                    << "malformed checkpoint pickle: memo index 200000000 in a pickle of 1 memo entries";
        QTest::newRow("zip version") << "zip-version-12.8.pt"
                                     << "not a readable zip archive: NotImplementedError: zip file version 12.8";
        QTest::newRow("huge integer key") << "huge-integer-key.pt"
                                          << "no 'ema_model' entry (its keys: <an integer of 16610 bits>)";
    }

    void fuzzFindingsAreRefusedCleanly()
    {
        QFETCH(QString, file);
        QFETCH(QString, refusal);
        const std::string input = DDSM_SOURCE_DIR "/fuzz/corpus/checkpoint_reader/" + file.toStdString();
        QVERIFY(throwsErrorMentioning([&] { readCheckpointEntry(input, "ema_model"); },
                                      {input + ": ", refusal.toStdString()}));
    }

    void folderIsNamedAsOne()
    {
        QDir(dir_.path()).mkdir("ckpt.pt");
        QVERIFY(throwsErrorMentioning([&] { importPaperCheckpoint(path("ckpt.pt"), path("never.safetensors")); },
                                      {path("ckpt.pt") + " is a folder, not a file"}));
    }

    void trainingCheckpointWithOptimizerStateImports()
    {
        // training.pt holds the golden weights plus Adam and LambdaLR state (floats, tuples, None, bools).
        const auto fromTraining = importPaperCheckpoint(path("training.pt"), path("training.safetensors"));
        const auto fromGolden = importPaperCheckpoint(kGolden, path("golden.safetensors"));
        QCOMPARE(toJson(fromTraining.config).dump(), toJson(fromGolden.config).dump());
        const LoadedModel a = loadModel(path("training.safetensors"));
        const LoadedModel b = loadModel(path("golden.safetensors"));
        const auto pa = a.net->named_parameters();
        const auto pb = b.net->named_parameters();
        QCOMPARE(pa.size(), pb.size());
        for (const auto& p : pa)
            QVERIFY2(torch::equal(p.value(), pb[p.key()]), p.key().c_str());
        const auto provenance = nlohmann::json::parse(a.provenanceJson);
        QCOMPARE(provenance["step"].get<int64_t>(), int64_t(12345));
        QCOMPARE(provenance["checkpoint_reader"].get<std::string>(), std::string("allow-list unpickler"));
    }

    void everyDtypeAndViewReadsBack()
    {
        const CheckpointEntry entry = readCheckpointEntry(path("dtypes.pt"), "tensors");
        const auto base = torch::arange(24, torch::kFloat32).reshape({4, 6});
        const auto check = [&](const char* name, const at::Tensor& expected) {
            const auto got = tensorNamed(entry.tensors, name);
            QVERIFY2(got.defined(), name);
            QVERIFY2(got.scalar_type() == expected.scalar_type(), name);
            QVERIFY2(got.sizes() == expected.sizes(), name);
            QVERIFY2(torch::equal(got, expected), name);
        };
        using torch::indexing::None;
        using torch::indexing::Slice;
        check("transposed", base.t().contiguous());
        check("offset", base.index({Slice(1, 3), Slice(2, 5)}).contiguous());
        check("every_other", base.index({Slice(), Slice(0, None, 2)}).contiguous());
        check("float64", torch::arange(5, torch::kFloat64) / 4);
        check("float16", torch::tensor({0.5, -2.0, 1024.0}).to(torch::kFloat16));
        check("bfloat16", torch::tensor({1.5f, -3.0f, 256.0f}));  // widened to float32
        check("int64", torch::tensor({-(int64_t(1) << 40), int64_t(7)}));
        check("int32", torch::tensor({-5, 6}, torch::kInt32));
        check("uint8", torch::tensor({0, 255}, torch::kUInt8));
        check("bool", torch::tensor({true, false, true}));
        check("scalar", torch::tensor(3.25f));
        check("empty", torch::zeros({0, 3}));
        QCOMPARE(entry.tensors.size(), size_t(12));
    }
};

QTEST_APPLESS_MAIN(TestCheckpointReader)
#include "test_checkpoint_reader.moc"
