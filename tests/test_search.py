"""Search inside conversations: FTS5 trigram index (Japanese), short words, hostile queries, the
index kept in step by triggers, built by the schema 2 → 3 upgrade, and the LIKE fallback."""

from __future__ import annotations

import sqlite3

import pytest

from app.storage import ASSISTANT, SCHEMA_VERSION, USER, Storage
from app.storage_search import MAX_WORDS, full_text_support, highlight


@pytest.fixture
def store(tmp_path):
    s = Storage(tmp_path / "c.sqlite3")
    yield s
    s.close()


def fts_rows(store: Storage) -> dict[int, str]:
    return dict(store.db.execute("SELECT rowid, content FROM messages_fts").fetchall())


def test_this_sqlite_has_fts5_trigram_and_the_store_uses_it(store):
    assert tuple(int(p) for p in sqlite3.sqlite_version.split(".")[:2]) >= (3, 34)
    assert full_text_support(store.db) == ""
    assert store.full_text and store.full_text_missing == ""


def test_japanese_text_inside_messages_is_found_with_the_match_highlighted(store):
    fuji = store.create_conversation()
    store.add_message(fuji.id, USER, "日本で一番高い山は?")
    answer = store.add_message(fuji.id, ASSISTANT, "日本で一番高い山は富士山です。", model="tiny")
    other = store.create_conversation()
    store.add_message(other.id, USER, "明日の天気はどうですか?")

    result = store.search("富士山")
    assert [(h.conversation.id, h.message_id, h.matches) for h in result.hits] == [(fuji.id, answer.id, 1)]
    assert result.hits[0].snippet_html == "日本で一番高い山は<b>富士山</b>です。"
    assert result.hits[0].conversation.title == "日本で一番高い山は?"
    assert result.full_text and result.total == 1 and result.note == ""
    # The query went through the FTS index (not a scan): the index holds every message.
    assert fts_rows(store) == {m.id: m.content for c in (fuji, other) for m in store.messages(c.id)}

    assert not store.search("富士山頂")  # nothing matched: an empty result, not an error
    assert store.search("存在しない言葉").hits == []


def test_one_and_two_character_words_fall_back_to_like(store):
    c = store.create_conversation("雑談")
    m = store.add_message(c.id, USER, "山と川")
    assert [h.message_id for h in store.search("山").hits] == [m.id]
    assert [h.message_id for h in store.search("山と").hits] == [m.id]
    assert store.search("海").hits == []
    assert store.search("雑").hits[0].message_id is None  # only the title matched
    assert store.search("雑").hits[0].title_html == "<b>雑</b>談"


def test_every_word_must_match_and_ascii_case_is_ignored(store):
    a = store.create_conversation()
    store.add_message(a.id, USER, "Python で SQLite を使う")
    b = store.create_conversation()
    store.add_message(b.id, USER, "Python の本")
    assert {h.conversation.id for h in store.search("python").hits} == {a.id, b.id}
    assert [h.conversation.id for h in store.search("PYTHON sqlite").hits] == [a.id]
    hit = store.search("python sqlite").hits[0]
    assert hit.snippet_html == "<b>Python</b> で <b>SQLite</b> を使う"


def test_snippets_escape_html_and_show_the_text_around_the_match(store):
    c = store.create_conversation("<b>title</b>")
    long_text = "あ" * 300 + "<script>alert('富士山')</script>" + "い" * 300
    store.add_message(c.id, USER, long_text)
    hit = store.search("富士山").hits[0]
    assert "<script>" not in hit.snippet_html and "&lt;script&gt;" in hit.snippet_html
    assert "<b>富士山</b>" in hit.snippet_html
    assert hit.snippet_html.startswith("…") and hit.snippet_html.endswith("…")
    assert len(hit.snippet_html) < 250
    assert hit.title_html == "&lt;b&gt;title&lt;/b&gt;"
    assert store.search("title").hits[0].title_html == "&lt;b&gt;<b>title</b>&lt;/b&gt;"


@pytest.mark.parametrize("query", [
    '"', '""', "'", "AND", "OR", "NOT", "a AND b", "NEAR(a b)", "*", "富士*", "^富士", "content:富士山",
    "{content}: x", "(", ")", "-", "+", "%", "_", "\\", "\x00", "富士\x00山", "'; DROP TABLE messages; --",
    "x" * 10_000, "富士山" * 3000, "\ud800", " ".join(["富士山"] * (MAX_WORDS + 1)),
    " ".join(f"w{i}" for i in range(2000)),
])
def test_hostile_queries_never_raise_and_are_searched_literally(store, query):
    c = store.create_conversation()
    store.add_message(c.id, USER, 'text with "quotes", AND OR NOT, a*b, 100% and_under \\ back 富士山')
    result = store.search(query)
    assert isinstance(result.hits, list)
    assert store.messages(c.id)  # nothing was changed


def test_fts_syntax_in_a_query_is_literal_text(store):
    c = store.create_conversation()
    m = store.add_message(c.id, USER, 'he said "hello" NEAR(x y) 100% a*b')
    other = store.create_conversation()
    store.add_message(other.id, USER, "hello there")
    assert [h.message_id for h in store.search('"hello"').hits] == [m.id]
    assert [h.message_id for h in store.search("NEAR(x").hits] == [m.id]
    assert [h.message_id for h in store.search("a*b").hits] == [m.id]
    assert [h.message_id for h in store.search("100%").hits] == [m.id]
    assert store.search("a*c").hits == []
    assert store.search("hel*").hits == []  # no prefix operator: "hel*" is not in any message


def test_too_many_words_say_so(store):
    result = store.search(" ".join(f"word{i}" for i in range(MAX_WORDS + 1)))
    assert result.hits == [] and result.too_many_words and str(MAX_WORDS) in result.note


def test_the_index_follows_edits_and_deletes(store):
    c = store.create_conversation("山の話")
    q = store.add_message(c.id, USER, "富士山について教えて")
    store.add_message(c.id, ASSISTANT, "富士山は高い山です")
    assert store.search("富士山").hits[0].matches == 2
    store.edit_message(q.id, "琵琶湖について教えて")  # the reply after it goes too
    assert store.search("富士山").hits == []
    assert [h.message_id for h in store.search("琵琶湖").hits] == [q.id]
    store.add_message(c.id, ASSISTANT, "琵琶湖は大きい湖です")
    store.delete_messages_from(q.id + 2)
    assert store.search("琵琶湖").hits[0].matches == 1
    store.delete_conversation(c.id)
    assert store.search("琵琶湖").hits == []
    assert fts_rows(store) == {}


def test_many_matching_conversations_are_limited_and_newest_first(store):
    ids = []
    for i in range(5):
        c = store.create_conversation(f"会話{i}")
        store.add_message(c.id, USER, f"富士山の話 {i}")
        ids.append(c.id)
    result = store.search("富士山", limit=3)
    assert [h.conversation.id for h in result.hits] == ids[::-1][:3]
    assert result.total == 5 and "3 most recent of 5" in result.note


V2 = """
CREATE TABLE conversations (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT NOT NULL DEFAULT '',
    persona TEXT NOT NULL DEFAULT '', sampling TEXT NOT NULL DEFAULT '{}', created REAL NOT NULL,
    updated REAL NOT NULL, version INTEGER NOT NULL DEFAULT 0);
CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')), content TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'done', model TEXT NOT NULL DEFAULT '', stats TEXT NOT NULL DEFAULT '{}',
    created REAL NOT NULL, tokens TEXT NOT NULL DEFAULT '{}');
CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
INSERT INTO conversations VALUES (1, '山の話', '', '{}', 1.0, 2.0, 3);
INSERT INTO conversations VALUES (2, '空', '', '{}', 1.0, 2.0, 0);
INSERT INTO messages VALUES (1, 1, 'user', '日本で一番高い山は?', 'done', '', '{}', 1.0, '{}');
INSERT INTO messages VALUES (2, 1, 'assistant', '日本で一番高い山は富士山です', 'done', 'old-model', '{}', 1.5, '{}');
INSERT INTO messages VALUES (3, 1, 'assistant', 'もう一度: 富士山です', 'stopped', 'rinna-tiny', '{}', 1.7, '{}');
PRAGMA user_version = 2;
"""


def test_a_schema_2_database_is_upgraded_with_the_index_built_for_existing_messages(tmp_path):
    path = tmp_path / "v2.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(V2)
    db.close()
    store = Storage(path)
    try:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
        assert [h.message_id for h in store.search("富士山").hits] == [3]
        assert store.search("富士山").hits[0].matches == 2
        assert fts_rows(store) == {1: "日本で一番高い山は?", 2: "日本で一番高い山は富士山です", 3: "もう一度: 富士山です"}
        # The conversation remembers the model of its newest reply; one without replies, none.
        assert store.conversation(1).model == "rinna-tiny" and store.conversation(2).model == ""
        assert store.conversation(1).version == 3  # nothing else changed
        assert [p.name for p in store.personas() if not p.builtin] == []
    finally:
        store.close()


def test_without_full_text_search_like_is_used_and_the_index_is_rebuilt_later(tmp_path):
    path = tmp_path / "c.sqlite3"
    first = Storage(path)
    c = first.create_conversation()
    first.add_message(c.id, USER, "日本で一番高い山は富士山です")
    first.close()

    plain = Storage(path, full_text=False)  # as on an SQLite without FTS5 trigram
    try:
        triggers = plain.db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").fetchone()[0]
        assert triggers == 0  # messages can be written by an SQLite without FTS5
        later = plain.add_message(c.id, ASSISTANT, "富士山は静岡県と山梨県にあります")
        result = plain.search("富士山")
        assert not result.full_text and "Full-text search is not available" in result.note
        assert [h.message_id for h in result.hits] == [later.id] and result.hits[0].matches == 2
    finally:
        plain.close()

    again = Storage(path)
    try:
        assert again.full_text
        assert [h.message_id for h in again.search("山梨県").hits] == [later.id]  # written while off: indexed now
        assert len(fts_rows(again)) == 2
    finally:
        again.close()


def test_highlight_is_case_insensitive_and_escapes():
    assert highlight("Fuji <3 fuji", ["FUJI"]) == "<b>Fuji</b> &lt;3 <b>fuji</b>"
    assert highlight("a&b", []) == "a&amp;b"
