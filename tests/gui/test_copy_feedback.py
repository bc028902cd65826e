"""Copy says so: the bubble's Copy and a code block's Copy read "Copied" for a moment after a
click (the text is on the clipboard), then their own text again — in Japanese too."""

from __future__ import annotations

import time

from PySide6.QtGui import QGuiApplication

from app.gui.markdown_view import COPIED_MS
from app.storage import ASSISTANT, USER

REPLY = "例です。\n\n```python\nprint('こんにちは')\n```\n"
CODE = "print('こんにちは')"


def _reply(window):
    convo = window.storage.create_conversation("コピー")
    window.storage.add_message(convo.id, USER, "例を見せて")
    window.storage.add_message(convo.id, ASSISTANT, REPLY, model="tiny")
    window.select_conversation(convo.id)
    return window.chat.bubbles[-1]


def _back_to(qtbot, button, text: str) -> float:
    t0 = time.monotonic()
    qtbot.waitUntil(lambda: button.text() == text, timeout=COPIED_MS * 3)
    return time.monotonic() - t0


def test_the_bubbles_copy_and_the_code_blocks_copy_say_copied_for_a_moment(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    reply = _reply(window)
    [block] = reply.body.code_blocks()
    assert reply.copy_button.text() == "Copy" and block.copy_button.text() == "Copy code"

    QGuiApplication.clipboard().setText("before")
    reply.copy_button.click()
    assert QGuiApplication.clipboard().text() == REPLY
    assert reply.copy_button.text() == "Copied"
    assert block.copy_button.text() == "Copy code"  # only the button clicked
    waited = _back_to(qtbot, reply.copy_button, "Copy")
    assert 0.5 < waited + 0.05 and waited < COPIED_MS / 1000 + 1.0  # about a second and a half

    block.copy_button.click()
    assert QGuiApplication.clipboard().text() == CODE
    assert block.copy_button.text() == "Copied" and reply.copy_button.text() == "Copy"
    _back_to(qtbot, block.copy_button, "Copy code")


def test_a_second_click_starts_the_moment_again(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    reply = _reply(window)
    reply.copy_button.click()
    qtbot.wait(COPIED_MS // 2)
    reply.copy_button.click()
    qtbot.wait(COPIED_MS // 2 + 300)
    assert reply.copy_button.text() == "Copied"  # counted from the second click
    _back_to(qtbot, reply.copy_button, "Copy")


def test_copied_in_japanese(qtbot, make_window, chat_gguf):
    from app.gui.i18n import tr

    window = make_window(chat_gguf, language="ja")
    reply = _reply(window)
    [block] = reply.body.code_blocks()
    normal = reply.copy_button.text()
    assert normal == tr("Copy") and normal != "Copy"
    block.copy_button.click()
    assert block.copy_button.text() == tr("Copied") != "Copied"
    _back_to(qtbot, block.copy_button, tr("Copy code"))
