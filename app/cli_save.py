"""``hanashi chat MODEL --save [ID]``: the terminal conversation kept in the app's database.

Without ID a new conversation is made at the start (titled by the first message; its model is
the GGUF file); with ID that conversation is continued and its messages are the context. Each
message is committed when it is sent, each reply when it ends (a stopped one as stopped), through
the same ``chat_flow`` steps as the desktop app, which may write the database at the same time.
A conversation made here that never got a message is removed again when the chat ends.

The database failing (locked for too long, read-only, damaged, written by a newer Hanashi, the
conversation deleted in the app) is one line on stderr, and the chat goes on unsaved.
"""

from __future__ import annotations

import os
from typing import Callable

from . import chat_flow
from .formats import Turn
from .storage import Storage, StorageError


class SaveRefused(Exception):
    """``--save ID`` names a conversation the database does not have (the chat does not start)."""


def one_line(e: StorageError) -> str:
    """The error as one line: what, where, how to fix."""
    text = " ".join(f"{e.message}".split())
    where = f" ({e.path})" if e.path else ""
    fix = f"; how to fix: {' '.join(e.fix.split())}" if e.fix else ""
    return f"{text}{where}{fix}"


class SavedChat:
    """The conversation the terminal chat writes to; ``None`` conversation: not saving."""

    def __init__(self, model_path: str, model_name: str, warn: Callable[[str], None]):
        self.model_path = os.path.abspath(model_path)
        self.model_name = model_name
        self.warn = warn
        self.storage: Storage | None = None
        self.conversation_id: int | None = None
        self._created_version: int | None = None  # set while a conversation made here is still empty
        self._request: chat_flow.ReplyRequest | None = None

    @property
    def saving(self) -> bool:
        return self.storage is not None and self.conversation_id is not None

    def _stop(self, e: StorageError, what: str) -> None:
        self.warn(f"hanashi: {what}: {one_line(e)}. The chat goes on without saving.")
        self.close()

    # ------------------------------------------------------------ opening

    def open(self, target: int | None, persona: str, sampling: dict) -> tuple[str, dict, list[Turn]] | None:
        """Open the database and the conversation (``target``: its id; None: a new one). Returns the
        persona, sampling and turns to chat with (the stored ones when continuing), or None when
        the database could not be used (said already). ``SaveRefused``: no conversation ``target``."""
        try:
            self.storage = Storage()
        except StorageError as e:
            self._stop(e, "cannot save this conversation")
            return None
        try:
            if target is None:
                self._create(persona, sampling)
                return persona, sampling, []
            convo, messages = self.storage.snapshot(target)
        except StorageError as e:
            if e.kind == "gone":
                path = self.storage.path
                self.close()
                raise SaveRefused(f"there is no conversation {target} in {path}; see the ids with "
                                  "`hanashi export --list`, or use --save alone for a new one") from None
            self._stop(e, "cannot save this conversation")
            return None
        self.conversation_id = target
        stored = {k: v for k, v in convo.sampling.items() if k in chat_flow.SAMPLING_KEYS}
        given = {k: v for k, v in sampling.items() if v is not None}
        return persona or convo.persona, {**stored, **given}, chat_flow.turns_of(messages)

    def _create(self, persona: str, sampling: dict) -> None:
        convo = self.storage.create_conversation(
            persona=persona, sampling={k: v for k, v in sampling.items() if v is not None}, model=self.model_path)
        self.conversation_id, self._created_version = convo.id, convo.version

    def where(self) -> str:
        return f"conversation {self.conversation_id} in {self.storage.path}"

    def restart(self, persona: str, sampling: dict) -> bool:
        """``/reset``: later messages go to a new conversation (an empty one made here is reused)."""
        if not self.saving:
            return False
        if self._created_version is not None:
            return True
        try:
            self._create(persona, sampling)
            return True
        except StorageError as e:
            self._stop(e, "cannot start a new saved conversation")
            return False

    # ------------------------------------------------------------ messages

    def send(self, text: str) -> None:
        """Commit the user's message (before the model answers it)."""
        self._request = None
        if not self.saving:
            return
        try:
            self._request = chat_flow.send(self.storage, self.conversation_id, text)
            self._created_version = None
        except StorageError as e:
            self._stop(e, "your message was not saved")

    def finish(self, result) -> None:
        """Commit the reply to the message ``send`` stored (stopped ones as stopped)."""
        request, self._request = self._request, None
        if request is None or not self.saving:
            return
        try:
            chat_flow.finish(self.storage, request, result, self.model_name)
            self.storage.set_model(self.conversation_id, self.model_path)
        except StorageError as e:
            self._stop(e, "the reply was not saved")

    def close(self) -> None:
        """Let go of the database; a conversation made here and never written to is removed."""
        if self.storage is None:
            return
        if self.conversation_id is not None and self._created_version is not None:
            try:
                self.storage.delete_conversation(self.conversation_id, expect=self._created_version)
            except StorageError:
                pass  # written to elsewhere meanwhile (then it stays), or the database is failing
        self.storage.close()
        self.storage, self.conversation_id, self._created_version = None, None, None
