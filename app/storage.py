"""Conversations on disk: one SQLite database (WAL) in the data folder.

Every change is committed before the call returns, so a message the app shows as finished or
stopped is on disk even if the process is killed a moment later. A database that is damaged,
locked by another program or written by a newer Hanashi raises ``StorageError`` with the reason
and the fix; nothing is ever recreated over an existing file, and a newer one is only looked at
(read-only, not a byte changed).

Several writers may share the database (two windows, ``hanashi chat --save``): each change is one
``BEGIN IMMEDIATE`` transaction, waiting for the others (busy timeout) and tried again, with a
growing pause, while the database stays locked, for a bounded time. Every change to a
conversation's messages raises its ``version``; a destructive change (edit, delete, regenerate)
takes the version the caller's view was made from (``expect``) and refuses with a ``stale``
StorageError when the conversation has changed since, so one window never deletes what it
has not seen. Schema: ``app.storage_schema``; search: ``app.storage_search``; persona presets:
``app.storage_personas``.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .local_files import describe_os_error
from .storage_values import json_object, text
from .storage_errors import TRANSIENT, StorageError, gone, is_busy, sql_error, stale
from .storage_personas import Persona, PersonaRefused, Personas
from .storage_schema import MIGRATIONS, SCHEMA, SCHEMA_VERSION, check_files, run_script, version_on_disk
from .storage_search import Search, SearchHit, SearchResult
from .storage_tokens import TokenCounts

__all__ = ["ASSISTANT", "DONE", "SCHEMA_VERSION", "STOPPED", "TRANSIENT", "UNSAVED", "USER", "Conversation",
           "Message", "Persona", "PersonaRefused", "SearchHit", "SearchResult", "Storage", "StorageError",
           "move_aside"]

USER = "user"
ASSISTANT = "assistant"
DONE = "done"
STOPPED = "stopped"
UNSAVED = "unsaved"  # shown only: a reply kept in memory because it could not be stored


@dataclass
class Conversation:
    id: int
    title: str
    persona: str = ""
    sampling: dict = field(default_factory=dict)
    created: float = 0.0
    updated: float = 0.0
    version: int = 0  # raised by every change to its messages
    model: str = ""  # the model file it was last used with (older ones: its replies' model name)


@dataclass
class Message:
    id: int
    conversation_id: int
    role: str
    content: str
    status: str = DONE
    model: str = ""
    stats: dict = field(default_factory=dict)
    created: float = 0.0
    version: int = 0  # from add_message: the conversation's version this message made (else 0)


def _newer(path: Path, version: int) -> StorageError:
    return StorageError("newer", f"the conversation database was written by a newer Hanashi (schema {version}; "
                        f"this version knows {SCHEMA_VERSION}); Hanashi only read it and left it untouched",
                        path, "update Hanashi to see and continue these conversations")


def _title_from(text: str) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line[:40] + ("…" if len(line) > 40 else "")


class Storage(TokenCounts, Search, Personas):
    """The conversation database. Use from one thread (the GUI's).

    ``busy_timeout``: seconds one statement waits for another writer; a change still locked out
    is tried again until ``retry_for`` seconds (default: four busy timeouts) have passed.
    ``full_text``: search messages through the FTS index (None: where this SQLite has it).
    """

    def __init__(self, path: Path | None = None, busy_timeout: float = 2.0, retry_for: float | None = None,
                 full_text: bool | None = None):
        self.path = Path(path or paths.database_path())
        self.retry_for = 4 * busy_timeout if retry_for is None else retry_for
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StorageError("io", f"the data folder cannot be created ({describe_os_error(e)})",
                               self.path.parent, "check that the data folder's place is writable") from None
        check_files(self.path)
        try:  # before anything that writes: a newer Hanashi's file is only looked at
            on_disk = version_on_disk(self.path)
        except sqlite3.Error as e:
            raise sql_error(e, self.path) from e
        if on_disk is not None and on_disk > SCHEMA_VERSION:
            raise _newer(self.path, on_disk)
        try:
            self.db = sqlite3.connect(str(self.path), timeout=busy_timeout, isolation_level=None)
        except sqlite3.Error as e:
            raise sql_error(e, self.path) from e
        try:
            self.db.row_factory = sqlite3.Row
            self._retrying(self._setup)
            self._setup_search(full_text)
        except StorageError:
            self.db.close()
            raise

    # ------------------------------------------------------------ opening, schema

    def _setup(self) -> None:
        self.db.execute("PRAGMA foreign_keys = ON")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise _newer(self.path, version)
        mode = self.db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StorageError("locked", f"the database could not switch to WAL mode ({mode})", self.path,
                               "close other programs using the file and try again")
        self.db.execute("PRAGMA synchronous = FULL")
        check = self.db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise StorageError("corrupt", f"the conversation database is damaged ({check})", self.path,
                               "move the damaged file aside (Hanashi offers to) and start a new one")
        if version != SCHEMA_VERSION:
            with self._tx() as db:
                self._migrate(db)

    def _migrate(self, db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]  # again: another process may have done it
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise _newer(self.path, version)
        if version == 0:
            tables = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
            if tables:
                raise StorageError("corrupt", "the file holds tables but no Hanashi schema version", self.path,
                                   "move the file aside and start a new one")
            run_script(db, SCHEMA)
            version = SCHEMA_VERSION
        while version < SCHEMA_VERSION:
            try:
                run_script(db, MIGRATIONS[version])
            except sqlite3.Error as e:  # a file changed by hand or by another program: the upgrade is undone
                raise StorageError("corrupt", f"the upgrade to schema {version + 1} failed ({e}); the file "
                                   "was left as it was", self.path, "move the file aside and start a new "
                                   "one, or open it with the Hanashi version that wrote it") from None
            version += 1
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # ------------------------------------------------------------ transactions

    class _Tx:
        def __init__(self, store: "Storage", begin: str):
            self.store, self.begin = store, begin

        def __enter__(self):
            self.store.db.execute(self.begin)
            return self.store.db

        def __exit__(self, exc_type, exc, tb):
            db = self.store.db
            if exc_type is None:
                try:
                    db.execute("COMMIT")
                    return False
                except sqlite3.Error:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                    raise
            if db.in_transaction:
                db.execute("ROLLBACK")
            return False

    def _tx(self, begin: str = "BEGIN IMMEDIATE") -> "_Tx":
        return Storage._Tx(self, begin)

    def _retrying(self, fn):
        """``fn()``, tried again with a growing pause while the database is busy (bounded)."""
        deadline = time.monotonic() + self.retry_for
        pause = 0.005
        while True:
            try:
                return fn()
            except sqlite3.Error as e:
                left = deadline - time.monotonic()
                if not is_busy(e) or left <= 0:
                    raise sql_error(e, self.path) from e
            time.sleep(min(left, pause * random.uniform(0.5, 1.0)))
            pause = min(pause * 2, 0.25)

    def _run(self, fn):
        """Run ``fn(db)`` in one write transaction (retried whole while locked out)."""
        def once():
            with self._tx() as db:
                return fn(db)
        return self._retrying(once)

    def _read(self, fn):
        """Run ``fn(db)`` in one read transaction: what it reads is one consistent state."""
        def once():
            with self._tx("BEGIN") as db:
                return fn(db)
        return self._retrying(once)

    def _query(self, sql: str, args=()) -> list[sqlite3.Row]:
        return self._retrying(lambda: self.db.execute(sql, args).fetchall())

    def close(self) -> None:
        try:
            self.db.close()
        except sqlite3.Error:
            pass

    # ------------------------------------------------------------ versions

    def _version(self, db: sqlite3.Connection, conversation_id: int, expect: int | None) -> int:
        """The conversation's version; refuses when it is gone or not ``expect``."""
        row = db.execute("SELECT version FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
        if row is None:
            raise gone(self.path)
        if expect is not None and row[0] != expect:
            raise stale(self.path)
        return row[0]

    def _bump(self, db: sqlite3.Connection, conversation_id: int, version: int) -> int:
        db.execute("UPDATE conversations SET version = ?, updated = ? WHERE id = ?",
                   (version + 1, time.time(), conversation_id))
        return version + 1

    def version(self, conversation_id: int) -> int:
        return self._read(lambda db: self._version(db, conversation_id, None))

    # ------------------------------------------------------------ conversations

    @staticmethod
    def _conversation(row: sqlite3.Row) -> Conversation:
        return Conversation(row["id"], text(row["title"]), text(row["persona"]), json_object(row["sampling"]),
                            row["created"], row["updated"], row["version"], text(row["model"]))

    def conversations(self, search: str = "") -> list[Conversation]:
        """Newest first; ``search`` matches anywhere in the title (case-insensitive for ASCII)."""
        if search.strip():
            pattern = "%" + search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            rows = self._query("SELECT * FROM conversations WHERE title LIKE ? ESCAPE '\\' "
                               "ORDER BY updated DESC, id DESC", (pattern,))
        else:
            rows = self._query("SELECT * FROM conversations ORDER BY updated DESC, id DESC")
        return [self._conversation(r) for r in rows]

    def _one(self, table: str, row_id: int):
        rows = self._query(f"SELECT * FROM {table} WHERE id = ?", (row_id,))
        if not rows:
            raise KeyError(f"no {table[:-1]} {row_id}")
        return rows[0]

    def conversation(self, conversation_id: int) -> Conversation:
        return self._conversation(self._one("conversations", conversation_id))

    def snapshot(self, conversation_id: int) -> tuple[Conversation, list[Message]]:
        """The conversation and its messages as one consistent state (its ``version`` is what a
        view made from them passes as ``expect``). StorageError ``gone`` when it was deleted."""
        def read(db):
            row = db.execute("SELECT * FROM conversations WHERE id = ?", (conversation_id,)).fetchone()
            if row is None:
                raise gone(self.path)
            rows = db.execute("SELECT * FROM messages WHERE conversation_id = ? ORDER BY id",
                              (conversation_id,)).fetchall()
            return self._conversation(row), [self._message(r) for r in rows]
        return self._read(read)

    def create_conversation(self, title: str = "", persona: str = "", sampling: dict | None = None,
                            model: str = "") -> Conversation:
        """A new conversation; ``model``: the model file it is used with (``set_model`` later)."""
        now = time.time()
        return self.conversation(self._run(lambda db: db.execute(
            "INSERT INTO conversations (title, persona, sampling, created, updated, model) VALUES (?, ?, ?, ?, ?, ?)",
            (title, persona, json.dumps(sampling or {}), now, now, str(model))).lastrowid))

    def _update(self, conversation_id: int, **values) -> None:
        cols = ", ".join(f"{k} = ?" for k in values)
        self._run(lambda db: db.execute(f"UPDATE conversations SET {cols} WHERE id = ?",
                                        (*values.values(), conversation_id)))

    def rename(self, conversation_id: int, title: str) -> None:
        """Not checked against a view: a title replaces a title, no message is touched."""
        self._update(conversation_id, title=title.strip())

    def set_persona(self, conversation_id: int, persona: str) -> None:
        self._update(conversation_id, persona=persona)

    def set_sampling(self, conversation_id: int, sampling: dict) -> None:
        self._update(conversation_id, sampling=json.dumps({k: v for k, v in sampling.items() if v is not None}))

    def set_model(self, conversation_id: int, model: str) -> None:
        """Remember the model (file path) the conversation is used with; its messages stay as they are."""
        self._update(conversation_id, model=str(model))

    def delete_conversation(self, conversation_id: int, expect: int | None = None) -> None:
        """Delete it and its messages; with ``expect``, only if its version is still that
        (already deleted: nothing to do)."""
        def run(db):
            try:
                self._version(db, conversation_id, expect)
            except StorageError as e:
                if e.kind == "gone":
                    return
                raise
            db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
        self._run(run)

    # ------------------------------------------------------------ messages

    @staticmethod
    def _message(row: sqlite3.Row) -> Message:
        return Message(row["id"], row["conversation_id"], text(row["role"]), text(row["content"]), text(row["status"]),
                       text(row["model"]), json_object(row["stats"]), row["created"])

    def messages(self, conversation_id: int) -> list[Message]:
        rows = self._query("SELECT * FROM messages WHERE conversation_id = ? ORDER BY id", (conversation_id,))
        return [self._message(r) for r in rows]

    def message(self, message_id: int) -> Message:
        return self._message(self._one("messages", message_id))

    def add_message(self, conversation_id: int, role: str, content: str, status: str = DONE,
                    model: str = "", stats: dict | None = None, expect: int | None = None) -> Message:
        """Append a message and commit it. The first user message names an untitled conversation.
        With ``expect``, only if the conversation's version is still that (else ``stale``);
        a deleted conversation is ``gone``. The returned message's ``version`` is the new one."""
        if role not in (USER, ASSISTANT):
            raise ValueError(f"unknown role {role!r}")
        now = time.time()

        def run(db):
            version = self._version(db, conversation_id, expect)
            cur = db.execute("INSERT INTO messages (conversation_id, role, content, status, model, stats, created) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (conversation_id, role, content, status, model, json.dumps(stats or {}), now))
            if role == USER:
                db.execute("UPDATE conversations SET title = ? WHERE id = ? AND title = ''",
                           (_title_from(content), conversation_id))
            return cur.lastrowid, self._bump(db, conversation_id, version)

        message_id, version = self._run(run)
        message = self.message(message_id)
        message.version = version
        return message

    def _message_conversation(self, db: sqlite3.Connection, message_id: int) -> int:
        row = db.execute("SELECT conversation_id FROM messages WHERE id = ?", (message_id,)).fetchone()
        if row is None:  # the caller saw it, so someone else deleted it
            raise stale(self.path)
        return row[0]

    def edit_message(self, message_id: int, content: str, expect: int | None = None) -> int:
        """Replace a message's text (its token counts go) and delete every later message of its
        conversation; with ``expect``, only if the conversation's version is still that.
        Returns the new version."""
        def run(db):
            cid = self._message_conversation(db, message_id)
            version = self._version(db, cid, expect)
            db.execute("UPDATE messages SET content = ?, status = ?, tokens = '{}' WHERE id = ?",
                       (content, DONE, message_id))
            db.execute("DELETE FROM messages WHERE conversation_id = ? AND id > ?", (cid, message_id))
            return self._bump(db, cid, version)
        return self._run(run)

    def delete_messages_from(self, message_id: int, expect: int | None = None) -> int:
        """Delete a message and every later one of its conversation; with ``expect``, only if
        the conversation's version is still that. Returns the new version."""
        def run(db):
            cid = self._message_conversation(db, message_id)
            version = self._version(db, cid, expect)
            db.execute("DELETE FROM messages WHERE conversation_id = ? AND id >= ?", (cid, message_id))
            return self._bump(db, cid, version)
        return self._run(run)


def move_aside(path: Path) -> Path:
    """Rename a damaged database (and its WAL files) out of the way; returns the new name."""
    path = Path(path)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(path) + suffix)
        if os.path.lexists(src):  # a broken link or a pipe is moved too
            src.rename(Path(str(target) + suffix))
    return target
