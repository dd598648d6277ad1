#include "user_messages.h"

#include <QMessageBox>

namespace ddsm::ui {

void MessageBoxMessages::error(const QString& title, const QString& text)
{
    QMessageBox::critical(parent_, title, text);
}

bool MessageBoxMessages::ask(const QString& title, const QString& question)
{
    return QMessageBox::question(parent_, title, question) == QMessageBox::Yes;
}

UserMessages::SaveChoice MessageBoxMessages::askToSave(const QString& title, const QString& question)
{
    const auto button = QMessageBox::question(parent_, title, question, QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel,
                                              QMessageBox::Save);
    return button == QMessageBox::Save ? SaveChoice::Save : button == QMessageBox::Discard ? SaveChoice::Discard : SaveChoice::Cancel;
}

}  // namespace ddsm::ui
