// ddsm-studio: the DDSM Studio desktop application.
// Usage: ddsm-studio [--threads N] [--preset NAME] [--screenshot PNG] [FILE]
//   FILE: a model, a grid PNG with settings, or a workspace; without one, the
//   shipped default model (as started from the desktop menu).
#include "main_window.h"
#include "model_session.h"
#include "timeline/schedule_document_model.h"

#include "base/shipped_data.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDeadlineTimer>
#include <QFileInfo>
#include <QIcon>
#include <QPixmap>
#include <QScreen>
#include <QTimer>

#include <cstdio>

namespace {

// Once everything the window started on its own is done (denoising, latency
// profile, background FID), grabs the window from the display and quits:
// pictures of the real window for the documentation (e.g. under Xvfb).
void screenshotWhenSettled(ddsm::ui::MainWindow& window, const QString& path)
{
    auto* poll = new QTimer(&window);
    auto deadline = std::make_shared<QDeadlineTimer>(30 * 60 * 1000);
    QObject::connect(poll, &QTimer::timeout, &window, [&window, path, poll, deadline] {
        const bool settled = window.session()->hasModel() && window.isSettled();
        if (!settled && !deadline->hasExpired())
            return;
        poll->stop();
        const QPixmap shot = window.screen()->grabWindow(window.winId());
        const bool saved = !shot.isNull() && shot.save(path);
        std::fprintf(saved ? stdout : stderr, "%s %s\n", saved ? "wrote" : "could not write", qPrintable(path));
        window.close();  // a clean exit: no autosave is left to offer next time
        QApplication::exit(saved ? 0 : 1);
    });
    poll->start(500);
}

// The model to open: the one named, else the shipped default model if this
// installation (or build) has it.
QStringList filesToOpen(const QStringList& named)
{
    if (!named.isEmpty())
        return named;
    const QString shipped = QString::fromStdString(ddsm::shippedModelsDir()) + QStringLiteral("/fmnist-wide.safetensors");
    return QFileInfo::exists(shipped) ? QStringList{shipped} : QStringList{};
}

}  // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("DDSM Studio"));
    QApplication::setApplicationName(QStringLiteral("DDSM Studio"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    QApplication::setDesktopFileName(QStringLiteral("ddsm-studio"));  // packaging/ddsm-studio.desktop
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("ddsm-studio")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Step-aware diffusion models: schedules, denoising, costs."));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption threads(QStringLiteral("threads"), QStringLiteral("CPU threads for the network (default: all cores)."),
                              QStringLiteral("N"));
    parser.addOption(threads);
    QCommandLineOption preset(QStringLiteral("preset"),
                             QStringLiteral("Schedule preset to apply once the model is open (as in the Schedule dock)."),
                             QStringLiteral("NAME"));
    parser.addOption(preset);
    QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Once the model is open and every job has finished, save a picture of the window and quit."),
        QStringLiteral("PNG"));
    parser.addOption(screenshot);
    parser.addPositionalArgument(QStringLiteral("file"),
                                 QStringLiteral("A model (.safetensors), a grid PNG with settings, or a workspace "
                                                "(default: the shipped default model)."));
    parser.process(app);

    ddsm::ui::MainWindow window(parser.value(threads).toInt());  // sized by itself (saved, or fitted to the screen)
    if (parser.isSet(screenshot))
        window.setGeometry(window.screen()->availableGeometry());  // pictures of the whole screen's worth
    window.show();
    const QStringList files = filesToOpen(parser.positionalArguments());
    if (parser.isSet(preset)) {
        const QString name = parser.value(preset);
        QObject::connect(&window, &ddsm::ui::MainWindow::modelReady, &window, [&window, name] {
            if (!window.document()->applyPreset(name))
                std::fprintf(stderr, "no preset \"%s\"; presets: %s\n", qPrintable(name),
                             qPrintable(window.document()->presetNames().join(QStringLiteral(", "))));
        }, Qt::SingleShotConnection);
    }
    const bool scripted = parser.isSet(screenshot);
    if (scripted) {
        window.setConfirmClose(false);  // a scripted run asks nothing
        screenshotWhenSettled(window, parser.value(screenshot));
    }
    QTimer::singleShot(0, &window, [&window, files, scripted] { window.openAtStart(files, !scripted); });
    return app.exec();
}
