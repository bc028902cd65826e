"""The window's view of a conversation and the version it was made from.

A mixin of ``MainWindow``. The view remembers the conversation version it shows
(``view_version``) and passes it to every change that deletes or replaces messages; when another
window (or ``hanashi chat --save``) changed the conversation meanwhile, storage refuses (``stale``),
nothing is deleted, and the view is reloaded and says so. A conversation deleted elsewhere
(``gone``) leaves the view the same way.
"""

from __future__ import annotations

from app.storage import Message, StorageError
from app.storage_errors import stale

from .dialogs import show_error, show_info
from .i18n import tr


class ViewSyncMixin:
    view_version: int | None = None  # the version of the conversation the view shows

    def _db(self, fn):
        """Run a storage call; a StorageError is explained (and None returned)."""
        try:
            return fn()
        except StorageError as e:
            self.explain(e)
            return None

    def explain(self, e: StorageError) -> None:
        if e.kind == "stale":
            self.reload_conversation()
            show_info(self, tr("The conversation was changed in another window"),
                      tr("This conversation was changed in another Hanashi window (or by hanashi chat) after "
                         "this window showed it, so nothing was deleted or changed. It has been reloaded: "
                         "look at it as it is now and try again."))
        elif e.kind == "gone":
            show_info(self, tr("The conversation was deleted"),
                      tr("This conversation was deleted in another Hanashi window, so nothing was changed."))
            self.reload_conversation()
        else:
            show_error(self, tr("The conversation database has a problem"), e)

    def show_conversation(self, conversation_id: int) -> bool:
        """Show the stored conversation (and any reply that could not be saved); False if it is gone."""
        try:
            convo, messages = self.storage.snapshot(conversation_id)
        except StorageError as e:
            if e.kind != "gone":
                show_error(self, tr("The conversation database has a problem"), e)
                return False
            if self.current_id == conversation_id:
                self.current_id, self.view_version = None, None
                self.chat.clear()
                self.saver.update()
            self.refresh_sidebar()
            self._update_title()
            return False
        self.current_id, self.view_version = conversation_id, convo.version
        self.chat.show_messages(messages)
        if self.request is not None and self.request[1].conversation_id == conversation_id:
            self.chat.begin_reply(self.facts.name if self.facts else "")
            self.chat.append_stream(self.stream_text)
        else:
            self.saver.show_in_view(conversation_id)
        self.saver.update()
        return True

    def stored_message(self, message_id: int) -> Message | None:
        """The message as stored; None (explained) when it was deleted elsewhere."""
        try:
            return self.storage.message(message_id)
        except KeyError:
            self.explain(stale(self.storage.path))
        except StorageError as e:
            self.explain(e)
        return None

    def keep_typed(self, text: str, editing_id: int | None) -> None:
        """A send that was refused: nothing typed is lost, and an edit of a message still there stays one."""
        if editing_id is not None and self.current_id is not None:
            try:
                still = any(m.id == editing_id for m in self.storage.messages(self.current_id))
            except StorageError:
                still = False
            if still:
                self.composer.begin_edit(editing_id, text)
                return
        self.composer.set_text(text)

    def reload_conversation(self) -> None:
        """Show the current conversation as stored now (the composer keeps what is typed)."""
        if self.current_id is not None:
            self.show_conversation(self.current_id)
        self.refresh_sidebar()
        self._update_title()

    def _on_reply_saved(self, message) -> None:
        """A reply kept in memory was stored after all."""
        if message.conversation_id == self.current_id and self.request is None:
            self.show_conversation(self.current_id)
        self.status.showMessage(tr("The reply was saved."), 10000)
        self.refresh_sidebar()
