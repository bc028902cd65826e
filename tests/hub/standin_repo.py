"""The repositories the Hub stand-in (tests/hub_standin.py) serves, and the environment that
points Hugging Face tools at it."""

from __future__ import annotations

import hashlib
import os
import socket
from dataclasses import dataclass
from pathlib import Path

LFS_SUFFIXES = (".safetensors", ".bin", ".h5", ".msgpack", ".model", ".pt", ".ckpt", ".gguf", ".onnx", ".ot")


def commit_for(repo_id: str, revision: str = "main") -> str:
    """A fixed 40-hex commit per repo (and named revision)."""
    return hashlib.sha1(f"hanashi-hub-standin:{repo_id}@{revision}".encode()).hexdigest()


def _hashes(path: Path) -> tuple[str, str]:
    """(git blob id, sha256) of a file."""
    size = path.stat().st_size
    sha1 = hashlib.sha1(f"blob {size}\0".encode())
    sha256 = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            sha1.update(chunk)
            sha256.update(chunk)
    return sha1.hexdigest(), sha256.hexdigest()


@dataclass
class RepoFile:
    name: str
    path: Path
    size: int
    blob_id: str
    sha256: str
    lfs: bool

    @property
    def etag(self) -> str:
        return self.sha256 if self.lfs else self.blob_id


class Repo:
    """One model repository: every file of ``folder`` (recursively), plus ``extra`` files.

    ``revisions`` maps extra branch/tag names to commits (``main`` and the commit itself always
    resolve). ``gated``: resolving files needs ``Authorization: Bearer <token>``.
    """

    def __init__(self, repo_id: str, folder: Path, *, gated: bool = False, token: str = "hf_standin_token",
                 commit: str | None = None, revisions: dict[str, str] | None = None,
                 listed_sizes: dict[str, int] | None = None):
        self.repo_id = repo_id
        self.folder = Path(folder)
        self.gated = gated
        self.token = token
        self.commit = commit or commit_for(repo_id)
        self.revisions = {"main": self.commit, **(revisions or {})}
        self.listed_sizes = dict(listed_sizes or {})
        self.files: dict[str, RepoFile] = {}
        for p in sorted(self.folder.rglob("*")):
            if p.is_file():
                name = p.relative_to(self.folder).as_posix()
                blob_id, sha256 = _hashes(p)
                size = p.stat().st_size
                self.files[name] = RepoFile(name, p, size, blob_id, sha256,
                                            lfs=name.endswith(LFS_SUFFIXES) or size > 10 * 2**20)

    def resolve(self, revision: str) -> str | None:
        if revision in self.revisions:
            return self.revisions[revision]
        return revision if revision in self.revisions.values() else None

    def listed_size(self, f: RepoFile) -> int:
        return self.listed_sizes.get(f.name, f.size)

    def sibling(self, f: RepoFile, blobs: bool) -> dict:
        entry: dict = {"rfilename": f.name}
        if blobs:
            entry.update(size=self.listed_size(f), blobId=f.blob_id)
            if f.lfs:
                entry["lfs"] = {"sha256": f.sha256, "size": self.listed_size(f), "pointerSize": 134}
        return entry

    def tree_entry(self, f: RepoFile) -> dict:
        entry: dict = {"type": "file", "oid": f.blob_id, "size": self.listed_size(f), "path": f.name}
        if f.lfs:
            entry["lfs"] = {"oid": f.sha256, "size": self.listed_size(f), "pointerSize": 134}
        return entry

    def info(self, commit: str, blobs: bool) -> dict:
        return {
            "_id": hashlib.md5(self.repo_id.encode()).hexdigest()[:24],
            "id": self.repo_id,
            "modelId": self.repo_id,
            "author": self.repo_id.split("/")[0] if "/" in self.repo_id else None,
            "sha": commit,
            "lastModified": "2024-01-01T00:00:00.000Z",
            "private": False,
            "gated": "manual" if self.gated else False,
            "disabled": False,
            "tags": ["transformers", "safetensors", "ja"],
            "library_name": "transformers",
            "siblings": [self.sibling(f, blobs) for f in self.files.values()],
        }


def hub_env(endpoint: str, root: Path, token: str | None = None, offline: bool = False) -> dict[str, str]:
    """A copy of ``os.environ`` pointed at ``endpoint``, with Hub cache and Hanashi data under ``root``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HF_", "HUGGINGFACE_")) and k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
    env.update(hub_vars(endpoint, root))
    if token:
        env["HF_TOKEN"] = token
    if offline:
        env["HF_HUB_OFFLINE"] = "1"
    return env


def hub_vars(endpoint: str, root: Path) -> dict[str, str]:
    root = Path(root)
    return {
        "HF_ENDPOINT": endpoint,
        "HF_HOME": str(root / "hf-home"),
        "HF_HUB_CACHE": str(root / "hf-home" / "hub"),
        "HANASHI_DATA_DIR": str(root / "data"),
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DOWNLOAD_TIMEOUT": "10",
        "HF_HUB_ETAG_TIMEOUT": "10",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }


def closed_port_url() -> str:
    """An http://127.0.0.1:PORT URL where nothing listens (connections are refused)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"
