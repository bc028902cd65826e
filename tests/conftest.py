"""Shared fixtures: tiny rinna-/dolly-like checkpoints built once per test session.

The checkpoints are made by transformers (the ``reference`` extra, which the README's test command
installs); the sentencepiece models are trained on Hanashi's own generated text.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


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


def copy_model(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst
