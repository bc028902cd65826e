"""The ``hanashi-quantize`` command end to end, as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from quantize.safetensors_file import bf16_to_float32, float32_to_bf16

ROOT = Path(__file__).parent.parent


def _run(*args):
    return subprocess.run([sys.executable, "-m", "quantize", *args], capture_output=True, text=True, cwd=ROOT)


def test_convert_then_verify_prints_both_tables(tiny, tmp_path):
    src = tiny.rinna()
    out = tmp_path / "rinna-q4_k_m.gguf"
    p = _run("convert", str(src), "-o", str(out), "--type", "q4_k_m")
    assert p.returncode == 0, p.stderr
    assert f"wrote {out}" in p.stdout and "q4_k_m" in p.stdout and "rinna-instruction" in p.stdout
    assert "tokenizer parity (llama): " in p.stdout and "exact" in p.stdout
    assert "quantizing" in p.stderr  # progress bar
    p = _run("verify", str(out), "--reference", str(src))
    assert p.returncode == 0, p.stdout + p.stderr
    assert "Tokenizer parity" in p.stdout
    assert "Logits parity — transformers fp32 vs llama.cpp (q4_k_m)" in p.stdout
    for col in ("max|Δlogit|", "top-1 agree", "mean KL", "japanese", "verdict: PASS"):
        assert col in p.stdout


def test_verify_without_logits(converted, tiny):
    p = _run("verify", str(converted("dolly", "f32")), "--reference", str(tiny.dolly()), "--no-logits")
    assert p.returncode == 0
    assert "NOT exact" in p.stdout and "skipped: not requested" in p.stdout


def test_verify_refuses_wrong_reference(converted, tiny):
    p = _run("verify", str(converted("dolly", "f32")), "--reference", str(tiny.rinna()))
    assert p.returncode == 2 and "differs from the reference" in p.stderr


def test_bf16_round_trip():
    x = np.array([0.0, 1.0, -2.5, 3.14159, 1e-8, 65504.0, -1e30], dtype=np.float32)
    back = bf16_to_float32(float32_to_bf16(x))
    assert np.allclose(back, x, rtol=1e-2)
    assert float32_to_bf16(np.array([np.nan], np.float32))[0] == 0x7FC0
