"""Fitting history into the context: linear in what is kept, and the same turns as dropping the oldest
exchange one at a time — checked with the tiny models' real tokenizers, in every kind of format."""

from __future__ import annotations

import random
import threading

import pytest

from app.engine import Engine, StopRequest, generate_reply
from app.engine.chat import turn_counts
from app.formats import MessageTooLongError, Turn
from app.formats.chat_format import drop_oldest_exchange
from app.formats.context_fit import FitCancelled, TurnTokenCounts, exchange_starts

U, A = "user", "assistant"
WORDS = ["日本", "で", "一番", "高い", "山", "は", "富士山", "です", "。", "こんにちは", "ありがとう", "図書館",
         "本", "を", "読み", "ました", "?", "\n", " ", "猫", "が", "好き", "hello", "world", "123", "、", "「", "」"]


def old_fit(fmt, persona, turns, count_tokens, n_ctx, reply_budget):
    """The rule as first written: count the whole prompt, drop the oldest exchange, count again."""
    context = n_ctx if fmt.context_limit is None else min(n_ctx, fmt.context_limit)
    budget = reply_budget if fmt.reply_budget is None else fmt.reply_budget
    history, last = list(turns[:-1]), list(turns[-1:])
    while True:
        kept = history + last
        needed = count_tokens(fmt.render(persona, kept)) + budget
        if needed <= context:
            return kept
        if not history:
            raise MessageTooLongError(needed, context, budget)
        history = drop_oldest_exchange(history)


def text(rng: random.Random, most: int) -> str:
    return "".join(rng.choice(WORDS) for _ in range(rng.randint(1, most))).strip() or "あ"


def conversation(rng: random.Random, n: int, most: int = 30) -> list[Turn]:
    """Mostly alternating, sometimes a greeting first or a user message left unanswered."""
    turns = [Turn(A, text(rng, most))] if rng.random() < 0.3 else []
    while len(turns) < n - 1:
        turns.append(Turn(U, text(rng, most)))
        if rng.random() < 0.9:
            turns.append(Turn(A, text(rng, most)))
    return turns + [Turn(U, text(rng, most))]


class Counting:
    def __init__(self, engine: Engine):
        self.engine, self.calls = engine, 0

    def __call__(self, s: str) -> int:
        self.calls += 1
        return self.engine.count_tokens(s)


@pytest.fixture(scope="module")
def engines(converted, tmp_path_factory):
    """An engine per kind of format, all on the tiny trained models."""
    from tests.gguf_rewrite import rewrite

    rinna, dolly = converted("rinna", "f32"), converted("dolly", "f32")
    root = tmp_path_factory.mktemp("fit-variants")
    paths = {
        "rinna-instruction": rinna,
        "dolly": dolly,
        "rinna-bilingual": rewrite(root / "bilingual.gguf", {"hanashi.family": "rinna-bilingual",
                                                             "hanashi.stop_strings": ["\nユーザー:", "\nシステム:"]},
                                   src=rinna),
        "base": rewrite(root / "base.gguf", {"hanashi.family": "base"}, src=rinna,
                        drop_prefixes=("hanashi.stop_strings",)),
        "template": rewrite(root / "template.gguf", {}, src=rinna, drop_prefixes=("hanashi.",)),
    }
    made = {name: Engine.load(path, n_ctx=1024, threads=1) for name, path in paths.items()}
    for name, engine in made.items():
        assert engine.family == name
    yield made
    for engine in made.values():
        engine.close()


@pytest.mark.parametrize("family", ["rinna-instruction", "rinna-bilingual", "dolly", "base", "template"])
def test_fit_keeps_what_dropping_one_exchange_at_a_time_keeps(engines, family):
    engine = engines[family]
    fmt = engine.format
    rng = random.Random(family)
    counts = TurnTokenCounts()  # shared across the cases, as the engine's is
    agreed = dropped = 0
    for case in range(60):
        turns = conversation(rng, rng.randint(1, 40), most=rng.choice([5, 30, 80]))
        persona = [] if case % 3 == 0 else [Turn(U, text(rng, 20))] + ([Turn(A, text(rng, 10))] if case % 2 else [])
        n_ctx = rng.randint(60, 1024)
        budget = rng.randint(1, 200)
        try:
            expected = old_fit(fmt, persona, turns, engine.count_tokens, n_ctx, budget)
        except MessageTooLongError as e:
            with pytest.raises(MessageTooLongError) as info:
                fmt.fit(persona, turns, engine.count_tokens, n_ctx, budget, counts=counts)
            assert (info.value.needed, info.value.context) == (e.needed, e.context)
            continue
        kept = fmt.fit(persona, turns, engine.count_tokens, n_ctx, budget, counts=counts)
        assert kept == expected, (case, len(turns), n_ctx, budget)
        agreed += 1
        dropped += len(kept) < len(turns)
    assert agreed >= 20 and dropped >= 10  # both outcomes were really compared


@pytest.mark.parametrize("family", ["rinna-instruction", "dolly", "template"])
def test_fit_tokenizes_each_turn_at_most_once(engines, family):
    engine = engines[family]
    fmt = engine.format
    turns = conversation(random.Random(7), 2001)
    counting = Counting(engine)
    kept = fmt.fit([Turn(U, "短く答えてください。")], turns, counting, 1024, 100, counts=TurnTokenCounts())
    assert 1 < len(kept) < len(turns)
    assert counting.calls <= len(turns) + 10
    # Linear in what is kept: the turns kept and the exchange that did not fit, a few whole prompts.
    assert counting.calls <= len(kept) + 2 + 12


def test_the_same_turns_are_not_tokenized_again_on_the_next_reply(engines):
    engine = engines["rinna-instruction"]
    fmt = engine.format
    rng = random.Random(3)
    turns = conversation(rng, 301)
    counts = TurnTokenCounts()
    first = Counting(engine)
    fmt.fit([], turns, first, 1024, 100, counts=counts)
    # The next reply: two more turns. Only they (and a few whole prompts) are counted.
    turns = turns + [Turn(A, text(rng, 30)), Turn(U, text(rng, 30))]
    again = Counting(engine)
    kept = fmt.fit([], turns, again, 1024, 100, counts=counts)
    assert kept == old_fit(fmt, [], turns, engine.count_tokens, 1024, 100)
    assert again.calls <= 2 + 12 < first.calls


def test_counts_seeded_by_message_id_are_used_and_new_ones_handed_back(engines):
    engine = engines["rinna-instruction"]
    fmt = engine.format
    plain = conversation(random.Random(11), 201)
    turns = [Turn(t.role, t.content, message_id=i + 1) for i, t in enumerate(plain)]
    assert turns == plain  # the id takes no part in comparing turns
    counts = TurnTokenCounts()
    kept = fmt.fit([], turns, engine.count_tokens, 1024, 100, counts=counts)
    stored = counts.fresh()
    assert stored and set(stored) <= {t.message_id for t in turns}
    assert counts.fresh() == {}  # handed back once
    # A fresh cache seeded with the stored counts tokenizes no turn again.
    seeded = TurnTokenCounts()
    seeded.seed(stored)
    counting = Counting(engine)
    assert fmt.fit([], turns, counting, 1024, 100, counts=seeded) == kept
    assert counting.calls <= 12
    # A wrong stored count (a message edited since) costs exact counts, never a wrong result.
    wrong = TurnTokenCounts()
    wrong.seed({message_id: 0 for message_id in stored})
    assert fmt.fit([], turns, engine.count_tokens, 1024, 100, counts=wrong) == kept


def test_exchange_starts_follow_drop_oldest_exchange():
    rng = random.Random(5)
    for _ in range(200):
        history = conversation(rng, rng.randint(1, 12), most=2)[:-1]
        starts, rest = exchange_starts(history), list(history)
        for start in starts:
            assert rest == history[start:]
            rest = drop_oldest_exchange(rest) if rest else None
        assert starts[-1] == len(history) and rest is None


def test_stop_during_the_fit(engines):
    engine = engines["rinna-instruction"]
    fmt = engine.format
    turns = conversation(random.Random(13), 2001)
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 5

    with pytest.raises(FitCancelled):
        fmt.fit([], turns, engine.count_tokens, 1024, 100, counts=TurnTokenCounts(), cancelled=cancelled)
    assert len(calls) == 6  # asked before every tokenization, stopped at once
    # Through generate_reply: Stop before the prompt is counted ends the reply, nothing generated.
    stop = StopRequest()
    stop.set()
    result = generate_reply(engine, "", turns, sampling={"max_new_tokens": 8}, cancel=stop)
    assert result.cancelled and result.text == "" and result.n_generated == 0 and result.n_prompt_tokens == 0


def test_generate_reply_uses_the_engine_counts_and_drops_old_turns(engines):
    engine = engines["rinna-instruction"]
    turns = conversation(random.Random(17), 1001)
    counts = turn_counts(engine)
    assert counts is turn_counts(engine)  # one per engine
    event = threading.Event()
    result = generate_reply(engine, "", turns, sampling={"max_new_tokens": 4, "seed": 1}, cancel=event)
    kept = old_fit(engine.format, [], turns, engine.count_tokens, engine.n_ctx, min(4, engine.n_ctx // 2))
    assert result.dropped_turns == len(turns) - len(kept) > 0
    assert result.n_prompt_tokens == engine.count_tokens(engine.format.render([], kept))
