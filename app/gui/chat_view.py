"""The message view: one bubble per message, the reply being written growing as text arrives.

Bubbles carry their actions: Copy on every message, Edit on the user's, Regenerate on the last
reply. The view only displays; the main window decides what the actions do.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QScrollArea, QSizePolicy, QTextBrowser, QToolButton,
                               QVBoxLayout, QWidget)

from app.storage import ASSISTANT, STOPPED, USER, Message

from .i18n import tr
from .theme import bubble_colors


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


class ChatView(QScrollArea):
    copy_requested = Signal(str)
    edit_requested = Signal(int)
    regenerate_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.inner = QWidget(self)
        self.inner.setObjectName("chat-inner")
        self.column = QVBoxLayout(self.inner)
        self.column.setContentsMargins(12, 12, 12, 12)
        self.column.setSpacing(10)
        self.empty = QLabel(self.inner)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setObjectName("chat-empty")
        self.column.addWidget(self.empty)
        self.column.addStretch(1)
        self.setWidget(self.inner)
        self.bubbles: list[MessageBubble] = []
        self.colors = bubble_colors(False)
        self.verticalScrollBar().rangeChanged.connect(self._follow)
        self._stick = True
        self.retranslate()

    # ------------------------------------------------------------ content

    def clear(self) -> None:
        for b in self.bubbles:
            b.setParent(None)
            b.deleteLater()
        self.bubbles = []
        self.empty.show()

    def show_messages(self, messages: list[Message]) -> None:
        self.clear()
        for m in messages:
            self._add(MessageBubble(m.role, m.content, m.id, m.status, m.model))
        self._mark_last_reply()
        self.scroll_to_end()

    def add_message(self, message: Message) -> MessageBubble:
        bubble = self._add(MessageBubble(message.role, message.content, message.id, message.status, message.model))
        self._mark_last_reply()
        self.scroll_to_end()
        return bubble

    def begin_reply(self, model: str = "") -> MessageBubble:
        bubble = MessageBubble(ASSISTANT, "", None, "", model)
        bubble.streaming = True
        bubble.retranslate()
        self._add(bubble)
        self._mark_last_reply()
        self.scroll_to_end()
        return bubble

    @property
    def streaming_bubble(self) -> MessageBubble | None:
        return self.bubbles[-1] if self.bubbles and self.bubbles[-1].streaming else None

    def append_stream(self, text: str) -> None:
        bubble = self.streaming_bubble
        if bubble is not None:
            bar = self.verticalScrollBar()
            self._stick = bar.value() >= bar.maximum() - 24
            bubble.append(text)

    def finish_reply(self, message: Message) -> None:
        bubble = self.streaming_bubble
        if bubble is None:
            self.add_message(message)
            return
        bubble.finish(message)
        self._mark_last_reply()

    def drop_streaming(self) -> None:
        bubble = self.streaming_bubble
        if bubble is not None:
            self.bubbles.pop()
            bubble.setParent(None)
            bubble.deleteLater()
            self._mark_last_reply()

    def _add(self, bubble: MessageBubble) -> MessageBubble:
        self.empty.hide()
        bubble.apply_colors(self.colors)
        bubble.copy_requested.connect(self.copy_requested)
        bubble.edit_requested.connect(self.edit_requested)
        bubble.regenerate_requested.connect(self.regenerate_requested)
        row = self.column.count() - 1  # before the stretch
        self.column.insertWidget(row, bubble)
        self.bubbles.append(bubble)
        return bubble

    def _mark_last_reply(self) -> None:
        last = self.bubbles[-1] if self.bubbles else None
        for b in self.bubbles:
            b.set_regenerate(b is last and b.role == ASSISTANT and not b.streaming)
            b.edit_button.setEnabled(not (last is not None and last.streaming))

    # ------------------------------------------------------------ scrolling, looks, language

    def scroll_to_end(self) -> None:
        self._stick = True
        QTimer.singleShot(0, lambda: self.verticalScrollBar().setValue(self.verticalScrollBar().maximum()))

    def _follow(self, _min: int, maximum: int) -> None:
        if self._stick:
            self.verticalScrollBar().setValue(maximum)

    def set_dark(self, dark: bool) -> None:
        self.colors = bubble_colors(dark)
        for b in self.bubbles:
            b.apply_colors(self.colors)

    def retranslate(self) -> None:
        self.empty.setText(tr("Type a message below to start the conversation."))
        for b in self.bubbles:
            b.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def copy_to_clipboard(text: str) -> None:
    QGuiApplication.clipboard().setText(text)
