// The option table `ddsm`'s parser and help rows follow from: the row layout,
// sections, concatenation, a name declared twice, and what Args makes of it.
#include "args.h"
#include "option_table.h"

#include "base/error.h"

#include <QtTest>

#include <stdexcept>

using namespace ddsm::cli;

class TestCliOptionTable final : public QObject {
    Q_OBJECT

private slots:
    void rowsStartTheirTextAtColumn23()
    {
        QCOMPARE(helpRow({"steps", "N", "sampler steps"}), std::string("  --steps N            sampler steps\n"));
        QCOMPARE(helpRow({"no-clip", "", "no clamp"}), std::string("  --no-clip            no clamp\n"));
        // Continuation lines are indented to the text.
        QCOMPARE(helpRow({"width", "W", "uniform width\n(default 1)"}),
                 std::string("  --width W            uniform width\n"
                             "                       (default 1)\n"));
        // A head of 21 characters still gets its space; a longer one pushes the text right.
        QCOMPARE(helpRow({"feature-channels", "C", "x"}), std::string("  --feature-channels C x\n"));
        QCOMPARE(helpRow({"samples-per-candidate", "M", "x\ny"}),
                 std::string("  --samples-per-candidate M x\n"
                             "                       y\n"));
        QCOMPARE(helpRow({"steps", "N", "x", true}), std::string(" *--steps N            x\n"));
        QCOMPARE(helpRow({"resume", "", ""}), std::string("  --resume\n"));
    }

    void sectionsKeepTheirOrderAndTitles()
    {
        const OptionTable own{{"out", "FILE", "output"}, {"kid", "", "also KID"}};
        const OptionTable distributed("distributed:", {{"rank", "R", "this rank"}});
        const OptionTable tail{{"threads", "N", "threads"}};
        QCOMPARE((own + distributed).help(), std::string("  --out FILE           output\n"
                                                         "  --kid                also KID\n"
                                                         "\n"
                                                         "distributed:\n"
                                                         "  --rank R             this rank\n"));
        // An untitled group after a titled one is set apart from it; untitled groups run on.
        QCOMPARE((distributed + tail + own).help(), std::string("distributed:\n"
                                                                "  --rank R             this rank\n"
                                                                "\n"
                                                                "  --threads N          threads\n"
                                                                "  --out FILE           output\n"
                                                                "  --kid                also KID\n"));
        OptionTable built;
        built += own;
        built.add({"batch", "N", "batch"});
        QCOMPARE(built.options().size(), size_t(3));
        QCOMPARE(built.options().back().name, std::string("batch"));
        QVERIFY(built.find("kid") && built.find("kid")->value.empty());
        QVERIFY(!built.find("threads"));
    }

    void aNameDeclaredTwiceIsAProgrammingError()
    {
        QVERIFY_THROWS_EXCEPTION(std::logic_error, (OptionTable{{"seed", "K", "a"}, {"seed", "N", "b"}}));
        const OptionTable sampler{{"seed", "K", "noise seed"}};
        QVERIFY_THROWS_EXCEPTION(std::logic_error, (sampler + OptionTable{{"seed", "N", "init seed"}}));
        OptionTable table = sampler;
        QVERIFY_THROWS_EXCEPTION(std::logic_error, (table.add({"seed", "", "flag"})));
        QVERIFY_THROWS_EXCEPTION(std::logic_error, table.withHelp("steps", "not declared"));
        QCOMPARE(table.withHelp("seed", "images and noise").find("seed")->help, std::string("images and noise"));
        QCOMPARE(table.find("seed")->help, std::string("noise seed"));  // a copy was changed
    }

    void argsTakeValuesForPlaceholdersOnly()
    {
        const OptionTable table{{"out", "FILE", "output"}, {"kid", "", "also KID"}};
        const Args args({"model", "--out", "a.png", "--kid", "--out=b.png"}, table);
        QCOMPARE(*args.get("out"), std::string("b.png"));
        QVERIFY(args.has("kid"));
        QCOMPARE(args.positionals(), std::vector<std::string>{"model"});
        QVERIFY(!args.wantsHelp());
        QVERIFY(Args({"--help", "--kid"}, table).wantsHelp());

        const auto error = [&](const std::vector<std::string>& argv) -> std::string {
            try {
                Args parsed(argv, table);
            } catch (const ddsm::Error& e) {
                return e.what();
            }
            return "";
        };
        QCOMPARE(error({"--threads", "2"}), std::string("unknown option --threads (see --help)"));
        QCOMPARE(error({"--threads", "2", "--kid", "--bogus"}),
                 std::string("unknown options --threads, --bogus (see --help)"));
        QCOMPARE(error({"--kid=1"}), std::string("option --kid takes no value"));
        QCOMPARE(error({"--out"}), std::string("option --out needs a value"));
    }
};

QTEST_APPLESS_MAIN(TestCliOptionTable)
#include "test_cli_option_table.moc"
