// ddsm-studio: the DDSM Studio desktop application.
// Usage: ddsm-studio [--threads N] [FILE]  (a model, a grid PNG with settings, or a workspace)
#include "main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName("DDSM Studio");
    QApplication::setApplicationName("DDSM Studio");
    QApplication::setApplicationVersion("0.1.0");

    QCommandLineParser parser;
    parser.setApplicationDescription("Step-aware diffusion models: schedules, denoising, costs.");
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption threads("threads", "CPU threads for the network (default: all cores).", "N");
    parser.addOption(threads);
    parser.addPositionalArgument("file", "A model (.safetensors), a grid PNG with settings, or a workspace.");
    parser.process(app);

    ddsm::ui::MainWindow window(parser.value(threads).toInt());
    window.resize(1400, 900);
    window.show();
    const QStringList files = parser.positionalArguments();
    QTimer::singleShot(0, &window, [&window, files] {
        window.offerAutosaveRecovery();
        if (!files.isEmpty())
            window.openFile(files.front());
    });
    return app.exec();
}
