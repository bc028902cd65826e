"""A reply that cannot be stored as it finishes is kept, marked "not saved", explained, copied,
and saved when it can be: real SQLite refusing (SQLITE_FULL, a deleted conversation)."""

from __future__ import annotations

import sqlite3

from PySide6.QtGui import QGuiApplication

from app.storage import ASSISTANT, USER, Storage

from .helpers import message_boxes, send


def fill_the_database(db: sqlite3.Connection, conversation_id: int) -> None:
    """Let SQLite refuse to grow the file (``max_page_count``, SQLITE_FULL as on a full disk) and
    use up the room left in its pages, so the next message needs space there is none of."""
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages}")
    try:
        while True:
            db.execute("INSERT INTO messages (conversation_id, role, content, created) VALUES (?, 'user', 'x', 0)",
                       (conversation_id,))
    except sqlite3.OperationalError as e:
        assert "full" in str(e)


def test_a_full_disk_as_the_reply_ends_keeps_it_and_saves_it_when_it_can(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    filler = window.storage.create_conversation("filler").id
    window.new_conversation()
    cid = window.current_id
    filled = []

    def disk_fills_up(_rid, _text):  # while the reply streams, once
        if not filled:
            filled.append(True)
            fill_the_database(window.storage.db, filler)

    window.client.text.connect(disk_fills_up)
    result = send(qtbot, window, "富士山について")
    assert result.text

    assert [m.role for m in window.storage.messages(cid)] == [USER]  # the disk was full
    bubble = window.chat.bubbles[-1]
    assert bubble.content == result.text and not bubble.streaming
    assert bubble.note.text() == "not saved"  # not "writing…"
    assert message_boxes() == []  # no error dialog: the bar says it
    bar = window.saver.bar
    assert bar.isVisible() and "disk is full" in bar.label.text()
    assert bar.retry_button.isVisible() and bar.copy_button.isVisible()
    bar.copy_button.click()
    assert QGuiApplication.clipboard().text() == result.text

    bar.retry_button.click()  # still full: still kept
    assert cid in window.saver.pending and bar.isVisible()
    assert window.saver.timer.isActive()  # and tried again by itself

    window.storage.db.execute("PRAGMA max_page_count = 1073741823")  # space freed
    window.saver.timer.setInterval(50)
    qtbot.waitUntil(lambda: cid not in window.saver.pending, timeout=5000)
    stored = window.storage.messages(cid)
    assert [(m.role, m.content) for m in stored] == [(USER, "富士山について"), (ASSISTANT, result.text)]
    assert not bar.isVisible() and not window.saver.timer.isActive()
    assert window.chat.bubbles[-1].message_id == stored[-1].id and window.chat.bubbles[-1].note.text() == ""
    assert window.view_version == window.storage.version(cid)  # the view is current again
    send(qtbot, window, "ありがとう")  # and the conversation goes on
    assert len(window.storage.messages(cid)) == 4


def test_a_conversation_deleted_elsewhere_while_the_reply_is_written_is_named(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    window.new_conversation()
    cid = window.current_id
    other = Storage()  # another window on the same profile
    try:
        window.client.text.connect(lambda rid, text: other.delete_conversation(cid))
        result = send(qtbot, window, "こんにちは")
    finally:
        other.close()
    bar = window.saver.bar
    assert bar.isVisible()
    text = bar.label.text()
    assert "deleted in another window" in text and "not saved" in text and "disk" not in text
    assert not bar.retry_button.isVisible()  # trying again cannot help; copying can
    assert window.chat.bubbles[-1].content == result.text and window.chat.bubbles[-1].note.text() == "not saved"
    assert message_boxes() == []
    bar.copy_button.click()
    assert QGuiApplication.clipboard().text() == result.text
    bar.discard_button.click()
    assert not bar.isVisible() and window.saver.pending == {}
