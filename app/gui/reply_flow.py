"""What the window does with a reply: send, regenerate and edit through ``app.chat_flow``, then
follow the worker's text, speed and end (a mixin of ``MainWindow``, which owns the widgets)."""

from __future__ import annotations

from app import chat_flow
from app.storage import StorageError

from .dialogs import show_error
from .i18n import tr


class ReplyFlowMixin:
    def send(self, text: str, editing_id: int | None = None) -> None:
        if self.client.generating or self.facts is None:
            return
        if self.current_id is None:
            convo = self._db(lambda: self.storage.create_conversation())
            if convo is None:
                self.composer.set_text(text)
                return
            self.current_id, self.view_version = convo.id, convo.version
        cid = self.current_id
        if editing_id is None and self.saver.blocks_send(cid):
            self.composer.set_text(text)  # the unsaved reply would end up after this message
            return
        if editing_id is not None:
            request = self._db(lambda: chat_flow.edit(self.storage, editing_id, text, self.view_version))
        else:
            request = self._db(lambda: chat_flow.send(self.storage, cid, text, self.view_version))
        if request is None:
            self.keep_typed(text, editing_id)
            return
        self.saver.pending.pop(cid, None)  # an edit replaced any reply not saved
        self.view_version = request.version
        if editing_id is not None or len(request.messages) != self.chat.message_count + 1:
            self.chat.show_messages(request.messages)  # later messages were replaced: redraw
        else:
            self.chat.add_message(request.messages[-1])  # just the new message
        self._start(request)

    def regenerate(self) -> None:
        if self.client.generating or self.facts is None or self.current_id is None:
            return
        cid = self.current_id
        try:
            request = chat_flow.regenerate(self.storage, cid, self.view_version)
        except ValueError:
            return
        except StorageError as e:
            self.explain(e)
            return
        self.saver.pending.pop(cid, None)  # answered anew instead
        self.view_version = request.version
        self.chat.show_messages(request.messages)
        self._start(request)

    def edit_message(self, message_id: int) -> None:
        if self.client.generating:
            return
        message = self.stored_message(message_id)
        if message is not None:
            self.composer.begin_edit(message_id, message.content)

    def _start(self, request) -> None:
        self.stream_text = ""
        self.discard_reply = False
        chat_flow.attach_counts(self.storage, request, self.facts.count_key if self.facts else "")
        rid = self.client.generate(request)
        self.request = (rid, request)
        self.remember_model(request.conversation_id)
        self.chat.begin_reply(self.facts.name if self.facts else "")
        self.composer.set_busy(True)
        self.refresh_sidebar()
        self._update_title()

    def stop(self) -> None:
        if self.client.generating:
            self.client.stop()

    def escape(self) -> None:
        if self.client.generating:
            self.stop()
        else:
            self.composer.cancel_edit()

    def _on_progress(self, rid: int, pieces: int, seconds: float) -> None:
        if self.request is not None and self.request[0] == rid and seconds > 0:
            self.status.set_live_speed(pieces / seconds)

    def _on_text(self, rid: int, text: str) -> None:
        if self.request is None or self.request[0] != rid:
            return
        self.stream_text += text
        if self.current_id == self.request[1].conversation_id:
            self.chat.append_stream(text)

    def _on_finished(self, rid: int, result) -> None:
        if self.request is None or self.request[0] != rid:
            return
        request = self.request[1]
        self.request = None
        self.composer.set_busy(False)
        shown = self.current_id == request.conversation_id  # else the context shown is not this one's
        self.status.set_reply_stats(result.tokens_per_s, result.context_used if shown else None, result.n_ctx)
        if getattr(result, "note", ""):  # why a reply came back empty, never silently
            self.status.showMessage(tr("Empty reply: {0}").format(result.note), 20000)
        if self.discard_reply:
            return
        chat_flow.store_counts(self.storage, request)
        message = self.saver.save(request, result, self.facts.name if self.facts else "")
        if self.current_id == request.conversation_id:
            if message is not None:
                self.chat.finish_reply(message, result.stats())
                self.view_version = message.version
            else:  # kept in memory, marked "not saved", retried
                self.saver.show_in_view(request.conversation_id, streaming=True)
        self.refresh_sidebar()

    def _show_context(self) -> None:
        """The status bar's context: the conversation shown, with the model loaded."""
        f = self.facts
        self.status.show_conversation(self.chat.messages, f.name if f else "", f.n_ctx if f else 0)

    def _on_failed(self, rid: int, error: Exception) -> None:
        if self.request is None or self.request[0] != rid:
            return
        self.request = None
        self.composer.set_busy(False)
        self.chat.drop_streaming()
        show_error(self, tr("The reply could not be written"), error)
