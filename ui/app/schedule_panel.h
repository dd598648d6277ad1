#pragma once
// The Schedule dock: the timeline editor over the document, with presets and
// the hovered step's timestep and width.
#include <QWidget>

class QComboBox;
class QLabel;

namespace ddsm::ui {

class ElidedLabel;
class ScheduleDocumentModel;

class SchedulePanel : public QWidget {
    Q_OBJECT
public:
    explicit SchedulePanel(ScheduleDocumentModel* document, QWidget* parent = nullptr);

    // The editing widget: ScheduleTimeline when the timeline library is built in.
    QWidget* editor() const { return editor_; }
    // What the preset box shows (empty for a schedule that is no preset).
    QString presetText() const;
    QString nameText() const;
    // Paint widths / importance curve.
    QComboBox* modeBox() const;

private:
    void refresh();

    ScheduleDocumentModel* document_;
    QWidget* editor_;
    QComboBox* presets_;
    QComboBox* mode_;
    ElidedLabel* name_;
    ElidedLabel* hover_;
};

}  // namespace ddsm::ui
