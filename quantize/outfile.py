"""Atomic output: a file is written under a temporary name beside its target and renamed at the end.

On any failure, cancellation or Ctrl-C the temporary file is removed, so a GGUF either exists
complete or not at all. Disk-full and permission errors become messages that say so.

Temporary names are ``.<target name>.<pid>.<random>.<tag>.partial``: the writer's pid lets
``quantize.cleanup`` sweep what a killed process left behind without touching a file another
running process is still writing. The finished file gets the mode a newly created file would
(``0o666`` less the umask), not the owner-only mode of a temporary file.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .cleanup import temporary
from .errors import ConversionError

_DISK_FULL = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _gib(n: int) -> str:
    return f"{n / 2**30:.2f} GiB"


def check_writable(out: Path, need_bytes: int) -> None:
    """Fail before any work when the output folder is missing, read-only or too small."""
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise ConversionError("output folder does not exist", folder, "create it or choose another -o path",
                              code="convert.output_folder_missing")
    if out.is_dir():
        raise ConversionError("output path is a folder", out, "give a file name ending in .gguf")
    try:  # a real probe: permissions, ACLs and read-only mounts all show up here
        temp_path_beside(out, "probe").unlink()
    except OSError as e:
        raise ConversionError(f"output folder is not writable ({e.strerror})", folder,
                              "choose a folder you can write to, or fix its permissions",
                              code="convert.output_folder_readonly") from e
    free = shutil.disk_usage(folder).free
    if need_bytes > free:
        raise ConversionError(
            f"not enough disk space: about {_gib(need_bytes)} needed, {_gib(free)} free", folder,
            "free some space or write the output to another disk",
            code="convert.disk_space", params={"needed": _gib(need_bytes), "free": _gib(free)})


def _same(a: Path, b: Path) -> bool:
    try:
        if os.path.samefile(a, b):
            return True
    except (OSError, ValueError):
        pass
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, RuntimeError, ValueError):
        return False


def check_output_target(out: Path, sources: list[Path] = (), force: bool = False) -> None:
    """Refuse an output path whose replacement would destroy something that is not a GGUF.

    The output may not be one of the model's own files (``sources``), nor an existing folder,
    device, pipe or socket; an existing regular file is replaced only when it is a GGUF (its first
    four bytes are ``GGUF``), or when ``force`` is given.
    """
    out = Path(out)
    try:
        st = os.stat(out)
    except FileNotFoundError:
        st = None  # a new file (or a link to nothing): nothing is lost by writing it
    except OSError as e:
        raise ConversionError(f"cannot check the output path ({e.strerror or e})", out,
                              "choose another -o path") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise ConversionError("output path is a folder", out, "give a file name ending in .gguf")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise ConversionError("output path exists and is not a regular file (a device, pipe or socket); "
                              "Hanashi will not replace it", out, "give the path of a new .gguf file")
    for src in sources:
        if _same(out, src):
            raise ConversionError(f"output path is the model's own file {Path(src).name}: writing there "
                                  "would destroy the model being converted", out,
                                  "give a new file name ending in .gguf, e.g. outside the model folder")
    if st is None or force:
        return
    try:
        with open(out, "rb") as f:
            magic = f.read(4)
    except OSError as e:
        raise ConversionError(f"output file exists and cannot be read to check what it is ({e.strerror or e})",
                              out, "choose another -o path, or pass --force to replace it") from None
    if magic != b"GGUF":
        raise ConversionError("output file exists and is not a GGUF model file; Hanashi replaces only GGUF "
                              "files", out, "choose another -o path, or pass --force to replace it")


def _is_short_write(e: OSError) -> bool:
    # numpy's tofile() reports a short write (the disk or a size limit ran out) without an errno.
    return e.errno is None and "requested and" in str(e) and "written" in str(e)


def os_error(e: OSError, path: Path) -> ConversionError:
    if e.errno in _DISK_FULL or _is_short_write(e):
        return ConversionError("disk full while writing the output (nothing was kept)", path,
                               "free some disk space or write to another disk, then run again",
                               code="convert.disk_full")
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ConversionError(f"cannot write the output: {e.strerror}", path,
                               "choose a folder you can write to", code="convert.output_readonly")
    return ConversionError(f"I/O error while writing: {e.strerror or e}", path, code="convert.write_failed")


def temp_path_beside(out: Path, tag: str) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{out.name}.{os.getpid()}.", suffix=f".{tag}.partial",
                                dir=out.parent or ".")
    os.close(fd)
    return Path(name)


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # no read-only API elsewhere: set and restore at once
    os.umask(mask)
    return mask


def default_file_mode() -> int:
    """The mode ``open()`` would give a new file: ``0o666`` less the umask."""
    return 0o666 & ~current_umask()


@contextmanager
def atomic_output(out: Path) -> Iterator[Path]:
    """Yield a temporary path; on success it replaces ``out``, on failure it is deleted."""
    out = Path(out)
    try:
        with temporary(lambda: temp_path_beside(out, "gguf"), lambda p: p.unlink(missing_ok=True)) as tmp:
            yield tmp
            os.chmod(tmp, default_file_mode())
            os.replace(tmp, out)
    except OSError as e:
        raise os_error(e, out) from e
