"""Sampling settings (the model card's defaults, overridable) and llama.cpp sampler chains."""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from quantize import llama_lib
from quantize import families
from quantize.gguf_check import SAMPLING_RANGES

# How many recent tokens the repetition penalty looks at. transformers' repetition_penalty
# covers the whole sequence; a window this size covers a chat reply and the turn before it.
PENALTY_WINDOW = 256


@dataclass(frozen=True)
class SamplingParams:
    """How the next token is chosen.

    ``temperature`` 0 is greedy decoding. ``seed`` None draws a fresh random seed per reply.
    ``banned_token_ids`` are never sampled (dolly bans ``<unk>``).
    """

    temperature: float = 0.8
    top_p: float = 1.0
    top_k: int = 50
    repetition_penalty: float = 1.0
    max_new_tokens: int = 128
    seed: int | None = None
    banned_token_ids: tuple[int, ...] = ()
    penalty_window: int = PENALTY_WINDOW

    @classmethod
    def from_card(cls, card: Mapping | None = None, banned_token_ids: Sequence[int] = ()) -> "SamplingParams":
        """The card's defaults as recorded in a GGUF (``GGUFInfo.sampling``); missing keys: base.

        A value out of range (files are checked before loading; this is the last guard) is
        replaced by the base family's default rather than reaching llama.cpp.
        """
        base = families.FAMILIES[families.BASE].sampling.__dict__
        card = card if isinstance(card, Mapping) else {}
        values = dict(base)
        for k, v in card.items():
            if k in base and not sampling_problem(k, v):
                values[k] = v
        banned = tuple(t for t in banned_token_ids if isinstance(t, int) and not isinstance(t, bool))
        return cls(temperature=float(values["temperature"]), top_p=float(values["top_p"]),
                   top_k=int(values["top_k"]), repetition_penalty=float(values["repetition_penalty"]),
                   max_new_tokens=int(values["max_new_tokens"]), banned_token_ids=banned)

    def override(self, overrides: Mapping | None = None, **kw) -> "SamplingParams":
        """A copy with the given fields replaced; None values are ignored.

        ``banned_token_ids`` given here are added to the model's, not substituted.
        """
        changes = {k: v for k, v in {**(overrides or {}), **kw}.items() if v is not None}
        names = {f.name for f in dataclasses.fields(self)}
        unknown = set(changes) - names
        if unknown:
            raise ValueError(f"unknown sampling setting(s): {', '.join(sorted(unknown))}; "
                             f"known: {', '.join(sorted(names))}")
        problems = [p for k, v in changes.items() if (p := sampling_problem(k, v))]
        if problems:
            raise ValueError("invalid sampling settings: " + "; ".join(problems))
        if "banned_token_ids" in changes:
            changes["banned_token_ids"] = tuple(sorted(set(self.banned_token_ids)
                                                       | {int(t) for t in changes["banned_token_ids"]}))
        return dataclasses.replace(self, **changes)

    @property
    def greedy(self) -> bool:
        return self.temperature == 0

    def resolved_seed(self) -> int:
        return self.seed if self.seed is not None else random.randrange(2**31)


def sampling_problem(name: str, value) -> str:
    """Why ``value`` cannot be the sampling setting ``name`` ("" when it can)."""
    if name in SAMPLING_RANGES:
        kind, lo, hi, lo_ok = SAMPLING_RANGES[name]
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if kind is int and not isinstance(value, int):
            number = False
        if not number or not math.isfinite(value) or value > hi or value < lo or (value == lo and not lo_ok):
            return (f"{name} {value!r} must be {'an integer' if kind is int else 'a finite number'} "
                    f"{'from' if lo_ok else 'above'} {lo:g} up to {hi:g}")
        return ""
    if name == "seed":
        return "" if isinstance(value, int) and not isinstance(value, bool) else f"seed {value!r} must be an integer"
    if name == "penalty_window":
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 1 << 16
        return "" if ok else f"penalty_window {value!r} must be an integer from 0 to 65536"
    if name == "banned_token_ids":
        try:
            ok = all(isinstance(t, int) and not isinstance(t, bool) for t in value)
        except TypeError:
            ok = False
        return "" if ok else f"banned_token_ids {value!r} must be a list of token ids"
    return ""


def usable_tokens(params: SamplingParams, n_vocab: int) -> int:
    """How many tokens the sampler may still choose from after the bans."""
    return n_vocab - len({t for t in params.banned_token_ids if 0 <= t < n_vocab})


@dataclass
class SamplerChain:
    """A llama.cpp sampler chain built from SamplingParams; free it with ``close``."""

    params: SamplingParams
    n_vocab: int
    history: Sequence[int] = ()
    seed: int = 0
    handle: object = field(default=None, init=False)

    def __post_init__(self):
        L = llama_lib.load()

        p = self.params
        chain = L.llama_sampler_chain_init(L.llama_sampler_chain_default_params())
        banned = [t for t in p.banned_token_ids if 0 <= t < self.n_vocab]
        if banned:
            bias = (L.llama_logit_bias * len(banned))()
            for i, t in enumerate(banned):
                bias[i].token = t
                bias[i].bias = float("-inf")
            L.llama_sampler_chain_add(chain, L.llama_sampler_init_logit_bias(self.n_vocab, len(banned), bias))
        if p.repetition_penalty != 1.0:
            penalties = L.llama_sampler_init_penalties(self.n_vocab, p.penalty_window, p.repetition_penalty,
                                                       0.0, 0.0)
            L.llama_sampler_chain_add(chain, penalties)
            # transformers penalizes tokens of the prompt too: show the sampler the prompt's tail.
            for t in list(self.history)[-p.penalty_window:]:
                L.llama_sampler_accept(penalties, t)
        if p.greedy:
            L.llama_sampler_chain_add(chain, L.llama_sampler_init_greedy())
        else:
            # transformers' order: temperature, then top-k, then top-p.
            L.llama_sampler_chain_add(chain, L.llama_sampler_init_temp(p.temperature))
            if p.top_k > 0:
                L.llama_sampler_chain_add(chain, L.llama_sampler_init_top_k(p.top_k))
            if p.top_p < 1.0:
                L.llama_sampler_chain_add(chain, L.llama_sampler_init_top_p(p.top_p, 1))
            L.llama_sampler_chain_add(chain, L.llama_sampler_init_dist(self.seed & 0xFFFFFFFF))
        self.handle = chain
        self._sample = L.llama_sampler_sample
        self._free = L.llama_sampler_free

    def sample(self, ctx) -> int:
        """Choose the next token from the context's last logits (the chain records it)."""
        return self._sample(self.handle, ctx, -1)

    def close(self) -> None:
        if self.handle is not None:
            self._free(self.handle)
            self.handle = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass
