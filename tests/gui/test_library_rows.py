"""The model library shows one row per file: a file reached twice (a link, a hard link, opened
twice under other paths, the demo opened by hand) is one row, and different files that hold the
same model (two imports of one folder) are told apart by their file name and date."""

from __future__ import annotations

import os
import shutil

from app import library, paths
from app.gui.library_rows import DETAIL_ROLE


def _rows(lib) -> list[str]:
    return [lib.table.item(r, 0).text() for r in range(lib.table.rowCount())]


def test_one_row_per_file_however_it_is_reached(data_dir, chat_gguf, tmp_path):
    models = paths.models_dir()
    real = models / "tiny-q8_0.gguf"
    shutil.copy(chat_gguf, real)
    (models / "a-link-to-tiny.gguf").symlink_to(real)  # sorts first: the real file's row is kept
    os.link(real, models / "z-hard-link.gguf")  # the first by name is kept
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    opened_copy = outside / "copy.gguf"
    shutil.copy(chat_gguf, opened_copy)
    opened = [str(opened_copy), str(outside / ".." / "elsewhere" / "copy.gguf"), str(real),
              str(paths.DEMO_MODEL), str(tmp_path / "gone.gguf"), 7]
    entries = library.list_models(opened)
    paths_listed = [e.path for e in entries]
    assert paths_listed == [real, opened_copy, paths.DEMO_MODEL]
    assert entries[-1].bundled  # the demo opened by hand is still the demo
    assert all(e.modified > 0 for e in entries)
    assert library.same_file(models / "z-hard-link.gguf", real) and library.same_file(models / "a-link-to-tiny.gguf", real)
    assert not library.same_file(opened_copy, real)


def test_a_link_loop_in_the_models_folder_is_one_row_and_never_raises(data_dir):
    models = paths.models_dir()
    (models / "loop.gguf").symlink_to(models / "loop.gguf")
    entries = library.list_models([str(models / "loop.gguf")])
    assert [e.path.name for e in entries].count("loop.gguf") == 1


def test_identical_imports_are_told_apart(qtbot, make_window, chat_gguf, data_dir):
    models = paths.models_dir()
    first, second = models / "tiny-q8_0.gguf", models / "tiny-q8_0-2.gguf"
    shutil.copy(chat_gguf, first)
    shutil.copy(chat_gguf, second)
    os.utime(first, (1_700_000_000, 1_700_000_000))
    (models / "twin.gguf").symlink_to(second)
    window = make_window(chat_gguf)
    lib = window.open_library()
    name = library.read_entry(first).name
    assert _rows(lib).count(name) == 3  # the two imports and the file opened from the tests' folder
    rows = {lib.entries[r].path: lib.table.item(r, 0) for r in range(len(lib.entries))}
    assert set(rows) == {first, second, chat_gguf, paths.DEMO_MODEL}  # the link is not a row of its own
    details = {p: item.data(DETAIL_ROLE) for p, item in rows.items()}
    assert details[first].startswith("tiny-q8_0.gguf · ") and details[second].startswith("tiny-q8_0-2.gguf · ")
    assert details[first] != details[second]
    assert not details[paths.DEMO_MODEL]  # a name of its own needs no second line
    assert str(first) in rows[first].toolTip() and "Modified: " in rows[first].toolTip()
    # The second line takes room of its own.
    r_first = next(r for r, e in enumerate(lib.entries) if e.path == first)
    r_demo = next(r for r, e in enumerate(lib.entries) if e.path == paths.DEMO_MODEL)
    assert lib.table.rowHeight(r_first) > lib.table.rowHeight(r_demo)
    lib.table.viewport().grab()  # drawn without error
    # The loaded model is marked however its path was written.
    lib.refresh(lib.entries, str(models / "twin.gguf"))
    assert rows[second] is not lib.table.item(0, 0)
    r_second = next(r for r, e in enumerate(lib.entries) if e.path == second)
    assert lib.table.item(r_second, 0).font().bold() and not lib.table.item(r_first, 0).font().bold()
    lib.select_path(models / "twin.gguf")
    assert lib.selected().path == second


def test_the_apps_shortcuts_work_from_the_library_and_get_a_model_windows(qtbot, make_window, chat_gguf, data_dir):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    window = make_window(chat_gguf)
    lib = window.open_library()
    shortcuts = {a.shortcut().toString() for a in lib.actions()}
    assert {"Ctrl+N", "Ctrl+L", "Ctrl+Q", "Ctrl+,", "Ctrl+F", "Ctrl+E"} <= shortcuts
    lib.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is lib)
    before = len(window.storage.conversations())
    QTest.keyClick(lib.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # New conversation
    assert len(window.storage.conversations()) == before + 1
    QTest.keyClick(lib.table, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)  # Settings…
    assert window.dialogs["settings"].isVisible()
    window.dialogs["settings"].close()

    lib.get_button.click()
    dialog = lib.get_dialog
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    QTest.keyClick(dialog.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert len(window.storage.conversations()) == before + 2
    QTest.keyClick(dialog.table, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)  # Quit
    qtbot.waitUntil(lambda: not window.isVisible())
