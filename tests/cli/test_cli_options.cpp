// Every command's --help against its parser, run as a user would: each option
// a help row lists is accepted (with a value exactly when the row shows one),
// options the help does not list are refused as unknown, and a numeric
// option's "(default X)" is a number. `--help` comes first, so nothing runs:
// the parser reads every argument before the help.
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QtTest>

#include <memory>
#include <vector>

namespace {

struct Run {
    int exitCode;
    QString out, err;
};

// Runs every argument list, a few processes at a time (each loads LibTorch).
QList<Run> runAll(const QList<QStringList>& argLists)
{
    constexpr int kParallel = 4;
    QList<Run> runs;
    for (qsizetype first = 0; first < argLists.size(); first += kParallel) {
        std::vector<std::unique_ptr<QProcess>> batch;
        for (qsizetype i = first; i < std::min(first + kParallel, argLists.size()); ++i) {
            batch.push_back(std::make_unique<QProcess>());
            batch.back()->start(DDSM_CLI, argLists[i]);
        }
        for (auto& p : batch) {
            p->waitForFinished(120000);
            runs.append({p->exitCode(), QString::fromUtf8(p->readAllStandardOutput()),
                         QString::fromUtf8(p->readAllStandardError())});
        }
    }
    return runs;
}

Run runOne(const QStringList& args) { return runAll({args}).front(); }

// The commands `ddsm --help` lists: the first word of each line under "commands:".
QStringList commands()
{
    const Run r = runOne({"--help"});
    QStringList names;
    const QString list = r.out.mid(r.out.indexOf("commands:"));
    static const QRegularExpression line(R"(^  ([a-z][a-z-]*) )", QRegularExpression::MultilineOption);
    for (auto m = line.globalMatch(list); m.hasNext();)
        if (const QString name = m.next().captured(1); !names.contains(name))
            names << name;
    return names;
}

// Option name -> takes a value, from the rows "  --name VALUE   text" (" *--name"
// for train's options that may change on resume); a flag's text is at least two
// spaces away, a value's placeholder one.
QMap<QString, bool> listedOptions(const QString& help)
{
    QMap<QString, bool> options;
    static const QRegularExpression row(R"(^ [ *]--([A-Za-z][A-Za-z0-9-]*)( [^ \n]+)?)",
                                        QRegularExpression::MultilineOption);
    for (auto m = row.globalMatch(help); m.hasNext();) {
        const auto match = m.next();
        options[match.captured(1)] = match.hasCaptured(2);
    }
    return options;
}

// Each option row's text, its continuation lines (indented to column 23) joined by spaces.
QMap<QString, QString> rowTexts(const QString& help)
{
    QMap<QString, QString> texts;
    static const QRegularExpression row(R"(^ [ *]--([A-Za-z][A-Za-z0-9-]*)(?: ([^ ]+))?(?: +(.*))?$)");
    static const QRegularExpression continuation(R"(^ {23}(\S.*)$)");
    QString current;
    for (const QString& line : help.split('\n')) {
        if (const auto m = row.match(line); m.hasMatch()) {
            current = m.captured(1);
            texts[current] = m.captured(3);
        } else if (const auto c = continuation.match(line); c.hasMatch() && !current.isEmpty()) {
            texts[current] += " " + c.captured(1);
        } else {
            current.clear();
        }
    }
    return texts;
}

// Placeholders of numbers; the options after them use one of those letters for a word.
const QStringList kNumericPlaceholders{"N", "X", "B", "K", "M", "P", "S", "W", "Z", "R", "G", "C", "A", "MB", "M2", "S2"};
const QStringList kWordOptions{"granularity", "feature-range", "target"};

constexpr const char* kNotAnOption = "--not-an-option-of-any-command";

}  // namespace

class TestCliOptions final : public QObject {
    Q_OBJECT
    QMap<QString, QMap<QString, bool>> listed_;  // command -> its help's options
    QMap<QString, QString> helps_;               // command -> its --help

private slots:
    void initTestCase()
    {
        const QStringList names = commands();
        QVERIFY2(names.size() >= 15, qPrintable(names.join(' ')));
        QList<QStringList> helps;
        for (const QString& name : names)
            helps << QStringList{name, "--help"};
        const QList<Run> runs = runAll(helps);
        for (qsizetype i = 0; i < names.size(); ++i) {
            QVERIFY2(runs[i].exitCode == 0, qPrintable(names[i] + ": " + runs[i].err));
            listed_[names[i]] = listedOptions(runs[i].out);
            helps_[names[i]] = runs[i].out;
            QVERIFY2(!listed_[names[i]].isEmpty(), qPrintable(names[i] + " --help lists no option"));
        }
    }

    // One run per command with every listed option: a value option takes the
    // next argument (an option-like one, which a flag would refuse as unknown).
    void everyListedOptionIsAccepted()
    {
        QList<QStringList> argLists;
        for (auto command = listed_.cbegin(); command != listed_.cend(); ++command) {
            QStringList args{command.key(), "--help"};
            for (auto option = command->cbegin(); option != command->cend(); ++option) {
                args << "--" + option.key();
                if (option.value())
                    args << kNotAnOption;
            }
            argLists << args;
        }
        const QList<Run> runs = runAll(argLists);
        QStringList failures;
        for (qsizetype i = 0; i < runs.size(); ++i)
            if (runs[i].exitCode != 0)
                failures << argLists[i].front() + ": " + runs[i].err.trimmed() + explainFailure(argLists[i].front());
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join('\n')));
    }

    // "(default X)" and "(default X: note)" of a numeric option: X parses as a
    // number ("(default: ...)" describes one the code computes).
    void numericDefaultsAreNumbers()
    {
        static const QRegularExpression placeholder(R"(^ [ *]--([A-Za-z0-9-]+) ([^ \n]+))", QRegularExpression::MultilineOption);
        static const QRegularExpression shown(R"(\(default ([^):]*)[):])");
        QStringList failures;
        int checked = 0;
        for (auto command = helps_.cbegin(); command != helps_.cend(); ++command) {
            QMap<QString, QString> placeholders;
            for (auto m = placeholder.globalMatch(*command); m.hasNext();) {
                const auto match = m.next();
                placeholders[match.captured(1)] = match.captured(2);
            }
            const QMap<QString, QString> texts = rowTexts(*command);
            for (auto row = texts.cbegin(); row != texts.cend(); ++row) {
                if (!kNumericPlaceholders.contains(placeholders.value(row.key())) || kWordOptions.contains(row.key()))
                    continue;
                for (auto m = shown.globalMatch(*row); m.hasNext();) {
                    const QString value = m.next().captured(1);
                    bool number = false;
                    value.toDouble(&number);
                    ++checked;
                    if (!number)
                        failures << command.key() + " --" + row.key() + ": \"" + *row + "\"";
                }
            }
        }
        QVERIFY2(checked >= 50, qPrintable(QString::number(checked) + " numeric defaults checked"));
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join('\n')));
    }

    void anOptionNoHelpListsIsRefused()
    {
        QList<QStringList> argLists;
        for (const QString& command : listed_.keys())
            argLists << QStringList{command, "--help", kNotAnOption};
        const QList<Run> runs = runAll(argLists);
        for (qsizetype i = 0; i < runs.size(); ++i) {
            QCOMPARE(runs[i].exitCode, 1);
            QVERIFY2(runs[i].err.contains(QString("unknown option ") + kNotAnOption), qPrintable(runs[i].err));
        }
    }

    // Options that two or more commands list (the shared groups: threads,
    // model, sampler, schedule, features, distributed, ...) are refused by every
    // command whose help does not list them; the parser names every unknown
    // option at once, so one run per command checks them all.
    void sharedOptionsAreRefusedWhereTheHelpOmitsThem()
    {
        QMap<QString, int> listings;
        for (const auto& options : listed_)
            for (const QString& name : options.keys())
                ++listings[name];
        QList<QStringList> argLists;
        QList<QStringList> omitted;
        for (auto command = listed_.cbegin(); command != listed_.cend(); ++command) {
            QStringList names;
            for (auto shared = listings.cbegin(); shared != listings.cend(); ++shared)
                if (shared.value() >= 2 && !command->contains(shared.key()))
                    names << "--" + shared.key();
            if (names.isEmpty())
                continue;
            argLists << (QStringList{command.key(), "--help"} + names);
            omitted << names;
        }
        QVERIFY(argLists.size() >= 10);
        const QList<Run> runs = runAll(argLists);
        QStringList failures;
        for (qsizetype i = 0; i < runs.size(); ++i) {
            // "unknown options --a, --b (see --help)": each name followed by ',' or ' '.
            const QString named = runs[i].err.section(QStringLiteral("unknown option"), 1);
            for (const QString& name : omitted[i])
                if (runs[i].exitCode != 1 || !QRegularExpression(QRegularExpression::escape(name) + "[, ]").match(named).hasMatch())
                    failures << argLists[i].first() + " " + name + ": accepted though its help does not list it";
        }
        QVERIFY2(failures.isEmpty(), qPrintable(failures.join('\n')));
    }

private:
    // Which of `command`'s listed options the parser refuses, or takes with the
    // other arity than its row shows: one run each.
    QString explainFailure(const QString& command)
    {
        QList<QStringList> argLists;
        const QMap<QString, bool>& options = listed_[command];
        for (auto option = options.cbegin(); option != options.cend(); ++option)
            // A value option without its value, a flag with one: both refused.
            argLists << QStringList{command, "--help", "--" + option.key() + (option.value() ? "" : "=x")};
        const QList<Run> runs = runAll(argLists);
        QString out;
        for (qsizetype i = 0; i < runs.size(); ++i) {
            const bool value = options.value(argLists[i][2].section('=', 0, 0).mid(2));
            const char* expected = value ? "needs a value" : "takes no value";
            if (!runs[i].err.contains(expected))
                out += "\n  " + argLists[i].join(' ') + ": expected \"" + expected + "\", got exit " +
                       QString::number(runs[i].exitCode) + " " + runs[i].err.trimmed();
        }
        return out;
    }
};

QTEST_APPLESS_MAIN(TestCliOptions)
#include "test_cli_options.moc"
