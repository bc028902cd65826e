"""Storage edge cases: a full disk, a conversation deleted under a write, a newer Hanashi's file
(looked at read-only, not a byte changed), the upgrade from schema 1, stored token counts."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from types import SimpleNamespace

import pytest

from app import chat_flow
from app.storage import ASSISTANT, SCHEMA_VERSION, USER, Storage, StorageError
from app.storage_errors import sql_error


@pytest.fixture
def store(tmp_path):
    s = Storage(tmp_path / "c.sqlite3")
    yield s
    s.close()


def reply(text):
    return SimpleNamespace(text=text, reason="eos", cancelled=False, n_generated=3, tokens_per_s=10.0,
                           n_prompt_tokens=5, context_used=8, n_ctx=64, seed=1)


# ---------------------------------------------------------------- disk full, deleted conversation

def test_a_full_disk_at_the_end_of_a_reply_is_reported_as_such_and_can_be_retried(store):
    c = store.create_conversation()
    request = chat_flow.send(store, c.id, "長い答えをください")
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    # SQLite itself refuses to grow the file past this many pages: SQLITE_FULL, as on a full disk.
    store.db.execute(f"PRAGMA max_page_count = {pages}")
    long_reply = reply("富士山" * 20_000)
    with pytest.raises(StorageError) as e:
        chat_flow.finish(store, request, long_reply)
    assert e.value.kind == "full" and "disk is full" in e.value.message
    assert [m.role for m in store.messages(c.id)] == [USER]  # nothing half-written
    assert store.version(c.id) == request.version
    store.db.execute("PRAGMA max_page_count = 1073741823")  # space freed
    saved = chat_flow.finish(store, request, long_reply)  # the same request, tried again
    assert saved.role == ASSISTANT and store.messages(c.id)[-1].content == long_reply.text


def test_a_conversation_deleted_elsewhere_is_named_not_the_disk(tmp_path):
    a, b = Storage(tmp_path / "c.sqlite3"), Storage(tmp_path / "c.sqlite3")
    try:
        c = a.create_conversation()
        request = chat_flow.send(a, c.id, "こんにちは")
        b.delete_conversation(c.id)  # another window, while the reply is written
        with pytest.raises(StorageError) as e:
            chat_flow.finish(a, request, reply("やあ"))
        assert e.value.kind == "gone" and "deleted" in e.value.message
        assert "disk" not in str(e.value)
        # SQLite's own foreign-key error (a write that skipped the check) reads the same.
        with pytest.raises(sqlite3.IntegrityError) as raw:
            a.db.execute("INSERT INTO messages (conversation_id, role, content, created) VALUES (?, 'user', 'x', 0)",
                         (c.id,))
        mapped = sql_error(raw.value, a.path)
        assert mapped.kind == "gone" and "disk" not in str(mapped)
    finally:
        a.close()
        b.close()


# ---------------------------------------------------------------- a newer Hanashi's database

def state(folder):
    """Every file of the folder with its content's hash."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def newer_database(path, wal: bool):
    db = sqlite3.connect(path, isolation_level=None)
    if wal:
        db.execute("PRAGMA journal_mode = WAL")
    db.execute("CREATE TABLE conversations (id INTEGER PRIMARY KEY, future TEXT)")
    db.execute("INSERT INTO conversations (future) VALUES ('未来')")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    return db


@pytest.mark.parametrize("wal", [True, False], ids=["wal", "rollback-journal"])
def test_a_newer_database_is_refused_and_not_a_byte_changes(tmp_path, wal):
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "conversations.sqlite3"
    newer_database(path, wal).close()
    before = state(folder)
    with pytest.raises(StorageError) as e:
        Storage(path)
    assert e.value.kind == "newer" and "newer Hanashi" in e.value.message and "left it untouched" in e.value.message
    assert state(folder) == before  # same files, same bytes: the message is true


def test_a_newer_database_open_in_another_program_is_read_read_only(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "conversations.sqlite3"
    writer = newer_database(path, wal=True)  # still open: the newer version sits in the -wal file
    try:
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute("INSERT INTO conversations (future) VALUES ('まだ')")
        assert os.path.getsize(str(path) + "-wal") > 0
        before = state(folder)
        with pytest.raises(StorageError) as e:
            Storage(path)
        assert e.value.kind == "newer"
        after = state(folder)
        assert sorted(after) == sorted(before)  # no file made or removed
        # The database and its log are unchanged; the -shm file is the open program's shared-memory
        # index, where every reader (that program's own included) notes what it reads.
        for name in ("conversations.sqlite3", "conversations.sqlite3-wal"):
            assert after[name] == before[name]
    finally:
        writer.close()


# ---------------------------------------------------------------- upgrade, token counts

V1 = """
CREATE TABLE conversations (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL DEFAULT '',
    persona TEXT NOT NULL DEFAULT '', sampling TEXT NOT NULL DEFAULT '{}', created REAL NOT NULL, updated REAL NOT NULL);
CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')), content TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'done', model TEXT NOT NULL DEFAULT '', stats TEXT NOT NULL DEFAULT '{}',
    created REAL NOT NULL);
CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
INSERT INTO conversations (title, created, updated) VALUES ('古い会話', 1, 1);
INSERT INTO messages (conversation_id, role, content, created) VALUES (1, 'user', 'こんにちは', 1);
INSERT INTO messages (conversation_id, role, content, created) VALUES (1, 'assistant', 'やあ', 2);
PRAGMA user_version = 1;
"""


def test_a_schema_1_database_is_upgraded_keeping_every_message(tmp_path):
    path = tmp_path / "c.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(V1)
    db.close()
    store = Storage(path)
    try:
        convo, messages = store.snapshot(1)
        assert convo.title == "古い会話" and convo.version == 0
        assert [(m.role, m.content) for m in messages] == [(USER, "こんにちは"), (ASSISTANT, "やあ")]
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.token_counts(1, "m") == {}
        store.add_message(1, USER, "続き")
    finally:
        store.close()
    Storage(path).close()  # opening again changes nothing


def test_token_counts_are_stored_per_model_and_cleared_by_an_edit(store):
    c = store.create_conversation()
    ids = [store.add_message(c.id, role, text).id
           for role, text in [(USER, "一"), (ASSISTANT, "二"), (USER, "三"), (ASSISTANT, "四")]]
    other = store.create_conversation()
    elsewhere = store.add_message(other.id, USER, "別").id
    assert store.token_counts(c.id, "model-a") == {}
    store.store_token_counts("model-a", {ids[0]: 5, ids[1]: 7, ids[2]: 3, 999_999: 1})  # 999999: no such message
    store.store_token_counts('model "b"', {ids[0]: 6})  # any key, quotes included
    store.store_token_counts("model-a", {elsewhere: 2})
    assert store.token_counts(c.id, "model-a") == {ids[0]: 5, ids[1]: 7, ids[2]: 3}  # only those known
    assert store.token_counts(c.id, 'model "b"') == {ids[0]: 6}
    assert store.token_counts(other.id, "model-a") == {elsewhere: 2}
    store.store_token_counts("model-a", {ids[1]: 8})  # replaced, the others kept
    assert store.token_counts(c.id, "model-a")[ids[1]] == 8
    with pytest.raises(ValueError):
        store.store_token_counts("model-a", {ids[0]: -1})
    version = store.version(c.id)
    store.store_token_counts("model-a", {ids[3]: 4})
    assert store.version(c.id) == version  # counts don't make a view stale

    store.edit_message(ids[2], "三、書き直し")  # its counts go, and so do the later messages
    assert store.token_counts(c.id, "model-a") == {ids[0]: 5, ids[1]: 8}
    assert store.token_counts(c.id, 'model "b"') == {ids[0]: 6}
    # A damaged tokens value reads as "no counts", never as an error.
    store.db.execute("UPDATE messages SET tokens = 'not json' WHERE id = ?", (ids[0],))
    assert store.token_counts(c.id, "model-a") == {ids[1]: 8}
    store.store_token_counts("model-a", {ids[0]: 9})
    assert store.token_counts(c.id, "model-a") == {ids[0]: 9, ids[1]: 8}
