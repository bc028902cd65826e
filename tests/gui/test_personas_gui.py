"""Persona presets in the conversation settings: pick a built-in one, save, edit and delete your own."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from .helpers import message_boxes, send


def pick(presets, name: str) -> None:
    index = next(i for i in range(presets.combo.count()) if presets.combo.itemText(i).startswith(name))
    presets.combo.setCurrentIndex(index)
    presets.combo.activated.emit(index)


def test_pick_a_built_in_preset_and_use_it_for_the_conversation(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    dialog = window.open_persona()
    presets = dialog.presets
    names = [presets.combo.itemText(i) for i in range(presets.combo.count())]
    assert names[0] == "(none)" and "翻訳者 (built in)" in names and "ため口の友だち (built in)" in names

    pick(presets, "翻訳者")
    assert dialog.persona.toPlainText() == window.storage.persona(-2).prompt
    assert not presets.delete_button.isEnabled()  # built in: cannot be deleted
    QTest.keyClick(dialog, Qt.Key.Key_Return)  # OK
    assert window.storage.conversation(window.current_id).persona == window.storage.persona(-2).prompt
    send(qtbot, window, "こんにちは")  # the conversation goes on with that persona
    assert window.storage.snapshot(window.current_id)[0].persona.startswith("あなたはプロの翻訳者です。")


def test_save_edit_and_delete_your_own_preset(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    store = window.storage
    dialog = window.open_persona()
    presets = dialog.presets

    dialog.persona.setPlainText("あなたは関西弁で話すアシスタントです。")
    presets.name.setText("関西弁")
    presets.save_button.click()
    saved = [p for p in store.personas() if not p.builtin]
    assert [(p.name, p.prompt) for p in saved] == [("関西弁", "あなたは関西弁で話すアシスタントです。")]
    assert presets.combo.currentText() == "関西弁" and presets.delete_button.isEnabled()
    assert presets.message.isVisible() and "関西弁" in presets.message.text()

    dialog.persona.setPlainText("あなたは関西弁で、短く話すアシスタントです。")  # edit: save under the same name
    presets.save_button.click()
    assert [(p.id, p.prompt) for p in store.personas() if not p.builtin] == [
        (saved[0].id, "あなたは関西弁で、短く話すアシスタントです。")]

    presets.name.setText("要約")  # a built-in's name: refused, in words, nothing stored
    presets.save_button.click()
    assert "built-in" in presets.message.text() and len(store.personas()) == 6

    pick(presets, "関西弁")
    box = presets.ask_delete()
    assert "関西弁" in box.text()
    box.button(box.StandardButton.Yes).click()
    assert [p for p in store.personas() if not p.builtin] == []
    assert presets.combo.currentIndex() == 0 and message_boxes() == []


def test_the_dialog_selects_the_preset_the_conversation_uses_and_speaks_japanese(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    window.new_conversation()
    window.storage.set_persona(window.current_id, window.storage.persona(-3).prompt)
    window.set_language("ja")
    dialog = window.open_persona()
    assert dialog.presets.combo.currentText() == "要約 (組み込み)"
    assert dialog.presets.label.text() == "プリセット：" and dialog.presets.save_button.text() == "プリセットとして保存"
