#pragma once
// How the window tells the user about errors and asks yes/no questions.
// Message boxes by default; tests install a recorder so nothing blocks.
#include <QString>

class QWidget;

namespace ddsm::ui {

class UserMessages {
public:
    virtual ~UserMessages() = default;
    virtual void error(const QString& title, const QString& text) = 0;
    virtual bool ask(const QString& title, const QString& question) = 0;
    // Save, discard or go back (e.g. quitting with unsaved edits).
    enum class SaveChoice { Save, Discard, Cancel };
    virtual SaveChoice askToSave(const QString& title, const QString& question)
    {
        return ask(title, question) ? SaveChoice::Save : SaveChoice::Cancel;
    }
};

class MessageBoxMessages : public UserMessages {
public:
    explicit MessageBoxMessages(QWidget* parent) : parent_(parent) {}
    void error(const QString& title, const QString& text) override;
    bool ask(const QString& title, const QString& question) override;
    SaveChoice askToSave(const QString& title, const QString& question) override;

private:
    QWidget* parent_;
};

}  // namespace ddsm::ui
