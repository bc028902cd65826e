"""Converted GGUFs compute what the original checkpoints compute (transformers fp32 as reference)."""

from __future__ import annotations

import pytest

from quantize.convert import convert
from quantize.gguf_info import read_info
from quantize.parity_logits import measure
from quantize.tiny import tokenizer as tok
from quantize.verify import MIN_TOP1, verify


def _logits_rows(gguf, src):
    info = read_info(gguf)
    return measure(gguf, src, src / "spiece.model", info.n_ctx)


NEOX_VARIANTS = {
    "sequential-full-rope": dict(parallel=False, rotary_pct=1.0),
    "parallel-full-rope": dict(parallel=True, rotary_pct=1.0),
    "sequential-partial-rope": dict(parallel=False, rotary_pct=0.25),
    "parallel-partial-rope-tied": dict(parallel=True, rotary_pct=0.5, tied=True),
    "old-config-keys": dict(rotary_pct=0.5, old_rope_keys=True),
}


@pytest.mark.parametrize("variant", sorted(NEOX_VARIANTS))
def test_gpt_neox_f32_matches_transformers(tiny, tmp_path, variant):
    src = tiny.neox(name=f"neox-{variant}", **NEOX_VARIANTS[variant])
    out = tmp_path / "model.gguf"
    convert(src, out, "f32")
    for row in _logits_rows(out, src):
        assert row.max_abs < 1e-3, (variant, row)
        # Random weights give near-ties; a flip is allowed only where the logits barely differ.
        assert row.top1 >= 0.97, (variant, row)


def test_gpt2_f32_matches_transformers(tiny, tmp_path):
    src = tiny.gpt2()
    out = tmp_path / "gpt2.gguf"
    convert(src, out, "f32")
    for row in _logits_rows(out, src):
        assert row.max_abs < 1e-3, row
        assert row.top1 >= 0.97, row


def test_trained_dolly_f32_matches_transformers(converted, tiny):
    """A trained model has larger activations; llama.cpp's GELU (an fp16 lookup table) then differs
    from transformers' a little more, still far below what would change a prediction."""
    for row in _logits_rows(converted("dolly", "f32"), tiny.dolly()):
        assert row.max_abs < 5e-3, row
        assert row.top1 == 1.0


@pytest.mark.parametrize("dtype,bound", [("float16", 2e-2), ("bfloat16", 1e-1)])
def test_half_precision_checkpoints_convert(tiny, tmp_path, dtype, bound):
    """fp16 and bf16 safetensors are read directly (bf16 has no numpy type)."""
    src = tiny.neox(name=f"neox-{dtype}", dtype=dtype)
    out = tmp_path / "model.gguf"
    convert(src, out, "f16" if dtype == "float16" else "bf16")
    for row in _logits_rows(out, src):
        assert row.max_abs < bound, row


@pytest.mark.parametrize("out_type", ["q8_0", "q6_k", "q5_k_m", "q4_k_m", "q4_0"])
def test_quantized_top1_agreement(converted, tiny, out_type):
    gguf = converted("rinna", out_type)
    assert read_info(gguf).file_type == out_type
    report = verify(gguf, tiny.rinna())
    assert report.logits, report.logits_note
    for row in report.logits:
        assert row.top1 >= MIN_TOP1[out_type], row
        assert row.mean_kl < 0.5
    assert report.ok


def test_quantized_files_shrink_in_order(converted):
    sizes = [converted("rinna", t).stat().st_size for t in ("f32", "q8_0", "q4_k_m")]
    assert sizes[0] > sizes[1] > sizes[2]


def test_unigram_gpt_neox_logits(tiny, tmp_path):
    src = tiny.neox(name="neox-unigram", flavor=tok.RINNA_UNIGRAM)
    out = tmp_path / "model.gguf"
    convert(src, out, "f32")
    for row in _logits_rows(out, src):
        assert row.max_abs < 1e-3
