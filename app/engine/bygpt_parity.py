"""What a byte-level model computes, for parity checks: every position's final-norm hidden state,
every head's logits, and the greedy continuation, from the same runtime the chat uses.

``hanashi-quantize verify --trust-remote-code`` runs ``hybrid_outputs`` in a child process and
compares it with the model's own code; the tests compare it with the PyTorch reference module.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .bygpt import ByteEngine
from .bygpt_generate import generate_positions, unpack
from .sampling import SamplingParams


def parity_outputs(engine: ByteEngine, data: bytes, greedy_bytes: int = 64) -> dict:
    """``data`` (bos included, whole positions) evaluated from an empty cache: hidden [T, H],
    logits [T, heads, V], and the first ``greedy_bytes`` bytes of the greedy continuation (no stop)."""
    per = engine.facts.per_position
    keys = engine.facts.keys(bytes(data))
    with engine.runtime.lock:
        engine.runtime.clear()
        groups = np.frombuffer(bytes(data), dtype=np.uint8).reshape(-1, per)
        hidden = engine.runtime.decode_rows(engine.heads.merge(groups), keys, keep_all=True)
        logits = engine.heads.logits(hidden)
        engine.runtime.clear()
        params = SamplingParams(temperature=0.0, max_new_tokens=-(-greedy_bytes // per), seed=0)
        gen = generate_positions(engine.runtime, engine.heads, engine.codec.stream, keys, params, [])
    greedy = b"".join(unpack(k, per) for k in gen.tokens)[:greedy_bytes]
    return {"hidden": hidden, "logits": logits, "greedy": greedy}


def hybrid_outputs(gguf_path: Path, seqs: list[bytes], threads: int | None = None,
                   greedy_bytes: int = 64, gpu_layers: int | str = 0) -> list[dict]:
    """``parity_outputs`` of every sequence on the model in ``gguf_path``."""
    from .engine import Engine

    positions = max(len(s) for s in seqs) // 4 + greedy_bytes // 4 + 8
    with Engine.load(gguf_path, gpu_layers=gpu_layers, n_ctx=max(positions, 256), threads=threads) as engine:
        if not isinstance(engine, ByteEngine):
            from quantize.errors import ConversionError

            raise ConversionError("this GGUF is not a byte-level multi-head model (hanashi.family is not bygpt)",
                                  gguf_path, "pass the GGUF converted from this byGPT folder")
        return [parity_outputs(engine, s, greedy_bytes) for s in seqs]
