"""The model library: listing, the demo model, deleting, importing a Hugging Face folder."""

from __future__ import annotations

import shutil

from app import library, paths

from .helpers import REPLY_TIMEOUT_MS, message_boxes, send


def test_first_run_uses_the_bundled_demo_and_explains_how_to_add_a_model(qtbot, make_window, data_dir):
    window = make_window()  # nothing installed, nothing used before
    assert window.facts.path == str(paths.DEMO_MODEL)
    assert window.banner.isVisibleTo(window)
    reply = send(qtbot, window, "日本で一番高い山は?")
    assert reply.text and reply.reason == "eos"
    lib = window.open_library()
    assert lib.isVisible() and not lib.isModal()
    assert "Hugging Face" in lib.help.text() and "Import folder" in lib.help.text()
    rows = {lib.table.item(r, 0).text(): [lib.table.item(r, c).text() for c in range(6)]
            for r in range(lib.table.rowCount())}
    demo = rows["hanashi-demo-instruction-sft"]
    assert demo[1:5] == ["rinna instruction", "q8_0", library.human_size(paths.DEMO_MODEL.stat().st_size),
                         "exact (651/651)"]
    assert demo[5] == "bundled demo"
    lib.select_path(paths.DEMO_MODEL)
    assert lib.load_button.isEnabled() and not lib.delete_button.isEnabled()  # the demo can't be deleted


def test_library_lists_models_and_deletes_one(qtbot, make_window, chat_gguf, data_dir):
    models = paths.models_dir()
    shutil.copy(chat_gguf, models / "mine-q8_0.gguf")
    (models / "broken.gguf").write_bytes(b"nope")
    window = make_window(chat_gguf)
    lib = window.open_library()
    names = [lib.table.item(r, 0).text() for r in range(lib.table.rowCount())]
    assert names[:2] == ["broken", "tiny-japanese-gpt-neox-instruction-sft"]  # the models folder, by file name
    assert "unreadable" in lib.table.item(0, 1).text()
    lib.select_path(models / "mine-q8_0.gguf")
    lib.delete_button.click()
    confirm = message_boxes()[0]
    confirm.button(confirm.StandardButton.Yes).click()
    assert not (models / "mine-q8_0.gguf").exists()
    assert str(models / "mine-q8_0.gguf") not in [str(e.path) for e in lib.entries]


def test_import_a_hugging_face_folder_with_progress_and_parity_report(qtbot, make_window, chat_gguf, tiny,
                                                                      data_dir):
    folder = tiny.neox(name="tiny-import-japanese-gpt-neox-instruction-sft")
    window = make_window(chat_gguf)
    lib = window.open_library()
    stages, values = set(), []
    lib.progress.valueChanged.connect(values.append)
    job = lib.start_import(folder, "q8_0")
    job.progress.connect(lambda stage, done, total, detail: stages.add(stage))
    assert not lib.import_button.isEnabled() and lib.cancel_button.isEnabled()
    with qtbot.waitSignal(job.finished, timeout=REPLY_TIMEOUT_MS * 3) as blocker:
        pass
    result = blocker.args[0]
    assert stages >= {"write", "quantize"}
    assert values and max(values) > 0  # the bar moved
    assert result.path == paths.models_dir() / "tiny-import-japanese-gpt-neox-instruction-sft-q8_0.gguf"
    assert result.path.is_file() and result.family == "rinna-instruction"
    box = next(b for b in message_boxes() if b.windowTitle() == "Import finished")
    assert "tokenizer parity" in box.text() and result.parity_report in box.text()
    qtbot.waitUntil(lambda: lib.job is None)
    assert str(result.path) in [str(e.path) for e in lib.entries]
    assert lib.import_button.isEnabled()
    # The imported model loads and answers.
    lib.select_path(result.path)
    with qtbot.waitSignal(window.client.loaded, timeout=REPLY_TIMEOUT_MS):
        lib.load_button.click()
    assert window.facts.path == str(result.path)
    assert send(qtbot, window, "こんにちは").reason in ("eos", "stop", "length")


def test_cancelling_an_import_leaves_nothing_behind(qtbot, make_window, chat_gguf, tiny, data_dir):
    folder = tiny.neox(name="tiny-import-japanese-gpt-neox-instruction-sft")
    window = make_window(chat_gguf)
    lib = window.open_library()
    job = lib.start_import(folder, "q4_0")
    with qtbot.waitSignal(job.cancelled, timeout=REPLY_TIMEOUT_MS * 3):
        lib.cancel_button.click()
    assert lib.stage_label.text() == "Import cancelled; nothing was written."
    assert list(paths.models_dir().iterdir()) == []


def test_a_failed_import_shows_the_converters_error(qtbot, make_window, chat_gguf, tmp_path, data_dir):
    folder = tmp_path / "not-a-model"
    folder.mkdir()
    (folder / "README.md").write_text("hello")
    window = make_window(chat_gguf)
    lib = window.open_library()
    job = lib.start_import(folder, "q8_0")
    with qtbot.waitSignal(job.failed, timeout=REPLY_TIMEOUT_MS):
        pass
    box = next(b for b in message_boxes() if b.windowTitle() == "Import failed")
    assert str(folder) in box.text() and "config.json" in box.text()
    assert list(paths.models_dir().iterdir()) == []


def test_open_a_gguf_from_elsewhere_loads_it_and_lists_it(qtbot, make_window, chat_gguf, tmp_path, data_dir):
    outside = tmp_path / "downloads" / "someone-elses.gguf"
    outside.parent.mkdir()
    shutil.copy(chat_gguf, outside)
    window = make_window()  # the demo
    lib = window.open_library()
    with qtbot.waitSignal(window.client.loaded, timeout=REPLY_TIMEOUT_MS):
        lib.open_requested.emit(str(outside))  # what "Open GGUF…" emits after the file dialog
    assert window.facts.path == str(outside)
    assert not window.banner.isVisibleTo(window)  # no demo banner for a real model
    row = next(r for r, e in enumerate(lib.entries) if e.path == outside)
    assert lib.table.item(row, 5).text() == str(outside.parent)
    assert lib.table.item(row, 0).font().bold()  # the loaded model is marked
