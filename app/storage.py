"""Conversations on disk: one SQLite database (WAL) in the data folder.

Every change is committed before the call returns, so a message the app shows as finished or
stopped is on disk even if the process is killed a moment later. A database that is damaged,
locked by another program or written by a newer Hanashi raises ``StorageError`` with the reason
and the fix; nothing is ever recreated over an existing file.

Schema (``PRAGMA user_version`` = ``SCHEMA_VERSION``):

* ``conversations``: id, title, persona (text), sampling (JSON overrides of the model card's
  defaults), created, updated
* ``messages``: id, conversation_id, role (user | assistant), content, status (done | stopped),
  model (the model's name, for replies), stats (JSON: tokens/s, counts), created
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import paths
from .local_files import NotAFile, check_regular, describe_os_error

SCHEMA_VERSION = 1
USER = "user"
ASSISTANT = "assistant"
DONE = "done"
STOPPED = "stopped"

_SCHEMA = """
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL DEFAULT '',
    persona TEXT NOT NULL DEFAULT '',
    sampling TEXT NOT NULL DEFAULT '{}',
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'done',
    model TEXT NOT NULL DEFAULT '',
    stats TEXT NOT NULL DEFAULT '{}',
    created REAL NOT NULL
);
CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
"""

# Upgrades from version N to N+1, run in order inside one transaction.
_MIGRATIONS: dict[int, str] = {}


class StorageError(Exception):
    """The conversation database cannot be used. ``kind``: corrupt | locked | newer | io."""

    def __init__(self, kind: str, message: str, path: object = None, fix: str = ""):
        self.kind = kind
        self.message = message
        self.path = str(path) if path is not None else None
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}" if self.path else self.message
        return text + (f"\n  How to fix: {self.fix}" if self.fix else "")


@dataclass
class Conversation:
    id: int
    title: str
    persona: str = ""
    sampling: dict = field(default_factory=dict)
    created: float = 0.0
    updated: float = 0.0


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


def _error(e: sqlite3.Error, path: Path) -> StorageError:
    text = str(e).lower()
    if isinstance(e, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return StorageError("locked", "the conversation database is locked by another program", path,
                            "close the other Hanashi window (or the program using the file) and try again")
    if isinstance(e, sqlite3.DatabaseError) and ("not a database" in text or "malformed" in text
                                                 or "corrupt" in text):
        return StorageError("corrupt", f"the conversation database is damaged ({e})", path,
                            "move the damaged file aside (Hanashi offers to) and start a new one; "
                            "the old file is kept for recovery")
    return StorageError("io", f"the conversation database cannot be used ({e})", path,
                        "check free disk space and that the data folder is writable")


def _check_files(path: Path) -> None:
    """Refuse a database (or its WAL files) that is not a regular file before SQLite opens it:
    SQLite would wait forever reading a named pipe, or fail with a vague message."""
    for suffix in ("", "-wal", "-shm"):
        name = Path(str(path) + suffix)
        try:
            check_regular(name)
        except FileNotFoundError:
            continue
        except NotAFile as e:
            raise StorageError("corrupt", f"{name.name} is {e.reason.removeprefix('it is ')}, so it cannot be "
                               "a conversation database", path,
                               "remove or rename it (Hanashi offers to keep it aside) and start a new one") from None
        except OSError as e:
            raise StorageError("corrupt", f"{name.name} cannot be opened: {describe_os_error(e)}", path,
                               "remove or rename it (Hanashi offers to keep it aside) and start a new one") from None


def _title_from(text: str) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line[:40] + ("…" if len(line) > 40 else "")


class Storage:
    """The conversation database. Use from one thread (the GUI's)."""

    def __init__(self, path: Path | None = None, busy_timeout: float = 2.0):
        self.path = Path(path or paths.database_path())
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StorageError("io", f"the data folder cannot be created ({describe_os_error(e)})",
                               self.path.parent, "check that the data folder's place is writable") from None
        _check_files(self.path)
        try:
            self.db = sqlite3.connect(str(self.path), timeout=busy_timeout, isolation_level=None)
        except sqlite3.Error as e:
            raise _error(e, self.path) from e
        try:
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA foreign_keys = ON")
            mode = self.db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StorageError("locked", f"the database could not switch to WAL mode ({mode})", self.path,
                                   "close other programs using the file and try again")
            self.db.execute("PRAGMA synchronous = FULL")
            check = self.db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise StorageError("corrupt", f"the conversation database is damaged ({check})", self.path,
                                   "move the damaged file aside (Hanashi offers to) and start a new one")
            self._migrate()
        except sqlite3.Error as e:
            self.db.close()
            raise _error(e, self.path) from e
        except StorageError:
            self.db.close()
            raise

    # ------------------------------------------------------------ schema

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StorageError("newer", f"the conversation database was written by a newer Hanashi "
                               f"(schema {version}; this version knows {SCHEMA_VERSION})", self.path,
                               "update Hanashi; the file was left untouched")
        if version == SCHEMA_VERSION:
            return
        with self._tx():
            if version == 0:
                tables = self.db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
                if tables:
                    raise StorageError("corrupt", "the file holds tables but no Hanashi schema version", self.path,
                                       "move the file aside and start a new one")
                self._script(_SCHEMA)
                version = SCHEMA_VERSION
            while version < SCHEMA_VERSION:
                self._script(_MIGRATIONS[version])
                version += 1
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _script(self, sql: str) -> None:
        # executescript() would commit the open transaction: run the statements one by one.
        for statement in sql.split(";"):
            if statement.strip():
                self.db.execute(statement)

    class _Tx:
        def __init__(self, store: "Storage"):
            self.store = store

        def __enter__(self):
            self.store.db.execute("BEGIN IMMEDIATE")
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

    def _tx(self) -> "_Tx":
        return Storage._Tx(self)

    def _run(self, fn):
        """Run ``fn(db)`` in one transaction, mapping sqlite errors to StorageError."""
        try:
            with self._tx() as db:
                return fn(db)
        except sqlite3.Error as e:
            raise _error(e, self.path) from e

    def _query(self, sql: str, args=()) -> list[sqlite3.Row]:
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.Error as e:
            raise _error(e, self.path) from e

    def close(self) -> None:
        try:
            self.db.close()
        except sqlite3.Error:
            pass

    # ------------------------------------------------------------ conversations

    @staticmethod
    def _conversation(row: sqlite3.Row) -> Conversation:
        try:
            sampling = json.loads(row["sampling"]) or {}
        except ValueError:
            sampling = {}
        return Conversation(row["id"], row["title"], row["persona"], sampling, row["created"], row["updated"])

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

    def create_conversation(self, title: str = "", persona: str = "", sampling: dict | None = None) -> Conversation:
        now = time.time()

        def run(db):
            cur = db.execute("INSERT INTO conversations (title, persona, sampling, created, updated) "
                             "VALUES (?, ?, ?, ?, ?)", (title, persona, json.dumps(sampling or {}), now, now))
            return cur.lastrowid

        return self.conversation(self._run(run))

    def _update(self, conversation_id: int, **values) -> None:
        cols = ", ".join(f"{k} = ?" for k in values)
        self._run(lambda db: db.execute(f"UPDATE conversations SET {cols} WHERE id = ?",
                                        (*values.values(), conversation_id)))

    def rename(self, conversation_id: int, title: str) -> None:
        self._update(conversation_id, title=title.strip())

    def set_persona(self, conversation_id: int, persona: str) -> None:
        self._update(conversation_id, persona=persona)

    def set_sampling(self, conversation_id: int, sampling: dict) -> None:
        self._update(conversation_id, sampling=json.dumps({k: v for k, v in sampling.items() if v is not None}))

    def delete_conversation(self, conversation_id: int) -> None:
        self._run(lambda db: db.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,)))

    # ------------------------------------------------------------ messages

    @staticmethod
    def _message(row: sqlite3.Row) -> Message:
        try:
            stats = json.loads(row["stats"]) or {}
        except ValueError:
            stats = {}
        return Message(row["id"], row["conversation_id"], row["role"], row["content"], row["status"],
                       row["model"], stats, row["created"])

    def messages(self, conversation_id: int) -> list[Message]:
        rows = self._query("SELECT * FROM messages WHERE conversation_id = ? ORDER BY id", (conversation_id,))
        return [self._message(r) for r in rows]

    def message(self, message_id: int) -> Message:
        return self._message(self._one("messages", message_id))

    def add_message(self, conversation_id: int, role: str, content: str, status: str = DONE,
                    model: str = "", stats: dict | None = None) -> Message:
        """Append a message and commit it. The first user message names an untitled conversation."""
        if role not in (USER, ASSISTANT):
            raise ValueError(f"unknown role {role!r}")
        now = time.time()

        def run(db):
            cur = db.execute("INSERT INTO messages (conversation_id, role, content, status, model, stats, created) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (conversation_id, role, content, status, model, json.dumps(stats or {}), now))
            db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id))
            if role == USER:
                db.execute("UPDATE conversations SET title = ? WHERE id = ? AND title = ''",
                           (_title_from(content), conversation_id))
            return cur.lastrowid

        return self.message(self._run(run))

    def edit_message(self, message_id: int, content: str) -> None:
        """Replace a message's text and delete every later message of its conversation."""
        msg = self.message(message_id)

        def run(db):
            db.execute("UPDATE messages SET content = ?, status = ? WHERE id = ?", (content, DONE, message_id))
            db.execute("DELETE FROM messages WHERE conversation_id = ? AND id > ?", (msg.conversation_id, message_id))
            db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (time.time(), msg.conversation_id))

        self._run(run)

    def delete_messages_from(self, message_id: int) -> None:
        """Delete a message and every later one of its conversation."""
        msg = self.message(message_id)
        self._run(lambda db: db.execute("DELETE FROM messages WHERE conversation_id = ? AND id >= ?",
                                        (msg.conversation_id, message_id)))


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
