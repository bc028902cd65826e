"""Values that used to abort or hang the engine: a context below the batch size with a long prompt,
absurd sampling settings, every token banned, a hostile chat template, unusable metadata."""

from __future__ import annotations

import subprocess
import time

import pytest
from engine_helpers import EOS_ID, PYTHON, ROOT, hanashi_env, run_hanashi

from app.engine import Engine, GenerationError
from app.engine.errors import InvalidModelError, ModelLoadError


def test_small_context_with_a_long_prompt_does_not_abort(rinna_gguf):
    """--ctx 300 once made llama.cpp assert (a 512-token batch in a 300-token context): the prompt
    is now sent in chunks no larger than the context. Run in a child so an abort fails the test."""
    code = f"""
from app.engine import Engine
e = Engine.load({str(rinna_gguf)!r}, n_ctx=300, threads=1)
assert e.runtime.n_batch <= 300, e.runtime.n_batch
prompt = [10 + i % 500 for i in range(min(e.n_ctx - 8, 480))]
g = e.generate(prompt, e.sampling(temperature=0, max_new_tokens=3))
print("ok", len(prompt), g.reason)
"""
    p = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, cwd=ROOT, env=hanashi_env(), timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    assert p.stdout.startswith("ok") and int(p.stdout.split()[1]) > 300


def test_tiny_context_is_raised_to_the_minimum_with_a_note(rinna_gguf):
    with Engine.load(rinna_gguf, n_ctx=5, threads=1) as e:
        assert e.n_ctx >= 64 and any("too small" in n for n in e.notes)


@pytest.mark.parametrize("value", ["nan", "inf", "-1"])
def test_cli_refuses_absurd_temperature(rinna_gguf, value):
    p = run_hanashi("chat", str(rinna_gguf), "--temp", value, "--ctx", "256", "--threads", "1", stdin="こんにちは\n")
    assert p.returncode == 2 and "temperature" in p.stderr and "must be a finite number" in p.stderr
    assert "Traceback" not in p.stderr


@pytest.mark.parametrize("setting", [{"temperature": float("nan")}, {"top_p": 7.0}, {"top_k": -1},
                                     {"max_new_tokens": 0}, {"repetition_penalty": float("inf")}, {"seed": "x"}])
def test_absurd_sampling_overrides_are_clear_errors(rinna_engine, setting):
    with pytest.raises(ValueError, match="invalid sampling setting"):
        rinna_engine.sampling(setting)


def test_every_token_banned_says_so(rinna_engine):
    params = rinna_engine.sampling(banned_token_ids=list(range(rinna_engine.runtime.n_vocab)))
    with pytest.raises(GenerationError, match="every one of the model's 1000 tokens is banned") as info:
        rinna_engine.generate("こんにちは", params)
    assert info.value.fix


def test_a_reply_that_ends_at_once_says_why(rinna_engine):
    """Only </s> left to choose: the reply is empty, and the result says why."""
    from app.engine.chat import ChatSession

    n = rinna_engine.runtime.n_vocab
    session = ChatSession(rinna_engine, "", {"banned_token_ids": [t for t in range(n) if t != EOS_ID],
                                             "temperature": 0})
    result = session.reply("こんにちは")
    assert result.text == "" and "ended its reply at once" in result.note


def test_hostile_template_falls_back_to_completion_quickly(variant):
    loop = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    path = variant("loop-template", set_kv={"tokenizer.chat_template": loop}, remove_prefixes=("hanashi.",))
    t0 = time.monotonic()
    with Engine.load(path, n_ctx=256, threads=1) as e:
        assert e.completion and "chat template" in e.format_note and "stopped" in e.format_note
    assert time.monotonic() - t0 < 30


@pytest.mark.parametrize("name,set_kv,match", [
    ("rope0", {"gptneox.rope.dimension_count": 0}, "rope.dimension_count = 0"),
    ("layers0", {"gptneox.block_count": 0}, "block_count = 0"),
    ("limit1", {"hanashi.context_limit": 1}, "hanashi.context_limit = 1"),
    ("bert", {"tokenizer.ggml.model": "bert"}, "'bert'"),
    ("stops", {"hanashi.stop_strings": [1, 2]}, "hanashi.stop_strings"),
    ("sampling", {"hanashi.sampling": "[]"}, "hanashi.sampling"),
])
def test_unusable_metadata_is_refused_before_llama_cpp(variant, name, set_kv, match):
    path = variant(f"bad-{name}", set_kv=set_kv)
    with pytest.raises(ModelLoadError, match=match) as info:
        Engine.load(path, n_ctx=128, threads=1)
    assert isinstance(info.value, InvalidModelError) and info.value.problems and info.value.fix
