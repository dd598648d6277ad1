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

}  // namespace ddsm::ui
