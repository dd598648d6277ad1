#pragma once
// The ready-made schedules of a document as a menu: one action per preset
// (schedulePresets order, description as tooltip) and "Import…". The file
// dialog stays with the caller, so the document logic never opens one.
#include <QString>

#include <functional>

class QMenu;
class QWidget;

namespace ddsm::ui {

class ScheduleDocumentModel;

// Fills `menu` (cleared first) with the presets of `model`; choosing one applies
// it as one undo step. "Import…" calls `chooseImportPath`, which returns a path
// or an empty string to cancel; failures reach model->importFailed. Refill
// after the model's modelChanged() since the presets depend on T and widths.
void populatePresetMenu(QMenu* menu, ScheduleDocumentModel* model,
                        std::function<QString()> chooseImportPath);

// The usual chooser for populatePresetMenu: a file dialog over schedule files.
std::function<QString()> scheduleFileChooser(QWidget* parent);

}  // namespace ddsm::ui
