"""Conversations: persona + turns → the family's prompt → fit the context → generate → display.

``generate_reply`` is stateless: give it the persona, the turns so far and the new message (the
GUI keeps its history in a database and passes it in). ``ChatSession`` keeps the history itself,
for the terminal chat and simple uses.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from app.formats import StreamFilter, Turn, parse_persona
from app.formats.context_fit import FitCancelled, TurnTokenCounts
from app.formats.turns import ASSISTANT, USER

from .engine import Engine
from .generate import CANCELLED, Generation

OnText = Callable[[str], None]
OnProgress = Callable[[int, float], None]  # pieces of text written so far, seconds since the first


@dataclass
class ReplyResult:
    """One reply, as displayed, with what it cost."""

    text: str  # the reply as shown (stop strings removed, <NL> → newline, trimmed)
    reason: str  # eos | stop | length | context | cancelled (see app.engine.generate)
    n_prompt_tokens: int  # the whole prompt
    n_prompt_evaluated: int  # computed for this reply; the rest was reused from the KV cache
    n_generated: int
    tokens_per_s: float
    context_used: int  # tokens in the context after the reply
    n_ctx: int
    dropped_turns: int  # old turns left out so the prompt fits the context
    first_token_seconds: float
    prompt_seconds: float
    seed: int
    raw_text: str  # what the model wrote, before display rules
    note: str = ""  # why the reply is empty (shown to the user beside it); "" when it is not
    max_new_tokens: int = 0  # the reply's token limit (reason "length": it was reached)
    generate_seconds: float = 0.0  # from the first token to the last

    @property
    def empty(self) -> bool:
        return not self.text.strip()

    def stats(self) -> dict:
        """What is stored with the reply and shown under it: its counts, speed, timings, why it
        ended, and how much of the conversation was left out to fit the context."""
        return {"reason": self.reason, "n_generated": self.n_generated, "tokens_per_s": round(self.tokens_per_s, 2),
                "n_prompt_tokens": self.n_prompt_tokens, "context_used": self.context_used, "n_ctx": self.n_ctx,
                "seed": self.seed, "first_token_seconds": round(self.first_token_seconds, 3),
                "generate_seconds": round(self.generate_seconds, 3), "dropped_turns": self.dropped_turns,
                "max_new_tokens": self.max_new_tokens}

    @property
    def cancelled(self) -> bool:
        return self.reason == CANCELLED


class DisplayStream:
    """Raw model text in pieces → display text in pieces.

    Stop strings and replacements (``app.formats.StreamFilter``), then, for chat formats, the
    outer whitespace: leading whitespace is dropped and trailing whitespace held back until text
    follows it, so the pieces always add up to the final, trimmed reply.
    """

    def __init__(self, stop_strings: Sequence[str], replacements: Sequence[tuple[str, str]], strip: bool = True):
        self.filter = StreamFilter(stop_strings, replacements)
        self.strip = strip
        self._started = not strip
        self._held = ""
        self.text = ""

    @property
    def stopped(self) -> bool:
        return self.filter.stopped

    def _shape(self, shown: str) -> str:
        if not self.strip or not shown:
            return shown
        if not self._started:
            shown = shown.lstrip()
            if not shown:
                return ""
            self._started = True
        body = shown.rstrip()
        out = self._held + body if body else ""
        self._held = shown[len(body):] if body else self._held + shown
        return out

    def feed(self, raw: str) -> str:
        out = self._shape(self.filter.feed(raw))
        self.text += out
        return out

    def flush(self) -> str:
        out = self._shape(self.filter.flush())
        self._held = ""
        self.text += out
        return out


def persona_turns(persona: str | Sequence[Turn] | None) -> list[Turn]:
    if persona is None:
        return []
    return parse_persona(persona) if isinstance(persona, str) else list(persona)


def generate_reply(engine: Engine, persona: str | Sequence[Turn] | None, turns: Sequence[Turn],
                   new_message: str | None = None, *, sampling: Mapping | None = None,
                   on_text: OnText | None = None, cancel: threading.Event | None = None,
                   on_progress: OnProgress | None = None) -> ReplyResult:
    """The model's reply to ``turns`` + ``new_message`` (None: the turns already end with it).

    Old exchanges are dropped by the family's rule when the prompt and the reply budget would
    not fit the context (``ReplyResult.dropped_turns`` says how many turns); ``MessageTooLongError``
    when even the newest message alone does not. ``on_text`` receives display text as it streams;
    ``on_progress(pieces, seconds)`` the pieces of text the model has written and the seconds since
    the first (a live speed: about one piece per token); ``cancel`` (an Event, ideally a
    ``StopRequest``) ends the reply early, keeping what was written.
    """
    fmt = engine.format
    persona = persona_turns(persona)
    convo = list(turns) + ([Turn(USER, new_message)] if new_message is not None else [])
    if not convo:
        raise ValueError("there is no message to reply to")
    if convo[-1].role != USER and not engine.completion:
        raise ValueError("the conversation must end with a user message to reply to")
    params = engine.sampling(sampling)
    budget = min(params.max_new_tokens, engine.n_ctx // 2)
    encode = _RecentEncodings(engine)
    try:
        kept = fmt.fit(persona, convo, encode.count, engine.n_ctx, budget, counts=turn_counts(engine),
                       cancelled=None if cancel is None else cancel.is_set)
    except FitCancelled:
        return ReplyResult(text="", reason=CANCELLED, n_prompt_tokens=0, n_prompt_evaluated=0, n_generated=0,
                           tokens_per_s=0.0, context_used=engine.n_cached, n_ctx=engine.n_ctx, dropped_turns=0,
                           first_token_seconds=0.0, prompt_seconds=0.0, seed=params.resolved_seed(), raw_text="",
                           max_new_tokens=params.max_new_tokens)
    stream = DisplayStream(engine.stop_strings, fmt.replacements, strip=not engine.completion)
    progress = [0, 0.0]  # pieces written, when the first was

    def raw_text(piece: str) -> bool:
        shown = stream.feed(piece)
        if shown and on_text is not None:
            on_text(shown)
        if on_progress is not None:
            now = time.perf_counter()
            if not progress[0]:
                progress[1] = now
            progress[0] += 1
            on_progress(progress[0], now - progress[1])
        return stream.stopped

    # The prompt was tokenized to check that it fits: those tokens are the ones generated from.
    gen: Generation = engine.generate(encode.tokens(fmt.render(persona, kept)), params, raw_text, cancel)
    tail = stream.flush()
    if tail and on_text is not None:
        on_text(tail)
    return ReplyResult(text=stream.text, reason=gen.reason, n_prompt_tokens=gen.n_prompt_tokens,
                       n_prompt_evaluated=gen.n_prompt_evaluated, n_generated=gen.n_generated,
                       tokens_per_s=gen.tokens_per_s, context_used=gen.n_past, n_ctx=engine.n_ctx,
                       dropped_turns=len(convo) - len(kept), first_token_seconds=gen.first_token_seconds,
                       prompt_seconds=gen.prompt_seconds, seed=gen.seed, raw_text=gen.text,
                       note=_empty_note(stream.text, gen), max_new_tokens=params.max_new_tokens,
                       generate_seconds=gen.generate_seconds)


_TURN_COUNTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_TURN_COUNTS_LOCK = threading.Lock()


def turn_counts(engine: Engine) -> TurnTokenCounts:
    """The token counts of turns for ``engine``'s model: each turn is tokenized once per model.

    Seed it with counts stored for the model (``seed({message_id: count})``) and store what
    ``fresh()`` returns; turns carry their message ids for that (``Turn.message_id``).
    """
    with _TURN_COUNTS_LOCK:
        counts = _TURN_COUNTS.get(engine)
        if counts is None:
            counts = _TURN_COUNTS[engine] = TurnTokenCounts()
        return counts


class _RecentEncodings:
    """Counts tokens through ``engine.encode`` and keeps the last few encodings for reuse."""

    def __init__(self, engine: Engine, keep: int = 4):
        self.engine, self.keep = engine, keep
        self.recent: OrderedDict[str, list[int]] = OrderedDict()

    def count(self, text: str) -> int:
        ids = self.engine.encode(text)
        self.recent[text] = ids
        while len(self.recent) > self.keep:
            self.recent.popitem(last=False)
        return len(ids)

    def tokens(self, text: str) -> list[int]:
        ids = self.recent.get(text)
        return list(ids) if ids is not None else self.engine.encode(text)


def _empty_note(shown: str, gen: Generation) -> str:
    if shown.strip() or gen.reason == CANCELLED:
        return ""
    if gen.note:
        return gen.note
    if gen.text.strip():
        return "everything the model wrote was removed for display (a stop string or a hidden piece came first)"
    return "the model wrote only whitespace"


class ChatSession:
    """A conversation that keeps its own history.

    The reply is stored even when cancelled (the partial text) or empty, so the history always
    alternates and the next prompt starts with the text the KV cache already holds.
    """

    def __init__(self, engine: Engine, persona: str | Sequence[Turn] | None = "",
                 sampling: Mapping | None = None, turns: Sequence[Turn] = ()):
        self.engine = engine
        self.persona = persona_turns(persona)
        self.sampling = dict(sampling or {})
        self.turns: list[Turn] = list(turns)
        self.last_result: ReplyResult | None = None

    def _run(self, turns: list[Turn], new_message: str | None, on_text, cancel) -> ReplyResult:
        result = generate_reply(self.engine, self.persona, turns, new_message, sampling=self.sampling,
                                on_text=on_text, cancel=cancel)
        if new_message is not None:
            turns.append(Turn(USER, new_message))
        turns.append(Turn(ASSISTANT, result.text))
        self.turns = turns
        self.last_result = result
        return result

    def reply(self, user_text: str, on_text: OnText | None = None,
              cancel: threading.Event | None = None) -> ReplyResult:
        """Answer ``user_text`` and add both turns to the history."""
        return self._run(list(self.turns), user_text, on_text, cancel)

    def regenerate(self, on_text: OnText | None = None, cancel: threading.Event | None = None) -> ReplyResult:
        """Replace the last reply with a new one (with a new seed unless one was fixed)."""
        turns = list(self.turns)
        while turns and turns[-1].role != USER:
            turns.pop()
        if not turns:
            raise ValueError("there is no user message to answer again")
        return self._run(turns, None, on_text, cancel)

    def set_turns(self, turns: Sequence[Turn]) -> None:
        """Replace the history (after the user edited or deleted a message)."""
        self.turns = list(turns)

    def reset(self) -> None:
        """Start over: no turns. The persona and settings stay."""
        self.turns = []
        self.last_result = None
