"""The first load of a GGUF happens in a child process, once per file.

llama.cpp aborts the whole process (``GGML_ASSERT``, an uncaught C++ exception) on many values a
damaged or foreign GGUF can hold, in places Python-side checks cannot fully foresee: loading the
vocabulary and weights, building the compute graph for a context, tokenizing a line break or an
emoji, decoding a token. So before Hanashi loads a file it has not seen, a child process
(``quantize.child``) does exactly those things on it:

    load the model (vocabulary and weights, memory-mapped, on the CPU) → create a small context →
    tokenize "\\n", Japanese text and an emoji (and turn the tokens back into text) → decode one token

If the child dies, ``CorruptModelError`` names the file and the step; the app keeps running. If it
survives, the same calls are safe in-process. llama.cpp refusing the file cleanly (a null model)
is not a crash: the in-process load then reports it with its usual, more specific message.

The verdict is remembered per file identity (path, size, modification time) in
``model-checks.json`` in the data folder, and in memory for this process, so each file is probed
once; a file that changes is probed again.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from app.local_files import read_small
from quantize import llama_lib
from .errors import CorruptModelError, ModelLoadError

CACHE_NAME = "model-checks.json"
_MAX_ENTRIES = 500
_MAX_CACHE_BYTES = 8 << 20  # 500 entries take about 150 KB
_PROBE_TEXTS = (("a line break", "\n"), ("Japanese text", "日本語の文章です。こんにちは、世界！"),
                ("an emoji", "😀👍"))
_FIX = ("the file is damaged, or was written by a tool that llama.cpp does not understand: download it "
        "again or convert the original model with hanashi-quantize")

_memo: dict[tuple[str, int, int, str], dict] = {}
_lock = threading.Lock()


def _llama_version() -> str:
    try:
        from importlib.metadata import version

        return version("llama_cpp_python")
    except Exception:  # noqa: BLE001
        return "?"


def _cache_path() -> Path | None:
    try:
        from app import paths

        return paths.data_dir() / CACHE_NAME
    except OSError:
        return None


def _read_cache(path: Path | None) -> dict:
    if path is None:
        return {}
    try:  # a pipe, a device or a huge file in its place is ignored (and replaced on the next write)
        data = json.loads(read_small(path, _MAX_CACHE_BYTES).decode("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError, RecursionError):
        return {}


def _write_cache(path: Path | None, entries: dict) -> None:
    if path is None:
        return
    if len(entries) > _MAX_ENTRIES:  # the oldest go first (dicts keep insertion order)
        entries = dict(list(entries.items())[-_MAX_ENTRIES:])
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(entries, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def _valid(entry: object, size: int, mtime_ns: int, llama: str) -> bool:
    return (isinstance(entry, dict) and entry.get("size") == size and entry.get("mtime_ns") == mtime_ns
            and entry.get("llama") == llama and isinstance(entry.get("ok"), bool)
            and isinstance(entry.get("message", ""), str))


def check(path: str | Path, timeout: float | None = None) -> None:
    """Probe ``path`` in a child unless this file was probed before; raise ``CorruptModelError`` if
    llama.cpp dies on it. A file that can't be probed in ``timeout`` seconds raises ``ModelLoadError``."""
    try:
        p = Path(path).resolve()
        st = p.stat()
    except (OSError, RuntimeError):
        return  # the loader reports a missing file or a symlink loop with its own message
    llama = _llama_version()
    key = (str(p), st.st_size, st.st_mtime_ns, llama)
    with _lock:
        verdict = _memo.get(key)
        cache_file = _cache_path() if verdict is None else None
        if verdict is None:
            entry = _read_cache(cache_file).get(str(p))
            if _valid(entry, st.st_size, st.st_mtime_ns, llama):
                verdict = _memo[key] = entry
    if verdict is None:
        verdict = _probe(p, st.st_size, timeout)
        verdict = {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "llama": llama, **verdict}
        with _lock:
            _memo[key] = verdict
            entries = _read_cache(cache_file)
            entries.pop(str(p), None)
            entries[str(p)] = verdict
            _write_cache(cache_file, entries)
    if not verdict["ok"]:
        raise CorruptModelError(verdict.get("message") or "llama.cpp cannot use this file", p, _FIX,
                                code="model.crashed")


def _probe(path: Path, size: int, timeout: float | None) -> dict:
    from quantize import child

    stages = ["starting"]
    if timeout is None:  # decoding a token reads every weight once: allow for a slow disk
        timeout = 120 + size / (20 * 2**20)
    try:
        result = child.run("app.engine.load_probe:probe_here", (str(path),), stage="checking the model file",
                           path=path, progress=lambda stage, *_: stages.append(stage), timeout=timeout)
    except child.ChildTimeout as e:
        raise ModelLoadError(f"llama.cpp did not finish {stages[-1]} within {timeout:.0f} s", path,
                             "if the file is on a slow or network disk, copy it to a local disk and try "
                             "again", code="model.probe_timeout",
                             params={"seconds": int(timeout)}) from e
    except child.ChildCrashed as e:
        how = e.message.split(": ", 1)[-1]  # "the worker process was stopped by signal SIGABRT (…)"
        return {"ok": False, "stage": stages[-1],
                "message": f"llama.cpp cannot use this file: it crashed while {stages[-1]} ({how})"}
    return {"ok": True, "stage": "done", "message": "", **(result or {})}


# ----------------------------------------------------------------------------- the child's side

def probe_here(path: str, progress=None) -> dict:
    """Load ``path`` in llama.cpp and exercise it; runs in the child. Returns what happened."""
    import ctypes

    llama_cpp = llama_lib.load()

    from quantize import llama_log
    from quantize.llama_vocab import tokenize_with

    def stage(name: str) -> None:
        if progress is not None:
            progress(name, 1, 1, "")

    llama_cpp.llama_backend_init()
    stage("loading the model")
    mparams = llama_cpp.llama_model_default_params()
    mparams.n_gpu_layers = 0
    mparams.use_mmap = True
    model = llama_cpp.llama_model_load_from_file(path.encode("utf-8"), mparams)
    if not model:
        return {"loaded": False, "detail": llama_log.last_errors()}
    stage("creating a context")
    cparams = llama_cpp.llama_context_default_params()
    cparams.n_ctx = cparams.n_batch = cparams.n_ubatch = 64
    cparams.n_threads = cparams.n_threads_batch = max(1, min(4, os.cpu_count() or 1))
    cparams.no_perf = True
    cparams.flash_attn_type = llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED
    ctx = llama_cpp.llama_init_from_model(model, cparams)
    if not ctx:
        return {"loaded": False, "detail": llama_log.last_errors()}
    vocab = llama_cpp.llama_model_get_vocab(model)
    buf = ctypes.create_string_buffer(256)
    first = None
    for label, text in _PROBE_TEXTS:
        for special in (False, True):
            stage(f"tokenizing {label}")
            tokens = tokenize_with(vocab, text, special)
            stage(f"turning the tokens of {label} back into text")
            for t in tokens:
                llama_cpp.llama_token_to_piece(vocab, t, buf, len(buf), 0, False)
            if first is None and tokens:
                first = tokens[0]
    if first is None:
        first = max(0, llama_cpp.llama_vocab_bos(vocab))
    stage("decoding a token")
    one = (llama_cpp.llama_token * 1)(first)
    rc = llama_cpp.llama_decode(ctx, llama_cpp.llama_batch_get_one(one, 1))
    llama_cpp.llama_free(ctx)
    llama_cpp.llama_model_free(model)
    return {"loaded": True, "decode_rc": int(rc)}
