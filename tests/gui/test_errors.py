"""Errors appear as a clear dialog and the app stays usable."""

from __future__ import annotations

import pytest

from app.storage import Storage, StorageError

from .helpers import REPLY_TIMEOUT_MS, message_boxes, send


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_a_corrupt_model_file_shows_an_error_and_the_current_model_stays(qtbot, make_window, chat_gguf, tmp_path,
                                                                         damage):
    window = make_window(chat_gguf)
    bad = tmp_path / f"{damage}.gguf"
    if damage == "garbage":
        bad.write_bytes(b"this is not a model" * 100)
    else:  # a real header, weights cut short: llama.cpp itself refuses it
        data = chat_gguf.read_bytes()
        bad.write_bytes(data[: len(data) // 2])
    with qtbot.waitSignal(window.client.load_failed, timeout=REPLY_TIMEOUT_MS):
        window.load_model(str(bad))
    qtbot.waitUntil(lambda: window.facts is not None and not window.client.loading, timeout=REPLY_TIMEOUT_MS)
    boxes = message_boxes()
    assert len(boxes) == 1
    assert boxes[0].windowTitle() == "The model could not be loaded"
    assert str(bad) in boxes[0].text() and "How to fix" in boxes[0].text()
    boxes[0].accept()
    # Still usable: the model that worked is loaded and answers.
    assert window.facts.path == str(chat_gguf)
    assert window.composer.send_button.isEnabled()
    assert send(qtbot, window, "こんにちは").reason in ("eos", "stop", "length")


def test_a_damaged_database_is_reported_not_replaced(data_dir):
    data_dir.mkdir(parents=True)
    db = data_dir / "conversations.sqlite3"
    db.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    with pytest.raises(StorageError) as e:
        Storage(db)
    assert e.value.kind == "corrupt"
    assert db.read_bytes().startswith(b"SQLite format 3\x00")  # untouched


def test_a_storage_failure_while_sending_shows_a_dialog_and_keeps_the_text(qtbot, make_window, chat_gguf):
    window = make_window(chat_gguf)
    window.new_conversation()
    window.storage.db.execute("PRAGMA query_only = ON")  # every write now fails
    window.composer.set_text("消えないでほしい文章")
    window.composer.submit()
    boxes = message_boxes()
    assert len(boxes) == 1 and boxes[0].windowTitle() == "The conversation database has a problem"
    assert window.composer.text() == "消えないでほしい文章"  # nothing typed is lost
    assert not window.client.generating
    boxes[0].accept()
    window.storage.db.execute("PRAGMA query_only = OFF")
    with qtbot.waitSignal(window.client.finished, timeout=REPLY_TIMEOUT_MS):
        window.composer.submit()
    assert window.storage.messages(window.current_id)[0].content == "消えないでほしい文章"
