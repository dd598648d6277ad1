#pragma once
// A PyTorch checkpoint whose pickle calls os.system to create `marker` when
// plain pickle.loads reads it: the file the checkpoint import must refuse
// without running anything. Written and, as the control that proves the
// payload live, read by the system's Python; each returns false when Python
// could not run.
#include <QProcess>
#include <QString>

namespace ddsm::test {

inline bool writeHostileCheckpoint(const QString& checkpoint, const QString& marker)
{
    const char* make =
        "import os, pickle, sys, zipfile\n"
        "class Call:\n"
        "    def __reduce__(self): return (os.system, ('touch ' + sys.argv[2],))\n"
        "data = pickle.dumps({'ema_model': Call(), 'net_model': {}}, protocol=2)\n"
        "with zipfile.ZipFile(sys.argv[1], 'w') as z:\n"
        "    z.writestr('evil/data.pkl', data)\n"
        "    z.writestr('evil/version', '3\\n')\n";
    QProcess python;
    python.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), QString::fromUtf8(make), checkpoint, marker});
    return python.waitForFinished(60000) && python.exitStatus() == QProcess::NormalExit && python.exitCode() == 0;
}

// The control: plain unpickling of the checkpoint, which runs its payload.
inline bool unpickleWithPython(const QString& checkpoint)
{
    QProcess python;
    python.start(QStringLiteral("/usr/bin/python3"),
                 {QStringLiteral("-c"),
                  QStringLiteral("import pickle, sys, zipfile; pickle.loads(zipfile.ZipFile(sys.argv[1]).read('evil/data.pkl'))"),
                  checkpoint});
    return python.waitForFinished(60000);
}

}  // namespace ddsm::test
