"""``pull``: a model from the Hugging Face Hub to a checked GGUF in one step.

    result = pull("rinna/japanese-gpt-neox-3.6b-instruction-ppo", out_type="q4_k_m")

Only what conversion needs is fetched (``hub_files.choose``), into the standard Hub cache
(``hub_cache``), resuming partial files. Before any weights are fetched, config.json is read (an
architecture Hanashi cannot convert is refused there) and free disk space is checked for the
download, the intermediate float file and the output. The conversion is ``convert.convert``:
the same checks, tokenizer parity and progress as ``hanashi-quantize convert``. The GGUF records
the repository and commit it came from; a second pull of the same commit and type finds it and
does nothing. The checkpoint files this call downloaded are removed afterwards unless
``keep_download`` (files that were in the cache before are left alone).

``HF_ENDPOINT``, ``HF_TOKEN``, ``HF_HOME``/``HF_HUB_CACHE`` and ``HF_HUB_OFFLINE`` are honoured,
read at call time. With ``HF_HUB_OFFLINE=1`` nothing touches the network: the cached snapshot is
used, or the error says nothing is cached.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import hub_files
from .errors import ConversionCancelled, ConversionError
from .hub_cache import RepoCache
from .hub_errors import HubError

Progress = Callable[[str, int, int, str], None]


@dataclass
class PullResult:
    path: Path
    repo_id: str
    commit: str
    downloaded: int
    removed_download: bool
    up_to_date: bool
    family: str
    out_type: str
    n_params: int
    seconds: float
    parity_report: str = ""
    parity_exact: bool | None = None


def family_from_repo(repo_id: str, architectures: list | None = None) -> str:
    """The conversation format a repository's name implies (rinna/…-instruction-ppo → rinna-instruction)."""
    from .families import detect_family_from_text

    return detect_family_from_text(repo_id.lower(), list(architectures or []))


def default_output(repo_id: str, out_type: str, models_dir: Path) -> Path:
    return Path(models_dir) / f"{repo_id.replace('/', '-')}-{out_type}.gguf"


def _default_models_dir() -> Path:
    from .data_folder import models_dir

    return models_dir()


def _up_to_date(out: Path, repo_id: str, commit: str, out_type: str) -> bool:
    """``out`` is a readable GGUF converted from this repository's commit to this type."""
    from .gguf_check import checked_info
    from .gguf_info import read_typed_header
    from .metadata import SOURCE_REPO_KEY, SOURCE_REVISION_KEY

    if not out.is_file():
        return False
    try:
        kv = read_typed_header(out).kv
        if kv.get(SOURCE_REPO_KEY) != repo_id or kv.get(SOURCE_REVISION_KEY) != commit:
            return False
        # Whole and usable: every value, and the tensor data inside the file.
        return checked_info(out).file_type == out_type
    except (ConversionError, OSError, ValueError):
        return False


def pull(repo_id: str, *, revision: str | None = None, out_type: str = "q4_k_m", output: Path | None = None,
         models_dir: Path | None = None, keep_download: bool = False, family: str | None = None,
         progress: Progress | None = None, cancelled: Callable[[], bool] | None = None,
         threads: int | None = None, measure_parity: bool = True, force: bool = False) -> PullResult:
    from .convert import check_type, convert

    t0 = time.monotonic()
    repo_id = hub_files.check_repo_id(repo_id)
    out_type = check_type(out_type)
    revision = hub_files.check_revision(revision)
    if output is None:  # the models folder is Hanashi's own: made when missing
        folder = Path(models_dir) if models_dir is not None else _default_models_dir()
        folder.mkdir(parents=True, exist_ok=True)
        output = default_output(repo_id, out_type, folder)
    output = Path(output)
    from .outfile import check_output_target

    check_output_target(output, [], force=force)  # before any download: never after gigabytes
    cache = RepoCache(repo_id)
    remote = hub_files.Remote(repo_id, revision, cache)
    commit, files = remote.listing()
    if _up_to_date(output, repo_id, commit, out_type):
        return PullResult(output, repo_id, commit, 0, False, True, family or family_from_repo(repo_id),
                          out_type, 0, time.monotonic() - t0)

    # config.json first: an architecture Hanashi cannot convert is refused before any weights.
    config_file = next(f for f in files if f.name == "config.json")
    fetched: list[str] = []
    downloaded = 0

    def count(n: int) -> None:
        nonlocal downloaded
        downloaded += n

    if not cache.cached(commit, config_file):
        remote.fetch(commit, config_file, count, cancelled)
        fetched.append(config_file.name)
    config = hub_files.read_config(cache.snapshot(commit) / "config.json", repo_id)
    files = remote.complete_listing(commit, files, config, count, cancelled, fetched)
    hub_files.check_space(cache, commit, files, config, out_type, output)

    todo = [f for f in files if not cache.cached(commit, f)]
    total = sum(f.size - cache.partial_bytes(f) for f in todo)
    done = 0
    if progress and todo:
        progress("download", 0, total, "")
    for f in todo:
        def on_bytes(n: int, name=f.name) -> None:
            nonlocal done
            done += n
            count(n)
            if progress:
                progress("download", min(done, total), total, name)

        remote.fetch(commit, f, on_bytes, cancelled)
        fetched.append(f.name)
    if cancelled is not None and cancelled():
        raise ConversionCancelled()
    cache.write_ref(revision, commit)

    snapshot = cache.snapshot(commit)
    fam = family or family_from_repo(repo_id, config.get("architectures"))
    result = convert(snapshot, output, out_type, family=fam,
                     measure_parity=measure_parity, progress=progress, cancelled=cancelled, threads=threads,
                     name=repo_id.split("/", 1)[1], source=(repo_id, commit), force=force)
    removed = False
    if not keep_download and fetched:
        cache.remove(commit, fetched)
        removed = True
    parity = result.token_parity
    return PullResult(result.path, repo_id, commit, downloaded, removed, False, result.family, out_type,
                      result.n_params, time.monotonic() - t0,
                      parity.format() if parity is not None else "",
                      parity.exact if parity is not None else None)


def pull_here(repo_id: str, **kw) -> PullResult:
    """``pull`` for ``quantize.child``: progress and cancel arrive as the child's own callbacks."""
    from huggingface_hub.utils import disable_progress_bars

    disable_progress_bars()  # progress goes to the parent, not to the child's stderr
    return pull(repo_id, **kw)


__all__ = ["pull", "pull_here", "PullResult", "HubError", "default_output", "family_from_repo"]
