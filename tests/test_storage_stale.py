"""Two views of one conversation: a change made from a stale view deletes nothing it has not seen."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app import chat_flow
from app.storage import ASSISTANT, USER, Storage, StorageError


def reply(text):
    return SimpleNamespace(text=text, reason="eos", cancelled=False, n_generated=3, tokens_per_s=10.0,
                           n_prompt_tokens=5, context_used=8, n_ctx=64, seed=1)


@pytest.fixture
def two(tmp_path):
    """Two Storage objects (two windows) on one database file."""
    a, b = Storage(tmp_path / "c.sqlite3"), Storage(tmp_path / "c.sqlite3")
    yield a, b
    a.close()
    b.close()


def conversation_with_one_exchange(store):
    c = store.create_conversation()
    chat_flow.finish(store, chat_flow.send(store, c.id, "最初"), reply("はい"))
    return c.id


def contents(store, cid):
    return [(m.role, m.content) for m in store.messages(cid)]


def test_edit_in_a_stale_view_keeps_the_other_windows_newer_messages(two):
    a, b = two
    cid = conversation_with_one_exchange(a)
    view_a, shown_a = a.snapshot(cid)  # window A shows the conversation
    view_b, _ = b.snapshot(cid)
    request = chat_flow.send(b, cid, "二番目", expect=view_b.version)  # window B goes on
    chat_flow.finish(b, request, reply("了解"))
    before = contents(b, cid)
    assert before == [(USER, "最初"), (ASSISTANT, "はい"), (USER, "二番目"), (ASSISTANT, "了解")]

    with pytest.raises(StorageError) as e:
        chat_flow.edit(a, shown_a[0].id, "書き直し", expect=view_a.version)
    assert e.value.kind == "stale" and "changed elsewhere" in e.value.message and "nothing was changed" in e.value.message
    assert contents(a, cid) == before  # nothing deleted, nothing replaced
    with pytest.raises(StorageError) as e:  # the storage call itself refuses the same way
        a.delete_messages_from(shown_a[1].id, expect=view_a.version)
    assert e.value.kind == "stale" and contents(b, cid) == before

    # Reloaded, the same edit is what the user asked for.
    fresh, _ = a.snapshot(cid)
    edited = chat_flow.edit(a, shown_a[0].id, "書き直し", expect=fresh.version)
    assert contents(b, cid) == [(USER, "書き直し")] and edited.version == fresh.version + 1


def test_regenerate_in_a_stale_view_deletes_no_reply(two):
    a, b = two
    cid = conversation_with_one_exchange(a)
    view_a, _ = a.snapshot(cid)
    request = chat_flow.send(b, cid, "続けて")
    chat_flow.finish(b, request, reply("続きです"))
    before = contents(b, cid)
    with pytest.raises(StorageError) as e:
        chat_flow.regenerate(a, cid, expect=view_a.version)
    assert e.value.kind == "stale"
    assert contents(b, cid) == before  # B's reply is still there


def test_a_reply_is_not_stored_after_its_question_was_changed_elsewhere(two):
    a, b = two
    cid = conversation_with_one_exchange(a)
    request = chat_flow.send(a, cid, "質問")  # A's reply is being written...
    question = a.messages(cid)[-1]
    b.edit_message(question.id, "別の質問")  # ...when B edits the question
    with pytest.raises(StorageError) as e:
        chat_flow.finish(a, request, reply("古い質問への答え"))
    assert e.value.kind == "stale"
    assert contents(b, cid)[-1] == (USER, "別の質問")


def test_deleting_a_conversation_changed_elsewhere_is_refused(two):
    a, b = two
    cid = conversation_with_one_exchange(a)
    seen = a.version(cid)
    b.add_message(cid, USER, "新しいメッセージ")
    with pytest.raises(StorageError) as e:
        a.delete_conversation(cid, expect=seen)
    assert e.value.kind == "stale" and len(b.messages(cid)) == 3
    a.delete_conversation(cid, expect=a.version(cid))
    assert b.conversations() == []
    a.delete_conversation(cid, expect=seen)  # already gone: nothing to do


def test_a_message_deleted_elsewhere_cannot_be_edited(two):
    a, b = two
    cid = conversation_with_one_exchange(a)
    first = a.messages(cid)[0]
    b.delete_messages_from(first.id)
    with pytest.raises(StorageError) as e:
        chat_flow.edit(a, first.id, "x")
    assert e.value.kind == "stale"
    with pytest.raises(StorageError) as e:
        a.edit_message(first.id, "x")
    assert e.value.kind == "stale"


def test_versions_follow_every_change_to_the_messages_only(two):
    a, _ = two
    c = a.create_conversation()
    assert c.version == 0
    m = a.add_message(c.id, USER, "一")
    assert m.version == 1 == a.version(c.id)
    a.rename(c.id, "題名")
    a.set_persona(c.id, "persona")
    a.set_sampling(c.id, {"temperature": 0.5})
    assert a.version(c.id) == 1  # titles and settings don't make a view stale
    assert a.edit_message(m.id, "二") == 2
    assert a.delete_messages_from(m.id) == 3
    convo, messages = a.snapshot(c.id)
    assert convo.version == 3 and messages == []
    # Without an expectation, regenerate deletes only what it read itself.
    chat_flow.finish(a, chat_flow.send(a, c.id, "三"), reply("四"))
    request = chat_flow.regenerate(a, c.id)
    assert [t.content for t in request.turns] == ["三"] and request.version == a.version(c.id)
