"""One Hanashi per profile: a second start on the same data folder hands its file to the running app
and exits; a killed instance never blocks the next start; different data folders run side by side.

Every start is a real ``python -m app`` process (offscreen), on a temporary data folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

from app import paths
from app.gui.single_instance import LOCK_NAME, read_owner

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90  # a first start on a busy machine: Qt, llama.cpp, the demo model


def _env(data: Path) -> dict:
    return {**os.environ, "HANASHI_DATA_DIR": str(data), "QT_QPA_PLATFORM": "offscreen",
            "PYTHONPATH": os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])}


class _App:
    """A running ``hanashi`` (the desktop app); its stderr goes to a file."""

    def __init__(self, data: Path, log: Path, *args: str):
        self.log, self.out = log, log.with_suffix(".out")
        with open(log, "wb") as err, open(self.out, "wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "app", *args], cwd=ROOT, env=_env(data),
                                         stdout=out, stderr=err)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout)

    def stderr(self) -> str:
        return self.log.read_text("utf-8", "replace")

    def stdout(self) -> str:
        return self.out.read_text("utf-8", "replace")

    def __enter__(self) -> _App:
        return self

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)


def _second_start(data: Path, *args: str, timeout: float = START_TIMEOUT) -> tuple[subprocess.CompletedProcess, float]:
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=_env(data), capture_output=True,
                       text=True, timeout=timeout)
    return p, time.monotonic() - t0


def _serving(data: Path, starting: _App | None = None) -> int:
    """The pid of the profile's instance, from a second start's answer (``starting``: wait until
    that app has taken the profile, so the second start can't be first)."""
    if starting is not None:
        _wait_until(lambda: read_owner(data).get("pid") == starting.pid, START_TIMEOUT,
                    f"the app did not take the profile: {starting.stderr()[-2000:]}")
    p, _ = _second_start(data)
    assert p.returncode == 0, p.stdout + p.stderr
    m = re.fullmatch(rf"Hanashi is already running for this profile \({re.escape(str(data))}, pid (\d+)\): "
                     r"its window was brought forward\.", p.stdout.strip())
    assert m, p.stdout + p.stderr
    return int(m.group(1))


def _settings(data: Path) -> dict:
    try:
        return json.loads((data / "settings.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}


def _wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_a_second_start_hands_its_file_to_the_running_app_and_other_profiles_run_alongside(tmp_path):
    one, two = tmp_path / "profile-one", tmp_path / "profile-two"
    passed = shutil.copy(paths.DEMO_MODEL, tmp_path / "passed.gguf")
    with ExitStack() as stack:
        first = stack.enter_context(_App(one, tmp_path / "first.log"))
        assert _serving(one, first) == first.pid
        # The file goes to the running app, which loads it (and remembers it as the last model).
        second, took = _second_start(one, str(passed))
        assert second.returncode == 0 and took < 10, (took, second.stdout + second.stderr)
        assert second.stdout.strip() == (f"Hanashi is already running for this profile ({one}, pid {first.pid}): "
                                         f"its window was brought forward and asked to open {passed}.")
        _wait_until(lambda: _settings(one).get("last_model") == str(passed), START_TIMEOUT,
                    f"the running app did not load {passed}: {_settings(one)} {first.stderr()[-2000:]}")
        assert f"another start asked to open {passed}" in first.stderr()
        # A relative path is resolved where the second start runs.
        p = subprocess.run([sys.executable, "-m", "app", "passed.gguf"], cwd=tmp_path, env=_env(one),
                           capture_output=True, text=True, timeout=START_TIMEOUT)
        assert p.returncode == 0 and p.stdout.strip().endswith(f"asked to open {passed}."), p.stdout + p.stderr
        # Another data folder is another profile: its own window, its own answers.
        other = stack.enter_context(_App(two, tmp_path / "other.log"))
        assert _serving(two, other) == other.pid
        assert _serving(one) == first.pid
        assert first.proc.poll() is None and other.proc.poll() is None
        # Garbage on the socket is dropped; the app goes on answering.
        server = json.loads((one / LOCK_NAME).read_text())["server"]
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(server)
            s.sendall(b"\xff not json at all\n")
            s.settimeout(10)
            assert s.recv(100) == b""  # closed without an answer
        assert _serving(one) == first.pid
        assert first.stop() == 128 + signal.SIGTERM and other.stop() == 128 + signal.SIGTERM
        assert "Traceback" not in first.stderr() + other.stderr()
    assert not os.path.exists(server)  # a clean exit removes the socket


def test_a_killed_instance_does_not_block_the_next_start(tmp_path):
    data = tmp_path / "profile"
    with ExitStack() as stack:
        first = stack.enter_context(_App(data, tmp_path / "first.log"))
        assert _serving(data, first) == first.pid
        server = json.loads((data / LOCK_NAME).read_text())["server"]
        assert first.stop(signal.SIGKILL) == -signal.SIGKILL
        assert os.path.exists(server)  # the killed instance's socket is still there
        second = stack.enter_context(_App(data, tmp_path / "second.log"))
        assert _serving(data, second) == second.pid  # it took the profile over
        assert second.stop() == 128 + signal.SIGTERM, second.stderr()
        assert second.stderr().rstrip().endswith("Hanashi: stopped (SIGTERM).")
    assert not os.path.exists(server)


def test_two_starts_at_the_same_moment_make_one_window(tmp_path):
    data = tmp_path / "profile"
    with ExitStack() as stack:
        apps = [stack.enter_context(_App(data, tmp_path / f"app{i}.log")) for i in range(2)]
        _wait_until(lambda: any(a.proc.poll() is not None for a in apps), START_TIMEOUT, "both kept running")
        ended, running = sorted(apps, key=lambda a: a.proc.poll() is None)
        assert ended.proc.returncode == 0, ended.stderr()[-2000:]
        assert ended.stdout().strip() == (f"Hanashi is already running for this profile ({data}, pid {running.pid}): "
                                          "its window was brought forward.")
        time.sleep(1)
        assert running.proc.poll() is None
        assert _serving(data) == running.pid
        assert running.stop() == 128 + signal.SIGTERM
