"""Each reply's stats under it, and a status bar that tells the current conversation's context and
the backend in the UI's language — real engine (the demo model and the tiny trained one), real SQLite."""

from __future__ import annotations

from app import library
from app.storage import ASSISTANT, USER

from .helpers import REPLY_TIMEOUT_MS, send


def test_stats_are_shown_under_a_real_reply_from_the_demo_model(qtbot, make_window):
    assert library.demo_model().is_file()
    window = make_window()  # nothing else to load: the demo model
    assert library.is_demo(window.facts.path)
    result = send(qtbot, window, "日本で一番高い山は?")
    assert result.n_generated > 0 and result.first_token_seconds > 0
    bubble = window.chat.bubbles[-1]
    assert bubble.stats_label.isVisibleTo(window)
    text = bubble.stats_label.text()
    assert text.startswith(f"{result.n_generated} tokens · {result.stats()['tokens_per_s']:.1f} tokens/s · ")
    assert f"first token {result.first_token_seconds:.2f} s" in text
    assert text.endswith({"eos": "finished", "stop": "finished (stop word)", "length": "token limit reached"}
                         [result.reason])
    assert not bubble.notice.isVisibleTo(window)  # nothing left out, nothing cut
    assert not window.chat.bubbles[0].stats_label.isVisibleTo(window)  # the user's message has none
    # The stats are stored with the reply: shown again when the conversation is opened again.
    stored = window.storage.messages(window.current_id)[-1]
    assert stored.stats["n_generated"] == result.n_generated and stored.stats["reason"] == result.reason
    window.new_conversation()
    window.select_conversation(stored.conversation_id)
    label = window.chat.bubbles[-1].stats_label
    assert label.text().startswith(f"{result.n_generated} tokens · ") and label.text().endswith(text[-8:])
    qtbot.waitUntil(lambda: label.isVisibleTo(window))  # (bubbles added to a shown view appear a moment later)


def test_the_reply_result_carries_its_stats_and_reports_progress(chat_gguf):
    from app.engine import Engine, generate_reply

    progress = []
    with Engine.load(chat_gguf, n_ctx=512, threads=2) as engine:
        result = generate_reply(engine, "", [], "こんにちは", sampling={"max_new_tokens": 12, "temperature": 0.0},
                                on_progress=lambda n, s: progress.append((n, s)))
    stats = result.stats()
    assert stats["first_token_seconds"] == round(result.first_token_seconds, 3) > 0
    assert stats["max_new_tokens"] == 12 and stats["dropped_turns"] == 0
    assert stats["n_generated"] == result.n_generated and stats["reason"] == result.reason
    assert progress and [n for n, _ in progress] == list(range(1, len(progress) + 1))
    assert all(b >= a for (_, a), (_, b) in zip(progress, progress[1:]))
    assert len(progress) <= result.n_generated  # about one piece a token; never more pieces than tokens


def test_the_context_shown_is_the_current_conversations(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    status, first_model = window.status, window.facts.name
    first = send(qtbot, window, "日本で一番高い山は?")
    a = window.current_id
    assert status.context_label.text() == f"context {first.context_used} / 2048"
    window.new_conversation()  # a new conversation takes no context yet
    assert status.context_label.text() == "context 0 / 2048"
    window.select_conversation(a)
    assert status.context_label.text() == f"context {first.context_used} / 2048"
    # A reply ending in another conversation does not change what is shown for this one.
    b = window.storage.create_conversation("別の会話")
    window.storage.add_message(b.id, USER, "こんにちは")
    window.storage.add_message(b.id, ASSISTANT, "こんにちは。", model=window.facts.name,
                               stats={"context_used": 77, "n_ctx": 2048})
    window.select_conversation(b.id)
    assert status.context_label.text() == "context 77 / 2048"
    window.select_conversation(a)
    # Another model: what this conversation takes with it is not known until it replies.
    with qtbot.waitSignal(window.client.loaded, timeout=REPLY_TIMEOUT_MS):
        window.load_model(str(library.demo_model()))
    assert window.facts.name != first_model
    assert status.context_label.text() == "context — / 2048"
    window.select_conversation(b.id)
    assert status.context_label.text() == "context — / 2048"
    window.new_conversation()
    assert status.context_label.text() == "context 0 / 2048"


def test_backend_and_stats_are_japanese_when_the_ui_is(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    result = send(qtbot, window, "こんにちは")
    assert window.status.backend_label.text() == "CPU (2 threads)"
    window.set_language("ja")
    qtbot.waitUntil(lambda: window.composer.send_button.text() == "送信")
    assert window.status.backend_label.text() == "CPU（2 スレッド）"
    stats = window.chat.bubbles[-1].stats_label.text()
    assert stats.startswith(f"{result.n_generated} トークン · ") and "最初のトークンまで" in stats
    assert window.status.context_label.text() == f"コンテキスト {result.context_used} / 2048"
    window.set_language("en")
    qtbot.waitUntil(lambda: window.composer.send_button.text() == "Send")
    assert window.status.backend_label.text() == "CPU (2 threads)"


def test_backend_texts_are_said_in_the_ui_language(qtbot):
    from app.engine.engine import Backend
    from app.gui import i18n
    from app.gui.status_bar import backend_text

    cpu1 = Backend("CPU", "", 0, 24, 1)
    gpu = Backend("CUDA0", "NVIDIA H100", 25, 24, 8)
    assert backend_text(cpu1) == backend_text(str(cpu1)) == "CPU (1 thread)"
    assert backend_text(gpu) == backend_text(str(gpu)) == "CUDA: NVIDIA H100 (24/24 layers on the GPU)"
    try:
        i18n.install("ja")
        assert backend_text(cpu1) == "CPU（1 スレッド）"
        assert backend_text(str(gpu)) == "CUDA：NVIDIA H100（24 層のうち 24 層を GPU で実行）"
        assert backend_text("something new") == "something new"  # an unknown description: as it is
    finally:
        i18n.install("en")


def test_the_status_bar_shows_a_live_speed(qtbot):
    from app.gui.status_bar import StatusBar

    bar = StatusBar()
    qtbot.addWidget(bar)
    bar.set_model("tiny", "q8_0", "CPU (2 threads)", 2048)
    assert bar.speed_label.text() == "— tokens/s"
    bar.set_live_speed(31.25)
    assert bar.speed_label.text() == "31.2 tokens/s"
