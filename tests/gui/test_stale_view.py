"""Two windows on one profile: a window whose view is stale deletes nothing it has not shown."""

from __future__ import annotations

from app.storage import ASSISTANT, USER

from .helpers import message_boxes, send


def stored(window, cid):
    return [(m.role, m.content) for m in window.storage.messages(cid)]


def shown(window):
    return [(b.role, b.content) for b in window.chat.bubbles]


def close_boxes():
    texts = []
    for box in message_boxes():
        texts.append(box.text())
        box.close()
    return texts


def test_edit_and_regenerate_in_a_stale_window_delete_nothing(qtbot, make_window, chat_gguf):
    a = make_window(chat_gguf)
    send(qtbot, a, "最初の質問")
    cid = a.current_id
    b = make_window(chat_gguf)  # a second window on the same data folder, showing the same conversation
    assert b.current_id == cid
    send(qtbot, b, "二番目の質問")  # A does not show these two messages
    before = stored(b, cid)
    assert [r for r, _ in before] == [USER, ASSISTANT, USER, ASSISTANT] and len(a.chat.bubbles) == 2

    # Edit the first message in A: it would delete B's newer question and reply.
    a.chat.bubbles[0].edit_button.click()
    a.composer.set_text("書き直した質問")
    a.composer.submit()
    assert not a.client.generating  # refused: nothing sent
    assert stored(b, cid) == before
    assert shown(a) == before  # A was reloaded and shows what is stored
    texts = close_boxes()
    assert len(texts) == 1 and "nothing was deleted" in texts[0] and "reloaded" in texts[0]
    assert a.composer.editing_id == a.chat.bubbles[0].message_id  # the edit typed is kept
    assert a.composer.text() == "書き直した質問"
    a.composer.cancel_edit()

    # B goes on again; Regenerate in A (stale once more) must not delete B's reply.
    send(qtbot, b, "三番目の質問")
    before = stored(b, cid)
    assert len(a.chat.bubbles) == 4
    a.chat.bubbles[-1].regenerate_button.click()
    assert not a.client.generating
    assert stored(b, cid) == before and shown(a) == before
    texts = close_boxes()
    assert len(texts) == 1 and "nothing was deleted" in texts[0]

    # Now that A shows the conversation as it is, Regenerate does what it says.
    with qtbot.waitSignal(a.client.finished, timeout=60_000) as blocker:
        a.chat.bubbles[-1].regenerate_button.click()
    after = stored(a, cid)
    assert after[:5] == before[:5] and after[5] == (ASSISTANT, blocker.args[1].text)
    assert close_boxes() == []


def test_deleting_a_conversation_another_window_added_to_is_refused(qtbot, make_window, chat_gguf):
    a = make_window(chat_gguf)
    send(qtbot, a, "こんにちは")
    cid = a.current_id
    b = make_window(chat_gguf)
    send(qtbot, b, "まだ話している")
    a.delete_conversation(cid, ask=False)  # A's view shows two messages, the conversation has four
    assert len(b.storage.messages(cid)) == 4
    texts = close_boxes()
    assert len(texts) == 1 and "nothing was deleted" in texts[0]
    assert len(a.chat.bubbles) == 4  # reloaded
    a.delete_conversation(cid, ask=False)  # seen now: deleted
    assert b.storage.conversations() == [] and close_boxes() == []
