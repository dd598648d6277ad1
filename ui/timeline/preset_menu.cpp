#include "timeline/preset_menu.h"

#include "timeline/schedule_document_model.h"

#include <QFileDialog>
#include <QMenu>

namespace ddsm::ui {

void populatePresetMenu(QMenu* menu, ScheduleDocumentModel* model,
                        std::function<QString()> chooseImportPath)
{
    menu->clear();
    menu->setToolTipsVisible(true);
    for (const QString& name : model->presetNames()) {
        QAction* action = menu->addAction(name, model, [model, name] { model->applyPreset(name); });
        action->setToolTip(model->presetDescription(name));
        action->setObjectName(QStringLiteral("preset:") + name);
    }
    menu->addSeparator();
    QAction* import = menu->addAction(QObject::tr("Import…"), model, [model, chooseImportPath] {
        const QString path = chooseImportPath ? chooseImportPath() : QString();
        if (!path.isEmpty())
            model->importFile(path);
    });
    import->setObjectName(QStringLiteral("import"));
}

std::function<QString()> scheduleFileChooser(QWidget* parent)
{
    return [parent] {
        return QFileDialog::getOpenFileName(
            parent, QObject::tr("Import schedule"), QString(),
            QObject::tr("Schedules (*.json *.txt);;All files (*)"));
    };
}

}  // namespace ddsm::ui
