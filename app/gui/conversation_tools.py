"""Search, export and the conversation's own model, for the main window.

A mixin of ``MainWindow`` (it uses the window's storage, sidebar, chat view, model bar and
loaded model): the sidebar lists search results when the search box holds text, a chosen result
opens its conversation at the matching message, the File menu and the sidebar export, each reply
records the model that wrote it, and opening a conversation offers its own model.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer

from app.storage import StorageError

from . import export_dialog
from .i18n import tr


def reveal_message(chat, message_id: int) -> bool:
    """Scroll the chat view to message ``message_id``, building older bubbles as needed;
    False when the view does not show it."""
    if hasattr(chat, "scroll_to_message"):
        return bool(chat.scroll_to_message(message_id))
    index = next((i for i, m in enumerate(chat.messages) if m.id == message_id), None)
    if index is None:
        return False
    while chat.first > index and chat.load_older():
        pass
    bubble = next((b for b in chat.bubbles if b.message_id == message_id), None)
    if bubble is None:
        return False

    def scroll() -> None:
        chat.widget().layout().activate()
        chat.ensureWidgetVisible(bubble, 0, 24)

    QTimer.singleShot(0, chat, scroll)  # after the view's own scroll to the newest message
    return True


class ConversationToolsMixin:
    _model_check_pending: int | None = None  # a conversation opened before any model was loaded

    def refresh_sidebar(self) -> None:
        query = self.sidebar.searching()
        if query:
            result = self._db(lambda: self.storage.search(query))
            if result is not None:
                self.sidebar.show_results(result, self.current_id)
            return
        found = self._db(lambda: self.storage.conversations()) or []
        self.sidebar.show_conversations(found, self.current_id)

    def open_match(self, conversation_id: int, message_id: int) -> None:
        if conversation_id != self.current_id:
            self.select_conversation(conversation_id)
        if conversation_id == self.current_id:
            reveal_message(self.chat, message_id)

    # ------------------------------------------------------------ export

    def export_conversation(self, conversation_id: int | None = None, fmt: str = "md"):
        cid = self.current_id if conversation_id is None else conversation_id
        if cid is None:
            self.status.showMessage(tr("Open a conversation to export it."), 10000)
            return None
        dialog = export_dialog.ask_and_export(
            self, self.storage, cid, fmt,
            lambda path: self.status.showMessage(tr("Saved to %1").replace("%1", str(path)), 15000))
        if dialog is not None:
            self.dialogs["export"] = dialog
        return dialog

    # ------------------------------------------------------------ the conversation's model

    def remember_model(self, conversation_id: int) -> None:
        """The loaded model writes this conversation's reply: it becomes the conversation's model."""
        if self.facts is not None:
            self._db(lambda: self.storage.set_model(conversation_id, self.facts.path))

    def offer_conversation_model(self) -> str:
        """Show the model bar for the conversation on screen; returns its kind ("" when hidden)."""
        cid = self.current_id
        if cid is None:
            return self.model_bar.offer(None, "")
        if self.facts is None:
            self._model_check_pending = cid
            return self.model_bar.offer(None, "")
        try:
            model = self.storage.conversation(cid).model
        except (KeyError, StorageError):
            return self.model_bar.offer(None, "")
        return self.model_bar.offer(cid, model, self.facts.path, self.facts.name, self.settings.opened_models)

    def model_loaded_for_conversation(self) -> None:
        """A model was loaded: hide an offer it fulfils, or make one that waited for a model."""
        if self._model_check_pending is not None or self.model_bar.isVisible():
            self._model_check_pending = None
            self.offer_conversation_model()
