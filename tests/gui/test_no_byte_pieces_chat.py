"""The app chats with a model whose tokenizer has no byte pieces (newlines, emoji, rare kanji)."""

from __future__ import annotations

from app.storage import ASSISTANT, DONE, USER

from .helpers import send


def test_reply_from_a_model_without_byte_pieces(qtbot, make_window, converted):
    path = converted("dolly_no_bytes", "q4_k_m")
    window = make_window(path)
    assert window.composer.send_button.isEnabled()
    message = "改行\nと絵文字😀、珍しい字𩸽について教えて"
    result = send(qtbot, window, message)
    assert result.reason in ("eos", "stop", "length")
    assert result.n_generated >= 1
    stored = window.storage.messages(window.current_id)
    assert [(m.role, m.content, m.status) for m in stored] == [(USER, message, DONE), (ASSISTANT, result.text, DONE)]
    # A second turn: the history (with the newline and emoji) is tokenized again.
    again = send(qtbot, window, "ありがとう🎉")
    assert again.reason in ("eos", "stop", "length")
