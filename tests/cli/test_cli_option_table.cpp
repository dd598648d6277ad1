// The option table `ddsm`'s parser and help rows follow from: the row layout,
// defaults, sections, concatenation, a name declared twice, and what Args makes of it.
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
        QCOMPARE(helpRow({"steps", "N", "x", "", "", true}), std::string(" *--steps N            x\n"));
        QCOMPARE(helpRow({"resume", "", ""}), std::string("  --resume\n"));
    }

    void defaultsEndTheHelp()
    {
        QCOMPARE(helpRow({"samples", "N", "images per schedule", "1024"}),
                 std::string("  --samples N          images per schedule (default 1024)\n"));
        QCOMPARE(helpRow({"threads", "N", "CPU threads", "", "all cores"}),
                 std::string("  --threads N          CPU threads (default: all cores)\n"));
        QCOMPARE(helpRow({"world-size", "N", "number of ranks", "1", "one process"}),
                 std::string("  --world-size N       number of ranks (default 1: one process)\n"));
        // After the last of several lines; a help ending in a line break puts it on its own.
        QCOMPARE(helpRow({"dist-timeout", "S", "seconds before a missing rank\nends the job", "300"}),
                 std::string("  --dist-timeout S     seconds before a missing rank\n"
                             "                       ends the job (default 300)\n"));
        QCOMPARE(helpRow({"width", "W", "uniform width\n", "", "the model's full width"}),
                 std::string("  --width W            uniform width\n"
                             "                       (default: the model's full width)\n"));
        QCOMPARE(helpRow({"seed", "K", "", "0", "", true}), std::string(" *--seed K             (default 0)\n"));
        QCOMPARE(defaultNote({"out", "FILE", "output"}), std::string());
        // A command's own wording keeps the shared default.
        const OptionTable sampler{{"seed", "K", "noise seed", "0"}};
        QCOMPARE(helpRow(*sampler.withHelp("seed", "images and noise").find("seed")),
                 std::string("  --seed K             images and noise (default 0)\n"));
    }

    void gettersReturnTheDeclaredDefaultTyped()
    {
        const OptionTable table{{"samples", "N", "images", "1024"},   {"lr", "X", "rate", "1e-3"},
                                {"seed", "K", "noise", "7"},           {"cache-mb", "MB", "memory", "4096"},
                                {"sampler", "KIND", "ddim or ddpm", "ddim"}};
        const Args defaults({}, table);
        QCOMPARE(defaults.getInt("samples"), 1024);
        QCOMPARE(defaults.getDouble("lr"), 1e-3);
        QCOMPARE(defaults.getSeed("seed"), uint64_t(7));
        QCOMPARE(defaults.getInt64("cache-mb"), int64_t(4096));
        QCOMPARE(defaults.get("sampler"), std::string("ddim"));
        QVERIFY(!defaults.given("samples"));  // a default is not a given value
        // A value given wins, and is checked as the user's.
        const Args given({"--samples", "8", "--lr=0.5", "--seed", "3", "--sampler", "ddpm"}, table);
        QCOMPARE(given.getInt("samples"), 8);
        QCOMPARE(given.getDouble("lr"), 0.5);
        QCOMPARE(given.getSeed("seed"), uint64_t(3));
        QCOMPARE(given.get("sampler"), std::string("ddpm"));
        QVERIFY_THROWS_EXCEPTION(ddsm::Error, Args({"--samples", "many"}, table).getInt("samples"));
        // An explicit fallback stays for defaults the code computes.
        QCOMPARE(defaults.getInt("samples", 5), 5);
    }

    void aMissingDefaultIsAProgrammingError()
    {
        const OptionTable table{{"out", "FILE", "output"},          {"threads", "N", "CPU threads", "", "all cores"},
                                {"batch", "N", "batch", "many"},     {"seed", "K", "noise", "-1"},
                                {"kid", "", "also KID"}};
        const Args args({}, table);
        const auto message = [&](auto read) -> std::string {
            try {
                read();
            } catch (const std::logic_error& e) {
                return e.what();
            }
            return "";
        };
        // Undeclared, no default, or only a described one: each names the option.
        QVERIFY(message([&] { args.getInt("samples"); }).find("--samples") != std::string::npos);
        QVERIFY(message([&] { args.get("out"); }).find("--out") != std::string::npos);
        QVERIFY(message([&] { args.getInt("threads"); }).find("--threads") != std::string::npos);
        QVERIFY_THROWS_EXCEPTION(std::logic_error, args.getDouble("kid"));
        // A declared default the type refuses is the declaration's mistake, not the user's.
        QVERIFY(message([&] { args.getInt64("batch"); }).find("--batch") != std::string::npos);
        QVERIFY(message([&] { args.getSeed("seed"); }).find("--seed") != std::string::npos);
        // Given values need no default.
        QCOMPARE(Args({"--out", "a.png", "--threads", "2"}, table).get("out"), std::string("a.png"));
        QCOMPARE(Args({"--threads", "2"}, table).getInt("threads"), 2);
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
        QCOMPARE(*args.given("out"), std::string("b.png"));
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
