"""The conversation database's schema, its upgrades, and a look at a file's version that writes nothing.

Schema (``PRAGMA user_version`` = ``SCHEMA_VERSION``):

* ``conversations``: id, title, persona (text), sampling (JSON overrides of the model card's
  defaults), created, updated, version (raised by one on every change to its messages),
  model (the model file it was last used with; older conversations: the name of its replies' model)
* ``messages``: id, conversation_id, role (user | assistant), content, status (done | stopped),
  model (the model's name, for replies), stats (JSON: tokens/s, counts), created,
  tokens (JSON: {model key: the message's token count for that model})
* ``personas``: id, name (unique), prompt, created, updated: the user's named system prompts
  (the built-in ones live in ``app.storage_personas``)
* ``messages_fts``: the messages' text indexed for search (FTS5, trigram tokenizer), kept in step
  by triggers; made, or rebuilt, by ``app.storage_search`` where this SQLite has FTS5 and trigram
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.request import pathname2url

from .local_files import NotAFile, check_regular, describe_os_error
from .storage_errors import StorageError

SCHEMA_VERSION = 3

_PERSONAS = """
CREATE TABLE personas (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    prompt TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    updated REAL NOT NULL
);
"""

SCHEMA = """
CREATE TABLE conversations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL DEFAULT '',
    persona TEXT NOT NULL DEFAULT '',
    sampling TEXT NOT NULL DEFAULT '{}',
    created REAL NOT NULL,
    updated REAL NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    model TEXT NOT NULL DEFAULT ''
);
CREATE TABLE messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'done',
    model TEXT NOT NULL DEFAULT '',
    stats TEXT NOT NULL DEFAULT '{}',
    created REAL NOT NULL,
    tokens TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
""" + _PERSONAS

# Upgrades from version N to N+1, run in order inside one transaction.
MIGRATIONS: dict[int, str] = {
    1: """
ALTER TABLE conversations ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE messages ADD COLUMN tokens TEXT NOT NULL DEFAULT '{}'
""",
    2: """
ALTER TABLE conversations ADD COLUMN model TEXT NOT NULL DEFAULT '';
UPDATE conversations SET model = coalesce((SELECT m.model FROM messages AS m WHERE m.conversation_id = conversations.id
    AND m.role = 'assistant' AND m.model != '' ORDER BY m.id DESC LIMIT 1), '');
""" + _PERSONAS,
}

_MAGIC = b"SQLite format 3\x00"


def check_files(path: Path) -> None:
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


def run_script(db: sqlite3.Connection, sql: str) -> None:
    """The statements of ``sql`` one by one (executescript() would commit the open transaction)."""
    for statement in sql.split(";"):
        if statement.strip():
            db.execute(statement)


def version_on_disk(path: Path) -> int | None:
    """The file's ``user_version`` without changing a byte or making a file; None when there is
    no database to look at yet (no file, an empty one, or not SQLite: opening it says why).

    Without a ``-wal`` file the main file's header is the whole truth and is read directly
    (a read-only SQLite connection would create ``-wal`` and ``-shm`` files next to a WAL-mode
    database). With one, a read-only connection (``mode=ro``) reads the version as committed.
    """
    try:
        with open(path, "rb") as f:
            header = f.read(100)
    except FileNotFoundError:
        return None
    if len(header) < 100 or not header.startswith(_MAGIC):
        return None
    wal = Path(str(path) + "-wal")
    if not (wal.is_file() and os.path.getsize(wal) > 0):
        return int.from_bytes(header[60:64], "big", signed=True)
    db = sqlite3.connect(f"file:{pathname2url(str(Path(path).resolve()))}?mode=ro", uri=True,
                         isolation_level=None)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()
