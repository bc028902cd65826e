"""Never silently: a quiet notice under the reply when older messages were left out to fit the
context, or when the reply was cut by the token limit or a full context — real engine, real SQLite."""

from __future__ import annotations

from app.storage import ASSISTANT, USER

from .helpers import send


def test_a_conversation_longer_than_the_context_says_what_was_left_out(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf, n_ctx=512)
    convo = window.storage.create_conversation("長い会話")
    for i in range(24):
        window.storage.add_message(convo.id, USER, f"{i}番目の質問です。富士山と日本の山について詳しく教えてください。")
        window.storage.add_message(convo.id, ASSISTANT, f"{i}番目の答えです。富士山は日本で一番高い山で、高さは3776メートルです。",
                                   model=window.facts.name)
    window.select_conversation(convo.id)
    assert not any(b.notice.isVisibleTo(window) for b in window.chat.bubbles)
    result = send(qtbot, window, "日本で一番高い山は?")
    assert result.dropped_turns > 0 and result.n_ctx == 512
    reply = window.chat.bubbles[-1]
    qtbot.waitUntil(lambda: reply.notice.isVisibleTo(window))
    assert reply.notice.text() == (f"The {result.dropped_turns} oldest messages were left out: the conversation is "
                                   "longer than the model's context (512 tokens), so the model did not see them "
                                   "when writing this reply.")
    assert reply.content == result.text and not any(b.notice.text() for b in window.chat.bubbles[:-1])
    # In Japanese too.
    window.set_language("ja")
    qtbot.waitUntil(lambda: window.composer.send_button.text() == "送信")
    assert reply.notice.text().startswith(f"古いメッセージ {result.dropped_turns} 件は省かれました。")


def test_a_reply_cut_by_the_token_limit_says_so(qtbot, make_window, endless_gguf):
    window = make_window(endless_gguf)
    convo = window.storage.create_conversation("短く", sampling={"max_new_tokens": 6})
    window.select_conversation(convo.id)
    result = send(qtbot, window, "むかしむかし")
    assert result.reason == "length" and result.n_generated == 6
    notice = "The reply was cut short at the limit of 6 tokens (“Longest reply” in Persona and sampling)."
    reply = window.chat.bubbles[-1]
    assert reply.notice.text() == notice and reply.stats_label.text().endswith("token limit reached")
    # Stored with the reply: said again when the conversation is opened again.
    window.new_conversation()
    window.select_conversation(convo.id)
    assert window.chat.bubbles[-1].notice.text() == notice
    qtbot.waitUntil(lambda: window.chat.bubbles[-1].notice.isVisibleTo(window))


def test_a_reply_cut_by_a_full_context_says_so(qtbot, make_window, endless_gguf):
    window = make_window(endless_gguf, n_ctx=256)
    convo = window.storage.create_conversation("満杯", sampling={"max_new_tokens": 8000})
    window.select_conversation(convo.id)
    result = send(qtbot, window, "むかしむかし")
    assert result.reason == "context" and result.context_used >= 256
    reply = window.chat.bubbles[-1]
    assert reply.notice.text() == ("The reply was cut short: the model's context (256 tokens) is full. Start a new "
                                   "conversation, or load the model with a larger context in Settings.")
    assert reply.stats_label.text().endswith("context full")
    assert window.storage.messages(convo.id)[-1].stats["reason"] == "context"
