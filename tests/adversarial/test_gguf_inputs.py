"""Hostile GGUFs against every consumer: terminal chat, Engine, library listing, desktop window,
``hanashi-quantize verify``. Each runs in a subprocess with a timeout; each case must end in a
clean error or a safe default (see tests/adversarial/harness.py for how outcomes are judged).
"""

from __future__ import annotations

import pytest

from . import ggufs, targets
from .app_cases import app_cases
from .templates import ESCAPE_MARKER

CASES = ggufs.selected(ggufs.gguf_cases(), "pytest")
BY_NAME = {c.name: c for c in CASES}
# The Engine driver runs the cases whose damage is in values the engine itself uses.
ENGINE_CASES = [c for c in CASES if c.category in ("range", "vocab", "sampling", "template", "types")
                and not c.chat_args]
GUI_CASES = ["block-count-string", "file-type-array", "block-count-0", "rope-dim-0", "template-loop-10^10",
             "template-strftime-huge", "llama-without-byte-tokens", "tokens-duplicate", "sp-model-corrupt",
             "banned-every-token", "sampling-not-object", "context-limit-1", "special-symlink-loop", "special-fifo"]
VERIFY_CASES = ["block-count-0", "rope-dim-over-head", "tokenizer-model-bert", "tensor-missing", "eps-nan",
                "tokens-empty-string"]


@pytest.fixture(autouse=True)
def _no_stale_marker():
    ESCAPE_MARKER.unlink(missing_ok=True)
    yield
    ESCAPE_MARKER.unlink(missing_ok=True)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_terminal_chat(case, hostile_ggufs, tmp_path):
    o = targets.chat(case.name, hostile_ggufs[case.name], tmp_path, args=case.chat_args, stdin=case.chat_input,
                     sane=case.sane)
    assert o.ok, o.describe()
    if case.expect == "error":
        assert o.kind == "clean", o.describe()


@pytest.mark.parametrize("case", ENGINE_CASES, ids=[c.name for c in ENGINE_CASES])
def test_engine(case, hostile_ggufs, tmp_path):
    o = targets.engine(case.name, hostile_ggufs[case.name], tmp_path, sane=case.sane)
    assert o.ok, o.describe()


def test_library_lists_every_hostile_file(hostile_ggufs, tmp_path):
    """All hostile files in one models folder: the listing works and names each one (unusable ones
    with the reason)."""
    files = {name: f for name, f in hostile_ggufs.items() if not BY_NAME[name].chat_args}
    outcomes = targets.library_batch(files, tmp_path)
    bad = [o.describe() for o in outcomes.values() if not o.ok]
    assert not bad, "\n".join(bad)
    unusable = [o.case for o in outcomes.values() if o.kind == "clean"]
    # Files llama.cpp refuses must be listed as unusable, not offered as models that then fail to load.
    for name in ("truncated-half", "n-kv-2^63", "block-count-string", "tensor-offset-huge", "flip-header-4",
                 "tensor-offsets-overlap"):
        assert name in unusable, f"{name} must be listed as unusable with its reason: {outcomes[name].detail}"


def test_app_starts_with_every_hostile_file_in_the_models_folder(hostile_ggufs, tmp_path):
    models = {f"{name}.gguf": f for name, f in hostile_ggufs.items() if not BY_NAME[name].chat_args}
    o = targets.gui("app-start-with-every-hostile-file", None, tmp_path, models=models, open_it=False)
    assert o.ok, o.describe()
    assert o.extra["result"].get("app_exit") == 0, o.describe()


@pytest.mark.parametrize("name", GUI_CASES)
def test_app_opens_hostile_file(name, hostile_ggufs, tmp_path):
    o = targets.gui(name, hostile_ggufs[name], tmp_path)
    assert o.ok, o.describe()


@pytest.mark.parametrize("name", VERIFY_CASES)
def test_verify(name, hostile_ggufs, bases, tmp_path):
    o = targets.verify(name, hostile_ggufs[name], bases[BY_NAME[name].base], tmp_path)
    assert o.ok, o.describe()


APP_CASES = [name for name, _kw, tag in app_cases(None, None) if tag]


@pytest.mark.parametrize("name", APP_CASES)
def test_app_settings_and_context(name, bases, hostile_ggufs, tmp_path):
    kw = next(kw for n, kw, _t in app_cases(bases["neox-gguf"], hostile_ggufs["special-fifo"]) if n == name)
    o = targets.gui(name, kw.pop("gguf"), tmp_path, **kw)
    assert o.ok, o.describe()
