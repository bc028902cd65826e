"""Import folder… runs the conversion in a child process: Cancel and Quit stop it within a second at
any stage, a child that dies or hangs never takes the window with it, and nothing is left behind."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app import paths

from .helpers import REPLY_TIMEOUT_MS, message_boxes


@pytest.fixture(scope="module")
def folder(tiny) -> Path:
    """About 45M parameters: each stage of its import, quantization included, takes a few seconds."""
    return tiny.neox(name="tiny-gui-cancel-neox", hidden=768, layers=6, heads=8, ffn=3072)


def _own_temp() -> list[str]:
    tmp = Path(tempfile.gettempdir())
    return sorted(p.name for p in tmp.glob(f"hanashi-job-{os.getpid()}-*"))


def _conversion_children() -> list[int]:
    """Pids of this process's worker children (python -m quantize.child)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmd = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == os.getpid() and b"quantize.child" in cmd:
            pids.append(int(entry.name))
    return pids


def _wait_for_stage(qtbot, job, stage: str) -> None:
    seen = set()
    job.progress.connect(lambda s, *_: seen.add(s))
    qtbot.waitUntil(lambda: stage in seen, timeout=REPLY_TIMEOUT_MS * 2)


@pytest.mark.parametrize("stage", ["reading", "write", "quantize"])
def test_cancel_stops_within_a_second_at_every_stage_and_leaves_nothing(qtbot, make_window, folder, stage):
    window = make_window()
    lib = window.open_library()
    before = _own_temp()
    job = lib.start_import(folder, "q2_k")
    if stage == "reading":
        qtbot.wait(300)  # the child is starting up and reading the folder
    else:
        _wait_for_stage(qtbot, job, stage)
    t0 = time.monotonic()
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        lib.cancel_button.click()
    assert time.monotonic() - t0 < 1.0
    assert lib.stage_label.text() == "Import cancelled; nothing was written."
    qtbot.waitUntil(lambda: lib.job is None)
    assert lib.import_button.isEnabled()
    assert list(paths.models_dir().iterdir()) == []  # no model, no .partial
    assert _own_temp() == before
    assert _conversion_children() == []


def test_a_folder_whose_weights_never_arrive_can_be_cancelled(qtbot, make_window, folder, tmp_path):
    """A pipe named model.safetensors: reading it never ends (or the converter refuses it)."""
    hostile = tmp_path / "fifo-model"
    shutil.copytree(folder, hostile)
    (hostile / "model.safetensors").unlink()
    os.mkfifo(hostile / "model.safetensors")
    window = make_window()
    lib = window.open_library()
    job = lib.start_import(hostile, "q8_0")
    failed = []
    job.failed.connect(failed.append)
    qtbot.wait(1500)
    if not failed:  # still waiting on the pipe: Cancel ends it
        t0 = time.monotonic()
        with qtbot.waitSignal(job.cancelled, timeout=5000):
            lib.cancel_button.click()
        assert time.monotonic() - t0 < 1.0
    else:  # refused before reading: a message that names the file
        assert "model.safetensors" in str(failed[0])
        assert any(b.windowTitle() == "Import failed" for b in message_boxes())
    qtbot.waitUntil(lambda: lib.job is None)
    assert window.isVisible() and list(paths.models_dir().iterdir()) == []


def test_a_worker_that_dies_is_an_error_dialog_and_its_files_are_removed(qtbot, make_window, folder):
    """The conversion's process killed from outside (as the out-of-memory killer would)."""
    window = make_window()
    lib = window.open_library()
    job = lib.start_import(folder, "q2_k")
    _wait_for_stage(qtbot, job, "write")  # temporary files exist beside the target now
    children = _conversion_children()
    assert children
    with qtbot.waitSignal(job.failed, timeout=10_000) as blocker:
        for pid in children:
            os.kill(pid, signal.SIGKILL)
    error = blocker.args[0]
    assert "SIGKILL" in str(error) and "converting the model folder" in str(error)
    box = next(b for b in message_boxes() if b.windowTitle() == "Import failed")
    assert "SIGKILL" in box.text()
    qtbot.waitUntil(lambda: lib.job is None)
    assert list(paths.models_dir().iterdir()) == []
    # The window is unharmed: the demo model still answers.
    assert window.facts is not None and window.composer.isEnabled()


def _answer_quit_question(choice: str, asked: list) -> None:
    """Click ``choice`` in the quit question as soon as it is up (it runs its own event loop)."""
    def poll():
        boxes = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, QMessageBox) and w.objectName() == "hanashi-quit-import" and w.isVisible()]
        if not boxes:
            QTimer.singleShot(20, poll)
            return
        box = boxes[0]
        asked.append(box.text())
        next(b for b in box.buttons() if b.text() == choice).click()

    QTimer.singleShot(0, poll)


def test_quitting_during_an_import_asks_then_stops_it_cleanly(qtbot, make_window, folder):
    window = make_window()
    lib = window.open_library()
    job = lib.start_import(folder, "q2_k")
    thread = job.thread
    _wait_for_stage(qtbot, job, "write")
    ended = []
    job.cancelled.connect(lambda: ended.append("cancelled"))
    asked = []
    _answer_quit_question("Stop and quit", asked)
    t0 = time.monotonic()
    window.a_quit.trigger()  # Ctrl+Q
    assert asked and "Stop the import and quit?" in asked[0]
    assert not window.isVisible() and ended == ["cancelled"]
    assert time.monotonic() - t0 < 2.0
    assert not thread.isRunning()  # no "QThread: Destroyed while thread is still running"
    assert lib.job is None or not lib.job.running
    qtbot.wait(100)
    assert list(paths.models_dir().iterdir()) == []
    assert _conversion_children() == []


def test_keep_importing_leaves_the_window_open_and_the_import_running(qtbot, make_window, folder):
    window = make_window()
    lib = window.open_library()
    job = lib.start_import(folder, "q2_k")
    _wait_for_stage(qtbot, job, "write")
    asked = []
    _answer_quit_question("Keep importing", asked)
    window.close()
    assert asked and window.isVisible() and job.running and not job.flag.is_set()
    with qtbot.waitSignal(job.finished, timeout=REPLY_TIMEOUT_MS * 2) as blocker:
        pass
    result = blocker.args[0]
    assert result.path.is_file() and result.path.stat().st_mode & 0o777 == 0o666 & ~_umask()
    assert sorted(p.name for p in paths.models_dir().iterdir()) == [result.path.name]


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
