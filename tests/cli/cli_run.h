#pragma once
// What the CLI suites share: running `ddsm` as a user would (DDSM_CLI is the
// built binary) and the tiny architecture they write model files with.
#include "engine/net_config.h"
#include "tiny_net.h"

#include <QProcess>
#include <QString>
#include <QStringList>

namespace ddsm::test {

struct Run {
    int exitCode;
    QString out, err;
};

inline Run runCli(const QStringList& args)
{
    QProcess p;
    p.start(DDSM_CLI, args);
    p.waitForFinished(300000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

// The suites' tiny network as the CLI suites have always written it (dropout 0.1).
inline NetConfig tiny()
{
    NetConfig c = tinyNet();
    c.dropout = 0.1;
    return c;
}

}  // namespace ddsm::test
