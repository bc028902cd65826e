"""The generation loop: reuse the KV cache, evaluate the new prompt tokens, sample, stream, stop.

Cancellation: ``StopRequest.set()`` (from any thread) makes the loop end before its next token
and also aborts a llama.cpp decode already running, so a stop lands within one token's time even
during a long prompt. A plain ``threading.Event`` works too, checked between tokens.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .errors import GenerationError
from .sampling import SamplerChain, SamplingParams, usable_tokens
from .tokenizer import IncrementalDetokenizer, RuntimeTokenizer

# Why a generation ended.
EOS = "eos"  # the model ended its reply (end-of-sequence token)
STOP = "stop"  # a stop string appeared (the caller's on_text said so)
LENGTH = "length"  # max_new_tokens reached
CONTEXT = "context"  # the context window is full
CANCELLED = "cancelled"  # stopped by request; the partial reply is kept

TextCallback = Callable[[str], "bool | None"]


class StopRequest(threading.Event):
    """A thread-safe stop button for one generation (or several in turn: ``clear()`` re-arms).

    Besides the event every generation polls, setting it raises the abort flag of the llama.cpp
    context it is attached to, which ends a decode in progress.
    """

    def __init__(self) -> None:
        super().__init__()
        self._aborts: list = []
        self._guard = threading.Lock()

    def set(self) -> None:
        super().set()
        with self._guard:
            for abort in self._aborts:
                abort.set()

    def attach(self, abort) -> None:
        with self._guard:
            self._aborts.append(abort)
            if self.is_set():
                abort.set()

    def detach(self, abort) -> None:
        with self._guard:
            if abort in self._aborts:
                self._aborts.remove(abort)


@dataclass
class Generation:
    """The raw result of one generation, with counts and timings."""

    text: str  # raw model text, every generated token decoded (stop strings included)
    tokens: list[int]
    reason: str
    n_prompt_tokens: int
    n_prompt_evaluated: int  # prompt tokens actually computed (the rest came from the KV cache)
    n_generated: int
    n_past: int  # tokens in the context when it ended
    prompt_seconds: float  # evaluating the new prompt tokens
    first_token_seconds: float  # from the call to the first sampled token
    generate_seconds: float  # from the end of the prompt to the last token
    seed: int
    extra: dict = field(default_factory=dict)
    note: str = ""  # why the reply is empty or ended at once, in words a person can act on

    @property
    def tokens_per_s(self) -> float:
        return self.n_generated / self.generate_seconds if self.generate_seconds > 0 else 0.0

    @property
    def prompt_tokens_per_s(self) -> float:
        return self.n_prompt_evaluated / self.prompt_seconds if self.prompt_seconds > 0 else 0.0


def common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def splice_cached(cached: Sequence[int], prompt: Sequence[int], piece: Callable[[int], bytes]) -> list[int]:
    """``prompt`` with its start replaced by cached tokens that spell the same text.

    A reply is tokenized once by the model as it writes it and again, differently, when the next
    prompt is built from its text (``システム: `` + ``富士山`` versus ``システム:`` + `` 富士山``).
    Keeping the model's own tokens for the text they share lets the KV cache cover the whole
    previous reply. The splice happens at a point where both sequences have a token boundary
    after identical text, and never across a token without text (BOS and other control tokens).
    """
    k = common_prefix(cached, prompt)
    if k == len(cached) or k == len(prompt):
        return list(prompt)

    def offsets(tokens):
        out, total = {}, 0
        for i in range(k, len(tokens)):
            p = piece(tokens[i])
            if not p:
                break
            total += len(p)
            out[total] = i + 1
        return out, b"".join(piece(t) for t in tokens[k:k + len(out)])

    cached_ends, cached_text = offsets(cached)
    prompt_ends, prompt_text = offsets(prompt)
    n = min(len(cached_text), len(prompt_text))
    same = 0
    while same < n and cached_text[same] == prompt_text[same]:
        same += 1
    aligned = [b for b in cached_ends if b <= same and b in prompt_ends]
    if not aligned:
        return list(prompt)
    b = max(aligned)
    return list(cached[:cached_ends[b]]) + list(prompt[prompt_ends[b]:])


def empty_reply_note(reason: str, generated: Sequence[int], pieces: Sequence[str]) -> str:
    """Why a generation produced no text ("" when it produced some, or was cancelled)."""
    if any(pieces) or reason == CANCELLED:
        return ""
    if reason == EOS and not generated:
        return ("the model ended its reply at once (its first token was end-of-sequence); "
                "try again, or raise the temperature")
    if reason == EOS:
        return "the model ended its reply without writing any visible text"
    if reason == STOP:
        return "the reply began with a stop string, so nothing was shown"
    if reason == LENGTH:
        return "the reply length limit (max_new_tokens) was reached before any visible text"
    if reason == CONTEXT:
        return "the context is full: start a new conversation or load the model with a larger context"
    return ""


def generate(runtime, tokenizer: RuntimeTokenizer, prompt: Sequence[int], params: SamplingParams,
             on_text: TextCallback | None = None, cancel: threading.Event | None = None,
             reuse_text: bool = True) -> Generation:
    """Generate a continuation of ``prompt`` (token ids) on ``runtime`` (a LlamaRuntime).

    ``on_text`` receives the raw text as it becomes complete characters; returning True ends the
    generation with reason STOP. The KV cache keeps the longest common prefix with the previous
    call, so only new tokens are evaluated; with ``reuse_text`` that prefix may end in cached
    tokens that spell the same text as the prompt's (see ``splice_cached``).
    """
    t0 = time.perf_counter()
    prompt = splice_cached(runtime.cached, prompt, tokenizer.piece) if reuse_text else list(prompt)
    if not prompt:
        raise GenerationError("the prompt is empty")
    if len(prompt) >= runtime.n_ctx:
        raise GenerationError(f"the prompt has {len(prompt)} tokens but the context holds {runtime.n_ctx}",
                              fix="shorten the conversation or load the model with a larger context")
    if usable_tokens(params, runtime.n_vocab) <= 0:
        raise GenerationError(f"every one of the model's {runtime.n_vocab} tokens is banned, so no reply can be "
                              "written", getattr(runtime, "path", None),
                              "ban fewer tokens (banned_token_ids in the sampling settings)")
    abort = runtime.abort
    abort.clear()
    if isinstance(cancel, StopRequest):
        cancel.attach(abort)
    seed = params.resolved_seed()
    chain = None
    try:
        keep = common_prefix(runtime.cached, prompt)
        if keep == len(prompt):
            keep -= 1  # the last prompt token is evaluated again for fresh logits
        runtime.keep_prefix(keep)
        reused = len(runtime.cached)
        finished = (cancel is None or not cancel.is_set()) and runtime.decode(prompt[reused:])
        evaluated = len(runtime.cached) - reused
        t_prompt = time.perf_counter()
        if not finished:
            return Generation("", [], CANCELLED, len(prompt), evaluated, 0, len(runtime.cached),
                              t_prompt - t0, 0.0, 0.0, seed)
        chain = SamplerChain(params, runtime.n_vocab, prompt, seed)
        detok = IncrementalDetokenizer(tokenizer)
        sample, is_eog, decode, feed = chain.sample, runtime.is_eog, runtime.decode, detok.feed
        ctx, n_ctx, max_new, cached = runtime.ctx, runtime.n_ctx, params.max_new_tokens, runtime.cached
        generated: list[int] = []
        pieces: list[str] = []
        t_first = None
        while True:
            if cancel is not None and cancel.is_set():
                reason = CANCELLED
                break
            token = sample(ctx)
            if t_first is None:
                t_first = time.perf_counter()
            if is_eog(token):
                reason = EOS
                break
            generated.append(token)
            text = feed(token)
            if text:
                pieces.append(text)
                if on_text is not None and on_text(text):
                    reason = STOP
                    break
            if len(generated) >= max_new:
                reason = LENGTH
                break
            if len(cached) >= n_ctx:
                reason = CONTEXT
                break
            if not decode([token]):
                reason = CANCELLED
                break
        tail = detok.flush()
        if tail:
            pieces.append(tail)
        t_end = time.perf_counter()
        return Generation("".join(pieces), generated, reason, len(prompt), evaluated, len(generated),
                          len(runtime.cached), t_prompt - t0, (t_first or t_end) - t0, t_end - t_prompt, seed,
                          note=empty_reply_note(reason, generated, pieces))
    finally:
        if chain is not None:
            chain.close()
        if isinstance(cancel, StopRequest):
            cancel.detach(abort)
        abort.clear()
