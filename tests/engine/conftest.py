"""Fixtures for the engine tests: the shared tiny converted models, and variants of them.

A variant is a copy of a converted GGUF with some metadata changed (another family, no Hanashi
keys, no chat template, extra stop strings or banned tokens) or a tensor left out. The weights
stay those of the tiny trained rinna-like model, so every prompt format runs a real model.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from engine_helpers import EOS_ID, rewrite_gguf


@pytest.fixture(scope="session")
def rinna_gguf(converted) -> Path:
    return converted("rinna", "f32")


@pytest.fixture(scope="session")
def dolly_gguf(converted) -> Path:
    return converted("dolly", "f32")


@pytest.fixture(scope="session")
def variant(rinna_gguf, tmp_path_factory):
    """``variant(name, **rewrite_kw)``: a rewritten copy of the rinna GGUF, cached by name."""
    root = tmp_path_factory.mktemp("variants")
    cache: dict[str, Path] = {}

    def make(name: str, src: Path | None = None, **kw) -> Path:
        if name not in cache:
            cache[name] = rewrite_gguf(src or rinna_gguf, root / f"{name}.gguf", **kw)
        return cache[name]

    return make


@pytest.fixture(scope="session")
def base_gguf(variant) -> Path:
    """The rinna weights as a base model: completion format, no stop strings."""
    return variant("base", set_kv={"hanashi.family": "base"}, remove_prefixes=("hanashi.stop_strings",))


@pytest.fixture(scope="session")
def bilingual_gguf(variant) -> Path:
    return variant("bilingual", set_kv={"hanashi.family": "rinna-bilingual",
                                        "hanashi.stop_strings": ["\nユーザー:", "\nシステム:"]})


@pytest.fixture(scope="session")
def template_gguf(variant) -> Path:
    """Converted elsewhere: no hanashi.* keys, but the chat template is there."""
    return variant("template", remove_prefixes=("hanashi.",))


@pytest.fixture(scope="session")
def plain_gguf(variant) -> Path:
    """Converted elsewhere, without a chat template either."""
    return variant("plain", remove_prefixes=("hanashi.", "tokenizer.chat_template"))


@pytest.fixture(scope="session")
def endless_gguf(variant) -> Path:
    """A base model that never ends its reply (</s> banned): for stopping mid-reply."""
    return variant("endless", set_kv={"hanashi.family": "base", "hanashi.banned_token_ids": [EOS_ID]},
                   remove_prefixes=("hanashi.stop_strings",))


@pytest.fixture(scope="session")
def rinna_engine(rinna_gguf):
    from app.engine import Engine

    engine = Engine.load(rinna_gguf, n_ctx=1024, threads=1)
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def dolly_engine(dolly_gguf):
    from app.engine import Engine

    engine = Engine.load(dolly_gguf, threads=1)
    yield engine
    engine.close()
