"""Running one target on one hostile input in a subprocess, and classifying what happened.

A crash or a hang is observed from outside (exit status, timeout), never suffered by the runner.

Outcome kinds:
  clean    non-zero exit, a message, no traceback
  safe     exit 0 and the behaviour checks out
  crash    killed by a signal (abort, segfault) or exit 134/139
  hang     still running at the timeout
  traceback  a Python traceback / ignored exception / Qt thread abort shown to the user
  partial  a temporary or partial file left behind
  unclear  non-zero exit without any message
  silent   exit 0 but the result is wrong and nothing says why
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
KINDS = ("clean", "safe", "crash", "hang", "traceback", "partial", "unclear", "silent")
GOOD = ("clean", "safe")

# Text that must never reach a user.
_TRACEBACK_MARKS = ("Traceback (most recent call last)", "Exception ignored", "QThread: Destroyed",
                    "Fatal Python error")
_CRASH_MARKS = ("terminate called", "GGML_ASSERT", "Segmentation fault", "core dumped")


@dataclass
class Run:
    """What a subprocess did."""

    cmd: list[str]
    rc: int | None  # None: killed at the timeout
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@dataclass
class Outcome:
    target: str
    case: str
    kind: str
    detail: str = ""
    run: Run | None = None
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.kind in GOOD

    def describe(self) -> str:
        cmd = " ".join(self.run.cmd) if self.run else ""
        rc = self.run.rc if self.run else None
        tail = _tail(self.run.output if self.run else "", 1200)
        return f"[{self.target}] {self.case}: {self.kind} — {self.detail}\n  $ {cmd}\n  rc={rc}\n{_indent(tail)}"


def _tail(text: str, n: int) -> str:
    text = text.strip()
    return text if len(text) <= n else "…" + text[-n:]


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def base_env(**extra: str) -> dict:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("OMP_NUM_THREADS", "1")
    env.update(extra)
    return env


def run(cmd: list[str], *, timeout: float, env: dict | None = None, stdin: str | None = None,
        cwd: Path | None = None, preexec: Callable[[], None] | None = None) -> Run:
    """Run ``cmd`` in its own process group; on timeout the whole group is killed."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env or base_env(),
                         cwd=str(cwd) if cwd else None, start_new_session=True, preexec_fn=preexec)
    try:
        out, err = p.communicate(stdin.encode() if stdin is not None else None, timeout=timeout)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        kill_group(p)
        out, err = p.communicate()
        rc = None
    return Run([str(c) for c in cmd], rc, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
               time.monotonic() - t0)


def kill_group(p: subprocess.Popen) -> None:
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def classify(r: Run, *, leftovers: list[Path] = (), sane: Callable[[Run], str | None] | None = None,
             expect_error: bool = False) -> tuple[str, str]:
    """(kind, detail) for a finished run. ``sane(run)`` returns why an exit-0 result is wrong, or None."""
    if r.rc is None:
        return "hang", f"no answer within {r.seconds:.0f}s"
    if r.rc < 0 or r.rc in (134, 137, 139):
        sig = -r.rc if r.rc < 0 else r.rc - 128
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        return "crash", f"died with {name}: {_first(r.output, _CRASH_MARKS) or _last_line(r.output)}"
    for mark in _TRACEBACK_MARKS:
        if mark in r.output:
            return "traceback", _exception_line(r.output) or mark
    if leftovers:
        return "partial", "left behind: " + ", ".join(str(p) for p in leftovers)
    if r.rc != 0:
        if not r.stderr.strip() and not r.stdout.strip():
            return "unclear", f"exit {r.rc} without a message"
        return "clean", _last_line(r.stderr) or _last_line(r.stdout)
    if expect_error:
        return "silent", "accepted (exit 0) an input that must be refused: " + (
            r.stdout.strip().splitlines() or [_last_line(r.output)])[0][:300]
    if sane is not None:
        why = sane(r)
        if why:
            return "silent", why
    return "safe", _last_line(r.output)


def _first(text: str, marks) -> str:
    for line in text.splitlines():
        if any(m in line for m in marks):
            return line.strip()[:300]
    return ""


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip() and not ln.strip().startswith("How to fix")]
    return lines[-1][:300] if lines else ""


def _exception_line(text: str) -> str:
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):
            for nxt in lines[i + 1:]:
                if nxt and not nxt.startswith(" "):
                    return nxt.strip()[:300]
    return ""


def leftovers(folder: Path, keep: set[str] = frozenset()) -> list[Path]:
    """Hanashi's temporary and partial files in ``folder`` (anything not in ``keep``)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name not in keep
                  and (p.name.endswith(".partial") or p.name.startswith(".") or "hanashi-" in p.name
                       or p.suffix in (".tmp",)))
