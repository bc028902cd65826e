"""Chatting in the window: send, stream, stop, regenerate, edit, copy — real engine, real SQLite."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from app import paths
from app.storage import ASSISTANT, DONE, STOPPED, USER

from .helpers import REPLY_TIMEOUT_MS, send, type_japanese


def texts(window):
    return [(b.role, b.content) for b in window.chat.bubbles]


def test_send_streams_the_reply_and_commits_both_messages(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    assert window.composer.send_button.isEnabled()
    batches = []
    window.client.text.connect(lambda rid, text: batches.append(text))
    result = send(qtbot, window, "日本で一番高い山は?")
    assert result.reason in ("eos", "stop", "length")
    assert batches, "the reply arrived as streamed text"
    assert "".join(batches) == result.text  # the batches add up to the reply
    stored = window.storage.messages(window.current_id)
    assert [(m.role, m.content, m.status) for m in stored] == [
        (USER, "日本で一番高い山は?", DONE), (ASSISTANT, result.text, DONE)]
    assert texts(window) == [(USER, "日本で一番高い山は?"), (ASSISTANT, result.text)]
    assert stored[1].model == window.facts.name and stored[1].stats["n_generated"] == result.n_generated
    # The sidebar lists the conversation under its first message; the composer is empty again.
    assert window.sidebar.list.item(0).text() == "日本で一番高い山は?"
    assert window.composer.text() == ""
    # The status bar: model, backend, speed and context.
    assert window.status.model_label.text().startswith(window.facts.name)
    assert window.status.backend_label.text() == "CPU (2 threads)"
    assert "tokens/s" in window.status.speed_label.text() and "—" not in window.status.speed_label.text()
    assert window.status.context_label.text() == f"context {result.context_used} / 2048"


def test_shift_enter_is_a_newline_and_enter_sends(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    edit = window.composer.edit
    type_japanese(edit, "一行目")
    QTest.keyClick(edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    type_japanese(edit, "二行目")
    assert window.composer.text() == "一行目\n二行目"
    assert window.current_id is None  # nothing sent yet
    with qtbot.waitSignal(window.client.finished, timeout=REPLY_TIMEOUT_MS):
        QTest.keyClick(edit, Qt.Key.Key_Return)
    assert window.storage.messages(window.current_id)[0].content == "一行目\n二行目"


def test_stop_with_escape_keeps_and_commits_the_partial_reply(qtbot, make_window, endless_gguf, data_dir):
    window = make_window(endless_gguf)
    convo = window.storage.create_conversation("stop me", sampling={"max_new_tokens": 8000})
    window.select_conversation(convo.id)
    seen = []

    def on_text(rid, text):
        seen.append(text)
        if len(seen) == 1:
            # While the reply streams, the user's message is already on disk (another connection
            # sees it), so killing the app now would lose nothing shown as finished.
            db = sqlite3.connect(paths.database_path())
            rows = db.execute("SELECT role, content FROM messages WHERE conversation_id = ?", (convo.id,)).fetchall()
            db.close()
            seen.append(rows)
            QTest.keyClick(window.composer.edit, Qt.Key.Key_Escape)  # Esc, typing focus in the composer

    window.client.text.connect(on_text)
    window.composer.set_text("むかしむかし")
    with qtbot.waitSignal(window.client.finished, timeout=REPLY_TIMEOUT_MS) as blocker:
        window.composer.submit()
    result = blocker.args[1]
    assert seen[1] == [(USER, "むかしむかし")]
    assert result.reason == "cancelled"
    stored = window.storage.messages(convo.id)
    assert [(m.role, m.status) for m in stored] == [(USER, DONE), (ASSISTANT, STOPPED)]
    assert stored[1].content == result.text == window.chat.bubbles[-1].content
    assert window.chat.bubbles[-1].note.text() == "(stopped)"
    assert window.composer.send_button.isVisible() and not window.composer.stop_button.isVisible()


def test_regenerate_replaces_the_last_reply(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    send(qtbot, window, "こんにちは")
    first = window.storage.messages(window.current_id)
    last_bubble = window.chat.bubbles[-1]
    assert last_bubble.regenerate_button.isVisibleTo(window)
    assert not window.chat.bubbles[0].regenerate_button.isVisibleTo(window)
    with qtbot.waitSignal(window.client.finished, timeout=REPLY_TIMEOUT_MS) as blocker:
        last_bubble.regenerate_button.click()
    after = window.storage.messages(window.current_id)
    assert len(after) == 2 and after[0] == first[0]
    assert after[1].id != first[1].id and after[1].content == blocker.args[1].text
    assert texts(window) == [(USER, "こんにちは"), (ASSISTANT, after[1].content)]


def test_edit_and_resend_replaces_the_later_messages(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    send(qtbot, window, "日本で一番高い山は?")
    send(qtbot, window, "明日の天気はどうですか?")
    assert len(window.storage.messages(window.current_id)) == 4
    first_user = window.chat.bubbles[0]
    first_user.edit_button.click()
    assert window.composer.editing_id == first_user.message_id
    assert window.composer.text() == "日本で一番高い山は?" and window.composer.banner.isVisibleTo(window)
    window.composer.set_text("おすすめの本はありますか?")
    with qtbot.waitSignal(window.client.finished, timeout=REPLY_TIMEOUT_MS) as blocker:
        QTest.keyClick(window.composer.edit, Qt.Key.Key_Return)
    stored = window.storage.messages(window.current_id)
    assert [(m.role, m.content) for m in stored] == [(USER, "おすすめの本はありますか?"),
                                                     (ASSISTANT, blocker.args[1].text)]
    assert stored[0].id == first_user.message_id  # the same message, edited
    assert texts(window) == [(m.role, m.content) for m in stored]
    assert not window.composer.banner.isVisibleTo(window) and window.composer.editing_id is None


def test_copy_puts_the_message_on_the_clipboard(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    result = send(qtbot, window, "ありがとう")
    window.chat.bubbles[-1].copy_button.click()
    assert QGuiApplication.clipboard().text() == result.text
    window.chat.bubbles[0].copy_button.click()
    assert QGuiApplication.clipboard().text() == "ありがとう"


def test_persona_and_sampling_are_per_conversation(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    window.new_conversation()
    dialog = window.open_persona()
    # The dialog starts from the model card's values (rinna: temperature 0.7, repetition 1.1).
    assert dialog.fields["temperature"].value() == 0.7
    assert dialog.fields["repetition_penalty"].value() == 1.1
    dialog.persona.setPlainText("ユーザー: 短く答えてください。\nシステム: はい。")
    dialog.fields["temperature"].setValue(0.0)
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    convo = window.storage.conversation(window.current_id)
    assert convo.persona == "ユーザー: 短く答えてください。\nシステム: はい。"
    assert convo.sampling == {"temperature": 0.0}  # only what differs from the card
    # Greedy decoding now: the same question gets the same reply twice.
    a = send(qtbot, window, "日本で一番高い山は?")
    window.regenerate()
    with qtbot.waitSignal(window.client.finished, timeout=REPLY_TIMEOUT_MS) as blocker:
        pass
    assert blocker.args[1].text == a.text
    # Another conversation keeps the card's values.
    window.new_conversation()
    assert window.storage.conversation(window.current_id).sampling == {}


def test_closing_the_window_mid_reply_commits_the_partial_reply(qtbot, make_window, endless_gguf):
    window = make_window(endless_gguf)
    convo = window.storage.create_conversation(sampling={"max_new_tokens": 8000})
    window.select_conversation(convo.id)
    window.composer.set_text("むかしむかし")
    with qtbot.waitSignal(window.client.text, timeout=REPLY_TIMEOUT_MS):
        window.composer.submit()
    window.close()
    stored = window.storage.messages(convo.id)
    assert [(m.role, m.status) for m in stored] == [(USER, DONE), (ASSISTANT, STOPPED)]
    assert stored[1].content and not window.client.thread.isRunning()
