"""What every prompt format in Hanashi provides: rendering, fitting into the context, display.

A format turns the persona and the conversation into the exact text the model continues, trims old
exchanges when that text would not leave room for the reply, and cleans up the reply for display.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .context_fit import TurnTokenCounts, fit_turns
from .stream_filter import filter_text
from .turns import USER, Turn


class MessageTooLongError(ValueError):
    """Even the newest user message alone, with the persona, leaves no room for the reply."""

    def __init__(self, needed: int, context: int, reply_budget: int):
        self.needed = needed
        self.context = context
        self.reply_budget = reply_budget
        super().__init__(
            f"This message needs {needed} tokens ({needed - reply_budget} for the prompt with the "
            f"persona, plus {reply_budget} kept for the reply), but the context holds only "
            f"{context}. Shorten the message or the persona, or use a larger context size."
        )


def drop_oldest_exchange(history: Sequence[Turn]) -> list[Turn]:
    """Remove the oldest exchange: the first turn and the non-user turns that answer it.

    In an alternating conversation that is the oldest user/assistant pair. Assistant turns before
    any user turn (a greeting) form an exchange of their own.
    """
    i = 1
    while i < len(history) and history[i].role != USER:
        i += 1
    return list(history[i:])


class ChatFormat:
    """A prompt format. Subclasses implement ``render`` and may refine ``display``.

    Attributes:
        family: the format's family name (see ``get_format``).
        stop_strings: raw model text that ends a reply.
        replacements: (raw text, displayed text) pairs, e.g. ``("<NL>", "\\n")``.
        completion: True when the model is a base model and the chat view is a text completion.
        reply_budget: tokens the family always keeps for the reply (None: the caller decides).
        context_limit: a context size the family never exceeds (None: the model's context).
    """

    def __init__(
        self,
        family: str,
        *,
        stop_strings: Sequence[str] = (),
        replacements: Sequence[tuple[str, str]] = (),
        completion: bool = False,
        reply_budget: int | None = None,
        context_limit: int | None = None,
    ):
        self.family = family
        self.stop_strings = tuple(stop_strings)
        self.replacements = tuple((k, v) for k, v in replacements)
        self.completion = completion
        self.reply_budget = reply_budget
        self.context_limit = context_limit

    def __repr__(self) -> str:
        return f"{type(self).__name__}(family={self.family!r})"

    def render(self, persona: Sequence[Turn], turns: Sequence[Turn]) -> str:
        """The whole prompt: persona first, then ``turns`` (ending with the new user message)."""
        raise NotImplementedError

    def turn_text(self, turn: Turn) -> str:
        """A prompt holding ``turn`` alone: counted, less ``frame_text``, it estimates the turn's share.

        Only an estimate (``fit`` checks the real prompt and corrects for what joining turns adds),
        so a format that cannot render a lone turn (a chat template that refuses it) falls back
        to a plain ``role: text`` line.
        """
        try:
            return self.render([], [turn])
        except ValueError:
            return f"{turn.role}: {turn.content}\n"

    def frame_text(self) -> str:
        """The prompt without any turn: what every ``turn_text`` has besides the turn."""
        try:
            return self.render([], [])
        except ValueError:
            return ""

    def fit(
        self,
        persona: Sequence[Turn],
        turns: Sequence[Turn],
        count_tokens: Callable[[str], int],
        n_ctx: int,
        reply_budget: int,
        *,
        counts: TurnTokenCounts | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> list[Turn]:
        """Drop the oldest exchanges until the prompt plus the reply budget fits the context.

        The persona and the last turn are always kept. The family's own context limit and reply
        budget, where it has them, take precedence over ``n_ctx`` and ``reply_budget``.
        Raises MessageTooLongError when the last turn alone does not fit.

        The result is the longest run of newest exchanges that fits, found in time linear in the
        turns kept: each turn is tokenized at most once (never again for the same ``counts``,
        which a caller keeps per model), plus a few exact counts of the real prompt
        (``context_fit``). ``cancelled()`` returning true raises ``FitCancelled``.
        """
        context = n_ctx if self.context_limit is None else min(n_ctx, self.context_limit)
        budget = reply_budget if self.reply_budget is None else self.reply_budget
        return fit_turns(self, persona, turns, count_tokens, context, budget, counts, cancelled)

    def display(self, raw_reply: str) -> str:
        """The reply as shown: cut at a stop string, pieces replaced, outer whitespace removed."""
        return filter_text(raw_reply, self.stop_strings, self.replacements).strip()
