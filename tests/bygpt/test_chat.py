"""The tiny byGPT model in ``hanashi chat``, the Engine API and the worker: a completion-mode model
like any other, counted in positions, streaming whole characters, reusing its KV cache, stopping
on the "\\n" group and on request."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
from engine_helpers import run_hanashi  # noqa: E402

from app.engine import CANCELLED, DONE, EOS, LENGTH, TEXT, ChatSession, Engine, EngineWorker  # noqa: E402
from app.engine.bygpt import ByteEngine  # noqa: E402
from quantize.bygpt import layout  # noqa: E402
from quantize.bygpt.encoding import encode_text  # noqa: E402


def _build(root: Path, name: str, head_bias: bytes | None = None) -> Path:
    """The tiny checkpoint converted to f32; ``head_bias``: head j always writes byte j of it."""
    pytest.importorskip("torch")
    import torch
    from safetensors.torch import load_file, save_file

    from quantize.convert import convert
    from quantize.tiny.bygpt import build_bygpt

    src = build_bygpt(root / name)
    if head_bias is not None:
        state = load_file(str(src / "model.safetensors"))
        for j, b in enumerate(head_bias):
            bias = torch.zeros(state[f"lm_heads.{j}.weight"].shape[0])
            bias[b] = 1e4
            state[f"lm_heads.{j}.bias"] = bias
        save_file(state, str(src / "model.safetensors"), metadata={"format": "pt"})
    out = root / f"{name}.gguf"
    convert(src, out, "f32", measure_parity=False)
    return out


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bygpt-chat")


@pytest.fixture(scope="module")
def tiny_gguf(root) -> Path:
    return _build(root, "tiny-bygpt")


@pytest.fixture(scope="module")
def engine(tiny_gguf):
    with Engine.load(tiny_gguf, n_ctx=512, threads=1) as e:
        yield e


MESSAGES = ["日本三景一覧:", "1. 広島県, 宮島", "/reset", "原文: I like soccer. 訳文:"]


def test_scripted_chat_prints_one_completion_per_message(tiny_gguf):
    proc = run_hanashi("chat", str(tiny_gguf), "--temp", "0", "--max-tokens", "12", "--ctx", "512",
                       "--threads", "1", stdin="\n".join(MESSAGES) + "\n")
    assert proc.returncode == 0, proc.stderr
    assert "bygpt format" in proc.stderr and "Completion mode" in proc.stderr
    with Engine.load(tiny_gguf, n_ctx=512, threads=1) as engine:
        session = ChatSession(engine, "", {"temperature": 0, "max_new_tokens": 12})
        expected = []
        for message in MESSAGES:
            if message == "/reset":
                session.reset()
            else:
                expected.append(session.reply(message).text)
    assert all(len(t) == 12 for t in expected)  # 12 positions, one character each
    assert proc.stdout == "".join(text + "\n" for text in expected)


def test_the_engine_is_a_completion_model_counted_in_positions(engine):
    assert isinstance(engine, ByteEngine) and engine.family == "bygpt" and engine.completion
    assert engine.defaults.greedy  # the card decodes greedily
    assert engine.defaults.max_new_tokens == 160 // 4  # the card's 160 bytes, in positions
    assert engine.encode("日本") == engine.facts.keys(bytes(layout.SPECIAL_TOKENS[layout.BOS]) + encode_text("日本"))
    assert engine.count_tokens("日本語") == 4  # bos + 3 characters
    pieces: list[str] = []
    gen = engine.generate("今日は", engine.sampling(max_new_tokens=9), on_text=pieces.append)
    assert gen.reason == LENGTH and gen.n_generated == 9 and len(gen.tokens) == 9
    assert "".join(pieces) == gen.text and len(gen.text) == 9  # streamed one whole character at a time
    assert gen.extra == {"bytes": 36, "characters": 9}
    again = engine.generate("今日は", engine.sampling(max_new_tokens=9))
    assert again.text == gen.text and again.n_prompt_evaluated == 1  # cached; only the last position again


def test_sampling_is_seeded_per_reply(engine):
    p = engine.sampling(temperature=1.0, top_k=20, top_p=0.9, repetition_penalty=1.1, seed=7, max_new_tokens=8)
    a, b = engine.generate("猫が", p), engine.generate("猫が", p)
    assert a.tokens == b.tokens and a.text == b.text and a.seed == 7
    others = {tuple(engine.generate("猫が", p.override(seed=s)).tokens) for s in range(8, 14)}
    assert len(others) > 1


def test_the_kv_cache_is_kept_across_turns(kana_gguf):
    with Engine.load(kana_gguf, n_ctx=256, threads=1) as engine:
        session = ChatSession(engine, "", {"temperature": 0, "max_new_tokens": 6})
        first = session.reply("日本三景")
        assert first.text == "ああああああ" and first.n_prompt_evaluated == first.n_prompt_tokens == 5
        assert engine.n_cached == 5 + 5  # the last sampled position is not evaluated yet
        second = session.reply("宮島")
        assert second.n_prompt_tokens == 5 + 6 + 2 and second.n_prompt_evaluated == 3
        session.reset()
        third = session.reply("日本")  # a shorter prompt: the cache is cut back, nothing recomputed
        assert third.n_prompt_evaluated == 1


@pytest.fixture(scope="module")
def newline_gguf(root) -> Path:
    return _build(root, "tiny-bygpt-newline", encode_text("\n"))


@pytest.fixture(scope="module")
def kana_gguf(root) -> Path:
    return _build(root, "tiny-bygpt-kana", encode_text("あ"))


def test_the_newline_group_ends_the_reply(newline_gguf):
    with Engine.load(newline_gguf, n_ctx=256, threads=1) as engine:
        gen = engine.generate("日本三景一覧:", engine.sampling(max_new_tokens=50))
        assert gen.reason == EOS and gen.text == "" and gen.n_generated == 0
        assert "ended its reply at once" in gen.note


def test_text_streams_as_whole_characters_and_a_stop_lands_within_one_step(kana_gguf):
    worker = EngineWorker()
    try:
        loaded = worker.wait(worker.load(kana_gguf, n_ctx=4096, threads=1), timeout=120)
        assert loaded.kind == DONE and isinstance(loaded.result, ByteEngine)
        session = ChatSession(worker.engine, "", {"max_new_tokens": 100_000})
        job = worker.reply(session, "今日、")
        first = worker.events.get(timeout=60)
        assert first.kind == TEXT and first.text == "あ"
        t0 = time.perf_counter()
        assert worker.stop(wait=30)
        stopped_in = time.perf_counter() - t0
        pieces = [first.text]
        while True:
            event = worker.events.get(timeout=10)
            if event.job != job:
                continue
            if event.kind == TEXT:
                pieces.append(event.text)
                continue
            break
        assert event.kind == DONE and event.result.reason == CANCELLED
        assert set("".join(pieces)) == {"あ"} and event.result.text == "".join(pieces)
        assert stopped_in < 5
    finally:
        worker.close()


def test_a_byte_model_whose_tensors_do_not_match_is_refused_with_the_tensor_named(tiny_gguf, tmp_path):
    import struct

    from app.engine import InvalidModelError
    from quantize.bygpt.gguf_extra import TENSOR_PREFIX

    data = bytearray(tiny_gguf.read_bytes())
    key = (TENSOR_PREFIX + "merge.weight.shape").encode()
    at = data.index(key) + len(key) + 4 + 4 + 8  # value type, item type, count
    rows, cols = struct.unpack_from("<II", data, at)
    struct.pack_into("<II", data, at, cols, rows)  # the same size, transposed
    bad = tmp_path / "transposed-merge.gguf"
    bad.write_bytes(bytes(data))
    with pytest.raises(InvalidModelError) as e:
        Engine.load(bad, n_ctx=256, threads=1)
    assert f"merge.weight: shape [{cols}, {rows}], expected [{rows}, {cols}]" in str(e.value)
    assert "convert the model again" in str(e.value)
