"""The conversation database (app.storage) and what send / regenerate / edit do to it (app.chat_flow)."""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

import pytest

from app import chat_flow
from app.formats import Turn
from app.storage import ASSISTANT, DONE, SCHEMA_VERSION, STOPPED, USER, Storage, StorageError, move_aside


@pytest.fixture
def store(tmp_path):
    s = Storage(tmp_path / "c.sqlite3")
    yield s
    s.close()


def reply(text, reason="eos"):
    return SimpleNamespace(text=text, reason=reason, cancelled=reason == "cancelled", n_generated=3,
                           tokens_per_s=10.0, n_prompt_tokens=5, context_used=8, n_ctx=64, seed=1)


def test_every_change_is_committed_and_visible_to_another_connection(store, tmp_path):
    c = store.create_conversation()
    request = chat_flow.send(store, c.id, "日本で一番高い山は?")
    chat_flow.finish(store, request, reply("富士山です。"), "demo")
    other = sqlite3.connect(tmp_path / "c.sqlite3")
    rows = other.execute("SELECT role, content, status, model FROM messages ORDER BY id").fetchall()
    assert rows == [(USER, "日本で一番高い山は?", DONE, ""), (ASSISTANT, "富士山です。", DONE, "demo")]
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert other.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    other.close()
    assert store.conversation(c.id).title == "日本で一番高い山は?"  # named after the first message


def test_send_regenerate_edit_and_stop(store):
    c = store.create_conversation(persona="ユーザー: 短く答えて", sampling={"temperature": 0.0, "bogus": 1})
    r1 = chat_flow.send(store, c.id, "こんにちは")
    assert r1.turns == [Turn(USER, "こんにちは")] and r1.persona == "ユーザー: 短く答えて"
    assert r1.sampling == {"temperature": 0.0}  # only sampling keys reach the engine
    chat_flow.finish(store, r1, reply("やあ"))
    r2 = chat_flow.send(store, c.id, "元気?")
    chat_flow.finish(store, r2, reply("元気", "cancelled"))
    assert [(m.content, m.status) for m in store.messages(c.id)][-1] == ("元気", STOPPED)

    again = chat_flow.regenerate(store, c.id)  # the stopped reply goes; the question stays
    assert again.turns == [Turn(USER, "こんにちは"), Turn(ASSISTANT, "やあ"), Turn(USER, "元気?")]
    assert len(store.messages(c.id)) == 3

    first = store.messages(c.id)[0]
    edited = chat_flow.edit(store, first.id, "おはよう")
    assert edited.turns == [Turn(USER, "おはよう")]
    assert [m.content for m in store.messages(c.id)] == ["おはよう"]
    with pytest.raises(ValueError):
        chat_flow.send(store, c.id, "   ")


def test_conversations_search_rename_delete(store):
    a = store.create_conversation("富士山の話")
    b = store.create_conversation("Weather 100%")
    store.add_message(a.id, USER, "x")
    assert [c.title for c in store.conversations()] == ["富士山の話", "Weather 100%"]  # recently updated first
    assert [c.title for c in store.conversations("富士")] == ["富士山の話"]
    assert [c.title for c in store.conversations("weather")] == ["Weather 100%"]
    assert [c.title for c in store.conversations("%")] == ["Weather 100%"]  # % is literal
    store.rename(b.id, " 天気 ")
    assert store.conversation(b.id).title == "天気"
    store.delete_conversation(a.id)
    assert [c.id for c in store.conversations()] == [b.id]
    assert store.messages(a.id) == []  # the messages went with it


def test_a_damaged_file_is_reported_and_can_be_moved_aside(tmp_path):
    path = tmp_path / "c.sqlite3"
    path.write_bytes(b"not a database at all" * 200)
    with pytest.raises(StorageError) as e:
        Storage(path)
    assert e.value.kind == "corrupt" and "How to fix" in str(e.value)
    aside = move_aside(path)
    assert aside.read_bytes().startswith(b"not a database") and not path.exists()
    Storage(path).close()  # a fresh one


def test_a_newer_schema_is_refused_untouched(tmp_path):
    path = tmp_path / "c.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StorageError) as e:
        Storage(path)
    assert e.value.kind == "newer"


def test_a_locked_database_is_reported(tmp_path):
    path = tmp_path / "c.sqlite3"
    Storage(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        store = Storage(path, busy_timeout=0.1)
        with pytest.raises(StorageError) as e:
            store.create_conversation()
        assert e.value.kind == "locked"
    except StorageError as e:  # or already while opening
        assert e.kind == "locked"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
