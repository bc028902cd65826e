"""Long conversations: opening one builds only the newest bubbles, older ones appear when scrolling
up, and copy / edit / regenerate keep working — real widgets (offscreen), real SQLite, real model."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from app.storage import ASSISTANT, USER, Message

from .helpers import REPLY_TIMEOUT_MS


def messages(n: int) -> list[Message]:
    return [Message(i + 1, 1, USER if i % 2 == 0 else ASSISTANT, f"メッセージ{i}番です。" + "長い文章。" * (i % 5),
                    model="tiny") for i in range(n)]


def on_screen(view, bubble) -> bool:
    """Some of ``bubble`` lies inside the view's visible area."""
    viewport = view.viewport()
    if not bubble.isVisibleTo(view) or bubble.visibleRegion().isEmpty():
        return False
    return viewport.rect().intersects(QRect(bubble.mapTo(viewport, QPoint(0, 0)), bubble.size()))


def at_bottom(view) -> bool:
    bar = view.verticalScrollBar()
    return bar.maximum() > 0 and bar.value() == bar.maximum()


def top_bubble(view):
    """The first bubble on screen, and how far its top is from the view's top."""
    viewport = view.viewport()
    for b in view.bubbles:
        if on_screen(view, b):
            return b, b.mapTo(viewport, QPoint(0, 0)).y()
    raise AssertionError("no bubble on screen")


def test_a_hundred_thousand_messages_open_at_the_newest_and_load_older_on_scroll(qtbot):
    from app.gui.chat_view import BATCH, INITIAL, KEEP, ChatView

    view = ChatView()
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    convo = messages(100_000)
    view.show_messages(convo)
    qtbot.waitUntil(lambda: at_bottom(view) and on_screen(view, view.bubbles[-1]))
    assert view.message_count == 100_000
    assert len(view.bubbles) <= INITIAL + BATCH  # only the newest were built
    assert view.bubbles[-1].message_id == 100_000 and view.bubbles[-1].content == convo[-1].content
    assert view.bubbles[-1].regenerate_button.isVisibleTo(view)
    assert [b.message_id for b in view.bubbles] == list(range(view.first + 1, 100_001))

    # Scrolling up to the top builds older messages; what was on screen stays where it was.
    bar = view.verticalScrollBar()
    oldest = view.bubbles[0].message_id
    bar.setValue(0)
    anchor, offset = top_bubble(view)
    qtbot.waitUntil(lambda: view.bubbles[0].message_id < oldest)
    assert view.bubbles[0].message_id == oldest - BATCH
    for _ in range(3):  # laid out at once, and it stays so
        assert on_screen(view, anchor) and anchor.mapTo(view.viewport(), QPoint(0, 0)).y() == offset
        qtbot.wait(20)
    assert not any(b.regenerate_button.isVisibleTo(view) for b in view.bubbles[:-1])
    # Each time the top is reached again, another batch.
    for _ in range(4):
        before = view.bubbles[0].message_id
        QTest.keyClick(view, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
        bar.setValue(0)
        qtbot.waitUntil(lambda: view.bubbles[0].message_id < before)
    older = view.bubbles[0]
    bar.setValue(0)
    assert on_screen(view, older)
    assert older.message_id < oldest - 4 * BATCH and older.content == convo[older.message_id - 1].content

    # Back at the bottom, the bubbles built while reading far up are let go.
    while len(view.bubbles) <= KEEP:
        view.load_older()
    view.scroll_to_end()
    qtbot.waitUntil(lambda: at_bottom(view) and len(view.bubbles) == INITIAL)
    assert [b.message_id for b in view.bubbles] == list(range(100_000 - INITIAL + 1, 100_001))
    assert on_screen(view, view.bubbles[-1])


def test_keyboard_focus_on_the_oldest_bubble_builds_the_ones_before(qtbot):
    from app.gui.chat_view import ChatView

    view = ChatView()
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    view.show_messages(messages(10_000))
    qtbot.waitUntil(lambda: at_bottom(view))
    oldest = view.bubbles[0]
    oldest.copy_button.setFocus(Qt.FocusReason.BacktabFocusReason)
    qtbot.waitUntil(lambda: view.bubbles[0].message_id < oldest.message_id)
    assert oldest in view.bubbles and oldest.copy_button.hasFocus()


def test_streaming_into_a_long_conversation_appends_to_the_last_bubble_only(qtbot):
    from app.gui.chat_view import ChatView

    view = ChatView()
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    convo = messages(10_000)
    view.show_messages(convo[:-1])  # ends with a user message
    bubble = view.begin_reply("tiny")
    assert bubble.note.text() == "writing…"
    assert not any(b.edit_button.isEnabled() for b in view.bubbles)  # no editing while a reply is written
    built = list(view.bubbles)
    for piece in ["富士山", "です。", "\n高さは", "3776m"]:
        view.append_stream(piece)
    assert view.bubbles == built and bubble.content == "富士山です。\n高さは3776m"
    assert bubble.body.toPlainText() == bubble.content
    qtbot.waitUntil(lambda: at_bottom(view) and on_screen(view, bubble))
    view.finish_reply(Message(10_000, 1, ASSISTANT, bubble.content, "stopped", "tiny"))
    assert bubble.note.text() == "(stopped)" and view.message_count == 10_000
    assert bubble.regenerate_button.isVisibleTo(view) and all(b.edit_button.isEnabled() for b in view.bubbles)


def _store(storage, n: int) -> int:
    convo = storage.create_conversation("long")
    for i in range(n):
        storage.add_message(convo.id, USER if i % 2 == 0 else ASSISTANT, f"{i}番目: " + "話の続きです。" * (i % 4 + 1))
    return convo.id


def test_copy_regenerate_and_edit_in_a_ten_thousand_message_conversation(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    cid = _store(window.storage, 10_000)
    stored = window.storage.messages(cid)
    window.select_conversation(cid)
    chat = window.chat
    qtbot.waitUntil(lambda: at_bottom(chat) and on_screen(chat, chat.bubbles[-1]))
    assert chat.message_count == 10_000 and len(chat.bubbles) < 100
    assert chat.bubbles[-1].message_id == stored[-1].id and chat.bubbles[-1].content == stored[-1].content

    # Copy.
    chat.bubbles[-2].copy_button.click()
    assert QGuiApplication.clipboard().text() == stored[-2].content

    # Regenerate the last reply: history is fitted into the 2048-token context, old turns dropped.
    with qtbot.waitSignal(window.client.finished, timeout=REPLY_TIMEOUT_MS) as blocker:
        chat.bubbles[-1].regenerate_button.click()
    result = blocker.args[1]
    assert result.dropped_turns > 9_000 and result.context_used <= 2048
    after = window.storage.messages(cid)
    assert len(after) == 10_000 and after[-1].id != stored[-1].id and after[-1].content == result.text
    assert after[:-1] == stored[:-1]
    qtbot.waitUntil(lambda: at_bottom(chat))
    assert chat.bubbles[-1].message_id == after[-1].id and chat.bubbles[-1].content == result.text
    assert chat.bubbles[-1].note.text() == ""

    # Edit a user message that was only built after scrolling up.
    oldest = chat.bubbles[0].message_id
    chat.verticalScrollBar().setValue(0)
    qtbot.waitUntil(lambda: chat.bubbles[0].message_id < oldest)
    target = next(b for b in chat.bubbles if b.role == USER and b.message_id < oldest)
    target.edit_button.click()
    assert window.composer.editing_id == target.message_id and window.composer.text() == target.content
    window.composer.set_text("最初からやり直しましょう。")
    with qtbot.waitSignal(window.client.finished, timeout=REPLY_TIMEOUT_MS) as blocker:
        QTest.keyClick(window.composer.edit, Qt.Key.Key_Return)
    edited = window.storage.messages(cid)
    index = [m.id for m in stored].index(target.message_id)
    assert len(edited) == index + 2
    assert (edited[index].id, edited[index].content) == (target.message_id, "最初からやり直しましょう。")
    assert edited[-1].content == blocker.args[1].text
    qtbot.waitUntil(lambda: at_bottom(chat))
    assert chat.message_count == index + 2
    assert [(b.role, b.content) for b in chat.bubbles] == [(m.role, m.content) for m in edited[chat.first:]]
