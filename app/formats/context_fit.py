"""Fitting a conversation into the context in time linear in what is kept.

Each turn's piece of the prompt (``ChatFormat.turn_text``) is tokenized once — ever, for a given
model: ``TurnTokenCounts`` remembers the counts by text, and by message id where the turns carry
one (so counts stored with the messages can seed it). Walking from the newest exchange back, the
counts are summed until the context is full; that estimate picks where the kept history starts.
Then the real prompt is counted exactly: the kept history grows or shrinks by whole exchanges
until the prompt fits and one more exchange would not, so the result is exactly what dropping the
oldest exchange one at a time (the rule ``ChatFormat.fit`` states) keeps. An estimate that is off
(a template that joins turns with extra tokens, a stale stored count) costs a few more exact
counts, never a wrong result.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from .turns import USER, Turn

if TYPE_CHECKING:
    from .chat_format import ChatFormat


class FitCancelled(Exception):
    """Stop was asked for while the conversation was being fitted into the context."""


def exchange_starts(history: Sequence[Turn]) -> list[int]:
    """Where the kept history may start, oldest first: 0, after each exchange, ``len(history)``.

    An exchange is a turn and the non-user turns that answer it (``drop_oldest_exchange``).
    """
    starts = [0]
    i, n = 0, len(history)
    while i < n:
        i += 1
        while i < n and history[i].role != USER:
            i += 1
        starts.append(i)
    return starts


class TurnTokenCounts:
    """Token counts of turn pieces for one model, so each piece is tokenized once.

    Counts are found by message id (``Turn.message_id``, seeded from counts stored with the
    messages) or by the piece's text. ``fresh()`` hands back the counts computed for turns with an
    id since the last call, for storing. Thread-safe; the text memory is bounded (least recently
    used counts go first).
    """

    def __init__(self, max_texts: int = 50_000):
        self.max_texts = max_texts
        self._by_text: OrderedDict[str, int] = OrderedDict()
        self._by_id: dict[int, tuple[int, int | None]] = {}  # id → (count, hash of the text counted)
        self._fresh: dict[int, int] = {}
        self._frame: int | None = None
        self._lock = threading.Lock()

    def seed(self, counts: Mapping[int, int]) -> None:
        """Counts by message id, as stored earlier for this model."""
        with self._lock:
            for message_id, n in counts.items():
                if isinstance(message_id, int) and isinstance(n, int) and n >= 0:
                    self._by_id[message_id] = (n, None)  # stored: trusted for whatever text

    def fresh(self) -> dict[int, int]:
        """Counts computed for turns with a message id since the last call (then forgotten here)."""
        with self._lock:
            out, self._fresh = self._fresh, {}
        return out

    def forget(self, message_ids=None) -> None:
        """Drop the counts of ``message_ids`` (an edited message), or everything."""
        with self._lock:
            if message_ids is None:
                self._by_id.clear()
                self._by_text.clear()
                self._fresh.clear()
                self._frame = None
                return
            for message_id in message_ids:
                self._by_id.pop(message_id, None)
                self._fresh.pop(message_id, None)

    def frame(self, fmt: ChatFormat, count_tokens: Callable[[str], int]) -> int:
        """Tokens of the format's prompt without turns (``frame_text``), counted once."""
        if self._frame is None:
            self._frame = count_tokens(fmt.frame_text())
        return self._frame

    def count(self, turn: Turn, fmt: ChatFormat, count_tokens: Callable[[str], int]) -> int:
        """Tokens ``turn`` adds: its ``turn_text`` counted, less the ``frame`` every such text has."""
        text = fmt.turn_text(turn)
        message_id = getattr(turn, "message_id", None)
        with self._lock:
            if message_id is not None and message_id in self._by_id:
                n, signature = self._by_id[message_id]
                if signature is None or signature == hash(text):
                    return n
            n = self._by_text.get(text)
            if n is not None:
                self._by_text.move_to_end(text)
        if n is None:
            n = max(0, count_tokens(text) - self.frame(fmt, count_tokens))
        with self._lock:
            self._by_text[text] = n
            while len(self._by_text) > self.max_texts:
                self._by_text.popitem(last=False)
            if message_id is not None:
                self._by_id[message_id] = (n, hash(text))
                self._fresh[message_id] = n
        return n


def fit_turns(fmt: ChatFormat, persona: Sequence[Turn], turns: Sequence[Turn],
              count_tokens: Callable[[str], int], context: int, budget: int,
              counts: TurnTokenCounts | None = None, cancelled: Callable[[], bool] | None = None) -> list[Turn]:
    """The turns to keep: see ``ChatFormat.fit``. ``cancelled()`` true → ``FitCancelled``."""
    from .chat_format import MessageTooLongError

    counts = counts if counts is not None else TurnTokenCounts()
    history, last = list(turns[:-1]), list(turns[-1:])
    starts = exchange_starts(history)
    top = len(starts) - 1  # index in starts of "no history"

    def check() -> None:
        if cancelled is not None and cancelled():
            raise FitCancelled()

    exact_memo: dict[int, int] = {}

    def exact(k: int) -> int:
        """The real prompt's tokens when the history starts at ``starts[k]``."""
        if k not in exact_memo:
            check()
            exact_memo[k] = count_tokens(fmt.render(persona, history[starts[k]:] + last))
        return exact_memo[k]

    def fits(k: int) -> bool:
        return exact(k) + budget <= context

    if not fits(top):
        raise MessageTooLongError(exact(top) + budget, context, budget)
    if top == 0:
        return last
    room = context - budget - exact(top)

    # Estimated tokens of the history from starts[k] on: sums of turn pieces, newest first.
    tokens_from: dict[int, int] = {top: 0}
    turns_from: dict[int, int] = {top: 0}
    walked = [top]  # the oldest start summed so far

    def walk_to(k: int) -> None:
        j = walked[0] - 1
        while j >= k:
            total = tokens_from[j + 1]
            for turn in history[starts[j]:starts[j + 1]]:
                check()
                total += counts.count(turn, fmt, count_tokens)
            tokens_from[j] = total
            turns_from[j] = turns_from[j + 1] + starts[j + 1] - starts[j]
            walked[0] = j
            j -= 1

    def estimate_start(per_turn: float) -> int:
        """The oldest start whose estimated history fits the room (walking back as far as needed)."""
        k = top
        while k > 0:
            walk_to(k - 1)
            if tokens_from[k - 1] + per_turn * turns_from[k - 1] > room:
                break
            k -= 1
        return k

    k = estimate_start(0.0)
    if k < top:  # correct the estimate by what the exact count says the joins add per turn
        error = exact(k) - exact(top) - tokens_from[k]
        k = estimate_start(error / turns_from[k])

    # Exact counts from the estimate: find k that fits while k - 1 does not (or k == 0).
    if fits(k):
        good, step = k, 1
        while good > 0:
            probe = max(0, good - step)
            if not fits(probe):
                bad = probe
                break
            good, step = probe, step * 2
        else:
            return history + last
    else:
        bad, step = k, 1
        while True:
            probe = min(top, bad + step)
            if fits(probe):
                good = probe
                break
            bad, step = probe, step * 2
    while good - bad > 1:
        mid = (good + bad) // 2
        if fits(mid):
            good = mid
        else:
            bad = mid
    return history[starts[good]:] + last
