"""Helpers for the GUI tests."""

from __future__ import annotations

REPLY_TIMEOUT_MS = 60_000


def send(qtbot, window, text: str, timeout: int = REPLY_TIMEOUT_MS):
    """Type ``text`` into the composer, press Enter, wait for the reply to end; returns the result."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    window.composer.set_text(text)
    with qtbot.waitSignal(window.client.finished, timeout=timeout) as blocker:
        QTest.keyClick(window.composer.edit, Qt.Key.Key_Return)
    return blocker.args[1]


def message_boxes():
    from PySide6.QtWidgets import QApplication, QMessageBox

    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def type_japanese(widget, text: str) -> None:
    """What an input method does when the user confirms a conversion: commit ``text``."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)
