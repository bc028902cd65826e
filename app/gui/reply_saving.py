"""A finished reply that could not be stored stays in memory, never lost and never silent.

``ReplySaver.save`` commits a reply through ``chat_flow.finish``; when the database refuses (the
disk is full, the file is locked or read-only, the conversation was deleted or changed in
another window) the reply is kept, its bubble says "not saved", and a bar under the conversation
says why and offers Retry save and Copy. Causes that can pass (disk full, locked) are retried
every few seconds; the others can only be copied or discarded.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app import chat_flow
from app.storage import ASSISTANT, TRANSIENT, UNSAVED, Message, StorageError

from .chat_view import copy_to_clipboard
from .dialogs import show_error
from .error_text import describe
from .i18n import tr

RETRY_MS = 5000


@dataclass
class Unsaved:
    request: chat_flow.ReplyRequest
    result: object  # app.engine.ReplyResult
    model: str
    error: StorageError

    @property
    def retryable(self) -> bool:
        return self.error.kind in TRANSIENT

    def message(self) -> Message:
        """The reply as the view shows it: no id, status UNSAVED."""
        return Message(0, self.request.conversation_id, ASSISTANT, self.result.text, UNSAVED, self.model)


def reason(error: StorageError) -> str:
    """Why a reply was not saved, in a few words."""
    return {
        "full": tr("the disk is full"),
        "locked": tr("the conversation database is locked by another program"),
        "readonly": tr("the conversation database cannot be written"),
        "gone": tr("the conversation was deleted in another window"),
        "stale": tr("the conversation was changed in another window while the reply was written"),
    }.get(error.kind) or describe(error).text


class UnsavedBar(QFrame):
    """Under the conversation: why its reply is not saved, with Retry save, Copy and Discard."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("unsaved-reply")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.retry_button = QPushButton(self)
        self.copy_button = QPushButton(self)
        self.discard_button = QPushButton(self)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 12, 6)
        row.addWidget(self.label, 1)
        for b in (self.retry_button, self.copy_button, self.discard_button):
            row.addWidget(b)
        self.hide()

    def show_for(self, unsaved: Unsaved) -> None:
        why = reason(unsaved.error)
        if unsaved.retryable:
            text = tr("This reply could not be saved: {0}. It is kept here and saved as soon as it can be "
                      "(Hanashi tries again every few seconds); you can also copy it.").format(why)
        else:
            text = tr("This reply was not saved: {0}. Copy it to keep it.").format(why)
        self.label.setText(text)
        self.retry_button.setText(tr("Retry save"))
        self.copy_button.setText(tr("Copy"))
        self.discard_button.setText(tr("Discard"))
        self.retry_button.setVisible(unsaved.retryable)
        self.show()


class ReplySaver(QObject):
    """Replies not yet stored, by conversation id. ``saved`` is emitted when a retry stores one."""

    saved = Signal(object)  # the stored Message

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.pending: dict[int, Unsaved] = {}
        self.bar = UnsavedBar(window)
        self.bar.retry_button.clicked.connect(lambda: self.retry(self.window.current_id))
        self.bar.copy_button.clicked.connect(self.copy_current)
        self.bar.discard_button.clicked.connect(lambda: self.discard(self.window.current_id))
        self.timer = QTimer(self)
        self.timer.setInterval(RETRY_MS)
        self.timer.timeout.connect(self.retry_all)

    def save(self, request, result, model: str) -> Message | None:
        """Store the reply; None when it could not be (it is kept, and the bar says why)."""
        try:
            return chat_flow.finish(self.window.storage, request, result, model)
        except StorageError as e:
            self.pending[request.conversation_id] = Unsaved(request, result, model, e)
            self.update()
            return None

    def retry(self, conversation_id: int | None) -> Message | None:
        unsaved = self.pending.get(conversation_id)
        if unsaved is None:
            return None
        try:
            message = chat_flow.finish(self.window.storage, unsaved.request, unsaved.result, unsaved.model)
        except StorageError as e:
            unsaved.error = e
            self.update()
            return None
        del self.pending[conversation_id]
        self.update()
        self.saved.emit(message)
        return message

    def blocks_send(self, conversation_id: int) -> bool:
        """Whether the conversation's reply is still unsaved (after one more try): then a new
        message would land before it, so sending waits (and the user is told)."""
        if conversation_id not in self.pending or self.retry(conversation_id) is not None:
            return False
        show_error(self.window, tr("The last reply is not saved yet"),
                   tr("Save the reply (Retry save), or copy and discard it, before sending the next message. "
                      "What you typed is kept."))
        return True

    def retry_all(self) -> None:
        for cid in [c for c, u in self.pending.items() if u.retryable]:
            self.retry(cid)

    def discard(self, conversation_id: int | None) -> None:
        if self.pending.pop(conversation_id, None) is not None:
            self.update()
            if conversation_id == self.window.current_id:
                self.window.reload_conversation()

    def copy_current(self) -> None:
        unsaved = self.pending.get(self.window.current_id)
        if unsaved is not None:
            copy_to_clipboard(unsaved.result.text)

    def update(self) -> None:
        """The bar for the current conversation; retries while any reply waits for a cause to pass."""
        unsaved = self.pending.get(self.window.current_id)
        if unsaved is None:
            self.bar.hide()
        else:
            self.bar.show_for(unsaved)
        if any(u.retryable for u in self.pending.values()):
            if not self.timer.isActive():
                self.timer.start()
        else:
            self.timer.stop()

    def show_in_view(self, conversation_id: int, streaming: bool = False) -> None:
        """Show the conversation's unsaved reply as its last bubble, marked "not saved"."""
        unsaved = self.pending.get(conversation_id)
        if unsaved is None:
            return
        chat = self.window.chat
        if streaming:
            stats = unsaved.result.stats() if hasattr(unsaved.result, "stats") else None
            chat.finish_reply(unsaved.message(), stats)
        else:
            chat.add_message(unsaved.message())
        bubbles = getattr(chat, "bubbles", None)
        if bubbles and getattr(bubbles[-1], "status", None) == UNSAVED:
            bubbles[-1].note.setText(tr("not saved"))
        self.update()
