"""Files of a Hugging Face repository in the standard Hub cache, fetched with resume.

The layout is the one every Hugging Face tool shares (``HF_HUB_CACHE``, else ``HF_HOME/hub``,
else ``~/.cache/huggingface/hub``)::

    models--ORG--NAME/blobs/<etag>                the file's bytes
    models--ORG--NAME/snapshots/<commit>/<name>   a link to ../../blobs/<etag>
    models--ORG--NAME/refs/<branch>               the commit the branch pointed to

so a model fetched by Hanashi is found by ``transformers`` and the other way round. A download
in progress is ``blobs/<etag>.incomplete``; it stays when the download is interrupted (network,
Ctrl-C, Cancel, even SIGKILL) and the next fetch asks the server only for the rest (HTTP Range).
The bytes travel through ``huggingface_hub``'s HTTP session with Hanashi's bounds
(``hub_http``). Every file is checked before it enters the cache: LFS files against their
sha256, small files against their git blob id.

Environment variables are read when called, not when imported, so a caller (or test) can point
``HF_HOME`` or ``HF_HUB_CACHE`` elsewhere at any time.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


_HEX40 = re.compile(r"[0-9a-f]{40}")


def cache_root() -> Path:
    """The Hub cache folder, from the environment as it is now."""
    hub = os.environ.get("HF_HUB_CACHE") or os.environ.get("HUGGINGFACE_HUB_CACHE")
    if hub:
        return Path(os.path.expandvars(hub)).expanduser()
    home = os.environ.get("HF_HOME")
    if not home:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        home = os.path.join(xdg, "huggingface")
    return Path(os.path.expandvars(home)).expanduser() / "hub"


def offline() -> bool:
    value = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return value.strip().upper() in {"1", "ON", "YES", "TRUE"}


def is_commit(revision: str) -> bool:
    return bool(_HEX40.fullmatch(revision))


@dataclass(frozen=True)
class RemoteFile:
    name: str  # path inside the repository
    size: int
    etag: str  # the LFS sha256, or the git blob id of a small file
    sha256: str = ""  # set for LFS files: checked after download


class RepoCache:
    """One repository's folder in the Hub cache."""

    def __init__(self, repo_id: str, root: Path | None = None):
        self.repo_id = repo_id
        self.root = (root or cache_root()) / ("models--" + repo_id.replace("/", "--"))
        self.blobs = self.root / "blobs"

    def snapshot(self, commit: str) -> Path:
        return self.root / "snapshots" / commit

    def ref(self, revision: str) -> str | None:
        """The commit a branch or tag was last seen at, or None."""
        if is_commit(revision):
            return revision if self.snapshot(revision).is_dir() else None
        try:
            text = (self.root / "refs" / revision).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return text if is_commit(text) else None

    def write_ref(self, revision: str, commit: str) -> None:
        if is_commit(revision) or revision == commit:
            return
        path = self.root / "refs" / revision
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        tmp.write_text(commit, encoding="ascii")
        os.replace(tmp, path)

    def cached(self, commit: str, f: RemoteFile) -> bool:
        """The file is in the snapshot with the right size."""
        try:
            return (self.snapshot(commit) / f.name).stat().st_size == f.size
        except OSError:
            return False

    def incomplete(self, f: RemoteFile) -> Path:
        return self.blobs / f"{f.etag}.incomplete"

    def partial_bytes(self, f: RemoteFile) -> int:
        try:
            return self.incomplete(f).stat().st_size
        except OSError:
            return 0

    def place(self, commit: str, f: RemoteFile, blob: Path) -> Path:
        """Move a complete download into ``blobs`` and link it from the snapshot."""
        final = self.blobs / f.etag
        os.replace(blob, final)
        return self.link(commit, f, final)

    def link(self, commit: str, f: RemoteFile, final: Path) -> Path:
        """Point the snapshot's ``f`` at the blob ``final`` (a relative link, as the Hub's tools do)."""
        link = self.snapshot(commit) / f.name
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink()
        try:
            link.symlink_to(os.path.relpath(final, link.parent))
        except OSError:  # a file system without links: keep the bytes in the snapshot itself
            os.replace(final, link)
        return link

    def remove(self, commit: str, names: list[str]) -> None:
        """Delete these files of a snapshot and their blobs (when no other snapshot links to them)."""
        snap = self.snapshot(commit)
        for name in names:
            link = snap / name
            target = link.resolve() if link.is_symlink() else None
            link.unlink(missing_ok=True)
            if target is not None and target.parent == self.blobs.resolve() and not self._linked(target):
                target.unlink(missing_ok=True)
        for folder in sorted((p for p in snap.rglob("*") if p.is_dir()), reverse=True):
            _rmdir_if_empty(folder)
        _rmdir_if_empty(snap)

    def _linked(self, blob: Path) -> bool:
        snaps = self.root / "snapshots"
        for p in snaps.rglob("*") if snaps.is_dir() else ():
            if p.is_symlink() and p.resolve() == blob:
                return True
        return False


def _rmdir_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def fetch(cache: RepoCache, commit: str, f: RemoteFile, url: str, headers: dict,
          on_bytes: Callable[[int], None], cancelled: Callable[[], bool] | None = None) -> Path:
    """Download ``f`` into the cache (resuming a partial file) and return its snapshot path.

    ``on_bytes(n)`` is called for every chunk written (a resumed part counts as already done).
    Raises ``ConversionCancelled`` on cancel (the partial file stays), ``ValueError`` when the
    bytes received do not match the size or sha256 the Hub listed (the partial file is removed,
    so the next try starts clean), and the Hub client's own errors for HTTP failures.
    """
    from huggingface_hub.utils import WeakFileLock

    from .hub_http import download

    cache.blobs.mkdir(parents=True, exist_ok=True)
    lock = cache.root.parent / ".locks" / cache.root.name / f"{f.etag}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with WeakFileLock(lock):  # the same lock huggingface_hub takes: no two writers on one blob
        if cache.cached(commit, f):
            return cache.snapshot(commit) / f.name
        final = cache.blobs / f.etag
        if final.is_file() and final.stat().st_size == f.size and _matches(final, f):  # in another snapshot
            return cache.link(commit, f, final)
        part = cache.incomplete(f)
        if cache.partial_bytes(f) > f.size:  # not this file's beginning: start again
            part.unlink()
        part.touch()
        download(url, headers, part, f.name, f.size, on_bytes, cancelled)
        got = part.stat().st_size
        if got != f.size:
            part.unlink(missing_ok=True)
            raise ValueError(f"{f.name}: received {got} bytes, the Hub lists {f.size}")
        if not _matches(part, f):
            part.unlink(missing_ok=True)
            what = "sha256" if f.sha256 else "git blob id"
            raise ValueError(f"{f.name}: the downloaded bytes do not match the {what} the Hub lists")
        return cache.place(commit, f, part)


def _matches(path: Path, f: RemoteFile) -> bool:
    """The file's bytes are the ones the Hub lists: the sha256 of an LFS file, the git blob id
    (sha1 of "blob SIZE\\0" + bytes) of a small one."""
    if f.sha256:
        h, want = hashlib.sha256(), f.sha256
    else:
        h, want = hashlib.sha1(f"blob {path.stat().st_size}\0".encode()), f.etag
        if len(want) != 40:
            return False
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest() == want


def free_bytes(folder: Path) -> int:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return shutil.disk_usage(folder).free


def same_disk(a: Path, b: Path) -> bool:
    def dev(p: Path) -> int:
        while not p.exists() and p != p.parent:
            p = p.parent
        return p.stat().st_dev
    return dev(a) == dev(b)
