"""Shared fixtures: tiny rinna-/dolly-like checkpoints built once per test session.

The checkpoints are made by transformers (the ``reference`` extra, which the README's test command
installs); the sentencepiece models are trained on Hanashi's own generated text.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Nothing a test does may touch the user's own data folder (settings, conversations, model checks).
if "HANASHI_DATA_DIR" not in os.environ:
    _data_dir = tempfile.mkdtemp(prefix="hanashi-test-data-")
    os.environ["HANASHI_DATA_DIR"] = _data_dir
    atexit.register(shutil.rmtree, _data_dir, True)


def _reference_or_skip():
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        pytest.skip("needs the reference extra (torch, transformers): pip install -e '.[reference]'")


class TinyModels:
    """Builds each tiny checkpoint on first use and caches it for the session."""

    def __init__(self, root: Path):
        self.root = root
        self.cache: dict[str, Path] = {}

    def get(self, name: str, build) -> Path:
        if name not in self.cache:
            _reference_or_skip()
            path = self.root / name
            if path.exists():
                shutil.rmtree(path)
            build(path)
            self.cache[name] = path
        return self.cache[name]

    def neox(self, name: str = "tiny-japanese-gpt-neox-random", **kw) -> Path:
        from quantize.tiny.models import build_neox

        return self.get(name, lambda p: build_neox(p, **kw))

    def gpt2(self, name: str = "tiny-gpt2-random", **kw) -> Path:
        from quantize.tiny.models import build_gpt2

        return self.get(name, lambda p: build_gpt2(p, **kw))

    # The models most tests share.
    def rinna(self) -> Path:
        """Trained rinna-instruction-like model with a BPE tokenizer."""
        return self.neox(name="tiny-japanese-gpt-neox-instruction-sft", train_steps=150)

    def dolly(self) -> Path:
        return self.gpt2(name="tiny-dolly-japanese-gpt-1b", train_steps=100)

    # Tokenizers without byte pieces (sentencepiece's default), as published models ship them.
    def dolly_no_bytes(self) -> Path:
        """Trained dolly-like GPT-2 whose unigram tokenizer has no <0xXX> pieces."""
        from quantize.tiny import tokenizer as tok

        return self.gpt2(name="tiny-dolly-japanese-gpt-1b-no-bytes", flavor=tok.DOLLY_NO_BYTES, train_steps=60)

    def neox_no_bytes(self) -> Path:
        """rinna-like GPT-NeoX with a unigram tokenizer without byte pieces (random weights)."""
        from quantize.tiny import tokenizer as tok

        return self.neox(name="tiny-japanese-gpt-neox-unigram-no-bytes", flavor=tok.RINNA_UNIGRAM_NO_BYTES)


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> TinyModels:
    return TinyModels(tmp_path_factory.mktemp("tiny-models"))


@pytest.fixture(scope="session")
def converted(tiny, tmp_path_factory):
    """Converted GGUFs, cached per (model, type)."""
    from quantize.convert import convert

    out_root = tmp_path_factory.mktemp("gguf")
    cache: dict[tuple[str, str], Path] = {}

    def get(model: str = "rinna", out_type: str = "f32") -> Path:
        key = (model, out_type)
        if key not in cache:
            src = getattr(tiny, model)()
            out = out_root / f"{model}-{out_type}.gguf"
            convert(src, out, out_type)
            cache[key] = out
        return cache[key]

    return get


@pytest.fixture
def out_dir(tmp_path) -> Path:
    """An empty folder for a conversion's output."""
    d = tmp_path / "out"
    d.mkdir()
    return d


def copy_model(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst
