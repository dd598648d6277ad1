#pragma once
// What the CLI suites share: running `ddsm` as a user would (DDSM_CLI is the
// built binary) and the tiny architecture they write model files with.
#include "engine/net_config.h"

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

// Widths {1.0, 0.5}, T = 40: small enough that sampling takes a moment.
inline NetConfig tiny()
{
    NetConfig c;
    c.imageSize = 8;
    c.baseChannels = 16;
    c.channelMult = {1, 2};
    c.numResBlocks = 1;
    c.attentionLevels = {1};
    c.normGroups = 4;
    c.widths = {1.0, 0.5};
    c.diffusion.T = 40;
    return c;
}

}  // namespace ddsm::test
