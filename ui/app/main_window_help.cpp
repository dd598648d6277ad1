// MainWindow: the Help menu (about, keyboard shortcuts, a short tour).
#include "main_window.h"

#include <QApplication>
#include <QMenuBar>
#include <QMessageBox>

namespace ddsm::ui {

namespace {

const char* kShortcuts = QT_TRANSLATE_NOOP("ddsm::ui::MainWindow", R"(<table cellspacing="4">
<tr><th align="left" colspan="2">Window</th></tr>
<tr><td>Ctrl+O</td><td>Open a model, grid PNG or workspace</td></tr>
<tr><td>Ctrl+S</td><td>Save the workspace</td></tr>
<tr><td>Ctrl+Z</td><td>Undo (one drag is one step)</td></tr>
<tr><td>Ctrl+Shift+Z, Ctrl+Y</td><td>Redo</td></tr>
<tr><td>F5</td><td>Run denoising again</td></tr>
<tr><td>Ctrl+Q</td><td>Quit (asks about unsaved edits)</td></tr>
<tr><th align="left" colspan="2">Schedule timeline (click it first)</th></tr>
<tr><td>Drag</td><td>Paint the width under the pointer onto each step passed</td></tr>
<tr><td>Shift+drag, right-drag</td><td>Select a range (right release: width menu)</td></tr>
<tr><td>Left / Right, Home / End</td><td>Move the step cursor (Shift: extend the selection)</td></tr>
<tr><td>Up / Down</td><td>Widen / narrow the cursor step</td></tr>
<tr><td>1-4</td><td>Set the selection (or the cursor step) to the n-th largest width</td></tr>
<tr><td>Ctrl+A, Escape</td><td>Select all, clear the selection</td></tr>
</table>)");

const char* kTour = QT_TRANSLATE_NOOP("ddsm::ui::MainWindow", R"(<p><b>Schedule</b> (bottom): sampler steps from noise (left) to image (right);
rows are the widths. Paint with the mouse, pick a preset, or switch the mode box to
<i>Importance curve</i> and drag the curve and its thresholds.</p>
<p><b>Denoising</b>: samples from one fixed seed under the current schedule, step by step;
play, step or scrub; click a sample to enlarge it.</p>
<p><b>Compare</b>: the same noise under several schedules side by side, with a
colour-mapped difference of any two.</p>
<p><b>Metrics</b>: GFLOPs, saving, latency from the measured per-width times, the predicted
FID, and a measured FID that firms up in the background (Run menu). The plot marks
what each point is: measured, predicted, or a search score of few samples.</p>
<p><b>Model</b> and <b>Search</b> (right, tabbed): the network's widths and costs; an
NSGA-II search for the best schedule under a budget.</p>
<p>Edits are autosaved within two seconds; View &gt; Reset Layout restores the docks.</p>)");

}  // namespace

void MainWindow::buildHelpMenu()
{
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Tour"), this, [this] { QMessageBox::information(this, tr("A short tour"), tr(kTour)); });
    QAction* keys = help->addAction(tr("&Keyboard Shortcuts"), this, [this] {
        QMessageBox::information(this, tr("Keyboard shortcuts"), tr(kShortcuts));
    });
    keys->setShortcut(QKeySequence::HelpContents);
    help->addSeparator();
    help->addAction(tr("&About DDSM Studio"), this, [this] {
        QMessageBox::about(this, tr("About DDSM Studio"),
                           tr("<p><b>DDSM Studio %1</b></p><p>A workbench for step-aware diffusion models (DDSM, Yang et al., "
                              "ICLR 2024): paint which network width runs at each denoising step and see samples, costs "
                              "and quality follow.</p><p>Qt %2, QCustomPlot, LibTorch.</p>")
                               .arg(QApplication::applicationVersion(), QString::fromLatin1(qVersion())));
    });
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

}  // namespace ddsm::ui
