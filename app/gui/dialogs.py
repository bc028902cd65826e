"""Message boxes that never block the event loop (``open()``, not ``exec()``).

The app keeps running while a box is up, and tests find boxes among the top-level widgets.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QWidget

from .i18n import tr


def ok_cancel_buttons(dialog: QDialog) -> QDialogButtonBox:
    """OK / Cancel buttons wired to the dialog's accept and reject."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def _box(parent: QWidget | None, icon, title: str, text: str, details: str = "") -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("hanashi-message")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if details:
        box.setDetailedText(details)
    box.open()
    return box


def show_error(parent: QWidget | None, title: str, text: str | BaseException, details: str = "",
               lead: str = "") -> QMessageBox:
    """An error box. ``text`` may be the exception itself: it is then shown in the UI's language from
    its code (``error_text.describe``), its English text under "Show Details…". ``lead`` goes first."""
    if isinstance(text, BaseException):
        from .error_text import describe

        shown = describe(text)
        text, details = shown.text, details or shown.details
    if lead:
        text = f"{lead}\n\n{text}"
    return _box(parent, QMessageBox.Icon.Critical, title, text, details)


def show_info(parent: QWidget | None, title: str, text: str, details: str = "") -> QMessageBox:
    return _box(parent, QMessageBox.Icon.Information, title, text, details)


def confirm(parent: QWidget | None, title: str, text: str, on_yes: Callable[[], None],
            yes_text: str = "") -> QMessageBox:
    """Ask; ``on_yes`` runs if the user agrees."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName("hanashi-confirm")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    if yes_text:
        box.button(QMessageBox.StandardButton.Yes).setText(yes_text)
    box.button(QMessageBox.StandardButton.Cancel).setText(tr("Cancel"))

    yes = box.button(QMessageBox.StandardButton.Yes)

    def done(_result: int) -> None:
        if box.clickedButton() is yes:
            on_yes()

    box.finished.connect(done)
    box.open()
    return box
