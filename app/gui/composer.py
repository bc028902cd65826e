"""The message input: Enter sends, Shift+Enter is a newline, and Enter while an input method is
composing (Japanese kana → kanji conversion) never sends: it belongs to the input method.

Tab goes from the message box to Send (or Stop) and then to the sidebar (``chain_focus``); the
button with the keyboard focus is drawn with a clear ring in the theme's highlight colour.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QRectF, Qt, Signal
from PySide6.QtGui import QInputMethodEvent, QKeyEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QSizePolicy, QToolButton,
                               QVBoxLayout, QWidget)

from .i18n import tr


class MessageEdit(QPlainTextEdit):
    """A plain-text editor that asks to send on Enter, unless an input method is composing."""

    send_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.composing = False  # preedit text is showing: the input method owns Enter
        self.setTabChangesFocus(True)
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, True)

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:
        self.composing = bool(event.preeditString())
        super().inputMethodEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.composing:
                event.accept()  # the input method commits with Enter: never a send, never a newline
                return
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.textCursor().insertText("\n")  # a real newline (Qt's default is U+2028)
                self.ensureCursorVisible()
                return
            if not event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
                event.accept()
                self.send_requested.emit()
                return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:
        self.composing = False  # focus loss ends a composition
        super().focusOutEvent(event)


class FocusButton(QPushButton):
    """A push button that shows plainly when it has the keyboard focus: a ring in the highlight colour."""

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.hasFocus():
            painter = QPainter(self)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
            painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 3, 3)
            painter.end()


def chain_focus(composer: "Composer", sidebar: Sequence[QWidget], chat: QWidget) -> None:
    """Tab order: the message box, Send / Stop, the ``sidebar``'s widgets, (the window's other
    controls,) the conversation (``chat``, one stop), and back to the message box."""
    QWidget.setTabOrder(chat, composer.edit)  # first: each later call inserts after the one before
    order = [composer.edit, composer.send_button, composer.stop_button, *sidebar]
    for first, second in zip(order, order[1:]):
        QWidget.setTabOrder(first, second)


class Composer(QWidget):
    """The input box with Send/Stop, and the banner shown while editing an earlier message."""

    submitted = Signal(str, object)  # text, id of the message being edited (None: a new message)
    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.editing_id: int | None = None
        self._busy = False
        self._ready = False

        self.banner = QWidget(self)
        self.banner_label = QLabel(self.banner)
        self.cancel_edit_button = QToolButton(self.banner)
        self.cancel_edit_button.clicked.connect(self.cancel_edit)
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(4, 0, 4, 0)
        row.addWidget(self.banner_label, 1)
        row.addWidget(self.cancel_edit_button)
        self.banner.hide()

        self.edit = MessageEdit(self)
        self.edit.setObjectName("composer-edit")
        self.edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.edit.setFixedHeight(84)
        self.edit.send_requested.connect(self.submit)
        self.send_button = FocusButton(self)
        self.send_button.setObjectName("send-button")
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.submit)
        self.stop_button = FocusButton(self)
        self.stop_button.setObjectName("stop-button")
        self.stop_button.clicked.connect(self.stop_requested)
        self.stop_button.hide()

        buttons = QVBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        buttons.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.edit, 1)
        bottom.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.addWidget(self.banner)
        layout.addLayout(bottom)
        self.retranslate()
        self._update()

    # ------------------------------------------------------------ state

    def text(self) -> str:
        return self.edit.toPlainText()

    def set_text(self, text: str) -> None:
        self.edit.setPlainText(text)

    def set_busy(self, busy: bool) -> None:
        """While a reply is written: Stop instead of Send (typing the next message stays possible)."""
        self._busy = busy
        self._update()

    def set_ready(self, ready: bool) -> None:
        """Whether a model is loaded to send to."""
        self._ready = ready
        self._update()

    def _update(self) -> None:
        self.send_button.setVisible(not self._busy)
        self.stop_button.setVisible(self._busy)
        self.send_button.setEnabled(self._ready)

    def begin_edit(self, message_id: int, text: str) -> None:
        self.editing_id = message_id
        self.set_text(text)
        self.banner.show()
        self.edit.setFocus()
        self.edit.moveCursor(self.edit.textCursor().MoveOperation.End)

    def cancel_edit(self) -> None:
        if self.editing_id is not None:
            self.editing_id = None
            self.banner.hide()
            self.edit.clear()

    def submit(self) -> None:
        text = self.text()
        if self._busy or not self._ready or not text.strip():
            return
        editing = self.editing_id
        self.editing_id = None
        self.banner.hide()
        self.edit.clear()
        self.submitted.emit(text, editing)

    # ------------------------------------------------------------ language

    def retranslate(self) -> None:
        self.edit.setPlaceholderText(tr("Message — Enter sends, Shift+Enter adds a line"))
        self.send_button.setText(tr("Send"))
        self.stop_button.setText(tr("Stop (Esc)"))
        self.banner_label.setText(tr("Editing a message: sending replaces it and every message after it."))
        self.cancel_edit_button.setText(tr("Cancel edit"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
