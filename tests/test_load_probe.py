"""The first load of a GGUF is checked in a child process, once per file (app.engine.load_probe)."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import gguf
import pytest

from app import paths
from app.engine import CorruptModelError, Engine, ModelLoadError, load_probe

sys.path.insert(0, str(Path(__file__).parent / "engine"))
from engine_helpers import rewrite_gguf  # noqa: E402


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "data"
    monkeypatch.setenv("HANASHI_DATA_DIR", str(path))
    monkeypatch.setattr(load_probe, "_memo", {})  # a fresh process's memory: only the file cache counts
    return path


@pytest.fixture
def demo_copy(tmp_path) -> Path:
    """The bundled demo under a path no earlier test has probed."""
    return Path(shutil.copy(paths.DEMO_MODEL, tmp_path / "demo-copy.gguf"))


@pytest.fixture(scope="module")
def no_byte_pieces(tmp_path_factory) -> Path:
    """The demo with its <0xXX> byte tokens renamed: llama.cpp's tokenizer aborts on text it can't
    cover with pieces (std::out_of_range from unordered_map::at)."""
    reader = gguf.GGUFReader(str(paths.DEMO_MODEL))
    tokens = reader.get_field("tokenizer.ggml.tokens").contents()
    renamed = [re.sub(r"^<0x([0-9A-F]{2})>$", r"<byte\1>", t) for t in tokens]
    assert renamed != tokens
    out = tmp_path_factory.mktemp("hostile") / "no-byte-pieces.gguf"
    return rewrite_gguf(paths.DEMO_MODEL, out, {"tokenizer.ggml.tokens": renamed})


def _entries(data_dir: Path) -> dict:
    return json.loads((data_dir / load_probe.CACHE_NAME).read_text(encoding="utf-8"))


def test_the_demo_model_passes_quickly_and_the_verdict_is_remembered(data_dir, demo_copy):
    t0 = time.monotonic()
    load_probe.check(demo_copy)
    first = time.monotonic() - t0
    assert first < 3.0, f"probing the demo took {first:.2f}s"
    entry = _entries(data_dir)[str(demo_copy.resolve())]
    st = demo_copy.stat()
    assert entry["ok"] is True and entry["loaded"] is True and entry["decode_rc"] == 0
    assert (entry["size"], entry["mtime_ns"]) == (st.st_size, st.st_mtime_ns)
    # A new process (empty memory) reads the verdict from the file: no child is started.
    load_probe._memo.clear()
    cache = data_dir / load_probe.CACHE_NAME
    before = cache.stat().st_mtime_ns
    t0 = time.monotonic()
    for _ in range(5):
        load_probe.check(demo_copy)
    assert time.monotonic() - t0 < 0.2
    assert cache.stat().st_mtime_ns == before  # nothing was probed (or written) again


def test_a_changed_file_is_probed_again(data_dir, demo_copy):
    load_probe.check(demo_copy)
    old = _entries(data_dir)[str(demo_copy.resolve())]["mtime_ns"]
    os.utime(demo_copy, ns=(old + 10**9, old + 10**9))
    load_probe.check(demo_copy)
    assert _entries(data_dir)[str(demo_copy.resolve())]["mtime_ns"] == old + 10**9


def test_a_file_that_aborts_llama_cpp_is_a_clear_error_and_this_process_lives_on(data_dir, no_byte_pieces):
    with pytest.raises(CorruptModelError) as e:
        load_probe.check(no_byte_pieces)
    err = e.value
    assert isinstance(err, ModelLoadError) and err.path == str(no_byte_pieces.resolve())
    text = str(err)
    assert "llama.cpp cannot use this file: it crashed while tokenizing" in text
    assert "SIGABRT" in text and "How to fix" in text
    entry = _entries(data_dir)[str(no_byte_pieces.resolve())]
    assert entry["ok"] is False and entry["stage"].startswith("tokenizing")
    # Remembered: the second refusal is immediate and says the same.
    load_probe._memo.clear()
    t0 = time.monotonic()
    with pytest.raises(CorruptModelError) as again:
        load_probe.check(no_byte_pieces)
    assert time.monotonic() - t0 < 0.2 and str(again.value) == text


def test_engine_load_refuses_the_file_and_still_loads_a_good_one(data_dir, no_byte_pieces, demo_copy):
    with pytest.raises(ModelLoadError) as e:
        Engine.load(no_byte_pieces, gpu_layers=0, n_ctx=256, threads=1)
    assert str(no_byte_pieces.resolve()) in str(e.value) or str(no_byte_pieces) in str(e.value)
    with Engine.load(demo_copy, gpu_layers=0, n_ctx=256, threads=1) as engine:
        assert engine.encode("こんにちは\n😀")  # the same calls, now in this process
    assert _entries(data_dir)[str(demo_copy.resolve())]["ok"] is True


def test_loading_the_same_file_many_times_probes_it_once(data_dir, demo_copy):
    Engine.load(demo_copy, gpu_layers=0, n_ctx=256, threads=1).close()
    cache = data_dir / load_probe.CACHE_NAME
    before = cache.stat().st_mtime_ns
    t0 = time.monotonic()
    for _ in range(3):
        load_probe.check(demo_copy)
        Engine.load(demo_copy, gpu_layers=0, n_ctx=256, threads=1).close()
    assert cache.stat().st_mtime_ns == before
    assert time.monotonic() - t0 < 10


def test_a_damaged_cache_file_is_ignored_and_rewritten(data_dir, demo_copy):
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / load_probe.CACHE_NAME).write_text("[[[not json", encoding="utf-8")
    load_probe.check(demo_copy)
    assert _entries(data_dir)[str(demo_copy.resolve())]["ok"] is True
