"""Sampling settings (the model card's defaults, overridable) and llama.cpp sampler chains."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from quantize import families

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
        """The card's defaults as recorded in a GGUF (``GGUFInfo.sampling``); missing keys: base."""
        base = families.FAMILIES[families.BASE].sampling.__dict__
        values = {**base, **{k: v for k, v in (card or {}).items() if k in base}}
        return cls(temperature=float(values["temperature"]), top_p=float(values["top_p"]),
                   top_k=int(values["top_k"]), repetition_penalty=float(values["repetition_penalty"]),
                   max_new_tokens=int(values["max_new_tokens"]),
                   banned_token_ids=tuple(int(t) for t in banned_token_ids))

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
        if "banned_token_ids" in changes:
            changes["banned_token_ids"] = tuple(sorted(set(self.banned_token_ids)
                                                       | {int(t) for t in changes["banned_token_ids"]}))
        out = dataclasses.replace(self, **changes)
        if out.temperature < 0 or out.top_p <= 0 or out.top_p > 1 or out.repetition_penalty <= 0 \
                or out.max_new_tokens < 1:
            raise ValueError(f"invalid sampling settings: {out}")
        return out

    @property
    def greedy(self) -> bool:
        return self.temperature == 0

    def resolved_seed(self) -> int:
        return self.seed if self.seed is not None else random.randrange(2**31)


@dataclass
class SamplerChain:
    """A llama.cpp sampler chain built from SamplingParams; free it with ``close``."""

    params: SamplingParams
    n_vocab: int
    history: Sequence[int] = ()
    seed: int = 0
    handle: object = field(default=None, init=False)

    def __post_init__(self):
        import llama_cpp as L

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
