// Every `ddsm` command that takes MODEL opens every kind of model the same
// way: a model file and a family manifest both work wherever the command can
// use them, and a PyTorch checkpoint is refused by every command with the
// same advice (`ddsm import-checkpoint`), never read as something else.
#include "base/atomic_file.h"
#include "engine/model_file.h"
#include "engine/net_config.h"
#include "engine/slimmable_unet.h"

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <torch/script.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "cli_run.h"

using namespace ddsm;

namespace {

using test::Run;
using test::runCli;

// The shipped feature network's image shape (1x28x28), so that FID, importance
// and search run on their defaults; widths {1, 0.5}, T = 40.
NetConfig smallFashionNet()
{
    NetConfig c = test::tiny();
    c.imageSize = 28;
    c.channels = 1;
    return c;
}

// One family member: eps = conv(silu(conv(x) + t/1000 * a), ...), written as
// TorchScript from C++ so no Python is needed to make a family.
void saveTinyMember(const std::string& path, int hidden, int seed)
{
    torch::manual_seed(seed);
    torch::jit::Module m("TinyEps");
    m.register_parameter("w_in", torch::randn({hidden, 1, 3, 3}) * 0.1, false);
    m.register_parameter("b_in", torch::zeros({hidden}), false);
    m.register_parameter("w_out", torch::randn({1, hidden, 3, 3}) * 0.1, false);
    m.register_parameter("b_out", torch::zeros({1}), false);
    m.register_parameter("time", torch::randn({hidden}), false);
    m.define(R"(
def forward(self, x, t):
    temb = (t.float() / 1000.0).view(-1, 1, 1, 1) * self.time.view(1, -1, 1, 1)
    h = torch.conv2d(x, self.w_in, self.b_in, [1, 1], [1, 1]) + temb
    h = h * torch.sigmoid(h)
    return torch.conv2d(h, self.w_out, self.b_out, [1, 1], [1, 1])
)");
    m.save(path);
}

nlohmann::json familyManifest()
{
    return {{"format", "ddsm-family"},
            {"version", 1},
            {"name", "tiny-family"},
            {"image_size", 28},
            {"channels", 1},
            {"diffusion",
             {{"T", 40}, {"beta_schedule", "linear"}, {"beta_start", 1e-4}, {"beta_end", 0.02},
              {"prediction", "epsilon"}}},
            {"members",
             {{{"name", "wide"}, {"file", "wide.pt"}, {"width", 1.0}},
              {{"name", "narrow"}, {"file", "narrow.pt"}, {"width", 0.5}}}}};
}

}  // namespace

class TestCliModelKinds final : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    QString path(const QString& name) { return dir_.filePath(name); }

private slots:
    void initTestCase()
    {
        QVERIFY(dir_.isValid());
        SlimmableUNet net(smallFashionNet());
        net.initialize(3);
        saveModel(path("model.safetensors").toStdString(), net, R"({"created_by": "test"})");
        NetConfig wider = smallFashionNet();
        wider.baseChannels *= 2;
        saveNetConfig(path("wider.json").toStdString(), wider);

        saveTinyMember(path("wide.pt").toStdString(), 8, 1);
        saveTinyMember(path("narrow.pt").toStdString(), 4, 2);
        writeFileAtomically(path("family.json").toStdString(), familyManifest().dump(2));
        // What a checkpoint of the paper's code starts with: a zip archive.
        writeFileAtomically(path("checkpoint.pt").toStdString(), std::string("PK\x03\x04", 4) + "rest of a zip");

        QVERIFY(QDir().mkpath(path("images")));
        for (int i = 0; i < 8; ++i) {
            cv::Mat image(28, 28, CV_8UC1);
            cv::randu(image, 0, 256);
            QVERIFY(cv::imwrite(path(QString("images/%1.png").arg(i)).toStdString(), image));
        }
    }

    void everyCommandOpensEveryKind_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QStringList>("args");  // MODEL and OUT are filled in
        QTest::addColumn<QString>("expected");  // in stdout + stderr; "" = exit 0 with anything

        const QStringList fast{"--steps", "2", "--threads", "1"};
        const QList<QPair<QString, QStringList>> commands{
            {"info", {"info", "MODEL"}},
            {"flops", {"flops", "MODEL", "--width", "0.5", "--steps", "4"}},
            {"sample", QStringList{"sample", "MODEL", "--count", "2", "--out", "OUT.png"} + fast},
            {"fid", QStringList{"fid", "MODEL", "--samples", "8", "--rounds", "10", "--kid-data", "none"} + fast},
            {"compare", QStringList{"compare", "MODEL", "width:1", "width:0.5", "--samples", "8", "--bootstrap", "10"} +
                            fast},
            {"importance", {"importance", "MODEL", "--out", "OUT", "--data", path("images"), "--bins", "2",
                            "--images-per-bin", "4", "--threads", "1"}},
            {"predictor fit", QStringList{"predictor", "fit", "MODEL", "--out", "OUT.json", "--bins", "3", "--fit",
                                          "6", "--held-out", "4", "--samples", "8"} + fast},
            {"search", QStringList{"search", "MODEL", "--out", "OUT", "--budget", "0.9", "--population", "4",
                                   "--generations", "0", "--samples-per-candidate", "8", "--race-max-samples", "0",
                                   "--final-samples", "8", "--bootstrap", "10"} + fast},
            {"widen", {"widen", "MODEL", "--config", path("wider.json"), "--out", "OUT.safetensors"}},
            {"train --init-weights", {"train", "--init-weights", "MODEL", "--data", path("images"), "--out", "OUT",
                                      "--steps", "1", "--batch", "2", "--sample-every", "0", "--threads", "1"}},
        };
        // What each command says of the family's first member, where it uses the family.
        const QMap<QString, QString> familyExpected{{"info", "width 0.5: member \"narrow\""},
                                                    {"flops", "family \"tiny-family\""}};
        for (const auto& [name, args] : commands) {
            QTest::newRow(qPrintable(name + ", model file")) << "model" << args << QString();
            const bool needsSlimmable = name == "widen" || name.startsWith("train");
            QTest::newRow(qPrintable(name + ", family manifest"))
                << "family" << args
                << (needsSlimmable ? QStringLiteral("not a family of separately trained networks")
                                   : familyExpected.value(name));
            QTest::newRow(qPrintable(name + ", checkpoint"))
                << "checkpoint" << args << QStringLiteral("checkpoint.pt: a PyTorch file");
        }
    }

    void everyCommandOpensEveryKind()
    {
        QFETCH(QString, kind);
        QFETCH(QStringList, args);
        QFETCH(QString, expected);
        const QString model = path(kind == "model" ? "model.safetensors"
                                   : kind == "family" ? "family.json"
                                                      : "checkpoint.pt");
        const QString out = path("out-" + QString(QTest::currentDataTag()).replace(QRegularExpression("\\W+"), "-"));
        for (QString& arg : args) {
            if (arg == "MODEL")
                arg = model;
            else if (arg.startsWith("OUT"))
                arg.replace(0, 3, out);
        }
        const Run run = runCli(args);
        const QString said = run.out + run.err;
        QVERIFY2(!said.contains("header length"), qPrintable(said));  // never read as another kind
        const bool refused = kind == "checkpoint" || expected.startsWith("not a family");
        if (refused) {
            QVERIFY2(run.exitCode == 1, qPrintable(QString("exit %1: %2").arg(run.exitCode).arg(said)));
            QVERIFY2(run.err.contains(expected), qPrintable(run.err));
            if (kind == "checkpoint")
                QVERIFY2(run.err.contains("ddsm import-checkpoint"), qPrintable(run.err));
            return;
        }
        QVERIFY2(run.exitCode == 0, qPrintable(QString("exit %1: %2").arg(run.exitCode).arg(run.err)));
        QVERIFY2(run.out.contains(expected), qPrintable(run.out));
        // A finished fit removes the distances it kept while measuring.
        if (args.contains("predictor"))
            QVERIFY2(QFile::exists(out + ".json") && !QFile::exists(out + ".json.partial"), qPrintable(out));
    }
};

QTEST_APPLESS_MAIN(TestCliModelKinds)
#include "test_cli_model_kinds.moc"
