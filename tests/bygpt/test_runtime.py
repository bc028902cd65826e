"""The byte-level runtime's own pieces: per-head sampling, end sequences, the merge and heads, and
the engine on the tiny converted byGPT model (KV-cache reuse, streaming, cancel, bad files)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from app.engine.bygpt_generate import _Ender, pack, unpack
from app.engine.bygpt_model import ByteHeads
from app.engine.bygpt_sampling import ByteSampler
from app.engine.errors import InvalidModelError
from app.engine.sampling import SamplingParams


def _logits(seed=0, heads=4, v=256):
    return np.random.default_rng(seed).normal(0, 3, (heads, v)).astype(np.float32)


def test_greedy_takes_each_heads_argmax():
    x = _logits()
    assert ByteSampler(SamplingParams(temperature=0), 4, 0).sample(x) == [int(i) for i in x.argmax(1)]


def test_sampling_is_seeded_and_follows_top_k_and_top_p():
    x = _logits(1)
    p = SamplingParams(temperature=1.0, top_k=3, top_p=1.0)
    draws = [ByteSampler(p, 4, seed=s).sample(x) for s in range(60)]
    assert draws[:5] == [ByteSampler(p, 4, seed=s).sample(x) for s in range(5)]  # same seed, same bytes
    top3 = [set(np.argsort(-x[j])[:3]) for j in range(4)]
    assert all(g[j] in top3[j] for g in draws for j in range(4))
    assert len({tuple(g) for g in draws}) > 1
    # top_p small enough to keep only the most likely byte of each head: greedy
    only = SamplingParams(temperature=1.0, top_k=0, top_p=1e-6)
    assert ByteSampler(only, 4, seed=5).sample(x) == [int(i) for i in x.argmax(1)]


def test_repetition_penalty_looks_at_the_same_slot_of_recent_positions():
    x = np.zeros((4, 256), np.float32)
    x[:, 10] = 2.0
    x[:, 11] = 1.5
    history = [bytes([10, 0, 0, 0])]  # byte 10 was seen in slot 0 only
    got = ByteSampler(SamplingParams(temperature=0, repetition_penalty=2.0), 4, 0, history).sample(x)
    assert got == [11, 10, 10, 10]


def test_end_sequences_of_several_positions_are_held_back_until_decided():
    a, b, c = pack(b"\xe0\xc0\x80\x42"), pack(b"\xff\xdf\xbd\x00"), pack(b"\xe0\xc0\x80\x0b")
    ender = _Ender([[c], [b, a]])
    assert ender.push(a) == (False, [a])
    assert ender.push(b) == (False, [])  # may be the start of [b, a]
    assert ender.push(c) == (True, [b])  # not [b, a] after all: b is text, and c ends the reply
    assert ender.pending == []
    ender2 = _Ender([[b, a]])
    ender2.push(b)
    assert ender2.push(a) == (True, [])
    assert unpack(a, 4) == b"\xe0\xc0\x80\x42"


def _tensors(v=256, e=8, h=16, p=4, bias=True, seed=0):
    rng = np.random.default_rng(seed)
    t = {"embd": rng.normal(size=(v, e)), "merge.weight": rng.normal(size=(h, p * e))}
    if bias:
        t["merge.bias"] = rng.normal(size=h)
    for j in range(p):
        t[f"head.{j}.weight"] = rng.normal(size=(v, h))
        t[f"head.{j}.bias"] = rng.normal(size=v)
    return t


def test_merge_and_heads_compute_the_layouts_formula():
    t = _tensors()
    heads = ByteHeads(t, 16, 4, 4)
    groups = np.array([[0xE0, 0xC0, 0x80, 0x42], [0xE3, 0xD1, 0x9F, 0x10]])
    want = np.concatenate([t["embd"][g] for g in groups.T], axis=1) @ t["merge.weight"].T + t["merge.bias"]
    assert np.abs(heads.merge(groups) - want).max() < 1e-4
    assert np.abs(heads.merge_one(groups[1]) - want[1:]).max() < 1e-4
    hidden = np.random.default_rng(1).normal(size=16).astype(np.float32)
    lg = heads.logits(hidden)
    assert lg.shape == (4, 256)
    for j in range(4):
        assert np.abs(lg[j] - (t[f"head.{j}.weight"] @ hidden + t[f"head.{j}.bias"])).max() < 1e-4


def test_tensors_that_do_not_match_the_layout_are_named():
    t = _tensors()
    t["merge.weight"] = t["merge.weight"][:, :-1]
    del t["head.3.weight"]
    with pytest.raises(InvalidModelError) as e:
        ByteHeads(t, 16, 4, 4, None)
    msg = str(e.value)
    assert "merge.weight: shape [16, 31], expected [16, 32]" in msg and "head.3.weight: missing" in msg
    t = _tensors()
    t["head.0.weight"][3, 3] = np.nan
    with pytest.raises(InvalidModelError, match="head.0.weight: holds NaN"):
        ByteHeads(t, 16, 4, 4, None)
