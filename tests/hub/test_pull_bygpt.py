"""Pulling the byte-level multi-head model: its remote code files are never fetched, its own
converter runs, and the GGUF chats through the byte runtime."""

from __future__ import annotations

import pytest

from tests.hub_standin import HubStandIn

REPO = "tohoku-nlp/bygpt-jp-multi-lm-head-6.5B-alpha"


def test_pull_converts_the_byte_model_without_its_code(tmp_path, hub_env, monkeypatch):
    pytest.importorskip("torch")
    from app.engine import Engine
    from quantize.hub import pull
    from quantize.tiny.bygpt import build_bygpt

    folder = build_bygpt(tmp_path / "bygpt")
    code = folder / "modeling_bygpt.py"  # the model's own code: must never be fetched or run
    code.write_text("raise SystemExit('remote code ran')\n")
    with HubStandIn() as hub:
        hub.add(REPO, folder)
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        result = pull(REPO, out_type="q8_0", models_dir=tmp_path / "models")
        assert "modeling_bygpt.py" not in hub.fetched(REPO)
    assert result.path == tmp_path / "models" / "tohoku-nlp-bygpt-jp-multi-lm-head-6.5B-alpha-q8_0.gguf"
    assert result.family == "bygpt" and result.removed_download
    with Engine.load(result.path, n_ctx=256, threads=1) as engine:
        assert engine.family == "bygpt" and engine.completion
        gen = engine.generate("日本の首都は", engine.sampling(max_new_tokens=8))
        assert gen.n_generated == 8 and len(gen.text) == 8  # one character per position
