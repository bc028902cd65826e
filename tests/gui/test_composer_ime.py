"""Enter while an input method is composing Japanese never sends; after the commit it does."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.gui.composer import Composer

from .helpers import REPLY_TIMEOUT_MS


def preedit(widget, text: str) -> None:
    """What an input method sends while the user types kana that are not converted yet."""
    attrs = [QInputMethodEvent.Attribute(QInputMethodEvent.AttributeType.Cursor, len(text), 1, None)]
    QApplication.sendEvent(widget, QInputMethodEvent(text, attrs))


def commit(widget, text: str) -> None:
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def test_enter_during_composition_does_not_send(qtbot):
    composer = Composer()
    qtbot.addWidget(composer)
    composer.set_ready(True)
    composer.show()
    composer.edit.setFocus()
    sent = []
    composer.submitted.connect(lambda text, editing: sent.append(text))

    preedit(composer.edit, "にほんでいちばんたかいやまは")
    assert composer.edit.composing
    QTest.keyClick(composer.edit, Qt.Key.Key_Return)
    QTest.keyClick(composer.edit, Qt.Key.Key_Enter)
    assert sent == []  # Enter belonged to the input method
    assert "\n" not in composer.text()

    commit(composer.edit, "日本で一番高い山は")
    assert not composer.edit.composing
    assert composer.text() == "日本で一番高い山は"
    QTest.keyClick(composer.edit, Qt.Key.Key_Return)
    assert sent == ["日本で一番高い山は"]
    assert composer.text() == ""


def test_composition_in_the_window_sends_nothing_to_the_model(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    edit = window.composer.edit
    edit.setFocus()
    preedit(edit, "こんにちは")
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert window.current_id is None and not window.client.generating
    commit(edit, "こんにちは")
    with qtbot.waitSignal(window.client.finished, timeout=REPLY_TIMEOUT_MS):
        QTest.keyClick(edit, Qt.Key.Key_Return)
    assert [m.content for m in window.storage.messages(window.current_id)][0] == "こんにちは"


def test_empty_or_blank_messages_are_not_sent(qtbot):
    composer = Composer()
    qtbot.addWidget(composer)
    composer.set_ready(True)
    sent = []
    composer.submitted.connect(lambda text, editing: sent.append(text))
    composer.set_text("   \n ")
    QTest.keyClick(composer.edit, Qt.Key.Key_Return)
    composer.set_ready(False)  # no model loaded: nothing is sent either
    composer.set_text("こんにちは")
    QTest.keyClick(composer.edit, Qt.Key.Key_Return)
    assert sent == []
    assert composer.text() == "こんにちは"  # kept for when the model is ready


def test_the_qt_binding_does_not_drop_references_to_none():
    """PySide6 6.12.0 under Python < 3.12 returned None from void methods without a reference:
    each call lowered None's count until the app aborted ("deallocating None") mid-session."""
    import sys

    from PySide6.QtWidgets import QLabel

    label = QLabel()
    before = sys.getrefcount(None)
    for i in range(5000):
        label.setText(str(i))
    assert sys.getrefcount(None) >= before - 50
