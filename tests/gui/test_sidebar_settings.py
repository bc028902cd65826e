"""Conversation list (new, rename, delete, search), settings, language and theme."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from app import paths
from app import settings as settings_io

from .helpers import REPLY_TIMEOUT_MS, message_boxes, send


def titles(window):
    return [window.sidebar.list.item(i).text() for i in range(window.sidebar.list.count())]


def test_new_rename_search_and_delete_conversations(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    send(qtbot, window, "日本で一番高い山は?")
    QTest.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    send(qtbot, window, "明日の天気はどうですか?")
    window.new_conversation()
    assert titles(window) == ["New conversation", "明日の天気はどうですか?", "日本で一番高い山は?"]

    # Rename in place (F2 / double-click opens the editor; the new text is committed on Enter).
    window.sidebar.list.setCurrentRow(2)
    window.sidebar.rename_current()
    editor = window.sidebar.list.findChild(QLineEdit)
    editor.setText("富士山の話")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.storage.conversation(window.current_id).title == "富士山の話")
    assert "富士山の話" in titles(window) and window.windowTitle().startswith("富士山の話")

    window.sidebar.search.setText("天気")
    assert titles(window) == ["明日の天気はどうですか?"]
    window.sidebar.search.setText("")

    weather = next(c.id for c in window.storage.conversations() if c.title.startswith("明日"))
    window.delete_conversation(weather)
    box = message_boxes()[0]
    assert "明日の天気はどうですか?" in box.text()
    box.button(box.StandardButton.Yes).click()
    assert "明日の天気はどうですか?" not in titles(window)
    assert [c.title for c in window.storage.conversations()].count("明日の天気はどうですか?") == 0


def test_switching_to_japanese_and_back_retranslates_the_window(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    send(qtbot, window, "こんにちは")
    window.set_language("ja")
    qtbot.waitUntil(lambda: window.composer.send_button.text() == "送信")  # LanguageChange events are posted
    assert window.sidebar.new_button.text() == "新しい会話"
    assert window.chat.bubbles[0].who.text() == "あなた"
    assert window.status.speed_label.text().endswith("トークン/秒")
    assert json.loads(paths.settings_path().read_text(encoding="utf-8"))["language"] == "ja"
    window.set_language("en")
    qtbot.waitUntil(lambda: window.composer.send_button.text() == "Send")
    assert window.chat.bubbles[0].who.text() == "You"


def test_settings_dialog_saves_and_reloads_the_model_with_new_engine_settings(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    dialog = window.open_settings()
    assert not dialog.isModal()
    assert dialog.n_ctx.value() == 2048 and dialog.threads.value() == 2
    dialog.n_ctx.setValue(512)
    dialog.threads.setValue(1)
    dialog.gpu_mode.setCurrentIndex(dialog.gpu_mode.findData("n"))
    dialog.gpu_layers.setValue(0)
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    with qtbot.waitSignal(window.client.loaded, timeout=REPLY_TIMEOUT_MS) as blocker:
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    facts = blocker.args[0]
    assert facts.n_ctx == 512 and facts.backend.startswith("CPU (1 thread")
    saved = settings_io.load()
    assert (saved.n_ctx, saved.threads, saved.gpu_layers, saved.theme) == (512, 1, 0, "dark")
    assert QApplication.instance().property("hanashi_dark") is True
    assert window.palette().window().color().lightness() < 128
    assert window.status.context_label.text() == "context 0 / 512"
    window.settings.theme = "light"
    window.apply_theme()
    qtbot.waitUntil(lambda: window.palette().window().color().lightness() > 128)  # palette changes are posted
    assert window.chat.colors["user"] == "#dcebff"  # the bubbles follow


def test_the_compiled_translation_matches_its_source():
    import xml.etree.ElementTree as ET

    from PySide6.QtCore import QTranslator

    translator = QTranslator()
    assert translator.load(str(paths.I18N_DIR / "hanashi_ja.qm"))
    messages = list(ET.parse(paths.I18N_DIR / "hanashi_ja.ts").getroot().iter("message"))
    assert len(messages) > 80
    for m in messages:
        assert translator.translate("Hanashi", m.findtext("source")) == m.findtext("translation")
