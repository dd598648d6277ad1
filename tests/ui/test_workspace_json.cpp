// The workspace document's JSON on its own (ui/app/workspace_json.h): a round
// trip, defaults for absent fields, and refusals that name the file and field,
// including numbers that would not fit their C++ type (the class of bug
// fuzzing found in the predictor calibrations).
#include "base/error.h"
#include "workspace_json.h"

#include <QtTest>

using namespace ddsm;
using namespace ddsm::ui;

namespace {

std::string withSampler(const std::string& sampler)
{
    return R"({"format": "ddsm-workspace", "version": 1, "sampler": )" + sampler + "}";
}

}  // namespace

class TestWorkspaceJson : public QObject {
    Q_OBJECT

private slots:
    void roundTrip()
    {
        Workspace w;
        w.modelPath = "/models/m.safetensors";
        w.sampler.kind = "ddpm";
        w.sampler.steps = 100;
        w.sampler.eta = 0.5;
        w.sampler.seed = 18446744073709551615ull;
        w.sampler.count = 4;
        w.showX0 = true;
        w.layout = QByteArray("\x00\x01layout\xff", 10);
        const Workspace back = workspaceFromJson(workspaceToJson(w), "w.json");
        QCOMPARE(back.modelPath, w.modelPath);
        QVERIFY(back.sampler == w.sampler);
        QCOMPARE(back.showX0, true);
        QCOMPARE(back.layout, w.layout);
        QVERIFY(!back.schedule);
    }

    void absentFieldsKeepTheirDefaults()
    {
        const Workspace w = workspaceFromJson(R"({"format": "ddsm-workspace", "sampler": {"steps": 20.0}})", "w.json");
        QCOMPARE(w.sampler.steps, 20);
        QVERIFY(w.sampler.kind == SamplerChoice().kind);
        QCOMPARE(w.sampler.count, SamplerChoice().count);
        QVERIFY(w.modelPath.isEmpty());
        QCOMPARE(w.showX0, false);
    }

    void refusalsNameFileAndField_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("steps 1e42") << QString::fromStdString(withSampler(R"({"steps": 1e42})"))
                                   << R"(w.json: field "sampler.steps" is 1e+42, expected a whole number)";
        QTest::newRow("steps 2.5") << QString::fromStdString(withSampler(R"({"steps": 2.5})"))
                                  << R"(w.json: field "sampler.steps" is 2.5)";
        QTest::newRow("count 2^31") << QString::fromStdString(withSampler(R"({"count": 2147483648})"))
                                   << R"(w.json: field "sampler.count" is 2147483648)";
        QTest::newRow("seed -1") << QString::fromStdString(withSampler(R"({"seed": -1})"))
                                << R"(w.json: field "sampler.seed" is -1)";
        QTest::newRow("seed 2^64") << QString::fromStdString(withSampler(R"({"seed": 1.8446744073709552e19})"))
                                  << R"(w.json: field "sampler.seed")";
        QTest::newRow("kind number") << QString::fromStdString(withSampler(R"({"kind": 3})"))
                                    << R"(w.json: field "sampler.kind" is 3, expected a string)";
        QTest::newRow("eta string") << QString::fromStdString(withSampler(R"({"eta": "0"})"))
                                   << R"(w.json: field "sampler.eta" is the string "0", expected a number)";
        QTest::newRow("sampler array") << QString::fromStdString(withSampler("[]"))
                                      << R"(w.json: field "sampler" is an array, expected an object)";
        QTest::newRow("model number") << R"({"format": "ddsm-workspace", "model": 7})"
                                     << R"(w.json: field "model" is 7, expected a string)";
        QTest::newRow("show_x0 string") << R"({"format": "ddsm-workspace", "show_x0": "yes"})"
                                       << R"(w.json: field "show_x0" is the string "yes", expected true or false)";
        QTest::newRow("layout object") << R"({"format": "ddsm-workspace", "layout": {}})"
                                      << R"(w.json: field "layout" is an object, expected a string)";
        QTest::newRow("newer version") << R"({"format": "ddsm-workspace", "version": 2})"
                                      << "w.json: workspace version 2 is newer than this program reads (1)";
        QTest::newRow("no format") << R"({"model": "m"})" << "w.json: not a DDSM Studio workspace";
        QTest::newRow("not an object") << "[1]" << "w.json: not a DDSM Studio workspace";
        QTest::newRow("number beyond a double") << R"({"format": "ddsm-workspace", "x": 1e999})"
                                               << "w.json: not valid JSON";
        QTest::newRow("schedule") << R"({"format": "ddsm-workspace", "schedule": {"T": 2}})"
                                 << "w.json (schedule): ";
    }

    void refusalsNameFileAndField()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QString message;
        try {
            workspaceFromJson(text.toStdString(), "w.json");
        } catch (const Error& e) {
            message = e.what();
        }
        QVERIFY2(message.startsWith(expected), qPrintable("message: " + message));
    }
};

QTEST_GUILESS_MAIN(TestWorkspaceJson)
#include "test_workspace_json.moc"
