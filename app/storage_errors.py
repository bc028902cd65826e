"""What went wrong with the conversation database, in words a user can act on.

``StorageError.kind`` says what happened:

* ``corrupt``: the file is damaged or not a database
* ``locked``: another program held the database for longer than Hanashi waits
* ``newer``: written by a newer Hanashi (the file is left untouched)
* ``full``: the disk (or the database's size limit) is full
* ``readonly``: the file or its folder cannot be written
* ``gone``: the conversation (or message) no longer exists, e.g. deleted in another window
* ``stale``: the conversation was changed elsewhere after the caller's view of it was made
* ``constraint``: a value the schema refuses
* ``io``: any other failure to read or write the file
"""

from __future__ import annotations

import sqlite3

# SQLite's primary result codes (the low byte of an extended code).
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _CONSTRAINT, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 19, 26

# Kinds worth trying again once the cause is gone (space freed, the other program done).
TRANSIENT = frozenset({"locked", "full", "readonly", "io"})


class StorageError(Exception):
    """The conversation database cannot do what was asked; ``kind`` is listed in the module doc."""

    def __init__(self, kind: str, message: str, path: object = None, fix: str = ""):
        self.kind = kind
        self.message = message
        self.path = str(path) if path is not None else None
        self.fix = fix
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}" if self.path else self.message
        return text + (f"\n  How to fix: {self.fix}" if self.fix else "")


def primary_code(e: sqlite3.Error) -> int | None:
    code = getattr(e, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def is_busy(e: sqlite3.Error) -> bool:
    """SQLITE_BUSY / SQLITE_LOCKED: another connection holds the lock; trying again may work."""
    code = primary_code(e)
    if code is not None:
        return code in (_BUSY, _LOCKED)
    text = str(e).lower()
    return isinstance(e, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def stale(path: object) -> StorageError:
    return StorageError("stale", "the conversation was changed elsewhere (in another Hanashi window or by "
                        "`hanashi chat --save`) after this view of it was made, so nothing was changed", path,
                        "look at the conversation as it is now (reload it) and try again")


def gone(path: object, what: str = "conversation") -> StorageError:
    return StorageError("gone", f"the {what} no longer exists: it was deleted, perhaps in another Hanashi window",
                        path, "nothing to fix here; copy any text you want to keep")


def sql_error(e: sqlite3.Error, path: object) -> StorageError:
    """The StorageError that says what SQLite's error ``e`` means for the user."""
    code = primary_code(e)
    text = str(e).lower()
    if is_busy(e):
        return StorageError("locked", "the conversation database is locked by another program", path,
                            "close the other Hanashi window (or the program using the file) and try again")
    if code == _FULL or "disk is full" in text or "database or disk is full" in text:
        return StorageError("full", "the disk is full (or the database reached its size limit), so nothing "
                            "more could be written", path, "free some disk space, then try again")
    if code in (_CORRUPT, _NOTADB) or "not a database" in text or "malformed" in text or "corrupt" in text:
        return StorageError("corrupt", f"the conversation database is damaged ({e})", path,
                            "move the damaged file aside (Hanashi offers to) and start a new one; "
                            "the old file is kept for recovery")
    if code == _READONLY or "readonly" in text or "read-only" in text:
        return StorageError("readonly", f"the conversation database cannot be written ({e})", path,
                            "check that the data folder and the database file are writable")
    if code == _CONSTRAINT or isinstance(e, sqlite3.IntegrityError):
        if "foreign key" in text:
            return gone(path)
        return StorageError("constraint", f"the database refused the change ({e})", path,
                            "this is a bug in Hanashi; please report it with this message")
    if code == _CANTOPEN:
        return StorageError("io", f"the conversation database cannot be opened ({e})", path,
                            "check that the data folder exists and is readable and writable")
    if code == 1:  # SQLITE_ERROR: a table, index or trigger is not what this Hanashi wrote
        return StorageError("corrupt", f"the conversation database's structure is not what Hanashi expects ({e})",
                            path, "if another program changed the file, move it aside (Hanashi offers to) and "
                            "start a new one; the old file is kept for recovery")
    return StorageError("io", f"the conversation database cannot be used ({e})", path,
                        "check free disk space and that the data folder is writable")
