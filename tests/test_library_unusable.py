"""A model whose metadata makes it unusable is listed with the reason; listing the library and
choosing the model to open at start never raise, whatever the files in the models folder hold."""

from __future__ import annotations

import os
import shutil

import pytest

from app import library, paths
from tests.gguf_rewrite import DEMO, rewrite


@pytest.fixture
def models(tmp_path, monkeypatch):
    monkeypatch.setenv("HANASHI_DATA_DIR", str(tmp_path / "data"))
    return paths.models_dir()


def test_unusable_models_are_listed_with_the_reason(models):
    rewrite(models / "a-file-type-array.gguf", set_kv={"general.file_type": [1, 2]})
    rewrite(models / "b-block-count-text.gguf", set_kv={"gptneox.block_count": "two"})
    rewrite(models / "c-bert.gguf", set_kv={"tokenizer.ggml.model": "bert"})
    rewrite(models / "d-sampling.gguf", set_kv={"hanashi.sampling": "[[[", "hanashi.parity.tokenizer.total": "x"})
    (models / "e-truncated.gguf").write_bytes(DEMO.read_bytes()[:5000])
    (models / "f-text.gguf").write_text("not a model")
    os.mkfifo(models / "g-pipe.gguf")
    shutil.copy(DEMO, models / "z-good.gguf")
    entries = {e.path.name: e for e in library.list_models()}
    reasons = {name: e.error for name, e in entries.items()}
    assert "general.file_type" in reasons["a-file-type-array.gguf"]
    assert "gptneox.block_count = 'two'" in reasons["b-block-count-text.gguf"]
    assert "'bert'" in reasons["c-bert.gguf"]
    assert "hanashi.sampling" in reasons["d-sampling.gguf"]
    assert "truncated" in reasons["e-truncated.gguf"] or "damaged" in reasons["e-truncated.gguf"]
    assert "not a GGUF" in reasons["f-text.gguf"]
    assert "not a regular file" in reasons["g-pipe.gguf"]
    assert reasons["z-good.gguf"] == "" and entries["z-good.gguf"].usable
    for name, e in entries.items():
        if name != "z-good.gguf" and not e.bundled:
            assert not e.usable and e.family_text == "" and e.parity_text == "not measured"
    # The first usable model is chosen at start; unusable ones are skipped, even as the last model.
    assert library.default_model() == models / "z-good.gguf"
    assert library.default_model(str(models / "b-block-count-text.gguf")) == models / "z-good.gguf"


def test_only_unusable_models_falls_back_to_the_demo(models):
    rewrite(models / "bad.gguf", set_kv={"gptneox.block_count": 0})
    assert library.default_model() == library.demo_model()
    assert library.list_models(opened=[str(models / "gone.gguf"), 5, None])[0].error
