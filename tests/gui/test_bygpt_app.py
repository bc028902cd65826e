"""The byte-level multi-head model in the desktop app: listed, loaded, and chatting as a
completion-mode model, its reply streamed and stored like any other."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import send


@pytest.fixture(scope="module")
def kana_bygpt(tmp_path_factory) -> Path:
    """The tiny byGPT checkpoint whose heads always write "あ", converted to q8_0."""
    pytest.importorskip("torch")
    import torch
    from safetensors.torch import load_file, save_file

    from quantize.bygpt.encoding import encode_text
    from quantize.convert import convert
    from quantize.tiny.bygpt import build_bygpt

    root = tmp_path_factory.mktemp("bygpt-app")
    src = build_bygpt(root / "tiny-bygpt-kana")
    state = load_file(str(src / "model.safetensors"))
    for j, b in enumerate(encode_text("あ")):
        bias = torch.zeros(state[f"lm_heads.{j}.weight"].shape[0])
        bias[b] = 1e4
        state[f"lm_heads.{j}.bias"] = bias
    save_file(state, str(src / "model.safetensors"), metadata={"format": "pt"})
    out = root / "tiny-bygpt-kana-q8_0.gguf"
    convert(src, out, "q8_0", measure_parity=False)
    return out


def test_the_byte_model_chats_in_the_app_as_a_completion_model(make_window, qtbot, kana_bygpt):
    from app import library

    entry = next(e for e in library.list_models([str(kana_bygpt)]) if e.path == kana_bygpt)
    assert entry.usable, entry.error
    assert entry.family == "bygpt" and "byGPT" in entry.family_text

    window = make_window(kana_bygpt)
    assert window.facts.family == "bygpt" and window.facts.completion
    result = send(qtbot, window, "日本で一番高い山は")
    assert result.text and set(result.text) == {"あ"}, result.text
    stored = window.storage.messages(window.current_id)
    assert [m.role for m in stored] == ["user", "assistant"]
    assert stored[-1].content == result.text
    assert window.chat.bubbles[-1].content == result.text
