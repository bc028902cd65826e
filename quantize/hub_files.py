"""Which files of a Hub repository a conversion needs, where they are listed, and the space they take."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Callable
from urllib.parse import quote

from . import hub_cache
from .errors import ConversionError
from .hub_cache import RemoteFile, RepoCache
from .hub_errors import HubError, hub_error

_REPO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}")
# Small files the converter reads (or that help the family guess); fetched when the repo has them.
META_FILES = ("config.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
              "generation_config.json", "README.md", "spiece.model", "tokenizer.model", "sentencepiece.bpe.model")
ST_INDEX = "model.safetensors.index.json"
PT_INDEX = "pytorch_model.bin.index.json"
PT_SINGLE = "pytorch_model.bin"
_FLOAT_BITS = {"f32": 32, "f16": 16, "bf16": 16}
META_LIMIT = 64 << 20  # a config or tokenizer file larger than this is not one


def check_repo_id(repo_id: str) -> str:
    repo_id = (repo_id or "").strip().strip("/") if isinstance(repo_id, str) else ""
    if repo_id.startswith(("https://huggingface.co/", "http://huggingface.co/")):
        repo_id = repo_id.split("huggingface.co/", 1)[1].strip("/")
    ok = bool(_REPO_ID.fullmatch(repo_id)) and ".." not in repo_id and "--" not in repo_id
    if ok:
        from huggingface_hub.utils import HFValidationError, validate_repo_id

        try:
            validate_repo_id(repo_id)  # the Hub's own rules: no "--", "..", ".git", leading/trailing "-" or "."
        except HFValidationError:
            ok = False
    if not ok or any(part.endswith(("-", ".")) or part.endswith(".git") for part in repo_id.split("/")):
        raise HubError("not_found", f"{repo_id[:200]!r} is not a Hugging Face repository id", None,
                       "give it as ORG/NAME, e.g. rinna/japanese-gpt-neox-3.6b-instruction-ppo")
    return repo_id


def safe_name(name) -> bool:
    """A repository path that stays inside the snapshot folder on every system."""
    if not isinstance(name, str) or not name or len(name) > 500 or name.startswith("/"):
        return False
    if any(c in name for c in "\\:\0") or any(ord(c) < 32 for c in name):
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


def check_revision(revision: str | None) -> str:
    revision = revision or "main"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,199}", revision) or ".." in revision or "//" in revision:
        raise HubError("revision", f"{revision[:200]!r} is not a branch, tag or commit name", None,
                       "give a branch (main), a tag, or a 40-character commit id")
    return revision


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")


def _first_names(names: set[str]) -> list[str]:
    """The files to fetch before config.json is read: the small ones, and the weights' index."""
    wanted = [n for n in META_FILES if n in names]
    if "config.json" not in names:
        raise HubError("files", "the repository has no config.json, so it is not a Transformers model", None,
                       "pull the repository of the original model (with config.json and its weights)")
    return wanted


def weight_names(names: set[str], index_map: Callable[[str], dict] | None) -> list[str]:
    """The weight files: safetensors when there are any (only the shards the index names),
    else PyTorch's pickle files. ``index_map(name)`` reads an index file's weight_map."""
    root = {n for n in names if "/" not in n}
    if ST_INDEX in root and index_map is not None:
        return [ST_INDEX] + sorted(set(index_map(ST_INDEX).values()))
    st = sorted(n for n in root if n.endswith(".safetensors"))
    if st:
        return st
    if PT_INDEX in root and index_map is not None:
        return [PT_INDEX] + sorted(set(index_map(PT_INDEX).values()))
    if PT_SINGLE in root:
        return [PT_SINGLE]
    raise HubError("files", "the repository has no weights Hanashi can read (*.safetensors or pytorch_model.bin)",
                   None, "pull the repository of the original PyTorch/safetensors model")


def read_config(path: Path, repo_id: str) -> dict:
    from .archs import ARCHITECTURES
    from .checkpoint import _read_json

    from .bygpt.layout import recognise

    config = _read_json(path, "config.json")
    if recognise(config):  # the byte-level multi-head model: its own converter (quantize/bygpt)
        return config
    archs = config.get("architectures")
    arch = archs[0] if isinstance(archs, list) and len(archs) == 1 else archs
    if not isinstance(arch, str) or arch not in ARCHITECTURES:
        shown = str(arch)[:80]
        raise HubError("unsupported", f"{repo_id} is a {shown} model, which Hanashi cannot convert; "
                       f"supported: {', '.join(ARCHITECTURES)} and tohoku-nlp's byGPT", path,
                       "choose a rinna GPT-NeoX or inu-ai GPT-2 model (see the catalogue in the app)")
    return config


class Remote:
    """One repository at one revision, on the Hub or (offline) in the cache."""

    def __init__(self, repo_id: str, revision: str, cache: RepoCache):
        self.repo_id, self.revision, self.cache = repo_id, revision, cache
        self.endpoint = endpoint()
        self.offline = hub_cache.offline()
        self._all: dict[str, RemoteFile] = {}

    def listing(self) -> tuple[str, list[RemoteFile]]:
        """(commit, the small files to fetch first)."""
        commit = self._offline_listing() if self.offline else self._online_listing()
        return commit, [self._all[n] for n in _first_names(set(self._all))]

    def _online_listing(self) -> str:
        from huggingface_hub.utils import build_hf_headers

        from .hub_http import get_json

        rev = self.revision
        url = f"{self.endpoint}/api/models/{self.repo_id}/revision/{quote(rev, safe='')}"
        try:
            info = get_json(url, build_hf_headers(), {"blobs": True}, self.repo_id)
        except HubError:
            raise
        except Exception as e:  # noqa: BLE001 - every Hub failure becomes one HubError line
            wrapped = hub_error(e, self.repo_id, self.revision, self.endpoint)
            if wrapped is None:
                raise
            raise wrapped from None
        commit = info.get("sha") if isinstance(info, dict) else None
        if not isinstance(commit, str) or not hub_cache.is_commit(commit):
            raise HubError("network", f"the Hub's answer about {self.repo_id} has no valid commit id", url,
                           "check HF_ENDPOINT: it must be the Hugging Face Hub or a mirror of it")
        if hub_cache.is_commit(rev) and commit != rev:
            raise HubError("revision", f"asked for commit {rev[:12]} of {self.repo_id}, the Hub answered with "
                           f"{commit[:12]}", url, "check HF_ENDPOINT, or give the revision again")
        siblings = info.get("siblings")
        if not isinstance(siblings, list):
            raise HubError("network", f"the Hub's answer about {self.repo_id} has no file list", url,
                           "check HF_ENDPOINT: it must be the Hugging Face Hub or a mirror of it")
        for s in siblings:
            if not isinstance(s, dict) or not safe_name(s.get("rfilename")):
                continue  # a name that would leave the snapshot folder is never fetched
            lfs = s.get("lfs") or {}
            if not isinstance(lfs, dict):
                continue  # an LFS record of the wrong shape: the file cannot be checked, so it is not fetched
            sha = lfs.get("sha256") if isinstance(lfs.get("sha256"), str) else ""
            blob = s.get("blobId") if isinstance(s.get("blobId"), str) else ""
            size = s.get("size", lfs.get("size"))
            etag = sha or blob
            if (type(size) is not int or size < 0 or not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", etag)
                    or (sha and not re.fullmatch(r"[0-9a-f]{64}", sha))):
                continue  # a file without a size or hash cannot be fetched safely
            self._all[s["rfilename"]] = RemoteFile(s["rfilename"], size, etag, sha)
        return commit

    def _offline_listing(self) -> str:
        commit = self.cache.ref(self.revision)
        snap = self.cache.snapshot(commit) if commit else None
        if snap is None or not snap.is_dir():
            raise HubError("offline", f"HF_HUB_OFFLINE is set and {self.repo_id} (revision {self.revision}) "
                           "is not in the download cache", self.cache.root,
                           "unset HF_HUB_OFFLINE to download it, or point HF_HOME at the cache that has it")
        for p in snap.rglob("*"):
            name = p.relative_to(snap).as_posix()
            if p.is_dir() and not p.is_symlink():
                continue
            try:
                st = p.stat()
                regular = stat.S_ISREG(st.st_mode)
            except OSError:
                regular = False
            if not regular:
                raise HubError("offline", f"the download cache of {self.repo_id} is damaged: {name} is a broken "
                               "link or not a file", p, "unset HF_HUB_OFFLINE and pull again to repair it")
            etag = Path(os.readlink(p)).name if p.is_symlink() else name
            self._all[name] = RemoteFile(name, st.st_size, etag)
        return commit

    def complete_listing(self, commit: str, first: list[RemoteFile], config: dict,
                         on_bytes: Callable[[int], None], cancelled, fetched: list[str]) -> list[RemoteFile]:
        """All the files to have: the first ones, plus the weights (their index fetched to know them)."""
        files = list(first)

        def index_map(name: str) -> dict:
            f = self._all[name]
            if not self.cache.cached(commit, f):
                self.fetch(commit, f, on_bytes, cancelled)
                fetched.append(name)
            from .checkpoint import _weight_map

            return _weight_map(self.cache.snapshot(commit) / name, ".bin" if name == PT_INDEX else ".safetensors")

        for name in weight_names(set(self._all), index_map):
            f = self._all.get(name)
            if f is None:
                how = ("the download cache has only part of it" if self.offline
                       else "the repository's index names a file it does not have")
                raise HubError("files", f"{self.repo_id}: {name} is missing ({how})", self.cache.snapshot(commit),
                               "unset HF_HUB_OFFLINE and pull again" if self.offline
                               else "report it to the model's authors; nothing can be converted without it")
            if f not in files:
                files.append(f)
        return files

    def fetch(self, commit: str, f: RemoteFile, on_bytes: Callable[[int], None], cancelled) -> Path:
        if not f.name.endswith((".safetensors", ".bin")) and f.size > META_LIMIT:
            raise HubError("files", f"{self.repo_id}: {f.name} is listed as {f.size / 2**20:,.0f} MiB; a "
                           f"configuration or tokenizer file is never larger than {META_LIMIT >> 20} MiB",
                           f"{self.endpoint}/{self.repo_id}", "check HF_ENDPOINT, or report the file to the "
                           "model's authors")
        if self.cache.cached(commit, f):
            return self.cache.snapshot(commit) / f.name
        if self.offline:
            raise HubError("offline", f"HF_HUB_OFFLINE is set and {f.name} of {self.repo_id} is not in the "
                           "download cache", self.cache.root, "unset HF_HUB_OFFLINE to download it")
        from huggingface_hub import hf_hub_url
        from huggingface_hub.utils import build_hf_headers

        url = hf_hub_url(self.repo_id, f.name, revision=commit, endpoint=self.endpoint)
        try:
            return hub_cache.fetch(self.cache, commit, f, url, build_hf_headers(), on_bytes, cancelled)
        except ValueError as e:
            raise HubError("files", f"{self.repo_id}: {e}", self.cache.root,
                           "pull again; the damaged part was removed") from None
        except ConversionError:
            raise
        except Exception as e:  # noqa: BLE001
            wrapped = hub_error(e, self.repo_id, self.revision, self.endpoint, where=self.cache.root)
            if wrapped is None:
                raise
            raise wrapped from None


def _gib(n: int) -> str:
    return f"{n / 2**30:.2f} GiB"


def check_space(cache: RepoCache, commit: str, files: list[RemoteFile], config: dict, out_type: str,
                output: Path) -> None:
    """Refuse before fetching weights when the download, the intermediate and the output won't fit."""
    from .outfile import check_writable
    from .quantizer import QUANT_TYPES

    todo = sum(f.size - cache.partial_bytes(f) for f in files if not cache.cached(commit, f))
    weights = sum(f.size for f in files if f.name.endswith((".safetensors", ".bin")))
    dtype = str(config.get("torch_dtype") or config.get("dtype") or "float16")
    elem = 4 if "32" in dtype or "64" in dtype else 2
    n_params = weights // elem
    if out_type in QUANT_TYPES:
        conversion = n_params * elem + int(n_params * QUANT_TYPES[out_type][1] / 8)
    else:
        conversion = n_params * _FLOAT_BITS.get(out_type, 32) // 8
    if hub_cache.same_disk(cache.root.parent, output.parent if output.parent.exists() else Path(".")):
        free = hub_cache.free_bytes(cache.root.parent)
        if todo + conversion > free:
            raise HubError("disk", f"not enough disk space: about {_gib(todo + conversion)} needed "
                           f"({_gib(todo)} to download, {_gib(conversion)} for the conversion), {_gib(free)} free",
                           cache.root.parent, "free some space, or set HF_HOME to a bigger disk for the download")
    else:
        free = hub_cache.free_bytes(cache.root.parent)
        if todo > free:
            raise HubError("disk", f"not enough disk space for the download: about {_gib(todo)} needed, "
                           f"{_gib(free)} free", cache.root.parent, "free some space, or set HF_HOME to a bigger disk")
    check_writable(output, conversion)
