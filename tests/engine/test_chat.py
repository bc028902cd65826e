"""Conversations in every prompt format on the tiny model: streaming, stop strings, history, fitting."""

from __future__ import annotations

import pytest
from engine_helpers import EOS_ID

from app.engine import STOP, ChatSession, DisplayStream, Engine, generate_reply
from app.formats import MessageTooLongError, Turn
from app.formats.stream_filter import cut_at_stop

U, A = "user", "assistant"
PERSONA = "User: あなたは図書館の司書です。\n短く答えてください。\nAssistant: かしこまりました。"
QUESTIONS = ["日本で一番高い山は?", "おすすめの本はありますか?", "こんにちは", "明日の天気はどうですか?"]
GREEDY = {"temperature": 0, "banned_token_ids": [EOS_ID], "max_new_tokens": 40}


# ---------------------------------------------------------------- display stream (no model)


def _stream(pieces, stops=("<NL>ユーザー:", "<NL>システム:"), replacements=(("<NL>", "\n"),), strip=True):
    ds = DisplayStream(stops, replacements, strip)
    out = [ds.feed(p) for p in pieces] + [ds.flush()]
    assert "".join(out) == ds.text
    return ds


def test_display_stream_cuts_stops_and_converts_newlines_split_anywhere():
    ds = _stream(["富士", "山です<N", "L>高さは <", "NL>ユーザ", "ー: 次の質問"])
    assert ds.text == "富士山です\n高さは" and ds.stopped


def test_display_stream_trims_like_the_final_text():
    ds = _stream(["  ", " あ", "  ", "い ", "<NL>", " "])
    assert ds.text == "あ  い"
    assert _stream([" ", "続き"], strip=False).text == " 続き"  # completion mode keeps spaces


# ---------------------------------------------------------------- every format, on the model


def _engine_for(request, name):
    if name == "rinna":
        return request.getfixturevalue("rinna_engine"), False
    if name == "dolly":
        return request.getfixturevalue("dolly_engine"), False
    path = request.getfixturevalue(f"{name}_gguf")
    return Engine.load(path, n_ctx=1024, threads=1), True


@pytest.mark.parametrize("name,family", [("rinna", "rinna-instruction"), ("bilingual", "rinna-bilingual"),
                                         ("dolly", "dolly"), ("base", "base"), ("template", "template"),
                                         ("plain", "completion")])
def test_a_conversation_in_each_format(request, name, family):
    engine, owned = _engine_for(request, name)
    try:
        assert engine.family == family
        engine.clear_cache()
        session = ChatSession(engine, PERSONA, {"seed": 7, "max_new_tokens": 40, "banned_token_ids": [EOS_ID]})
        for i, question in enumerate(QUESTIONS[:2]):
            before = list(session.turns)
            streamed: list[str] = []
            result = session.reply(question, on_text=streamed.append)
            assert result.text == "".join(streamed)
            assert session.turns == before + [Turn(U, question), Turn(A, result.text)]
            prompt = engine.format.render(session.persona, before + [Turn(U, question)])
            if i == 0:  # from an empty cache the prompt is exactly the format's, tokenized
                assert result.n_prompt_tokens == engine.count_tokens(prompt)
                assert result.n_prompt_evaluated == result.n_prompt_tokens
            else:
                assert result.n_prompt_evaluated < result.n_prompt_tokens
            assert 0 < result.n_generated <= 40 and result.context_used <= engine.n_ctx
            for stop in engine.stop_strings:
                assert stop not in result.text
            for raw_piece, _shown in engine.format.replacements:  # <NL>, [SEP], literal \n
                assert raw_piece not in result.text
            if not engine.completion:
                assert result.text == result.text.strip()
    finally:
        if owned:
            engine.close()


def test_the_template_fallback_renders_the_same_prompt_as_the_family(template_gguf, rinna_engine):
    with Engine.load(template_gguf, n_ctx=256, threads=1) as e:
        turns = [Turn(U, "一行目\n二行目"), Turn(A, "はい"), Turn(U, "次")]
        persona = [Turn(U, "司書です。"), Turn(A, "どうぞ。")]
        assert e.format.render(persona, turns) == rinna_engine.format.render(persona, turns)


def test_a_stop_string_ends_the_reply_and_is_never_shown(rinna_engine, variant):
    """Use a stop string the model is known to write (found by a first run without it)."""
    e = rinna_engine
    for question in QUESTIONS:
        e.clear_cache()
        raw = e.generate(e.format.render([], [Turn(U, question)]), e.sampling(GREEDY)).text
        before_stop, _ = cut_at_stop(raw, e.stop_strings)
        if len(before_stop.strip()) >= 8:
            break
    else:
        pytest.fail(f"the tiny model wrote no text before a stop string: {raw!r}")
    k = next(i for i in range(4, len(before_stop) - 2)
             if before_stop[i:i + 2].strip() == before_stop[i:i + 2] and "<" not in before_stop[i:i + 2]
             and before_stop[i:i + 2] not in before_stop[:i + 1])
    stop = before_stop[k:k + 2]
    path = variant("extra-stop", set_kv={"hanashi.stop_strings": [*e.info.stop_strings, stop]})
    with Engine.load(path, n_ctx=1024, threads=1) as e2:
        assert stop in e2.stop_strings
        streamed: list[str] = []
        result = generate_reply(e2, "", [], question, sampling=GREEDY, on_text=streamed.append)
    assert result.reason == STOP
    assert stop in result.raw_text and stop not in result.text
    assert result.text == "".join(streamed) == e.format.display(before_stop[:k])


def test_history_is_trimmed_to_fit_instead_of_failing(rinna_gguf):
    with Engine.load(rinna_gguf, n_ctx=256, threads=1) as e:
        history = []
        for i in range(20):
            history += [Turn(U, f"{QUESTIONS[i % 4]} その{i}"), Turn(A, "駅の近くのパン屋さんがおすすめです。")]
        full = e.count_tokens(e.format.render([], history + [Turn(U, "最後の質問です。")]))
        assert full > e.n_ctx
        session = ChatSession(e, "", {"max_new_tokens": 32, "seed": 1}, turns=history)
        result = session.reply("最後の質問です。")
        assert result.dropped_turns > 0 and result.dropped_turns % 2 == 0
        assert result.n_prompt_tokens + 32 <= e.n_ctx
        assert len(session.turns) == 42  # the session keeps everything; only the prompt was trimmed


def test_a_message_longer_than_the_context_is_a_clear_error(rinna_gguf):
    with Engine.load(rinna_gguf, n_ctx=256, threads=1) as e:
        session = ChatSession(e, PERSONA)
        with pytest.raises(MessageTooLongError, match="Shorten the message"):
            session.reply("とても長いメッセージです。" * 80)
        assert session.turns == []


def test_dolly_keeps_its_card_budget_in_a_long_chat(dolly_engine):
    e = dolly_engine
    history = []
    for i in range(40):
        history += [Turn(U, f"{QUESTIONS[i % 4]} ({i})"), Turn(A, "富士山です。\n高い山です。")]
    result = generate_reply(e, PERSONA, history, "ありがとう。", sampling={"seed": 2})
    assert result.dropped_turns > 0
    assert result.n_prompt_tokens + 100 <= 1024 and result.n_generated <= 100
    assert "[SEP]" not in result.text and "\\n" not in result.text


def test_stateless_replies_match_the_session(rinna_engine):
    e = rinna_engine
    turns = [Turn(U, QUESTIONS[0]), Turn(A, "富士山です。")]
    e.clear_cache()
    stateless = generate_reply(e, PERSONA, turns, QUESTIONS[1], sampling=GREEDY)
    e.clear_cache()
    session = ChatSession(e, PERSONA, GREEDY, turns=turns)
    assert session.reply(QUESTIONS[1]).text == stateless.text


def test_regenerate_replaces_the_last_reply_and_reset_starts_over(rinna_engine):
    session = ChatSession(rinna_engine, PERSONA, {"max_new_tokens": 16, "banned_token_ids": [EOS_ID]})
    session.reply(QUESTIONS[0])
    session.reply(QUESTIONS[1])
    first_turns = list(session.turns)
    again = session.regenerate()
    assert len(session.turns) == 4 and session.turns[:3] == first_turns[:3]
    assert session.turns[3] == Turn(A, again.text)
    session.set_turns(first_turns[:2])
    session.regenerate()
    assert [t.role for t in session.turns] == [U, A]
    session.reset()
    assert session.turns == [] and session.persona  # the persona stays
    with pytest.raises(ValueError):
        session.regenerate()
