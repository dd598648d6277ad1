#pragma once
// The Schedule dock: the timeline editor over the document, with presets and
// the hovered step's timestep and width.
#include <QWidget>

class QComboBox;
class QLabel;

namespace ddsm::ui {

class ScheduleDocumentModel;

class SchedulePanel : public QWidget {
    Q_OBJECT
public:
    explicit SchedulePanel(ScheduleDocumentModel* document, QWidget* parent = nullptr);

    // The editing widget: ScheduleTimeline when the timeline library is built in.
    QWidget* editor() const { return editor_; }

private:
    void refresh();

    ScheduleDocumentModel* document_;
    QWidget* editor_;
    QComboBox* presets_;
    QLabel* name_;
    QLabel* hover_;
};

}  // namespace ddsm::ui
