"""Reading Hanashi's own small files (settings, caches, a persona) without ever blocking.

A named pipe (FIFO), a device or a folder where a small file is expected would make a plain
``read_bytes()`` wait forever or read without end. ``read_small`` opens without blocking, checks
that the path is a regular file of a sane size, and only then reads:

    data = read_small(path, 1 << 20)   # FileNotFoundError, NotAFile, or another OSError
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


class NotAFile(OSError):
    """The path exists but is not a regular file, or is too large; ``reason`` says which."""

    def __init__(self, path, reason: str):
        super().__init__(reason)
        self.path = str(path)
        self.reason = reason
        self.strerror = reason

    def __str__(self) -> str:
        return self.reason


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def describe_os_error(e: OSError) -> str:
    """An OSError in words; a symlink loop gets a sentence of its own."""
    if e.errno == errno.ELOOP:
        return "the file is a link that points to itself (a symlink loop)"
    return e.strerror or str(e)


def check_regular(path: str | Path, max_bytes: int | None = None) -> os.stat_result:
    """The stat of ``path`` (links followed) when it is a regular file of at most ``max_bytes``.

    FileNotFoundError when nothing is there; NotAFile for a pipe, device, folder or an oversized file;
    another OSError (a symlink loop: ELOOP) when it cannot be looked at."""
    st = os.stat(path)
    _check_mode(path, st, max_bytes)
    return st


def _check_mode(path, st: os.stat_result, max_bytes: int | None) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise NotAFile(path, f"it is {kind_of(st.st_mode)}, not a regular file")
    if max_bytes is not None and st.st_size > max_bytes:
        raise NotAFile(path, f"it is {st.st_size:,} bytes, larger than such a file can be "
                             f"(at most {max_bytes:,} bytes)")


def read_small(path: str | Path, max_bytes: int) -> bytes:
    """The whole content of a regular file of at most ``max_bytes`` bytes; never blocks on a pipe."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        _check_mode(path, os.fstat(fd), max_bytes)
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:  # the file grew while it was read
                raise NotAFile(path, f"it is larger than such a file can be (at most {max_bytes:,} bytes)")
        return b"".join(chunks)
    finally:
        os.close(fd)
