"""A model file that is a link pointing to itself: the window says so in plain words, falls back to
the demo model and stays usable; the library lists the link as unusable with the same reason."""

from __future__ import annotations

from app import library, paths

from .helpers import REPLY_TIMEOUT_MS, message_boxes, send


def _loop(name: str = "loop.gguf"):
    link = paths.models_dir() / name
    link.symlink_to(name)
    return link


def test_opening_a_symlink_loop_says_so_and_falls_back_to_the_demo(qtbot, make_window, data_dir):
    loop = _loop()
    window = make_window(loop, wait=False)  # an uncaught exception in a slot fails the test (pytest-qt)
    qtbot.waitUntil(lambda: window.facts is not None and not window.client.loading, timeout=REPLY_TIMEOUT_MS)
    boxes = message_boxes()
    assert len(boxes) == 1 and boxes[0].windowTitle() == "The model could not be loaded"
    text = boxes[0].text()
    assert "the file is a link that points to itself (a symlink loop)" in text and str(loop) in text
    assert "no such model file" not in text and "How to fix" in text
    boxes[0].accept()
    assert library.is_demo(window.facts.path) and window.banner.isVisible()
    assert window.composer.send_button.isEnabled()
    assert send(qtbot, window, "こんにちは").reason in ("eos", "stop", "length")
    assert window.settings.last_model == str(library.demo_model())

    lib = window.open_library()
    rows = {e.path.name: e for e in lib.entries}
    assert not rows["loop.gguf"].usable and "symlink loop" in rows["loop.gguf"].error


def test_a_symlink_loop_remembered_as_the_last_model_is_skipped_at_start(qtbot, make_window, data_dir):
    loop = _loop("last.gguf")
    window = make_window(None, last_model=str(loop), opened_models=[str(loop)])
    assert library.is_demo(window.facts.path)
    assert message_boxes() == []  # an unusable remembered model is skipped, not reported at every start


def test_loading_a_symlink_loop_while_a_model_is_loaded_keeps_it(qtbot, make_window, chat_gguf, data_dir):
    window = make_window(chat_gguf)
    loop = _loop()
    with qtbot.waitSignal(window.client.load_failed, timeout=REPLY_TIMEOUT_MS):
        window.load_model(str(loop))
    qtbot.waitUntil(lambda: window.composer.send_button.isEnabled(), timeout=REPLY_TIMEOUT_MS)
    boxes = message_boxes()
    assert len(boxes) == 1 and "a symlink loop" in boxes[0].text()
    boxes[0].accept()
    assert window.facts.path == str(chat_gguf)
