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
};

class MessageBoxMessages : public UserMessages {
public:
    explicit MessageBoxMessages(QWidget* parent) : parent_(parent) {}
    void error(const QString& title, const QString& text) override;
    bool ask(const QString& title, const QString& question) override;

private:
    QWidget* parent_;
};

}  // namespace ddsm::ui
