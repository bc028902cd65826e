"""Each conversation remembers its model; opening it while another is loaded offers to switch
(a bar, not a modal box), and says so when the model's file is gone."""

from __future__ import annotations

from app.gui.model_switch import wanted_model
from app.storage import USER

from .helpers import REPLY_TIMEOUT_MS, message_boxes, send


def test_opening_a_conversation_offers_its_own_model(qtbot, make_window, chat_gguf, endless_gguf):
    window = make_window(chat_gguf)
    send(qtbot, window, "日本で一番高い山は?")
    first = window.current_id
    assert window.storage.conversation(first).model == str(chat_gguf)
    assert not window.model_bar.isVisible()

    with qtbot.waitSignal(window.client.loaded, timeout=REPLY_TIMEOUT_MS):
        window.load_model(str(endless_gguf))
    assert not window.model_bar.isVisible()  # loading another model on purpose is not questioned
    window.new_conversation()
    assert not window.model_bar.isVisible()  # a new conversation has no model yet

    window.select_conversation(first)
    bar = window.model_bar
    assert bar.isVisible() and bar.switch_button.isVisible() and not bar.library_button.isVisible()
    assert chat_gguf.name in bar.label.text() and message_boxes() == []
    assert window.composer.isEnabled()  # not modal: the user may go on typing

    with qtbot.waitSignal(window.client.loaded, timeout=REPLY_TIMEOUT_MS):
        bar.switch_button.click()
    assert window.facts.path == str(chat_gguf) and not bar.isVisible()


def test_keep_current_is_remembered_and_a_reply_makes_the_current_model_the_conversations(
        qtbot, make_window, chat_gguf, endless_gguf):
    window = make_window(chat_gguf)
    store = window.storage
    older = store.create_conversation(model=str(endless_gguf))
    store.add_message(older.id, USER, "前の話")
    window.refresh_sidebar()
    window.select_conversation(older.id)
    assert window.model_bar.isVisible() and window.model_bar.kind == "switch"

    window.model_bar.keep_button.click()
    assert not window.model_bar.isVisible() and window.facts.path == str(chat_gguf)
    window.new_conversation()
    window.select_conversation(older.id)
    assert not window.model_bar.isVisible()  # asked once per conversation and model

    send(qtbot, window, "続けて")  # written by the current model: now it is the conversation's model
    assert store.conversation(older.id).model == str(chat_gguf)


def test_a_conversation_whose_model_file_is_gone_says_so(qtbot, make_window, chat_gguf, tmp_path):
    window = make_window(chat_gguf)
    gone = tmp_path / "消えたモデル-q4_k_m.gguf"
    convo = window.storage.create_conversation("古い会話", model=str(gone))
    window.refresh_sidebar()
    window.select_conversation(convo.id)
    bar = window.model_bar
    assert bar.isVisible() and bar.kind == "missing"
    assert not bar.switch_button.isVisible() and bar.library_button.isVisible()
    assert gone.name in bar.label.text() and str(gone) in bar.label.text()
    assert "not on this computer" in bar.label.text()

    bar.library_button.click()  # the model library opens to add it again; the bar goes
    assert window.library_window is not None and window.library_window.isVisible()
    assert not bar.isVisible() and window.facts.path == str(chat_gguf)


def test_the_bar_speaks_japanese(qtbot, make_window, chat_gguf, tmp_path):
    window = make_window(chat_gguf)
    convo = window.storage.create_conversation(model=str(tmp_path / "x.gguf"))
    window.refresh_sidebar()
    window.select_conversation(convo.id)
    window.set_language("ja")
    qtbot.waitUntil(lambda: window.model_bar.keep_button.text() == "今のモデルを使う")
    assert "もうこのコンピューターにありません" in window.model_bar.label.text()


def test_conversations_from_before_paths_were_remembered_find_their_model_by_name(chat_gguf, data_dir):
    from app.library import read_entry

    name = read_entry(chat_gguf).name
    assert wanted_model(name, str(chat_gguf), name) == ("", None)  # that model is loaded
    assert wanted_model(name, "", "", [str(chat_gguf)]) == ("switch", str(chat_gguf))  # in the library
    assert wanted_model("どこにもないモデル", "", "", [str(chat_gguf)]) == ("missing", None)
    assert wanted_model("", str(chat_gguf), name) == ("", None)
