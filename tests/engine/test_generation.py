"""The generation loop on a real tiny model: sampling, determinism, limits, cancelling, KV reuse."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from app.engine import CANCELLED, CONTEXT, EOS, LENGTH, Engine, GenerationError, StopRequest

from engine_helpers import EOS_ID

QUESTION = "ユーザー: おすすめの本はありますか?<NL>システム: "


def _fresh(engine: Engine, prompt: str, **sampling):
    """Generate from an empty KV cache, so two runs compute exactly the same way."""
    engine.clear_cache()
    return engine.generate(prompt, engine.sampling(**sampling))


def test_same_seed_gives_the_same_text(rinna_engine):
    kw = dict(temperature=1.0, seed=1234, max_new_tokens=40, banned_token_ids=[EOS_ID])
    a, b = _fresh(rinna_engine, QUESTION, **kw), _fresh(rinna_engine, QUESTION, **kw)
    assert a.tokens == b.tokens and a.text == b.text and len(a.tokens) == 40
    assert a.seed == 1234
    others = {tuple(_fresh(rinna_engine, QUESTION, **{**kw, "seed": s}).tokens) for s in (1, 2, 3)}
    assert len(others | {tuple(a.tokens)}) > 1  # the seed matters


def test_temperature_zero_is_greedy_argmax(rinna_engine, rinna_gguf):
    from quantize.llama_lib import load

    Llama = load().Llama

    gen = _fresh(rinna_engine, QUESTION, temperature=0, repetition_penalty=1.0, max_new_tokens=24,
                 banned_token_ids=[EOS_ID])
    prompt = rinna_engine.encode(QUESTION)
    # An independent pass over prompt + reply in one batch, with every position's logits.
    ref = Llama(str(rinna_gguf), n_ctx=256, logits_all=True, verbose=False, n_threads=1)
    try:
        ref.eval(prompt + gen.tokens)
        scores = np.array(ref.scores[: len(prompt) + len(gen.tokens)])
    finally:
        ref.close()
    for i, token in enumerate(gen.tokens):
        logits = scores[len(prompt) - 1 + i].copy()
        logits[EOS_ID] = -np.inf
        assert logits[token] >= logits.max() - 1e-4, f"step {i}: not the argmax"
    assert int(np.argmax(scores[len(prompt) - 1])) in (gen.tokens[0], EOS_ID)


def test_banned_tokens_are_never_sampled(rinna_engine):
    first = _fresh(rinna_engine, QUESTION, temperature=0, max_new_tokens=1).tokens
    if not first:  # the greedy choice was </s>: ban it, and look again
        first = _fresh(rinna_engine, QUESTION, temperature=0, max_new_tokens=1,
                       banned_token_ids=[EOS_ID]).tokens
    banned = [first[0], EOS_ID]
    for seed in range(3):
        gen = _fresh(rinna_engine, QUESTION, temperature=1.5, top_k=0, seed=seed, max_new_tokens=30,
                     banned_token_ids=banned)
        assert first[0] not in gen.tokens and gen.reason == LENGTH


def test_max_new_tokens_and_eos(rinna_engine):
    gen = _fresh(rinna_engine, QUESTION, temperature=0, max_new_tokens=7, banned_token_ids=[EOS_ID])
    assert (gen.reason, gen.n_generated, len(gen.tokens)) == (LENGTH, 7, 7)
    assert gen.n_past == gen.n_prompt_tokens + 6  # the last token was sampled, never evaluated
    # Without the ban the model may end by itself; it never shows </s> as text.
    gen = _fresh(rinna_engine, QUESTION, temperature=0, max_new_tokens=200)
    assert gen.reason in (EOS, LENGTH) and "</s>" not in gen.text
    assert EOS_ID not in gen.tokens


def test_a_full_context_ends_the_reply(rinna_gguf):
    with Engine.load(rinna_gguf, n_ctx=64, threads=1) as e:
        n_ctx = e.n_ctx  # llama.cpp rounds small contexts up (to 256)
        assert 64 <= n_ctx < 1000
        prompt = e.encode(QUESTION)
        gen = e.generate(prompt, e.sampling(max_new_tokens=5000, banned_token_ids=[EOS_ID], seed=0))
        assert gen.reason == CONTEXT and gen.n_past == n_ctx
        assert gen.n_generated == n_ctx - len(prompt) + 1
        with pytest.raises(GenerationError, match=f"context holds {n_ctx}"):
            e.generate(e.encode("あ" * 2000), e.sampling())


def test_stop_from_another_thread_keeps_the_partial_reply(endless_gguf):
    with Engine.load(endless_gguf, n_ctx=2048, threads=1) as e:
        stop = StopRequest()
        pieces: list[str] = []
        started = threading.Event()

        def on_text(text):
            pieces.append(text)
            started.set()

        stopper = threading.Thread(target=lambda: (started.wait(30), stop.set()))
        stopper.start()
        gen = e.generate("今日、", e.sampling(max_new_tokens=100_000, seed=3), on_text, stop)
        stopper.join()
        assert gen.reason == CANCELLED
        assert 0 < gen.n_generated < 2048 - 3
        assert gen.text == "".join(pieces) and gen.text
        # The engine is usable again, and the stop button can be re-armed.
        stop.clear()
        again = e.generate("今日、", e.sampling(max_new_tokens=5, seed=3), cancel=stop)
        assert again.reason == LENGTH and again.n_generated == 5


def test_stop_during_a_long_prompt_aborts_the_decode(endless_gguf):
    with Engine.load(endless_gguf, n_ctx=2048, threads=1) as e:
        stop = StopRequest()
        stop.set()  # pressed before the prompt was evaluated: nothing is computed
        gen = e.generate(e.encode("今日、私は駅で本を読みました。" * 100), e.sampling(), cancel=stop)
        assert gen.reason == CANCELLED and gen.n_generated == 0 and e.n_cached == 0
        # interrupt() from another thread, again and again, while the prompt is being evaluated
        long_prompt = e.encode("今日、私は駅で本を読みました。" * 120)[:2000]
        done = threading.Event()

        def press():
            while not done.wait(0.005):
                e.interrupt()

        presser = threading.Thread(target=press)
        presser.start()
        try:
            gen = e.generate(long_prompt, e.sampling(max_new_tokens=100_000))
        finally:
            done.set()
            presser.join()
        assert gen.reason == CANCELLED and gen.n_generated == 0
        assert e.n_cached < len(long_prompt)  # stopped inside the prompt
        assert gen.n_prompt_evaluated == e.n_cached and e.n_cached % e.runtime.n_batch == 0
        assert e.runtime.cached == long_prompt[: e.n_cached]  # the cache keeps the finished batches
        resumed = e.generate(long_prompt, e.sampling(max_new_tokens=2))
        assert resumed.n_prompt_evaluated == len(long_prompt) - gen.n_prompt_evaluated


def test_a_follow_up_evaluates_only_the_new_tokens(rinna_engine):
    e = rinna_engine
    e.clear_cache()
    params = e.sampling(temperature=0, max_new_tokens=60, banned_token_ids=[EOS_ID])
    first = e.generate(QUESTION, params)
    assert first.n_prompt_evaluated == first.n_prompt_tokens
    follow_up = QUESTION + first.text + "<NL>ユーザー: ありがとう。<NL>システム: "
    new_part = e.count_tokens("<NL>ユーザー: ありがとう。<NL>システム: ")
    second = e.generate(follow_up, params)
    assert second.n_prompt_tokens >= first.n_prompt_tokens + first.n_generated
    # Only the new text (and the reply's last token, sampled but never evaluated) is computed.
    assert second.n_prompt_evaluated <= new_part + 1
    assert second.n_prompt_evaluated < second.n_prompt_tokens / 3
    # The same prompt again: only its last token is evaluated (fresh logits for sampling).
    third = e.generate(follow_up, params)
    assert third.n_prompt_evaluated == 1 and third.tokens == second.tokens


def test_reuse_by_text_covers_what_token_prefixes_miss(rinna_engine):
    """The prompt ends in a space that the model's reply tokens would absorb when re-tokenized."""
    e = rinna_engine
    params = e.sampling(temperature=0, max_new_tokens=20, banned_token_ids=[EOS_ID])
    follow_up = None
    results = {}
    for reuse in (False, True):
        e.clear_cache()
        first = e.generate(QUESTION, params, reuse_text=reuse)
        follow_up = QUESTION + first.text + "<NL>ユーザー: ありがとう。<NL>システム: "
        results[reuse] = e.generate(follow_up, params, reuse_text=reuse)
    canonical = e.encode(follow_up)
    assert results[False].n_prompt_tokens == len(canonical)
    assert results[True].n_prompt_evaluated <= results[False].n_prompt_evaluated
    # Token prefixes alone stop where the re-tokenized reply differs from the generated tokens.
    generated_prefix = e.runtime.cached[: results[True].n_prompt_tokens]
    assert e.tokenizer.decode(generated_prefix) == follow_up
