"""The sidebar's search inside messages (Japanese, highlighted, "No matches", opening the match)
and exporting a conversation from the app."""

from __future__ import annotations

from PySide6.QtCore import QPoint

from app import export
from app.storage import ASSISTANT, USER

from .helpers import message_boxes, send


def html_rows(window):
    from app.gui.sidebar import HTML_ROLE

    lst = window.sidebar.list
    return [lst.item(i).data(HTML_ROLE) for i in range(lst.count())]


def test_search_finds_japanese_text_inside_messages_and_says_when_nothing_matched(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    store = window.storage
    fuji = store.create_conversation()
    store.add_message(fuji.id, USER, "日本で一番高い山は?")
    store.add_message(fuji.id, ASSISTANT, "日本で一番高い山は富士山です")
    other = store.create_conversation()
    store.add_message(other.id, USER, "<b>明日</b>の天気")
    window.refresh_sidebar()

    window.sidebar.search.setText("富士山")
    assert [window.sidebar.list.item(i).text() for i in range(window.sidebar.list.count())] == ["日本で一番高い山は?"]
    assert "<b>富士山</b>" in html_rows(window)[0] and not window.sidebar.no_matches.isVisible()
    assert not window.sidebar.search_note.isVisible()

    window.sidebar.search.setText("明日")  # two characters: matched without the trigram index
    assert "&lt;b&gt;<b>明日</b>&lt;/b&gt;の天気" in html_rows(window)[0]  # the message's own tags are text

    window.sidebar.search.setText("量子コンピューター")
    assert window.sidebar.list.count() == 0 and window.sidebar.no_matches.isVisible()
    assert window.sidebar.no_matches.text() == "No matches"

    window.sidebar.search.setText('" AND * NEAR(')  # hostile: no error box, just no matches
    assert window.sidebar.no_matches.isVisible() and message_boxes() == []

    window.sidebar.search.setText("")
    assert window.sidebar.list.count() == 2 and not window.sidebar.no_matches.isVisible()
    assert all(h is None for h in html_rows(window))

    window.set_language("ja")
    window.sidebar.search.setText("量子コンピューター")
    qtbot.waitUntil(lambda: window.sidebar.no_matches.text() == "一致するものはありません")


def test_choosing_a_result_opens_the_conversation_at_the_matching_message(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    store = window.storage
    long_one = store.create_conversation("長い会話")
    target = store.add_message(long_one.id, USER, "最初に富士山の話をしました")
    for i in range(80):
        store.add_message(long_one.id, ASSISTANT if i % 2 else USER, f"関係のない話 {i}\n" * 3)
    store.create_conversation("新しい会話")
    window.refresh_sidebar()
    window.resize(900, 500)

    window.sidebar.search.setText("富士山")
    assert window.sidebar.list.count() == 1
    window.sidebar.list.setCurrentRow(0)
    assert window.current_id == long_one.id
    bubble = next(b for b in window.chat.bubbles if b.message_id == target.id)  # built, though far up

    def on_screen() -> bool:
        top = bubble.mapTo(window.chat.viewport(), QPoint(0, 0)).y()
        return 0 <= top + bubble.height() and top <= window.chat.viewport().height()

    qtbot.waitUntil(on_screen, timeout=5000)
    assert window.chat.verticalScrollBar().value() < window.chat.verticalScrollBar().maximum()


def test_export_a_conversation_as_json_and_markdown_from_the_app(qtbot, make_window, chat_gguf, tmp_path):
    window = make_window(chat_gguf)
    result = send(qtbot, window, "日本で一番高い山は?")
    cid = window.current_id

    dialog = window.export_conversation(None, "json")  # File → Export conversation as JSON…
    assert dialog.isVisible()  # opened with open(), not exec(): the event loop (and any reply) goes on
    dialog.selectFile(str(tmp_path / "talk"))
    dialog.accept()
    written = tmp_path / "talk.json"
    qtbot.waitUntil(written.exists)
    records = export.read_json(written.read_text(encoding="utf-8"))
    convo, messages = window.storage.snapshot(cid)
    assert records[0]["title"] == convo.title == "日本で一番高い山は?"
    assert [(m["role"], m["content"], m["model"]) for m in records[0]["messages"]] == [
        (m.role, m.content, m.model) for m in messages]
    assert records[0]["messages"][1]["content"] == result.text
    assert records[0]["model"] == str(chat_gguf)  # the conversation remembers its model
    assert str(written) in window.status.currentMessage()

    window.sidebar.export_md_action.trigger()  # the sidebar's menu: Export as Markdown…
    dialog = window.dialogs["export"]
    dialog.selectFile(str(tmp_path / "talk.md"))
    dialog.accept()
    qtbot.waitUntil((tmp_path / "talk.md").exists)
    md = (tmp_path / "talk.md").read_text(encoding="utf-8")
    assert md.startswith("# 日本で一番高い山は?\n") and "## You · " in md and f"## Assistant · {window.facts.name}" in md

    dialog = window.export_conversation(cid, "md")
    dialog.selectFile(str(tmp_path / "no-such-folder" / "x.md"))
    dialog.accept()
    qtbot.waitUntil(lambda: bool(message_boxes()))
    box = message_boxes()[0]
    assert "does not exist" in box.text() and "How to fix" in box.text()
    box.close()
    assert not (tmp_path / "no-such-folder").exists()
