"""quantize.child: running work in a child process that may die, hang or be cancelled.

The functions at the top are the children's targets (imported by name in the spawned child).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from quantize import child
from quantize.errors import ConversionCancelled, ConversionError, GGUFFileError

ROOT = Path(__file__).parent.parent


# ----------------------------------------------------------------------------- targets (run in the child)

def add(a, b):
    return {"sum": a + b, "pid": os.getpid()}


def raise_explained(kind):
    if kind == "gguf":
        raise GGUFFileError("corrupt", "tensor data ends early", "/models/x.gguf", "download it again")
    raise ConversionError("config.json: hidden_size is -1", "/models/folder", "fix the config")


def raise_plain():
    return {}["missing"]


def abort_after_message(scratch_report):
    Path(scratch_report).write_text(tempfile.gettempdir())
    (Path(tempfile.gettempdir()) / "half-written.bin").write_bytes(b"x" * 1000)
    os.write(2, b"GGML_ASSERT(n_tokens_all <= cparams.n_batch) failed\n")
    os.abort()


def read_fifo(path):
    with open(path, "rb") as f:  # blocks in open() until a writer comes: none will
        return f.read()


def sleep_for(seconds, pid_file=None):
    if pid_file:
        Path(pid_file).write_text(str(os.getpid()))
    time.sleep(seconds)
    return "woke"


def count(n, progress=None):
    for i in range(1, n + 1):
        progress("counting", i, n, f"step {i}")
        time.sleep(0.03)
    return n


def use_scratch():
    d = Path(tempfile.gettempdir())
    (d / "scratch.bin").write_bytes(b"\0" * 100)
    return str(d)


# ----------------------------------------------------------------------------- helpers

def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:  # a zombie waiting for its new parent to reap it is gone too
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def _own_temp_names() -> list[str]:
    tmp = Path(tempfile.gettempdir())
    me = os.getpid()
    return sorted(p.name for p in [*tmp.glob(f"hanashi-job-{me}-*"), *tmp.glob(f"hanashi-child-{me}-*.log")])


# ----------------------------------------------------------------------------- tests

def test_result_comes_back_from_another_process():
    before = _own_temp_names()
    out = child.run("tests.test_child:add", (2, 3), stage="adding")
    assert out["sum"] == 5 and out["pid"] != os.getpid()
    assert _own_temp_names() == before


@pytest.mark.parametrize("kind", ["conversion", "gguf"])
def test_explained_errors_come_back_as_the_same_class(kind):
    with pytest.raises(ConversionError) as e:
        child.run("tests.test_child:raise_explained", (kind,), stage="reading")
    err = e.value
    if kind == "gguf":
        assert type(err) is GGUFFileError and err.kind == "corrupt"
        assert err.message == "tensor data ends early" and err.path == "/models/x.gguf"
        assert err.fix == "download it again"
        assert str(err) == "/models/x.gguf: tensor data ends early\n  How to fix: download it again"
    else:
        assert type(err) is ConversionError and err.path == "/models/folder"
        assert "hidden_size is -1" in str(err) and "fix the config" in str(err)


def test_an_unexpected_exception_is_a_conversion_error_with_the_childs_traceback():
    with pytest.raises(ConversionError) as e:
        child.run("tests.test_child:raise_plain", stage="reading the index", path="/x")
    assert "unexpected error while reading the index: KeyError" in str(e.value)
    assert "raise_plain" in e.value.child_traceback


def test_an_abort_is_child_crashed_naming_the_signal_stage_and_last_words(tmp_path):
    report = tmp_path / "scratch.txt"
    before = _own_temp_names()
    with pytest.raises(child.ChildCrashed) as e:
        child.run("tests.test_child:abort_after_message", (str(report),), stage="tokenizing a probe text",
                  path="/models/broken.gguf")
    err = e.value
    assert isinstance(err, ConversionError)
    assert err.exitcode == -signal.SIGABRT and err.path == "/models/broken.gguf"
    text = str(err)
    assert "SIGABRT" in text and "tokenizing a probe text" in text
    assert "GGML_ASSERT(n_tokens_all <= cparams.n_batch) failed" in text
    assert "How to fix" in text
    scratch = Path(report.read_text())
    assert scratch.name.startswith(f"hanashi-job-{os.getpid()}-")
    assert not scratch.exists()  # the dead child's scratch folder (and the file in it) is gone
    assert _own_temp_names() == before


def test_cancel_ends_a_child_stuck_reading_a_fifo_within_a_second(tmp_path):
    fifo = tmp_path / "model.safetensors"
    os.mkfifo(fifo)
    flag = threading.Event()
    set_at = []

    def cancel_later():
        time.sleep(1.0)  # the child is well inside its blocking open() by now
        set_at.append(time.monotonic())
        flag.set()

    threading.Thread(target=cancel_later, daemon=True).start()
    with pytest.raises(ConversionCancelled):
        child.run("tests.test_child:read_fifo", (str(fifo),), stage="reading the weights", path=fifo,
                  cancelled=flag.is_set)
    assert time.monotonic() - set_at[0] < 1.0


def test_a_timeout_stops_the_child(tmp_path):
    pid_file = tmp_path / "pid"
    t0 = time.monotonic()
    with pytest.raises(child.ChildTimeout) as e:
        child.run("tests.test_child:sleep_for", (60, str(pid_file)), stage="loading", path="/slow/disk/x.gguf",
                  timeout=2)
    assert time.monotonic() - t0 < 5
    assert "stopped after 2 s while loading" in str(e.value) and "/slow/disk/x.gguf" in str(e.value)
    assert _gone(int(pid_file.read_text()))


def test_progress_reaches_the_parent_in_order_ending_with_the_last_step():
    seen = []
    assert child.run("tests.test_child:count", (10,), stage="counting",
                     progress=lambda *a: seen.append(a)) == 10
    assert seen and seen[-1] == ("counting", 10, 10, "step 10")
    done = [s[1] for s in seen]
    assert done == sorted(done) and all(s[2] == 10 for s in seen)


def test_the_childs_scratch_tmpdir_is_its_own_and_is_removed():
    scratch = Path(child.run("tests.test_child:use_scratch", stage="scratch"))
    assert scratch.name.startswith(f"hanashi-job-{os.getpid()}-")
    assert scratch.parent == Path(tempfile.gettempdir())
    assert not scratch.exists()


def test_the_child_dies_with_its_parent(tmp_path):
    pid_file = tmp_path / "pid"
    code = ("import sys; sys.path.insert(0, %r)\n"
            "from quantize import child\n"
            "child.run('tests.test_child:sleep_for', (120, %r), stage='waiting')\n") % (str(ROOT), str(pid_file))
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        pid = int(pid_file.read_text())
        assert not _gone(pid)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 5
        while not _gone(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _gone(pid)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
