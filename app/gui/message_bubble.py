"""One message of the chat view: who wrote it, its text, its state, its actions and its stats.

A bubble carries Copy on every message (the text as written: a reply's Markdown source), Edit
on the user's and Regenerate on the last reply; it only emits what was asked for. Copy reads
"Copied" for a moment after a click (``CopyButton``). A reply is
shown as Markdown (``MarkdownView``; code blocks have their own Copy) once finished, and as plain
text growing in place while it is written. Under a finished reply: a quiet notice when older
messages were left out or the reply was cut short, and its stats (``reply_notes``).
The buttons are not Tab stops: Tab goes from the message box to Send and on to the sidebar.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from app.storage import STOPPED, USER, Message

from .i18n import N_, tr
from .markdown_view import CopyButton, MarkdownView, MessageText
from .reply_notes import notice_text, stats_text

__all__ = ["MessageBubble", "MessageText"]


class MessageBubble(QFrame):
    copy_requested = Signal(str)  # the message's text, or a code block's code
    edit_requested = Signal(int)
    regenerate_requested = Signal()

    def __init__(self, role: str, text: str = "", message_id: int | None = None, status: str = "",
                 model: str = "", parent: QWidget | None = None, stats: dict | None = None,
                 streaming: bool = False):
        super().__init__(parent)
        self.role, self.message_id, self.status, self.model = role, message_id, status, model
        self.content = text
        self.stats = stats if isinstance(stats, dict) else {}
        self.streaming = streaming
        self.setObjectName(f"bubble-{role}")
        self.who = QLabel(self)
        self.who.setObjectName("bubble-who")
        self.note = QLabel(self)
        self.note.setObjectName("bubble-note")
        self.copy_button = CopyButton(N_("Copy"), self)  # says "Copied" for a moment once clicked
        self.copy_button.clicked.connect(lambda: self.copy_requested.emit(self.content))
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
        if role == USER:  # what the user typed is shown as typed
            self.body = MessageText(self)
            self.body.set_text(text)
        else:
            self.body = MarkdownView(self)
            self.body.copy_requested.connect(self.copy_requested)
            if streaming:
                self.body.set_text(text)
            else:
                self.body.set_markdown(text)
        self.body.setObjectName("bubble-body")
        self.notice = self._label("bubble-notice")  # older messages left out, reply cut short
        self.stats_label = self._label("bubble-stats")
        small = self.stats_label.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.stats_label.setFont(small)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 8)
        layout.setSpacing(2)
        layout.addLayout(head)
        layout.addWidget(self.body)
        layout.addWidget(self.notice)
        layout.addWidget(self.stats_label)
        self.retranslate()

    def _tool(self, slot) -> QToolButton:
        b = QToolButton(self)
        b.setAutoRaise(True)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # clicked, not tabbed through (see the module's doc)
        b.clicked.connect(slot)
        return b

    def _label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.hide()
        return label

    def append(self, text: str) -> None:
        self.content += text
        self.body.append_text(text)

    def finish(self, message: Message, stats: dict | None = None) -> None:
        """The reply is written: show ``message`` as stored, with ``stats`` (the reply's own, as
        just measured) over what was stored."""
        self.streaming = False
        self.message_id, self.status, self.content = message.id, message.status, message.content
        self.model = message.model
        stored = message.stats if isinstance(message.stats, dict) else {}
        self.stats = {**stored, **stats} if stats else stored
        if self.role == USER:
            if self.body.toPlainText() != self.content:
                self.body.set_text(self.content)
        else:
            self.body.set_markdown(self.content)
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
        self.copy_button.retranslate()
        self.edit_button.setText(tr("Edit"))
        self.regenerate_button.setText(tr("Regenerate"))
        shown = {} if self.streaming or self.role == USER else self.stats
        for label, text in ((self.notice, notice_text(shown)), (self.stats_label, stats_text(shown))):
            label.setText(text)
            label.setVisible(bool(text))

    def apply_colors(self, colors: dict[str, str]) -> None:
        bg = colors["user" if self.role == USER else "assistant"]
        muted, border = colors["muted"], colors["border"]
        self.setStyleSheet(f"QFrame#{self.objectName()} {{ background: {bg}; border: 1px solid {border}; "
                           f"border-radius: 10px; }} QLabel#bubble-note {{ color: {muted}; }} "
                           f"QLabel#bubble-stats {{ color: {muted}; }} "
                           f"QLabel#bubble-notice {{ color: {muted}; font-style: italic; }} "
                           f"QFrame#code-block {{ background: palette(base); border: 1px solid {border}; "
                           f"border-radius: 6px; }} QLabel#code-language {{ color: {muted}; }}")
