"""Sweeping what a killed conversion left behind: only Hanashi's own temporary names.

A process that is killed (SIGKILL, a power cut, a crash in llama.cpp) cannot remove its
temporary files. They carry their owner's pid, so at the next start the sweep removes those
whose owner is gone and leaves alone the files of a process that is still running:

* ``.<target name>.<pid>.<random>.<tag>.partial`` beside an output (the models folder, or the
  folder of ``hanashi-quantize convert -o``), written by ``quantize.outfile``;
* ``hanashi-job-<pid>-*`` (a worker's scratch folder), ``hanashi-child-<pid>-*.log`` (a worker's
  stderr) and ``hanashi-vocab-<pid>-*`` (tokenizer probes) in the temp directory.

Names in these shapes without a pid, from older versions, are removed once they are an hour old.
Nothing else is touched.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, TypeVar

LEGACY_AGE_S = 3600

_TAGS = r"(?:gguf|probe|f32|f16|bf16)"
_PARTIAL = re.compile(r"^\.(?P<target>.+?)\.(?:(?P<pid>\d+)\.)?[A-Za-z0-9_]{8}\." + _TAGS + r"\.partial$")
_TEMP = re.compile(r"^hanashi-(?:job|vocab)-(?:(?P<pid>\d+)-)?[A-Za-z0-9_]+$"
                   r"|^hanashi-child-(?:(?P<lpid>\d+)-)?[A-Za-z0-9_]+\.log$")


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists (or might: the answer errs on the side of keeping)."""
    if pid <= 0:
        return True
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # it exists, owned by someone else
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """True for a process that has ended but was not reaped yet (it writes nothing any more)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


def _stale(pid: str | None, path: Path, now: float) -> bool:
    if pid is not None:
        return not pid_alive(int(pid))
    try:
        return now - path.lstat().st_mtime > LEGACY_AGE_S
    except OSError:
        return False


def _remove(path: Path) -> bool:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        return True
    except FileNotFoundError:
        return False
    except OSError:
        return False


def partial_owner(name: str) -> tuple[str, int | None] | None:
    """``(target name, pid)`` for a Hanashi temporary output name, else None."""
    m = _PARTIAL.match(name)
    if not m:
        return None
    return m.group("target"), int(m.group("pid")) if m.group("pid") else None


def _names(folder: Path) -> list[str]:
    """The folder's entries, or none when it can't be listed (a sweep never fails)."""
    try:
        return os.listdir(folder)
    except OSError:
        return []


def sweep_partials(folder: str | Path, target_name: str | None = None) -> list[Path]:
    """Remove ``.*.partial`` temporaries in ``folder`` whose writer is gone (only for ``target_name``
    when given). Returns what was removed."""
    folder = Path(folder)
    removed: list[Path] = []
    now = time.time()
    for name in _names(folder):
        m = _PARTIAL.match(name)
        if not m or (target_name is not None and m.group("target") != target_name):
            continue
        path = folder / name
        if path.is_file() and not path.is_symlink() and _stale(m.group("pid"), path, now) and _remove(path):
            removed.append(path)
    return removed


def sweep_temp(tempdir: str | Path | None = None) -> list[Path]:
    """Remove Hanashi's scratch folders and logs in the temp directory whose owner is gone."""
    folder = Path(tempdir or tempfile.gettempdir())
    removed: list[Path] = []
    now = time.time()
    uid = os.getuid() if hasattr(os, "getuid") else None
    for name in _names(folder):
        m = _TEMP.match(name)
        if not m:
            continue
        path = folder / name
        try:
            st = path.lstat()
        except OSError:
            continue
        if uid is not None and st.st_uid != uid:
            continue  # another user's: not ours to judge
        if path.is_symlink():
            continue
        if _stale(m.group("pid") or m.group("lpid"), path, now) and _remove(path):
            removed.append(path)
    return removed


def sweep_stale(*folders: str | Path, tempdir: str | Path | None = None) -> list[Path]:
    """The sweep at start: stale partial outputs in ``folders`` and stale temp names."""
    removed: list[Path] = []
    for folder in folders:
        removed += sweep_partials(folder)
    removed += sweep_temp(tempdir)
    return removed


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM back while a cleanup runs, so it finishes; they arrive right after.

    Without this, a signal landing inside ``shutil.rmtree`` stops it halfway and leaves the
    temporary files the cleanup was removing. Python runs signal handlers on the main thread, so
    a recording handler holds them whatever other threads exist; elsewhere nothing is held.
    """
    caught: list[int] = []
    previous = {}
    try:
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, lambda number, _frame: caught.append(number))
    except ValueError:  # not the main thread: signals are not delivered here anyway
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        yield
        return
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
        if caught:
            os.kill(os.getpid(), caught[0])  # now, to the handler that was in place


def remove_tree(path: str | Path) -> None:
    """Remove a temporary folder completely, whatever signal arrives meanwhile."""
    with signals_deferred():
        shutil.rmtree(path, ignore_errors=True)


T = TypeVar("T")


@contextmanager
def temporary(create: Callable[[], T], remove: Callable[[T], None]) -> Iterator[T]:
    """Make a temporary file or folder and remove it afterwards, however the block ends.

    Creating and removing both hold signals back, and the removal is armed before a held signal
    is let through: no Ctrl-C can land between the two and leave the temporary behind.
    """
    made = None
    try:
        with signals_deferred():
            made = create()
        yield made
    finally:
        if made is not None:
            with signals_deferred():
                remove(made)
