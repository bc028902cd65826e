"""The keyboard in the chat area: Tab goes from the message box to Send and then the sidebar, never
through the messages' buttons; the focused button shows it — real window (offscreen), real model."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.storage import ASSISTANT, USER

from .helpers import send


def press_tab(backwards: bool = False):
    widget = QApplication.focusWidget()
    if backwards:
        QTest.keyClick(widget, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    else:
        QTest.keyClick(widget, Qt.Key.Key_Tab)
    return QApplication.focusWidget()


def window_with_messages(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    convo = window.storage.create_conversation("Tab")
    for i in range(6):
        window.storage.add_message(convo.id, USER, f"質問{i}")
        window.storage.add_message(convo.id, ASSISTANT, f"答え{i}\n```\ncode {i}\n```", model=window.facts.name)
    window.select_conversation(convo.id)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.composer.edit.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(window.composer.edit.hasFocus)
    return window


def test_tab_goes_from_the_message_box_to_send_and_then_the_sidebar(qtbot, make_window, chat_gguf):
    window = window_with_messages(qtbot, make_window, chat_gguf)
    sidebar, composer, chat = window.sidebar, window.composer, window.chat
    assert press_tab() is composer.send_button
    assert press_tab() is sidebar.new_button
    assert press_tab() is sidebar.search
    assert press_tab() is sidebar.list
    # On round the whole window: the conversation is one stop, no message's button is one.
    seen = []
    for _ in range(40):
        widget = press_tab()
        seen.append(widget)
        if widget is composer.edit:
            break
    assert seen[-1] is composer.edit, [w.objectName() or type(w).__name__ for w in seen]
    assert seen.count(chat) == 1 and seen[-2] is chat  # the conversation, then back to the message box
    assert not any(w is not chat and chat.isAncestorOf(w) for w in seen)
    # Backwards: from the message box to the conversation, and from Send back to the message box.
    assert press_tab(backwards=True) is chat
    assert press_tab() is composer.edit
    press_tab()
    assert press_tab(backwards=True) is composer.edit


def test_while_a_reply_is_written_tab_goes_to_stop(qtbot, make_window, endless_gguf):
    window = make_window(endless_gguf)
    convo = window.storage.create_conversation(sampling={"max_new_tokens": 8000})
    window.select_conversation(convo.id)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.composer.set_text("むかしむかし")
    with qtbot.waitSignal(window.client.text, timeout=60_000):
        window.composer.submit()
    window.composer.edit.setFocus()
    qtbot.waitUntil(window.composer.edit.hasFocus)
    assert press_tab() is window.composer.stop_button
    assert press_tab() is window.sidebar.new_button
    with qtbot.waitSignal(window.client.finished, timeout=60_000):
        window.stop()


def highlight_pixels(widget) -> int:
    image = widget.grab().toImage()
    color = widget.palette().color(QPalette.ColorRole.Highlight)
    near = 0
    for x in range(image.width()):
        for y in range(image.height()):
            c = QColor(image.pixel(x, y))
            if abs(c.red() - color.red()) + abs(c.green() - color.green()) + abs(c.blue() - color.blue()) < 60:
                near += 1
    return near


def test_the_focused_button_and_conversation_show_it(qtbot, make_window, chat_gguf):
    window = window_with_messages(qtbot, make_window, chat_gguf)
    send_button = window.composer.send_button
    unfocused = highlight_pixels(send_button)
    assert press_tab() is send_button
    focused = highlight_pixels(send_button)
    assert focused > unfocused + 2 * send_button.height(), (unfocused, focused)  # a ring around it
    chat = window.chat
    before = highlight_pixels(chat)
    chat.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(chat.hasFocus)
    assert highlight_pixels(chat) > before + chat.height()  # a frame while the conversation has the keyboard


def test_clicking_a_messages_copy_keeps_the_typing_focus(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    send(qtbot, window, "こんにちは")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.composer.edit.setFocus()
    qtbot.waitUntil(window.composer.edit.hasFocus)
    bubble = window.chat.bubbles[-1]
    QTest.mouseClick(bubble.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == bubble.content
    assert window.composer.edit.hasFocus()
