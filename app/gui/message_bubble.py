"""One message of the chat view: who wrote it, its selectable text, its state and its actions.

A bubble carries Copy on every message, Edit on the user's and Regenerate on the last reply; it
only emits what was asked for. The reply being written grows in place as text arrives.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QSizePolicy, QTextBrowser, QToolButton, QVBoxLayout,
                               QWidget)

from app.storage import STOPPED, USER, Message

from .i18n import tr


class MessageText(QTextBrowser):
    """A message's text: selectable plain text whose height follows its content.

    Unlike a word-wrapped QLabel (whose height-for-width is recomputed from the whole text on
    every layout pass), the document lays out only what changed, and the widget's height is
    fixed to the document's, so appending a streamed batch costs little however long the reply.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setOpenLinks(False)
        self.setUndoRedoEnabled(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setStyleSheet("QTextBrowser { background: transparent; border: none; }")
        self.viewport().setAutoFillBackground(False)
        self.document().setDocumentMargin(0)
        self.document().documentLayout().documentSizeChanged.connect(self._fit)
        self._fit()

    def set_text(self, text: str) -> None:
        self.setPlainText(text)

    def append_text(self, text: str) -> None:
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)

    def _fit(self, *_) -> None:
        height = max(self.fontMetrics().height(), math.ceil(self.document().size().height()))
        if height != self.height():
            self.setFixedHeight(height)

    def wheelEvent(self, event) -> None:
        event.ignore()  # the conversation scrolls, not the message


class MessageBubble(QFrame):
    copy_requested = Signal(str)
    edit_requested = Signal(int)
    regenerate_requested = Signal()

    def __init__(self, role: str, text: str = "", message_id: int | None = None, status: str = "",
                 model: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.role, self.message_id, self.status, self.model = role, message_id, status, model
        self.content = text
        self.streaming = False
        self.setObjectName(f"bubble-{role}")
        self.who = QLabel(self)
        self.who.setObjectName("bubble-who")
        self.note = QLabel(self)
        self.note.setObjectName("bubble-note")
        self.copy_button = self._tool(lambda: self.copy_requested.emit(self.content))
        self.edit_button = self._tool(lambda: self.edit_requested.emit(self.message_id))
        self.regenerate_button = self._tool(self.regenerate_requested)
        self.edit_button.setVisible(role == USER)
        self.regenerate_button.hide()
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.who)
        head.addWidget(self.note)
        head.addStretch(1)
        for b in (self.copy_button, self.edit_button, self.regenerate_button):
            head.addWidget(b)
        self.body = MessageText(self)
        self.body.setObjectName("bubble-body")
        self.body.set_text(text)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 8)
        layout.setSpacing(2)
        layout.addLayout(head)
        layout.addWidget(self.body)
        self.retranslate()

    def _tool(self, slot) -> QToolButton:
        b = QToolButton(self)
        b.setAutoRaise(True)
        b.clicked.connect(slot)
        return b

    def append(self, text: str) -> None:
        self.content += text
        self.body.append_text(text)

    def finish(self, message: Message) -> None:
        self.streaming = False
        self.message_id, self.status, self.content = message.id, message.status, message.content
        self.model = message.model
        if self.body.toPlainText() != self.content:
            self.body.set_text(self.content)
        self.retranslate()

    def set_regenerate(self, shown: bool) -> None:
        self.regenerate_button.setVisible(shown)

    def retranslate(self) -> None:
        if self.role == USER:
            self.who.setText(tr("You"))
        else:
            self.who.setText(self.model or tr("Assistant"))
        if self.streaming:
            self.note.setText(tr("writing…"))
        elif self.status == STOPPED:
            self.note.setText(tr("(stopped)"))
        else:
            self.note.setText("")
        self.copy_button.setText(tr("Copy"))
        self.edit_button.setText(tr("Edit"))
        self.regenerate_button.setText(tr("Regenerate"))

    def apply_colors(self, colors: dict[str, str]) -> None:
        bg = colors["user" if self.role == USER else "assistant"]
        self.setStyleSheet(f"QFrame#{self.objectName()} {{ background: {bg}; border: 1px solid {colors['border']}; "
                           f"border-radius: 10px; }} QLabel#bubble-note {{ color: {colors['muted']}; }}")
