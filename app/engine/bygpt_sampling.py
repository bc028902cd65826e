"""Choosing the next position's bytes from a byte-level model's heads, in NumPy.

Each head gives logits over the byte vocabulary for one byte of the next position; each is
sampled on its own with the usual ``SamplingParams``: repetition penalty (transformers' rule: a
positive logit is divided by it, a negative one multiplied), then temperature, top-k and top-p
(transformers' order), then a draw from one seeded generator. Temperature 0 is greedy.

The repetition penalty of head j looks at the bytes that stood in slot j of the recent positions
(the prompt's included): with a fixed-width encoding, byte j of a position is only ever compared
with byte j of others, so padding bytes shared by every ASCII character are not penalized as
repeats of the text's other slots.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import numpy as np

from .sampling import SamplingParams


class ByteSampler:
    """Samples one group of bytes (one per head) per call; remembers them for the penalty."""

    def __init__(self, params: SamplingParams, n_heads: int, seed: int, history: Sequence[Sequence[int]] = ()):
        self.params = params
        self.n_heads = n_heads
        self.rng = np.random.default_rng(seed & 0xFFFFFFFF)
        window = max(0, int(params.penalty_window))
        self.penalize = params.repetition_penalty != 1.0 and window > 0
        self.recent = [deque(maxlen=window or 1) for _ in range(n_heads)]
        if self.penalize:
            for group in list(history)[-window:]:
                self.accept(group)

    def accept(self, group: Sequence[int]) -> None:
        if self.penalize:
            for j, b in enumerate(group[:self.n_heads]):
                self.recent[j].append(int(b))

    def sample(self, logits: np.ndarray) -> list[int]:
        """``logits`` [n_heads, V] → one byte per head."""
        p = self.params
        if p.greedy and not self.penalize:
            group = [int(b) for b in logits.argmax(axis=1)]
        else:
            group = [self._one(j, logits[j]) for j in range(self.n_heads)]
        self.accept(group)
        return group

    def _one(self, j: int, row: np.ndarray) -> int:
        p = self.params
        x = row.astype(np.float64)
        if self.penalize and self.recent[j]:
            seen = np.fromiter(set(self.recent[j]), dtype=np.int64)
            seen = seen[seen < x.shape[0]]
            v = x[seen]
            x[seen] = np.where(v > 0, v / p.repetition_penalty, v * p.repetition_penalty)
        if p.greedy:
            return int(x.argmax())
        x = x / p.temperature
        if 0 < p.top_k < x.shape[0]:
            kth = np.partition(x, -p.top_k)[-p.top_k]
            x = np.where(x < kth, -np.inf, x)
        probs = np.exp(x - x.max())
        probs /= probs.sum()
        if p.top_p < 1.0:
            order = np.argsort(-probs, kind="stable")
            cum = np.cumsum(probs[order])
            # Keep the smallest set whose probability reaches top_p (at least one byte).
            cut = int(np.searchsorted(cum, p.top_p, side="left")) + 1
            keep = order[:max(1, cut)]
            mask = np.zeros_like(probs)
            mask[keep] = probs[keep]
            probs = mask / mask.sum()
        pick = int(np.searchsorted(np.cumsum(probs), self.rng.random(), side="right"))
        return min(pick, int(np.flatnonzero(probs).max()))
