"""Hidden ``.partial`` files never outlive what wrote them: SIGTERM to the desktop app during an import
cancels it and removes them before the app exits; what a SIGKILL leaves is removed at the next start
(the app's, and ``hanashi-quantize``'s in its output folder), never while its writer still runs.

Real processes, real signals: the app runs offscreen and imports a tiny checkpoint; the import's
worker process is frozen (SIGSTOP) mid-write, so the signal lands while its files are on disk.
(SIGTERM and Ctrl-C to ``hanashi-quantize convert`` at each stage: tests/test_cancel_quit.py.)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import pytest

from app.gui.single_instance import read_owner
from quantize.cleanup import partial_owner

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120

# The desktop app (app.gui.app.run, as ``hanashi`` starts it) with an import started as the window is up.
IMPORTING_APP = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from app.gui import app as gui_app
from app.gui.main_window import MainWindow

gui_app.application()
seen = set()

def start_import():
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    if not windows:
        QTimer.singleShot(50, start_import)
        return
    job = windows[0].open_library().start_import(sys.argv[1], "q2_k")
    def progress(stage, *_):
        if stage not in seen:
            seen.add(stage)
            print("STAGE", stage, flush=True)
    job.progress.connect(progress)
    job.cancelled.connect(lambda: print("CANCELLED", flush=True))
    job.finished.connect(lambda _result: print("FINISHED", flush=True))

QTimer.singleShot(0, start_import)
sys.exit(gui_app.run([]))
"""


@pytest.fixture(scope="module")
def folder(tiny) -> Path:
    """About 45M parameters (the GUI import tests' model): its write and quantize stages take seconds."""
    return tiny.neox(name="tiny-gui-cancel-neox", hidden=768, layers=6, heads=8, ffn=3072)


@pytest.fixture
def env(tmp_path) -> dict:
    (tmp_path / "tmp").mkdir()
    return {**os.environ, "HANASHI_DATA_DIR": str(tmp_path / "data"), "TMPDIR": str(tmp_path / "tmp"),
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}


class _Proc:
    """A process whose stdout and stderr are read live."""

    def __init__(self, args: list[str], env: dict):
        self.proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.out, self.err = bytearray(), bytearray()
        self.readers = [threading.Thread(target=self._read, args=(pipe, buf), daemon=True)
                        for pipe, buf in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for r in self.readers:
            r.start()

    @staticmethod
    def _read(pipe, buf: bytearray) -> None:
        while chunk := os.read(pipe.fileno(), 65536):
            buf += chunk

    def wait_for(self, marker: bytes, where: str = "out", timeout: float = TIMEOUT) -> None:
        buf = self.out if where == "out" else self.err
        deadline = time.monotonic() + timeout
        while marker not in buf:
            assert self.proc.poll() is None, f"ended before {marker!r}: {bytes(self.err)[-3000:]!r}"
            assert time.monotonic() < deadline, f"no {marker!r}: {bytes(self.err)[-3000:]!r}"
            time.sleep(0.01)

    def finish(self, timeout: float = 60) -> tuple[int, str, str]:
        self.proc.wait(timeout)
        for r in self.readers:
            r.join(5)
        return self.proc.returncode, bytes(self.out).decode(), bytes(self.err).decode("utf-8", "replace")

    def __enter__(self) -> _Proc:
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)


def _importing_app(folder: Path, env: dict) -> _Proc:
    return _Proc([sys.executable, "-c", IMPORTING_APP, str(folder)], env)


def _app(env: dict, *args: str) -> _Proc:
    return _Proc([sys.executable, "-m", "app", *args], env)


def _workers(parent: int) -> list[int]:
    """Pids of ``parent``'s worker processes (python -m quantize.child)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmd = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == parent and b"quantize.child" in cmd:
            pids.append(int(entry.name))
    return pids


def _gone(pid: int) -> bool:
    try:
        return (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]) == "Z"
    except OSError:
        return True


def _wait_until(predicate, what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def _freeze_import_mid_write(app: _Proc, models: Path) -> tuple[int, list[Path]]:
    """Stop the import's worker while it writes; its pid and the partial files it has on disk."""
    app.wait_for(b"STAGE write")
    owners = {partial_owner(p.name)[1] for p in models.glob(".*.partial")}
    assert len(owners) == 1, owners
    worker = owners.pop()
    assert worker in _workers(app.proc.pid)  # the app's import worker writes them
    os.kill(worker, signal.SIGSTOP)
    partials = sorted(models.glob(".*.partial"))
    assert partials and {partial_owner(p.name)[1] for p in partials} == {worker}, partials
    return worker, partials


def test_sigterm_during_an_import_cancels_it_and_removes_its_files(folder, env, tmp_path):
    models = tmp_path / "data" / "models"
    with _importing_app(folder, env) as app:
        worker, _partials = _freeze_import_mid_write(app, models)
        t0 = time.monotonic()
        app.proc.send_signal(signal.SIGTERM)
        code, out, err = app.finish()
    assert time.monotonic() - t0 < 15, err[-3000:]
    assert code == 128 + signal.SIGTERM, err[-3000:]
    assert err.rstrip().endswith(
        "Hanashi: stopped (SIGTERM); the import was cancelled and its unfinished files removed.")
    assert "Traceback" not in err and "CANCELLED" in out and "FINISHED" not in out
    assert _gone(worker)
    assert list(models.iterdir()) == []  # no model, no .partial
    assert list((tmp_path / "tmp").iterdir()) == []  # no worker scratch folder


def test_what_a_sigkill_leaves_is_removed_at_the_next_start(folder, env, tmp_path):
    models = tmp_path / "data" / "models"
    with ExitStack() as stack:
        app = stack.enter_context(_importing_app(folder, env))
        worker, partials = _freeze_import_mid_write(app, models)
        app.proc.kill()
        app.finish()
        _wait_until(lambda: _gone(worker), "the worker outlived the app")  # it dies with its parent
        assert all(p.exists() for p in partials)  # a SIGKILL cleans nothing up
        again = stack.enter_context(_app(env))
        _wait_until(lambda: not any(p.exists() for p in partials), "the next start left the partial files")
        _wait_until(lambda: read_owner(tmp_path / "data").get("pid") == again.proc.pid, "the app did not start")
        assert again.proc.poll() is None
        again.proc.send_signal(signal.SIGTERM)
        code, _out, err = again.finish()
    assert code == 128 + signal.SIGTERM and err.rstrip().endswith("Hanashi: stopped (SIGTERM)."), err[-3000:]
    assert list(models.iterdir()) == []
    assert list((tmp_path / "tmp").iterdir()) == []  # the killed app's scratch folder went too


def test_a_running_writers_files_are_left_alone_and_the_converter_sweeps_a_killed_ones(folder, env, tmp_path):
    models = tmp_path / "data" / "models"
    models.mkdir(parents=True)
    with ExitStack() as stack:
        cli = stack.enter_context(_Proc([sys.executable, "-m", "quantize", "convert", str(folder), "-o",
                                         str(models / "cli.gguf"), "--type", "q2_k", "--threads", "1"], env))
        cli.wait_for(b"writing:", where="err")
        os.kill(cli.proc.pid, signal.SIGSTOP)  # alive, mid-write
        partials = sorted(models.glob(".*.partial"))
        assert partials and all(f".{cli.proc.pid}." in p.name for p in partials), partials
        # The app starts (its sweep runs before it answers a second start) and leaves them alone.
        app = stack.enter_context(_app(env))
        _wait_until(lambda: read_owner(tmp_path / "data").get("pid") == app.proc.pid, "the app did not start")
        assert _second_start_answers(env)
        assert all(p.exists() for p in partials)
        app.proc.send_signal(signal.SIGTERM)
        assert app.finish()[0] == 128 + signal.SIGTERM
        assert all(p.exists() for p in partials)
        # Killed, the converter leaves them; its next run into the same folder removes them.
        cli.proc.kill()
        cli.finish()
        assert all(p.exists() for p in partials)
        p = subprocess.run([sys.executable, "-m", "quantize", "convert", str(folder), "-o", str(models / "next.gguf"),
                            "--type", "f16", "--skip-parity"], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=TIMEOUT)
        assert p.returncode == 0, p.stderr[-3000:]
    assert sorted(x.name for x in models.iterdir()) == ["next.gguf"]


def _second_start_answers(env: dict) -> bool:
    p = subprocess.run([sys.executable, "-m", "app"], cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=TIMEOUT)
    assert p.returncode == 0, p.stderr[-3000:]
    return "already running" in p.stdout
