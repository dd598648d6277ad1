#include "base/error.h"
#include "schedule/presets.h"
#include "schedule/respacing.h"
#include "schedule/search_txt.h"
#include "schedule/step_schedule.h"
#include "timeline/preset_menu.h"
#include "timeline/schedule_document_model.h"
#include "timeline/schedule_timeline.h"
#include "timeline/width_colors.h"

#include <QAction>
#include <QFile>
#include <QImage>
#include <QMenu>
#include <QSignalSpy>
#include <QTimer>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <memory>

using ddsm::StepSchedule;
using ddsm::ui::ImportanceCurve;
using ddsm::ui::ScheduleDocumentModel;
using ddsm::ui::ScheduleTimeline;

namespace {

constexpr int kT = 1000;
const std::vector<double> kWidths{1.0, 0.75, 0.5, 0.25};

// A model and a timeline showing it, laid out at a fixed size.
struct Editor {
    explicit Editor(int steps, StepSchedule schedule = {})
    {
        model.reset(kT, kWidths, steps, std::move(schedule), QStringLiteral("start"));
        timeline.setModel(&model);
        timeline.resize(900, 320);
        timeline.show();
    }
    QPoint at(int step, double width) const
    {
        return QPointF(timeline.xForStep(step), timeline.yForWidth(width)).toPoint();
    }
    ScheduleDocumentModel model;
    ScheduleTimeline timeline;
};

// The noisier half at 1.0, the rest at 0.25: every edit below is visible.
StepSchedule largeEarlySmallLate() { return StepSchedule::switchFraction(kT, 0.5, 1.0, 0.25); }

void drag(QWidget* widget, const std::vector<QPoint>& path,
          Qt::KeyboardModifiers modifiers = Qt::NoModifier)
{
    QTest::mousePress(widget, Qt::LeftButton, modifiers, path.front());
    for (size_t i = 1; i < path.size(); ++i)
        QTest::mouseMove(widget, path[i]);
    QTest::mouseRelease(widget, Qt::LeftButton, modifiers, path.back());
}

void hover(QWidget* widget, const QPoint& pos)
{
    QMouseEvent move(QEvent::MouseMove, pos, widget->mapToGlobal(pos), Qt::NoButton,
                     Qt::NoButton, Qt::NoModifier);
    QApplication::sendEvent(widget, &move);
}

// Piecewise-linear interpolation of evenly spaced points at progress u in [0, 1].
double interpolate(const std::vector<double>& points, double u)
{
    const double position = u * (points.size() - 1);
    const size_t left = std::min(static_cast<size_t>(position), points.size() - 2);
    return points[left] + (position - left) * (points[left + 1] - points[left]);
}

QRgb pixelAt(const QImage& image, const QPointF& logical)
{
    const QPointF device = logical * image.devicePixelRatio();
    return image.pixel(device.toPoint());
}

}  // namespace

class TestUiTimeline final : public QObject {
    Q_OBJECT

private slots:
    void dragPaintsTheStepsPassed_data();
    void dragPaintsTheStepsPassed();
    void diagonalDragFollowsTheLine();
    void twoDragsAreTwoUndoSteps();
    void keyboardCursorAndNumberKeysSetWidths();
    void keyboardRangeSelectionSetsWidths();
    void mouseRangeSelectionAndMenuSetWidths();
    void rightDragSelectsAndOpensTheWidthMenu();
    void presetsReplaceTheSchedule();
    void presetMenuAppliesPresets();
    void importReadsSearchTxt();
    void importOfBadFileChangesNothing_data();
    void importOfBadFileChangesNothing();
    void importanceHandleDragFollowsFromImportance();
    void importanceThresholdDrag();
    void switchingModesKeepsTheSchedule();
    void changingStepsKeepsTheTrainingAxisSchedule();
    void invalidResetChangesNothing();
    void editsCoverTheTimestepsNearestEachStep();
    void hoverReportsStepTimestepAndWidth();
    void renderingShowsWidthColours();
    void renderingManyStepsAsBands();
    void overlayIsDrawnWhereItsValuesAre();
    void dragWhileTextsChangeKeepsGeometryAndPaintsTheAimedSteps();
    void editedPresetIsNoLongerNamedButAPresetAgainIs();
};

void TestUiTimeline::dragPaintsTheStepsPassed_data()
{
    QTest::addColumn<int>("steps");
    QTest::addColumn<int>("from");
    QTest::addColumn<int>("to");
    QTest::addColumn<double>("width");
    QTest::addColumn<bool>("oneJump");  // one move event: nothing between must be skipped
    QTest::newRow("forward, every step") << 20 << 3 << 8 << 0.5 << false;
    QTest::newRow("forward, one jump") << 20 << 2 << 17 << 0.75 << true;
    QTest::newRow("backward, one jump") << 20 << 15 << 4 << 0.25 << true;
    QTest::newRow("a single step") << 20 << 12 << 12 << 0.5 << true;
    QTest::newRow("100 steps, one jump") << 100 << 10 << 90 << 0.5 << true;
}

void TestUiTimeline::dragPaintsTheStepsPassed()
{
    QFETCH(int, steps);
    QFETCH(int, from);
    QFETCH(int, to);
    QFETCH(double, width);
    QFETCH(bool, oneJump);
    Editor editor(steps, largeEarlySmallLate());
    const StepSchedule original = editor.model.schedule();
    const std::vector<double> before = editor.model.stepWidths();

    std::vector<QPoint> path{editor.at(from, width)};
    const int direction = to >= from ? 1 : -1;
    if (!oneJump)
        for (int s = from + direction; s != to; s += direction)
            path.push_back(editor.at(s, width));
    path.push_back(editor.at(to, width));
    // The expected steps come from the widget's own mapping of the points sent.
    const int first = std::min(editor.timeline.stepAt(path.front().x()),
                               editor.timeline.stepAt(path.back().x()));
    const int last = std::max(editor.timeline.stepAt(path.front().x()),
                              editor.timeline.stepAt(path.back().x()));
    QCOMPARE(first, std::min(from, to));
    QCOMPARE(last, std::max(from, to));
    QCOMPARE(editor.timeline.widthAt(path.front().y()), width);

    drag(&editor.timeline, path);

    const std::vector<double> after = editor.model.stepWidths();
    for (int s = 0; s < steps; ++s)
        QCOMPARE(after[s], s >= first && s <= last ? width : before[s]);
    QCOMPARE(editor.model.undoStack()->count(), 1);
    editor.model.undoStack()->undo();
    QVERIFY(editor.model.schedule() == original);
    editor.model.undoStack()->redo();
    QCOMPARE(editor.model.stepWidths(), after);
}

void TestUiTimeline::diagonalDragFollowsTheLine()
{
    Editor editor(40);
    // From the top band at step 5 to the bottom band at step 34 in one event.
    const QPoint start = editor.at(5, 1.0);
    const QPoint end = editor.at(34, 0.25);
    drag(&editor.timeline, {start, end});
    const std::vector<double> widths = editor.model.stepWidths();
    QCOMPARE(widths[5], 1.0);
    QCOMPARE(widths[34], 0.25);
    for (int s = 6; s <= 34; ++s)
        QVERIFY2(widths[s] <= widths[s - 1], qPrintable(QStringLiteral("step %1").arg(s)));
    // Every level is crossed, so every width appears along the stroke.
    for (double w : kWidths)
        QVERIFY(std::find(widths.begin() + 5, widths.begin() + 35, w) != widths.begin() + 35);
    QCOMPARE(editor.model.undoStack()->count(), 1);
}

void TestUiTimeline::twoDragsAreTwoUndoSteps()
{
    Editor editor(30, largeEarlySmallLate());
    const StepSchedule original = editor.model.schedule();
    drag(&editor.timeline, {editor.at(2, 0.5), editor.at(6, 0.5)});
    const StepSchedule afterFirst = editor.model.schedule();
    drag(&editor.timeline, {editor.at(20, 0.75), editor.at(25, 0.75), editor.at(28, 0.75)});
    QVERIFY(editor.model.schedule() != afterFirst);
    QCOMPARE(editor.model.undoStack()->count(), 2);
    editor.model.undoStack()->undo();
    QVERIFY(editor.model.schedule() == afterFirst);
    editor.model.undoStack()->undo();
    QVERIFY(editor.model.schedule() == original);
}

void TestUiTimeline::keyboardCursorAndNumberKeysSetWidths()
{
    Editor editor(20);
    editor.timeline.setFocus();
    const std::vector<double> before = editor.model.stepWidths();
    for (int i = 0; i < 3; ++i)
        QTest::keyClick(&editor.timeline, Qt::Key_Right);
    QTest::keyClick(&editor.timeline, Qt::Key_Left);
    QTest::keyClick(&editor.timeline, Qt::Key_Right);
    QCOMPARE(editor.timeline.cursorStep(), 3);

    QTest::keyClick(&editor.timeline, Qt::Key_3);
    std::vector<double> expected = before;
    expected[3] = 0.5;
    QCOMPARE(editor.model.stepWidths(), expected);

    QTest::keyClick(&editor.timeline, Qt::Key_Up);
    expected[3] = 0.75;
    QCOMPARE(editor.model.stepWidths(), expected);
    QTest::keyClick(&editor.timeline, Qt::Key_Down);
    QTest::keyClick(&editor.timeline, Qt::Key_Down);
    expected[3] = 0.25;
    QCOMPARE(editor.model.stepWidths(), expected);
    // Already the smallest: nothing to narrow, nothing to undo.
    QTest::keyClick(&editor.timeline, Qt::Key_Down);
    QCOMPARE(editor.model.undoStack()->count(), 4);

    QTest::keyClick(&editor.timeline, Qt::Key_End);
    QTest::keyClick(&editor.timeline, Qt::Key_2);
    expected[19] = 0.75;
    QCOMPARE(editor.model.stepWidths(), expected);
}

void TestUiTimeline::keyboardRangeSelectionSetsWidths()
{
    Editor editor(20, largeEarlySmallLate());
    QSignalSpy selections(&editor.timeline, &ScheduleTimeline::selectionChanged);
    editor.timeline.setFocus();
    const std::vector<double> before = editor.model.stepWidths();
    QTest::keyClick(&editor.timeline, Qt::Key_Right);
    QTest::keyClick(&editor.timeline, Qt::Key_Right);
    for (int i = 0; i < 4; ++i)
        QTest::keyClick(&editor.timeline, Qt::Key_Right, Qt::ShiftModifier);
    QCOMPARE(editor.timeline.selectionFirst(), 2);
    QCOMPARE(editor.timeline.selectionLast(), 6);
    QCOMPARE(selections.last().at(0).toInt(), 2);
    QCOMPARE(selections.last().at(1).toInt(), 6);

    QTest::keyClick(&editor.timeline, Qt::Key_3);
    const std::vector<double> after = editor.model.stepWidths();
    for (int s = 0; s < 20; ++s)
        QCOMPARE(after[s], s >= 2 && s <= 6 ? 0.5 : before[s]);
    QCOMPARE(editor.model.undoStack()->count(), 1);

    QTest::keyClick(&editor.timeline, Qt::Key_A, Qt::ControlModifier);
    QCOMPARE(editor.timeline.selectionFirst(), 0);
    QCOMPARE(editor.timeline.selectionLast(), 19);
    QTest::keyClick(&editor.timeline, Qt::Key_4);
    QVERIFY(editor.model.schedule() == StepSchedule::uniform(kT, 0.25));
    QTest::keyClick(&editor.timeline, Qt::Key_Escape);
    QVERIFY(!editor.timeline.hasSelection());
}

void TestUiTimeline::mouseRangeSelectionAndMenuSetWidths()
{
    Editor editor(20, largeEarlySmallLate());
    const StepSchedule original = editor.model.schedule();
    const std::vector<double> before = editor.model.stepWidths();
    drag(&editor.timeline, {editor.at(5, 0.25), editor.at(7, 1.0), editor.at(11, 0.5)},
         Qt::ShiftModifier);
    QCOMPARE(editor.timeline.selectionFirst(), 5);
    QCOMPARE(editor.timeline.selectionLast(), 11);
    // Selecting is not an edit.
    QVERIFY(editor.model.schedule() == original);
    QCOMPARE(editor.model.undoStack()->count(), 0);

    QMenu menu;
    editor.timeline.populateContextMenu(&menu);
    QAction* setMiddle = nullptr;
    for (QAction* action : menu.actions())
        if (action->text().endsWith(QStringLiteral("width 0.75")))
            setMiddle = action;
    QVERIFY(setMiddle);
    setMiddle->trigger();
    const std::vector<double> after = editor.model.stepWidths();
    for (int s = 0; s < 20; ++s)
        QCOMPARE(after[s], s >= 5 && s <= 11 ? 0.75 : before[s]);
    QCOMPARE(editor.model.undoStack()->count(), 1);
}

void TestUiTimeline::rightDragSelectsAndOpensTheWidthMenu()
{
    Editor editor(20);
    QStringList menuTexts;
    // The menu runs its own event loop: read it and close it from inside.
    QTimer::singleShot(0, [&] {
        if (auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget())) {
            for (QAction* action : menu->actions())
                menuTexts << action->text();
            menu->close();
        }
    });
    QTest::mousePress(&editor.timeline, Qt::RightButton, Qt::NoModifier, editor.at(3, 0.5));
    QTest::mouseMove(&editor.timeline, editor.at(6, 0.5));
    QTest::mouseMove(&editor.timeline, editor.at(9, 1.0));
    QTest::mouseRelease(&editor.timeline, Qt::RightButton, Qt::NoModifier, editor.at(9, 1.0));
    QCOMPARE(editor.timeline.selectionFirst(), 3);
    QCOMPARE(editor.timeline.selectionLast(), 9);
    QVERIFY2(menuTexts.contains(QStringLiteral("Set steps 3–9 to width 0.5")),
             qPrintable(menuTexts.join(QStringLiteral(" | "))));
    QCOMPARE(editor.model.undoStack()->count(), 0);
}

void TestUiTimeline::presetsReplaceTheSchedule()
{
    ScheduleDocumentModel model;
    model.reset(kT, kWidths, 25);
    const std::vector<ddsm::NamedSchedule> presets = ddsm::schedulePresets(kT, kWidths);
    QCOMPARE(model.presetNames().size(), static_cast<qsizetype>(presets.size()));
    int undoSteps = 0;
    for (const ddsm::NamedSchedule& preset : presets) {
        QVERIFY(model.applyPreset(QString::fromStdString(preset.name)));
        QVERIFY2(model.schedule() == preset.schedule, preset.name.c_str());
        QCOMPARE(model.name(), QString::fromStdString(preset.name));
        QCOMPARE(model.stepWidths(), preset.schedule.widthsAt(ddsm::respacedTimesteps(kT, 25)));
        // Even a preset equal to the schedule renames it: one undo step each.
        ++undoSteps;
        QCOMPARE(model.undoStack()->count(), undoSteps);
    }
    const StepSchedule last = model.schedule();
    QVERIFY(!model.applyPreset(QStringLiteral("no-such-preset")));
    QVERIFY(model.schedule() == last);
    model.undoStack()->undo();
    QVERIFY(model.schedule() != last);
}

void TestUiTimeline::presetMenuAppliesPresets()
{
    ScheduleDocumentModel model;
    QMenu menu;
    QString chosen;
    ddsm::ui::populatePresetMenu(&menu, &model, [&] { return chosen; });
    auto* preset = menu.findChild<QAction*>(QStringLiteral("preset:small-early-large-late"));
    QVERIFY(preset);
    QVERIFY(!preset->toolTip().isEmpty());
    preset->trigger();
    QVERIFY(model.schedule() == StepSchedule::switchFraction(kT, 0.5, 0.25, 1.0));

    // A cancelled file dialog changes nothing.
    auto* import = menu.findChild<QAction*>(QStringLiteral("import"));
    QVERIFY(import);
    import->trigger();
    QCOMPARE(model.undoStack()->count(), 1);
}

void TestUiTimeline::importReadsSearchTxt()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("searched.txt"));
    const StepSchedule searched = StepSchedule::fromRanges(kT, 0.5, {{0, 99, 1.0}, {700, 999, 0.25}});
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray::fromStdString(ddsm::scheduleToSearchTxt(searched)));
    file.close();

    ScheduleDocumentModel model;
    QSignalSpy changes(&model, &ScheduleDocumentModel::scheduleChanged);
    QVERIFY(model.importFile(path));
    QVERIFY(model.schedule() == searched);
    QCOMPARE(model.name(), QStringLiteral("searched"));
    QCOMPARE(changes.count(), 1);
    QCOMPARE(model.undoStack()->count(), 1);
    model.undoStack()->undo();
    QVERIFY(model.schedule() == StepSchedule::uniform(kT, 1.0));
}

void TestUiTimeline::importOfBadFileChangesNothing_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QByteArray>("content");
    QTest::newRow("malformed json") << "broken.json" << QByteArray("{ \"format\": ");
    QTest::newRow("not a list") << "junk.txt" << QByteArray("[0.5, 1.0, oops]");
    QTest::newRow("wrong T") << "short.txt" << QByteArray("[1.0, 0.5, 0.25]");
    QTest::newRow("missing file") << "absent.json" << QByteArray();
    // Valid file, but 0.6 is not a width this model has.
    QTest::newRow("foreign width")
        << "foreign.txt"
        << QByteArray::fromStdString(ddsm::scheduleToSearchTxt(StepSchedule::uniform(kT, 0.6)));
}

void TestUiTimeline::importOfBadFileChangesNothing()
{
    QFETCH(QString, fileName);
    QFETCH(QByteArray, content);
    QTemporaryDir dir;
    const QString path = dir.filePath(fileName);
    if (!content.isEmpty()) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
    }
    ScheduleDocumentModel model;
    model.applyPreset(QStringLiteral("switch-0.3"));
    const ddsm::ui::ScheduleState before = model.state();
    const int undoCount = model.undoStack()->count();
    QSignalSpy failures(&model, &ScheduleDocumentModel::importFailed);
    QSignalSpy changes(&model, &ScheduleDocumentModel::scheduleChanged);

    QString error;
    QVERIFY(!model.importFile(path, &error));
    QVERIFY2(error.contains(fileName), qPrintable(error));
    QCOMPARE(failures.count(), 1);
    QCOMPARE(failures.first().first().toString(), error);
    QVERIFY(model.state() == before);
    QCOMPARE(changes.count(), 0);
    QCOMPARE(model.undoStack()->count(), undoCount);
}

void TestUiTimeline::importanceHandleDragFollowsFromImportance()
{
    Editor editor(50);
    editor.timeline.setEditMode(ScheduleTimeline::EditMode::Importance);
    const ImportanceCurve before = editor.model.importanceCurve();
    const StepSchedule original = editor.model.schedule();
    QCOMPARE(before.points.size(), size_t{6});
    QCOMPARE(before.thresholds, (std::vector<double>{0.75, 0.5, 0.25}));

    // Pull handle 2 (progress 0.4, t = 599) down below every threshold.
    const QPoint grab = editor.timeline.handlePosition(2).toPoint();
    const double targetY = editor.timeline.layout().yForImportance(0.1);
    const QPoint middle(grab.x(), (grab.y() + static_cast<int>(targetY)) / 2);
    const QPoint target(grab.x(), static_cast<int>(std::lround(targetY)));
    drag(&editor.timeline, {grab, middle, target});

    const ImportanceCurve after = editor.model.importanceCurve();
    QVERIFY(std::abs(after.points[2] - 0.1) < 0.01);
    for (size_t k = 0; k < after.points.size(); ++k)
        if (k != 2)
            QCOMPARE(after.points[k], before.points[k]);
    QCOMPARE(after.thresholds, before.thresholds);

    // The widths are fromImportance of the curve, sampled here independently.
    std::vector<double> importance(kT);
    for (int t = 0; t < kT; ++t)
        importance[t] = interpolate(after.points, static_cast<double>(kT - 1 - t) / (kT - 1));
    QVERIFY(editor.model.schedule()
            == StepSchedule::fromImportance(kT, importance, after.thresholds, kWidths));
    QCOMPARE(editor.model.schedule().widthAt(599), 0.25);
    QCOMPARE(editor.model.schedule().widthAt(kT - 1), 1.0);
    QCOMPARE(editor.model.schedule().widthAt(0), 1.0);

    QCOMPARE(editor.model.undoStack()->count(), 1);
    editor.model.undoStack()->undo();
    QVERIFY(editor.model.schedule() == original);
    QVERIFY(editor.model.importanceCurve() == before);
}

void TestUiTimeline::importanceThresholdDrag()
{
    Editor editor(50);
    editor.timeline.setEditMode(ScheduleTimeline::EditMode::Importance);
    const double y = editor.timeline.yForThreshold(0);
    // Between handles, so that the threshold line (not a handle) is hit.
    const double x = (editor.timeline.handlePosition(1).x() + editor.timeline.handlePosition(2).x()) / 2;
    const QPoint grab = QPointF(x, y).toPoint();
    const QPoint target = QPointF(x, editor.timeline.layout().yForImportance(0.95)).toPoint();
    drag(&editor.timeline, {grab, target});

    const ImportanceCurve curve = editor.model.importanceCurve();
    QVERIFY(std::abs(curve.thresholds[0] - 0.95) < 0.01);
    QCOMPARE(curve.thresholds[1], 0.5);
    // The curve (at 0.875) is now below the first threshold: the next width.
    QVERIFY(editor.model.schedule() == StepSchedule::uniform(kT, 0.75));
    QCOMPARE(editor.model.undoStack()->count(), 1);
}

void TestUiTimeline::switchingModesKeepsTheSchedule()
{
    Editor editor(50);
    editor.model.applyPreset(QStringLiteral("small-early-large-late"));
    const StepSchedule preset = editor.model.schedule();
    editor.timeline.setEditMode(ScheduleTimeline::EditMode::Importance);
    QVERIFY(editor.model.schedule() == preset);
    // The curve starts from the schedule: the noise end low, the image end high.
    const ImportanceCurve curve = editor.model.importanceCurve();
    QVERIFY(curve.points.front() < 0.25);
    QVERIFY(curve.points.back() >= 0.75);
    editor.timeline.setEditMode(ScheduleTimeline::EditMode::Paint);
    QVERIFY(editor.model.schedule() == preset);
    QCOMPARE(editor.model.undoStack()->count(), 1);
}

void TestUiTimeline::changingStepsKeepsTheTrainingAxisSchedule()
{
    Editor editor(20, largeEarlySmallLate());
    drag(&editor.timeline, {editor.at(4, 0.5), editor.at(9, 0.5)});
    const StepSchedule painted = editor.model.schedule();
    QSignalSpy stepsChanged(&editor.model, &ScheduleDocumentModel::stepsChanged);

    editor.model.setSteps(50);
    QCOMPARE(stepsChanged.count(), 1);
    QCOMPARE(editor.model.steps(), 50);
    QVERIFY(editor.model.schedule() == painted);
    const std::vector<int> timesteps = ddsm::respacedTimesteps(kT, 50);
    QCOMPARE(editor.model.stepTimesteps(), timesteps);
    const std::vector<double> widths = editor.model.stepWidths();
    QCOMPARE(widths.size(), size_t{50});
    for (int s = 0; s < 50; ++s)
        QCOMPARE(widths[s], painted.widthAt(timesteps[s]));
    QCOMPARE(editor.timeline.stepAt(editor.timeline.xForStep(49)), 49);

    editor.model.undoStack()->undo();
    QCOMPARE(editor.model.steps(), 20);
    QVERIFY(editor.model.schedule() == painted);
}

void TestUiTimeline::invalidResetChangesNothing()
{
    ScheduleDocumentModel model;
    model.applyPreset(QStringLiteral("switch-0.3"));
    const ddsm::ui::ScheduleState before = model.state();
    QVERIFY_THROWS_EXCEPTION(ddsm::Error, model.reset(kT, {0.5, 1.0}, 10));
    QVERIFY_THROWS_EXCEPTION(ddsm::Error, model.reset(kT, kWidths, kT + 1));
    QVERIFY_THROWS_EXCEPTION(ddsm::Error, model.reset(kT, kWidths, 10, StepSchedule::uniform(10, 1.0)));
    QVERIFY(model.state() == before);
    QCOMPARE(model.steps(), 50);
    QCOMPARE(model.undoStack()->count(), 1);
}

void TestUiTimeline::editsCoverTheTimestepsNearestEachStep()
{
    // 5 steps over T = 9 visit t = 8, 6, 4, 2, 0. Painting a step sets the
    // timesteps nearer to its own than to its neighbours'; a timestep halfway
    // between two steps goes to the cleaner one (smaller t).
    ScheduleDocumentModel model;
    model.reset(9, kWidths, 5);
    QCOMPARE(model.stepTimesteps(), (std::vector<int>{8, 6, 4, 2, 0}));
    model.setStepRangeWidth(1, 1, 0.25);  // t = 6, and 7 (halfway to 8)
    QCOMPARE(model.schedule().widths(),
             (std::vector<double>{1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.25, 0.25, 1.0}));
    model.setStepRangeWidth(4, 4, 0.5);  // t = 0, and 1 (halfway to 2)
    QCOMPARE(model.schedule().widths(),
             (std::vector<double>{0.5, 0.5, 1.0, 1.0, 1.0, 1.0, 0.25, 0.25, 1.0}));
    model.setStepRangeWidth(0, 0, 0.75);  // t = 8 only
    QCOMPARE(model.schedule().widthAt(8), 0.75);
}

void TestUiTimeline::hoverReportsStepTimestepAndWidth()
{
    Editor editor(50, largeEarlySmallLate());
    QSignalSpy steps(&editor.timeline, &ScheduleTimeline::hoveredStepChanged);
    QSignalSpy texts(&editor.timeline, &ScheduleTimeline::hoverTextChanged);
    hover(&editor.timeline, editor.at(12, 0.5));
    QCOMPARE(steps.count(), 1);
    QCOMPARE(steps.last().first().toInt(), 12);
    const int t = ddsm::respacedTimesteps(kT, 50)[12];
    QCOMPARE(texts.last().first().toString(),
             QStringLiteral("step 12 of 50 · t = %1 · width 1.0").arg(t));
    hover(&editor.timeline, QPoint(2, 2));
    QCOMPARE(steps.last().first().toInt(), -1);
}

void TestUiTimeline::renderingShowsWidthColours()
{
    Editor editor(10, StepSchedule::switchFraction(kT, 0.5, 0.25, 1.0));
    editor.model.setStepRangeWidth(3, 3, 0.75);
    editor.model.setStepRangeWidth(7, 8, 0.5);
    editor.timeline.setCursorStep(0);
    const QImage image = editor.timeline.grab().toImage();
    const std::vector<double> widths = editor.model.stepWidths();
    QCOMPARE(widths, (std::vector<double>{0.25, 0.25, 0.25, 0.75, 0.25, 1.0, 1.0, 0.5, 0.5, 1.0}));
    for (int s = 1; s < 10; ++s) {
        const QRgb expected = ddsm::ui::widthColor(widths[s], kWidths).rgb();
        const QPointF cell(editor.timeline.xForStep(s), editor.timeline.yForWidth(widths[s]));
        QCOMPARE(QColor(pixelAt(image, cell)).name(), QColor(expected).name());
    }
    // Above a narrow step's bar there is no bar colour.
    const QPointF aboveNarrow(editor.timeline.xForStep(2), editor.timeline.yForWidth(1.0));
    for (double w : kWidths)
        QVERIFY(pixelAt(image, aboveNarrow) != ddsm::ui::widthColor(w, kWidths).rgb());
    // The colours of different widths differ.
    QVERIFY(ddsm::ui::widthColor(1.0, kWidths) != ddsm::ui::widthColor(0.75, kWidths));
}

void TestUiTimeline::renderingManyStepsAsBands()
{
    Editor editor(1000, StepSchedule::switchFraction(kT, 0.3, 0.25, 1.0));
    // N = 1000 is more steps than pixels: columns are under one pixel wide.
    QVERIFY(editor.timeline.layout().cellWidth() < 1.0);
    const QImage image = editor.timeline.grab().toImage();
    const std::vector<double> widths = editor.model.stepWidths();
    for (int s : {100, 200, 600, 900}) {
        const QPointF cell(editor.timeline.xForStep(s), editor.timeline.yForWidth(widths[s]));
        QCOMPARE(QColor(pixelAt(image, cell)).name(),
                 ddsm::ui::widthColor(widths[s], kWidths).name());
    }
    // Painting still hits the steps the widget maps the mouse to.
    const QPoint from = editor.at(400, 0.5);
    const QPoint to = editor.at(500, 0.5);
    drag(&editor.timeline, {from, to});
    const std::vector<double> after = editor.model.stepWidths();
    const int first = editor.timeline.stepAt(from.x());
    const int last = editor.timeline.stepAt(to.x());
    for (int s = 0; s < 1000; ++s)
        QCOMPARE(after[s], s >= first && s <= last ? 0.5 : widths[s]);
}

void TestUiTimeline::overlayIsDrawnWhereItsValuesAre()
{
    Editor editor(50);
    const QImage plain = editor.timeline.grab().toImage();
    // Importance rising linearly towards the noise end: after normalising, the
    // line runs from the top left to the bottom right, through the middle.
    std::vector<double> profile(kT);
    for (int t = 0; t < kT; ++t)
        profile[t] = 3.0 + 2.0 * t;
    editor.timeline.setImportanceOverlay(profile, QStringLiteral("measured"));
    const QImage withOverlay = editor.timeline.grab().toImage();
    const ddsm::ui::TimelineLayout layout = editor.timeline.layout();
    const QPointF onLine(layout.xForProgress(0.5), layout.yForImportance(0.5));
    const QPointF offLine(layout.xForProgress(0.5), layout.yForImportance(0.1));
    QVERIFY(pixelAt(plain, onLine) != pixelAt(withOverlay, onLine));
    QCOMPARE(pixelAt(plain, offLine), pixelAt(withOverlay, offLine));
    editor.timeline.setImportanceOverlay({}, QString());
    QCOMPARE(editor.timeline.grab().toImage(), plain);
}

QTEST_MAIN(TestUiTimeline)
#include "test_ui_timeline.moc"

void TestUiTimeline::dragWhileTextsChangeKeepsGeometryAndPaintsTheAimedSteps()
{
    // Every move changes the hover text and the schedule's name (a preset
    // becomes "custom"): the timeline must not ask for another size, so a
    // dock around it has no reason to reflow in the middle of the stroke.
    Editor editor(50, StepSchedule::uniform(kT, 1.0));
    QVERIFY(editor.model.applyPreset("uniform-1.0"));
    const QSize hint = editor.timeline.sizeHint(), minimum = editor.timeline.minimumSizeHint();
    const QRectF plot = editor.timeline.layout().plot();
    // The pointer positions are fixed before the drag: the steps the user aims at.
    std::vector<QPoint> path;
    for (int step = 30; step <= 45; ++step)
        path.push_back(editor.at(step, 0.5));
    QStringList texts;
    connect(&editor.timeline, &ScheduleTimeline::hoverTextChanged, this, [&](const QString& t) {
        texts << t;
        QCOMPARE(editor.timeline.sizeHint(), hint);
        QCOMPARE(editor.timeline.minimumSizeHint(), minimum);
    });
    drag(&editor.timeline, path);
    QVERIFY(texts.size() >= 10);
    QCOMPARE(editor.timeline.layout().plot(), plot);
    QCOMPARE(editor.model.name(), QString());  // edited: no longer the preset
    for (int step = 0; step < 50; ++step)
        QCOMPARE(editor.model.stepWidth(step), step >= 30 && step <= 45 ? 0.5 : 1.0);
}

void TestUiTimeline::editedPresetIsNoLongerNamedButAPresetAgainIs()
{
    Editor editor(20);
    editor.model.reset(kT, kWidths, 20, StepSchedule::uniform(kT, 1.0), QString());
    const QString fullWidth = editor.model.presetNames().front();  // "uniform-<largest width>"
    QVERIFY(fullWidth.startsWith("uniform-"));
    // All full width is that preset even without a name given.
    QCOMPARE(editor.model.name(), fullWidth);
    drag(&editor.timeline, {editor.at(3, 0.5), editor.at(5, 0.5)});
    QCOMPARE(editor.model.name(), QString());
    // Painted back to full width: the preset's name again.
    drag(&editor.timeline, {editor.at(3, 1.0), editor.at(5, 1.0)});
    QCOMPARE(editor.model.name(), fullWidth);
}
